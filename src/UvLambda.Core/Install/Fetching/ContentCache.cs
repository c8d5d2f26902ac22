using UvLambda.Core.FileSystem;
using System.Security.Cryptography;

namespace UvLambda.Core.Install.Fetching;

/// <summary>
/// Wheels stored by their SHA-256, shared by every build on the machine: <c>&lt;root&gt;/wheels/sha256/ab/abcdef…</c>.
/// An entry only ever appears by an atomic rename of a verified file, so readers never see a partial one; several
/// builds (processes) may add the same hash at once and all of them end up with the same valid file.
/// </summary>
public sealed class ContentCache
{
    private int _staleTempsSwept;

    public ContentCache(string root)
    {
        Root = Path.GetFullPath(root);
    }

    public string Root { get; }

    private string WheelsDirectory => Path.Combine(Root, "wheels", "sha256");

    /// <summary>Where downloads are written before they are verified: inside the cache, so the final rename stays on one volume.</summary>
    public string TempDirectory => Path.Combine(Root, "wheels", "tmp");

    /// <summary>The entry's path for a hash, whether or not it exists.</summary>
    public string PathFor(string sha256)
    {
        var hex = NormalizeHash(sha256);
        return Path.Combine(WheelsDirectory, hex[..2], hex);
    }

    /// <summary>The cached file with this hash, re-hashed to catch a corrupted disk; a bad entry is removed and null returned.</summary>
    public string? TryGet(string sha256)
    {
        var path = PathFor(sha256);
        if (!File.Exists(path))
            return null;
        try
        {
            if (string.Equals(HashFile(path), NormalizeHash(sha256), StringComparison.Ordinal))
                return path;
            TryDelete(path);
        }
        catch (IOException)
        {
            // Unreadable right now (e.g. being replaced on Windows): treat it as a miss; the caller adds it again.
        }
        return null;
    }

    /// <summary>Moves <paramref name="tempFile"/> into the cache after checking its hash; returns the entry's path.</summary>
    public string Add(string tempFile, string sha256)
    {
        var actual = HashFile(tempFile);
        if (!string.Equals(actual, NormalizeHash(sha256), StringComparison.Ordinal))
            throw new InvalidDataException($"{tempFile} hashes to sha256:{actual}, not sha256:{NormalizeHash(sha256)}.");
        return AddVerified(tempFile, sha256);
    }

    /// <summary>
    /// A fresh temp file path, unique per process and call, in <see cref="TempDirectory"/>, named for its owner
    /// (<see cref="TempOwner"/>: PID and start time) so a killed build's leftovers can be told from a live build's.
    /// </summary>
    public string NewTempPath(string fileName)
    {
        Directory.CreateDirectory(TempDirectory);
        SweepAbandonedTemps();
        // Keep the name short: some wheel names are long and Windows paths are limited.
        var hint = fileName.Length > 60 ? fileName[..60] : fileName;
        return TempOwner.TempFile(TempDirectory, hint);
    }

    /// <summary>Moves a file the caller already hashed into place.</summary>
    internal string AddVerified(string tempFile, string sha256)
    {
        var target = PathFor(sha256);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var source = Path.GetFullPath(tempFile);
        if (!string.Equals(Path.GetDirectoryName(source), TempDirectory, StringComparison.Ordinal))
        {
            // A file from elsewhere may be on another volume, where a move is a copy that others could see half-done.
            var staged = NewTempPath(Path.GetFileName(source));
            File.Copy(source, staged);
            source = staged;
        }
        try
        {
            // Without overwrite: if another build got there first its file is identical (same hash), so keep it.
            File.Move(source, target, overwrite: false);
        }
        catch (IOException) when (File.Exists(target))
        {
            TryDelete(source);
        }
        return target;
    }

    /// <summary>
    /// The cache folder when the project does not set one (<c>UvLambdaCacheDir</c> is the caller's business):
    /// <c>%LOCALAPPDATA%\uvlambda</c> on Windows, else <c>$XDG_CACHE_HOME/uvlambda</c> or <c>~/.cache/uvlambda</c>.
    /// </summary>
    public static string DefaultRoot(IReadOnlyDictionary<string, string?> environment)
    {
        string? Get(string name) => environment.TryGetValue(name, out var v) && !string.IsNullOrWhiteSpace(v) ? v : null;

        if (OperatingSystem.IsWindows())
        {
            var local = Get("LOCALAPPDATA") ?? Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData);
            return Path.Combine(local, "uvlambda");
        }
        // The XDG spec says to ignore a relative XDG_CACHE_HOME.
        if (Get("XDG_CACHE_HOME") is { } xdg && Path.IsPathRooted(xdg))
            return Path.Combine(xdg, "uvlambda");
        var home = Get("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return Path.Combine(home, ".cache", "uvlambda");
    }

    internal static string HashFile(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16);
        return Convert.ToHexString(SHA256.HashData(stream)).ToLowerInvariant();
    }

    internal static string NormalizeHash(string sha256) => sha256.ToLowerInvariant();

    /// <summary>
    /// Deletes temp files that killed builds left behind, once per instance: those whose owner process is gone (PID
    /// absent, or reused by a process that started at another time), and anything older than a day. A file still
    /// locked by a writer (downloads hold their temp file exclusively, which .NET makes an flock on Unix) is kept even
    /// then, so a live build whose PID this process cannot see (another PID namespace on a shared cache) keeps its file.
    /// </summary>
    public void SweepAbandonedTemps()
    {
        if (Interlocked.Exchange(ref _staleTempsSwept, 1) != 0) return;
        // The folder holds only temps, so the age rule also takes the names earlier versions gave them.
        TempOwner.DeleteAbandoned(TempDirectory, staleAfter: TempOwner.SharedCacheStaleAge);
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
