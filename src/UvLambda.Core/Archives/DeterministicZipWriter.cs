using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using UvLambda.Core.Diagnostics;
using UvLambda.Core.FileSystem;

namespace UvLambda.Core.Archives;

/// <summary>What a zip write produced.</summary>
public sealed record ZipWriteResult(int FileCount, int DirectoryCount, long UncompressedBytes, long ArchiveBytes);

/// <summary>
/// Writes zips that are byte-identical for the same inputs: entries sorted (ordinal), explicit directory entries,
/// one fixed time stamp, Unix modes in the external attributes ("made by" Unix so unzip and Lambda honour them),
/// no extra fields, no data descriptors. Files are deflated in parallel; the layout is written in one pass.
/// </summary>
public static class DeterministicZipWriter
{
    private const ushort VersionNeeded = 20;
    private const ushort VersionMadeByUnix = (3 << 8) | 20;
    private const int UnixRegularFile = 0x8000; // S_IFREG
    private const int UnixDirectory = 0x4000;   // S_IFDIR
    private const int DosDirectoryAttribute = 0x10;

    public static ZipWriteResult Write(string outputPath, IReadOnlyList<ArchiveEntry> files, DateTime timestamp,
        CompressionLevel level = CompressionLevel.Optimal)
    {
        ArchivePath.EnsureUnique(files);
        var sorted = files.OrderBy(f => f.Path, StringComparer.Ordinal).ToArray();
        var directories = ArchivePath.ParentDirectories(sorted.Select(f => f.Path));
        if (sorted.Length + directories.Count > ushort.MaxValue)
            throw new UvLambdaException(ErrorCodes.ArchiveTooLarge,
                $"'{outputPath}' would hold {sorted.Length + directories.Count} entries; zip without ZIP64 holds at most {ushort.MaxValue}. Remove files with LambdaExclude.");

        var compressed = new CompressedEntry[sorted.Length];
        Parallel.For(0, sorted.Length, i => compressed[i] = Compress(sorted[i], level));

        // Merge directories and files into one ordinal order by their zip names ("dir/" sorts before "dir/file").
        var names = new List<(string Name, int FileIndex)>(sorted.Length + directories.Count);
        foreach (var d in directories) names.Add((d + "/", -1));
        for (int i = 0; i < sorted.Length; i++) names.Add((sorted[i].Path, i));
        names.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));

        var (dosTime, dosDate) = ArchiveTimestamp.ToDos(timestamp);
        long uncompressedTotal = 0, archiveSize = 0;
        AtomicFile.Write(outputPath, stream =>
        {
            var central = new MemoryStream();
            foreach (var (name, fileIndex) in names)
            {
                var nameBytes = Encoding.UTF8.GetBytes(name);
                ushort flags = IsAscii(nameBytes) ? (ushort)0 : (ushort)0x0800; // bit 11: UTF-8 names
                long offset = stream.Position;
                if (offset > uint.MaxValue)
                    throw new UvLambdaException(ErrorCodes.ArchiveTooLarge, $"'{outputPath}' would exceed 4 GiB. Remove files with LambdaExclude.");
                CompressedEntry c = fileIndex >= 0 ? compressed[fileIndex] : CompressedEntry.Directory;
                int mode = fileIndex >= 0 ? UnixRegularFile | (sorted[fileIndex].UnixMode & 0xFFF) : UnixDirectory | 0x1ED; // 0755
                uint external = ((uint)mode << 16) | (fileIndex >= 0 ? 0u : DosDirectoryAttribute);

                WriteLocalHeader(stream, nameBytes, flags, c, dosTime, dosDate);
                stream.Write(c.Data, 0, c.Data.Length);
                WriteCentralHeader(central, nameBytes, flags, c, dosTime, dosDate, external, (uint)offset);
                uncompressedTotal += c.UncompressedSize;
            }
            long centralOffset = stream.Position;
            central.Position = 0;
            central.CopyTo(stream);
            WriteEndOfCentralDirectory(stream, names.Count, central.Length, centralOffset);
            archiveSize = stream.Position;
        });
        return new ZipWriteResult(sorted.Length, directories.Count, uncompressedTotal, archiveSize);
    }

    private static bool IsAscii(byte[] bytes)
    {
        foreach (var b in bytes) if (b >= 0x80) return false;
        return true;
    }

    private readonly record struct CompressedEntry(ushort Method, uint Crc, long UncompressedSize, byte[] Data)
    {
        public static readonly CompressedEntry Directory = new(0, 0, 0, Array.Empty<byte>());
    }

    private static CompressedEntry Compress(ArchiveEntry entry, CompressionLevel level)
    {
        var raw = entry.ReadContent();
        uint crc = Crc32.Compute(raw);
        if (raw.Length == 0) return new CompressedEntry(0, crc, 0, raw);
        var buffer = new MemoryStream(raw.Length / 2 + 64);
        using (var deflate = new DeflateStream(buffer, level, leaveOpen: true))
            deflate.Write(raw, 0, raw.Length);
        // Store what deflate cannot shrink (already-compressed data), as Info-ZIP does.
        return buffer.Length < raw.Length
            ? new CompressedEntry(8, crc, raw.Length, buffer.ToArray())
            : new CompressedEntry(0, crc, raw.Length, raw);
    }

    private static void WriteLocalHeader(Stream s, byte[] name, ushort flags, CompressedEntry c, ushort time, ushort date)
    {
        Span<byte> h = stackalloc byte[30];
        BinaryPrimitives.WriteUInt32LittleEndian(h, 0x04034b50);
        BinaryPrimitives.WriteUInt16LittleEndian(h[4..], VersionNeeded);
        BinaryPrimitives.WriteUInt16LittleEndian(h[6..], flags);
        BinaryPrimitives.WriteUInt16LittleEndian(h[8..], c.Method);
        BinaryPrimitives.WriteUInt16LittleEndian(h[10..], time);
        BinaryPrimitives.WriteUInt16LittleEndian(h[12..], date);
        BinaryPrimitives.WriteUInt32LittleEndian(h[14..], c.Crc);
        BinaryPrimitives.WriteUInt32LittleEndian(h[18..], (uint)c.Data.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(h[22..], (uint)c.UncompressedSize);
        BinaryPrimitives.WriteUInt16LittleEndian(h[26..], (ushort)name.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(h[28..], 0);
        s.Write(h);
        s.Write(name);
    }

    private static void WriteCentralHeader(Stream s, byte[] name, ushort flags, CompressedEntry c, ushort time, ushort date, uint external, uint offset)
    {
        Span<byte> h = stackalloc byte[46];
        BinaryPrimitives.WriteUInt32LittleEndian(h, 0x02014b50);
        BinaryPrimitives.WriteUInt16LittleEndian(h[4..], VersionMadeByUnix);
        BinaryPrimitives.WriteUInt16LittleEndian(h[6..], VersionNeeded);
        BinaryPrimitives.WriteUInt16LittleEndian(h[8..], flags);
        BinaryPrimitives.WriteUInt16LittleEndian(h[10..], c.Method);
        BinaryPrimitives.WriteUInt16LittleEndian(h[12..], time);
        BinaryPrimitives.WriteUInt16LittleEndian(h[14..], date);
        BinaryPrimitives.WriteUInt32LittleEndian(h[16..], c.Crc);
        BinaryPrimitives.WriteUInt32LittleEndian(h[20..], (uint)c.Data.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(h[24..], (uint)c.UncompressedSize);
        BinaryPrimitives.WriteUInt16LittleEndian(h[28..], (ushort)name.Length);
        // extra length, comment length, disk number start, internal attributes: all zero
        BinaryPrimitives.WriteUInt32LittleEndian(h[38..], external);
        BinaryPrimitives.WriteUInt32LittleEndian(h[42..], offset);
        s.Write(h);
        s.Write(name);
    }

    private static void WriteEndOfCentralDirectory(Stream s, int count, long centralSize, long centralOffset)
    {
        Span<byte> h = stackalloc byte[22];
        BinaryPrimitives.WriteUInt32LittleEndian(h, 0x06054b50);
        BinaryPrimitives.WriteUInt16LittleEndian(h[8..], (ushort)count);
        BinaryPrimitives.WriteUInt16LittleEndian(h[10..], (ushort)count);
        BinaryPrimitives.WriteUInt32LittleEndian(h[12..], (uint)centralSize);
        BinaryPrimitives.WriteUInt32LittleEndian(h[16..], (uint)centralOffset);
        s.Write(h);
    }
}
