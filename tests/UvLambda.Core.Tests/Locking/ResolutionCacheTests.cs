using UvLambda.Core.Diagnostics;
using UvLambda.Core.Locking;

namespace UvLambda.Core.Tests.Locking;

/// <summary>
/// The resolution remembered in obj/: used only while every file resolution reads (or whose appearance would change
/// it) has the same stamps. To see which path ran, the lock is overwritten with garbage of the same size and write
/// time after the first resolution: a hit never reads it, a miss fails to parse it.
/// </summary>
public sealed class ResolutionCacheTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly string _project;
    private readonly string _cache;

    public ResolutionCacheTests()
    {
        _project = _temp.Combine("outer", "function");
        _cache = _temp.Combine("obj", "resolution.cache");
        Write(_project, "pyproject.toml", "[project]\nname = \"function\"\nversion = \"0.1.0\"\nrequires-python = \">=3.11\"\ndependencies = [\"six==1.16.0\"]\n");
        Write(_project, "uv.lock", new UvLockBuilder(">=3.11")
            .Root("function", configure: p => p.WithMetadata().DependsOn("six").Requires("six", specifier: "==1.16.0"))
            .Package("six", "1.16.0", p => p.PyPiWheel("six-1.16.0-py2.py3-none-any.whl", new string('a', 64), 11053))
            .ToToml());
    }

    public void Dispose() => _temp.Dispose();

    private static void Write(string dir, string name, string text)
    {
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, name), text);
    }

    private sealed class Log : IBuildLog
    {
        public List<string> Lines { get; } = [];
        public void Info(string message) => Lines.Add("I " + message);
        public void Detail(string message) => Lines.Add("D " + message);
        public void Warning(string code, string message, string? file = null, int line = 0, int column = 0) => Lines.Add($"W {code} {file}:{line} {message}");
    }

    private ProjectResolutionRequest Request => new(_project, "3.11", "x86_64", null, [], [], false);

    private ResolutionSummary Resolve(Log? log = null) => ResolutionCache.Resolve(Request, _cache, log ?? new Log());

    /// <summary>The lock's bytes replaced by same-length garbage, its write time put back: only a parse can tell.</summary>
    private void GarbleLockKeepingItsStamp()
    {
        var path = Path.Combine(_project, "uv.lock");
        var time = File.GetLastWriteTimeUtc(path);
        File.WriteAllText(path, new string('[', (int)new FileInfo(path).Length));
        File.SetLastWriteTimeUtc(path, time);
    }

    [Fact]
    public void With_unchanged_stamps_the_second_resolution_reads_the_cache_and_returns_the_same_packages()
    {
        var first = Resolve();
        Assert.True(File.Exists(_cache));
        Assert.Equal("six", Assert.Single(first.Packages).Id);
        GarbleLockKeepingItsStamp();

        var second = Resolve();
        Assert.Equal(first.PythonVersion, second.PythonVersion);
        Assert.Equal(first.Platform, second.Platform);
        Assert.Equal(first.LockPath, second.LockPath);
        Assert.Equal(first.Packages, second.Packages);
        // Without the cache the same call fails on the garbled lock: the hit above did not read it.
        Assert.ThrowsAny<Exception>(() => ResolutionCache.Resolve(Request, null, new Log()));
    }

    [Fact]
    public void A_hit_says_what_the_resolution_said_warnings_included()
    {
        // A stale lock: pyproject.toml asks for more than uv.lock records (UVL warning on every build, cached or not).
        Write(_project, "pyproject.toml", "[project]\nname = \"function\"\nversion = \"0.1.0\"\nrequires-python = \">=3.11\"\ndependencies = [\"six==1.16.0\", \"requests>=2\"]\n");
        var first = new Log();
        Resolve(first);
        var second = new Log();
        Resolve(second);
        Assert.Contains(first.Lines, l => l.StartsWith($"W {ErrorCodes.LockOutOfDate} ", StringComparison.Ordinal));
        Assert.Equal(first.Lines, second.Lines);
    }

    [Theory]
    [InlineData("uv.lock edited")]
    [InlineData("pyproject.toml appears in a folder above")]
    [InlineData("pylock.toml appears beside the project")]
    [InlineData(".python-version appears")]
    [InlineData("another request")]
    [InlineData("a truncated cache file")]
    public void A_change_to_what_resolution_reads_resolves_again(string change)
    {
        Resolve();
        GarbleLockKeepingItsStamp();
        var request = Request;
        switch (change)
        {
            case "uv.lock edited": File.SetLastWriteTimeUtc(Path.Combine(_project, "uv.lock"), DateTime.UtcNow.AddSeconds(5)); break;
            case "pyproject.toml appears in a folder above": Write(_temp.Combine("outer"), "pyproject.toml", "[project]\nname = \"outer\"\nversion = \"1\"\n"); break;
            case "pylock.toml appears beside the project": Write(_project, "pylock.toml", "lock-version = \"1.0\"\n"); break;
            case ".python-version appears": Write(_project, ".python-version", "3.12\n"); break;
            case "another request": request = request with { Architecture = "arm64" }; break;
            case "a truncated cache file": File.WriteAllLines(_cache, File.ReadAllLines(_cache)[..^1]); break;
        }
        Assert.ThrowsAny<Exception>(() => ResolutionCache.Resolve(request, _cache, new Log()));
    }

    [Fact]
    public void A_workspace_member_is_not_cached()
    {
        Write(_temp.Combine("outer"), "pyproject.toml", "[project]\nname = \"root\"\nversion = \"0.1.0\"\n[tool.uv.workspace]\nmembers = [\"function\"]\n");
        Write(_temp.Combine("outer"), "uv.lock", new UvLockBuilder(">=3.11").Members("function", "root")
            .Root("root")
            .Package("function", "0.1.0", p => p.Editable("function").DependsOn("six"))
            .Package("six", "1.16.0", p => p.PyPiWheel("six-1.16.0-py2.py3-none-any.whl", new string('a', 64), 11053))
            .ToToml());
        File.Delete(Path.Combine(_project, "uv.lock"));
        var summary = Resolve();
        Assert.Contains(summary.Packages, p => p.Id == "six");
        Assert.False(File.Exists(_cache));
    }
}
