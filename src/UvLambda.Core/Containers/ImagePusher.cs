using UvLambda.Core.Diagnostics;

namespace UvLambda.Core.Containers;

/// <summary>What a push did: the digest and reference to deploy, and how much went over the wire.</summary>
public sealed record PushResult(string Digest, string Reference, IReadOnlyList<string> TaggedReferences, long UploadedBytes,
    int BlobsUploaded, int BlobsMounted, int BlobsSkipped, bool WasUpToDate);

/// <summary>
/// Pushes a built image: blobs the registry lacks (HEAD first; base layers mounted from the base repository when it
/// is the same registry, else copied through the blob cache), then the manifest under each tag. When every tag
/// already names this digest, only manifest requests are made.
/// </summary>
public static class ImagePusher
{
    public static async Task<PushResult> PushAsync(BuiltImage image, string imageDirectory, RegistryClient target, string repository,
        IReadOnlyList<string> tags, Func<RegistryClient> baseClient, BlobStore cache, IBuildLog log, CancellationToken ct = default)
    {
        if (tags.Count == 0) tags = ["latest"];
        var manifest = image.ReadManifest(imageDirectory);
        var before = target.Stats.UploadedBytes;
        var tagged = tags.Select(t => $"{target.Registry}/{repository}:{t}").ToList();
        var reference = $"{target.Registry}/{repository}@{image.ManifestDigest}";

        var current = new List<string?>();
        foreach (var tag in tags) current.Add(await target.HeadManifestAsync(repository, tag, ct).ConfigureAwait(false));
        if (current.All(d => d == image.ManifestDigest))
        {
            log.Info($"{string.Join(", ", tagged)} already {image.ManifestDigest}: nothing to push.");
            return new PushResult(image.ManifestDigest, reference, tagged, 0, 0, 0, 0, WasUpToDate: true);
        }

        int uploaded = 0, mounted = 0, skipped = 0;
        // A manifest the registry has by digest guarantees it has every blob it references.
        if (await target.HeadManifestAsync(repository, image.ManifestDigest, ct).ConfigureAwait(false) is null)
        {
            RegistryClient? source = null;
            try
            {
                var blobs = image.Layers.Select(l => (l.Digest, l.Size, l.FromBase))
                    .Append((image.ConfigDigest, image.ConfigSize, false)).ToList();
                foreach (var (digest, size, fromBase) in blobs)
                {
                    if (await target.BlobExistsAsync(repository, digest, ct).ConfigureAwait(false))
                    {
                        skipped++;
                        continue;
                    }
                    if (fromBase && string.Equals(image.BaseRegistry, target.Registry, StringComparison.OrdinalIgnoreCase)
                        && await target.TryMountBlobAsync(repository, digest, image.BaseRepository, ct).ConfigureAwait(false))
                    {
                        mounted++;
                        continue;
                    }
                    string path;
                    if (fromBase)
                    {
                        source ??= baseClient();
                        path = await cache.GetOrDownloadAsync(source, image.BaseRepository, digest, ct).ConfigureAwait(false);
                    }
                    else
                    {
                        path = BuiltImage.BlobPath(imageDirectory, digest);
                    }
                    log.Detail($"Uploading {digest} ({ByteSize.Format(size)}) to {target.Registry}/{repository}");
                    await target.UploadBlobAsync(repository, digest, size, () => new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16), ct).ConfigureAwait(false);
                    uploaded++;
                }
            }
            finally
            {
                if (source is not null && !ReferenceEquals(source, target)) source.Dispose();
            }
        }
        for (int i = 0; i < tags.Count; i++)
            if (current[i] != image.ManifestDigest)
                await target.PutManifestAsync(repository, tags[i], manifest, image.ManifestMediaType, ct).ConfigureAwait(false);
        var bytes = target.Stats.UploadedBytes - before;
        log.Info($"Pushed {reference} as {string.Join(", ", tagged)}: {uploaded} blobs uploaded ({ByteSize.Format(bytes)}), {mounted} mounted, {skipped} already there.");
        return new PushResult(image.ManifestDigest, reference, tagged, bytes, uploaded, mounted, skipped, WasUpToDate: false);
    }
}
