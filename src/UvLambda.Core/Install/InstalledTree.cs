using System.IO.Enumeration;
using System.Security.Cryptography;
using UvLambda.Core.Install.Wheels;
using UvLambda.Core.Projects;

namespace UvLambda.Core.Install;

/// <summary>What a file looked like when it was installed: cheap to compare on every build, and changed by any write, truncation or chmod.</summary>
public sealed record FileStamp(long Size, long Time, int Mode);

/// <summary>The outcome of <see cref="InstalledTree.Check"/>: packages to reinstall, stray files removed, and whether the state must be written.</summary>
internal sealed record TreeCheck(IReadOnlyList<string> Damaged, int Strays, bool Changed);

/// <summary>
/// Checks the installed folder against the install state on every build, so nothing that happened to obj/ reaches
/// a package. One parallel walk stats every file (no hashing): a file whose size, write time and mode are as recorded
/// is trusted; one that differs is hashed and compared with its package's RECORD (a touched or chmod-ed but intact
/// file only gets a fresh stamp, or its mode back); a missing or changed file marks its package for reinstalling.
/// Files no package installed are deleted, since packaging takes whatever the folder holds (byte-code caches, which
/// never ship, are left alone).
/// </summary>
internal static class InstalledTree
{
    internal sealed class Scanned(FileStamp stamp)
    {
        public FileStamp Stamp { get; set; } = stamp;
        public bool Claimed;
    }

    public static TreeCheck Check(InstallState state, string siteDirectory)
    {
        if (state.Packages.Count == 0 && !Directory.Exists(siteDirectory))
            return new TreeCheck([], 0, false);
        var actual = Scan(siteDirectory);

        var damaged = new SortedSet<string>(StringComparer.Ordinal);
        // Files whose stamp differs, with every package that claims them: (package, index in its Files).
        var suspects = new Dictionary<string, List<(string Package, int Index)>>(StringComparer.Ordinal);
        foreach (var (name, package) in state.Packages)
        {
            if (package.Stamps is not { } stamps || stamps.Count != package.Files.Count)
            {
                damaged.Add(name);
                foreach (var f in package.Files)
                    if (actual.TryGetValue(f, out var s)) s.Claimed = true;
                continue;
            }
            for (int i = 0; i < package.Files.Count; i++)
            {
                var path = package.Files[i];
                if (!actual.TryGetValue(path, out var scanned))
                {
                    damaged.Add(name);
                    continue;
                }
                scanned.Claimed = true;
                if (scanned.Stamp != stamps[i])
                {
                    if (!suspects.TryGetValue(path, out var owners)) suspects[path] = owners = [];
                    owners.Add((name, i));
                }
            }
        }

        bool changed = damaged.Count > 0;
        var records = new Dictionary<string, Dictionary<string, WheelRecordRow>?>(StringComparer.Ordinal);
        foreach (var (path, owners) in suspects)
        {
            var live = owners.Where(o => !damaged.Contains(o.Package)).ToList();
            if (live.Count == 0) continue;
            var full = Path.Combine(siteDirectory, path);
            var (digest, size) = Hash(full);
            // Intact if it is what any owner's RECORD says (two packages may ship one identical file).
            var intact = digest is not null && live.Any(o => Record(state, siteDirectory, o.Package, suspects, records) is { } rows
                && rows.TryGetValue(path, out var row) && row.HashAlgorithm == "sha256" && row.Digest == digest && (row.Size is null || row.Size == size));
            if (!intact)
            {
                foreach (var o in live) damaged.Add(o.Package);
                continue;
            }
            var recorded = state.Packages[live[0].Package].Stamps![live[0].Index];
            if (!OperatingSystem.IsWindows() && actual[path].Stamp.Mode != recorded.Mode)
            {
                // The content is right, the permissions are not: put them back (the executable bit ships).
                File.SetUnixFileMode(full, (UnixFileMode)recorded.Mode);
            }
            var fresh = Stat(full);
            if (fresh is null)
            {
                foreach (var o in live) damaged.Add(o.Package);
                continue;
            }
            foreach (var o in live) state.Packages[o.Package].Stamps![o.Index] = fresh;
            changed = true;
        }

        int strays = 0;
        var strayDirectories = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (path, scanned) in actual)
        {
            if (scanned.Claimed || LambdaSourceFile.IsNeverShipped(path)) continue;
            try { File.Delete(Path.Combine(siteDirectory, path)); }
            catch (IOException) { continue; }
            catch (UnauthorizedAccessException) { continue; }
            strays++;
            for (var d = Path.GetDirectoryName(path); !string.IsNullOrEmpty(d); d = Path.GetDirectoryName(d)) strayDirectories.Add(d);
        }
        // Deepest first, so folders that held only strays go too.
        foreach (var d in strayDirectories.OrderByDescending(d => d.Length))
        {
            var full = Path.Combine(siteDirectory, d);
            if (Directory.Exists(full) && !Directory.EnumerateFileSystemEntries(full).Any()) Directory.Delete(full);
        }
        return new TreeCheck(damaged.ToList(), strays, changed || strays > 0);
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

    /// <summary>
    /// Every file under the folder by relative '/' path, with its stamp: level by level, the folders of a level
    /// listed in parallel (a wheel's files sit in many folders, so a single big package spreads too).
    /// </summary>
    internal static Dictionary<string, Scanned> Scan(string siteDirectory)
    {
        var result = new Dictionary<string, Scanned>(StringComparer.Ordinal);
        if (!Directory.Exists(siteDirectory)) return result;
        var root = Path.GetFullPath(siteDirectory);
        var options = new EnumerationOptions { RecurseSubdirectories = false, AttributesToSkip = 0, IgnoreInaccessible = false, ReturnSpecialDirectories = false };
        var level = new List<string> { "" };
        var gate = new object();
        while (level.Count > 0)
        {
            var next = new List<string>();
            Parallel.ForEach(level, () => (Files: new List<(string, FileStamp)>(), Directories: new List<string>()), (relative, _, local) =>
            {
                var folder = relative.Length == 0 ? root : Path.Combine(root, relative);
                var prefix = relative.Length == 0 ? "" : relative + "/";
                var entries = new FileSystemEnumerable<(string Name, bool Folder, FileStamp? Stamp)>(folder,
                    (ref FileSystemEntry e) =>
                    {
                        var name = e.FileName.ToString();
                        // A symbolic link is never followed (no loops, nothing outside the folder): it is a stray file.
                        var link = (e.Attributes & FileAttributes.ReparsePoint) != 0;
                        return e.IsDirectory && !link ? (name, true, null) : (name, false, link ? new FileStamp(-1, 0, 0) : StampOf((FileInfo)e.ToFileSystemInfo()));
                    }, options);
                foreach (var (name, isFolder, stamp) in entries)
                {
                    if (isFolder) local.Directories.Add(prefix + name);
                    else local.Files.Add((prefix + name, stamp!));
                }
                return local;
            }, local =>
            {
                lock (gate)
                {
                    foreach (var (path, stamp) in local.Files) result[path] = new Scanned(stamp);
                    next.AddRange(local.Directories);
                }
            });
            level = next;
        }
        return result;
    }

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
        Dictionary<string, List<(string Package, int Index)>> suspects, Dictionary<string, Dictionary<string, WheelRecordRow>?> cache)
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
