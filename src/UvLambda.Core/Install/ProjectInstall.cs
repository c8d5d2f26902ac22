using UvLambda.Core.Diagnostics;
using UvLambda.Core.Install.Fetching;
using UvLambda.Core.Install.Sources;
using UvLambda.Core.Locking;
using UvLambda.Core.Projects;

namespace UvLambda.Core.Install;

/// <summary>Where and how one project's resolved packages are installed (the Lambda site, or the host site for local runs).</summary>
public sealed record ProjectInstallSettings(
    string ProjectDirectory,
    string SiteDirectory,
    string StateFile,
    string? CacheDirectory,
    string? FindLinks,
    bool Offline,
    string? UvPath,
    IReadOnlyDictionary<string, string?> Environment)
{
    /// <summary>The most one wheel may unpack to (UVL2210): Lambda's unzipped limit for the package type; local runs keep the largest, an image's.</summary>
    public long MaxUnpackedBytes { get; init; } = Wheels.WheelInstaller.ImageUnpackedLimit;

    /// <summary>Index wheels in the content cache instead of unpacking them (the Lambda install, which only packaging
    /// reads); false for the host site of local runs, which Python imports from.</summary>
    public bool IndexWheels { get; init; }

    /// <summary>UvLambdaInstaller: <c>native</c> (default, empty) or <c>uv</c> (delegate to <c>uv pip install</c>).</summary>
    public string? Installer { get; init; }
}

/// <summary>
/// Wires the native installer for a project: the content cache (UvLambdaCacheDir or the default), the project's
/// find-links folders and [[tool.uv.index]] entries, the fetcher and the uv wheel builder. The fetcher adds what the
/// environment says (UV_FIND_LINKS, UV_OFFLINE, UV_INDEX_URL, ...) itself.
/// </summary>
public static class ProjectInstall
{
    /// <summary>PythonFindLinks (;-separated, relative to the project) as full paths.</summary>
    public static IReadOnlyList<string> FindLinkFolders(string? findLinks, string projectDirectory) =>
        (findLinks ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => Path.GetFullPath(p, projectDirectory)).ToList();

    public static string CacheRoot(ProjectInstallSettings s) =>
        string.IsNullOrWhiteSpace(s.CacheDirectory) ? ContentCache.DefaultRoot(s.Environment) : s.CacheDirectory!;

    /// <summary>Installs with the installer the settings name: UvLambda's own, or `uv pip install` (UVL2406 for another name, UVL2407 without uv).</summary>
    public static InstallResult Run(ProjectResolution resolution, ProjectInstallSettings s, IBuildLog log, string? projectFile, CancellationToken cancellationToken = default)
    {
        var installer = string.IsNullOrWhiteSpace(s.Installer) ? "native" : s.Installer!.Trim().ToLowerInvariant();
        if (installer is not ("native" or "uv"))
            throw new UvLambdaException(ErrorCodes.InvalidInstaller,
                $"UvLambdaInstaller is '{s.Installer}'; valid values are 'native' (the default: UvLambda installs the wheels itself) and 'uv' (run `uv pip install`).", projectFile);
        if (installer == "native") return Native(resolution, s, log, cancellationToken);
        var uv = Processes.ExternalTool.Find("uv", s.Environment, s.UvPath)
            ?? throw new UvLambdaException(ErrorCodes.UvNotFound,
                string.IsNullOrWhiteSpace(s.UvPath)
                    ? "UvLambdaInstaller is 'uv', but `uv` is not on PATH. Install uv (https://docs.astral.sh/uv/getting-started/installation/), set UvPath to its executable, or remove UvLambdaInstaller to use the native installer."
                    : $"UvLambdaInstaller is 'uv', but UvPath '{s.UvPath}' is not a file. Point UvPath at the uv executable, or leave it empty to use uv from PATH.",
                projectFile);
        var requirements = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(s.StateFile))!, "requirements.txt");
        return new UvPipInstaller(uv, log) { FindLinks = FindLinkFolders(s.FindLinks, s.ProjectDirectory), Offline = s.Offline }
            .Install(resolution.Packages, s.SiteDirectory, s.StateFile, requirements, resolution.Target, cancellationToken);
    }

    public static InstallResult Native(ProjectResolution resolution, ProjectInstallSettings s, IBuildLog log, CancellationToken cancellationToken = default)
    {
        var cache = CacheRoot(s);
        var root = File.Exists(Path.Combine(s.ProjectDirectory, UvWorkspace.PyProjectFileName)) ? UvWorkspace.Discover(s.ProjectDirectory).Root : null;
        var indexes = (root?.Indexes ?? []).Select(i => new PackageIndex(i.Name, i.Url, i.Default)).ToList();
        // Made on first use: a build with nothing to fetch (every no-op) never loads the HTTP stack.
        using var fetcher = new LazyFetcher(() => new WheelFetcher(new FetchOptions(cache, FindLinkFolders(s.FindLinks, s.ProjectDirectory), s.Offline, indexes), log, environment: s.Environment));
        var builder = new UvWheelBuilder(cache, log, s.Environment, s.UvPath);
        var lockDirectory = resolution.LockPath is { } lockPath ? Path.GetDirectoryName(lockPath)! : s.ProjectDirectory;
        return new PackageInstaller(fetcher, log, builder) { MaxUnpackedBytes = s.MaxUnpackedBytes, IndexCacheRoot = s.IndexWheels ? cache : null, LockFile = resolution.LockPath }.Install(resolution.Packages, lockDirectory, s.SiteDirectory, s.StateFile, resolution.Target, cancellationToken);
    }
}

/// <summary>A fetcher created when first asked for something.</summary>
internal sealed class LazyFetcher(Func<WheelFetcher> create) : IWheelFetcher, IDisposable
{
    private WheelFetcher? _fetcher;

    public Task<IReadOnlyList<FetchedWheel>> FetchAsync(IReadOnlyList<WheelRequest> requests, CancellationToken cancellationToken) =>
        (_fetcher ??= create()).FetchAsync(requests, cancellationToken);

    public void Dispose() => _fetcher?.Dispose();
}
