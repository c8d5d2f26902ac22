using Microsoft.Build.Framework;
using UvLambda.Core.Install;
using UvLambda.Core.Install.Fetching;
using UvLambda.Core.Install.Sources;
using UvLambda.Core.Locking;
using UvLambda.Core.Projects;
using UvLambda.Core.Processes;

namespace UvLambda.Build.Tasks;

/// <summary>
/// Installs the resolved packages for the Lambda platform into the site folder (like uv pip install --target),
/// incrementally. Resolution runs again here (two local files, milliseconds) rather than trusting item metadata, so
/// the installer sees exactly what Core resolved. Credentials come from the environment, never from parameters.
/// </summary>
public sealed class InstallPythonPackages : UvLambdaTask
{
    [Required] public string ProjectDirectory { get; set; } = "";
    [Required] public string PythonVersion { get; set; } = "";
    [Required] public string Architecture { get; set; } = "";
    public string? PythonPlatform { get; set; }
    public ITaskItem[]? Extras { get; set; }
    public ITaskItem[]? DependencyGroups { get; set; }
    [Required] public string SiteDirectory { get; set; } = "";
    [Required] public string StateFile { get; set; } = "";
    public string? CacheDirectory { get; set; }
    public string? FindLinks { get; set; }
    public bool Offline { get; set; }

    /// <summary>The most one wheel may unpack to (UVL2210): 262,144,000 for LambdaPackageType Zip/Layer, 10,737,418,240 for Image. 0: the Image limit.</summary>
    public long MaxUnpackedBytes { get; set; }

    /// <summary><c>native</c> (default, empty) or <c>uv</c>: delegate to <c>uv pip install</c>.</summary>
    public string? Installer { get; set; }

    /// <summary>The uv executable; empty: <c>uv</c> on PATH. Used to build packages that need a build, and by <c>Installer=uv</c>.</summary>
    public string? UvPath { get; set; }

    /// <summary>The lock to build from (uv.lock or a PEP 751 pylock file), relative to the project; empty: found as uv.lock, then pylock.toml.</summary>
    public string? PythonLockFile { get; set; }

    [Output] public bool Changed { get; private set; }

    /// <summary>The wheels and indexes in the content cache this install rests on, when every package was indexed;
    /// empty otherwise (then <see cref="Incremental"/> is false).</summary>
    [Output] public ITaskItem[] CacheFiles { get; private set; } = [];

    /// <summary>True when the next build may skip this step while its inputs and <see cref="CacheFiles"/> are unchanged.</summary>
    [Output] public bool Incremental { get; private set; }

    private protected override void ExecuteCore()
    {
        var resolution = ProjectResolver.Resolve(new ProjectResolutionRequest(
            ProjectDirectory, PythonVersion, Architecture, PythonPlatform,
            (Extras ?? []).Select(i => i.ItemSpec).ToList(), (DependencyGroups ?? []).Select(i => i.ItemSpec).ToList(), Locked: false, PythonLockFile: PythonLockFile), Core.Diagnostics.NullBuildLog.Instance);
        var settings = new ProjectInstallSettings(ProjectDirectory, SiteDirectory, StateFile, CacheDirectory, FindLinks, Offline, UvPath,
            Core.Processes.ProcessEnvironment.Current())
        {
            MaxUnpackedBytes = MaxUnpackedBytes > 0 ? MaxUnpackedBytes : Core.Install.Wheels.WheelInstaller.ImageUnpackedLimit,
            // Packaging reads wheels in place (copying their compressed entries): nothing is unpacked into the site folder.
            IndexWheels = true,
            Installer = Installer,
        };
        Changed = ProjectInstall.Run(resolution, settings, BuildLog, ProjectFile, CancellationToken).Changed;
        if (PackageInstaller.CacheFilesWhenAllIndexed(StateFile) is { } files && !string.Equals(Installer?.Trim(), "uv", StringComparison.OrdinalIgnoreCase))
        {
            CacheFiles = files.Select(f => (ITaskItem)new Microsoft.Build.Utilities.TaskItem(f)).ToArray();
            Incremental = true;
        }
    }
}
