using System.Buffers.Binary;
using System.Text;

namespace UvLambda.Core.Tests.Install;

/// <summary>
/// Structural damage to a zip at the places a zip reader trusts: end-of-central-directory counts, sizes and offsets,
/// central-directory and local-header sizes, name/extra/comment lengths, names, flags (data descriptors), methods and
/// ZIP64 markers. Each mutation is a pure function of the pristine bytes and a <see cref="Random"/>, so a seed replays it.
/// </summary>
internal static class ZipMutator
{
    private const uint EocdSignature = 0x06054b50;

    public sealed record Structure(int Eocd, int CentralOffset, int CentralSize, IReadOnlyList<int> Central, IReadOnlyList<int> Local, IReadOnlyList<int> NameLengths);

    public static Structure Parse(byte[] b)
    {
        var eocd = b.Length - 22;
        while (BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(eocd)) != EocdSignature)
            eocd--;
        int count = U16(b, eocd + 10), size = (int)U32(b, eocd + 12), offset = (int)U32(b, eocd + 16);
        var central = new List<int>(count);
        var local = new List<int>(count);
        var names = new List<int>(count);
        for (int p = offset, n = 0; n < count; n++)
        {
            central.Add(p);
            local.Add((int)U32(b, p + 42));
            names.Add(U16(b, p + 28));
            p += 46 + U16(b, p + 28) + U16(b, p + 30) + U16(b, p + 32);
        }
        return new Structure(eocd, offset, size, central, local, names);
    }

    /// <summary>The two damages that crashed the build with a stack trace before UVL2208 covered them.</summary>
    public static IEnumerable<(string Name, byte[] Bytes)> KnownCrashes(byte[] pristine)
    {
        var s = Parse(pristine);
        var count = U16(pristine, s.Eocd + 10);
        yield return ("eocd-total-count+1", With(pristine, b => { W16(b, s.Eocd + 8, count + 1); W16(b, s.Eocd + 10, count + 1); }));
        yield return ("eocd-total-count-1", With(pristine, b => W16(b, s.Eocd + 10, count - 1)));
        yield return ("cd-extra-length-past-record", With(pristine, b => W16(b, s.Central[^1] + 30, 0xFFFF)));
        yield return ("cd-extra-length-first+7", With(pristine, b => W16(b, s.Central[0] + 30, U16(b, s.Central[0] + 30) + 7)));
    }

    /// <summary>One random structural mutation of <paramref name="pristine"/>, with a name saying what was changed.</summary>
    public static (string Name, byte[] Bytes) Mutate(byte[] pristine, Random rng)
    {
        var s = Parse(pristine);
        var b = (byte[])pristine.Clone();
        var i = rng.Next(s.Central.Count);
        int cd = s.Central[i], local = s.Local[i];
        int Around(int value, int max) => rng.Next(6) switch
        {
            0 => value + 1,
            1 => Math.Max(0, value - 1),
            2 => 0,
            3 => max,
            4 => value + rng.Next(1, 64),
            _ => rng.Next(max),
        };
        uint Around32(uint value) => rng.Next(6) switch
        {
            0 => value + 1,
            1 => value == 0 ? 0 : value - 1,
            2 => 0,
            3 => uint.MaxValue,
            4 => value + (uint)rng.Next(1, 4096),
            _ => (uint)rng.Next(),
        };
        switch (rng.Next(24))
        {
            case 0: { var v = Around(U16(b, s.Eocd + 8), 0xFFFF); W16(b, s.Eocd + 8, v); return ($"eocd-disk-count={v}", b); }
            case 1: { var v = Around(U16(b, s.Eocd + 10), 0xFFFF); W16(b, s.Eocd + 10, v); return ($"eocd-total-count={v}", b); }
            case 2: { var v = Around32(U32(b, s.Eocd + 12)); W32(b, s.Eocd + 12, v); return ($"eocd-cd-size={v}", b); }
            case 3: { var v = Around32(U32(b, s.Eocd + 16)); W32(b, s.Eocd + 16, v); return ($"eocd-cd-offset={v}", b); }
            case 4: { var v = Around(U16(b, s.Eocd + 20), 0xFFFF); W16(b, s.Eocd + 20, v); return ($"eocd-comment-length={v}", b); }
            case 5: { var v = rng.Next(1, 3); W16(b, s.Eocd + 4 + 2 * rng.Next(2), v); return ($"eocd-disk-number={v}", b); }
            case 6: { var v = Around32(U32(b, cd + 20)); W32(b, cd + 20, v); return ($"cd[{i}]-compressed-size={v}", b); }
            case 7: { var v = Around32(U32(b, cd + 24)); W32(b, cd + 24, v); return ($"cd[{i}]-uncompressed-size={v}", b); }
            case 8: { var v = Around(U16(b, cd + 28), 0xFFFF); W16(b, cd + 28, v); return ($"cd[{i}]-name-length={v}", b); }
            case 9: { var v = Around(U16(b, cd + 30), 0xFFFF); W16(b, cd + 30, v); return ($"cd[{i}]-extra-length={v}", b); }
            case 10: { var v = Around(U16(b, cd + 32), 0xFFFF); W16(b, cd + 32, v); return ($"cd[{i}]-comment-length={v}", b); }
            case 11: { var v = Around32(U32(b, cd + 42)); W32(b, cd + 42, v); return ($"cd[{i}]-local-offset={v}", b); }
            case 12: { var v = new[] { 0, 1, 9, 12, 14, 99, 0xFFFF }[rng.Next(7)]; W16(b, cd + 10, v); W16(b, local + 8, v); return ($"method[{i}]={v}", b); }
            case 13:
            {
                // Bit 3: sizes and CRC in a data descriptor after the data (zeroed in the local header); bit 0: encrypted.
                var bit = rng.Next(2) == 0 ? 0x8 : 0x1;
                W16(b, cd + 8, U16(b, cd + 8) | bit);
                W16(b, local + 6, U16(b, local + 6) | bit);
                if (bit == 0x8 && rng.Next(2) == 0)
                    b.AsSpan(local + 14, 12).Clear();
                return ($"flags[{i}]|={bit}", b);
            }
            case 14: { var v = Around32(U32(b, cd + 16)); W32(b, cd + 16, v); return ($"cd[{i}]-crc={v}", b); }
            case 15:
            {
                // ZIP64 markers with no ZIP64 extra field (or a short one) behind them.
                W32(b, cd + 20, uint.MaxValue); W32(b, cd + 24, uint.MaxValue);
                if (rng.Next(2) == 0) W32(b, cd + 42, uint.MaxValue);
                return ($"cd[{i}]-zip64-markers", b);
            }
            case 16: { var at = local + (rng.Next(2) == 0 ? 18 : 22); var v = Around32(U32(b, at)); W32(b, at, v); return ($"local[{i}]-size@{at - local}={v}", b); }
            case 17: { var at = local + (rng.Next(2) == 0 ? 26 : 28); var v = Around(U16(b, at), 0xFFFF); W16(b, at, v); return ($"local[{i}]-length@{at - local}={v}", b); }
            case 18:
            {
                var kind = rng.Next(6);
                var length = s.NameLengths[i];
                byte[] Rename(byte[] name) => kind switch
                {
                    0 when name.Length >= 3 => [(byte)'.', (byte)'.', (byte)'/', .. name[3..]],
                    1 => [(byte)'/', .. name[1..]],
                    2 => Put(name, rng.Next(name.Length), 0),
                    3 => Array.IndexOf(name, (byte)'/') is var slash and >= 0 ? Put(name, slash, (byte)'\\') : Put(name, 0, (byte)'\\'),
                    4 => Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(name).ToUpperInvariant()) is var up && up.Length == name.Length ? up : name,
                    _ when name.Length >= 2 => [(byte)'C', (byte)':', .. name[2..]],
                    _ => Put(name, 0, (byte)'/'),
                };
                var renamed = Rename(b.AsSpan(cd + 46, length).ToArray());
                renamed.CopyTo(b, cd + 46);
                if (rng.Next(3) > 0 && local + 30 + length <= b.Length)
                    renamed.CopyTo(b, local + 30);
                return ($"name[{i}]-kind{kind}={Encoding.UTF8.GetString(renamed).Replace("\0", "\\0")}", b);
            }
            case 19:
            {
                // A name copied from another entry of the same length: a duplicate the reader must notice.
                var same = Enumerable.Range(0, s.Central.Count).Where(j => j != i && s.NameLengths[j] == s.NameLengths[i]).ToList();
                if (same.Count == 0)
                    goto default;
                var j = same[rng.Next(same.Count)];
                b.AsSpan(s.Central[j] + 46, s.NameLengths[j]).CopyTo(b.AsSpan(cd + 46));
                return ($"name[{i}]=name[{j}]", b);
            }
            case 20:
            {
                // A ZIP64 end-of-central-directory locator (pointing anywhere) before an EOCD that says "see ZIP64".
                var locator = new byte[20];
                W32(locator, 0, 0x07064b50);
                BinaryPrimitives.WriteUInt64LittleEndian(locator.AsSpan(8), rng.Next(2) == 0 ? (ulong)rng.Next(b.Length) : ulong.MaxValue - (ulong)rng.Next(100));
                W32(locator, 16, 1);
                var eocd = b[s.Eocd..];
                W16(eocd, 8, 0xFFFF); W16(eocd, 10, 0xFFFF);
                if (rng.Next(2) == 0) { W32(eocd, 12, uint.MaxValue); W32(eocd, 16, uint.MaxValue); }
                return ("zip64-locator", [.. b[..s.Eocd], .. locator, .. eocd]);
            }
            case 21:
            {
                // Flips in the structures (central directory and EOCD), where a flip changes meaning, not content.
                var flips = rng.Next(1, 4);
                for (var k = 0; k < flips; k++)
                {
                    var at = rng.Next(s.CentralOffset, b.Length);
                    b[at] ^= (byte)(1 << rng.Next(8));
                }
                return ($"cd-bit-flips={flips}", b);
            }
            case 22: { var at = rng.Next(b.Length); return ($"truncated-at={at}", b[..at]); }
            default: { var at = rng.Next(local, local + 30); b[at] ^= (byte)(1 << rng.Next(8)); return ($"local[{i}]-flip@{at - local}", b); }
        }
    }

    private static byte[] Put(byte[] name, int at, byte value)
    {
        name[at] = value;
        return name;
    }

    private static byte[] With(byte[] pristine, Action<byte[]> change)
    {
        var b = (byte[])pristine.Clone();
        change(b);
        return b;
    }

    private static int U16(byte[] b, int at) => BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(at));
    private static uint U32(byte[] b, int at) => BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(at));
    private static void W16(byte[] b, int at, int v) => BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(at), (ushort)v);
    private static void W32(byte[] b, int at, uint v) => BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(at), v);
}
