using System.Buffers.Binary;
using System.IO.Compression;
using UvLambda.Core.Archives;
using UvLambda.Core.FileSystem;

namespace UvLambda.Core.Containers;

/// <summary>A layer written to disk: its compressed digest and size (for the manifest) and its diff_id (for the config).</summary>
public sealed record LayerBlob(string Path, string Digest, string DiffId, long Size, int FileCount, long UncompressedSize);

/// <summary>
/// Writes image layers (tar.gz) that are byte-identical for the same files: entries sorted with their parent
/// directories, uid/gid 0, one mtime, modes 0644/0755, and a gzip member with a fixed header (no name, mtime 0,
/// OS 255). The diff_id (sha256 of the tar) and the digest (sha256 of the gzip) are computed while writing, in one pass.
/// </summary>
public static class LayerWriter
{
    private static readonly byte[] GzipHeader = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];

    /// <summary>
    /// Writes the layer into <paramref name="blobsDirectory"/> as <c>&lt;hex of digest&gt;</c> (content-addressed).
    /// Each entry lands at <paramref name="root"/>/path (e.g. <c>var/task</c>).
    /// </summary>
    public static LayerBlob Write(string blobsDirectory, IReadOnlyList<ArchiveEntry> entries, string root, long mtimeSeconds,
        CompressionLevel level = CompressionLevel.Optimal)
    {
        ArchivePath.EnsureUnique(entries);
        root = root.Trim('/');
        var files = entries.Select(e => (Name: root.Length == 0 ? e.Path : root + "/" + e.Path, Entry: e)).ToList();
        var dirs = ArchivePath.ParentDirectories(files.Select(f => f.Name));
        var names = new List<(string Name, ArchiveEntry? Entry)>(files.Count + dirs.Count);
        foreach (var d in dirs) names.Add((d + "/", null));
        foreach (var f in files) names.Add((f.Name, f.Entry));
        names.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));

        Directory.CreateDirectory(blobsDirectory);
        TempOwner.DeleteAbandoned(blobsDirectory, ".layer");
        var temp = TempOwner.TempFile(blobsDirectory, ".layer");
        try
        {
            string digest, diffId;
            long size, uncompressed;
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                using var compressed = new HashingStream(file);
                compressed.Write(GzipHeader);
                using (var deflate = new DeflateStream(compressed, level, leaveOpen: true))
                using (var buffered = new BufferedStream(deflate, 1 << 16))
                {
                    using var tarBytes = new HashingStream(buffered, crc: true);
                    var tar = new DeterministicTarWriter(tarBytes, mtimeSeconds);
                    foreach (var (name, entry) in names)
                    {
                        if (entry is null) tar.AddDirectory(name);
                        else if (entry.SourceFile is { } source) tar.AddFile(name, entry.UnixMode, source);
                        else tar.AddFile(name, entry.UnixMode, entry.ReadContent());
                    }
                    tar.Finish();
                    buffered.Flush();
                    diffId = tarBytes.Digest();
                    uncompressed = tarBytes.Length;
                    Span<byte> trailer = stackalloc byte[8];
                    BinaryPrimitives.WriteUInt32LittleEndian(trailer, tarBytes.Crc32);
                    BinaryPrimitives.WriteUInt32LittleEndian(trailer[4..], (uint)uncompressed);
                    deflate.Flush();
                    buffered.Dispose();
                    deflate.Dispose();
                    compressed.Write(trailer);
                }
                digest = compressed.Digest();
                size = compressed.Length;
            }
            var target = Path.Combine(blobsDirectory, Digests.Hex(digest));
            File.Move(temp, target, overwrite: true);
            return new LayerBlob(target, digest, diffId, size, files.Count, uncompressed);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }
}
