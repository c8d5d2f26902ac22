using System.Text.RegularExpressions;
using UvLambda.Core.Install.Audit;

namespace UvLambda.Core.Tests.Install;

public class ElfFileTests
{
    private const string SystemLibraries = "/usr/lib/x86_64-linux-gnu";

    [Fact]
    public void Reads_libc_as_x86_64()
    {
        var elf = ElfFile.TryRead("/lib/x86_64-linux-gnu/libc.so.6");
        Assert.NotNull(elf);
        Assert.Equal("x86_64", elf.Machine);
        Assert.Equal(ReadelfGlibcNeeds("/lib/x86_64-linux-gnu/libc.so.6"), elf.GlibcVersionsNeeded);
    }

    [Fact]
    public void Glibc_needs_of_python_extension_modules_match_readelf()
    {
        var modules = Directory.GetFiles(ToolProcess.PythonSitePackages, "*.so", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal).Take(40).ToList();
        Assert.NotEmpty(modules);
        var withNeeds = 0;
        foreach (var module in modules)
        {
            var elf = ElfFile.TryRead(module);
            Assert.NotNull(elf);
            Assert.Equal("x86_64", elf.Machine);
            Assert.True(ReadelfGlibcNeeds(module).SequenceEqual(elf.GlibcVersionsNeeded), module);
            if (elf.GlibcVersionsNeeded.Count > 0)
                withNeeds++;
        }
        Assert.True(withNeeds > 0);
    }

    [Fact]
    public void Glibc_needs_of_system_libraries_match_readelf()
    {
        var libraries = Directory.GetFiles(SystemLibraries, "*.so*")
            .Where(f => !Directory.Exists(f)).Order(StringComparer.Ordinal).Take(60).ToList();
        var checkedCount = 0;
        foreach (var library in libraries)
        {
            var elf = ElfFile.TryRead(library);
            if (elf is null)
                continue; // linker scripts such as libc.so are text
            Assert.Equal("x86_64", elf.Machine);
            Assert.True(ReadelfGlibcNeeds(library).SequenceEqual(elf.GlibcVersionsNeeded), library);
            checkedCount++;
        }
        Assert.True(checkedCount > 10);
    }

    [Fact]
    public void A_newer_glibc_need_sorts_by_version_not_text()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("lib.so");
        File.WriteAllBytes(path, TestElf.Build(true, false, TestElf.X86_64,
            ("libc.so.6", ["GLIBC_2.28", "GLIBC_2.3.4", "GLIBC_2.2.5", "GLIBC_2.17"]), ("libm.so.6", ["GLIBC_2.29", "GLIBC_2.17"])));
        Assert.Equal(["2.2.5", "2.3.4", "2.17", "2.28", "2.29"], ElfFile.TryRead(path)!.GlibcVersionsNeeded);
    }

    [Theory]
    [InlineData(true, false, TestElf.Aarch64, "aarch64")]
    [InlineData(false, false, TestElf.Aarch64, "aarch64")]
    [InlineData(true, true, TestElf.S390, "s390x")]
    [InlineData(false, true, TestElf.PowerPc, "ppc")]
    [InlineData(false, true, 4242, "e_machine 4242")]
    public void Reads_every_class_and_byte_order(bool is64, bool bigEndian, ushort machine, string machineName)
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("lib.so");
        File.WriteAllBytes(path, TestElf.Build(is64, bigEndian, machine,
            ("libpthread.so.0", ["GLIBC_2.17"]),
            ("libc.so.6", ["GLIBC_2.17", "GLIBC_PRIVATE", "GLIBC_ABI_DT_RELR", "GLIBC_2.28"]),
            ("libstdc++.so.6", ["GLIBCXX_3.4", "CXXABI_1.3"])));

        var elf = ElfFile.TryRead(path);

        Assert.NotNull(elf);
        Assert.Equal(machineName, elf.Machine);
        Assert.Equal(["2.17", "2.28"], elf.GlibcVersionsNeeded);
    }

    [Fact]
    public void Non_elf_and_damaged_files_give_null_or_no_needs()
    {
        using var temp = new TempDirectory();
        Assert.Null(ElfFile.TryRead(temp.WriteFile("text.so", "INPUT(libc.so.6)")));
        Assert.Null(ElfFile.TryRead(temp.WriteFile("empty", "")));
        Assert.Null(ElfFile.TryRead(temp.Combine("missing.so")));

        var whole = TestElf.Build(true, false, TestElf.X86_64, ("libc.so.6", ["GLIBC_2.17"]));
        var cut = temp.Combine("cut.so");
        File.WriteAllBytes(cut, whole[..80]);
        var elf = ElfFile.TryRead(cut);
        Assert.NotNull(elf);
        Assert.Equal("x86_64", elf.Machine);
        Assert.Empty(elf.GlibcVersionsNeeded);
        File.WriteAllBytes(cut, whole[..10]);
        Assert.Null(ElfFile.TryRead(cut));
    }

    // The GLIBC_x.y names readelf lists in the version needs section (.gnu.version_r), ascending, numeric only.
    private static IReadOnlyList<string> ReadelfGlibcNeeds(string path)
    {
        var (exit, output, error) = ToolProcess.Run("readelf", "-V", "--wide", path);
        Assert.True(exit == 0, error);
        var section = output.Split("Version needs section", 2);
        if (section.Length < 2)
            return [];
        var block = section[1].Split("\n\n", 2)[0];
        return Regex.Matches(block, @"Name: GLIBC_([0-9][0-9.]*)\s").Select(m => m.Groups[1].Value)
            .Distinct().OrderBy(v => Version.Parse(v.Contains('.') ? v : v + ".0")).ToList();
    }
}
