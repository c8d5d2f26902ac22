using UvLambda.Core.Diagnostics;
using UvLambda.Core.Projects;

namespace UvLambda.Core.Tests.Projects;

public class LambdaSourceFileTests
{
    [Fact]
    public void Package_paths_are_relative_to_the_project_with_forward_slashes()
    {
        using var dir = new TempDirectory();
        var main = dir.WriteFile("app/main.py", "");
        var files = LambdaSourceFile.Map(dir.Path, [(main, null)]);
        Assert.Equal("app/main.py", Assert.Single(files).PackagePath);
    }

    [Fact]
    public void PackagePath_metadata_wins_and_a_trailing_slash_keeps_the_file_name()
    {
        using var dir = new TempDirectory();
        var db = dir.WriteFile("data/db.sqlite", "x");
        var files = LambdaSourceFile.Map(dir.Path, [(db, "app/"), (db, "other/name.db")]);
        Assert.Equal(["app/db.sqlite", "other/name.db"], files.Select(f => f.PackagePath));
    }

    [Fact]
    public void Bytecode_and_pycache_never_ship()
    {
        using var dir = new TempDirectory();
        var files = LambdaSourceFile.Map(dir.Path,
            [(dir.WriteFile("app/__pycache__/main.cpython-313.pyc", ""), null), (dir.WriteFile("app/x.pyc", ""), null), (dir.WriteFile("app/x.py", ""), null)]);
        Assert.Equal(["app/x.py"], files.Select(f => f.PackagePath));
    }

    [Fact]
    public void A_missing_file_is_UVL1008()
    {
        using var dir = new TempDirectory();
        Assert.Equal(ErrorCodes.SourceFileMissing,
            Assert.Throws<UvLambdaException>(() => LambdaSourceFile.Map(dir.Path, [(dir.Combine("nope.py"), null)])).Code);
    }

    [Fact]
    public void A_file_outside_the_project_needs_a_PackagePath()
    {
        using var outside = new TempDirectory();
        using var dir = new TempDirectory();
        var f = outside.WriteFile("shared.py", "");
        var e = Assert.Throws<UvLambdaException>(() => LambdaSourceFile.Map(dir.Path, [(f, null)]));
        Assert.Contains("PackagePath", e.Message);
        Assert.Equal("shared.py", Assert.Single(LambdaSourceFile.Map(dir.Path, [(f, "shared.py")])).PackagePath);
    }

    [Fact]
    public void Executable_files_get_0755_others_0644()
    {
        if (OperatingSystem.IsWindows()) return;
        using var dir = new TempDirectory();
        var script = dir.WriteFile("run.sh", "#!/bin/sh\n");
        File.SetUnixFileMode(script, (UnixFileMode)0x1C0); // 0700: odd permissions still normalise to 0755
        var plain = dir.WriteFile("a.py", "");
        File.SetUnixFileMode(plain, (UnixFileMode)0x180); // 0600
        Assert.Equal(0x1ED, LambdaSourceFile.UnixModeOf(script));
        Assert.Equal(0x1A4, LambdaSourceFile.UnixModeOf(plain));
    }

    [Fact]
    public void Stamp_changes_with_the_execute_bit_an_older_write_time_or_the_length_but_not_when_nothing_changed()
    {
        if (OperatingSystem.IsWindows()) return; // modes are Unix's; on Windows every source ships 0644
        using var dir = new TempDirectory();
        var main = dir.WriteFile("app/main.py", "A = 1\n");
        var util = dir.WriteFile("app/util.py", "");
        string Stamp() => LambdaSourceFile.Stamp([main, util]);
        var first = Stamp();
        Assert.Equal(first, Stamp());

        var time = File.GetLastWriteTimeUtc(main);
        File.SetUnixFileMode(main, File.GetUnixFileMode(main) | UnixFileMode.UserExecute);
        Assert.Equal(time, File.GetLastWriteTimeUtc(main));
        var executable = Stamp();
        Assert.NotEqual(first, executable);

        File.SetLastWriteTimeUtc(main, time.AddDays(-3)); // cp -p of an older copy: older, never newer than the output
        var older = Stamp();
        Assert.NotEqual(executable, older);

        File.WriteAllText(main, "A = 12\n");
        File.SetLastWriteTimeUtc(main, time.AddDays(-3));
        Assert.NotEqual(older, Stamp());

        File.Delete(util);
        Assert.NotEqual(older, Stamp());
    }
}
