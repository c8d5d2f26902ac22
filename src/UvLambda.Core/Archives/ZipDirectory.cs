using System.Buffers.Binary;
using System.Text;

namespace UvLambda.Core.Archives;

/// <summary>One central-directory record of a zip, with where its compressed bytes are.</summary>
public sealed record ZipDirectoryEntry(string Name, ushort Method, uint Crc, long CompressedSize, long UncompressedSize, uint ExternalAttributes, long DataOffset);

/// <summary>
/// Reads the central directory of a zip without ZIP64 (what <see cref="DeterministicZipWriter"/> writes), so a rebuild
/// can reuse the compressed bytes of unchanged entries. Anything unexpected yields null: the caller then compresses.
/// A damaged previous archive is simply rebuilt, so every count, size, offset and length is checked against the file,
/// and each local header against its central record (the writer's "unchanged" check compares only the central directory).
/// </summary>
public sealed class ZipDirectory
{
    private ZipDirectory(byte[] bytes, List<ZipDirectoryEntry> entries, ReadOnlyMemory<byte> central)
    {
        Bytes = bytes;
        Entries = entries;
        CentralDirectory = central;
        ByName = entries.GroupBy(e => e.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
    }

    public byte[] Bytes { get; }
    public IReadOnlyList<ZipDirectoryEntry> Entries { get; }
    public IReadOnlyDictionary<string, ZipDirectoryEntry> ByName { get; }
    public ReadOnlyMemory<byte> CentralDirectory { get; }

    public ReadOnlySpan<byte> Data(ZipDirectoryEntry e) => Bytes.AsSpan((int)e.DataOffset, (int)e.CompressedSize);

    public static ZipDirectory? TryRead(string path)
    {
        try
        {
            return File.Exists(path) ? TryParse(File.ReadAllBytes(path)) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public static ZipDirectory? TryParse(byte[] b)
    {
        try
        {
            return Parse(b);
        }
        catch (Exception e) when (e is ArgumentException or IndexOutOfRangeException or OverflowException)
        {
            // A bound the checks below missed: still only a previous archive that cannot be reused.
            return null;
        }
    }

    private static ZipDirectory? Parse(byte[] b)
    {
        // End of central directory: no comment is written, but tolerate one (search back up to 64 KiB).
        int eocd = -1;
        for (int i = b.Length - 22; i >= 0 && i >= b.Length - 22 - 0xFFFF; i--)
            if (BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(i)) == 0x06054b50) { eocd = i; break; }
        if (eocd < 0) return null;
        // One disk, every entry on it, the comment (if any) exactly to the end, the central directory right before.
        if (BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(eocd + 4)) != 0) return null;
        int count = BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(eocd + 10));
        if (BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(eocd + 8)) != count) return null;
        if (eocd + 22 + BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(eocd + 20)) != b.Length) return null;
        long size = BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(eocd + 12));
        long offset = BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(eocd + 16));
        if (offset + size != eocd) return null;
        var entries = new List<ZipDirectoryEntry>(count);
        long p = offset;
        for (int n = 0; n < count; n++)
        {
            if (p + 46 > eocd || BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan((int)p)) != 0x02014b50) return null;
            var h = b.AsSpan((int)p, 46);
            ushort method = BinaryPrimitives.ReadUInt16LittleEndian(h[10..]);
            uint crc = BinaryPrimitives.ReadUInt32LittleEndian(h[16..]);
            long compressed = BinaryPrimitives.ReadUInt32LittleEndian(h[20..]);
            long uncompressed = BinaryPrimitives.ReadUInt32LittleEndian(h[24..]);
            int nameLength = BinaryPrimitives.ReadUInt16LittleEndian(h[28..]);
            int extraLength = BinaryPrimitives.ReadUInt16LittleEndian(h[30..]);
            int commentLength = BinaryPrimitives.ReadUInt16LittleEndian(h[32..]);
            uint external = BinaryPrimitives.ReadUInt32LittleEndian(h[38..]);
            long local = BinaryPrimitives.ReadUInt32LittleEndian(h[42..]);
            if (p + 46 + nameLength + extraLength + commentLength > offset + size) return null;
            var name = Encoding.UTF8.GetString(b, (int)p + 46, nameLength);
            if (local + 30 > offset || BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan((int)local)) != 0x04034b50) return null;
            var l = b.AsSpan((int)local, 30);
            int localNameLength = BinaryPrimitives.ReadUInt16LittleEndian(l[26..]);
            // The local header must say what the central record says (version, flags without a data descriptor, method,
            // time, CRC, sizes, name): a rebuild that finds the central directory unchanged keeps the local headers as they are.
            if (!l.Slice(4, 22).SequenceEqual(h.Slice(6, 22))
                || (BinaryPrimitives.ReadUInt16LittleEndian(l[6..]) & 0x9) != 0 || localNameLength != nameLength
                || local + 30 + nameLength > offset || !b.AsSpan((int)local + 30, nameLength).SequenceEqual(b.AsSpan((int)p + 46, nameLength)))
                return null;
            // No local extra field (the writer adds none): one that is there, or whose length lies, would shift the data.
            if (BinaryPrimitives.ReadUInt16LittleEndian(l[28..]) != 0) return null;
            long data = local + 30 + localNameLength;
            if (data + compressed > offset) return null;
            entries.Add(new ZipDirectoryEntry(name, method, crc, compressed, uncompressed, external, data));
            p += 46 + nameLength + extraLength + commentLength;
        }
        if (p != offset + size) return null;
        return new ZipDirectory(b, entries, b.AsMemory((int)offset, (int)size));
    }
}
