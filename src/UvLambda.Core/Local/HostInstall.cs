using UvLambda.Core.Diagnostics;
using UvLambda.Core.Install;
using UvLambda.Core.Locking;
using UvLambda.Core.Processes;
using UvLambda.Core.Environments;

namespace UvLambda.Core.Local;

/// <summary>
/// How the locked dependencies are installed for the local Python (the host site). PrepareLocalRun saves these
/// settings in local-run.json, so `dotnet run` redoes the same install when uv.lock or pyproject.toml changes
/// without a new build.
/// </summary>
public sealed record HostInstallSettings
{
    public string ProjectDirectory { get; init; } = "";
    public string PythonVersion { get; init; } = "";
    public string Architecture { get; init; } = "";
    public List<string> Extras { get; init; } = [];
    public List<string> Groups { get; init; } = [];
    public string StateFile { get; init; } = "";
    public string? CacheDirectory { get; init; }
    public string? FindLinks { get; init; }
    public bool Offline { get; init; }
    public string? UvPath { get; init; }
    /// <summary>PythonLockFile: an explicit lock file (uv.lock or a PEP 751 pylock.toml), else found as uv finds it.</summary>
    public string? PythonLockFile { get; init; }

    /// <summary>The uv.lock the install resolved (it may be a workspace's, above the project): watched by `dotnet run`.</summary>
    public string? LockFile { get; init; }
}

public static class HostInstall
{
    /// <summary>Resolves the lock for <paramref name="python"/>'s own tags and installs into <paramref name="siteDirectory"/>, incrementally; returns the lock's path.</summary>
    public static string? Run(HostInstallSettings s, HostPython python, string siteDirectory, IReadOnlyDictionary<string, string?> environment, IBuildLog log,
        CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var resolution = ProjectResolver.Resolve(new ProjectResolutionRequest(
            s.ProjectDirectory, s.PythonVersion, s.Architecture, null, s.Extras, s.Groups, Locked: false,
            Target: TargetEnvironment.ForHost(python), PythonLockFile: s.PythonLockFile), NullBuildLog.Instance);
        cancellationToken.ThrowIfCancellationRequested();
        ProjectInstall.Native(resolution, new ProjectInstallSettings(s.ProjectDirectory, siteDirectory, s.StateFile, s.CacheDirectory, s.FindLinks, s.Offline, s.UvPath, environment), log, cancellationToken);
        Directory.CreateDirectory(siteDirectory);
        return resolution.LockPath;
    }

    /// <summary>The install again for a running local function (its interpreter is already known).</summary>
    public static void Rerun(LocalFunction function, IBuildLog log)
    {
        var s = function.Install ?? throw new UvLambdaException(ErrorCodes.InvalidLocalRunSetting,
            "local-run.json has no install settings. Build the project again.");
        var environment = ProcessEnvironment.Current();
        var python = HostPythonLocator.Find(new HostPythonRequest(function.Python, s.PythonVersion, null, s.ProjectDirectory,
            Path.Combine(Path.GetDirectoryName(function.WorkerScript)!, "host-python.json"), environment), NullBuildLog.Instance);
        Run(s, python, function.SiteDirectory, environment, log);
    }
}
