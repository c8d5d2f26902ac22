using System.Security.Cryptography;
using UvLambda.Core.Diagnostics;
using UvLambda.Core.Install.Wheels;

namespace UvLambda.Core.Tests.Install;

public class WheelInstallerTests
{
    // Debian's python3-pip-whl and python3-setuptools-whl.
    private const string DebianWheels = "/usr/share/python-wheels";

    private static string DebianWheel(string prefix) =>
        Directory.GetFiles(DebianWheels, prefix + "-*.whl").Single();

    [Fact]
    public void Installs_the_pip_wheel_so_that_it_imports()
    {
        using var temp = new TempDirectory();
        var target = temp.Combine("python");
        var wheel = DebianWheel("pip");
        var version = Path.GetFileName(wheel).Split('-')[1];

        var installed = WheelInstaller.Install(wheel, target, "pip", version);

        Assert.Equal("pip", installed.Name);
        Assert.Equal(version, installed.Version);
        Assert.Contains("pip/__init__.py", installed.Files);
        Assert.Contains($"pip-{version}.dist-info/RECORD", installed.Files);
        Assert.Equal(installed.Files.Order(StringComparer.Ordinal), installed.Files);
        Assert.Equal(version, ToolProcess.PythonWithPath(target, "import pip; print(pip.__version__)"));
    }

    [Fact]
    public void Unpacking_stops_with_UVL2210_once_the_inflated_bytes_pass_the_limit_and_nothing_reaches_the_target()
    {
        using var temp = new TempDirectory();
        var bomb = TestWheel.BuildBomb(temp.Combine("wheels"), "bomb", "1.0", 64L << 20);
        var target = temp.Combine("python");
        var e = Assert.Throws<UvLambdaException>(() => WheelInstaller.Install(bomb, target, "bomb", "1.0", maxUnpackedBytes: 2L << 20));
        Assert.Equal(ErrorCodes.WheelTooLarge, e.Code);
        Assert.Contains("bomb/zeros.bin", e.Message);
        Assert.Contains("2,097,152", e.Message);
        // Nothing installed, and the staging folder beside the target is gone.
        Assert.False(Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any());
        Assert.Empty(Directory.GetDirectories(temp.Path, ".uvlambda-wheel*"));

        // The same wheel under a limit it fits is fine: the count is of bytes inflated, not a guess.
        var installed = WheelInstaller.Install(bomb, target, "bomb", "1.0", maxUnpackedBytes: 65L << 20);
        Assert.Contains("bomb/zeros.bin", installed.Files);
    }

