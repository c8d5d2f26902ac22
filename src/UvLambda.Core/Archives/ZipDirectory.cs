using System.Buffers.Binary;
using System.Text;

namespace UvLambda.Core.Archives;

/// <summary>The fields of one central-directory record (46 bytes, then name, extra field and comment).</summary>
internal readonly record struct CentralRecord(ushort Flags, ushort Method, uint Crc, long CompressedSize, long UncompressedSize,
    int NameLength, int ExtraLength, int CommentLength, uint ExternalAttributes, long LocalHeaderOffset)
{
    public int Length => 46 + NameLength + ExtraLength + CommentLength;

    /// <summary>The record at <paramref name="at"/>, or false when there is none or it runs past the directory's end.</summary>
    public static bool TryRead(ReadOnlySpan<byte> central, int at, out CentralRecord record)
    {
        record = default;
        if (at < 0 || at + 46 > central.Length || BinaryPrimitives.ReadUInt32LittleEndian(central[at..]) != 0x02014b50) return false;
        var h = central.Slice(at, 46);
        record = new CentralRecord(
            BinaryPrimitives.ReadUInt16LittleEndian(h[8..]), BinaryPrimitives.ReadUInt16LittleEndian(h[10..]), BinaryPrimitives.ReadUInt32LittleEndian(h[16..]),
            BinaryPrimitives.ReadUInt32LittleEndian(h[20..]), BinaryPrimitives.ReadUInt32LittleEndian(h[24..]),
            BinaryPrimitives.ReadUInt16LittleEndian(h[28..]), BinaryPrimitives.ReadUInt16LittleEndian(h[30..]), BinaryPrimitives.ReadUInt16LittleEndian(h[32..]),
            BinaryPrimitives.ReadUInt32LittleEndian(h[38..]), BinaryPrimitives.ReadUInt32LittleEndian(h[42..]));
        return at + record.Length <= central.Length;
    }
}

/// <summary>One central-directory record of a zip, with where its compressed bytes are.</summary>
public sealed record ZipDirectoryEntry(string Name, ushort Method, uint Crc, long CompressedSize, long UncompressedSize, uint ExternalAttributes, long DataOffset);

/// <summary>
/// Reads the central directory of a zip without ZIP64 (what <see cref="DeterministicZipWriter"/> writes), so a rebuild
/// can reuse the compressed bytes of unchanged entries. Anything unexpected yields null: the caller then compresses.
/// A damaged previous archive is simply rebuilt, so every count, size, offset and length is checked against the file,
/// and each local header against its central record (the writer's "unchanged" check compares only the central directory).
/// Only the directory and the local headers are read (positional reads), so memory stays flat whatever the archive's size.
/// </summary>
public sealed class ZipDirectory
{
    private readonly byte[]? _bytes;

    private ZipDirectory(string? path, byte[]? bytes, long length, List<ZipDirectoryEntry> entries, byte[] central, long centralOffset)
    {
        Path = path;
        _bytes = bytes;
        Length = length;
        Entries = entries;
        CentralDirectory = central;
        CentralDirectoryOffset = centralOffset;
        ByName = new Dictionary<string, ZipDirectoryEntry>(entries.Count, StringComparer.Ordinal);
        foreach (var e in entries) ByName.TryAdd(e.Name, e);
    }

    /// <summary>The archive on disk (null when parsed from memory).</summary>
    public string? Path { get; }

    /// <summary>The archive's length in bytes.</summary>
    public long Length { get; }
    public IReadOnlyList<ZipDirectoryEntry> Entries { get; }
    public Dictionary<string, ZipDirectoryEntry> ByName { get; }
    public ReadOnlyMemory<byte> CentralDirectory { get; }
    public long CentralDirectoryOffset { get; }

    /// <summary>An entry's compressed bytes (from <paramref name="handle"/>, the archive opened for reading, when given).</summary>
    public byte[] ReadData(ZipDirectoryEntry e, Microsoft.Win32.SafeHandles.SafeFileHandle? handle = null)
    {
        var data = new byte[e.CompressedSize];
        if (_bytes is not null) _bytes.AsSpan((int)e.DataOffset, data.Length).CopyTo(data);
        else if (handle is not null) ZipEntrySource.ReadExactly(handle, data, e.DataOffset);
        else
        {
            using var h = File.OpenHandle(Path!, FileMode.Open, FileAccess.Read, FileShare.Read);
            ZipEntrySource.ReadExactly(h, data, e.DataOffset);
        }
        return data;
    }

    public static ZipDirectory? TryRead(string path)
    {
        var directory = TryOpen(path, out var handle);
        handle?.Dispose();
        return directory;
    }

    /// <summary>
    /// As <see cref="TryRead"/>, leaving <paramref name="handle"/> open on the file whose directory was read (null when
    /// none was): entries' data and a copied prefix must come from that file, not from whatever file the path names
    /// later — a concurrent build of the same project renames its own archive over it meanwhile. The caller disposes it.
    /// Opened with delete sharing, so that rename still succeeds on Windows.
    /// </summary>
    public static ZipDirectory? TryOpen(string path, out Microsoft.Win32.SafeHandles.SafeFileHandle? handle)
    {
        handle = null;
        try
        {
            if (!File.Exists(path)) return null;
            var h = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
            long length = RandomAccess.GetLength(h);
            var directory = TryParse((o, b) => RandomAccess.Read(h, b.Span, o), length, System.IO.Path.GetFullPath(path), null);
            if (directory is null) h.Dispose();
            else handle = h;
            return directory;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            handle?.Dispose();
            handle = null;
            return null;
        }
    }

