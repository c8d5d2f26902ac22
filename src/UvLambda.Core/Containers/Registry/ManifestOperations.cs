using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using UvLambda.Core.Diagnostics;

namespace UvLambda.Core.Containers;

/// <summary>Manifests of one registry: GET (checked against a pinned digest, media type known), HEAD, PUT.</summary>
internal sealed class ManifestOperations(RegistryTransport transport)
{
    public async Task<RegistryClient.Manifest> GetManifestAsync(string repository, string reference, CancellationToken ct)
    {
        using var response = await transport.SendAsync(() =>
        {
            var r = new HttpRequestMessage(HttpMethod.Get, new Uri(transport.BaseUri, $"{repository}/manifests/{reference}"));
            foreach (var m in MediaTypes.AllManifests) r.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(m));
            return r;
        }, RegistryTransport.Pull(repository), ct, manifest: true).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
            throw new UvLambdaException(ErrorCodes.ImageNotFound, $"{transport.Registry}/{repository}:{reference} was not found (404). Check the image reference and that it was pushed.");
        await transport.EnsureSuccess(response, $"GET manifest {repository}:{reference}").ConfigureAwait(false);
        var content = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
        var digest = Digests.Of(content);
        if (reference.StartsWith("sha256:", StringComparison.Ordinal) && digest != reference)
            throw new UvLambdaException(ErrorCodes.BlobDigestMismatch, $"The manifest {transport.Registry}/{repository}@{reference} hashes to {digest}.");
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        if (mediaType is null or "application/json" or "text/plain")
            mediaType = MediaTypeOf(content, $"{transport.Registry}/{repository}:{reference}");
        if (mediaType is null || !(MediaTypes.IsIndex(mediaType) || MediaTypes.IsManifest(mediaType)))
            throw new UvLambdaException(ErrorCodes.UnsupportedImageMediaType,
                $"{transport.Registry}/{repository}:{reference} is a '{mediaType ?? "(no media type)"}', not a Docker v2 schema 2 or OCI manifest or index.");
        return new RegistryClient.Manifest(content, mediaType, digest);
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
    public async Task<string?> HeadManifestAsync(string repository, string reference, CancellationToken ct)
    {
        using var response = await transport.SendAsync(() =>
        {
            var r = new HttpRequestMessage(HttpMethod.Head, new Uri(transport.BaseUri, $"{repository}/manifests/{reference}"));
            foreach (var m in MediaTypes.AllManifests) r.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(m));
            return r;
        }, RegistryTransport.Push(repository), ct, manifest: true).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        await transport.EnsureSuccess(response, $"HEAD manifest {repository}:{reference}").ConfigureAwait(false);
        return response.Headers.TryGetValues("Docker-Content-Digest", out var values) ? values.FirstOrDefault() : null;
    }

    public async Task<string> PutManifestAsync(string repository, string reference, byte[] content, string mediaType, CancellationToken ct)
    {
        using var response = await transport.SendAsync(() =>
        {
            var body = new ByteArrayContent(content);
            body.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
            return new HttpRequestMessage(HttpMethod.Put, new Uri(transport.BaseUri, $"{repository}/manifests/{reference}")) { Content = body };
        }, RegistryTransport.Push(repository), ct, manifest: true).ConfigureAwait(false);
        await transport.EnsureSuccess(response, $"PUT manifest {repository}:{reference}").ConfigureAwait(false);
        return Digests.Of(content);
    }
}
