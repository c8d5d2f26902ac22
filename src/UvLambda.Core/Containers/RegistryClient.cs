using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
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
/// A client for one registry, per the OCI distribution spec: manifests GET/HEAD/PUT, blobs HEAD/GET, cross-repository
/// mounts, uploads (POST, then one PUT, or PATCH chunks with Content-Range), retries with backoff on 429/5xx and
/// network errors. Auth follows WWW-Authenticate: Basic, or Bearer tokens from the realm (anonymous when there are
/// no credentials, as public.ecr.aws wants). HTTPS, except loopback and explicitly insecure registries.
/// Never logs headers, tokens or credentials.
/// </summary>
public sealed class RegistryClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly IRegistryCredentialProvider _credentials;
    private readonly RegistryClientOptions _options;
    private readonly IBuildLog _log;
    private readonly RetryPolicy _retry;
    private readonly Dictionary<string, AuthenticationHeaderValue> _tokens = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _authLock = new(1, 1);
    private AuthenticationHeaderValue? _basic;
    private bool _credentialLoaded;
    private RegistryCredential? _credential;

    public RegistryClient(string registry, IRegistryCredentialProvider credentials, RegistryClientOptions? options = null,
        IBuildLog? log = null, HttpMessageHandler? handler = null)
    {
        Registry = registry;
        _credentials = credentials;
        _options = options ?? new RegistryClientOptions();
        _log = log ?? NullBuildLog.Instance;
        // Registries ask for long pauses when they throttle: a Retry-After up to 30 s is honoured.
        _retry = new RetryPolicy
        {
            MaxAttempts = Math.Max(1, _options.Attempts), BaseDelay = _options.FirstRetryDelay, MaxDelay = TimeSpan.FromSeconds(30), MaxRetryAfter = TimeSpan.FromSeconds(30),
        };
        _http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        _http.Timeout = _options.Timeout;
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("UvLambda/0.1");
        var scheme = IsInsecure(registry, _options.InsecureRegistries) ? "http" : "https";
        var apiHost = registry == ImageReference.DockerHubRegistry ? "registry-1.docker.io" : registry;
        BaseUri = new Uri($"{scheme}://{apiHost}/v2/");
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

    // ---- manifests

    public sealed record Manifest(byte[] Content, string MediaType, string Digest);

    public async Task<Manifest> GetManifestAsync(string repository, string reference, CancellationToken ct = default)
    {
        using var response = await SendAsync(() =>
        {
            var r = new HttpRequestMessage(HttpMethod.Get, new Uri(BaseUri, $"{repository}/manifests/{reference}"));
            foreach (var m in MediaTypes.AllManifests) r.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(m));
            return r;
        }, Pull(repository), ct, manifest: true).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
            throw new UvLambdaException(ErrorCodes.ImageNotFound, $"{Registry}/{repository}:{reference} was not found (404). Check the image reference and that it was pushed.");
        await EnsureSuccess(response, $"GET manifest {repository}:{reference}").ConfigureAwait(false);
        var content = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
        var digest = Digests.Of(content);
        if (reference.StartsWith("sha256:", StringComparison.Ordinal) && digest != reference)
            throw new UvLambdaException(ErrorCodes.BlobDigestMismatch, $"The manifest {Registry}/{repository}@{reference} hashes to {digest}.");
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        if (mediaType is null or "application/json" or "text/plain")
            mediaType = MediaTypeOf(content, $"{Registry}/{repository}:{reference}");
        if (mediaType is null || !(MediaTypes.IsIndex(mediaType) || MediaTypes.IsManifest(mediaType)))
            throw new UvLambdaException(ErrorCodes.UnsupportedImageMediaType,
                $"{Registry}/{repository}:{reference} is a '{mediaType ?? "(no media type)"}', not a Docker v2 schema 2 or OCI manifest or index.");
        return new Manifest(content, mediaType, digest);
    }

    // A manifest served without a usable Content-Type names its media type inside; garbage there is the registry's fault.
    private static string? MediaTypeOf(byte[] content, string what)
    {
        try
        {
            using var document = JsonDocument.Parse(content);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("mediaType", out var mt) ? mt.GetString() : null;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new UvLambdaException(ErrorCodes.InvalidImageDocument,
                $"The manifest {what} is not valid JSON: {e.Message.TrimEnd('.')}. Check the image reference and the registry (or mirror) serving it.", inner: e);
        }
    }

    /// <summary>The digest a tag or digest currently names, or null when there is no such manifest.</summary>
    public async Task<string?> HeadManifestAsync(string repository, string reference, CancellationToken ct = default)
    {
        using var response = await SendAsync(() =>
        {
            var r = new HttpRequestMessage(HttpMethod.Head, new Uri(BaseUri, $"{repository}/manifests/{reference}"));
            foreach (var m in MediaTypes.AllManifests) r.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(m));
            return r;
        }, Push(repository), ct, manifest: true).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        await EnsureSuccess(response, $"HEAD manifest {repository}:{reference}").ConfigureAwait(false);
        return response.Headers.TryGetValues("Docker-Content-Digest", out var values) ? values.FirstOrDefault() : null;
    }

    public async Task<string> PutManifestAsync(string repository, string reference, byte[] content, string mediaType, CancellationToken ct = default)
    {
        using var response = await SendAsync(() =>
        {
            var body = new ByteArrayContent(content);
            body.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
            return new HttpRequestMessage(HttpMethod.Put, new Uri(BaseUri, $"{repository}/manifests/{reference}")) { Content = body };
        }, Push(repository), ct, manifest: true).ConfigureAwait(false);
        await EnsureSuccess(response, $"PUT manifest {repository}:{reference}").ConfigureAwait(false);
        return Digests.Of(content);
    }

    // ---- blobs

    public async Task<bool> BlobExistsAsync(string repository, string digest, CancellationToken ct = default)
    {
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Head, new Uri(BaseUri, $"{repository}/blobs/{digest}")),
            Push(repository), ct).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound) return false;
        await EnsureSuccess(response, $"HEAD blob {repository}@{digest}").ConfigureAwait(false);
        return true;
    }

    /// <summary>Downloads a blob to <paramref name="destination"/>, checking its digest; returns its size.</summary>
    public Task<long> DownloadBlobAsync(string repository, string digest, string destination, CancellationToken ct = default) =>
        // A body cut short is fetched again whole (GET is idempotent); the file is rewritten from the start.
        _retry.ExecuteAsync(async (_, token) =>
            {
                using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, new Uri(BaseUri, $"{repository}/blobs/{digest}")),
                    Pull(repository), token, streamed: true).ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.NotFound)
                    throw new UvLambdaException(ErrorCodes.ImageNotFound, $"The blob {digest} of {Registry}/{repository} was not found (404).");
                await EnsureSuccess(response, $"GET blob {repository}@{digest}").ConfigureAwait(false);
                await using var body = await response.Content.ReadAsStreamAsync(token).ConfigureAwait(false);
                await using var file = new FileStream(destination, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
                using var hashing = new HashingStream(file);
                await body.CopyToAsync(hashing, 1 << 16, token).ConfigureAwait(false);
                var actual = hashing.Digest();
                Interlocked.Add(ref Stats.DownloadedBytes, hashing.Length);
                if (actual != digest)
                    throw new UvLambdaException(ErrorCodes.BlobDigestMismatch, $"The blob {digest} of {Registry}/{repository} downloaded as {actual}; it was discarded.");
                return hashing.Length;
            },
            e => e is IOException or HttpRequestException ? RetryDecision.Unknown() : RetryDecision.Permanent, ct,
            // A body cut short (or a full disk) on the last attempt: coded, not a stack trace.
            exhausted: (e, attempts) => new UvLambdaException(ErrorCodes.RegistryRequestFailed,
                $"Downloading the blob {digest} of {Registry}/{repository} failed after {attempts} attempts: {e.Message}", inner: e));

    public async Task<byte[]> GetBlobAsync(string repository, string digest, CancellationToken ct = default)
    {
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, new Uri(BaseUri, $"{repository}/blobs/{digest}")),
            Pull(repository), ct).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
            throw new UvLambdaException(ErrorCodes.ImageNotFound, $"The blob {digest} of {Registry}/{repository} was not found (404).");
        await EnsureSuccess(response, $"GET blob {repository}@{digest}").ConfigureAwait(false);
        var content = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
        Interlocked.Add(ref Stats.DownloadedBytes, content.Length);
        if (Digests.Of(content) != digest)
            throw new UvLambdaException(ErrorCodes.BlobDigestMismatch, $"The blob {digest} of {Registry}/{repository} hashes to {Digests.Of(content)}; it was discarded.");
        return content;
    }

    /// <summary>Asks the registry to link a blob from another repository of it; true when it did (201).</summary>
    public async Task<bool> TryMountBlobAsync(string repository, string digest, string fromRepository, CancellationToken ct = default)
    {
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Post,
                new Uri(BaseUri, $"{repository}/blobs/uploads/?mount={Uri.EscapeDataString(digest)}&from={Uri.EscapeDataString(fromRepository)}")),
            [$"repository:{repository}:pull,push", $"repository:{fromRepository}:pull"], ct).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.Created)
        {
            Interlocked.Increment(ref Stats.BlobsMounted);
            return true;
        }
        if (response.StatusCode == HttpStatusCode.Accepted && response.Headers.Location is { } location)
            await CancelUpload(Resolve(response, location), repository, ct).ConfigureAwait(false);
        return false;
    }

    /// <summary>Uploads a blob: one PUT after the POST, or PATCH chunks (also the fallback when the PUT is refused).</summary>
    public async Task UploadBlobAsync(string repository, string digest, long size, Func<Stream> open, CancellationToken ct = default)
    {
        if (!_options.ChunkedUpload)
        {
            var location = await StartUpload(repository, ct).ConfigureAwait(false);
            using var response = await SendAsync(() =>
            {
                var content = new StreamContent(open(), 1 << 16);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
                content.Headers.ContentLength = size;
                return new HttpRequestMessage(HttpMethod.Put, WithDigest(location, digest)) { Content = content };
            }, Push(repository), ct).ConfigureAwait(false);
            if (response.StatusCode is HttpStatusCode.Created or HttpStatusCode.NoContent or HttpStatusCode.OK)
            {
                Interlocked.Add(ref Stats.UploadedBytes, size);
                Interlocked.Increment(ref Stats.BlobsUploaded);
                return;
            }
            if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
                await EnsureSuccess(response, $"PUT blob {repository}@{digest}").ConfigureAwait(false);
            _log.Detail($"{Registry}: a monolithic upload of {digest} answered {(int)response.StatusCode}; uploading it in chunks instead.");
        }
        await UploadChunkedAsync(repository, digest, size, open, ct).ConfigureAwait(false);
    }

    private async Task UploadChunkedAsync(string repository, string digest, long size, Func<Stream> open, CancellationToken ct)
    {
        for (var session = 1; ; session++)
        {
            try
            {
                await UploadChunksAsync(repository, digest, size, open, ct).ConfigureAwait(false);
                return;
            }
            catch (UploadSessionLostException e) when (session < _retry.MaxAttempts)
            {
                // The registry cannot say what a spoiled PATCH left (distribution refuses a status read with a stale
                // state token): that session is dropped and the blob sent again whole in a new one, never appended twice.
                _log.Detail($"{Registry}: {e.Message}; uploading {digest} again in a new session");
                Interlocked.Add(ref Stats.UploadedBytes, -e.Uploaded);
                await CancelUpload(e.Location, repository, ct).ConfigureAwait(false);
            }
            catch (UploadSessionLostException e)
            {
                throw new UvLambdaException(ErrorCodes.RegistryRequestFailed, $"{Registry}: uploading {digest} to {repository} failed after {session} sessions: {e.Message}", inner: e);
            }
        }
    }

    private sealed class UploadSessionLostException(string message, Uri location, long uploaded, Exception? inner = null) : Exception(message, inner)
    {
        public Uri Location { get; } = location;
        public long Uploaded { get; } = uploaded;
    }

    private async Task UploadChunksAsync(string repository, string digest, long size, Func<Stream> open, CancellationToken ct)
    {
        var location = await StartUpload(repository, ct).ConfigureAwait(false);
        var chunkSize = Math.Max(_options.ChunkSize, RegistryClientOptions.MinimumChunkSize);
        var buffer = new byte[(int)Math.Min(chunkSize, Math.Max(size, 1))];
        await using var source = open();
        long offset = 0;
        while (offset < size)
        {
            int read = 0;
            while (read < buffer.Length && offset + read < size)
            {
                var n = await source.ReadAsync(buffer.AsMemory(read, (int)Math.Min(buffer.Length - read, size - offset - read)), ct).ConfigureAwait(false);
                if (n == 0) throw new IOException($"The blob {digest} ended before its {size} bytes.");
                read += n;
            }
            location = await PatchChunkAsync(repository, digest, location, buffer, offset, read, ct).ConfigureAwait(false);
            offset += read;
            Interlocked.Add(ref Stats.UploadedBytes, read);
        }
        using var done = await SendAsync(() => new HttpRequestMessage(HttpMethod.Put, WithDigest(location, digest)) { Content = new ByteArrayContent([]) },
            Push(repository), ct).ConfigureAwait(false);
        if (done.StatusCode is not (HttpStatusCode.Created or HttpStatusCode.NoContent or HttpStatusCode.OK))
            await EnsureSuccess(done, $"PUT blob {repository}@{digest}", forceFailure: true).ConfigureAwait(false);
        Interlocked.Increment(ref Stats.BlobsUploaded);
    }

    /// <summary>
    /// Appends buffer[0..read) at <paramref name="offset"/>; returns the next upload location. A PATCH appends, so it is
    /// not resent blindly: when its answer is lost (or a 5xx), the upload's status (GET, Range: 0-last) says how much the
    /// registry holds, and only the rest of the chunk is sent again.
    /// </summary>
    private async Task<Uri> PatchChunkAsync(string repository, string digest, Uri location, byte[] buffer, long offset, int read, CancellationToken ct)
    {
        var sent = 0;
        for (var attempt = 1; ; attempt++)
        {
            var start = offset + sent;
            var from = sent;
            var current = location;
            HttpResponseMessage? response = null;
            try
            {
                response = await SendAsync(() =>
                {
                    var content = new ByteArrayContent(buffer, from, read - from);
                    content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
                    var r = new HttpRequestMessage(HttpMethod.Patch, current) { Content = content };
                    r.Content.Headers.TryAddWithoutValidation("Content-Range", $"{start}-{offset + read - 1}");
                    return r;
                }, Push(repository), ct, idempotent: false).ConfigureAwait(false);
                // 202 per the spec; ECR answers 201 to a PATCH.
                if (response.StatusCode is HttpStatusCode.Accepted or HttpStatusCode.Created or HttpStatusCode.NoContent)
                    return response.Headers.Location is { } next ? Resolve(response, next) : location;
                if (!Transient.IsTransientStatus((int)response.StatusCode) || attempt >= _retry.MaxAttempts)
                    await EnsureSuccess(response, $"PATCH blob {repository}@{digest}", forceFailure: true).ConfigureAwait(false);
                _log.Detail($"{Registry}: PATCH of {digest} answered {(int)response.StatusCode}; checking how much of it arrived");
            }
            catch (OutcomeUnknownException e)
            {
                if (attempt >= _retry.MaxAttempts)
                    throw new UvLambdaException(ErrorCodes.RegistryRequestFailed, $"{Registry}: PATCH blob {repository}@{digest} got no answer after {attempt} attempts: {e.InnerException?.Message}", inner: e);
                _log.Detail($"{Registry}: PATCH of {digest} got no answer ({e.InnerException?.Message}); checking how much of it arrived");
            }
            finally
            {
                response?.Dispose();
            }
            await _retry.Sleep(_retry.Backoff(attempt), ct).ConfigureAwait(false);
            var status = await UploadStatusAsync(repository, location, ct).ConfigureAwait(false);
            if (status is not var (received, statusLocation))
                throw new UploadSessionLostException("the upload's status after a spoiled PATCH is unknown", location, offset);
            if (received < offset || received > offset + read)
                throw new UvLambdaException(ErrorCodes.RegistryRequestFailed,
                    $"{Registry}: the upload of {digest} holds {received} bytes after a lost PATCH, expected {offset} to {offset + read}; push again.");
            location = statusLocation;
            sent = (int)(received - offset);
            if (sent == read) return location;
        }
    }

    /// <summary>How many bytes an upload session holds (the Range header of GET on its location, "0-last") and its current location; null when the registry cannot tell.</summary>
    private async Task<(long Received, Uri Location)?> UploadStatusAsync(string repository, Uri location, CancellationToken ct)
    {
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, location), Push(repository), ct).ConfigureAwait(false);
        if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.BadRequest or HttpStatusCode.RequestedRangeNotSatisfiable or HttpStatusCode.MethodNotAllowed)
            return null;
        if (response.StatusCode != HttpStatusCode.NoContent)
            await EnsureSuccess(response, $"GET upload status {repository}", forceFailure: true).ConfigureAwait(false);
        long received = 0;
        if (response.Headers.TryGetValues("Range", out var values) && values.FirstOrDefault() is { } range
            && range.LastIndexOf('-') is var dash and >= 0 && long.TryParse(range[(dash + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var last))
            // "0-0" is what distribution answers for an empty upload too; chunks are MiBs, so it means nothing arrived.
            received = last == 0 ? 0 : last + 1;
        return (received, response.Headers.Location is { } next ? Resolve(response, next) : location);
    }

    private async Task<Uri> StartUpload(string repository, CancellationToken ct)
    {
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Post, new Uri(BaseUri, $"{repository}/blobs/uploads/")) { Content = new ByteArrayContent([]) },
            Push(repository), ct).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Accepted || response.Headers.Location is null)
            await EnsureSuccess(response, $"POST upload {repository}", forceFailure: true).ConfigureAwait(false);
        return Resolve(response, response.Headers.Location!);
    }

    private async Task CancelUpload(Uri location, string repository, CancellationToken ct)
    {
        try
        {
            using var _ = await SendAsync(() => new HttpRequestMessage(HttpMethod.Delete, location), Push(repository), ct).ConfigureAwait(false);
        }
        catch (UvLambdaException)
        {
            // An abandoned upload session expires on its own.
        }
    }

    private static Uri Resolve(HttpResponseMessage response, Uri location) =>
        location.IsAbsoluteUri ? location : new Uri(response.RequestMessage!.RequestUri!, location);

    private static Uri WithDigest(Uri location, string digest)
    {
        var b = new UriBuilder(location);
        var q = b.Query.TrimStart('?');
        b.Query = (q.Length == 0 ? "" : q + "&") + "digest=" + Uri.EscapeDataString(digest);
        return b.Uri;
    }

    private static string[] Pull(string repository) => [$"repository:{repository}:pull"];
    private static string[] Push(string repository) => [$"repository:{repository}:pull,push"];

    // ---- transport, retries, auth

    /// <summary>
    /// One request under the retry policy: a 401 is answered once by authenticating (the challenge's Basic or Bearer
    /// flow), not counted as an attempt; a transient status is retried and returned as it is when attempts run out; a
    /// network failure after the last attempt is UVL coded. Only <paramref name="idempotent"/> requests are resent
    /// after a lost answer; the others throw <see cref="OutcomeUnknownException"/> for the caller to check.
    /// </summary>
    private async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> create, string[] scopes, CancellationToken ct,
        bool manifest = false, bool streamed = false, bool idempotent = true)
    {
        var authenticated = false;
        var scopeKey = string.Join(' ', scopes);
        string what = "";
        return await _retry.ExecuteAsync(async (_, token) =>
            {
                while (true)
                {
                    using var request = create();
                    what = $"{request.Method} {Describe(request.RequestUri)}";
                    lock (_tokens)
                    {
                        if (_tokens.TryGetValue(scopeKey, out var bearer)) request.Headers.Authorization = bearer;
                        else if (_basic is not null) request.Headers.Authorization = _basic;
                    }
                    Interlocked.Increment(ref Stats.Requests);
                    if (manifest) Interlocked.Increment(ref Stats.ManifestRequests);
                    else Interlocked.Increment(ref Stats.BlobRequests);
                    var response = await _http.SendAsync(request, streamed ? HttpCompletionOption.ResponseHeadersRead : HttpCompletionOption.ResponseContentRead, token).ConfigureAwait(false);
                    _log.Detail($"{what} -> {(int)response.StatusCode}");
                    if (response.StatusCode != HttpStatusCode.Unauthorized || authenticated) return response;
                    var challenges = response.Headers.WwwAuthenticate.ToList();
                    response.Dispose();
                    await AuthenticateAsync(challenges, scopes, scopeKey, token).ConfigureAwait(false);
                    authenticated = true;
                }
            },
            // An IOException here is the caller's stream (a blob file), not the network: HttpClient wraps its own.
            e => Transient.IsTransientException(e, ct) && e is not IOException ? RetryDecision.Unknown() : RetryDecision.Permanent, ct, idempotent,
            classifyResult: r => Transient.OfStatus((int)r.StatusCode, _retry.RetryAfter(r.Headers)),
            exhausted: (e, attempts) => new UvLambdaException(ErrorCodes.RegistryRequestFailed, $"{what} failed after {attempts} attempts: {e.Message}", inner: e),
            outcomeUnknown: e => new OutcomeUnknownException($"{what}: no answer ({e.Message})", e),
            onRetry: r =>
            {
                if (r.Failure is { } f) _log.Detail($"{what} failed ({f.Message}); retrying.");
            }).ConfigureAwait(false);
    }

    private async Task<RegistryCredential?> CredentialAsync(CancellationToken ct)
    {
        if (!_credentialLoaded)
        {
            _credential = await _credentials.GetCredentialAsync(Registry, ct).ConfigureAwait(false);
            _credentialLoaded = true;
        }
        return _credential;
    }

    private async Task AuthenticateAsync(List<AuthenticationHeaderValue> challenges, string[] scopes, string scopeKey, CancellationToken ct)
    {
        await _authLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var bearer = challenges.FirstOrDefault(c => c.Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase));
            var credential = await CredentialAsync(ct).ConfigureAwait(false);
            if (bearer is not null)
            {
                var token = await FetchTokenAsync(ParseChallenge(bearer.Parameter ?? ""), scopes, credential, ct).ConfigureAwait(false);
                lock (_tokens) _tokens[scopeKey] = new AuthenticationHeaderValue("Bearer", token);
                return;
            }
            if (challenges.Any(c => c.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase)))
            {
                if (credential is null || credential.IsIdentityToken)
                    throw Unauthorized("it asks for a user name and password and none were found");
                _basic = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{credential.Username}:{credential.Password}")));
                return;
            }
            throw Unauthorized("it answered 401 without a Basic or Bearer challenge");
        }
        finally
        {
            _authLock.Release();
        }
    }

    private UvLambdaException Unauthorized(string why) =>
        new(ErrorCodes.RegistryUnauthorized,
            $"{Registry} refused the request: {why}. Log in (docker login {Registry}, which writes ~/.docker/config.json), or set {RegistryCredentials.UsernameVariable}/{RegistryCredentials.PasswordVariable} or SDK_CONTAINER_REGISTRY_UNAME/SDK_CONTAINER_REGISTRY_PWORD (the push registry) or {RegistryCredentials.BaseUsernameVariable}/{RegistryCredentials.BasePasswordVariable} (the base image's).");

    internal static Dictionary<string, string> ParseChallenge(string parameter)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        int i = 0;
        while (i < parameter.Length)
        {
            while (i < parameter.Length && (parameter[i] == ',' || char.IsWhiteSpace(parameter[i]))) i++;
            int eq = parameter.IndexOf('=', i);
            if (eq < 0) break;
            var key = parameter[i..eq].Trim();
            i = eq + 1;
            string value;
            if (i < parameter.Length && parameter[i] == '"')
            {
                var sb = new StringBuilder();
                i++;
                while (i < parameter.Length && parameter[i] != '"')
                {
                    if (parameter[i] == '\\' && i + 1 < parameter.Length) i++;
                    sb.Append(parameter[i++]);
                }
                i++;
                value = sb.ToString();
            }
            else
            {
                int end = parameter.IndexOf(',', i);
                if (end < 0) end = parameter.Length;
                value = parameter[i..end].Trim();
                i = end;
            }
            result[key] = value;
        }
        return result;
    }

    private async Task<string> FetchTokenAsync(Dictionary<string, string> challenge, string[] scopes, RegistryCredential? credential, CancellationToken ct)
    {
        if (!challenge.TryGetValue("realm", out var realm) || !Uri.TryCreate(realm, UriKind.Absolute, out var realmUri))
            throw Unauthorized("its Bearer challenge has no realm");
        if (realmUri.Scheme != "https" && !IsLoopbackOrInsecureUri(realmUri, _options.InsecureRegistries))
            throw Unauthorized($"its token service {realmUri.GetLeftPart(UriPartial.Authority)} is not HTTPS");
        challenge.TryGetValue("service", out var service);
        var allScopes = new SortedSet<string>(scopes, StringComparer.Ordinal);
        if (challenge.TryGetValue("scope", out var challengeScope))
            foreach (var s in challengeScope.Split(' ', StringSplitOptions.RemoveEmptyEntries)) allScopes.Add(s);

        using var response = await _retry.ExecuteAsync(async (_, token) =>
            {
                using var request = TokenRequest(realmUri, service, allScopes, credential);
                return await _http.SendAsync(request, token).ConfigureAwait(false);
            },
            e => Transient.IsTransientException(e, ct) && e is not IOException ? RetryDecision.Unknown() : RetryDecision.Permanent, ct,
            classifyResult: r => Transient.OfStatus((int)r.StatusCode, _retry.RetryAfter(r.Headers)),
            exhausted: (e, _) => new UvLambdaException(ErrorCodes.RegistryRequestFailed, $"The token service of {Registry} could not be reached: {e.Message}", inner: e)).ConfigureAwait(false);
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            throw Unauthorized(credential is null ? "its token service wants credentials and none were found" : "its token service rejected the credentials");
        if (!response.IsSuccessStatusCode)
            throw new UvLambdaException(ErrorCodes.RegistryRequestFailed, $"The token service of {Registry} answered {(int)response.StatusCode} {response.ReasonPhrase}.");
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false)).RootElement;
        var token = json.TryGetProperty("token", out var t) ? t.GetString() : json.TryGetProperty("access_token", out var at) ? at.GetString() : null;
        if (string.IsNullOrEmpty(token))
            throw new UvLambdaException(ErrorCodes.RegistryRequestFailed, $"The token service of {Registry} answered without a token.");
        return token;
    }

    /// <summary>The token request: an identity token's refresh grant (POST), else GET with Basic credentials when there are any.</summary>
    private static HttpRequestMessage TokenRequest(Uri realmUri, string? service, SortedSet<string> allScopes, RegistryCredential? credential)
    {
        if (credential is { IsIdentityToken: true })
        {
            var form = new List<KeyValuePair<string, string>>
            {
                new("grant_type", "refresh_token"), new("refresh_token", credential.Password), new("client_id", "uvlambda"),
                new("scope", string.Join(' ', allScopes)),
            };
            if (service is not null) form.Add(new("service", service));
            return new HttpRequestMessage(HttpMethod.Post, realmUri) { Content = new FormUrlEncodedContent(form) };
        }
        var query = new StringBuilder(realmUri.Query.TrimStart('?'));
        if (service is not null) query.Append(query.Length == 0 ? "" : "&").Append("service=").Append(Uri.EscapeDataString(service));
        foreach (var s in allScopes) query.Append(query.Length == 0 ? "" : "&").Append("scope=").Append(Uri.EscapeDataString(s));
        var request = new HttpRequestMessage(HttpMethod.Get, new UriBuilder(realmUri) { Query = query.ToString() }.Uri);
        if (credential is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{credential.Username}:{credential.Password}")));
        return request;
    }

    private async Task EnsureSuccess(HttpResponseMessage response, string what, bool forceFailure = false)
    {
        if (response.IsSuccessStatusCode && !forceFailure) return;
        var status = (int)response.StatusCode;
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            throw Unauthorized($"{what} answered {status} {response.ReasonPhrase}{await ErrorDetail(response).ConfigureAwait(false)}");
        throw new UvLambdaException(ErrorCodes.RegistryRequestFailed,
            $"{Registry}: {what} answered {status} {response.ReasonPhrase}{await ErrorDetail(response).ConfigureAwait(false)}.");
    }

    /// <summary>The registry's error codes and messages (the spec's {"errors":[...]} body), never its headers.</summary>
    private static async Task<string> ErrorDetail(HttpResponseMessage response)
    {
        try
        {
            var text = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
            if (text.Length == 0) return "";
            var errors = JsonDocument.Parse(text).RootElement.GetProperty("errors").EnumerateArray()
                .Select(e => $"{(e.TryGetProperty("code", out var c) ? c.GetString() : "")}: {(e.TryGetProperty("message", out var m) ? m.GetString() : "")}");
            return " (" + string.Join("; ", errors) + ")";
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or HttpRequestException)
        {
            return "";
        }
    }

    /// <summary>A URL for logs: scheme, host and path, never the query (upload states, tokens).</summary>
    private static string Describe(Uri? uri) => uri is null ? "" : uri.GetLeftPart(UriPartial.Path);

    public void Dispose()
    {
        _http.Dispose();
        _authLock.Dispose();
    }
}