    public static ZipDirectory? TryParse(byte[] b) =>
        TryParse((offset, buffer) =>
        {
            if (offset >= b.Length) return 0;
            int n = (int)Math.Min(buffer.Length, b.Length - offset);
            b.AsSpan((int)offset, n).CopyTo(buffer.Span);
            return n;
        }, b.Length, null, b);

    private static ZipDirectory? TryParse(Func<long, Memory<byte>, int> read, long length, string? path, byte[]? bytes)
    {
        try
        {
            return Parse(read, length, path, bytes);
        }
        catch (Exception e) when (e is ArgumentException or IndexOutOfRangeException or OverflowException or EndOfStreamException)
        {
            // A bound the checks below missed: still only a previous archive that cannot be reused.
            return null;
        }
    }

    private static void ReadExactly(Func<long, Memory<byte>, int> read, Memory<byte> buffer, long offset)
    {
        while (buffer.Length > 0)
        {
            int n = read(offset, buffer);
            if (n <= 0) throw new EndOfStreamException();
            buffer = buffer[n..];
            offset += n;
        }
    }

    private static ZipDirectory? Parse(Func<long, Memory<byte>, int> read, long length, string? path, byte[]? bytes)
    {
        if (length < 22 || length > uint.MaxValue) return null;
        // End of central directory: no comment is written, but tolerate one (search back up to 64 KiB).
        int tailLength = (int)Math.Min(length, 22 + 0xFFFF);
        var tail = new byte[tailLength];
        ReadExactly(read, tail, length - tailLength);
        int at = -1;
        for (int i = tailLength - 22; i >= 0; i--)
            if (BinaryPrimitives.ReadUInt32LittleEndian(tail.AsSpan(i)) == 0x06054b50) { at = i; break; }
        if (at < 0) return null;
        long eocd = length - tailLength + at;
        var e = tail.AsSpan(at);
        // One disk, every entry on it, the comment (if any) exactly to the end, the central directory right before.
        if (BinaryPrimitives.ReadUInt32LittleEndian(e[4..]) != 0) return null;
        int count = BinaryPrimitives.ReadUInt16LittleEndian(e[10..]);
        if (BinaryPrimitives.ReadUInt16LittleEndian(e[8..]) != count) return null;
        if (eocd + 22 + BinaryPrimitives.ReadUInt16LittleEndian(e[20..]) != length) return null;
        long size = BinaryPrimitives.ReadUInt32LittleEndian(e[12..]);
        long offset = BinaryPrimitives.ReadUInt32LittleEndian(e[16..]);
        if (offset + size != eocd) return null;
        var central = new byte[size];
        ReadExactly(read, central, offset);
        var entries = new List<ZipDirectoryEntry>(count);
        var local = new byte[30 + 0xFFFF];
        int p = 0;
        for (int n = 0; n < count; n++)
        {
            if (!CentralRecord.TryRead(central, p, out var record)) return null;
            var h = central.AsSpan(p, 46);
            var (method, crc, compressed, uncompressed, nameLength, external, localAt) =
                (record.Method, record.Crc, record.CompressedSize, record.UncompressedSize, record.NameLength, record.ExternalAttributes, record.LocalHeaderOffset);
            var name = Encoding.UTF8.GetString(central, p + 46, nameLength);
            if (localAt + 30 + nameLength > offset) return null;
            var l = local.AsSpan(0, 30 + nameLength);
            ReadExactly(read, local.AsMemory(0, 30 + nameLength), localAt);
            if (BinaryPrimitives.ReadUInt32LittleEndian(l) != 0x04034b50) return null;
            int localNameLength = BinaryPrimitives.ReadUInt16LittleEndian(l[26..]);
            // The local header must say what the central record says (version, flags without a data descriptor, method,
            // time, CRC, sizes, name): a rebuild that finds the central directory unchanged keeps the local headers as they are.
            if (!l.Slice(4, 22).SequenceEqual(h.Slice(6, 22))
                || (BinaryPrimitives.ReadUInt16LittleEndian(l[6..]) & 0x9) != 0 || localNameLength != nameLength
                || !l.Slice(30, nameLength).SequenceEqual(central.AsSpan(p + 46, nameLength)))
                return null;
            // No local extra field (the writer adds none): one that is there, or whose length lies, would shift the data.
            if (BinaryPrimitives.ReadUInt16LittleEndian(l[28..]) != 0) return null;
            long data = localAt + 30 + localNameLength;
            if (data + compressed > offset) return null;
            entries.Add(new ZipDirectoryEntry(name, method, crc, compressed, uncompressed, external, data));
            p += record.Length;
        }
        if (p != size) return null;
        return new ZipDirectory(path, bytes, length, entries, central, offset);
    }
}
