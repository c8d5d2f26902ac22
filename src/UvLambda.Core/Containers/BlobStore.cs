using UvLambda.Core.FileSystem;

namespace UvLambda.Core.Containers;

/// <summary>
/// Base image blobs (manifests, configs, layers) stored by digest beside the wheel cache:
/// <c>&lt;cache&gt;/blobs/sha256/&lt;hex&gt;</c>. Entries appear only by an atomic rename of a verified file, so a blob
/// is downloaded at most once per machine and concurrent builds never see half a file.
/// </summary>
public sealed class BlobStore(string cacheRoot)
{
    public string Root { get; } = Path.Combine(Path.GetFullPath(cacheRoot), "blobs");

    public string PathFor(string digest) => Path.Combine(Root, "sha256", Digests.Hex(digest));

    /// <summary>The cached blob, re-hashed to catch a damaged disk (a bad entry is deleted), or null.</summary>
    public string? TryGet(string digest)
    {
        var path = PathFor(digest);
        if (!File.Exists(path)) return null;
        try
        {
            if (Digests.OfFile(path) == digest) return path;
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        return null;
    }

    public byte[]? TryGetBytes(string digest) => TryGet(digest) is { } p ? File.ReadAllBytes(p) : null;

    public void AddBytes(string digest, byte[] content)
    {
        if (Digests.Of(content) != digest) throw new InvalidDataException($"content does not hash to {digest}");
        var temp = NewTemp();
        File.WriteAllBytes(temp, content);
        Commit(temp, digest);
    }

    /// <summary>The blob from the cache, else downloaded (verified) into it once.</summary>
    public async Task<string> GetOrDownloadAsync(RegistryClient client, string repository, string digest, CancellationToken ct)
    {
        if (TryGet(digest) is { } cached) return cached;
        var temp = NewTemp();
        try
        {
            await client.DownloadBlobAsync(repository, digest, temp, ct).ConfigureAwait(false);
            return Commit(temp, digest);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    private int _swept;

    /// <summary>
    /// A temp file in tmp/, named for its owner: what killed builds left there goes first (once per instance), by the
    /// content cache's rules, as this is a cache shared the same way (ContentCache.SweepAbandonedTemps).
    /// </summary>
    private string NewTemp()
    {
        var dir = Path.Combine(Root, "tmp");
        Directory.CreateDirectory(dir);
        if (Interlocked.Exchange(ref _swept, 1) == 0)
            TempOwner.DeleteAbandoned(dir, staleAfter: TempOwner.SharedCacheStaleAge);
        return TempOwner.TempFile(dir, "blob");
    }

    private string Commit(string temp, string digest)
    {
        var target = PathFor(digest);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        try
        {
            File.Move(temp, target, overwrite: false);
        }
        catch (IOException) when (File.Exists(target))
        {
            // Another build added it first: same content by construction.
            File.Delete(temp);
        }
        return target;
    }
}
