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

    [Output] public ITaskItem[] Packages { get; private set; } = [];
    [Output] public string? ResolvedPythonVersion { get; private set; }
    [Output] public string? LockFile { get; private set; }
    [Output] public string? ResolvedPythonPlatform { get; private set; }

    private protected override void ExecuteCore()
    {
        var result = ProjectResolver.Resolve(new ProjectResolutionRequest(
            ProjectDirectory, PythonVersion, Architecture, PythonPlatform,
            (Extras ?? []).Select(i => i.ItemSpec).ToList(), (DependencyGroups ?? []).Select(i => i.ItemSpec).ToList(), Locked, PythonLockFile: PythonLockFile), BuildLog);
        ResolvedPythonVersion = result.PythonVersion;
        ResolvedPythonPlatform = result.Target.Platform.ToString();
        LockFile = result.LockPath;
        Packages = result.Packages.Select(ToItem).ToArray();
        BuildLog.Detail($"Resolved {Packages.Length} package(s) for {result.Target} (PythonVersion from {result.PythonVersionSource}).");
    }

    private static ITaskItem ToItem(ResolvedPackage p)
    {
        var item = new TaskItem(Core.Standards.PackageName.Normalize(p.Name));
        item.SetMetadata("Name", p.Name);
        item.SetMetadata("Version", p.Version ?? "");
        item.SetMetadata("Source", p.SourceName);
        item.SetMetadata("Wheel", p.Wheel?.Name ?? "");
        item.SetMetadata("Url", p.Wheel?.Url ?? (p.Wheel is null ? p.Locked.Source.Value : ""));
        item.SetMetadata("Sha256", p.Wheel?.Sha256 ?? "");
        item.SetMetadata("Size", p.Wheel?.Size?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "");
        item.SetMetadata("LocalPath", p.LocalPath ?? "");
        return item;
    }
}
