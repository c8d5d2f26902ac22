using UvLambda.Core.FileSystem;
using System.Buffers;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using UvLambda.Core.Diagnostics;
using UvLambda.Core.Standards;

namespace UvLambda.Core.Install.Wheels;

/// <summary>One installed distribution: its METADATA name and version, and every file written (relative, '/', sorted; none for an indexed wheel, whose files are in its <see cref="WheelIndex"/>).</summary>
public sealed record InstalledPackage(string Name, string Version, IReadOnlyList<string> Files);

/// <summary>
/// Installs wheels (PEP 427, the binary distribution format) into a flat folder the way
/// <c>uv pip install --target DIR --no-installer-metadata</c> does: purelib, platlib and data at the root, scripts in
/// <c>bin/</c>, headers in <c>include/NAME/</c>, the dist-info kept with a RECORD of the installed paths.
/// A wheel is checked completely (paths, RECORD hashes, names) before anything reaches the target, so a rejected
/// wheel leaves the target as it was.
/// </summary>
public static class WheelInstaller
{
    private const string ScriptShebang = "#!/usr/bin/env python3";
    private const int CopyBufferSize = 1 << 16;

    /// <summary>Lambda's unzipped limit for Zip and Layer functions (function plus layers).</summary>
    public const long ZipUnpackedLimit = 262_144_000;
    /// <summary>Lambda's limit for a container image, the most any one package may unpack to.</summary>
    public const long ImageUnpackedLimit = 10_737_418_240;

    private const UnixFileMode RegularMode =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private const UnixFileMode ExecutableMode = RegularMode
        | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    /// <summary>
    /// The staging folder's name prefix (<see cref="TempOwner.TempDirectory"/>): <c>.uvlambda-wheel.PID.START.GUID.tmp</c>
    /// beside the target, which a killed install leaves and the next one sweeps.
    /// </summary>
    public const string StagingPrefix = ".uvlambda-wheel";

