using UvLambda.Core.FileSystem;
using UvLambda.Core.Install.Fetching;
using static UvLambda.Core.Tests.Install.Fetching.FetchTestBed;

namespace UvLambda.Core.Tests.Install.Fetching;

public sealed class ContentCacheTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Add_moves_a_verified_file_to_its_hash_path_and_TryGet_finds_it()
    {
        var cache = new ContentCache(_temp.Combine("cache"));
        var bytes = RandomWheel();
        var hash = Sha256(bytes);
        var source = _temp.Combine("demo.whl");
        File.WriteAllBytes(source, bytes);

        Assert.Null(cache.TryGet(hash));
        var path = cache.Add(source, hash.ToUpperInvariant());

        Assert.Equal(Path.Combine(cache.Root, "wheels", "sha256", hash[..2], hash), path);
        Assert.Equal(path, cache.TryGet(hash));
        Assert.Equal(bytes, File.ReadAllBytes(path));
    }

    [Fact]
    public void Add_refuses_a_file_whose_hash_differs()
    {
        var cache = new ContentCache(_temp.Combine("cache"));
        var source = _temp.Combine("demo.whl");
        File.WriteAllBytes(source, RandomWheel());

        Assert.Throws<InvalidDataException>(() => cache.Add(source, Sha256(RandomWheel())));
        Assert.False(Directory.Exists(Path.Combine(cache.Root, "wheels", "sha256")) && Directory.EnumerateFiles(Path.Combine(cache.Root, "wheels", "sha256"), "*", SearchOption.AllDirectories).Any());
    }

    [Fact]
    public void Adding_the_same_hash_twice_keeps_one_entry()
    {
        var cache = new ContentCache(_temp.Combine("cache"));
        var bytes = RandomWheel();
        var hash = Sha256(bytes);
        for (var i = 0; i < 2; i++)
        {
            var temp = cache.NewTempPath("demo.whl");
            File.WriteAllBytes(temp, bytes);
            cache.Add(temp, hash);
            Assert.False(File.Exists(temp));
        }

        Assert.Single(Directory.GetFiles(Path.Combine(cache.Root, "wheels", "sha256"), "*", SearchOption.AllDirectories));
    }

    [Fact]
    public void A_corrupted_entry_is_a_miss_and_is_removed()
    {
        var cache = new ContentCache(_temp.Combine("cache"));
        var bytes = RandomWheel();
        var hash = Sha256(bytes);
        var path = cache.PathFor(hash);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes[..10]);

        Assert.Null(cache.TryGet(hash));
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void Temp_paths_are_unique_and_inside_the_cache()
    {
        var cache = new ContentCache(_temp.Combine("cache"));
        var a = cache.NewTempPath("demo.whl");
        var b = cache.NewTempPath("demo.whl");

        Assert.NotEqual(a, b);
        Assert.Equal(cache.TempDirectory, Path.GetDirectoryName(a));
        Assert.Contains(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), Path.GetFileName(a));
    }

    [Fact]
    public void DefaultRoot_follows_the_platform_conventions()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Equal(Path.Combine(@"C:\Local", "uvlambda"), ContentCache.DefaultRoot(new Dictionary<string, string?> { ["LOCALAPPDATA"] = @"C:\Local" }));
            return;
        }
        Assert.Equal("/xdg/uvlambda", ContentCache.DefaultRoot(new Dictionary<string, string?> { ["XDG_CACHE_HOME"] = "/xdg", ["HOME"] = "/home/u" }));
        Assert.Equal("/home/u/.cache/uvlambda", ContentCache.DefaultRoot(new Dictionary<string, string?> { ["XDG_CACHE_HOME"] = "relative", ["HOME"] = "/home/u" }));
        Assert.Equal("/home/u/.cache/uvlambda", ContentCache.DefaultRoot(new Dictionary<string, string?> { ["HOME"] = "/home/u" }));
    }

    private static string TempName(string owner) => $"demo-1.0-py3-none-any.whl.{owner}.{Guid.NewGuid():N}.tmp";

    private static System.Diagnostics.Process Sleeper() =>
        System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("sleep", "60") { UseShellExecute = false })!;

    [Fact]
    public void The_temp_file_of_a_killed_download_is_swept_by_the_next_build_and_a_live_ones_is_kept()
    {
        if (OperatingSystem.IsWindows()) return; // needs `sleep` and kill -9 semantics
        var cache = new ContentCache(_temp.Combine("cache"));
        Directory.CreateDirectory(cache.TempDirectory);
        using var other = Sleeper();
        var theirs = Path.Combine(cache.TempDirectory, TempName(TempOwner.Token(other.Id)));
        var ours = Path.Combine(cache.TempDirectory, TempName(TempOwner.Current));
        File.WriteAllText(theirs, "half a wheel");
        File.WriteAllText(ours, "half a wheel");

        new ContentCache(cache.Root).SweepAbandonedTemps();
        Assert.True(File.Exists(theirs), "a running build's download was swept");
        Assert.True(File.Exists(ours));

        other.Kill(); // SIGKILL on Unix
        Assert.True(other.WaitForExit(10_000));
        new ContentCache(cache.Root).SweepAbandonedTemps();
        Assert.False(File.Exists(theirs));
        Assert.True(File.Exists(ours));
    }

    [Fact]
    public void A_temp_file_whose_pid_now_belongs_to_a_process_started_later_is_swept()
    {
        var cache = new ContentCache(_temp.Combine("cache"));
        Directory.CreateDirectory(cache.TempDirectory);
        // This process's PID with another start time: the owner died and its PID was reused (by us).
        var dot = TempOwner.Current.IndexOf('.');
        Assert.True(dot > 0, "the start time of this process could not be read: " + TempOwner.Current);
        var start = long.Parse(TempOwner.Current[(dot + 1)..]);
        var reused = Path.Combine(cache.TempDirectory, TempName($"{Environment.ProcessId}.{start - 5}"));
        var dead = Path.Combine(cache.TempDirectory, TempName($"{DeadPid()}.1"));
        File.WriteAllText(reused, "x");
        File.WriteAllText(dead, "x");

        cache.SweepAbandonedTemps();
        Assert.False(File.Exists(reused));
        Assert.False(File.Exists(dead));
    }

    [Fact]
    public void A_temp_file_named_as_by_an_earlier_version_goes_once_it_is_a_day_old()
    {
        var cache = new ContentCache(_temp.Combine("cache"));
        Directory.CreateDirectory(cache.TempDirectory);
        // The names downloads had before TempOwner's one format: not parsed, so only the age rule takes them.
        var fresh = Path.Combine(cache.TempDirectory, $"{DeadPid()}-{Guid.NewGuid():N}-demo.whl.part");
        var old = Path.Combine(cache.TempDirectory, $"{DeadPid()}.5-{Guid.NewGuid():N}-demo.whl.part");
        File.WriteAllText(fresh, "x");
        File.WriteAllText(old, "x");
        File.SetLastWriteTimeUtc(old, DateTime.UtcNow.AddHours(-25));

        cache.SweepAbandonedTemps();
        Assert.True(File.Exists(fresh));
        Assert.False(File.Exists(old));
    }

    [Fact]
    public void A_dead_owners_temp_file_still_locked_by_a_writer_is_kept_until_released()
    {
        if (OperatingSystem.IsWindows()) return; // the probe relies on .NET's flock for FileShare.None on Unix
        var cache = new ContentCache(_temp.Combine("cache"));
        Directory.CreateDirectory(cache.TempDirectory);
        var path = Path.Combine(cache.TempDirectory, TempName($"{DeadPid()}.1"));
        using (var writer = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None))
        {
            writer.WriteByte(1);
            new ContentCache(cache.Root).SweepAbandonedTemps();
            Assert.True(File.Exists(path), "a file locked by its writer was swept");
        }
        new ContentCache(cache.Root).SweepAbandonedTemps();
        Assert.False(File.Exists(path));
    }

    /// <summary>The PID of a process that has exited (and, in the moment, not been reused).</summary>
    private static int DeadPid()
    {
        using var p = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("true") { UseShellExecute = false })!;
        p.WaitForExit();
        return p.Id;
    }
}
