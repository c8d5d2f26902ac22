using UvLambda.Core.FileSystem;

namespace UvLambda.Core.Tests.FileSystem;

public class TempOwnerTests
{
    /// <summary>The PID of a process that has exited (and, in the moment, not been reused).</summary>
    internal static int DeadPid()
    {
        var start = OperatingSystem.IsWindows()
            ? new System.Diagnostics.ProcessStartInfo("cmd.exe", "/c exit 0") { UseShellExecute = false }
            : new System.Diagnostics.ProcessStartInfo("true") { UseShellExecute = false };
        using var p = System.Diagnostics.Process.Start(start)!;
        p.WaitForExit();
        return p.Id;
    }

    /// <summary>The owner token of a process that has certainly ended: a PID just freed, with a start time no process had.</summary>
    internal static string DeadOwner() => $"{DeadPid()}.1";

    /// <summary>This process's PID with an earlier start time: the owner died and its PID was reused (by us).</summary>
    internal static string ReusedOwner()
    {
        var dot = TempOwner.Current.IndexOf('.');
        var start = long.Parse(TempOwner.Current[(dot + 1)..]);
        Assert.True(start > 5, "the start time of this process could not be read: " + TempOwner.Current);
        return $"{Environment.ProcessId}.{start - 5}";
    }

    internal static string Name(string prefix, string owner) => $"{prefix}.{owner}.{Guid.NewGuid():N}.tmp";

    [Fact]
    public void A_temp_name_parses_back_to_its_prefix_and_this_process_whatever_dots_the_prefix_holds()
    {
        using var dir = new TempDirectory();
        foreach (var prefix in new[] { ".install-state.json", "demo-1.0-py3-none-any.whl", "build", ".uvlambda-wheel", "" })
        {
            var file = TempOwner.TempFile(dir.Path, prefix);
            var folder = TempOwner.TempDirectory(dir.Path, prefix);
            Assert.Equal(dir.Path, Path.GetDirectoryName(file));
            Assert.NotEqual(file, folder);
            foreach (var name in new[] { Path.GetFileName(file), Path.GetFileName(folder) })
            {
                Assert.True(TempOwner.TryParse(name, out var p, out var pid, out var start), name);
                Assert.Equal(prefix, p);
                Assert.Equal(Environment.ProcessId, pid);
                Assert.Equal(TempOwner.Current, $"{pid}.{start}");
            }
        }
        Assert.False(File.Exists(TempOwner.TempFile(dir.Path, "x")) || Directory.EnumerateFileSystemEntries(dir.Path).Any(), "naming a temp created something");
    }

    [Theory]
    [InlineData("package.zip")]
    [InlineData("notes.tmp")]
    [InlineData(".p.zip.123.0123456789abcdef0123456789abcdef.tmp")] // one owner field: earlier versions' PID-only name
    [InlineData(".p.zip.x.5.0123456789abcdef0123456789abcdef.tmp")]
    [InlineData(".p.zip.0.5.0123456789abcdef0123456789abcdef.tmp")] // PID 0 is no process
    [InlineData(".p.zip.12.5.0123456789abcdef0123456789abcde.tmp")] // guid one digit short
    [InlineData(".p.zip.12.5.0123456789abcdef0123456789abcdeg.tmp")]
    [InlineData("123.5-0123456789abcdef0123456789abcdef-demo.whl.part")]
    public void Names_of_another_shape_are_not_temps(string name) =>
        Assert.False(TempOwner.TryParse(name, out _, out _, out _));

    [Fact]
    public void DeleteAbandoned_removes_the_files_and_folders_of_ended_owners_and_keeps_live_ones_and_other_files()
    {
        if (OperatingSystem.IsWindows()) return; // ReusedOwner needs the start time /proc or ps gives
        using var dir = new TempDirectory();
        var deadFile = dir.WriteFile(Name(".a.json", DeadOwner()), "half");
        var reusedFile = dir.WriteFile(Name(".b.json", ReusedOwner()), "half");
        var deadFolder = dir.Combine(Name("build", DeadOwner()));
        Directory.CreateDirectory(Path.Combine(deadFolder, "out"));
        File.WriteAllText(Path.Combine(deadFolder, "out", "x.whl"), "x");
        var liveFile = dir.WriteFile(Name(".a.json", TempOwner.Current), "being written");
        var liveFolder = Directory.CreateDirectory(TempOwner.TempDirectory(dir.Path, "build")).FullName;
        var user = dir.WriteFile("notes.tmp", "not ours");
        var legacy = dir.WriteFile($".a.json.{DeadPid()}.{Guid.NewGuid():N}.tmp", "an earlier version's name");

        Assert.Equal(3, TempOwner.DeleteAbandoned(dir.Path));

        Assert.False(File.Exists(deadFile));
        Assert.False(File.Exists(reusedFile));
        Assert.False(Directory.Exists(deadFolder));
        Assert.True(File.Exists(liveFile));
        Assert.True(Directory.Exists(liveFolder));
        Assert.True(File.Exists(user));
        Assert.True(File.Exists(legacy));
    }

