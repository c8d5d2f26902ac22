using UvLambda.Core.Locking;

namespace UvLambda.Core.Install.Fetching;

/// <summary>One wheel to get, as uv.lock records it.</summary>
/// <param name="PackageName">The package's name, for messages.</param>
/// <param name="FileName">The wheel's file name; find-links folders and index pages are searched for it.</param>
/// <param name="Url">The URL uv.lock records (<c>http(s)</c> or <c>file</c>), or null when it records none.</param>
/// <param name="Sha256">Lowercase or uppercase hex; every file is checked against it.</param>
/// <param name="Size">The size uv.lock records, checked when present.</param>
/// <param name="RegistryUrl">The package's <c>source = { registry = "…" }</c>, used to pick the index and its credentials.</param>
public sealed record WheelRequest(string PackageName, string Version, string FileName, string? Url, string Sha256, long? Size, string? RegistryUrl)
{
    /// <summary>The lock and the line of the package's entry, where errors about the locked file point (null, 0: unknown).</summary>
    public string? LockFile { get; init; }
    public int LockLine { get; init; }

    /// <summary>
    /// The request for a resolved package's wheel, or null when it has none to download (local sources, sdist-only,
    /// no hash). A wheel of a local registry (<c>registry = "wheels"</c>, files by <c>path</c>) becomes a <c>file://</c>
    /// URL under the lock's folder, and so does a local wheel file (<c>source = { path = "….whl" }</c>).
    /// </summary>
    public static WheelRequest? For(ResolvedPackage package, string lockDirectory)
    {
        if (package.Wheel is not { Sha256: { } sha256 } wheel || package.Version is null)
            return null;
        var registry = package.Locked.Source.Kind == LockSourceKind.Registry ? package.Locked.Source.Value : null;
        var url = wheel.Url;
        // A local wheel file (source = { path = "wheels/x-1.0-py3-none-any.whl" }, wheels = [{ filename, hash }]):
        // the file is the source itself, relative to the lock's folder; it is hashed like any registry wheel.
        if (url is null && wheel.Path is null && package.Locked.Source.Kind == LockSourceKind.Path
            && package.Locked.Source.Value.EndsWith(".whl", StringComparison.OrdinalIgnoreCase))
            url = new Uri(Path.GetFullPath(Path.Combine(lockDirectory, package.Locked.Source.Value))).AbsoluteUri;
        else if (url is null && wheel.Path is { } path)
        {
            var remote = registry is not null && (registry.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || registry.StartsWith("https://", StringComparison.OrdinalIgnoreCase));
            var folder = registry is not null && !remote ? Path.Combine(lockDirectory, registry) : lockDirectory;
            url = new Uri(Path.GetFullPath(Path.Combine(folder, path))).AbsoluteUri;
        }
        return new WheelRequest(package.Name, package.Version, wheel.Name, url, sha256, wheel.Size, registry);
    }

    /// <summary>
    /// The request for a resolved package's sdist (to build it), or null when the lock records none with a hash. The
    /// fetcher treats it like a wheel: found by file name in find-links and on index pages, verified by sha256.
    /// A <c>url</c> source's sdist may record no URL of its own: the source's URL is the file's.
    /// </summary>
    public static WheelRequest? ForSdist(ResolvedPackage package, string lockDirectory)
    {
        if (package.Sdist is not { Sha256: { } sha256 } sdist || package.Version is null)
            return null;
        var registry = package.Locked.Source.Kind == LockSourceKind.Registry ? package.Locked.Source.Value : null;
        var url = sdist.Url ?? (package.Locked.Source.Kind == LockSourceKind.Url ? package.Locked.Source.Value : null);
        if (url is null && sdist.Path is { } path)
        {
            var remote = registry is not null && (registry.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || registry.StartsWith("https://", StringComparison.OrdinalIgnoreCase));
            var folder = registry is not null && !remote ? Path.Combine(lockDirectory, registry) : lockDirectory;
            url = new Uri(Path.GetFullPath(Path.Combine(folder, path))).AbsoluteUri;
        }
        if (url is null && package.LocalPath is { } local && File.Exists(local))
            url = new Uri(local).AbsoluteUri;
        var name = sdist.FileName is not null || sdist.Url is not null || sdist.Path is not null ? sdist.Name : new LockedFile(url, null, null, null, null).Name;
        return new WheelRequest(package.Name, package.Version, name, url, sha256, sdist.Size, registry);
    }
}

/// <summary>
/// A package index: a <c>[[tool.uv.index]]</c> entry (Name set) or the <c>UV_INDEX_URL</c>/<c>UV_DEFAULT_INDEX</c>
/// override (no name, default). <see cref="Url"/> may carry <c>user:password@</c> credentials.
/// </summary>
public sealed record PackageIndex(string? Name, string Url, bool IsDefault);

/// <summary>
/// What the project says about getting wheels. The fetcher adds what the environment says on top:
/// <c>UV_FIND_LINKS</c> (comma-separated), <c>UV_OFFLINE</c>, <c>UV_DEFAULT_INDEX</c>/<c>UV_INDEX_URL</c>,
/// <c>UV_INDEX</c> (space-separated <c>[name=]url</c>) and <c>UV_INDEX_&lt;NAME&gt;_USERNAME</c>/<c>_PASSWORD</c>.
/// </summary>
/// <param name="CacheDirectory">The <see cref="ContentCache"/> root.</param>
/// <param name="FindLinks">Absolute folders holding wheels (the <c>PythonFindLinks</c> property), searched before any network.</param>
public sealed record FetchOptions(string CacheDirectory, IReadOnlyList<string> FindLinks, bool Offline, IReadOnlyList<PackageIndex> Indexes, int MaxParallelDownloads = 4)
{
    /// <summary>How long to wait for a connection, the response headers, or the next bytes of a body (<c>UV_HTTP_TIMEOUT</c> overrides it).</summary>
    public TimeSpan NetworkTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Attempts per download for transient failures (5xx, 429, timeouts, resets, truncation).</summary>
    public int Attempts { get; init; } = 3;

    /// <summary>The first backoff; it doubles per retry.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(0.5);

    /// <summary>How often a running download reports progress (packages and bytes done); a shorter one prints none.</summary>
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromSeconds(2);
}

/// <summary>A wheel in the cache, verified against its request's hash and size.</summary>
public sealed record FetchedWheel(WheelRequest Request, string CachedPath);

public interface IWheelFetcher
{
    /// <summary>Every requested wheel, in request order, or a <see cref="Diagnostics.UvLambdaException"/>.</summary>
    Task<IReadOnlyList<FetchedWheel>> FetchAsync(IReadOnlyList<WheelRequest> requests, CancellationToken cancellationToken);
}
