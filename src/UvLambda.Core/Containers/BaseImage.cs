using System.Text.Json;
using System.Text.Json.Nodes;
using UvLambda.Core.Diagnostics;

namespace UvLambda.Core.Containers;

/// <summary>The base image for one platform: its manifest (layers) and config, as pulled (layers are not downloaded).</summary>
public sealed record BaseImage(ImageReference Reference, string ManifestDigest, string ManifestMediaType, IReadOnlyList<Descriptor> Layers,
    byte[] Config, string ConfigDigest)
{
    /// <summary>Lambda's architecture names to OCI's.</summary>
    public static string OciArchitecture(string lambdaArchitecture) => lambdaArchitecture switch
    {
        "x86_64" or "amd64" => "amd64",
        "arm64" or "aarch64" => "arm64",
        _ => throw new UvLambdaException(ErrorCodes.InvalidArchitecture, $"'{lambdaArchitecture}' is not x86_64 or arm64."),
    };

    /// <summary>
    /// Resolves the reference to one linux/<paramref name="architecture"/> manifest (choosing from an index, skipping
    /// attestations), then gets its config; manifests and configs are cached by digest, so a pinned digest needs no
    /// network once cached. Checks the config's architecture.
    /// </summary>
    public static async Task<BaseImage> ResolveAsync(RegistryClient client, ImageReference reference, string architecture, BlobStore cache,
        IBuildLog log, CancellationToken ct = default)
    {
        var arch = OciArchitecture(architecture);
        var (content, mediaType, digest) = await GetManifest(client, reference.Repository, reference.Reference, cache, ct).ConfigureAwait(false);
        if (MediaTypes.IsIndex(mediaType))
        {
            var descriptor = Interpret(reference, "index", digest, () => Choose(JsonObjectOf(content), reference, arch, architecture));
            (content, mediaType, digest) = await GetManifest(client, reference.Repository, descriptor.Digest, cache, ct).ConfigureAwait(false);
            if (!MediaTypes.IsManifest(mediaType))
                throw new UvLambdaException(ErrorCodes.UnsupportedImageMediaType, $"The index of {reference} points at a '{mediaType}' for linux/{arch}, not an image manifest.");
        }
        var (configDescriptor, layers) = Interpret(reference, "manifest", digest, () =>
        {
            var manifest = JsonObjectOf(content);
            var configDescriptor = Descriptor.FromJson(manifest["config"], $"The manifest of {reference}");
            Digests.Hex(configDescriptor.Digest);
            var layers = (manifest["layers"]?.AsArray() ?? []).Select(l => Descriptor.FromJson(l, $"The manifest of {reference}")).ToList();
            return (configDescriptor, layers);
        });
        var config = cache.TryGetBytes(configDescriptor.Digest);
        if (config is null)
        {
            config = await client.GetBlobAsync(reference.Repository, configDescriptor.Digest, ct).ConfigureAwait(false);
            cache.AddBytes(configDescriptor.Digest, config);
        }
        var (actual, os) = Interpret(reference, "config", configDescriptor.Digest, () =>
        {
            var configJson = JsonObjectOf(config);
            return (configJson["architecture"]?.GetValue<string>(), configJson["os"]?.GetValue<string>());
        });
        if (actual != arch || (os is not null && os != "linux"))
            throw new UvLambdaException(ErrorCodes.BaseImageArchitectureMismatch,
                $"The base image {reference} ({digest}) is for {os ?? "?"}/{actual ?? "?"}, but LambdaArchitecture is {architecture} (linux/{arch}). Use the base image's {(arch == "arm64" ? "arm64" : "x86_64")} variant (e.g. the '-arm64' tag for arm64), or change LambdaArchitecture.");
        log.Detail($"Base image {reference}: linux/{arch} manifest {digest}, {layers.Count} layers.");
        return new BaseImage(reference, digest, mediaType, layers, config, configDescriptor.Digest);
    }

    private static Descriptor Choose(JsonObject index, ImageReference reference, string arch, string architecture)
    {
        var manifests = index["manifests"]?.AsArray() ?? [];
        var chosen = manifests.Where(m => m is not null && IsPlatform(m, arch)).ToList();
        if (chosen.Count == 0)
        {
            var available = manifests.Where(m => m?["platform"] is not null && !IsAttestation(m!))
                .Select(m => $"{m!["platform"]!["os"]}/{m["platform"]!["architecture"]}").Distinct().ToList();
            throw new UvLambdaException(ErrorCodes.BaseImagePlatformMissing,
                $"The base image {reference} has no linux/{arch} image (it has: {string.Join(", ", available)}). Use a base image for LambdaArchitecture {architecture}, or change LambdaArchitecture.");
        }
        var descriptor = Descriptor.FromJson(chosen[0], $"The index of {reference}");
        Digests.Hex(descriptor.Digest); // fetched by it next: a sha256 digest, not a path
        return descriptor;
    }

    private static JsonObject JsonObjectOf(byte[] content) =>
        JsonNode.Parse(content) as JsonObject ?? throw new InvalidOperationException("it is not a JSON object");

    /// <summary>
    /// The boundary for documents from a registry (or the digest-checked cache): what System.Text.Json throws on garbage,
    /// wrong types (a number where a string belongs, an object for an array) or absurd values becomes UVL3113.
    /// </summary>
    private static T Interpret<T>(ImageReference reference, string document, string digest, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (IsMalformedJson(e))
        {
            throw new UvLambdaException(ErrorCodes.InvalidImageDocument,
                $"The {document} of the base image {reference} ({digest}) is malformed: {e.Message.TrimEnd('.')}. "
                + "The registry, or a mirror or proxy in between, served a document that is not a valid image " + document + ": "
                + "check ContainerBaseImage and the registry, pin another digest, or report it to the image's publisher.", inner: e);
        }
    }

    internal static bool IsMalformedJson(Exception e) =>
        e is JsonException or InvalidOperationException or FormatException or ArgumentException or KeyNotFoundException or OverflowException;

    private static bool IsAttestation(JsonNode m) =>
        m["annotations"]?["vnd.docker.reference.type"]?.GetValue<string>() == "attestation-manifest"
        || m["platform"]?["os"]?.GetValue<string>() == "unknown";

    private static bool IsPlatform(JsonNode m, string arch) =>
        !IsAttestation(m) && m["platform"]?["os"]?.GetValue<string>() == "linux" && m["platform"]?["architecture"]?.GetValue<string>() == arch
        && (arch != "arm64" || m["platform"]?["variant"]?.GetValue<string>() is null or "v8");

    private static async Task<(byte[] Content, string MediaType, string Digest)> GetManifest(RegistryClient client, string repository, string reference,
        BlobStore cache, CancellationToken ct)
    {
        if (reference.StartsWith("sha256:", StringComparison.Ordinal) && cache.TryGetBytes(reference) is { } cached)
        {
            string? mt = null;
            try
            {
                mt = (JsonNode.Parse(cached) as JsonObject)?["mediaType"]?.GetValue<string>();
            }
            catch (Exception e) when (IsMalformedJson(e))
            {
                // Not readable from the cache: ask the registry, which answers with a media type or a coded error.
            }
            if (mt is not null) return (cached, mt, reference);
        }
        var m = await client.GetManifestAsync(repository, reference, ct).ConfigureAwait(false);
        cache.AddBytes(m.Digest, m.Content);
        return (m.Content, m.MediaType, m.Digest);
    }
}