    [Fact]
    public void DeleteAbandoned_with_a_prefix_leaves_other_prefixes_alone()
    {
        using var dir = new TempDirectory();
        var mine = dir.WriteFile(Name(".layer", DeadOwner()), "half a layer");
        var other = dir.WriteFile(Name(".layer.extra", DeadOwner()), "another output's");
        Assert.Equal(1, TempOwner.DeleteAbandoned(dir.Path, ".layer"));
        Assert.False(File.Exists(mine));
        Assert.True(File.Exists(other));
    }

    [Fact]
    public void A_dead_owners_file_a_writer_still_holds_locked_is_kept()
    {
        if (OperatingSystem.IsWindows()) return; // the probe relies on .NET's flock for FileShare.None on Unix
        using var dir = new TempDirectory();
        var path = dir.Combine(Name(".a.json", DeadOwner()));
        using (var writer = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None))
        {
            writer.WriteByte(1);
            Assert.Equal(0, TempOwner.DeleteAbandoned(dir.Path));
            Assert.True(File.Exists(path), "a file locked by its writer was swept");
        }
        Assert.Equal(1, TempOwner.DeleteAbandoned(dir.Path));
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void With_staleAfter_anything_older_goes_whatever_its_name_and_owner_but_not_while_locked()
    {
        if (OperatingSystem.IsWindows()) return;
        using var dir = new TempDirectory();
        var old = DateTime.UtcNow.AddHours(-25);
        var oldLive = dir.WriteFile(Name("x.whl", TempOwner.Current), "a dead writer whose PID a live process has here");
        var oldLegacy = dir.WriteFile($"{Environment.ProcessId}-{Guid.NewGuid():N}-x.whl.part", "an earlier version's name");
        var oldFolder = Directory.CreateDirectory(dir.Combine("123.4-" + Guid.NewGuid().ToString("N"))).FullName;
        var oldLocked = dir.WriteFile(Name("y.whl", TempOwner.Current), "still written");
        var fresh = dir.WriteFile($"{Environment.ProcessId}-{Guid.NewGuid():N}-z.whl.part", "fresh");
        foreach (var f in new[] { oldLive, oldLegacy, oldLocked }) File.SetLastWriteTimeUtc(f, old);
        Directory.SetLastWriteTimeUtc(oldFolder, old);

        using (new FileStream(oldLocked, FileMode.Open, FileAccess.Write, FileShare.None))
            Assert.Equal(3, TempOwner.DeleteAbandoned(dir.Path, staleAfter: TempOwner.SharedCacheStaleAge));

        Assert.False(File.Exists(oldLive));
        Assert.False(File.Exists(oldLegacy));
        Assert.False(Directory.Exists(oldFolder));
        Assert.True(File.Exists(oldLocked));
        Assert.True(File.Exists(fresh));
    }

    // ---- AtomicFile (obj/: install-state.json, resolution.cache, size report, …) ----

    [Fact]
    public void An_atomic_write_removes_what_killed_builds_left_in_its_folder_and_keeps_a_live_builds()
    {
        if (OperatingSystem.IsWindows()) return;
        using var dir = new TempDirectory();
        var obj = dir.Combine("obj", "uvlambda");
        Directory.CreateDirectory(obj);
        // Killed while writing the install state, and (a reused PID) the resolution cache; a concurrent build writing the size report.
        var deadState = dir.WriteFile(Path.Combine("obj", "uvlambda", Name(".install-state.json", DeadOwner())), "{ half");
        var reusedCache = dir.WriteFile(Path.Combine("obj", "uvlambda", Name(".resolution.cache", ReusedOwner())), "half");
        var liveReport = dir.WriteFile(Path.Combine("obj", "uvlambda", Name(".size-report.txt", TempOwner.Current)), "being written");

        AtomicFile.WriteAllText(Path.Combine(obj, "install-state.json"), "{}");

        Assert.False(File.Exists(deadState));
        Assert.False(File.Exists(reusedCache));
        Assert.True(File.Exists(liveReport));
        string[] expected = ["install-state.json", Path.GetFileName(liveReport)];
        Assert.Equal(expected.Order(StringComparer.Ordinal), Directory.EnumerateFileSystemEntries(obj).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Atomic_writes_in_a_row_list_their_folder_once_not_once_per_write()
    {
        using var dir = new TempDirectory();
        AtomicFile.WriteAllText(dir.Combine("install-state.json"), "1");
        // Left after this process swept the folder: the next writes within the interval do not list it again.
        var dead = dir.WriteFile(Name(".install-state.json", DeadOwner()), "half");
        for (int i = 0; i < 5; i++) AtomicFile.WriteAllText(dir.Combine("install-state.json"), i.ToString());
        Assert.True(File.Exists(dead), "a write listed the folder again within the sweep interval");
        Assert.Equal("4", File.ReadAllText(dir.Combine("install-state.json")));
        // Another folder is swept on its first write.
        var elsewhere = dir.WriteFile(Path.Combine("other", Name(".x", DeadOwner())), "half");
        AtomicFile.WriteAllText(dir.Combine("other", "x"), "x");
        Assert.False(File.Exists(elsewhere));
    }
}
