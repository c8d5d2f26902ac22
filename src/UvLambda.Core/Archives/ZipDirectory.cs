using System.Buffers.Binary;
using System.Text;

namespace UvLambda.Core.Archives;

/// <summary>One central-directory record of a zip, with where its compressed bytes are.</summary>
public sealed record ZipDirectoryEntry(string Name, ushort Method, uint Crc, long CompressedSize, long UncompressedSize, uint ExternalAttributes, long DataOffset);

/// <summary>
/// Reads the central directory of a zip without ZIP64 (what <see cref="DeterministicZipWriter"/> writes), so a rebuild
/// can reuse the compressed bytes of unchanged entries. Anything unexpected yields null: the caller then compresses.
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
        catch (IOException)
        {
            return null;
        }
    }

    public static ZipDirectory? TryParse(byte[] b)
    {
        // End of central directory: no comment is written, but tolerate one (search back up to 64 KiB).
        int eocd = -1;
        for (int i = b.Length - 22; i >= 0 && i >= b.Length - 22 - 0xFFFF; i--)
            if (BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(i)) == 0x06054b50) { eocd = i; break; }
        if (eocd < 0) return null;
        int count = BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(eocd + 10));
        long size = BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(eocd + 12));
        long offset = BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(eocd + 16));
        if (offset + size > eocd) return null;
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
            if (p + 46 + nameLength > eocd) return null;
            var name = Encoding.UTF8.GetString(b, (int)p + 46, nameLength);
            if (local + 30 > b.Length || BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan((int)local)) != 0x04034b50) return null;
            long data = local + 30 + BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan((int)local + 26)) + BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan((int)local + 28));
            if (data + compressed > offset) return null;
            entries.Add(new ZipDirectoryEntry(name, method, crc, compressed, uncompressed, external, data));
            p += 46 + nameLength + extraLength + commentLength;
        }
        return new ZipDirectory(b, entries, b.AsMemory((int)offset, (int)size));
    }
}
