using System.Globalization;
using System.Text;

namespace UvLambda.Core.Archives;

/// <summary>
/// Writes POSIX ustar entries with every varying field fixed: uid/gid 0, empty user and group names, one mtime,
/// modes as given. A name that does not fit ustar's 100+155 bytes gets a PAX header with only <c>path</c> (no
/// atime/ctime/mtime records), so the bytes depend on the names, modes and contents alone.
/// </summary>
public sealed class DeterministicTarWriter(Stream output, long mtimeSeconds)
{
    private readonly byte[] _header = new byte[512];
    private static readonly byte[] Zeros = new byte[1024];

    public void AddDirectory(string path, int mode = 0x1ED) =>
        WriteHeader(path.EndsWith('/') ? path : path + "/", (byte)'5', 0, mode);

    public void AddFile(string path, int mode, ReadOnlySpan<byte> content)
    {
        WriteHeader(path, (byte)'0', content.Length, mode);
        output.Write(content);
        Pad(content.Length);
    }

    /// <summary>Adds a file by copying it; fails if it changed length while being copied.</summary>
    public void AddFile(string path, int mode, string sourceFile)
    {
        using var source = new FileStream(sourceFile, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        var size = source.Length;
        WriteHeader(path, (byte)'0', size, mode);
        source.CopyTo(output, 1 << 16);
        if (source.Position != size) throw new IOException($"{sourceFile} changed while it was being archived.");
        Pad(size);
    }

    /// <summary>The two zero blocks that end an archive.</summary>
    public void Finish() => output.Write(Zeros, 0, 1024);

    private void Pad(long size)
    {
        var rest = (int)(size % 512);
        if (rest != 0) output.Write(Zeros, 0, 512 - rest);
    }

    private void WriteHeader(string name, byte type, long size, int mode)
    {
        var nameBytes = Encoding.UTF8.GetBytes(name);
        byte[] prefix = [], shortName = nameBytes;
        if (nameBytes.Length > 100 && !TrySplit(nameBytes, out prefix, out shortName))
        {
            // PAX extended header with the path alone; its own name is fixed.
            var record = PaxRecord("path", nameBytes);
            WriteRawHeader(Encoding.ASCII.GetBytes("PaxHeaders/path"), [], (byte)'x', record.Length, 0x1A4);
            output.Write(record);
            Pad(record.Length);
            shortName = nameBytes[..100];
            prefix = [];
        }
        WriteRawHeader(shortName, prefix, type, size, mode);
    }

    private static bool TrySplit(byte[] name, out byte[] prefix, out byte[] rest)
    {
        // ustar: prefix (<=155) + '/' + name (<=100); split at a '/' that satisfies both.
        for (int i = Math.Min(name.Length - 1, 155); i > 0; i--)
        {
            if (name[i] == (byte)'/' && name.Length - i - 1 <= 100 && name.Length - i - 1 > 0)
            {
                prefix = name[..i];
                rest = name[(i + 1)..];
                return true;
            }
        }
        prefix = rest = [];
        return false;
    }

    private static byte[] PaxRecord(string key, byte[] value)
    {
        // "<len> key=value\n" where len counts itself.
        int body = 1 + key.Length + 1 + value.Length + 1;
        int len = body + 1;
        while (len.ToString(CultureInfo.InvariantCulture).Length + body != len) len++;
        var record = new List<byte>(len);
        record.AddRange(Encoding.ASCII.GetBytes($"{len} {key}="));
        record.AddRange(value);
        record.Add((byte)'\n');
        return [.. record];
    }

    private void WriteRawHeader(byte[] name, byte[] prefix, byte type, long size, int mode)
    {
        var h = _header;
        Array.Clear(h);
        name.CopyTo(h, 0);
        Octal(h, 100, 8, mode & 0xFFF);
        Octal(h, 108, 8, 0); // uid
        Octal(h, 116, 8, 0); // gid
        if (size < 077777777777L) Octal(h, 124, 12, size);
        else
        {
            // Base-256 for sizes of 8 GiB and more (GNU and PAX readers accept it).
            h[124] = 0x80;
            for (int i = 0; i < 8; i++) h[135 - i] = (byte)(size >> (8 * i));
        }
        Octal(h, 136, 12, mtimeSeconds);
        h[156] = type;
        Encoding.ASCII.GetBytes("ustar\0").CopyTo(h, 257);
        h[263] = (byte)'0';
        h[264] = (byte)'0';
        Octal(h, 329, 8, 0); // devmajor
        Octal(h, 337, 8, 0); // devminor
        prefix.CopyTo(h, 345);
        // Checksum: computed with the field as spaces, written as 6 octal digits, NUL, space.
        for (int i = 148; i < 156; i++) h[i] = (byte)' ';
        int sum = 0;
        foreach (var b in h) sum += b;
        var digits = Convert.ToString(sum, 8).PadLeft(6, '0');
        Encoding.ASCII.GetBytes(digits).CopyTo(h, 148);
        h[154] = 0;
        h[155] = (byte)' ';
        output.Write(h, 0, 512);
    }

    private static void Octal(byte[] h, int offset, int length, long value)
    {
        var digits = Convert.ToString(value, 8).PadLeft(length - 1, '0');
        Encoding.ASCII.GetBytes(digits).CopyTo(h, offset);
        h[offset + length - 1] = 0;
    }
}
