using System.Net;
using System.Net.Http.Headers;
using UvLambda.Core.Diagnostics;
using UvLambda.Core.Resilience;

namespace UvLambda.Core.Containers;

/// <summary>
/// Blob uploads to one registry: POST then one PUT, or PATCH chunks with Content-Range (from the start, or as the
/// fallback when the PUT is refused), each chunk checked rather than resent blindly.
/// </summary>
internal sealed class BlobUploadOperations(RegistryTransport transport, BlobOperations blobs, RegistryClientOptions options)
{
    /// <summary>Uploads a blob: one PUT after the POST, or PATCH chunks (also the fallback when the PUT is refused).</summary>
    public async Task UploadBlobAsync(string repository, string digest, long size, Func<Stream> open, CancellationToken ct)
    {
        if (!options.ChunkedUpload)
        {
            var location = await StartUpload(repository, ct).ConfigureAwait(false);
            using var response = await transport.SendAsync(() =>
            {
                var content = new StreamContent(open(), 1 << 16);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
                content.Headers.ContentLength = size;
                return new HttpRequestMessage(HttpMethod.Put, WithDigest(location, digest)) { Content = content };
            }, RegistryTransport.Push(repository), ct).ConfigureAwait(false);
            if (response.StatusCode is HttpStatusCode.Created or HttpStatusCode.NoContent or HttpStatusCode.OK)
            {
                Interlocked.Add(ref transport.Stats.UploadedBytes, size);
                Interlocked.Increment(ref transport.Stats.BlobsUploaded);
                return;
            }
            if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
                await transport.EnsureSuccess(response, $"PUT blob {repository}@{digest}").ConfigureAwait(false);
            transport.Log.Detail($"{transport.Registry}: a monolithic upload of {digest} answered {(int)response.StatusCode}; uploading it in chunks instead.");
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
            catch (UploadSessionLostException e) when (session < transport.Retry.MaxAttempts)
            {
                // The registry cannot say what a spoiled PATCH left (distribution refuses a status read with a stale
                // state token): that session is dropped and the blob sent again whole in a new one, never appended twice.
                transport.Log.Detail($"{transport.Registry}: {e.Message}; uploading {digest} again in a new session");
                Interlocked.Add(ref transport.Stats.UploadedBytes, -e.Uploaded);
                await blobs.CancelUpload(e.Location, repository, ct).ConfigureAwait(false);
            }
            catch (UploadSessionLostException e)
            {
                throw new UvLambdaException(ErrorCodes.RegistryRequestFailed, $"{transport.Registry}: uploading {digest} to {repository} failed after {session} sessions: {e.Message}", inner: e);
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
        var chunkSize = Math.Max(options.ChunkSize, RegistryClientOptions.MinimumChunkSize);
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
            Interlocked.Add(ref transport.Stats.UploadedBytes, read);
        }
        using var done = await transport.SendAsync(() => new HttpRequestMessage(HttpMethod.Put, WithDigest(location, digest)) { Content = new ByteArrayContent([]) },
            RegistryTransport.Push(repository), ct).ConfigureAwait(false);
        if (done.StatusCode is not (HttpStatusCode.Created or HttpStatusCode.NoContent or HttpStatusCode.OK))
            await transport.EnsureSuccess(done, $"PUT blob {repository}@{digest}", forceFailure: true).ConfigureAwait(false);
        Interlocked.Increment(ref transport.Stats.BlobsUploaded);
    }

    /// <summary>
    /// Appends buffer[0..read) at <paramref name="offset"/>; returns the next upload location. A PATCH appends, so it is
    /// not resent blindly but checked, then written (<see cref="RetryPolicy.CheckThenWriteAsync{T}"/>): when its answer
    /// is lost (or a 5xx), the upload's status (GET, Range: 0-last) says how much the registry holds, and only the rest
    /// of the chunk is sent again.
    /// </summary>
    private async Task<Uri> PatchChunkAsync(string repository, string digest, Uri location, byte[] buffer, long offset, int read, CancellationToken ct)
    {
        var sent = 0;
        try
        {
            var (next, _) = await transport.Retry.CheckThenWriteAsync(
                token => PatchAsync(repository, digest, location, buffer, offset, sent, read, token),
                async token =>
                {
                    if (await UploadStatusAsync(repository, location, token).ConfigureAwait(false) is not var (received, statusLocation))
                        throw new UploadSessionLostException("the upload's status after a spoiled PATCH is unknown", location, offset);
                    if (received < offset || received > offset + read)
                        throw new UvLambdaException(ErrorCodes.RegistryRequestFailed,
                            $"{transport.Registry}: the upload of {digest} holds {received} bytes after a lost PATCH, expected {offset} to {offset + read}; push again.");
                    location = statusLocation;
                    sent = (int)(received - offset);
                    return sent == read ? location : null;
                },
                ct,
                (e, _) => transport.Log.Detail($"{transport.Registry}: {e.Message}; checking how much of it arrived")).ConfigureAwait(false);
            return next;
        }
        catch (OutcomeUnknownException e)
        {
            throw new UvLambdaException(ErrorCodes.RegistryRequestFailed,
                $"{transport.Registry}: PATCH blob {repository}@{digest} failed after {transport.Retry.MaxAttempts} attempts: {e.Message}", inner: e);
        }
    }

    /// <summary>One PATCH of buffer[from..read); a lost answer or a 5xx is an <see cref="OutcomeUnknownException"/>: some of it may have landed.</summary>
    private async Task<Uri> PatchAsync(string repository, string digest, Uri location, byte[] buffer, long offset, int from, int read, CancellationToken ct)
    {
        using var response = await transport.SendAsync(() =>
        {
            var content = new ByteArrayContent(buffer, from, read - from);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            var r = new HttpRequestMessage(HttpMethod.Patch, location) { Content = content };
            r.Content.Headers.TryAddWithoutValidation("Content-Range", $"{offset + from}-{offset + read - 1}");
            return r;
        }, RegistryTransport.Push(repository), ct, idempotent: false).ConfigureAwait(false);
        // 202 per the spec; ECR answers 201 to a PATCH.
        if (response.StatusCode is HttpStatusCode.Accepted or HttpStatusCode.Created or HttpStatusCode.NoContent)
            return response.Headers.Location is { } next ? RegistryTransport.Resolve(response, next) : location;
        if (Transient.IsTransientStatus((int)response.StatusCode))
            throw new OutcomeUnknownException($"PATCH of {digest} answered {(int)response.StatusCode}");
        throw await transport.FailureAsync(response, $"PATCH blob {repository}@{digest}").ConfigureAwait(false);
    }

    /// <summary>How many bytes an upload session holds (the Range header of GET on its location, "0-last") and its current location; null when the registry cannot tell.</summary>
    private async Task<(long Received, Uri Location)?> UploadStatusAsync(string repository, Uri location, CancellationToken ct)
    {
        using var response = await transport.SendAsync(() => new HttpRequestMessage(HttpMethod.Get, location), RegistryTransport.Push(repository), ct).ConfigureAwait(false);
        if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.BadRequest or HttpStatusCode.RequestedRangeNotSatisfiable or HttpStatusCode.MethodNotAllowed)
            return null;
        if (response.StatusCode != HttpStatusCode.NoContent)
            await transport.EnsureSuccess(response, $"GET upload status {repository}", forceFailure: true).ConfigureAwait(false);
        long received = 0;
        if (response.Headers.TryGetValues("Range", out var values) && values.FirstOrDefault() is { } range
            && range.LastIndexOf('-') is var dash and >= 0 && long.TryParse(range[(dash + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var last))
            // "0-0" is what distribution answers for an empty upload too; chunks are MiBs, so it means nothing arrived.
            received = last == 0 ? 0 : last + 1;
        return (received, response.Headers.Location is { } next ? RegistryTransport.Resolve(response, next) : location);
    }

    private async Task<Uri> StartUpload(string repository, CancellationToken ct)
    {
        using var response = await transport.SendAsync(() => new HttpRequestMessage(HttpMethod.Post, new Uri(transport.BaseUri, $"{repository}/blobs/uploads/")) { Content = new ByteArrayContent([]) },
            RegistryTransport.Push(repository), ct).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Accepted || response.Headers.Location is null)
            await transport.EnsureSuccess(response, $"POST upload {repository}", forceFailure: true).ConfigureAwait(false);
        return RegistryTransport.Resolve(response, response.Headers.Location!);
    }

    private static Uri WithDigest(Uri location, string digest)
    {
        var b = new UriBuilder(location);
        var q = b.Query.TrimStart('?');
        b.Query = (q.Length == 0 ? "" : q + "&") + "digest=" + Uri.EscapeDataString(digest);
        return b.Uri;
    }
}
