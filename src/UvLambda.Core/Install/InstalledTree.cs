using System.Security.Cryptography;
using UvLambda.Core.Install.Wheels;
using UvLambda.Core.Projects;

namespace UvLambda.Core.Install;

/// <summary>What a file looked like when it was installed: cheap to compare on every build, and changed by any write, truncation or chmod.</summary>
public sealed record FileStamp(long Size, long Time, int Mode)
{
    private const int Bytes = 20;

    internal static string Pack(IReadOnlyList<FileStamp> stamps)
    {
        var buffer = new byte[stamps.Count * Bytes];
        for (int i = 0; i < stamps.Count; i++)
        {
            var slot = buffer.AsSpan(i * Bytes);
            System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(slot, stamps[i].Size);
            System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(slot[8..], stamps[i].Time);
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(slot[16..], stamps[i].Mode);
        }
        return Convert.ToBase64String(buffer);
    }

    /// <summary>The stamps of <paramref name="count"/> files, or null when the data is missing or malformed (then nothing is trusted).</summary>
    internal static List<FileStamp>? Unpack(string? data, int count)
    {
        if (data is null) return null;
        var buffer = new byte[count * Bytes];
        if (!Convert.TryFromBase64String(data, buffer, out var written) || written != buffer.Length) return null;
        var stamps = new List<FileStamp>(count);
        for (int i = 0; i < count; i++)
        {
            var slot = buffer.AsSpan(i * Bytes);
            stamps.Add(new FileStamp(System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(slot),
                System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(slot[8..]), System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(slot[16..])));
        }
        return stamps;
    }
}

/// <summary>The outcome of <see cref="InstalledTree.Check"/>: packages to reinstall, stray files removed, and whether the state must be written.</summary>
internal sealed record TreeCheck(IReadOnlyList<string> Damaged, int Strays, bool Changed);

/// <summary>
/// Checks the installed folder against the install state on every build, so nothing that happened to obj/ reaches
/// a package. Every installed file is stat-ed, in parallel (no hashing, no directory listing): one whose size, write
/// time and mode are as recorded is trusted; one that differs is hashed and compared with its package's RECORD (a
/// touched or chmod-ed but intact file only gets a fresh stamp, or its mode back); a missing or changed file marks
/// its package for reinstalling. Every folder's write time is recorded too: only a folder whose time changed (a file
/// was added, removed or renamed in it) is listed, and files no package installed are deleted from it, since
/// packaging takes whatever the folder holds (byte-code caches, which never ship, are left alone).
/// </summary>
internal static class InstalledTree
{
    private const long Missing = long.MinValue;

    public static TreeCheck Check(InstallState state, string siteDirectory)
    {
        if (state.Packages.Count == 0 && !Directory.Exists(siteDirectory))
            return new TreeCheck([], 0, false);
        var root = Path.GetFullPath(siteDirectory);
        // Nothing installed (a function without dependencies): only what appeared in the folder matters, and the
        // common case (the folder untouched) stays one stat, without even compiling the rest of this class.
        if (state.Packages.Count == 0)
        {
            if (state.Folders is [""] && UnpackTimes(state.FolderTimes, 1) is [var time] && FolderTime(root) == time) return new TreeCheck([], 0, false);
            return DeleteStrays(state, root) is var none and > 0 ? new TreeCheck([], none, true) : new TreeCheck([], 0, false);
        }
        return CheckInstalled(state, root);
    }

