using System.Net;
using UvLambda.Core.Diagnostics;
using UvLambda.Core.Resilience;

namespace UvLambda.Core.Containers;

/// <summary>Knobs of the registry client; the defaults suit real registries, tests shorten the waits.</summary>
public sealed record RegistryClientOptions
{
    /// <summary>Hosts (host[:port]) reached over plain HTTP besides loopback ones: UVLAMBDA_INSECURE_REGISTRIES, comma-separated.</summary>
    public IReadOnlyCollection<string> InsecureRegistries { get; init; } = [];

    /// <summary>Upload blobs in PATCH chunks from the start instead of trying one monolithic PUT first.</summary>
    public bool ChunkedUpload { get; init; }

    /// <summary>Chunk size for chunked uploads; at least 5 MiB (ECR rejects smaller non-final chunks).</summary>
    public int ChunkSize { get; init; } = 16 << 20;

    public int Attempts { get; init; } = 4;
    public TimeSpan FirstRetryDelay { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(10);

    public const int MinimumChunkSize = 5 << 20;

    public static RegistryClientOptions FromEnvironment(IReadOnlyDictionary<string, string?> environment)
    {
        environment.TryGetValue("UVLAMBDA_INSECURE_REGISTRIES", out var insecure);
        environment.TryGetValue("UVLAMBDA_REGISTRY_CHUNKED_UPLOAD", out var chunked);
        environment.TryGetValue("UVLAMBDA_REGISTRY_CHUNK_SIZE", out var chunkSize);
        return new RegistryClientOptions
        {
            InsecureRegistries = (insecure ?? "").Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            ChunkedUpload = chunked is "1" or "true" or "True",
            ChunkSize = int.TryParse(chunkSize, out var size) ? Math.Max(size, MinimumChunkSize) : 16 << 20,
        };
    }
}

/// <summary>What a client did, for logs, tests and benchmarks.</summary>
public sealed class RegistryStats
{
    public int Requests;
    public int ManifestRequests;
    public int BlobRequests;
    public long UploadedBytes;
    public long DownloadedBytes;
    public int BlobsUploaded;
    public int BlobsMounted;
    public int BlobsSkipped;
}

/// <summary>
/// A client for one registry, per the OCI distribution spec: the façade the rest of the code uses over the parts in
/// <c>Containers/Registry/</c>, laid out like the .NET SDK's Microsoft.NET.Build.Containers Registry folder —
/// <see cref="RegistryAuthenticator"/> (WWW-Authenticate: Basic, or Bearer tokens from the realm),
/// <see cref="RegistryTransport"/> (requests under the shared retry policy), <see cref="ManifestOperations"/>,
/// <see cref="BlobOperations"/> and <see cref="BlobUploadOperations"/>. HTTPS, except loopback and explicitly insecure
/// registries. Never logs headers, tokens or credentials.
/// </summary>
public sealed class RegistryClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly RegistryAuthenticator _auth;
    private readonly ManifestOperations _manifests;
    private readonly BlobOperations _blobs;
    private readonly BlobUploadOperations _uploads;

    public RegistryClient(string registry, IRegistryCredentialProvider credentials, RegistryClientOptions? options = null,
        IBuildLog? log = null, HttpMessageHandler? handler = null)
    {
        Registry = registry;
        options ??= new RegistryClientOptions();
        _http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        _http.Timeout = options.Timeout;
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("UvLambda/0.1");
        var scheme = IsInsecure(registry, options.InsecureRegistries) ? "http" : "https";
        var apiHost = registry == ImageReference.DockerHubRegistry ? "registry-1.docker.io" : registry;
        BaseUri = new Uri($"{scheme}://{apiHost}/v2/");
        // Registries ask for long pauses when they throttle: a Retry-After up to 30 s is honoured.
        var retry = new RetryPolicy
        {
            MaxAttempts = Math.Max(1, options.Attempts), BaseDelay = options.FirstRetryDelay, MaxDelay = TimeSpan.FromSeconds(30), MaxRetryAfter = TimeSpan.FromSeconds(30),
        };
        _auth = new RegistryAuthenticator(registry, _http, credentials, retry, options.InsecureRegistries);
        var transport = new RegistryTransport(registry, BaseUri, _http, _auth, retry, Stats, log ?? NullBuildLog.Instance);
        _manifests = new ManifestOperations(transport);
        _blobs = new BlobOperations(transport);
        _uploads = new BlobUploadOperations(transport, _blobs, options);
    }

    public string Registry { get; }
    public Uri BaseUri { get; }
    public RegistryStats Stats { get; } = new();

    /// <summary>Plain HTTP only for loopback hosts and those listed as insecure.</summary>
    public static bool IsInsecure(string registry, IReadOnlyCollection<string> insecure)
    {
        if (insecure.Any(i => string.Equals(i, registry, StringComparison.OrdinalIgnoreCase))) return true;
        var host = registry;
        if (host.StartsWith('[')) host = host[1..host.IndexOf(']')];
        else if (host.LastIndexOf(':') is var c and > 0) host = host[..c];
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase)) return true;
        return IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip);
    }

    public static bool IsLoopbackOrInsecureUri(Uri uri, IReadOnlyCollection<string> insecure) =>
        IsInsecure(uri.IsDefaultPort ? uri.Host : $"{uri.Host}:{uri.Port}", insecure) || IsInsecure(uri.Host, insecure);

    internal static Dictionary<string, string> ParseChallenge(string parameter) => RegistryAuthenticator.ParseChallenge(parameter);

    // ---- manifests

    public sealed record Manifest(byte[] Content, string MediaType, string Digest);

    public Task<Manifest> GetManifestAsync(string repository, string reference, CancellationToken ct = default) =>
        _manifests.GetManifestAsync(repository, reference, ct);

    /// <summary>The digest a tag or digest currently names, or null when there is no such manifest.</summary>
    public Task<string?> HeadManifestAsync(string repository, string reference, CancellationToken ct = default) =>
        _manifests.HeadManifestAsync(repository, reference, ct);

    public Task<string> PutManifestAsync(string repository, string reference, byte[] content, string mediaType, CancellationToken ct = default) =>
        _manifests.PutManifestAsync(repository, reference, content, mediaType, ct);

    // ---- blobs

    public Task<bool> BlobExistsAsync(string repository, string digest, CancellationToken ct = default) =>
        _blobs.BlobExistsAsync(repository, digest, ct);

    /// <summary>Downloads a blob to <paramref name="destination"/>, checking its digest; returns its size.</summary>
    public Task<long> DownloadBlobAsync(string repository, string digest, string destination, CancellationToken ct = default) =>
        _blobs.DownloadBlobAsync(repository, digest, destination, ct);

    public Task<byte[]> GetBlobAsync(string repository, string digest, CancellationToken ct = default) =>
        _blobs.GetBlobAsync(repository, digest, ct);

    /// <summary>Asks the registry to link a blob from another repository of it; true when it did (201).</summary>
    public Task<bool> TryMountBlobAsync(string repository, string digest, string fromRepository, CancellationToken ct = default) =>
        _blobs.TryMountBlobAsync(repository, digest, fromRepository, ct);

    /// <summary>Uploads a blob: one PUT after the POST, or PATCH chunks (also the fallback when the PUT is refused).</summary>
    public Task UploadBlobAsync(string repository, string digest, long size, Func<Stream> open, CancellationToken ct = default) =>
        _uploads.UploadBlobAsync(repository, digest, size, open, ct);

    public void Dispose()
    {
        _http.Dispose();
        _auth.Dispose();
    }
}
