using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using UvLambda.Core.Locking;

namespace UvLambda.Build.Tasks;

/// <summary>
/// Resolves the packages that will ship from pyproject.toml + uv.lock for the Lambda target and returns them as
/// PythonPackage items. Reads two local files; no network, no install (IDEs run it at design time).
/// </summary>
public sealed class ResolvePythonPackages : UvLambdaTask
{
    [Required] public string ProjectDirectory { get; set; } = "";
    public string? PythonVersion { get; set; }
    [Required] public string Architecture { get; set; } = "";
    public string? PythonPlatform { get; set; }
    public ITaskItem[]? Extras { get; set; }
    public ITaskItem[]? DependencyGroups { get; set; }
    public bool Locked { get; set; }
    /// <summary>The lock to build from (uv.lock or a PEP 751 pylock file), relative to the project; empty: found as uv.lock, then pylock.toml.</summary>
    public string? PythonLockFile { get; set; }

    /// <summary>Where the result is remembered between builds (obj/); empty: resolve every time.</summary>
    public string? CacheFile { get; set; }

    [Output] public ITaskItem[] Packages { get; private set; } = [];
    [Output] public string? ResolvedPythonVersion { get; private set; }
    [Output] public string? LockFile { get; private set; }
    [Output] public string? ResolvedPythonPlatform { get; private set; }

    private protected override void ExecuteCore()
    {
        var result = ResolutionCache.Resolve(new ProjectResolutionRequest(
            ProjectDirectory, PythonVersion, Architecture, PythonPlatform,
            (Extras ?? []).Select(i => i.ItemSpec).ToList(), (DependencyGroups ?? []).Select(i => i.ItemSpec).ToList(), Locked, PythonLockFile: PythonLockFile),
            string.IsNullOrWhiteSpace(CacheFile) ? null : CacheFile, BuildLog);
        ResolvedPythonVersion = result.PythonVersion;
        ResolvedPythonPlatform = result.Platform;
        LockFile = result.LockPath;
        Packages = new ITaskItem[result.Packages.Count];
        for (var i = 0; i < Packages.Length; i++) Packages[i] = ToItem(result.Packages[i]);
        BuildLog.Detail($"Resolved {Packages.Length} package(s) for {result.Target} (PythonVersion from {result.PythonVersionSource}).");
    }

    private static ITaskItem ToItem(ResolvedPackageRow p)
    {
        var item = new TaskItem(p.Id);
        item.SetMetadata("Name", p.Name);
        item.SetMetadata("Version", p.Version);
        item.SetMetadata("Source", p.Source);
        item.SetMetadata("Wheel", p.Wheel);
        item.SetMetadata("Url", p.Url);
        item.SetMetadata("Sha256", p.Sha256);
        item.SetMetadata("Size", p.Size);
        item.SetMetadata("LocalPath", p.LocalPath);
        return item;
    }
}