    /// <summary>
    /// Installs the wheel into <paramref name="targetDirectory"/>, merged with what is there; files at the same paths
    /// are replaced (a reinstall). <paramref name="expectedVersion"/> null skips the version check.
    /// <paramref name="wheelName"/> is the wheel's file name when <paramref name="wheelPath"/> does not end in it
    /// (a content-cache entry is named by its hash). Unpacking stops with UVL2210 once the bytes actually inflated
    /// exceed <paramref name="maxUnpackedBytes"/> (declared sizes are never trusted), before anything reaches the target.
    /// </summary>
    public static InstalledPackage Install(string wheelPath, string targetDirectory, string expectedName, string? expectedVersion, string? wheelName = null, long maxUnpackedBytes = ImageUnpackedLimit)
    {
        wheelName ??= Path.GetFileName(wheelPath);
        var fileName = WheelFileName.Parse(wheelName);
        CheckIdentity(wheelName, "its file name", fileName.Name, fileName.Version.ToString(), expectedName, expectedVersion);

        using var stream = OpenWheel(wheelPath, wheelName);
        using var zip = OpenZip(stream, wheelName);
        var layout = WheelLayout.Read(zip, wheelName);
        var budget = new UnpackBudget(expectedName, expectedVersion ?? fileName.Version.ToString(), wheelName, maxUnpackedBytes);
        var (name, version) = ReadMetadata(layout, wheelName, budget);
        CheckIdentity(wheelName, $"{layout.DistInfo}/METADATA", name, version, expectedName, expectedVersion ?? fileName.Version.ToString());
        var record = ReadRecord(layout, wheelName, budget);

        var target = Path.GetFullPath(targetDirectory);
        var parent = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(target)) ?? target;
        Directory.CreateDirectory(parent);
        // Beside the target, so the final moves are renames on one volume.
        var staging = TempOwner.TempDirectory(parent, StagingPrefix);
        Directory.CreateDirectory(staging);
        try
        {
            var staged = Stage(layout, record, staging, budget);
            Publish(wheelName, staging, staged, target);
            return new InstalledPackage(name, version, staged.Select(s => s.Destination).Order(StringComparer.Ordinal).ToList());
        }
        finally
        {
            try { Directory.Delete(staging, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>
    /// Verifies the wheel as <see cref="Install"/> does (names, paths, every entry's RECORD hash and size, the unpack
    /// limit) without writing anything, and describes what an install would write (<see cref="WheelIndex"/>).
    /// </summary>
    public static WheelIndex Index(string wheelPath, string expectedName, string? expectedVersion, string? wheelName = null, long maxUnpackedBytes = ImageUnpackedLimit)
    {
        wheelName ??= Path.GetFileName(wheelPath);
        var fileName = WheelFileName.Parse(wheelName);
        CheckIdentity(wheelName, "its file name", fileName.Name, fileName.Version.ToString(), expectedName, expectedVersion);
        List<StagedFile> staged;
        string name, version;
        using (var stream = OpenWheel(wheelPath, wheelName))
        using (var zip = OpenZip(stream, wheelName))
        {
            var layout = WheelLayout.Read(zip, wheelName);
            var budget = new UnpackBudget(expectedName, expectedVersion ?? fileName.Version.ToString(), wheelName, maxUnpackedBytes);
            (name, version) = ReadMetadata(layout, wheelName, budget);
            CheckIdentity(wheelName, $"{layout.DistInfo}/METADATA", name, version, expectedName, expectedVersion ?? fileName.Version.ToString());
            staged = Stage(layout, ReadRecord(layout, wheelName, budget), staging: null, budget);
        }
        var located = Archives.ZipEntryLocator.TryLocate(wheelPath);
        var index = new WheelIndex
        {
            Format = WheelIndex.FormatVersion, Name = name, Version = version, WheelName = wheelName, WheelSize = new FileInfo(wheelPath).Length,
            Copyable = located is not null,
        };
        foreach (var f in staged.OrderBy(f => f.Destination, StringComparer.Ordinal))
        {
            var file = new WheelIndexFile { Path = f.Destination, Mode = f.Mode, Size = f.Size, Crc = f.Crc, Generated = f.Generated, ElfMachine = f.Elf?.Machine, Glibc = f.Elf?.GlibcVersionsNeeded.ToList() };
            if (f.Generated is null && located is not null)
            {
                // The copied bytes must be the ones just verified: the central directory's CRC and size say so.
                if (!located.TryGetValue(f.EntryPath!, out var source) || source.Crc != f.Crc || source.UncompressedSize != f.Size)
                    throw Unreadable(wheelName, new InvalidDataException($"the central directory does not match the content of '{f.EntryPath}'"), f.EntryPath);
                (file.Method, file.CompressedSize, file.DataOffset) = (source.Method, source.CompressedSize, source.DataOffset);
            }
            index.Files.Add(file);
            if (file.ElfMachine is not null) index.ElfFiles.Add(file);
            index.UnpackedBytes += f.Size;
        }
        index.LastPath = staged.Count > 0 ? staged[^1].EntryPath ?? staged[^1].Destination : "";
        return index;
    }

    /// <summary>The checks <see cref="Index"/> makes on the request, for an index from the cache: identity and the unpack limit.</summary>
    internal static void CheckIndexed(WheelIndex index, string wheelName, string expectedName, string? expectedVersion, long maxUnpackedBytes)
    {
        CheckIdentity(wheelName, "its METADATA", index.Name, index.Version, expectedName, expectedVersion);
        if (index.UnpackedBytes > maxUnpackedBytes)
            new UnpackBudget(expectedName, expectedVersion ?? index.Version, wheelName, maxUnpackedBytes).Exceeded(index.LastPath);
    }

    /// <summary>
    /// The paths (relative to the target, '/', sorted) that <see cref="Install"/> would write, read from the zip's
    /// central directory only. Throws the same errors as Install for unsafe paths.
    /// </summary>
    public static IReadOnlyList<string> PlannedFiles(string wheelPath, string? wheelName = null)
    {
        wheelName ??= Path.GetFileName(wheelPath);
        using var stream = OpenWheel(wheelPath, wheelName);
        using var zip = OpenZip(stream, wheelName);
        var layout = WheelLayout.Read(zip, wheelName);
        var paths = layout.InstalledPaths();
        // RECORD is written even when the wheel lacks it; Install then refuses the wheel anyway.
        return paths.Contains(layout.RecordPath) ? paths : paths.Append(layout.RecordPath).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>One file an install writes: staged under <paramref name="TempName"/> (unpacking), or described only
    /// (indexing): its wheel entry (null for the RECORD written anew), its installed bytes when they differ from the
    /// entry's (scripts, RECORD), CRC-32, and ELF facts.</summary>
    private sealed record StagedFile(string? TempName, string Destination, int Mode, long Size, string Digest, uint Crc, string? EntryPath, byte[]? Generated, Audit.ElfInfo? Elf);

    /// <summary>Watches the bytes of one entry as they stream by: CRC-32, and the whole content when it is an ELF file (for the audit).</summary>
    private sealed class EntryObserver(bool captureElf)
    {
        public uint Crc;
        private MemoryStream? _elf;
        private bool _first = true;

        public void Add(ReadOnlySpan<byte> chunk)
        {
            Crc = Archives.Crc32.Append(Crc, chunk);
            if (_first)
            {
                _first = false;
                if (captureElf && chunk.Length >= 4 && chunk[..4].SequenceEqual("\u007fELF"u8)) _elf = new MemoryStream();
            }
            _elf?.Write(chunk);
        }

        public Audit.ElfInfo? Elf() => _elf is null ? null : Audit.ElfFile.TryRead(_elf.ToArray());
    }

    // Copies every file to the staging folder, hashing as it goes; throws before the target is touched. Without a
    // staging folder (indexing), nothing is written: every entry is still inflated, hashed and checked.
    private static List<StagedFile> Stage(WheelLayout layout, Dictionary<string, WheelRecordRow> record, string? staging, UnpackBudget budget)
    {
        var staged = new List<StagedFile>(layout.Files.Count + 1);
        var rows = new List<WheelRecordRow>(layout.Files.Count + 1);
        var buffer = ArrayPool<byte>.Shared.Rent(CopyBufferSize);
        using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        try
        {
            foreach (var file in layout.Files)
            {
                if (file.Kind == WheelFileKind.Record)
                    continue;
                if (!record.TryGetValue(file.Path, out var row))
                {
                    if (IsSignature(layout, file.Path))
                        continue;
                    throw new UvLambdaException(ErrorCodes.WheelRecordMismatch,
                        $"Wheel '{layout.WheelName}' has entry '{file.Path}', which its RECORD does not list; nothing was installed.");
                }
                // RECORD almost always uses sha256, which the installed RECORD needs anyway; other algorithms hash twice.
                using var otherHash = row.HashAlgorithm is null or "sha256" ? null : CreateHash(layout.WheelName, file.Path, row.HashAlgorithm);
                var tempName = staging is null ? null : staged.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
                var tempPath = tempName is null ? null : Path.Combine(staging!, tempName);
                string digest;
                long size;
                uint crc;
                byte[]? generated = null;
                Audit.ElfInfo? elf = null;
                var mode = file.Kind == WheelFileKind.Script || IsExecutable(file.Entry) ? 0x1ED : 0x1A4;
                if (file.Kind == WheelFileKind.Script)
                {
                    var original = ReadAll(file.Entry, layout.WheelName, budget, file.Path);
                    sha256.AppendData(original);
                    otherHash?.AppendData(original);
                    Verify(layout.WheelName, file.Path, row, WheelRecord.EncodeDigest(sha256.GetHashAndReset()), otherHash, original.Length);
                    var installed = RewriteShebang(original);
                    if (tempPath is not null) File.WriteAllBytes(tempPath, installed);
                    digest = WheelRecord.EncodeDigest(SHA256.HashData(installed));
                    size = installed.Length;
                    crc = Archives.Crc32.Compute(installed);
                    // Unchanged bytes are copied from the wheel; a rewritten shebang ships as generated content.
                    if (!ReferenceEquals(installed, original)) generated = installed;
                }
                else
                {
                    var write = file.Kind != WheelFileKind.Dropped;
                    var observer = new EntryObserver(captureElf: staging is null && write);
                    size = Copy(file.Entry, write ? tempPath : null, buffer, sha256, otherHash, layout.WheelName, budget, file.Path, observer);
                    digest = WheelRecord.EncodeDigest(sha256.GetHashAndReset());
                    Verify(layout.WheelName, file.Path, row, digest, otherHash, size);
                    if (!write)
                        continue;
                    crc = observer.Crc;
                    elf = observer.Elf();
                }
                if (tempPath is not null && !OperatingSystem.IsWindows())
                    File.SetUnixFileMode(tempPath, mode == 0x1ED ? ExecutableMode : RegularMode);
                staged.Add(new StagedFile(tempName, file.Destination, mode, size, digest, crc, file.Path, generated, elf));
                rows.Add(new WheelRecordRow(file.Destination, "sha256", digest, size));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        rows.Add(new WheelRecordRow(layout.RecordPath, null, null, null));
        rows.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        var recordBytes = new UTF8Encoding(false).GetBytes(WheelRecord.Format(rows));
        var recordName = staging is null ? null : staged.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (recordName is not null)
        {
            var recordPath = Path.Combine(staging!, recordName);
            File.WriteAllBytes(recordPath, recordBytes);
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(recordPath, RegularMode);
        }
        staged.Add(new StagedFile(recordName, layout.RecordPath, 0x1A4, recordBytes.Length, "", Archives.Crc32.Compute(recordBytes), null, recordBytes, null));
        return staged;
    }

    private static void Publish(string wheelName, string staging, List<StagedFile> staged, string target)
    {
        var created = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in staged)
        {
            var destination = Path.Combine(target, file.Destination);
            try
            {
                var directory = Path.GetDirectoryName(destination)!;
                if (created.Add(directory))
                    Directory.CreateDirectory(directory);
                File.Move(Path.Combine(staging, file.TempName!), destination, overwrite: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new UvLambdaException(ErrorCodes.WheelInstallFailed,
                    $"Could not install '{file.Destination}' from wheel '{wheelName}' into '{target}': {e.Message}", inner: e);
            }
        }
    }

    private static long Copy(ZipArchiveEntry entry, string? tempPath, byte[] buffer, IncrementalHash sha256, IncrementalHash? otherHash, string wheelName, UnpackBudget? budget, string path, EntryObserver? observer = null)
    {
        using var input = OpenEntry(entry, wheelName, path);
        FileStream? output = null;
        try
        {
            try
            {
                output = tempPath is null ? null
                    : new FileStream(tempPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw StagingFailed(wheelName, path, e);
            }
            long size = 0;
            int read;
            while ((read = ReadEntry(input, buffer, wheelName, path)) > 0)
            {
                budget?.Inflated(read, path);
                var chunk = buffer.AsSpan(0, read);
                sha256.AppendData(chunk);
                otherHash?.AppendData(chunk);
                observer?.Add(chunk);
                try
                {
                    output?.Write(chunk);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw StagingFailed(wheelName, path, e);
                }
                size += read;
            }
            return size;
        }
        finally
        {
            output?.Dispose();
        }
    }

    // The zip-reading boundary: whatever a damaged entry makes the zip reader throw becomes UVL2208.
    private static Stream OpenEntry(ZipArchiveEntry entry, string wheelName, string path)
    {
        try
        {
            return entry.Open();
        }
        catch (Exception e) when (IsMalformedZip(e))
        {
            throw Unreadable(wheelName, e, path);
        }
    }

    private static int ReadEntry(Stream input, byte[] buffer, string wheelName, string path)
    {
        try
        {
            return input.Read(buffer, 0, buffer.Length);
        }
        catch (Exception e) when (IsMalformedZip(e))
        {
            throw Unreadable(wheelName, e, path);
        }
    }

    /// <summary>
    /// What <see cref="ZipArchive"/> throws on a structurally damaged zip (counts, sizes, offsets, lengths that lie).
    /// IOException covers seeks before the start and short reads; cancellation is not one of them.
    /// </summary>
    internal static bool IsMalformedZip(Exception e) =>
        e is InvalidDataException or EndOfStreamException or ArgumentException or IOException
            or NotSupportedException or OverflowException or IndexOutOfRangeException or FormatException;

    private static UvLambdaException StagingFailed(string wheelName, string path, Exception e) =>
        new(ErrorCodes.WheelInstallFailed, $"Could not stage '{path}' from wheel '{wheelName}': {e.Message}", inner: e);

    private static void Verify(string wheelName, string path, WheelRecordRow row, string sha256Digest, IncrementalHash? otherHash, long size)
    {
        if (row.Size is { } expectedSize && expectedSize != size)
            throw new UvLambdaException(ErrorCodes.WheelRecordMismatch,
                $"Wheel '{wheelName}' has entry '{path}' of {size} bytes, but its RECORD says {expectedSize}; the wheel is damaged. Nothing was installed.");
        if (row.HashAlgorithm is null)
            return;
        var actual = otherHash is null ? sha256Digest : WheelRecord.EncodeDigest(otherHash.GetHashAndReset());
        if (!string.Equals(actual, row.Digest, StringComparison.Ordinal))
            throw new UvLambdaException(ErrorCodes.WheelRecordMismatch,
                $"Wheel '{wheelName}' has entry '{path}' with {row.HashAlgorithm} {actual}, but its RECORD says {row.Digest}; the wheel is damaged. Nothing was installed.");
    }

    private static IncrementalHash CreateHash(string wheelName, string path, string algorithm) => algorithm switch
    {
        "sha384" => IncrementalHash.CreateHash(HashAlgorithmName.SHA384),
        "sha512" => IncrementalHash.CreateHash(HashAlgorithmName.SHA512),
        // The spec forbids md5 and sha1; anything else is unknown.
        _ => throw new UvLambdaException(ErrorCodes.WheelRecordMismatch,
            $"Wheel '{wheelName}' lists '{path}' in RECORD with hash algorithm '{algorithm}'; only sha256, sha384 and sha512 are accepted. Nothing was installed."),
    };

    private static bool IsSignature(WheelLayout layout, string path) =>
        path == layout.DistInfo + "/RECORD.jws" || path == layout.DistInfo + "/RECORD.p7s";

    private static bool IsExecutable(ZipArchiveEntry entry) => ((entry.ExternalAttributes >> 16) & 0x49) != 0; // any of 0o111

    private static byte[] RewriteShebang(byte[] script)
    {
        // The spec's "#!python" (also "#!pythonw") means "the interpreter that runs this install"; on Lambda that is python3 on PATH.
        if (!script.AsSpan().StartsWith("#!python"u8))
            return script;
        var lineEnd = script.AsSpan().IndexOf((byte)'\n');
        var rest = lineEnd < 0 ? ReadOnlySpan<byte>.Empty : script.AsSpan(lineEnd + 1);
        var shebang = Encoding.ASCII.GetBytes(ScriptShebang + "\n");
        return [.. shebang, .. rest];
    }

    private static (string Name, string Version) ReadMetadata(WheelLayout layout, string wheelName, UnpackBudget? budget)
    {
        var wheelText = ReadText(layout, layout.DistInfo + "/WHEEL", wheelName, budget);
        var wheelVersion = WheelMetadataFile.GetHeader(wheelText, "Wheel-Version");
        var dot = wheelVersion?.IndexOf('.') ?? -1;
        if (wheelVersion is null || dot <= 0 || !int.TryParse(wheelVersion.AsSpan(0, dot), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var major))
            throw new UvLambdaException(ErrorCodes.InvalidWheelMetadata,
                $"Wheel '{wheelName}' has no valid Wheel-Version in {layout.DistInfo}/WHEEL; nothing was installed.");
        if (major > 1)
            throw new UvLambdaException(ErrorCodes.UnsupportedWheelVersion,
                $"Wheel '{wheelName}' has Wheel-Version {wheelVersion}; this UvLambda installs wheels of version 1.x only. Nothing was installed.");

        var metadataText = ReadText(layout, layout.DistInfo + "/METADATA", wheelName, budget);
        var name = WheelMetadataFile.GetHeader(metadataText, "Name");
        var version = WheelMetadataFile.GetHeader(metadataText, "Version");
        if (string.IsNullOrEmpty(name) || string.IsNullOrEmpty(version))
            throw new UvLambdaException(ErrorCodes.InvalidWheelMetadata,
                $"Wheel '{wheelName}' has no Name or Version in {layout.DistInfo}/METADATA; nothing was installed.");
        return (name, version);
    }

    private static Dictionary<string, WheelRecordRow> ReadRecord(WheelLayout layout, string wheelName, UnpackBudget? budget)
    {
        var rows = WheelRecord.TryParse(ReadText(layout, layout.RecordPath, wheelName, budget), out var error)
            ?? throw new UvLambdaException(ErrorCodes.InvalidWheelMetadata,
                $"Wheel '{wheelName}' has a malformed {layout.RecordPath}: {error}. Nothing was installed.");
        var byPath = new Dictionary<string, WheelRecordRow>(rows.Count, StringComparer.Ordinal);
        foreach (var row in rows)
            byPath[row.Path] = row;
        return byPath;
    }

    private static string ReadText(WheelLayout layout, string path, string wheelName, UnpackBudget? budget)
    {
        var file = layout.Files.FirstOrDefault(f => f.Path == path)
            ?? throw new UvLambdaException(ErrorCodes.InvalidWheelMetadata,
                $"Wheel '{wheelName}' has no {path}; nothing was installed.");
        // Metadata is read before staging and staged again: count it against a budget of its own, so it is not counted twice.
        var bytes = ReadAll(file.Entry, wheelName, budget?.Fresh(), path);
        return new UTF8Encoding(false).GetString(bytes);
    }

    private static byte[] ReadAll(ZipArchiveEntry entry, string wheelName, UnpackBudget? budget, string path)
    {
        using var input = OpenEntry(entry, wheelName, path);
        // The declared length only sizes the first buffer, and only when small: it may lie.
        using var memory = new MemoryStream(entry.Length is > 0 and < 1 << 20 ? (int)entry.Length : 0);
        var buffer = new byte[CopyBufferSize];
        int read;
        while ((read = ReadEntry(input, buffer, wheelName, path)) > 0)
        {
            budget?.Inflated(read, path);
            // Held in memory: beyond 1 GiB it is a bomb whatever the limit (scripts and metadata are small).
            if (memory.Length + read > 1 << 30)
                budget?.Exceeded(path);
            memory.Write(buffer, 0, read);
        }
        return memory.ToArray();
    }

    private static void CheckIdentity(string wheelName, string where, string name, string version, string expectedName, string? expectedVersion)
    {
        if (!PackageName.AreEquivalent(name, expectedName))
            throw new UvLambdaException(ErrorCodes.WheelNameMismatch,
                $"Wheel '{wheelName}' is for package '{name}' (by {where}), but '{expectedName}' was expected; nothing was installed.");
        if (expectedVersion is null)
            return;
        var same = Pep440Version.TryParse(version, out var actual) && Pep440Version.TryParse(expectedVersion, out var expected)
            ? actual == expected
            : string.Equals(version, expectedVersion, StringComparison.Ordinal);
        if (!same)
            throw new UvLambdaException(ErrorCodes.WheelNameMismatch,
                $"Wheel '{wheelName}' is version {version} of '{name}' (by {where}), but {expectedVersion} was expected; nothing was installed.");
    }

    private static FileStream OpenWheel(string wheelPath, string wheelName)
    {
        try
        {
            // Entries lie in file order, so a large buffer serves many small entries per read.
            return new FileStream(wheelPath, FileMode.Open, FileAccess.Read, FileShare.Read, CopyBufferSize);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UvLambdaException(ErrorCodes.UnreadableWheel, $"Cannot read wheel '{wheelName}' at '{wheelPath}': {e.Message}", inner: e);
        }
    }

    private static ZipArchive OpenZip(FileStream stream, string wheelName)
    {
        try
        {
            return new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
        }
        catch (Exception e) when (IsMalformedZip(e))
        {
            throw Unreadable(wheelName, e);
        }
    }

    /// <summary>Counts the bytes one wheel inflates to, and stops the install (UVL2210) as soon as they exceed the limit.</summary>
    internal sealed class UnpackBudget(string package, string version, string wheelName, long limit)
    {
        private long _inflated;

        public UnpackBudget Fresh() => new(package, version, wheelName, limit);

        public void Inflated(int bytes, string path)
        {
            _inflated += bytes;
            if (_inflated > limit)
                Exceeded(path);
        }

        [System.Diagnostics.CodeAnalysis.DoesNotReturn]
        public void Exceeded(string path) =>
            throw new UvLambdaException(ErrorCodes.WheelTooLarge,
                $"'{package}' {version}: wheel '{wheelName}' inflates to more than {limit.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} bytes "
                + $"(unpacking stopped in '{path}'), more than Lambda allows unzipped for this LambdaPackageType "
                + $"({ZipUnpackedLimit.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} for Zip and Layer, {ImageUnpackedLimit.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} for Image). Nothing of it was installed. "
                + "The file is corrupt or a decompression bomb, or the package is too large for Lambda: delete it from the cache and any find-links folder and check where it comes from, "
                + "lock another version, drop the dependency, or deploy as a container image (LambdaPackageType=Image).");
    }

    internal static UvLambdaException Unreadable(string wheelName, Exception e, string? entry = null) =>
        new(ErrorCodes.UnreadableWheel,
            $"Wheel '{wheelName}' is not a readable zip file{(entry is null ? "" : $" (at entry '{entry}')")}: {e.Message.TrimEnd('.')}. Nothing was installed. "
            + "The file is damaged or not a wheel: replace it if it came from a find-links folder; otherwise check the package index or mirror "
            + $"(run `uv lock --refresh-package {wheelName.Split('-')[0]}` if the file was republished there) or report the package to its maintainers.", inner: e);
}
