using UvLambda.Core.Diagnostics;
using UvLambda.Core.Install.Audit;

namespace UvLambda.Core.Tests.Install;

public class ElfAuditTests
{
    [Fact]
    public void A_real_x86_64_extension_passes_for_x86_64_and_a_new_enough_glibc()
    {
        using var temp = new TempDirectory();
        var files = CopyOrjson(temp.Path);
        Assert.Empty(ElfAudit.Check(temp.Path, files, "x86_64", new Version(2, 26), "python3.11"));
    }

    [Fact]
    public void A_real_x86_64_extension_fails_for_arm64()
    {
        using var temp = new TempDirectory();
        var files = CopyOrjson(temp.Path);

        var violation = Assert.Single(ElfAudit.Check(temp.Path, files, "aarch64", new Version(2, 26)));

        Assert.Equal("orjson", violation.Package);
        Assert.EndsWith(".so", violation.File);
        Assert.Equal("is built for x86_64, but LambdaArchitecture is arm64", violation.Problem);
    }

    [Fact]
    public void A_glibc_need_above_the_runtime_is_reported_with_the_newest_version()
    {
        using var temp = new TempDirectory();
        Directory.CreateDirectory(temp.Combine("pkg"));
        File.WriteAllBytes(temp.Combine("pkg", "fast.so"), TestElf.Build(true, false, TestElf.X86_64,
            ("libc.so.6", ["GLIBC_2.17", "GLIBC_2.28", "GLIBC_2.27"])));

        var violation = Assert.Single(ElfAudit.Check(temp.Path, [("fast-pkg", "pkg/fast.so")], "x86_64", new Version(2, 26), "python3.11"));

        Assert.Equal("needs GLIBC_2.28 but Lambda's python3.11 runtime has glibc 2.26", violation.Problem);
        Assert.Empty(ElfAudit.Check(temp.Path, [("fast-pkg", "pkg/fast.so")], "x86_64", new Version(2, 28)));
    }

    [Fact]
    public void An_aarch64_file_fails_for_x86_64_and_text_files_are_ignored()
    {
        using var temp = new TempDirectory();
        File.WriteAllBytes(temp.Combine("arm.so"), TestElf.Build(true, false, TestElf.Aarch64, ("libc.so.6", ["GLIBC_2.17"])));
        temp.WriteFile("mod.py", "print(1)");
        temp.WriteFile("data.bin", "not elf");

        var violations = ElfAudit.Check(temp.Path, [("arm", "arm.so"), ("arm", "mod.py"), ("arm", "data.bin")], "x86_64", new Version(2, 26));

        Assert.Equal([new ElfViolation("arm", "arm.so", "is built for aarch64, but LambdaArchitecture is x86_64")], violations);
    }

    [Fact]
    public void The_error_lists_every_violation_and_the_fix()
    {
        var error = ElfAudit.ToException([
            new ElfViolation("numpy", "numpy/core/_multiarray_umath.so", "needs GLIBC_2.28 but Lambda's python3.11 runtime has glibc 2.26"),
            new ElfViolation("orjson", "orjson/orjson.so", "is built for aarch64, but LambdaArchitecture is x86_64"),
        ]);

        Assert.Equal(ErrorCodes.ElfAuditFailed, error.Code);
        Assert.Contains("numpy: numpy/core/_multiarray_umath.so needs GLIBC_2.28 but Lambda's python3.11 runtime has glibc 2.26", error.Message);
        Assert.Contains("orjson: orjson/orjson.so is built for aarch64, but LambdaArchitecture is x86_64", error.Message);
        Assert.Contains("PythonPlatform", error.Message);
    }

    private static List<(string, string)> CopyOrjson(string target)
    {
        var (sitePackages, _) = ToolProcess.PythonDistribution("orjson");
        var module = Directory.GetFiles(Path.Combine(sitePackages, "orjson"), "*.so").Single();
        var relative = Path.GetRelativePath(sitePackages, module).Replace('\\', '/');
        Directory.CreateDirectory(Path.Combine(target, "orjson"));
        File.Copy(module, Path.Combine(target, relative));
        File.WriteAllText(Path.Combine(target, "orjson", "__init__.py"), "");
        return [("orjson", relative), ("orjson", "orjson/__init__.py")];
    }
}
