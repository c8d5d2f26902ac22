using System.Runtime.CompilerServices;

namespace UvLambda.Core.Archives;

/// <summary>CRC-32 (IEEE, as zip and gzip use it), slicing-by-8. The BCL has none without a NuGet package.</summary>
public static class Crc32
{
    private static readonly uint[] Table = BuildTable();

    private static uint[] BuildTable()
    {
        var table = new uint[8 * 256];
        for (uint i = 0; i < 256; i++)
        {
            uint c = i;
            for (int k = 0; k < 8; k++)
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[i] = c;
        }
        for (int i = 0; i < 256; i++)
            for (int s = 1; s < 8; s++)
                table[s * 256 + i] = (table[(s - 1) * 256 + i] >> 8) ^ table[table[(s - 1) * 256 + i] & 0xFF];
        return table;
    }

    public static uint Compute(ReadOnlySpan<byte> data) => Append(0, data);

    /// <summary>Continues a CRC over more data (start with 0). Compiled optimized at once: one call may cover megabytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        uint c = ~crc;
        var t = Table;
        int i = 0;
        while (data.Length - i >= 8)
        {
            uint one = (uint)(data[i] | data[i + 1] << 8 | data[i + 2] << 16 | data[i + 3] << 24) ^ c;
            uint two = (uint)(data[i + 4] | data[i + 5] << 8 | data[i + 6] << 16 | data[i + 7] << 24);
            c = t[7 * 256 + (one & 0xFF)] ^ t[6 * 256 + ((one >> 8) & 0xFF)] ^ t[5 * 256 + ((one >> 16) & 0xFF)] ^ t[4 * 256 + (one >> 24)]
              ^ t[3 * 256 + (two & 0xFF)] ^ t[2 * 256 + ((two >> 8) & 0xFF)] ^ t[1 * 256 + ((two >> 16) & 0xFF)] ^ t[two >> 24];
            i += 8;
        }
        for (; i < data.Length; i++)
            c = t[(c ^ data[i]) & 0xFF] ^ (c >> 8);
        return ~c;
    }
}
