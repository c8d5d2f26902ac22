using System.Runtime.CompilerServices;
using UvLambda.Core.Diagnostics;

namespace UvLambda.Core.Archives;

/// <summary>Rules for paths inside archives: relative, forward slashes, no '.'/'..' segments.</summary>
public static class ArchivePath
{
    public static string Normalize(string path)
    {
        var p = path.Contains('\\') ? path.Replace('\\', '/') : path;
        while (p.StartsWith("./", StringComparison.Ordinal)) p = p[2..];
        if (p.Length == 0 || p.StartsWith('/') || p.EndsWith('/') || (p.Length > 1 && p[1] == ':'))
            throw new ArgumentException($"'{path}' is not a relative file path", nameof(path));
        // Segment by segment without splitting: called for every entry of a 28k-file package.
        for (int start = 0; start <= p.Length;)
        {
            int end = p.IndexOf('/', start);
            if (end < 0) end = p.Length;
            var segment = p.AsSpan(start, end - start);
            if (segment.Length == 0 || segment is "." or "..")
                throw new ArgumentException($"'{path}' has an empty, '.' or '..' segment", nameof(path));
            start = end + 1;
        }
        return p;
    }

    /// <summary>Every parent directory of the given file paths, each once, without trailing slash. Compiled optimized at
    /// once: it loops over a whole package's paths in one call (see <see cref="DeterministicZipWriter"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static SortedSet<string> ParentDirectories(IEnumerable<string> filePaths)
    {
        var dirs = new SortedSet<string>(StringComparer.Ordinal);
        string? last = null;
        foreach (var f in filePaths)
        {
            // A file in the folder of the file before it (most of a wheel's) adds nothing and costs no string.
            int slash = f.LastIndexOf('/');
            if (slash <= 0 || (last is not null && f.AsSpan(0, slash).SequenceEqual(last))) continue;
            last = f[..slash];
            for (int i = slash; i > 0; i = f.LastIndexOf('/', i - 1))
                if (!dirs.Add(i == slash ? last : f[..i])) break;
        }
        return dirs;
    }

    /// <summary>Rejects two entries at one path (case-sensitive, as Lambda's Linux file system is).</summary>
    public static void EnsureUnique(IReadOnlyList<ArchiveEntry> entries)
    {
        var seen = new Dictionary<string, ArchiveEntry>(StringComparer.Ordinal);
        foreach (var e in entries)
        {
            if (seen.TryGetValue(e.Path, out var first))
                throw new UvLambdaException(ErrorCodes.DuplicatePackagePath,
                    $"Two files map to '{e.Path}' in the package: '{first.Origin}' and '{e.Origin}'. Give one of them another PackagePath, or remove it.");
            seen.Add(e.Path, e);
        }
    }
}
