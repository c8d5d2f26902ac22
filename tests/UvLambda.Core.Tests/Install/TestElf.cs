using System.Buffers.Binary;
using System.Text;

namespace UvLambda.Core.Tests.Install;

/// <summary>
/// Minimal ELF files for architectures and byte orders this machine has no binaries of: a header, a string table
/// and a <c>.gnu.version_r</c> section listing the given version needs, with section headers for both.
/// </summary>
internal static class TestElf
{
    public const ushort X86_64 = 62;
    public const ushort Aarch64 = 183;
    public const ushort PowerPc = 20;
    public const ushort S390 = 22;

    public static byte[] Build(bool is64, bool bigEndian, ushort machine, params (string File, string[] Versions)[] needs)
    {
        var strings = new MemoryStream();
        strings.WriteByte(0);
        int Intern(string s)
        {
            var at = (int)strings.Position;
            strings.Write(Encoding.ASCII.GetBytes(s));
            strings.WriteByte(0);
            return at;
        }
        var verneed = new List<byte>();
        for (var i = 0; i < needs.Length; i++)
        {
            var (library, versions) = needs[i];
            var size = 16 + 16 * versions.Length;
            verneed.AddRange(U16(1)); // vn_version
            verneed.AddRange(U16((ushort)versions.Length));
            verneed.AddRange(U32((uint)Intern(library)));
            verneed.AddRange(U32(16)); // vn_aux: right after this entry
            verneed.AddRange(U32(i == needs.Length - 1 ? 0u : (uint)size));
            for (var j = 0; j < versions.Length; j++)
            {
                verneed.AddRange(U32(0)); // vna_hash (not checked by readers of names)
                verneed.AddRange(U16(0));
                verneed.AddRange(U16((ushort)(j + 2)));
                verneed.AddRange(U32((uint)Intern(versions[j])));
                verneed.AddRange(U32(j == versions.Length - 1 ? 0u : 16u));
            }
        }

        var headerSize = is64 ? 64 : 52;
        var sectionSize = is64 ? 64 : 40;
        var dynstr = strings.ToArray();
        var dynstrOffset = headerSize;
        var verneedOffset = Align(dynstrOffset + dynstr.Length);
        var sectionsOffset = Align(verneedOffset + verneed.Count);
        var file = new byte[sectionsOffset + 3 * sectionSize];

        file[0] = 0x7F; file[1] = (byte)'E'; file[2] = (byte)'L'; file[3] = (byte)'F';
        file[4] = (byte)(is64 ? 2 : 1);
        file[5] = (byte)(bigEndian ? 2 : 1);
        file[6] = 1; // EV_CURRENT
        Put16(16, 3); // ET_DYN
        Put16(18, machine);
        Put32(20, 1);
        if (is64)
        {
            Put64(0x28, (ulong)sectionsOffset);
            Put16(0x34, (ushort)headerSize);
            Put16(0x3A, (ushort)sectionSize);
            Put16(0x3C, 3);
        }
        else
        {
            Put32(0x20, (uint)sectionsOffset);
            Put16(0x28, (ushort)headerSize);
            Put16(0x2E, (ushort)sectionSize);
            Put16(0x30, 3);
        }
        dynstr.CopyTo(file, dynstrOffset);
        verneed.ToArray().CopyTo(file, verneedOffset);
        // [0] SHT_NULL, [1] .dynstr (SHT_STRTAB), [2] .gnu.version_r (SHT_GNU_verneed, link 1, info = entry count).
        Section(1, 3, dynstrOffset, dynstr.Length, 0, 0);
        Section(2, 0x6ffffffe, verneedOffset, verneed.Count, 1, (uint)needs.Length);
        return file;

        void Section(int index, uint type, int offset, int size, uint link, uint info)
        {
            var at = sectionsOffset + index * sectionSize;
            Put32(at + 4, type);
            if (is64)
            {
                Put64(at + 0x18, (ulong)offset);
                Put64(at + 0x20, (ulong)size);
                Put32(at + 0x28, link);
                Put32(at + 0x2C, info);
            }
            else
            {
                Put32(at + 0x10, (uint)offset);
                Put32(at + 0x14, (uint)size);
                Put32(at + 0x18, link);
                Put32(at + 0x1C, info);
            }
        }
        void Put16(int at, ushort v) => U16(v).CopyTo(file, at);
        void Put32(int at, uint v) => U32(v).CopyTo(file, at);
        void Put64(int at, ulong v)
        {
            if (bigEndian) BinaryPrimitives.WriteUInt64BigEndian(file.AsSpan(at), v);
            else BinaryPrimitives.WriteUInt64LittleEndian(file.AsSpan(at), v);
        }
        byte[] U16(ushort v)
        {
            var b = new byte[2];
            if (bigEndian) BinaryPrimitives.WriteUInt16BigEndian(b, v); else BinaryPrimitives.WriteUInt16LittleEndian(b, v);
            return b;
        }
        byte[] U32(uint v)
        {
            var b = new byte[4];
            if (bigEndian) BinaryPrimitives.WriteUInt32BigEndian(b, v); else BinaryPrimitives.WriteUInt32LittleEndian(b, v);
            return b;
        }
        static int Align(int n) => (n + 7) & ~7;
    }
}