    private static TreeCheck CheckInstalled(InstallState state, string root)
    {
        var damaged = new SortedSet<string>(StringComparer.Ordinal);
        var checkable = new List<(string Package, InstalledState State)>();
        foreach (var (name, package) in state.Packages)
        {
            // An indexed wheel: its file (in the content cache) and its index must be as they were when installed.
            if (package.Wheel is { } wheel && (package.Index is not { } index || package.WheelStamp is null || Stat(wheel) != package.WheelStamp || Stat(index) != package.IndexStamp))
                damaged.Add(name);
            else if (package.Stamps is { } stamps && stamps.Count == package.Files.Count) checkable.Add((name, package));
            else damaged.Add(name);
        }

        // Stat every file, in chunks: a hundred small packages and one huge one both spread over the cores.
        var findings = new System.Collections.Concurrent.ConcurrentBag<(string Path, string Package, int Index, FileStamp? Actual)>();
        ForEach(Chunks(checkable).ToList(), range =>
        {
            var (name, package) = checkable[range.Package];
            var stamps = package.Stamps!;
            for (int i = range.From; i < range.To; i++)
            {
                var actual = Stat(Path.Combine(root, package.Files[i]));
                if (actual != stamps[i]) findings.Add((package.Files[i], name, i, actual));
            }
        });
        foreach (var f in findings.Where(f => f.Actual is null)) damaged.Add(f.Package);

        bool changed = damaged.Count > 0;
        var records = new Dictionary<string, Dictionary<string, WheelRecordRow>?>(StringComparer.Ordinal);
        var suspects = findings.Where(f => f.Actual is not null).GroupBy(f => f.Path, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        foreach (var (path, owners) in suspects)
        {
            var live = owners.Where(o => !damaged.Contains(o.Package)).ToList();
            if (live.Count == 0) continue;
            var full = Path.Combine(root, path);
            var (digest, size) = Hash(full);
            // Intact if it is what any owner's RECORD says (two packages may ship one identical file).
            var intact = digest is not null && live.Any(o => Record(state, root, o.Package, suspects, records) is { } rows
                && rows.TryGetValue(path, out var row) && row.HashAlgorithm == "sha256" && row.Digest == digest && (row.Size is null || row.Size == size));
            if (!intact)
            {
                foreach (var o in live) damaged.Add(o.Package);
                continue;
            }
            var recorded = state.Packages[live[0].Package].Stamps![live[0].Index];
            if (!OperatingSystem.IsWindows() && live[0].Actual!.Mode != recorded.Mode)
            {
                // The content is right, the permissions are not: put them back (the executable bit ships).
                File.SetUnixFileMode(full, (UnixFileMode)recorded.Mode);
            }
            if (Stat(full) is not { } fresh)
            {
                foreach (var o in live) damaged.Add(o.Package);
                continue;
            }
            foreach (var o in live) state.Packages[o.Package].Stamps![o.Index] = fresh;
            changed = true;
        }

        var strays = DeleteStrays(state, root);
        return new TreeCheck(damaged.ToList(), strays, changed || strays > 0);
    }

    /// <summary>In parallel when there is enough to share: a small project's check stays a plain loop.</summary>
    private static void ForEach<T>(List<T> items, Action<T> body)
    {
        if (items.Count < 8)
            foreach (var item in items) body(item);
        else
            Parallel.ForEach(items, body);
    }

    private readonly record struct Range(int Package, int From, int To);

    private static IEnumerable<Range> Chunks(List<(string Package, InstalledState State)> packages)
    {
        const int Chunk = 256;
        for (int p = 0; p < packages.Count; p++)
            for (int from = 0; from < packages[p].State.Files.Count; from += Chunk)
                yield return new Range(p, from, Math.Min(from + Chunk, packages[p].State.Files.Count));
    }

    /// <summary>Lists the folders whose write time changed (all of them when none is recorded) and deletes what no package installed there.</summary>
    private static int DeleteStrays(InstallState state, string root)
    {
        if (!Directory.Exists(root)) return 0;
        var recorded = state.Folders is { } names ? UnpackTimes(state.FolderTimes, names.Count) : null;
        var folders = recorded is null ? AllFolders(state).ToList() : state.Folders!;
        var changedFolders = new System.Collections.Concurrent.ConcurrentBag<string>();
        ForEach(Enumerable.Range(0, folders.Count).ToList(), i =>
        {
            if (recorded is null || FolderTime(Path.Combine(root, folders[i])) != recorded[i]) changedFolders.Add(folders[i]);
        });
        if (changedFolders.IsEmpty) return 0;

        var files = state.Packages.Values.SelectMany(p => p.Files).ToHashSet(StringComparer.Ordinal);
        var known = AllFolders(state);
        int strays = 0;
        var emptied = new HashSet<string>(StringComparer.Ordinal);
        foreach (var folder in changedFolders)
        {
            var full = folder.Length == 0 ? root : Path.Combine(root, folder);
            if (!Directory.Exists(full)) continue;
            var prefix = folder.Length == 0 ? "" : folder + "/";
            foreach (var entry in new DirectoryInfo(full).EnumerateFileSystemInfos())
            {
                var relative = prefix + entry.Name;
                // A folder no package installed into is a stray tree; a link is never followed (nothing outside the site).
                if (entry is DirectoryInfo directory && !directory.Attributes.HasFlag(FileAttributes.ReparsePoint))
                {
                    if (known.Contains(relative)) continue;
                    foreach (var file in directory.EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
                        strays += Delete(root, Path.GetRelativePath(root, file.FullName).Replace('\\', '/'), emptied);
                    emptied.Add(relative);
                }
                else if (!files.Contains(relative))
                    strays += Delete(root, relative, emptied);
            }
        }
        // Deepest first, so folders that held only strays go too.
        foreach (var d in emptied.OrderByDescending(d => d.Length))
        {
            var full = Path.Combine(root, d);
            if (Directory.Exists(full) && !Directory.EnumerateFileSystemEntries(full).Any()) Directory.Delete(full);
        }
        return strays;
    }

    private static int Delete(string root, string relative, HashSet<string> emptied)
    {
        if (LambdaSourceFile.IsNeverShipped(relative)) return 0;
        try { File.Delete(Path.Combine(root, relative)); }
        catch (IOException) { return 0; }
        catch (UnauthorizedAccessException) { return 0; }
        for (var slash = relative.LastIndexOf('/'); slash > 0; slash = relative.LastIndexOf('/', slash - 1)) emptied.Add(relative[..slash]);
        return 1;
    }

    /// <summary>"" and every folder that holds an installed file, directly or below.</summary>
    private static HashSet<string> AllFolders(InstallState state)
    {
        var folders = new HashSet<string>(StringComparer.Ordinal) { "" };
        foreach (var p in state.Packages.Values)
            foreach (var f in p.Files)
                for (var slash = f.LastIndexOf('/'); slash > 0 && folders.Add(f[..slash]); slash = f.LastIndexOf('/', slash - 1)) { }
        return folders;
    }

    /// <summary>Records the write time of every folder, once this build's changes are done.</summary>
    public static void StampFolders(InstallState state, string siteDirectory)
    {
        var root = Path.GetFullPath(siteDirectory);
        var folders = AllFolders(state).Order(StringComparer.Ordinal).ToList();
        var times = new byte[folders.Count * 8];
        Parallel.For(0, folders.Count, i => System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(times.AsSpan(i * 8), FolderTime(Path.Combine(root, folders[i]))));
        state.Folders = folders;
        state.FolderTimes = Convert.ToBase64String(times);
    }

    /// <summary>The recorded folder times, or null when missing or not one per folder (then every folder is listed).</summary>
    private static long[]? UnpackTimes(string? data, int count)
    {
        if (data is null) return null;
        var bytes = new byte[count * 8];
        if (!Convert.TryFromBase64String(data, bytes, out var written) || written != bytes.Length) return null;
        var times = new long[count];
        for (int i = 0; i < count; i++) times[i] = System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(i * 8));
        return times;
    }

    private static long FolderTime(string fullPath)
    {
        var info = new DirectoryInfo(fullPath);
        return info.Exists ? info.LastWriteTimeUtc.Ticks : Missing;
    }

    /// <summary>The stamps of freshly installed files, in order.</summary>
    public static List<FileStamp> Stamps(string siteDirectory, IReadOnlyList<string> files)
    {
        var stamps = new FileStamp[files.Count];
        Parallel.For(0, files.Count, i => stamps[i] = Stat(Path.Combine(siteDirectory, files[i])) ?? new FileStamp(-1, 0, 0));
        return [.. stamps];
    }

    /// <summary>Paths several packages install are stamped again from disk, for every owner: only the last writer's stamp is right.</summary>
    public static void RestampShared(InstallState state, string siteDirectory)
    {
        var owners = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var p in state.Packages.Values)
            foreach (var f in p.Files) owners[f] = owners.GetValueOrDefault(f) + 1;
        var shared = owners.Where(o => o.Value > 1).ToDictionary(o => o.Key, o => Stat(Path.Combine(siteDirectory, o.Key)) ?? new FileStamp(-1, 0, 0), StringComparer.Ordinal);
        if (shared.Count == 0) return;
        foreach (var p in state.Packages.Values)
        {
            if (p.Stamps is null) continue;
            for (int i = 0; i < p.Files.Count; i++)
                if (shared.TryGetValue(p.Files[i], out var stamp)) p.Stamps[i] = stamp;
        }
    }