    [Fact]
    public void Planned_files_are_what_install_writes()
    {
        using var temp = new TempDirectory();
        var wheel = DebianWheel("setuptools");
        var planned = WheelInstaller.PlannedFiles(wheel);

        var installed = WheelInstaller.Install(wheel, temp.Combine("python"), "setuptools", null);

        Assert.Equal(planned, installed.Files);
        var onDisk = Directory.GetFiles(temp.Combine("python"), "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(temp.Combine("python"), f).Replace('\\', '/')).Order(StringComparer.Ordinal);
        Assert.Equal(installed.Files, onDisk);
    }

    [Fact]
    public void Several_wheels_merge_into_one_target_and_import()
    {
        using var temp = new TempDirectory();
        var target = temp.Combine("python");
        WheelInstaller.Install(DebianWheel("pip"), target, "pip", null);
        WheelInstaller.Install(DebianWheel("setuptools"), target, "setuptools", null);

        Assert.Equal("ok", ToolProcess.PythonWithPath(target,
            "import pip, setuptools; assert pip.__file__.startswith(sys.path[0]) and setuptools.__file__.startswith(sys.path[0]); print('ok')"));
    }

    [Fact]
    public void Installed_record_lists_every_file_with_its_hash_and_size_and_no_installer_metadata()
    {
        using var temp = new TempDirectory();
        var target = temp.Combine("python");
        var installed = WheelInstaller.Install(DebianWheel("pip"), target, "pip", null);

        var record = installed.Files.Single(f => f.EndsWith(".dist-info/RECORD", StringComparison.Ordinal));
        var rows = WheelRecord.TryParse(File.ReadAllText(Path.Combine(target, record)), out var error);
        Assert.NotNull(rows);
        Assert.Equal(installed.Files, rows.Select(r => r.Path));
        foreach (var row in rows)
        {
            if (row.Path == record)
            {
                Assert.Null(row.HashAlgorithm);
                continue;
            }
            var bytes = File.ReadAllBytes(Path.Combine(target, row.Path));
            Assert.Equal("sha256", row.HashAlgorithm);
            Assert.Equal(WheelRecord.EncodeDigest(SHA256.HashData(bytes)), row.Digest);
            Assert.Equal(bytes.Length, row.Size);
        }
        Assert.DoesNotContain(installed.Files, f => f.EndsWith("/INSTALLER", StringComparison.Ordinal) || f.EndsWith("/REQUESTED", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("orjson")]
    [InlineData("cffi")]
    public void A_repacked_extension_module_installs_and_imports(string package)
    {
        using var temp = new TempDirectory();
        var (sitePackages, distInfo) = ToolProcess.PythonDistribution(package);
        var wheel = TestWheel.FromInstalled(sitePackages, distInfo).Build(temp.Combine("wheels"));
        var target = temp.Combine("python");

        var installed = WheelInstaller.Install(wheel, target, package.Replace('_', '-'), distInfo.Split('-')[1][..^".dist".Length]);

        var extension = installed.Files.Single(f => f.EndsWith(".so", StringComparison.Ordinal));
        Assert.Equal(File.ReadAllBytes(Path.Combine(sitePackages, extension)), File.ReadAllBytes(Path.Combine(target, extension)));
        Assert.Equal("ok", ToolProcess.PythonWithPath(target,
            $"import {package}; assert {package}.__file__.startswith(sys.path[0]), {package}.__file__; print('ok')"));
    }

    [Fact]
    public void A_wheel_stored_under_its_hash_installs_with_the_file_name_given()
    {
        // The content cache names entries by sha256; the installer must take the tags from the request's file name.
        using var temp = new TempDirectory();
        var built = new TestWheel("demo", "1.0").Add("demo/__init__.py", "").Build(temp.Combine("wheels"));
        var cached = temp.Combine("0123abcd");
        File.Copy(built, cached);
        var target = temp.Combine("python");

        Assert.Contains("demo/__init__.py", WheelInstaller.PlannedFiles(cached, "demo-1.0-py3-none-any.whl"));
        var installed = WheelInstaller.Install(cached, target, "demo", "1.0", "demo-1.0-py3-none-any.whl");

        Assert.Contains("demo/__init__.py", installed.Files);
        Assert.Throws<UvLambdaException>(() => WheelInstaller.Install(cached, temp.Combine("other"), "demo", "1.0"));
    }

    [Fact]
    public void Data_schemes_map_to_the_target_like_uv_target()
    {
        using var temp = new TempDirectory();
        var wheel = new TestWheel("demo", "1.0");
        wheel.Add("demo/__init__.py", "")
            .Add(wheel.DataDir + "/purelib/demo_pure.py", "")
            .Add(wheel.DataDir + "/platlib/demo_plat.py", "")
            .Add(wheel.DataDir + "/data/share/demo/data.txt", "d")
            .Add(wheel.DataDir + "/headers/demo.h", "int x;")
            .Add(wheel.DataDir + "/scripts/demo-tool", "#!python\nprint('hi')\n");
        var target = temp.Combine("python");

        var installed = WheelInstaller.Install(wheel.Build(temp.Path), target, "demo", "1.0");

        Assert.Equal(
            ["bin/demo-tool", "demo-1.0.dist-info/METADATA", "demo-1.0.dist-info/RECORD", "demo-1.0.dist-info/WHEEL",
             "demo/__init__.py", "demo_plat.py", "demo_pure.py", "include/demo/demo.h", "share/demo/data.txt"],
            installed.Files);
        Assert.Equal("#!/usr/bin/env python3\nprint('hi')\n", File.ReadAllText(Path.Combine(target, "bin/demo-tool")));
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead
                | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute,
                File.GetUnixFileMode(Path.Combine(target, "bin/demo-tool")));
        var record = File.ReadAllText(Path.Combine(target, "demo-1.0.dist-info/RECORD"));
        var script = File.ReadAllBytes(Path.Combine(target, "bin/demo-tool"));
        Assert.Contains($"bin/demo-tool,sha256={WheelRecord.EncodeDigest(SHA256.HashData(script))},{script.Length}\n", record);
    }

    [Fact]
    public void A_script_without_python_shebang_is_kept_as_it_is()
    {
        using var temp = new TempDirectory();
        var wheel = new TestWheel("demo", "1.0");
        wheel.Add(wheel.DataDir + "/scripts/run.sh", "#!/bin/sh\necho hi\n");

        WheelInstaller.Install(wheel.Build(temp.Path), temp.Combine("python"), "demo", "1.0");

        Assert.Equal("#!/bin/sh\necho hi\n", File.ReadAllText(temp.Combine("python", "bin", "run.sh")));
    }

    [Fact]
    public void Executable_bits_come_from_the_zip_entries()
    {
        if (OperatingSystem.IsWindows())
            return;
        using var temp = new TempDirectory();
        var wheel = new TestWheel("demo", "1.0")
            .Add("demo/tool", "x", TestWheel.ExecutableFile)
            .Add("demo/plain.py", "x", TestWheel.RegularFile)
            .Add("demo/owner_exec_only", "x", 0b1_000_000_101_000_000)
            .Add("demo/no_mode", "x", 0);

        WheelInstaller.Install(wheel.Build(temp.Path), temp.Combine("python"), "demo", "1.0");

        const UnixFileMode regular = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        const UnixFileMode executable = regular | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        Assert.Equal(executable, File.GetUnixFileMode(temp.Combine("python", "demo", "tool")));
        Assert.Equal(executable, File.GetUnixFileMode(temp.Combine("python", "demo", "owner_exec_only")));
        Assert.Equal(regular, File.GetUnixFileMode(temp.Combine("python", "demo", "plain.py")));
        Assert.Equal(regular, File.GetUnixFileMode(temp.Combine("python", "demo", "no_mode")));
    }

    [Fact]
    public void Installer_metadata_in_the_wheel_is_dropped()
    {
        using var temp = new TempDirectory();
        var wheel = new TestWheel("demo", "1.0");
        wheel.Add("demo.py", "").Add(wheel.DistInfo + "/INSTALLER", "pip\n").Add(wheel.DistInfo + "/REQUESTED", "")
            .Add(wheel.DistInfo + "/direct_url.json", "{}");

        var installed = WheelInstaller.Install(wheel.Build(temp.Path), temp.Combine("python"), "demo", "1.0");

        Assert.Equal(["demo-1.0.dist-info/METADATA", "demo-1.0.dist-info/RECORD", "demo-1.0.dist-info/WHEEL", "demo.py"], installed.Files);
        Assert.False(File.Exists(temp.Combine("python", "demo-1.0.dist-info", "INSTALLER")));
    }

    [Fact]
    public void Reinstalling_replaces_files_and_keeps_other_packages()
    {
        using var temp = new TempDirectory();
        var target = temp.Combine("python");
        Directory.CreateDirectory(target);
        File.WriteAllText(Path.Combine(target, "other.py"), "kept");
        File.WriteAllText(Path.Combine(target, "demo.py"), "stale");
        var wheel = new TestWheel("demo", "1.0").Add("demo.py", "fresh").Build(temp.Combine("wheels"));

        WheelInstaller.Install(wheel, target, "demo", "1.0");
        WheelInstaller.Install(wheel, target, "demo", "1.0");

        Assert.Equal("fresh", File.ReadAllText(Path.Combine(target, "demo.py")));
        Assert.Equal("kept", File.ReadAllText(Path.Combine(target, "other.py")));
        Assert.Empty(Directory.GetFileSystemEntries(temp.Path, ".uvlambda-wheel*"));
    }

    [Fact]
    public void A_folder_in_the_way_is_UVL2209()
    {
        using var temp = new TempDirectory();
        var target = temp.Combine("python");
        Directory.CreateDirectory(Path.Combine(target, "demo.py"));
        var wheel = new TestWheel("demo", "1.0").Add("demo.py", "").Build(temp.Combine("wheels"));

        var error = Assert.Throws<UvLambdaException>(() => WheelInstaller.Install(wheel, target, "demo", "1.0"));

        Assert.Equal(ErrorCodes.WheelInstallFailed, error.Code);
        Assert.Contains("demo.py", error.Message);
        Assert.Empty(Directory.GetFileSystemEntries(temp.Path, ".uvlambda-wheel*"));
    }

    [Fact]
    public void Record_paths_with_commas_and_quotes_round_trip()
    {
        var rows = new[] { new WheelRecordRow("a,b/\"q\".py", "sha256", "abc", 3), new WheelRecordRow("x.dist-info/RECORD", null, null, null) };
        var text = WheelRecord.Format(rows);
        Assert.Equal("\"a,b/\"\"q\"\".py\",sha256=abc,3\nx.dist-info/RECORD,,\n", text);
        Assert.Equal(rows, WheelRecord.TryParse(text, out _));
        Assert.Equal(rows, WheelRecord.TryParse(text.Replace("\n", "\r\n"), out _));
        Assert.Null(WheelRecord.TryParse("a.py,sha256=x,notanumber\n", out var error));
        Assert.Contains("size", error);
    }

    [Theory]
    [InlineData("Demo_Pkg", "1.0.0")]
    [InlineData("demo.pkg", "1.0")]
    [InlineData("DEMO-PKG", "v1.0")]
    public void Names_and_versions_compare_normalized(string expectedName, string expectedVersion)
    {
        using var temp = new TempDirectory();
        var wheel = new TestWheel("demo_pkg", "1.0").Add("demo_pkg.py", "").Build(temp.Path);

        var installed = WheelInstaller.Install(wheel, temp.Combine("python"), expectedName, expectedVersion);

        Assert.Equal("demo_pkg", installed.Name);
    }

    // Rejections: each leaves the target exactly as it was (a pre-existing file stays, nothing new appears).

    [Theory]
    [InlineData("../evil.py")]
    [InlineData("demo/../../evil.py")]
    [InlineData("/etc/evil.py")]
    [InlineData("C:/evil.py")]
    [InlineData("demo\\evil.py")]
    [InlineData("demo//evil.py")]
    [InlineData("./evil.py")]
    public void Unsafe_paths_are_UVL2201(string path)
    {
        var wheel = new TestWheel("demo", "1.0").Add("demo.py", "").Add(path, "evil");
        var error = AssertRejected(wheel, ErrorCodes.UnsafeWheelPath);
        Assert.Contains(path, error.Message);
    }

    [Fact]
    public void A_symlink_entry_is_UVL2202()
    {
        var wheel = new TestWheel("demo", "1.0").Add("demo.py", "").Add("demo/link", "/etc/passwd", TestWheel.Symlink);
        Assert.Contains("demo/link", AssertRejected(wheel, ErrorCodes.WheelSymlink).Message);
    }

    [Fact]
    public void A_duplicate_entry_is_UVL2203()
    {
        var wheel = new TestWheel("demo", "1.0").Add("demo.py", "one").Add("demo.py", "two");
        wheel.EditRecord = rows => rows.RemoveAt(1);
        Assert.Contains("demo.py", AssertRejected(wheel, ErrorCodes.DuplicateWheelEntry).Message);
    }

    [Fact]
    public void Entries_only_differing_in_case_are_not_duplicates()
    {
        using var temp = new TempDirectory();
        var wheel = new TestWheel("demo", "1.0").Add("demo/A.py", "a").Add("demo/a.py", "b");
        var installed = WheelInstaller.Install(wheel.Build(temp.Path), temp.Combine("python"), "demo", "1.0");
        Assert.Contains("demo/A.py", installed.Files);
        Assert.Contains("demo/a.py", installed.Files);
    }

    [Fact]
    public void Two_entries_installing_to_one_path_are_UVL2203()
    {
        var wheel = new TestWheel("demo", "1.0");
        wheel.Add("demo.py", "one").Add(wheel.DataDir + "/purelib/demo.py", "two");
        Assert.Contains("demo.py", AssertRejected(wheel, ErrorCodes.DuplicateWheelEntry).Message);
    }

    [Fact]
    public void A_hash_mismatch_is_UVL2204()
    {
        var wheel = new TestWheel("demo", "1.0").Add("demo.py", "print(1)").Add("demo2.py", "print(2)");
        wheel.EditRecord = rows => rows.Single(r => r[0] == "demo2.py")[1] = "sha256=" + WheelRecord.EncodeDigest(SHA256.HashData("other"u8));
        Assert.Contains("demo2.py", AssertRejected(wheel, ErrorCodes.WheelRecordMismatch).Message);
    }

    [Fact]
    public void A_size_mismatch_is_UVL2204()
    {
        var wheel = new TestWheel("demo", "1.0").Add("demo.py", "print(1)");
        wheel.EditRecord = rows => rows.Single(r => r[0] == "demo.py")[2] = "3";
        Assert.Contains("demo.py", AssertRejected(wheel, ErrorCodes.WheelRecordMismatch).Message);
    }

    [Fact]
    public void A_script_with_a_bad_hash_is_UVL2204()
    {
        var wheel = new TestWheel("demo", "1.0");
        wheel.Add(wheel.DataDir + "/scripts/tool", "#!python\nprint(1)\n");
        wheel.EditRecord = rows => rows.Single(r => r[0].EndsWith("/tool", StringComparison.Ordinal))[1] = "sha256=" + WheelRecord.EncodeDigest(SHA256.HashData("x"u8));
        AssertRejected(wheel, ErrorCodes.WheelRecordMismatch);
    }

    [Fact]
    public void A_file_missing_from_record_is_UVL2204()
    {
        var wheel = new TestWheel("demo", "1.0").Add("demo.py", "").Add("sneaky.py", "");
        wheel.Unrecorded.Add("sneaky.py");
        Assert.Contains("sneaky.py", AssertRejected(wheel, ErrorCodes.WheelRecordMismatch).Message);
    }

    [Fact]
    public void A_weak_hash_algorithm_is_UVL2204()
    {
        var wheel = new TestWheel("demo", "1.0").Add("demo.py", "");
        wheel.EditRecord = rows => rows.Single(r => r[0] == "demo.py")[1] = "md5=1B2M2Y8AsgTpgAmY7PhCfg";
        AssertRejected(wheel, ErrorCodes.WheelRecordMismatch);
    }

    [Fact]
    public void A_sha512_record_is_checked()
    {
        using var temp = new TempDirectory();
        var wheel = new TestWheel("demo", "1.0").Add("demo.py", "x = 1");
        wheel.EditRecord = rows => rows.Single(r => r[0] == "demo.py")[1] = "sha512=" + WheelRecord.EncodeDigest(SHA512.HashData("x = 1"u8));
        WheelInstaller.Install(wheel.Build(temp.Path), temp.Combine("python"), "demo", "1.0");

        var bad = new TestWheel("demo", "1.0").Add("demo.py", "x = 1");
        bad.EditRecord = rows => rows.Single(r => r[0] == "demo.py")[1] = "sha512=" + WheelRecord.EncodeDigest(SHA512.HashData("x = 2"u8));
        AssertRejected(bad, ErrorCodes.WheelRecordMismatch);
    }

    [Fact]
    public void A_missing_record_is_UVL2205() =>
        AssertRejected(new TestWheel("demo", "1.0") { WithRecord = false }.Add("demo.py", ""), ErrorCodes.InvalidWheelMetadata);

    [Fact]
    public void A_missing_wheel_file_is_UVL2205()
    {
        var wheel = new TestWheel("demo", "1.0").Add("demo.py", "");
        wheel.WheelText = "Generator: nothing\n";
        AssertRejected(wheel, ErrorCodes.InvalidWheelMetadata);
    }

    [Fact]
    public void A_wheel_without_dist_info_is_UVL2205()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("demo-1.0-py3-none-any.whl");
        using (var zip = new System.IO.Compression.ZipArchive(File.Create(path), System.IO.Compression.ZipArchiveMode.Create))
            zip.CreateEntry("demo.py");
        var target = temp.Combine("python");
        Assert.Equal(ErrorCodes.InvalidWheelMetadata, Assert.Throws<UvLambdaException>(() => WheelInstaller.Install(path, target, "demo", "1.0")).Code);
        Assert.False(Directory.Exists(target));
    }

    [Fact]
    public void Wheel_version_2_is_UVL2206()
    {
        var wheel = new TestWheel("demo", "1.0").Add("demo.py", "");
        wheel.WheelText = "Wheel-Version: 2.0\nRoot-Is-Purelib: true\n";
        AssertRejected(wheel, ErrorCodes.UnsupportedWheelVersion);
    }

    [Fact]
    public void Another_package_name_is_UVL2207() =>
        AssertRejected(new TestWheel("demo", "1.0").Add("demo.py", ""), ErrorCodes.WheelNameMismatch, expectedName: "other");

    [Fact]
    public void Another_version_is_UVL2207() =>
        AssertRejected(new TestWheel("demo", "1.0").Add("demo.py", ""), ErrorCodes.WheelNameMismatch, expectedVersion: "1.0.1");

    [Fact]
    public void Metadata_naming_another_package_is_UVL2207()
    {
        var wheel = new TestWheel("demo", "1.0") { MetadataText = "Metadata-Version: 2.1\nName: evil\nVersion: 1.0\n" }.Add("demo.py", "");
        Assert.Contains("METADATA", AssertRejected(wheel, ErrorCodes.WheelNameMismatch).Message);
    }

    [Fact]
    public void Metadata_with_another_version_is_UVL2207_even_without_an_expected_version()
    {
        var wheel = new TestWheel("demo", "1.0") { MetadataText = "Metadata-Version: 2.1\nName: demo\nVersion: 2.0\n" }.Add("demo.py", "");
        AssertRejected(wheel, ErrorCodes.WheelNameMismatch, expectedVersion: null);
    }

    [Fact]
    public void A_file_that_is_not_a_zip_is_UVL2208()
    {
        using var temp = new TempDirectory();
        var path = temp.WriteFile("demo-1.0-py3-none-any.whl", "not a zip");
        var target = temp.Combine("python");
        Assert.Equal(ErrorCodes.UnreadableWheel, Assert.Throws<UvLambdaException>(() => WheelInstaller.Install(path, target, "demo", "1.0")).Code);
        Assert.Equal(ErrorCodes.UnreadableWheel, Assert.Throws<UvLambdaException>(() => WheelInstaller.PlannedFiles(path)).Code);
    }

    [Fact]
    public void Planned_files_reject_unsafe_paths_too()
    {
        using var temp = new TempDirectory();
        var wheel = new TestWheel("demo", "1.0").Add("../evil.py", "").Build(temp.Path);
        Assert.Equal(ErrorCodes.UnsafeWheelPath, Assert.Throws<UvLambdaException>(() => WheelInstaller.PlannedFiles(wheel)).Code);
    }

    private static UvLambdaException AssertRejected(TestWheel wheel, string code, string expectedName = "demo", string? expectedVersion = "1.0")
    {
        using var temp = new TempDirectory();
        var path = wheel.Build(temp.Combine("wheels"));
        var target = temp.Combine("python");
        Directory.CreateDirectory(Path.Combine(target, "demo"));
        File.WriteAllText(Path.Combine(target, "demo.py"), "before");
        var before = Snapshot(temp.Path);

        var error = Assert.Throws<UvLambdaException>(() => WheelInstaller.Install(path, target, expectedName, expectedVersion));

        Assert.Equal(code, error.Code);
        Assert.Contains(Path.GetFileName(path), error.Message);
        Assert.Equal(before, Snapshot(temp.Path));
        Assert.False(File.Exists(Path.Combine(temp.Path, "evil.py")));
        return error;
    }

    private static List<string> Snapshot(string root) =>
        Directory.GetFileSystemEntries(root, "*", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(root, p) + (File.Exists(p) ? "=" + File.ReadAllText(p).GetHashCode() : "/"))
            .Order(StringComparer.Ordinal).ToList();
}
