using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace UvLambda.Core.Archives;

/// <summary>
/// Where one entry's compressed bytes lie in a zip on disk (a wheel): enough to copy them into another zip as they
/// are (no inflate, no deflate) or to inflate them on demand. The archive must not change while it is referenced
/// (wheels live in the content-addressed cache, named by their sha256).
/// </summary>
public sealed record ZipEntrySource(string ArchivePath, long DataOffset, ushort Method, long CompressedSize, long UncompressedSize, uint Crc)
{
    /// <summary>The entry's bytes as stored in the archive (deflated for method 8).</summary>
    public byte[] ReadCompressed()
    {
        var bytes = new byte[CompressedSize];
        using var handle = File.OpenHandle(ArchivePath, FileMode.Open, FileAccess.Read, FileShare.Read);
        ReadExactly(handle, bytes, DataOffset);
        return bytes;
    }

    /// <summary>The entry's content, inflated.</summary>
    public byte[] ReadContent()
    {
        var compressed = ReadCompressed();
        if (Method == 0) return compressed;
        var content = new byte[UncompressedSize];
        using var inflate = new DeflateStream(new MemoryStream(compressed), CompressionMode.Decompress);
        inflate.ReadExactly(content);
        return content;
    }

    internal static void ReadExactly(Microsoft.Win32.SafeHandles.SafeFileHandle handle, Span<byte> buffer, long offset)
    {
        while (buffer.Length > 0)
        {
            int read = RandomAccess.Read(handle, buffer, offset);
            if (read <= 0) throw new EndOfStreamException("The archive ended before the entry's data.");
            buffer = buffer[read..];
            offset += read;
        }
    }
}

/// <summary>
/// Finds where each entry's data starts in a zip written by any tool (a wheel): the central directory gives the
/// local header's offset, the local header its own name and extra lengths. Only what can be copied as it is gets a
/// source: method 0 or 8, not encrypted, no ZIP64. Anything else (or a zip that does not parse) yields null for the
/// whole archive, and the caller unpacks instead.
/// </summary>
public static class ZipEntryLocator
{
    public static IReadOnlyDictionary<string, ZipEntrySource>? TryLocate(string archivePath)
    {
        try
        {
            using var handle = File.OpenHandle(archivePath, FileMode.Open, FileAccess.Read, FileShare.Read);
            return Locate(handle, archivePath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or IndexOutOfRangeException or OverflowException)
        {
            return null;
        }
    }

    private static Dictionary<string, ZipEntrySource>? Locate(Microsoft.Win32.SafeHandles.SafeFileHandle handle, string archivePath)
    {
        long length = RandomAccess.GetLength(handle);
        int tail = (int)Math.Min(length, 22 + 0xFFFF);
        var end = new byte[tail];
        ZipEntrySource.ReadExactly(handle, end, length - tail);
        int eocd = -1;
        for (int i = tail - 22; i >= 0; i--)
            if (BinaryPrimitives.ReadUInt32LittleEndian(end.AsSpan(i)) == 0x06054b50) { eocd = i; break; }
        if (eocd < 0) return null;
        int count = BinaryPrimitives.ReadUInt16LittleEndian(end.AsSpan(eocd + 10));
        long size = BinaryPrimitives.ReadUInt32LittleEndian(end.AsSpan(eocd + 12));
        long offset = BinaryPrimitives.ReadUInt32LittleEndian(end.AsSpan(eocd + 16));
        // ZIP64 (or a multi-disk archive): not copied as it is.
        if (count == 0xFFFF || size == 0xFFFFFFFF || offset == 0xFFFFFFFF || BinaryPrimitives.ReadUInt32LittleEndian(end.AsSpan(eocd + 4)) != 0) return null;
        long eocdAt = length - tail + eocd;
        if (offset + size > eocdAt || size > int.MaxValue) return null;
        var central = new byte[size];
        ZipEntrySource.ReadExactly(handle, central, offset);
        var result = new Dictionary<string, ZipEntrySource>(count, StringComparer.Ordinal);
        Span<byte> local = stackalloc byte[30];
        int p = 0;
        for (int n = 0; n < count; n++)
        {
            if (!CentralRecord.TryRead(central, p, out var record)) return null;
            var (flags, method, crc, compressed, uncompressed, at) =
                (record.Flags, record.Method, record.Crc, record.CompressedSize, record.UncompressedSize, record.LocalHeaderOffset);
            var name = Encoding.UTF8.GetString(central, p + 46, record.NameLength);
            p += record.Length;
            if (name.EndsWith('/')) continue;
            if ((flags & 1) != 0 || method is not (0 or 8) || compressed == 0xFFFFFFFF || uncompressed == 0xFFFFFFFF || at == 0xFFFFFFFF) return null;
            if (at + 30 > offset) return null;
            ZipEntrySource.ReadExactly(handle, local, at);
            if (BinaryPrimitives.ReadUInt32LittleEndian(local) != 0x04034b50 || BinaryPrimitives.ReadUInt16LittleEndian(local[8..]) != method) return null;
            long data = at + 30 + BinaryPrimitives.ReadUInt16LittleEndian(local[26..]) + BinaryPrimitives.ReadUInt16LittleEndian(local[28..]);
            if (data + compressed > offset) return null;
            if (method == 0 && compressed != uncompressed) return null;
            if (!result.TryAdd(name, new ZipEntrySource(archivePath, data, method, compressed, uncompressed, crc))) return null;
        }
        return result;
    }
}
