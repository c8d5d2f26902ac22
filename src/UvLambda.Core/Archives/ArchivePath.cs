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

    /// <summary>Every parent directory of the given file paths, each once, without trailing slash.</summary>
    public static SortedSet<string> ParentDirectories(IEnumerable<string> filePaths)
    {
        var dirs = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var f in filePaths)
        {
            for (int i = f.LastIndexOf('/'); i > 0; i = f.LastIndexOf('/', i - 1))
                if (!dirs.Add(f[..i])) break;
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
