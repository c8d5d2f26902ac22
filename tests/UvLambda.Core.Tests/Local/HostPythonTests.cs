using UvLambda.Core.Diagnostics;
using UvLambda.Core.Local;
using UvLambda.Core.Locking;
using UvLambda.Core.Environments;

namespace UvLambda.Core.Tests.Local;

public class HostPythonTests
{
    private sealed class RecordingLog : IBuildLog
    {
        public List<(string Code, string Message)> Warnings { get; } = [];
        public void Info(string message) { }
        public void Detail(string message) { }
        public void Warning(string code, string message, string? file = null, int line = 0, int column = 0) => Warnings.Add((code, message));
    }

    private static readonly HostPythonInfo Python3 = HostPythonLocator.Query("python3");
    private static string Python3Minor => string.Join('.', Python3.Version.Split('.').Take(2));

    [Fact]
    public void The_local_python3_reports_its_version_platform_and_glibc()
    {
        Assert.Matches(@"^3\.\d+\.\d+$", Python3.Version);
        Assert.Equal("cpython", Python3.Implementation);
        Assert.Equal("linux", Python3.SysPlatform);
        Assert.StartsWith("glibc 2.", Python3.Libc);
        var host = new HostPython("python3", Python3);
        var target = TargetEnvironment.ForHost(host);
        Assert.Equal(Python3Minor, target.PythonVersion);
        Assert.Equal(Python3.Machine, target.Markers.PlatformMachine);
        Assert.Contains(target.Tags.Tags, t => t.Platform == $"linux_{Python3.Machine}");
        Assert.StartsWith("host CPython", target.ToString());
    }

    [Theory]
    [InlineData("macOS", "not on glibc Linux")]
    [InlineData("musl", "not on glibc Linux")]
    [InlineData("PyPy", "not standard CPython (pypy)")]
    [InlineData("free-threaded", "free-threaded")]
    public void A_local_python_UvLambda_cannot_choose_wheels_for_is_UVL5004(string kind, string message)
    {
        var info = kind switch
        {
            "macOS" => Python3 with { SysPlatform = "darwin", Libc = null },
            "musl" => Python3 with { Libc = "musl 1.2" },
            "PyPy" => Python3 with { Implementation = "pypy" },
            _ => Python3 with { FreeThreaded = true },
        };
        var e = Assert.Throws<UvLambdaException>(() => TargetEnvironment.ForHost(new HostPython("python3", info)));
        Assert.Equal(ErrorCodes.LocalPythonUnsupported, e.Code);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void python3_for_another_version_is_used_with_a_warning_naming_both()
    {
        using var dir = new TempDirectory();
        var log = new RecordingLog();
        var env = new Dictionary<string, string?> { ["PATH"] = Environment.GetEnvironmentVariable("PATH"), ["HOME"] = dir.Path };
        var found = HostPythonLocator.Find(new HostPythonRequest(null, "3.99", null, dir.Path, dir.Combine("cache.json"), env), log);
        Assert.Equal(Python3.Version, found.Info.Version);
        var warning = Assert.Single(log.Warnings);
        Assert.Equal(ErrorCodes.LocalPythonVersionMismatch, warning.Code);
        Assert.Contains("3.99", warning.Message);
        Assert.Contains(Python3.Version, warning.Message);
        // The answer is cached by path and modification time.
        Assert.Contains(Python3.Version, File.ReadAllText(dir.Combine("cache.json")));
    }

    [Fact]
    public void The_matching_python3_X_needs_no_warning()
    {
        using var dir = new TempDirectory();
        var log = new RecordingLog();
        var found = HostPythonLocator.Find(new HostPythonRequest(null, Python3Minor, $">={Python3Minor}", dir.Path, null), log);
        Assert.Equal(Python3Minor, found.MinorVersion);
        Assert.Empty(log.Warnings);
    }

    [Fact]
    public void An_interpreter_requires_python_excludes_is_an_error()
    {
        using var dir = new TempDirectory();
        var e = Assert.Throws<UvLambdaException>(() =>
            HostPythonLocator.Find(new HostPythonRequest("python3", Python3Minor, ">=4.0", dir.Path, null), new RecordingLog()));
        Assert.Equal(ErrorCodes.LocalPythonExcluded, e.Code);
        Assert.Contains(">=4.0", e.Message);
    }

    [Fact]
    public void A_missing_LambdaLocalPython_or_no_python_at_all_is_an_error()
    {
        using var dir = new TempDirectory();
        Assert.Equal(ErrorCodes.LocalPythonNotFound, Assert.Throws<UvLambdaException>(() =>
            HostPythonLocator.Find(new HostPythonRequest("./no/such/python", "3.13", null, dir.Path, null), new RecordingLog())).Code);
        var empty = new Dictionary<string, string?> { ["PATH"] = dir.Path, ["HOME"] = dir.Path };
        Assert.Equal(ErrorCodes.LocalPythonNotFound, Assert.Throws<UvLambdaException>(() =>
            HostPythonLocator.Find(new HostPythonRequest(null, "3.13", null, dir.Path, null, empty), new RecordingLog())).Code);
    }
}
