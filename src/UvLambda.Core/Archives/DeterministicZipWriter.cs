using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using UvLambda.Core.Diagnostics;
using UvLambda.Core.FileSystem;

namespace UvLambda.Core.Archives;

/// <summary>What a zip write produced. <paramref name="ReusedEntries"/>: files whose compressed bytes came from the
/// previous archive; <paramref name="Written"/> is false when the archive on disk was already byte-identical.</summary>
public sealed record ZipWriteResult(int FileCount, int DirectoryCount, long UncompressedBytes, long ArchiveBytes, int ReusedEntries = 0, bool Written = true);

/// <summary>
/// Reuse of compressed bytes from a previous build: <paramref name="PreviousArchive"/> (usually the output itself)
/// and a stamp file recording what compressed it (level, runtime and zlib), so bytes from another compressor are never reused.
/// </summary>
public sealed record ZipReuse(string PreviousArchive, string StampFile);

/// <summary>
/// Writes zips that are byte-identical for the same inputs: entries sorted (ordinal), explicit directory entries,
/// one fixed time stamp, Unix modes in the external attributes ("made by" Unix so unzip and Lambda honour them),
/// no extra fields, no data descriptors. Files are deflated in parallel; the layout is written in one pass.
/// With <see cref="ZipReuse"/>, a file whose path, size and CRC-32 match an entry of the previous archive (written
/// by this writer with the same level and zlib) gets that entry's compressed bytes instead of being deflated again:
/// deflate is deterministic for the same input, level and implementation, so the output is byte-identical to a cold build.
/// </summary>
public static class DeterministicZipWriter
{
    private const ushort VersionNeeded = 20;
    private const ushort VersionMadeByUnix = (3 << 8) | 20;
    private const int UnixRegularFile = 0x8000; // S_IFREG
    private const int UnixDirectory = 0x4000;   // S_IFDIR
    private const int DosDirectoryAttribute = 0x10;
    private const int WriterVersion = 1;

    /// <summary>What compressed the bytes: reuse needs the same level, runtime and zlib build.</summary>
    public static string CompressorStamp(CompressionLevel level) =>
        $"writer={WriterVersion};level={level};runtime={System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription};" +
        $"compression={typeof(DeflateStream).Assembly.GetName().Version};file={System.Diagnostics.FileVersionInfo.GetVersionInfo(typeof(DeflateStream).Assembly.Location).FileVersion}";

