using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Win32.SafeHandles;
using UvLambda.Core.Diagnostics;
using UvLambda.Core.FileSystem;

namespace UvLambda.Core.Archives;

/// <summary>What a zip write produced. <paramref name="ReusedEntries"/>: files whose compressed bytes came from the
/// previous archive; <paramref name="CopiedEntries"/>: files whose compressed bytes were copied from another zip (a
/// wheel) without inflating them; <paramref name="Written"/> is false when the archive on disk was already byte-identical.</summary>
public sealed record ZipWriteResult(int FileCount, int DirectoryCount, long UncompressedBytes, long ArchiveBytes, int ReusedEntries = 0, bool Written = true, int CopiedEntries = 0)
{
    /// <summary>Where each block written ends (entries, bytes of entries, bytes of central records, all counted from the start).</summary>
    public IReadOnlyList<ZipBlockEnd> Blocks { get; init; } = [];
}

/// <summary>The end of a block of entries: how many entries (directories included) precede it, and how many bytes of
/// local entries and of central-directory records they take.</summary>
public sealed record ZipBlockEnd(int Entries, long Bytes, long CentralBytes);

/// <summary>
/// A leading run of entries known to be the first bytes of <paramref name="Archive"/> (a previous output, unchanged since
/// it was written): <paramref name="Entries"/> entries in <paramref name="Bytes"/> bytes, whose central records are the
/// first <paramref name="CentralBytes"/> bytes of its central directory. <paramref name="Names"/>: the paths in it
/// (files and, with a trailing '/', directories), so what follows neither repeats a directory nor duplicates a file.
/// </summary>
public sealed record ZipPrefix(string Archive, int Entries, long Bytes, long CentralBytes, IReadOnlySet<string> Names, int FileCount, int DirectoryCount, long UncompressedBytes);

/// <summary>
/// Reuse of compressed bytes from a previous build: <paramref name="PreviousArchive"/> (usually the output itself)
/// and a stamp file recording what compressed it (level, runtime and zlib), so bytes from another compressor are never reused.
/// </summary>
public sealed record ZipReuse(string PreviousArchive, string StampFile);

/// <summary>
/// Writes zips that are byte-identical for the same inputs: entries in blocks written in order (each block sorted
/// ordinally, with its explicit directory entries), one fixed time stamp, Unix modes in the external attributes
/// ("made by" Unix so unzip and Lambda honour them), no extra fields, no data descriptors.
/// <para>Where the bytes come from, cheapest first: an entry of another zip (<see cref="ArchiveEntry.ZipSource"/>, a
/// verified wheel) is copied compressed as it is; with <see cref="ZipReuse"/>, a leading run of entries whose central
/// records equal the previous archive's is copied as one byte range (so dependencies written first survive an
/// app-only change as one block copy), and a file whose path, size and CRC-32 match a previous entry gets that
/// entry's compressed bytes; the rest is deflated in parallel, in bounded windows.</para>
/// The archive is streamed to a temp file and renamed over the output; memory holds one small record per entry (its
/// name is the caller's string, encoded when written), one deflate window and one copy buffer, not the archive nor the
/// central directory (written from the records at the end), whatever its size.
/// <para>The methods that loop over every entry once per write are compiled optimized at once
/// (<see cref="MethodImplOptions.AggressiveOptimization"/>): left to tiered compilation they start as unoptimized code
/// and are compiled again in the middle of their loop (on-stack replacement), which for a 28k-entry package kept
/// megabytes of native memory for the rest of the build.</para>
/// </summary>
public static class DeterministicZipWriter
{
    private const ushort VersionNeeded = 20;
    private const ushort VersionMadeByUnix = (3 << 8) | 20;
    private const int UnixRegularFile = 0x8000; // S_IFREG
    private const int UnixDirectory = 0x4000;   // S_IFDIR
    private const int DosDirectoryAttribute = 0x10;
    private const int WriterVersion = 1;
    private const long WindowBytes = 32 << 20;
    private const int WindowEntries = 1024;
    private const long KeepReadBytes = 64 << 20;

    /// <summary>What compressed the bytes: reuse needs the same level, runtime and zlib build.</summary>
    public static string CompressorStamp(CompressionLevel level) =>
        $"writer={WriterVersion};level={level};runtime={System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription};" +
        $"compression={typeof(DeflateStream).Assembly.GetName().Version};file={System.Diagnostics.FileVersionInfo.GetVersionInfo(typeof(DeflateStream).Assembly.Location).FileVersion}";

    public static ZipWriteResult Write(string outputPath, IReadOnlyList<ArchiveEntry> files, DateTime timestamp,
        CompressionLevel level = CompressionLevel.Optimal, ZipReuse? reuse = null, CancellationToken cancellationToken = default) =>
        Write(outputPath, [files], timestamp, level, reuse, cancellationToken);

