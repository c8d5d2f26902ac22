using System.Collections;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using UvLambda.Core.Diagnostics;
using UvLambda.Core.Standards;
using UvLambda.Core.Resilience;

namespace UvLambda.Core.Install.Fetching;

/// <summary>
/// Gets locked wheels into the <see cref="ContentCache"/> the way uv would: the cache, then find-links folders, then
/// (unless offline) an overriding index's simple API or the URL uv.lock records. Every file is checked against the
/// lock's SHA-256 while it streams to disk; nothing unverified enters the cache.
/// </summary>
public sealed class WheelFetcher : IWheelFetcher, IDisposable
{
    private const int MaxRedirects = 10;

    private readonly FetchOptions _options;
    private readonly IBuildLog _log;
    private readonly HttpClient _http;
    private readonly ContentCache _cache;
    private readonly IndexConfiguration _indexes;
    private readonly IReadOnlyList<string> _findLinkFolders;
    private readonly IReadOnlyList<Uri> _findLinkPages;
    private readonly bool _offline;
    private readonly TimeSpan _timeout;
    private readonly RetryPolicy _retry;
    private readonly ConcurrentDictionary<string, Lazy<Task<IReadOnlyList<IndexFileLink>>>> _pages = new(StringComparer.Ordinal);
    // Find-links files named like a locked wheel but with another hash, by locked hash: (path, actual sha256).
    private readonly ConcurrentDictionary<string, (string Path, string Actual)> _findLinksMismatches = new(StringComparer.Ordinal);