    public static ZipWriteResult Write(string outputPath, IReadOnlyList<ArchiveEntry> files, DateTime timestamp,
        CompressionLevel level = CompressionLevel.Optimal, ZipReuse? reuse = null)
    {
        ArchivePath.EnsureUnique(files);
        var sorted = files.OrderBy(f => f.Path, StringComparer.Ordinal).ToArray();
        var directories = ArchivePath.ParentDirectories(sorted.Select(f => f.Path));
        if (sorted.Length + directories.Count > ushort.MaxValue)
            throw new UvLambdaException(ErrorCodes.ArchiveTooLarge,
                $"'{outputPath}' would hold {sorted.Length + directories.Count} entries; zip without ZIP64 holds at most {ushort.MaxValue}. Remove files with LambdaExclude.");

        var stamp = CompressorStamp(level);
        ZipDirectory? previous = null;
        if (reuse is not null && File.Exists(reuse.StampFile) && File.ReadAllText(reuse.StampFile) == stamp)
            previous = ZipDirectory.TryRead(reuse.PreviousArchive);

        var compressed = new CompressedEntry[sorted.Length];
        int reused = 0;
        Parallel.For(0, sorted.Length, i =>
        {
            compressed[i] = Compress(sorted[i], level, previous, out var fromPrevious);
            if (fromPrevious) Interlocked.Increment(ref reused);
        });

        // Merge directories and files into one ordinal order by their zip names ("dir/" sorts before "dir/file").
        var names = new List<(string Name, int FileIndex)>(sorted.Length + directories.Count);
        foreach (var d in directories) names.Add((d + "/", -1));
        for (int i = 0; i < sorted.Length; i++) names.Add((sorted[i].Path, i));
        names.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));

        // Lay out first (offsets are sums of sizes), so an unchanged archive can be recognised without writing it.
        var (dosTime, dosDate) = ArchiveTimestamp.ToDos(timestamp);
        long uncompressedTotal = 0, offset = 0;
        var central = new MemoryStream();
        var layout = new (byte[] Name, ushort Flags, CompressedEntry Entry)[names.Count];
        for (int n = 0; n < names.Count; n++)
        {
            var (name, fileIndex) = names[n];
            var nameBytes = Encoding.UTF8.GetBytes(name);
            ushort flags = IsAscii(nameBytes) ? (ushort)0 : (ushort)0x0800; // bit 11: UTF-8 names
            if (offset > uint.MaxValue)
                throw new UvLambdaException(ErrorCodes.ArchiveTooLarge, $"'{outputPath}' would exceed 4 GiB. Remove files with LambdaExclude.");
            CompressedEntry c = fileIndex >= 0 ? compressed[fileIndex] : CompressedEntry.Directory;
            int mode = fileIndex >= 0 ? UnixRegularFile | (sorted[fileIndex].UnixMode & 0xFFF) : UnixDirectory | 0x1ED; // 0755
            uint external = ((uint)mode << 16) | (fileIndex >= 0 ? 0u : DosDirectoryAttribute);
            WriteCentralHeader(central, nameBytes, flags, c, dosTime, dosDate, external, (uint)offset);
            layout[n] = (nameBytes, flags, c);
            offset += 30 + nameBytes.Length + c.Data.Length;
            uncompressedTotal += c.UncompressedSize;
        }
        long centralOffset = offset;
        long archiveSize = centralOffset + central.Length + 22;
        if (archiveSize > uint.MaxValue)
            throw new UvLambdaException(ErrorCodes.ArchiveTooLarge, $"'{outputPath}' would exceed 4 GiB. Remove files with LambdaExclude.");

        bool unchanged = previous is not null && reused == sorted.Length
            && string.Equals(Path.GetFullPath(reuse!.PreviousArchive), Path.GetFullPath(outputPath), StringComparison.Ordinal)
            && previous.Bytes.Length == archiveSize
            && previous.CentralDirectory.Span.SequenceEqual(central.GetBuffer().AsSpan(0, (int)central.Length))
            && previous.Entries.All(e => e.DataOffset == LocalDataOffset(e, previous));
        if (!unchanged)
        {
            AtomicFile.Write(outputPath, stream =>
            {
                foreach (var (nameBytes, flags, c) in layout)
                {
                    WriteLocalHeader(stream, nameBytes, flags, c, dosTime, dosDate);
                    stream.Write(c.Data.Span);
                }
                central.Position = 0;
                central.CopyTo(stream);
                WriteEndOfCentralDirectory(stream, names.Count, central.Length, centralOffset);
            });
        }
        if (reuse is not null && (!File.Exists(reuse.StampFile) || File.ReadAllText(reuse.StampFile) != stamp))
            AtomicFile.WriteAllText(reuse.StampFile, stamp);
        return new ZipWriteResult(sorted.Length, directories.Count, uncompressedTotal, archiveSize, reused, !unchanged);
    }

    // Where the data of an entry written by this writer starts: right after a local header with no extra field.
    private static long LocalDataOffset(ZipDirectoryEntry e, ZipDirectory zip)
    {
        var local = e.DataOffset - 30 - Encoding.UTF8.GetByteCount(e.Name);
        return local >= 0 && BitConverter.ToUInt32(zip.Bytes, (int)local) == 0x04034b50 ? e.DataOffset : -1;
    }

    private static bool IsAscii(byte[] bytes)
    {
        foreach (var b in bytes) if (b >= 0x80) return false;
        return true;
    }

    private readonly record struct CompressedEntry(ushort Method, uint Crc, long UncompressedSize, ReadOnlyMemory<byte> Data)
    {
        public static readonly CompressedEntry Directory = new(0, 0, 0, Array.Empty<byte>());
    }

    private static CompressedEntry Compress(ArchiveEntry entry, CompressionLevel level, ZipDirectory? previous, out bool fromPrevious)
    {
        var raw = entry.ReadContent();
        uint crc = Crc32.Compute(raw);
        fromPrevious = false;
        if (previous is not null && previous.ByName.TryGetValue(entry.Path, out var old)
            && old.Crc == crc && old.UncompressedSize == raw.Length && (old.ExternalAttributes >> 16 & 0xF000) == UnixRegularFile
            && ((old.Method == 8 && raw.Length > 0 && old.CompressedSize < raw.Length) || (old.Method == 0 && old.CompressedSize == raw.Length)))
        {
            fromPrevious = true;
            return new CompressedEntry(old.Method, crc, raw.Length, previous.Bytes.AsMemory((int)old.DataOffset, (int)old.CompressedSize));
        }
        if (raw.Length == 0) return new CompressedEntry(0, crc, 0, raw);
        var buffer = new MemoryStream(raw.Length / 2 + 64);
        using (var deflate = new DeflateStream(buffer, level, leaveOpen: true))
            deflate.Write(raw, 0, raw.Length);
        // Store what deflate cannot shrink (already-compressed data), as Info-ZIP does.
        return buffer.Length < raw.Length
            ? new CompressedEntry(8, crc, raw.Length, buffer.GetBuffer().AsMemory(0, (int)buffer.Length))
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
