using System.Net;
using UvLambda.Core.Diagnostics;
using UvLambda.Core.Resilience;

namespace UvLambda.Core.Containers;

/// <summary>Blobs of one registry: HEAD, GET (to a file or to memory, digest checked), and cross-repository mounts.</summary>
internal sealed class BlobOperations(RegistryTransport transport)
{
    public async Task<bool> BlobExistsAsync(string repository, string digest, CancellationToken ct)
    {
        using var response = await transport.SendAsync(() => new HttpRequestMessage(HttpMethod.Head, new Uri(transport.BaseUri, $"{repository}/blobs/{digest}")),
            RegistryTransport.Push(repository), ct).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound) return false;
        await transport.EnsureSuccess(response, $"HEAD blob {repository}@{digest}").ConfigureAwait(false);
        return true;
    }

    /// <summary>Downloads a blob to <paramref name="destination"/>, checking its digest; returns its size.</summary>
    public Task<long> DownloadBlobAsync(string repository, string digest, string destination, CancellationToken ct) =>
        // A body cut short is fetched again whole (GET is idempotent); the file is rewritten from the start.
        transport.Retry.ExecuteAsync(async (_, token) =>
            {
                using var response = await transport.SendAsync(() => new HttpRequestMessage(HttpMethod.Get, new Uri(transport.BaseUri, $"{repository}/blobs/{digest}")),
                    RegistryTransport.Pull(repository), token, streamed: true).ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.NotFound)
                    throw new UvLambdaException(ErrorCodes.ImageNotFound, $"The blob {digest} of {transport.Registry}/{repository} was not found (404).");
                await transport.EnsureSuccess(response, $"GET blob {repository}@{digest}").ConfigureAwait(false);
                await using var body = await response.Content.ReadAsStreamAsync(token).ConfigureAwait(false);
                await using var file = new FileStream(destination, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
                using var hashing = new HashingStream(file);
                await body.CopyToAsync(hashing, 1 << 16, token).ConfigureAwait(false);
                var actual = hashing.Digest();
                Interlocked.Add(ref transport.Stats.DownloadedBytes, hashing.Length);
                if (actual != digest)
                    throw new UvLambdaException(ErrorCodes.BlobDigestMismatch, $"The blob {digest} of {transport.Registry}/{repository} downloaded as {actual}; it was discarded.");
                return hashing.Length;
            },
            e => e is IOException or HttpRequestException ? RetryDecision.Unknown() : RetryDecision.Permanent, ct,
            // A body cut short (or a full disk) on the last attempt: coded, not a stack trace.
            exhausted: (e, attempts) => new UvLambdaException(ErrorCodes.RegistryRequestFailed,
                $"Downloading the blob {digest} of {transport.Registry}/{repository} failed after {attempts} attempts: {e.Message}", inner: e));

    public async Task<byte[]> GetBlobAsync(string repository, string digest, CancellationToken ct)
    {
        using var response = await transport.SendAsync(() => new HttpRequestMessage(HttpMethod.Get, new Uri(transport.BaseUri, $"{repository}/blobs/{digest}")),
            RegistryTransport.Pull(repository), ct).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
            throw new UvLambdaException(ErrorCodes.ImageNotFound, $"The blob {digest} of {transport.Registry}/{repository} was not found (404).");
        await transport.EnsureSuccess(response, $"GET blob {repository}@{digest}").ConfigureAwait(false);
        var content = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
        Interlocked.Add(ref transport.Stats.DownloadedBytes, content.Length);
        if (Digests.Of(content) != digest)
            throw new UvLambdaException(ErrorCodes.BlobDigestMismatch, $"The blob {digest} of {transport.Registry}/{repository} hashes to {Digests.Of(content)}; it was discarded.");
        return content;
    }

    /// <summary>Asks the registry to link a blob from another repository of it; true when it did (201).</summary>
    public async Task<bool> TryMountBlobAsync(string repository, string digest, string fromRepository, CancellationToken ct)
    {
        using var response = await transport.SendAsync(() => new HttpRequestMessage(HttpMethod.Post,
                new Uri(transport.BaseUri, $"{repository}/blobs/uploads/?mount={Uri.EscapeDataString(digest)}&from={Uri.EscapeDataString(fromRepository)}")),
            [$"repository:{repository}:pull,push", $"repository:{fromRepository}:pull"], ct).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.Created)
        {
            Interlocked.Increment(ref transport.Stats.BlobsMounted);
            return true;
        }
        if (response.StatusCode == HttpStatusCode.Accepted && response.Headers.Location is { } location)
            await CancelUpload(RegistryTransport.Resolve(response, location), repository, ct).ConfigureAwait(false);
        return false;
    }

    internal async Task CancelUpload(Uri location, string repository, CancellationToken ct)
    {
        try
        {
            using var _ = await transport.SendAsync(() => new HttpRequestMessage(HttpMethod.Delete, location), RegistryTransport.Push(repository), ct).ConfigureAwait(false);
        }
        catch (UvLambdaException)
        {
            // An abandoned upload session expires on its own.
        }
    }
}