    public static FileStamp? Stat(string fullPath)
    {
        var info = new FileInfo(fullPath);
        return info.Exists ? StampOf(info) : null;
    }

    private static FileStamp StampOf(FileInfo info) =>
        new(info.Length, info.LastWriteTimeUtc.Ticks, OperatingSystem.IsWindows() ? 0 : (int)info.UnixFileMode);

    private static (string? Digest, long Size) Hash(string fullPath)
    {
        try
        {
            using var stream = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            return (WheelRecord.EncodeDigest(SHA256.HashData(stream)), stream.Length);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (null, -1);
        }
    }

    /// <summary>A package's installed RECORD by path, or null when it is missing or itself changed (then nothing can be verified against it).</summary>
    private static Dictionary<string, WheelRecordRow>? Record(InstallState state, string siteDirectory, string package,
        IReadOnlyDictionary<string, List<(string Path, string Package, int Index, FileStamp? Actual)>> suspects, Dictionary<string, Dictionary<string, WheelRecordRow>?> cache)
    {
        if (cache.TryGetValue(package, out var rows)) return rows;
        rows = null;
        var record = state.Packages[package].Files.FirstOrDefault(f => f.EndsWith(".dist-info/RECORD", StringComparison.Ordinal) && f.IndexOf('/') == f.Length - "/RECORD".Length);
        if (record is not null && !suspects.ContainsKey(record))
        {
            try
            {
                if (WheelRecord.TryParse(File.ReadAllText(Path.Combine(siteDirectory, record)), out _) is { } parsed)
                {
                    rows = new Dictionary<string, WheelRecordRow>(StringComparer.Ordinal);
                    foreach (var row in parsed) rows[row.Path] = row;
                }
            }
            catch (IOException) { }
        }
        cache[package] = rows;
        return rows;
    }
}
