using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace UvLambda.Core.Install.Audit;

/// <summary>
/// What the audit needs from an ELF file: the CPU it is built for, and the glibc symbol versions it needs
/// (<c>GLIBC_2.17</c>, ... from its <c>.gnu.version_r</c> section), sorted ascending without duplicates.
/// </summary>
public sealed record ElfInfo(string Machine, IReadOnlyList<string> GlibcVersionsNeeded);

/// <summary>
/// Reads ELF32/ELF64 headers of either byte order, without external tools: the section headers, the
/// <c>SHT_GNU_verneed</c> section and its linked string table, walking <c>Elf_Verneed</c>/<c>Elf_Vernaux</c> entries.
/// Only the few ranges needed are read, so large libraries cost a handful of small reads.
/// </summary>
public static class ElfFile
{
    private static ReadOnlySpan<byte> Magic => [0x7F, (byte)'E', (byte)'L', (byte)'F'];
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const int MaxSectionCount = 1 << 16;
    private const int MaxSectionBytes = 64 << 20; // a guard against garbage sizes, far above any real .dynstr

    /// <summary>The file's ELF facts, or null when it is not an ELF file (or too damaged to read).</summary>
    public static ElfInfo? TryRead(string path)
    {
        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            return TryRead((span, offset) => RandomAccess.Read(handle, span, offset), RandomAccess.GetLength(handle));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The ELF facts of a file's content held in memory (an entry inflated from a wheel).</summary>
    public static ElfInfo? TryRead(byte[] content) =>
        TryRead((span, offset) =>
        {
            if (offset >= content.Length) return 0;
            int n = (int)Math.Min(span.Length, content.Length - offset);
            content.AsSpan((int)offset, n).CopyTo(span);
            return n;
        }, content.Length);

    private delegate int Reader(Span<byte> buffer, long offset);

    private static ElfInfo? TryRead(Reader handle, long length)
    {
        Span<byte> header = stackalloc byte[64];
        var headerLength = handle(header, 0);
        if (headerLength < 52 || !header[..4].SequenceEqual(Magic))
            return null;
        var is64 = header[4] switch { 1 => false, 2 => true, _ => (bool?)null };
        var bigEndian = header[5] switch { 1 => false, 2 => true, _ => (bool?)null };
        if (is64 is null || bigEndian is null || (is64.Value && headerLength < 64))
            return null;
        var elf = new ElfReader(is64.Value, bigEndian.Value);

        var machine = MachineName(elf.U16(header, 18));
        var versions = ReadGlibcVersions(handle, length, header, elf) ?? [];
        return new ElfInfo(machine, versions);
    }

    private static IReadOnlyList<string>? ReadGlibcVersions(Reader handle, long length, ReadOnlySpan<byte> header, ElfReader elf)
    {
        var sectionOffset = elf.Is64 ? (long)elf.U64(header, 0x28) : elf.U32(header, 0x20);
        int entrySize = elf.U16(header, elf.Is64 ? 0x3A : 0x2E);
        long count = elf.U16(header, elf.Is64 ? 0x3C : 0x30);
        if (sectionOffset <= 0 || entrySize < elf.SectionHeaderSize)
            return null;
        if (count == 0)
        {
            // More than 0xff00 sections: the real count is in section 0's sh_size.
            var first = ReadRange(handle, length, sectionOffset, entrySize);
            if (first is null)
                return null;
            count = elf.Is64 ? (long)elf.U64(first, 0x20) : elf.U32(first, 0x14);
        }
        if (count is <= 0 or > MaxSectionCount)
            return null;
        var table = ReadRange(handle, length, sectionOffset, count * entrySize);
        if (table is null)
            return null;

        var found = new SortedDictionary<Version, string>();
        for (var i = 0; i < count; i++)
        {
            var section = elf.Section(table, i * entrySize);
            if (section.Type != ShtGnuVerneed || section.Link >= count)
                continue;
            var strings = elf.Section(table, (int)section.Link * entrySize);
            var needs = ReadRange(handle, length, section.Offset, section.Size);
            var names = ReadRange(handle, length, strings.Offset, strings.Size);
            if (needs is null || names is null)
                return null;
            WalkVerneed(elf, needs, names, section.Info, found);
        }
        return found.Values.ToList();
    }

    // Elf_Verneed is {u16 version, u16 cnt, u32 file, u32 aux, u32 next} and Elf_Vernaux {u32 hash, u16 flags,
    // u16 other, u32 name, u32 next}, the same in ELF32 and ELF64; offsets are relative to the current entry.
    private static void WalkVerneed(ElfReader elf, byte[] needs, byte[] names, uint needCount, SortedDictionary<Version, string> found)
    {
        long offset = 0;
        for (uint n = 0; n < needCount && offset >= 0 && offset + 16 <= needs.Length; n++)
        {
            var at = (int)offset;
            int auxCount = elf.U16(needs, at + 2);
            long aux = offset + elf.U32(needs, at + 8);
            for (var a = 0; a < auxCount && aux + 16 <= needs.Length; a++)
            {
                var name = ReadString(names, elf.U32(needs, (int)aux + 8));
                if (name is not null && TryParseGlibcVersion(name, out var version) && !found.ContainsKey(version))
                    found.Add(version, name["GLIBC_".Length..]);
                var nextAux = elf.U32(needs, (int)aux + 12);
                if (nextAux == 0)
                    break;
                aux += nextAux;
            }
            var next = elf.U32(needs, at + 12);
            if (next == 0)
                break;
            offset += next;
        }
    }

    /// <summary>
    /// <c>GLIBC_2.17</c> → 2.17. Not versions: <c>GLIBC_PRIVATE</c>, <c>GLIBC_ABI_DT_RELR</c> and other non-numeric
    /// tags, and <c>GLIBCXX_*</c> (libstdc++, a different library).
    /// </summary>
    internal static bool TryParseGlibcVersion(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Version? version)
    {
        version = null;
        if (!name.StartsWith("GLIBC_", StringComparison.Ordinal))
            return false;
        var text = name["GLIBC_".Length..];
        if (text.Length == 0 || !char.IsAsciiDigit(text[0]) || !text.All(c => char.IsAsciiDigit(c) || c == '.'))
            return false;
        if (!text.Contains('.'))
            text += ".0";
        return Version.TryParse(text, out version);
    }

    private static string? ReadString(byte[] table, uint offset)
    {
        if (offset >= table.Length)
            return null;
        var span = table.AsSpan((int)offset);
        var end = span.IndexOf((byte)0);
        return System.Text.Encoding.ASCII.GetString(end < 0 ? span : span[..end]);
    }

    private static byte[]? ReadRange(Reader handle, long length, long offset, long size)
    {
        if (offset < 0 || size < 0 || size > MaxSectionBytes || offset > length || size > length - offset)
            return null;
        var bytes = new byte[size];
        var done = 0;
        while (done < size)
        {
            var read = handle(bytes.AsSpan(done), offset + done);
            if (read <= 0)
                return null;
            done += read;
        }
        return bytes;
    }

    /// <summary>e_machine as Lambda and wheel platform tags spell it; other values as their number.</summary>
    public static string MachineName(int machine) => machine switch
    {
        3 => "i686",
        8 => "mips",
        20 => "ppc",
        21 => "ppc64",
        22 => "s390x",
        40 => "arm",
        62 => "x86_64",
        183 => "aarch64",
        243 => "riscv64",
        _ => "e_machine " + machine.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private readonly record struct SectionHeader(uint Type, long Offset, long Size, uint Link, uint Info);

    private readonly record struct ElfReader(bool Is64, bool BigEndian)
    {
        public int SectionHeaderSize => Is64 ? 64 : 40;

        public ushort U16(ReadOnlySpan<byte> b, int at) =>
            BigEndian ? BinaryPrimitives.ReadUInt16BigEndian(b[at..]) : BinaryPrimitives.ReadUInt16LittleEndian(b[at..]);

        public uint U32(ReadOnlySpan<byte> b, int at) =>
            BigEndian ? BinaryPrimitives.ReadUInt32BigEndian(b[at..]) : BinaryPrimitives.ReadUInt32LittleEndian(b[at..]);

        public ulong U64(ReadOnlySpan<byte> b, int at) =>
            BigEndian ? BinaryPrimitives.ReadUInt64BigEndian(b[at..]) : BinaryPrimitives.ReadUInt64LittleEndian(b[at..]);

        // Elf64_Shdr: name, type (u32), flags, addr, offset, size (u64), link, info (u32), ...;
        // Elf32_Shdr: the same fields, all u32.
        public SectionHeader Section(ReadOnlySpan<byte> table, int at) => Is64
            ? new SectionHeader(U32(table, at + 4), (long)U64(table, at + 0x18), (long)U64(table, at + 0x20), U32(table, at + 0x28), U32(table, at + 0x2C))
            : new SectionHeader(U32(table, at + 4), U32(table, at + 0x10), U32(table, at + 0x14), U32(table, at + 0x18), U32(table, at + 0x1C));
    }
}
