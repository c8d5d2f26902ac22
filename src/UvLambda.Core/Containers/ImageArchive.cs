using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using UvLambda.Core.FileSystem;
using UvLambda.Core.Archives;

namespace UvLambda.Core.Containers;

/// <summary>
/// Writes a built image as one tar that both <c>docker load</c> (manifest.json) and OCI tools (oci-layout,
/// index.json, blobs/sha256/…) read, the layout <c>docker save</c> writes since Docker 25. Deterministic: sorted
/// entries, fixed mtime. Gzipped when the path ends in .gz or .tgz. Base layers come from the blob cache
/// (downloaded once).
/// </summary>
public static class ImageArchive
{
    public static async Task WriteAsync(BuiltImage image, string imageDirectory, string outputPath, IReadOnlyList<string> repoTags,
        Func<RegistryClient> baseClient, BlobStore cache, long timestamp, CancellationToken ct = default)
    {
        var blobFiles = new SortedDictionary<string, string>(StringComparer.Ordinal);
        RegistryClient? source = null;
        try
        {
            foreach (var layer in image.Layers)
            {
                blobFiles[Digests.Hex(layer.Digest)] = layer.FromBase
                    ? await cache.GetOrDownloadAsync(source ??= baseClient(), image.BaseRepository, layer.Digest, ct).ConfigureAwait(false)
                    : BuiltImage.BlobPath(imageDirectory, layer.Digest);
            }
        }
        finally
        {
            source?.Dispose();
        }
        blobFiles[Digests.Hex(image.ConfigDigest)] = BuiltImage.BlobPath(imageDirectory, image.ConfigDigest);
        blobFiles[Digests.Hex(image.ManifestDigest)] = BuiltImage.BlobPath(imageDirectory, image.ManifestDigest);

        var dockerManifest = new JsonArray(new JsonObject
        {
            ["Config"] = "blobs/sha256/" + Digests.Hex(image.ConfigDigest),
            ["RepoTags"] = new JsonArray(repoTags.Select(t => (JsonNode)JsonValue.Create(t)!).ToArray()),
            ["Layers"] = new JsonArray(image.Layers.Select(l => (JsonNode)JsonValue.Create("blobs/sha256/" + Digests.Hex(l.Digest))!).ToArray()),
        });
        var manifests = new JsonArray();
        foreach (var tag in repoTags.DefaultIfEmpty(null))
        {
            var d = new Descriptor(image.ManifestMediaType, image.ManifestDigest, image.ManifestSize).ToJson();
            if (tag is not null)
                d["annotations"] = new JsonObject
                {
                    ["io.containerd.image.name"] = tag,
                    ["org.opencontainers.image.ref.name"] = tag[(tag.LastIndexOf(':') + 1)..],
                };
            manifests.Add(d);
        }
        var index = new JsonObject { ["schemaVersion"] = 2, ["mediaType"] = MediaTypes.OciIndex, ["manifests"] = manifests };

        var gzip = outputPath.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) || outputPath.EndsWith(".tgz", StringComparison.OrdinalIgnoreCase);
        AtomicFile.Write(outputPath, file =>
        {
            Stream output = gzip ? new GZipStream(file, CompressionLevel.Fastest, leaveOpen: true) : file;
            try
            {
                var tar = new DeterministicTarWriter(output, timestamp);
                tar.AddDirectory("blobs/");
                tar.AddDirectory("blobs/sha256/");
                foreach (var (hex, path) in blobFiles)
                {
                    // Between blobs (a base layer can be hundreds of MB): AtomicFile then deletes the temp file.
                    ct.ThrowIfCancellationRequested();
                    tar.AddFile("blobs/sha256/" + hex, 0x1A4, path);
                }
                tar.AddFile("index.json", 0x1A4, Encoding.UTF8.GetBytes(index.ToJsonString()));
                tar.AddFile("manifest.json", 0x1A4, Encoding.UTF8.GetBytes(dockerManifest.ToJsonString()));
                tar.AddFile("oci-layout", 0x1A4, """{"imageLayoutVersion":"1.0.0"}"""u8);
                tar.Finish();
            }
            finally
            {
                if (gzip) output.Dispose();
            }
        });
    }
}