    private enum Source : byte { Directory, Empty, ZipRaw, ZipInflateStore, Previous, Compress }

    private struct Slot
    {
        public string Name;         // "dir/" for a directory
        public int NameLength;      // UTF-8 bytes, encoded only when written (no per-entry byte[] held)
        public bool Utf8;           // a non-ASCII name: flag bit 11
        public int Order;           // position in the caller's list: which of two equal paths came first
        public ArchiveEntry? Entry;
        public Source Source;
        public ushort Method;
        public uint Crc;
        public long Size;
        public long CompressedSize; // -1 until compressed
        public ZipDirectoryEntry? Previous;
        public byte[]? Content;     // kept from the CRC pass when small enough, for compression
    }

    /// <summary>
    /// Writes <paramref name="blocks"/> in order, each sorted; a directory goes with the first block that needs it.
    /// Put what changes least first: a leading run of unchanged entries is copied from the previous archive in one piece.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static ZipWriteResult Write(string outputPath, IReadOnlyList<IReadOnlyList<ArchiveEntry>> blocks, DateTime timestamp,
        CompressionLevel level = CompressionLevel.Optimal, ZipReuse? reuse = null, CancellationToken cancellationToken = default)
    {
        var directoriesSeen = new HashSet<string>(StringComparer.Ordinal);
        var blockDirectories = new List<List<string>>(blocks.Count);
        int total = 0;
        foreach (var block in blocks)
        {
            var directories = NewParentDirectories(block, directoriesSeen, accept: null);
            blockDirectories.Add(directories);
            total += directories.Count + block.Count;
        }
        // One array for every entry (no growing list, no copy): 28k entries are a large-object allocation each time.
        var plan = new Slot[total];
        var blockEnds = new List<int>(blocks.Count);
        int filled = 0, order = 0;
        for (int b = 0; b < blocks.Count; b++)
        {
            filled = FillBlock(plan, filled, blocks[b], blockDirectories[b], ref order);
            EnsureUnique(plan, blockEnds, filled);
            blockEnds.Add(filled);
        }
        CheckEntryCount(outputPath, plan.Length);

        var stamp = CompressorStamp(level);
        ZipDirectory? previous = null;
        SafeFileHandle? previousHandle = null;
        try
        {
            if (Trusted(reuse, stamp))
                previous = ZipDirectory.TryOpen(reuse!.PreviousArchive, out previousHandle);
            if (previous is not null) PreviousArchiveOpenedForTests?.Invoke(previous.Path!);

            Classify(plan, previous, cancellationToken);

            var (dosTime, dosDate) = ArchiveTimestamp.ToDos(timestamp);
            // The leading run of entries whose central records (offsets included) equal the previous archive's: their
            // bytes, local headers and data, are the previous archive's first bytes.
            int prefix = 0;
            long offset = 0, previousCentral = 0;
            var record = new MemoryStream(128);
            if (previous?.Path is not null)
            {
                var central = previous.CentralDirectory.Span;
                while (prefix < plan.Length && prefix < previous.Entries.Count && plan[prefix].CompressedSize >= 0)
                {
                    record.SetLength(0);
                    WriteCentralHeader(record, plan[prefix], dosTime, dosDate, (uint)offset);
                    var mine = record.GetBuffer().AsSpan(0, (int)record.Length);
                    if (previousCentral + mine.Length > central.Length || !central.Slice((int)previousCentral, mine.Length).SequenceEqual(mine)) break;
                    previousCentral += mine.Length;
                    offset += 30 + plan[prefix].NameLength + plan[prefix].CompressedSize;
                    prefix++;
                }
            }
            int directoryCount = 0, reused = 0, copied = 0;
            long uncompressedTotal = 0;
            for (int i = 0; i < plan.Length; i++)
            {
                ref var s = ref plan[i];
                if (s.Entry is null) directoryCount++;
                else if (i < prefix || s.Previous is not null) reused++;
                if (i >= prefix && s.Source is Source.ZipRaw) copied++;
                uncompressedTotal += s.Size;
            }
            int fileCount = plan.Length - directoryCount;

            // Everything was already there, in place: the archive on disk is byte-identical to what would be written.
            if (previous is not null && prefix == plan.Length && previousCentral == previous.CentralDirectory.Length
                && previous.CentralDirectoryOffset == offset && previous.Length == offset + previousCentral + 22
                && string.Equals(previous.Path, Path.GetFullPath(outputPath), StringComparison.Ordinal) && SameFile(outputPath, previousHandle!))
            {
                WriteStamp(reuse, stamp);
                return new ZipWriteResult(fileCount, directoryCount, uncompressedTotal, previous.Length, reused, Written: false, CopiedEntries: 0) { Blocks = BlockEnds(plan, blockEnds) };
            }

            long archiveSize = WriteArchive(outputPath, plan, prefix, plan.Length, offset, previous?.CentralDirectory[..(int)previousCentral] ?? default, previous?.Path, previousHandle, previous, level, dosTime, dosDate, out _, cancellationToken);
            WriteStamp(reuse, stamp);
            return new ZipWriteResult(fileCount, directoryCount, uncompressedTotal, archiveSize, reused, Written: true, CopiedEntries: copied) { Blocks = BlockEnds(plan, blockEnds) };
        }
        finally
        {
            previousHandle?.Dispose();
        }
    }

    // Once every entry's compressed size is known (after writing), where each block ends.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static List<ZipBlockEnd> BlockEnds(Slot[] plan, List<int> ends)
    {
        var result = new List<ZipBlockEnd>(ends.Count);
        long bytes = 0, central = 0;
        int i = 0;
        foreach (var end in ends)
        {
            for (; i < end; i++)
            {
                bytes += 30 + plan[i].NameLength + plan[i].CompressedSize;
                central += 46 + plan[i].NameLength;
            }
            result.Add(new ZipBlockEnd(end, bytes, central));
        }
        return result;
    }

    /// <summary>
    /// Writes <paramref name="prefix"/> (copied as one range from its archive) followed by <paramref name="files"/>
    /// (sorted, with the directories the prefix lacks): the archive <see cref="Write(string, IReadOnlyList{IReadOnlyList{ArchiveEntry}}, DateTime, CompressionLevel, ZipReuse?)"/>
    /// would write for the prefix's entries and these, without reading the prefix's entries again. The caller vouches that
    /// the prefix archive is unchanged since it was written with this writer's compressor (<paramref name="reuse"/>'s stamp).
    /// Returns null when the prefix archive does not hold such a prefix (then write it whole).
    /// </summary>
    public static ZipWriteResult? WriteAfterPrefix(string outputPath, ZipPrefix prefix, IReadOnlyList<ArchiveEntry> files, DateTime timestamp,
        CompressionLevel level = CompressionLevel.Optimal, ZipReuse? reuse = null, CancellationToken cancellationToken = default)
    {
        var stamp = CompressorStamp(level);
        if (!Trusted(reuse, stamp)) return null;
        byte[] central;
        // Open until the prefix is copied from it: the file whose end was read (see ZipDirectory.TryOpen).
        SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(prefix.Archive, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        using var prefixHandle = handle;
        PreviousArchiveOpenedForTests?.Invoke(prefix.Archive);
        try
        {
            long length = RandomAccess.GetLength(handle);
            Span<byte> end = stackalloc byte[22];
            if (length < 22) return null;
            ZipEntrySource.ReadExactly(handle, end, length - 22);
            if (BinaryPrimitives.ReadUInt32LittleEndian(end) != 0x06054b50) return null;
            long centralOffset = BinaryPrimitives.ReadUInt32LittleEndian(end[16..]);
            long centralSize = BinaryPrimitives.ReadUInt32LittleEndian(end[12..]);
            if (BinaryPrimitives.ReadUInt16LittleEndian(end[10..]) < prefix.Entries || centralSize < prefix.CentralBytes || centralOffset < prefix.Bytes) return null;
            central = new byte[prefix.CentralBytes];
            ZipEntrySource.ReadExactly(handle, central, centralOffset);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or EndOfStreamException)
        {
            return null;
        }

        ArchivePath.EnsureUnique(files);
        foreach (var f in files)
            if (prefix.Names.Contains(f.Path))
                throw new UvLambdaException(ErrorCodes.DuplicatePackagePath,
                    $"Two files map to '{f.Path}' in the package: an installed package's and '{f.Origin}'. Give the second another PackagePath, or remove it.");
        var directories = NewParentDirectories(files, new HashSet<string>(StringComparer.Ordinal), d => !prefix.Names.Contains(d + "/"));
        var plan = new Slot[directories.Count + files.Count];
        int order = 0;
        FillBlock(plan, 0, files, directories, ref order);
        int total = prefix.Entries + plan.Length;
        CheckEntryCount(outputPath, total);
        Classify(plan, previous: null, cancellationToken);
        var (dosTime, dosDate) = ArchiveTimestamp.ToDos(timestamp);
        long archiveSize = WriteArchive(outputPath, plan, 0, total, prefix.Bytes, central, prefix.Archive, prefixHandle, null, level, dosTime, dosDate, out var kept, cancellationToken);
        WriteStamp(reuse, stamp);
        var blocks = BlockEnds(plan, [plan.Length]);
        return new ZipWriteResult(prefix.FileCount + plan.Count(p => p.Entry is not null), prefix.DirectoryCount + plan.Count(p => p.Entry is null),
            prefix.UncompressedBytes + plan.Sum(p => p.Size), archiveSize, prefix.FileCount, Written: !kept, CopiedEntries: 0)
        {
            Blocks = [new ZipBlockEnd(prefix.Entries, prefix.Bytes, prefix.CentralBytes), new ZipBlockEnd(total, prefix.Bytes + blocks[0].Bytes, prefix.CentralBytes + blocks[0].CentralBytes)],
        };
    }

    /// <summary>The parent directories of <paramref name="block"/>'s files that <paramref name="seen"/> does not hold yet
    /// (added to it) and <paramref name="accept"/> does not refuse: a directory goes with the first block that needs it.
    /// A parent already seen ends the walk up (its own parents were seen with it); a file in the same folder as the
    /// file before it (most of a wheel's) costs no string at all.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static List<string> NewParentDirectories(IReadOnlyList<ArchiveEntry> block, HashSet<string> seen, Func<string, bool>? accept)
    {
        var found = new List<string>();
        string? last = null;
        foreach (var f in block)
        {
            var path = f.Path;
            int i = path.LastIndexOf('/');
            if (i <= 0 || (last is not null && path.AsSpan(0, i).SequenceEqual(last))) continue;
            last = path[..i];
            for (var directory = last; seen.Add(directory); directory = path[..i])
            {
                if (accept is null || accept(directory)) found.Add(directory);
                i = path.LastIndexOf('/', i - 1);
                if (i <= 0) break;
            }
        }
        return found;
    }

    /// <summary>One block's entries in zip order (ordinal by name, so "dir/" sorts before "dir/file") into
    /// <paramref name="plan"/> from <paramref name="at"/>, with its new <paramref name="directories"/>; returns where the block ends.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int FillBlock(Slot[] plan, int at, IReadOnlyList<ArchiveEntry> block, List<string> directories, ref int order)
    {
        int start = at;
        foreach (var d in directories) plan[at++] = NewSlot(d + "/", null, order++);
        foreach (var f in block) plan[at++] = NewSlot(f.Path, f, order++);
        Array.Sort(plan, start, at - start, SlotOrder.Instance);
        return at;
    }

    private static Slot NewSlot(string name, ArchiveEntry? entry, int order)
    {
        bool ascii = Ascii.IsValid(name);
        return new Slot { Name = name, NameLength = ascii ? name.Length : Encoding.UTF8.GetByteCount(name), Utf8 = !ascii, Entry = entry, Order = order, CompressedSize = -1 };
    }

    private sealed class SlotOrder : IComparer<Slot>
    {
        public static readonly SlotOrder Instance = new();
        public int Compare(Slot x, Slot y)
        {
            int c = string.CompareOrdinal(x.Name, y.Name);
            return c != 0 ? c : x.Order.CompareTo(y.Order);
        }
    }

    /// <summary>Rejects two files at one path (case-sensitive, as Lambda's Linux file system is) in the block that ends
    /// at <paramref name="end"/> after the blocks ending at <paramref name="earlierEnds"/>: in a sorted block two such
    /// files are neighbours, and each earlier block (sorted too) is searched by bisection.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void EnsureUnique(Slot[] plan, List<int> earlierEnds, int end)
    {
        int start = earlierEnds.Count > 0 ? earlierEnds[^1] : 0;
        for (int i = start; i < end; i++)
        {
            if (plan[i].Entry is not { } entry) continue;
            if (i > start && plan[i - 1].Entry is { } previous && string.Equals(plan[i - 1].Name, plan[i].Name, StringComparison.Ordinal))
                throw Duplicate(previous, entry);
            int from = 0;
            foreach (var to in earlierEnds)
            {
                if (Find(plan, from, to, plan[i].Name) is { } earlier) throw Duplicate(earlier, entry);
                from = to;
            }
        }
    }

    // The entry named `name` in the sorted range plan[from..to) (a file: a directory's name ends with '/', a file's never does).
    private static ArchiveEntry? Find(Slot[] plan, int from, int to, string name)
    {
        int lo = from, hi = to - 1;
        while (lo <= hi)
        {
            int mid = lo + (hi - lo) / 2;
            int c = string.CompareOrdinal(plan[mid].Name, name);
            if (c == 0) return plan[mid].Entry;
            if (c < 0) lo = mid + 1; else hi = mid - 1;
        }
        return null;
    }

    private static UvLambdaException Duplicate(ArchiveEntry first, ArchiveEntry second) =>
        new(ErrorCodes.DuplicatePackagePath,
            $"Two files map to '{second.Path}' in the package: '{first.Origin}' and '{second.Origin}'. Give one of them another PackagePath, or remove it.");

    private static void CheckEntryCount(string outputPath, int count)
    {
        if (count > ushort.MaxValue)
            throw new UvLambdaException(ErrorCodes.ArchiveTooLarge,
                $"'{outputPath}' would hold {count} entries; zip without ZIP64 holds at most {ushort.MaxValue}. Remove files with LambdaExclude.");
    }

    // The stamp file holds what compressed the archive and the archive's size and write time just after this writer
    // wrote (or kept) it: its bytes are reused only while both hold. An archive changed since (edited, appended to,
    // copied over) has another size or time, so nothing of it is trusted and the next write starts from the sources.
    private static bool Trusted(ZipReuse? reuse, string compressorStamp)
    {
        if (reuse is null || !File.Exists(reuse.StampFile)) return false;
        return File.ReadAllText(reuse.StampFile) == compressorStamp + "\n" + ArchiveStamp(reuse.PreviousArchive);
    }

    private static string ArchiveStamp(string archive)
    {
        var (length, time) = FileStamp.Of(archive);
        return length.ToString(CultureInfo.InvariantCulture) + "|" + time.ToString(CultureInfo.InvariantCulture);
    }

    private static void WriteStamp(ZipReuse? reuse, string compressorStamp)
    {
        if (reuse is null) return;
        var stamp = compressorStamp + "\n" + ArchiveStamp(reuse.PreviousArchive);
        if (!File.Exists(reuse.StampFile) || File.ReadAllText(reuse.StampFile) != stamp)
            FileSystem.AtomicFile.WriteAllText(reuse.StampFile, stamp);
    }

    // What each entry is (CRC, size) and where its compressed bytes will come from. Files and generated content are
    // read once here (in parallel) for their CRC; small ones are kept for compression.
    // Directories and entries of other zips (most of a package) are classified in one pass from what is known of them;
    // only the rest (files, generated content) is read, in parallel.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Classify(Slot[] plan, ZipDirectory? previous, CancellationToken cancellationToken)
    {
        var toRead = new List<int>();
        for (int i = 0; i < plan.Length; i++)
        {
            ref var s = ref plan[i];
            var entry = s.Entry;
            if (entry is null) { s.Source = Source.Directory; s.CompressedSize = 0; continue; }
            if (entry.ZipSource is not { } z) { toRead.Add(i); continue; }
            s.Crc = z.Crc;
            s.Size = z.UncompressedSize;
            if (z.UncompressedSize == 0) { s.Source = Source.Empty; s.Crc = 0; s.CompressedSize = 0; }
            else if (z.Method == 0 || z.CompressedSize <= z.UncompressedSize) { s.Source = Source.ZipRaw; s.Method = z.Method; s.CompressedSize = z.CompressedSize; }
            // Deflate that grew the data: stored instead, as Info-ZIP does.
            else { s.Source = Source.ZipInflateStore; s.CompressedSize = z.UncompressedSize; }
        }
        long kept = 0;
        Parallel.For(0, toRead.Count, new ParallelOptions { CancellationToken = cancellationToken }, k =>
        {
            int i = toRead[k];
            ref var s = ref plan[i];
            var entry = s.Entry!;
            var raw = entry.ReadContent();
            s.Crc = Crc32.Compute(raw);
            s.Size = raw.Length;
            if (raw.Length == 0)
            {
                s.Source = Source.Empty;
                s.CompressedSize = 0;
                if (previous is not null && previous.ByName.TryGetValue(entry.Path, out var was) && was.UncompressedSize == 0) s.Previous = was;
                return;
            }
            if (previous is not null && previous.ByName.TryGetValue(entry.Path, out var old)
                && old.Crc == s.Crc && old.UncompressedSize == raw.Length && (old.ExternalAttributes >> 16 & 0xF000) == UnixRegularFile
                && ((old.Method == 8 && old.CompressedSize < raw.Length) || (old.Method == 0 && old.CompressedSize == raw.Length)))
            {
                s.Source = Source.Previous;
                s.Previous = old;
                s.Method = old.Method;
                s.CompressedSize = old.CompressedSize;
                return;
            }
            s.Source = Source.Compress;
            if (Interlocked.Add(ref kept, raw.Length) <= KeepReadBytes) s.Content = raw;
        });
    }

    // Writes plan[start..] after a prefix of `prefixBytes` bytes copied from `prefixSource` (whose central records are
    // `prefixCentral`); `count` entries in all.
    // `kept`: the output already held exactly these bytes (only the part after the copied prefix is compared), so it was left alone.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    // `prefixHandle` is `prefixSource` opened when its directory (or end) was read, and `previous`'s file: everything
    // reused is read through it, never through the path, which a concurrent build may have renamed another archive onto.
    private static long WriteArchive(string outputPath, Slot[] plan, int start, int count, long prefixBytes, ReadOnlyMemory<byte> prefixCentral, string? prefixSource,
        SafeFileHandle? prefixHandle, ZipDirectory? previous, CompressionLevel level, ushort dosTime, ushort dosDate, out bool kept, CancellationToken cancellationToken)
    {
        var full = Path.GetFullPath(outputPath);
        var dir = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
        // What a killed build left beside the output is the caller's to sweep (LambdaArtifacts: every output, written or not).
        var temp = TempOwner.TempFile(dir, "." + Path.GetFileName(full));
        var handles = new Dictionary<string, SafeFileHandle>(StringComparer.Ordinal);
        // One buffer for every copied or inflated entry of this write (not one rented per entry size).
        var copyBuffer = System.Buffers.ArrayPool<byte>.Shared.Rent(1 << 18);
        try
        {
            long archiveSize;
            // The unchanged leading run: one kernel-side copy of the previous archive, cut where the run ends.
            bool copyPrefix = prefixBytes > 0 && prefixSource is not null && prefixHandle is not null;
            // The path still names the open file when its length and write time are the handle's: then the kernel copies
            // it; else (another build's archive renamed onto the path since) the prefix is read through the handle.
            bool copyByPath = copyPrefix && SameFile(prefixSource!, prefixHandle!);
            if (copyByPath)
            {
                File.Copy(prefixSource!, temp, overwrite: false);
                if (!SameFile(prefixSource!, prefixHandle!)) { File.Delete(temp); copyByPath = false; }
            }
            using (var stream = new FileStream(temp, copyByPath ? FileMode.Open : FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                if (copyByPath)
                {
                    stream.SetLength(prefixBytes);
                    stream.Position = prefixBytes;
                }
                else if (copyPrefix) CopyRange(prefixHandle!, 0, prefixBytes, stream, copyBuffer);
                long offset = prefixBytes;
                var compressed = new Dictionary<int, (ushort Method, byte[] Data)>();
                for (int i = start; i < plan.Length; i++)
                {
                    // A cancelled build stops here; the temp file is deleted below and the output stays as it was.
                    if ((i & 1023) == 0) cancellationToken.ThrowIfCancellationRequested();
                    ref var s = ref plan[i];
                    if (offset > uint.MaxValue)
                        throw new UvLambdaException(ErrorCodes.ArchiveTooLarge, $"'{outputPath}' would exceed 4 GiB. Remove files with LambdaExclude.");
                    if (s.Source == Source.Compress && !compressed.ContainsKey(i))
                        CompressWindow(plan, i, level, compressed);
                    ReadOnlySpan<byte> data = default;
                    byte[]? owned = null;
                    switch (s.Source)
                    {
                        case Source.ZipInflateStore:
                            s.Method = 0;
                            break;
                        case Source.Previous:
                            owned = previous!.ReadData(s.Previous!, prefixHandle);
                            break;
                        case Source.Compress:
                            (s.Method, owned) = compressed[i];
                            compressed.Remove(i);
                            s.CompressedSize = owned.Length;
                            break;
                    }
                    if (owned is not null) data = owned;
                    WriteLocalHeader(stream, s, dosTime, dosDate);
                    if (s.Source == Source.ZipRaw) CopyRange(s.Entry!.ZipSource!, stream, handles, copyBuffer);
                    else if (s.Source == Source.ZipInflateStore) InflateRange(s.Entry!.ZipSource!, stream, handles, copyBuffer);
                    else stream.Write(data);
                    offset += 30 + s.NameLength + s.CompressedSize;
                }
                long centralOffset = offset;
                long centralSize = prefixCentral.Length;
                for (int i = start; i < plan.Length; i++) centralSize += 46 + plan[i].NameLength;
                archiveSize = centralOffset + centralSize + 22;
                if (archiveSize > uint.MaxValue)
                    throw new UvLambdaException(ErrorCodes.ArchiveTooLarge, $"'{outputPath}' would exceed 4 GiB. Remove files with LambdaExclude.");
                // The central directory is written from the plan, each record's offset counted again as above, rather
                // than kept in memory while the entries are written (3.5 MB for 28k entries, grown by doubling).
                if (copyPrefix) stream.Write(prefixCentral.Span);
                long at = prefixBytes;
                for (int i = start; i < plan.Length; i++)
                {
                    WriteCentralHeader(stream, plan[i], dosTime, dosDate, (uint)at);
                    at += 30 + plan[i].NameLength + plan[i].CompressedSize;
                }
                WriteEndOfCentralDirectory(stream, count, centralSize, centralOffset);
                stream.Flush(flushToDisk: false);
            }
            // Only the part after the prefix is compared: the output must still be the file the prefix came from.
            kept = copyPrefix && string.Equals(Path.GetFullPath(prefixSource!), full, StringComparison.Ordinal) && SameFile(full, prefixHandle!) && SameAfter(temp, full, prefixBytes);
            if (!kept) File.Move(temp, full, overwrite: true);
            return archiveSize;
        }
        finally
        {
            foreach (var h in handles.Values) h.Dispose();
            System.Buffers.ArrayPool<byte>.Shared.Return(copyBuffer);
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>Tests: called on the writing thread once the previous archive is open, to play a concurrent build that
    /// renames its archive onto the path then.</summary>
    [ThreadStatic] internal static Action<string>? PreviousArchiveOpenedForTests;

    // Whether `path` names the file open as `handle`, by length and write time (another archive renamed onto the path
    // was written at another time).
    private static bool SameFile(string path, SafeFileHandle handle) =>
        FileStamp.Of(path) == (RandomAccess.GetLength(handle), File.GetLastWriteTimeUtc(handle).Ticks);

    private static void CopyRange(SafeFileHandle from, long offset, long bytes, FileStream output, byte[] buffer)
    {
        for (long done = 0; done < bytes;)
        {
            int want = (int)Math.Min(buffer.Length, bytes - done);
            ZipEntrySource.ReadExactly(from, buffer.AsSpan(0, want), offset + done);
            output.Write(buffer, 0, want);
            done += want;
        }
    }

    // Whether two files of the same length hold the same bytes from `offset` on (the rest is known to be equal).
    private static bool SameAfter(string a, string b, long offset)
    {
        using var x = File.OpenHandle(a, FileMode.Open, FileAccess.Read, FileShare.Read);
        using var y = File.OpenHandle(b, FileMode.Open, FileAccess.Read, FileShare.Read);
        long length = RandomAccess.GetLength(x);
        if (length != RandomAccess.GetLength(y) || length - offset > 256L << 20) return false;
        var left = new byte[1 << 16];
        var right = new byte[1 << 16];
        for (long at = offset; at < length; at += left.Length)
        {
            int n = (int)Math.Min(left.Length, length - at);
            ZipEntrySource.ReadExactly(x, left.AsSpan(0, n), at);
            ZipEntrySource.ReadExactly(y, right.AsSpan(0, n), at);
            if (!left.AsSpan(0, n).SequenceEqual(right.AsSpan(0, n))) return false;
        }
        return true;
    }

    // Deflates the entries from `start` on that need it, up to a window's worth, in parallel.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CompressWindow(Slot[] plan, int start, CompressionLevel level, Dictionary<int, (ushort, byte[])> results)
    {
        var window = new List<int>();
        long bytes = 0;
        for (int j = start; j < plan.Length && window.Count < WindowEntries && bytes < WindowBytes; j++)
        {
            if (plan[j].Source != Source.Compress) continue;
            window.Add(j);
            bytes += plan[j].Size;
        }
        var output = new (ushort, byte[])[window.Count];
        // No more threads than cores: deflate is CPU-bound, and each thread keeps its own native deflate state and malloc arena.
        Parallel.For(0, window.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, k =>
        {
            int j = window[k];
            var raw = plan[j].Content ?? plan[j].Entry!.ReadContent();
            plan[j].Content = null;
            if (raw.Length != plan[j].Size || Crc32.Compute(raw) != plan[j].Crc)
                throw new IOException($"'{plan[j].Entry!.Origin}' changed while the archive was being written; build again.");
            var buffer = new MemoryStream(raw.Length / 2 + 64);
            using (var deflate = new DeflateStream(buffer, level, leaveOpen: true))
                deflate.Write(raw, 0, raw.Length);
            // Store what deflate cannot shrink (already-compressed data), as Info-ZIP does.
            output[k] = buffer.Length < raw.Length ? ((ushort)8, buffer.ToArray()) : ((ushort)0, raw);
        });
        for (int k = 0; k < window.Count; k++) results[window[k]] = output[k];
    }

    private static SafeFileHandle HandleFor(string archive, Dictionary<string, SafeFileHandle> handles)
    {
        if (!handles.TryGetValue(archive, out var handle))
        {
            handle = File.OpenHandle(archive, FileMode.Open, FileAccess.Read, FileShare.Read);
            handles[archive] = handle;
        }
        return handle;
    }

    private static void CopyRange(ZipEntrySource source, FileStream output, Dictionary<string, SafeFileHandle> handles, byte[] buffer)
    {
        var handle = HandleFor(source.ArchivePath, handles);
        long done = 0;
        while (done < source.CompressedSize)
        {
            int want = (int)Math.Min(buffer.Length, source.CompressedSize - done);
            ZipEntrySource.ReadExactly(handle, buffer.AsSpan(0, want), source.DataOffset + done);
            output.Write(buffer, 0, want);
            done += want;
        }
    }

    /// <summary>An entry whose deflate grew it, stored: inflated from the wheel straight into the output through the
    /// write's copy buffer, never held whole (small files that deflate grew are common; a few are megabytes).</summary>
    private static void InflateRange(ZipEntrySource source, FileStream output, Dictionary<string, SafeFileHandle> handles, byte[] buffer)
    {
        using var inflate = new DeflateStream(new RangeStream(HandleFor(source.ArchivePath, handles), source.DataOffset, source.CompressedSize), CompressionMode.Decompress);
        long done = 0;
        while (done < source.UncompressedSize)
        {
            int read = inflate.Read(buffer, 0, (int)Math.Min(buffer.Length, source.UncompressedSize - done));
            if (read <= 0) throw new IOException($"'{source.ArchivePath}' changed while the archive was being written; build again.");
            output.Write(buffer, 0, read);
            done += read;
        }
    }

    /// <summary>A read-only window on a file, read by position (the handle is shared by every entry of one wheel).</summary>
    private sealed class RangeStream(SafeFileHandle handle, long start, long length) : Stream
    {
        private long _position;
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => length;
        public override long Position { get => _position; set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));
        public override int Read(Span<byte> buffer)
        {
            int want = (int)Math.Min(buffer.Length, length - _position);
            if (want <= 0) return 0;
            int read = RandomAccess.Read(handle, buffer[..want], start + _position);
            _position += read;
            return read;
        }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    private static ushort Flags(in Slot s) => s.Utf8 ? (ushort)0x0800 : (ushort)0; // bit 11: UTF-8 names

    // The header's fixed part and the name in one write; a name longer than the stack buffer takes a rented one.
    private static void WriteWithName(Stream stream, Span<byte> header, int fixedLength, in Slot s)
    {
        Encoding.UTF8.GetBytes(s.Name, header[fixedLength..]);
        stream.Write(header[..(fixedLength + s.NameLength)]);
    }

    private static uint External(in Slot s) => s.Entry is null
        ? ((uint)(UnixDirectory | 0x1ED) << 16) | DosDirectoryAttribute // 0755
        : (uint)(UnixRegularFile | (s.Entry.UnixMode & 0xFFF)) << 16;

    private static void WriteLocalHeader(Stream stream, in Slot s, ushort time, ushort date)
    {
        byte[]? rented = s.NameLength > 512 ? System.Buffers.ArrayPool<byte>.Shared.Rent(30 + s.NameLength) : null;
        Span<byte> h = rented is null ? stackalloc byte[30 + 512] : rented;
        BinaryPrimitives.WriteUInt32LittleEndian(h, 0x04034b50);
        BinaryPrimitives.WriteUInt16LittleEndian(h[4..], VersionNeeded);
        BinaryPrimitives.WriteUInt16LittleEndian(h[6..], Flags(s));
        BinaryPrimitives.WriteUInt16LittleEndian(h[8..], s.Method);
        BinaryPrimitives.WriteUInt16LittleEndian(h[10..], time);
        BinaryPrimitives.WriteUInt16LittleEndian(h[12..], date);
        BinaryPrimitives.WriteUInt32LittleEndian(h[14..], s.Crc);
        BinaryPrimitives.WriteUInt32LittleEndian(h[18..], (uint)s.CompressedSize);
        BinaryPrimitives.WriteUInt32LittleEndian(h[22..], (uint)s.Size);
        BinaryPrimitives.WriteUInt16LittleEndian(h[26..], (ushort)s.NameLength);
        BinaryPrimitives.WriteUInt16LittleEndian(h[28..], 0);
        WriteWithName(stream, h, 30, s);
        if (rented is not null) System.Buffers.ArrayPool<byte>.Shared.Return(rented);
    }

    private static void WriteCentralHeader(Stream stream, in Slot s, ushort time, ushort date, uint offset)
    {
        byte[]? rented = s.NameLength > 512 ? System.Buffers.ArrayPool<byte>.Shared.Rent(46 + s.NameLength) : null;
        Span<byte> h = rented is null ? stackalloc byte[46 + 512] : rented;
        h[..46].Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(h, 0x02014b50);
        BinaryPrimitives.WriteUInt16LittleEndian(h[4..], VersionMadeByUnix);
        BinaryPrimitives.WriteUInt16LittleEndian(h[6..], VersionNeeded);
        BinaryPrimitives.WriteUInt16LittleEndian(h[8..], Flags(s));
        BinaryPrimitives.WriteUInt16LittleEndian(h[10..], s.Method);
        BinaryPrimitives.WriteUInt16LittleEndian(h[12..], time);
        BinaryPrimitives.WriteUInt16LittleEndian(h[14..], date);
        BinaryPrimitives.WriteUInt32LittleEndian(h[16..], s.Crc);
        BinaryPrimitives.WriteUInt32LittleEndian(h[20..], (uint)s.CompressedSize);
        BinaryPrimitives.WriteUInt32LittleEndian(h[24..], (uint)s.Size);
        BinaryPrimitives.WriteUInt16LittleEndian(h[28..], (ushort)s.NameLength);
        // extra length, comment length, disk number start, internal attributes: all zero
        BinaryPrimitives.WriteUInt32LittleEndian(h[38..], External(s));
        BinaryPrimitives.WriteUInt32LittleEndian(h[42..], offset);
        WriteWithName(stream, h, 46, s);
        if (rented is not null) System.Buffers.ArrayPool<byte>.Shared.Return(rented);
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