    public WheelFetcher(FetchOptions options, IBuildLog log, HttpMessageHandler? handler = null, IReadOnlyDictionary<string, string?>? environment = null)
    {
        _options = options;
        _log = log;
        environment ??= ProcessEnvironment();
        _cache = new ContentCache(options.CacheDirectory);
        _indexes = IndexConfiguration.Create(options.Indexes, environment);
        _offline = options.Offline || IsTruthy(IndexConfiguration.Get(environment, "UV_OFFLINE"));
        _timeout = IndexConfiguration.Get(environment, "UV_HTTP_TIMEOUT") is { } t && int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds > 0
            ? TimeSpan.FromSeconds(seconds)
            : options.NetworkTimeout;
        // A short Retry-After is honoured; a long one would stall the build, so it is capped and the attempts run out.
        _retry = new RetryPolicy
        {
            MaxAttempts = Math.Max(1, options.Attempts), BaseDelay = options.RetryDelay, MaxDelay = TimeSpan.FromSeconds(10), MaxRetryAfter = TimeSpan.FromSeconds(10),
        };

        // uv's UV_FIND_LINKS is comma-separated; entries may be folders or URLs of flat HTML pages.
        var findLinks = options.FindLinks.Concat(IndexConfiguration.Get(environment, "UV_FIND_LINKS")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? []);
        var folders = new List<string>();
        var pages = new List<Uri>();
        foreach (var entry in findLinks)
        {
            if (Uri.TryCreate(entry, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
                pages.Add(uri);
            else
                folders.Add(uri is { IsFile: true } ? uri.LocalPath : Path.GetFullPath(entry));
        }
        _findLinkFolders = folders;
        _findLinkPages = pages;

        // No auto-redirect on our handler: credentials are chosen per hop (by host), which HttpClient would drop or
        // keep wholesale. The default proxy settings stay on, so HTTP(S)_PROXY and NO_PROXY apply.
        _http = new HttpClient(handler ?? new SocketsHttpHandler { AllowAutoRedirect = false, ConnectTimeout = _timeout, AutomaticDecompression = DecompressionMethods.None },
            disposeHandler: handler is null)
        { Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("UvLambda", typeof(WheelFetcher).Assembly.GetName().Version?.ToString(3) ?? "0"));
    }

    public void Dispose() => _http.Dispose();

    public async Task<IReadOnlyList<FetchedWheel>> FetchAsync(IReadOnlyList<WheelRequest> requests, CancellationToken cancellationToken)
    {
        // Whatever killed builds left half-downloaded goes first, whether or not this build downloads anything.
        _cache.SweepAbandonedTemps();
        foreach (var request in requests)
        {
            if (request.Sha256.Length != 64 || !request.Sha256.All(char.IsAsciiHexDigit))
                throw new UvLambdaException(ErrorCodes.InvalidWheelHash,
                    $"uv.lock has no usable sha256 for {request.FileName} of {request.PackageName} {request.Version} (got \"{request.Sha256}\"). Run `uv lock --refresh-package {request.PackageName}` so the lock records the file's hash.",
                    request.LockFile, request.LockLine);
        }

        // Two requests for the same bytes (same hash) are fetched once.
        var paths = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        var firstByHash = new List<WheelRequest>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var request in requests)
        {
            var hash = ContentCache.NormalizeHash(request.Sha256);
            if (!seen.Add(hash))
                continue;
            if (_cache.TryGet(hash) is { } cached)
                paths[hash] = cached;
            else
                firstByHash.Add(request);
        }

        var missing = new List<WheelRequest>();
        foreach (var request in firstByHash)
        {
            if (FromFindLinkFolders(request) is { } found)
                paths[ContentCache.NormalizeHash(request.Sha256)] = found;
            else
                missing.Add(request);
        }

        if (missing.Count > 0 && _offline)
        {
            // A local file (a path wheel, a local registry's file) is read, not downloaded: offline allows it, as in uv.
            var remote = missing.Where(r => LocalFile(r) is null).ToList();
            if (remote.Count > 0)
                throw remote.Select(r => FindLinksMismatch(r, "PythonOffline / UV_OFFLINE forbids downloading the locked file")).OfType<UvLambdaException>().FirstOrDefault()
                    ?? OfflineMissing(remote);
        }
        if (missing.Count > 0)
            await DownloadAllAsync(missing, paths, cancellationToken).ConfigureAwait(false);

        return requests.Select(r => new FetchedWheel(r, paths[ContentCache.NormalizeHash(r.Sha256)])).ToList();
    }

    private string? FromFindLinkFolders(WheelRequest request)
    {
        foreach (var folder in _findLinkFolders)
        {
            if (!Directory.Exists(folder))
            {
                _log.Warning(ErrorCodes.FindLinksMissing, $"The find-links folder {folder} does not exist; skipping it.");
                continue;
            }
            var candidate = Path.Combine(folder, request.FileName);
            if (!File.Exists(candidate))
                continue;
            // Copy while hashing: one read both verifies the file and puts it in the cache for the next build.
            var temp = _cache.NewTempPath(request.FileName);
            try
            {
                string actual;
                using (var source = new FileStream(candidate, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16))
                using (var target = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
                using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
                {
                    var buffer = new byte[1 << 16];
                    int read;
                    while ((read = source.Read(buffer)) > 0)
                    {
                        hash.AppendData(buffer, 0, read);
                        target.Write(buffer, 0, read);
                    }
                    actual = Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant();
                }
                if (actual == ContentCache.NormalizeHash(request.Sha256))
                {
                    _log.Detail($"Using {candidate} (find-links)");
                    return _cache.AddVerified(temp, request.Sha256);
                }
                _log.Detail($"Ignoring {candidate}: its sha256 is {actual}, uv.lock expects {request.Sha256.ToLowerInvariant()}");
                _findLinksMismatches[ContentCache.NormalizeHash(request.Sha256)] = (candidate, actual);
            }
            finally
            {
                TryDelete(temp);
            }
        }
        return null;
    }

    private async Task DownloadAllAsync(List<WheelRequest> missing, ConcurrentDictionary<string, string> paths, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        long downloadedBytes = 0;
        var downloadedCount = 0;
        var failures = new ConcurrentDictionary<int, Exception>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, _options.MaxParallelDownloads), CancellationToken = CancellationToken.None };
        // A long install says it is moving: packages done of the total and bytes of the lock's sizes, every
        // ProgressInterval (build output at normal verbosity; nothing at -v:q).
        var expectedBytes = missing.Sum(r => r.Size ?? 0);
        var progressGate = new object();
        var reporting = true;
        using var progress = new Timer(_ =>
        {
            lock (progressGate)
            {
                if (!reporting) return;
                var done = Volatile.Read(ref downloadedCount);
                _log.Info($"Downloading: {done} of {missing.Count} {(missing.Count == 1 ? "package" : "packages")}, " +
                          $"{ByteSize.Format(Interlocked.Read(ref downloadedBytes))}{(expectedBytes > 0 ? " of " + ByteSize.Format(expectedBytes) : "")}");
            }
        }, null, _options.ProgressInterval, _options.ProgressInterval);

        await Parallel.ForEachAsync(Enumerable.Range(0, missing.Count), parallel, async (i, _) =>
        {
            if (stop.IsCancellationRequested)
                return;
            var request = missing[i];
            try
            {
                var (path, bytes) = await FetchRemoteAsync(request, stop.Token).ConfigureAwait(false);
                paths[ContentCache.NormalizeHash(request.Sha256)] = path;
                Interlocked.Add(ref downloadedBytes, bytes);
                Interlocked.Increment(ref downloadedCount);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stop.IsCancellationRequested)
            {
                // One failure stops the rest: the build fails anyway, and the first error is the one to read.
                // A stale find-links copy of the file explains more than the failed fallback download does.
                failures[i] = FindLinksMismatch(request, "downloading the locked file failed too: " + e.Message, e) ?? e;
                stop.Cancel();
            }
            catch (OperationCanceledException)
            {
            }
        }).ConfigureAwait(false);
        lock (progressGate) reporting = false;

        cancellationToken.ThrowIfCancellationRequested();
        if (!failures.IsEmpty)
        {
            var first = failures.OrderBy(f => f.Key).First().Value;
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(first).Throw();
        }
        if (downloadedCount > 0)
        {
            var seconds = stopwatch.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture);
            _log.Info($"Downloaded {downloadedCount} {(downloadedCount == 1 ? "package" : "packages")} ({ByteSize.Format(downloadedBytes)}) in {seconds} s");
        }
    }

    /// <summary>The network sources in order: find-links pages, an overriding index, then uv.lock's URL.</summary>
    private async Task<(string Path, long Bytes)> FetchRemoteAsync(WheelRequest request, CancellationToken cancellationToken)
    {
        // Offline, only local files get here: straight from their path, hashed like any download.
        if (_offline && LocalFile(request) is { } local)
            return await DownloadAsync(request, local, cancellationToken).ConfigureAwait(false);

        foreach (var page in _findLinkPages)
        {
            var links = await PageAsync(page, cancellationToken).ConfigureAwait(false);
            if (SimpleIndexPage.Find(links, request.FileName) is { } link)
                return await DownloadAsync(request, link.Url, cancellationToken).ConfigureAwait(false);
        }

        if (_indexes.OverrideFor(request.RegistryUrl) is { } index)
        {
            var projectPage = new Uri(index.Url, PackageName.Normalize(request.PackageName) + "/");
            var links = await PageAsync(projectPage, cancellationToken).ConfigureAwait(false);
            if (SimpleIndexPage.Find(links, request.FileName) is not { } link)
                throw new UvLambdaException(ErrorCodes.NotOnIndex,
                    $"The index {IndexConfiguration.Redact(index.Url)} does not list {request.FileName} ({request.PackageName} {request.Version}), which uv.lock requires. "
                    + "Make sure the index mirrors that file, or point UV_DEFAULT_INDEX / [[tool.uv.index]] at one that does and run `uv lock`.");
            return await DownloadAsync(request, link.Url, cancellationToken).ConfigureAwait(false);
        }

        if (request.Url is null || !Uri.TryCreate(request.Url, UriKind.Absolute, out var url))
            throw new UvLambdaException(ErrorCodes.NoDownloadUrl,
                $"uv.lock records no URL for {request.FileName} ({request.PackageName} {request.Version}) and no index is configured to look it up on. "
                + "Put the file in a PythonFindLinks folder, or configure the index it comes from ([[tool.uv.index]] or UV_DEFAULT_INDEX).");
        return await DownloadAsync(request, url, cancellationToken).ConfigureAwait(false);
    }

    private Task<IReadOnlyList<IndexFileLink>> PageAsync(Uri pageUrl, CancellationToken cancellationToken) =>
        _pages.GetOrAdd(pageUrl.AbsoluteUri, _ => new Lazy<Task<IReadOnlyList<IndexFileLink>>>(
            () => WithRetriesAsync(pageUrl, "the index page", _ => LoadPageOnceAsync(pageUrl, cancellationToken), cancellationToken))).Value;

    private async Task<IReadOnlyList<IndexFileLink>> LoadPageOnceAsync(Uri pageUrl, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(pageUrl, SimpleIndexPage.AcceptHeader, cancellationToken).ConfigureAwait(false);
        ThrowOnFailureStatus(response, pageUrl, "the index page");
        string content;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_timeout);
            content = await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (IsTransient(e, cancellationToken))
        {
            throw new TransientFetchException(e.Message, e);
        }
        var finalUrl = response.RequestMessage?.RequestUri ?? pageUrl;
        try
        {
            return SimpleIndexPage.Parse(content, response.Content.Headers.ContentType?.MediaType, finalUrl);
        }
        catch (FormatException e)
        {
            throw new UvLambdaException(ErrorCodes.InvalidIndexPage,
                $"The index page {IndexConfiguration.Redact(finalUrl)} could not be read: {e.Message}. Check that the index URL points at a simple API (PEP 503/691) root such as https://pypi.org/simple.");
        }
    }

    private Task<(string Path, long Bytes)> DownloadAsync(WheelRequest request, Uri url, CancellationToken cancellationToken) =>
        WithRetriesAsync(url, $"{request.FileName} ({request.PackageName} {request.Version})",
            attempt => DownloadOnceAsync(request, url, announce: attempt == 1, cancellationToken), cancellationToken);

    private async Task<(string Path, long Bytes)> DownloadOnceAsync(WheelRequest request, Uri url, bool announce, CancellationToken cancellationToken)
    {
        var temp = _cache.NewTempPath(request.FileName);
        try
        {
            HttpResponseMessage? response = null;
            Stream source;
            long? contentLength;
            if (url.IsFile)
            {
                if (!File.Exists(url.LocalPath))
                    throw new UvLambdaException(ErrorCodes.DownloadNotFound,
                        $"{request.FileName} ({request.PackageName} {request.Version}) is not at {url.LocalPath}, where uv.lock says it is. Restore the file or run `uv lock`.",
                        request.LockFile, request.LockLine);
                source = new FileStream(url.LocalPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
                contentLength = source.Length;
            }
            else
            {
                response = await SendAsync(url, null, cancellationToken).ConfigureAwait(false);
                ThrowOnFailureStatus(response, url, request.FileName);
                contentLength = response.Content.Headers.ContentLength;
                try
                {
                    source = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (IsTransient(e, cancellationToken))
                {
                    response.Dispose();
                    throw new TransientFetchException(e.Message, e);
                }
            }

            using (response)
            await using (source.ConfigureAwait(false))
            {
                if (request.Size is { } expected && contentLength is { } announced && announced != expected)
                    throw SizeMismatch(request, url, announced);
                if (announce)
                {
                    var size = request.Size ?? contentLength;
                    _log.Info($"Downloading {request.PackageName} {request.Version}" + (size is { } s ? $" ({ByteSize.Format(s)})" : ""));
                }

                var (actual, total) = await CopyHashingAsync(source, temp, request, url, cancellationToken).ConfigureAwait(false);
                if (contentLength is { } length && total < length)
                    throw new TransientFetchException($"the connection closed after {total} of {length} bytes");
                if (request.Size is { } sz && total < sz)
                    throw new TransientFetchException($"got {total} of {sz} bytes");
                if (actual != ContentCache.NormalizeHash(request.Sha256))
                    throw new UvLambdaException(ErrorCodes.HashMismatch,
                        $"{request.FileName} ({request.PackageName} {request.Version}) downloaded from {IndexConfiguration.Redact(url)} has sha256:{actual}, but uv.lock expects sha256:{ContentCache.NormalizeHash(request.Sha256)}. "
                        + $"The file was not used. If the index really serves a different file now, run `uv lock --refresh-package {request.PackageName}`; otherwise check the mirror or proxy in between.",
                        request.LockFile, request.LockLine);
                return (_cache.AddVerified(temp, request.Sha256), total);
            }
        }
        finally
        {
            TryDelete(temp);
        }
    }

    private async Task<(string Sha256, long Bytes)> CopyHashingAsync(Stream source, string temp, WheelRequest request, Uri url, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 16];
        long total = 0;
        await using var target = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        while (true)
        {
            int read;
            try
            {
                // A stalled body counts as a timeout, like a slow connect: per read, so big files may take long.
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(_timeout);
                read = await source.ReadAsync(buffer, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (IsTransient(e, cancellationToken))
            {
                throw new TransientFetchException($"the download broke off after {total} bytes ({e.Message})", e);
            }
            if (read == 0)
                break;
            total += read;
            if (request.Size is { } expected && total > expected)
                throw SizeMismatch(request, url, null);
            hash.AppendData(buffer, 0, read);
            await target.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
        }
        return (Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant(), total);
    }

    /// <summary>Runs <paramref name="once"/> under the retry policy (<see cref="FetchOptions.Attempts"/>) while it fails transiently; GETs are idempotent.</summary>
    private Task<T> WithRetriesAsync<T>(Uri url, string what, Func<int, Task<T>> once, CancellationToken cancellationToken) =>
        _retry.ExecuteAsync((attempt, _) => once(attempt),
            e => e is TransientFetchException t ? RetryDecision.Unknown(t.RetryAfter) : RetryDecision.Permanent,
            cancellationToken,
            exhausted: (e, attempts) => new UvLambdaException(ErrorCodes.DownloadFailed,
                $"Could not download {what} from {IndexConfiguration.Redact(url)} after {attempts} attempts: {e.Message}. "
                + "Check the network, proxy (HTTPS_PROXY, NO_PROXY) and index, then build again; or build offline from a filled cache or PythonFindLinks folder.", inner: e),
            onRetry: r => _log.Detail($"Retrying {IndexConfiguration.Redact(url)} in {r.Delay.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s (attempt {r.Attempt} of {r.MaxAttempts} failed: {r.Failure?.Message})"));

    /// <summary>Sends a GET, following redirects itself so each hop gets only its own host's credentials.</summary>
    private async Task<HttpResponseMessage> SendAsync(Uri url, string? accept, CancellationToken cancellationToken)
    {
        var current = IndexConfiguration.WithoutUserInfo(url);
        for (var hop = 0; ; hop++)
        {
            using var message = new HttpRequestMessage(HttpMethod.Get, current);
            if (accept is not null)
                message.Headers.TryAddWithoutValidation("Accept", accept);
            if (_indexes.CredentialFor(current) is { } credential)
                message.Headers.Authorization = new AuthenticationHeaderValue("Basic",
                    Convert.ToBase64String(Encoding.UTF8.GetBytes(credential.UserName + ":" + credential.Password)));

            HttpResponseMessage response;
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(_timeout);
                response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (IsTransient(e, cancellationToken))
            {
                throw new TransientFetchException(e is OperationCanceledException ? $"no response within {_timeout.TotalSeconds:0} s" : e.Message, e);
            }

            var status = (int)response.StatusCode;
            if (status is >= 300 and < 400 && response.Headers.Location is { } location && hop < MaxRedirects)
            {
                response.Dispose();
                current = IndexConfiguration.WithoutUserInfo(new Uri(current, location));
                continue;
            }
            return response;
        }
    }

    private void ThrowOnFailureStatus(HttpResponseMessage response, Uri url, string what)
    {
        if (response.IsSuccessStatusCode)
            return;
        var status = (int)response.StatusCode;
        var shown = IndexConfiguration.Redact(url);
        response.Dispose();
        if (status is 401 or 403)
            throw new UvLambdaException(ErrorCodes.DownloadUnauthorized,
                $"{shown} refused {what} (HTTP {status}). Give the index's credentials in its URL or as UV_INDEX_<NAME>_USERNAME / UV_INDEX_<NAME>_PASSWORD for a named [[tool.uv.index]], and check they are still valid.");
        if (status is 404 or 410)
            throw new UvLambdaException(ErrorCodes.DownloadNotFound,
                $"{shown} does not exist (HTTP {status}), so {what} cannot be downloaded. The file may have been removed from the index: run `uv lock --upgrade-package NAME` to lock one that exists, or put the file in a PythonFindLinks folder.");
        if (Transient.IsTransientStatus(status))
            throw new TransientFetchException($"HTTP {status}", retryAfter: _retry.RetryAfter(response.Headers));
        throw new UvLambdaException(ErrorCodes.DownloadFailed, $"{shown} answered HTTP {status} for {what}. Check the index URL and any proxy in between.");
    }

    private static bool IsTransient(Exception e, CancellationToken cancellationToken) => Transient.IsTransientException(e, cancellationToken);

    private static UvLambdaException SizeMismatch(WheelRequest request, Uri url, long? actual) =>
        new(ErrorCodes.SizeMismatch,
            $"{request.FileName} ({request.PackageName} {request.Version}) from {IndexConfiguration.Redact(url)} is "
            + (actual is { } a ? $"{a} bytes" : "larger than expected")
            + $", but uv.lock records {request.Size} bytes. The file was not used. If the index really serves a different file now, run `uv lock --refresh-package {request.PackageName}`; otherwise check the mirror or proxy in between.",
            request.LockFile, request.LockLine);

    /// <summary>UVL2101 for a request whose find-links file had another hash, or null when there was none.</summary>
    private UvLambdaException? FindLinksMismatch(WheelRequest request, string why, Exception? inner = null)
    {
        if (!_findLinksMismatches.TryGetValue(ContentCache.NormalizeHash(request.Sha256), out var mismatch))
            return null;
        return new UvLambdaException(ErrorCodes.HashMismatch,
            $"{request.FileName} ({request.PackageName} {request.Version}) in find-links at {mismatch.Path} has sha256:{mismatch.Actual}, but uv.lock expects sha256:{ContentCache.NormalizeHash(request.Sha256)}. "
            + $"The file was not used, and {why}. Replace the find-links file with the locked one, or run `uv lock --refresh-package {request.PackageName}` if the new file is the one you want.",
            request.LockFile, request.LockLine, inner: inner);
    }

    private static Uri? LocalFile(WheelRequest request) =>
        request.Url is { } url && Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.IsFile ? uri : null;

    private UvLambdaException OfflineMissing(IReadOnlyList<WheelRequest> missing)
    {
        var list = string.Join("", missing.Select(r => $"{Environment.NewLine}  - {r.PackageName} {r.Version} ({r.FileName})"));
        return new UvLambdaException(ErrorCodes.OfflineMissingWheels,
            $"Offline (UV_OFFLINE or PythonOffline), and {missing.Count} {(missing.Count == 1 ? "wheel is" : "wheels are")} neither in the cache ({_cache.Root}) nor in a find-links folder ({(_findLinkFolders.Count == 0 ? "none is set" : string.Join(", ", _findLinkFolders))}):{list}{Environment.NewLine}"
            + "Build once online to fill the cache, or put these files in a PythonFindLinks / UV_FIND_LINKS folder.");
    }

    private static bool IsTruthy(string? value) =>
        value is not null && (value.Equals("1", StringComparison.Ordinal) || value.Equals("true", StringComparison.OrdinalIgnoreCase)
            || value.Equals("yes", StringComparison.OrdinalIgnoreCase) || value.Equals("on", StringComparison.OrdinalIgnoreCase)
            || value.Equals("y", StringComparison.OrdinalIgnoreCase) || value.Equals("t", StringComparison.OrdinalIgnoreCase));

    private static Dictionary<string, string?> ProcessEnvironment() => Processes.ProcessEnvironment.Current();

    private static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    /// <summary>A failure worth another attempt: 5xx, 429, a timeout, a reset or a short body.</summary>
    private sealed class TransientFetchException(string message, Exception? inner = null, TimeSpan? retryAfter = null) : Exception(message, inner)
    {
        public TimeSpan? RetryAfter { get; } = retryAfter;
    }
}
