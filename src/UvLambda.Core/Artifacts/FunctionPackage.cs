using UvLambda.Core.Diagnostics;
using UvLambda.Core.Projects;
using UvLambda.Core.Archives;

namespace UvLambda.Core.Artifacts;

/// <summary>package.zip: everything that ships, flat, as <c>uv pip install --target</c> + the app lays it out.</summary>
public static class FunctionPackage
{
    /// <summary>
    /// Writes the zip from the app's files and the installed packages' folder, after checking that the handler's
    /// module is among them, so the classic "Unable to import module" deploy failure is caught at build time.
    /// </summary>
    public static ZipWriteResult Create(string outputPath, IReadOnlyList<LambdaSourceFile> appFiles, string? siteDirectory,
        LambdaHandler handler, DateTime timestamp, IBuildLog log, string? projectFile = null)
    {
        var entries = appFiles.Select(f => f.ToArchiveEntry()).ToList();
        if (siteDirectory is not null && Directory.Exists(siteDirectory))
            entries.AddRange(SiteEntries(siteDirectory));
        handler.EnsureIn(Modes(entries), projectFile);
        var result = DeterministicZipWriter.Write(outputPath, entries, timestamp);
        log.Info($"{Path.GetFileName(outputPath)}: {result.FileCount} files, {ByteSize.Format(result.UncompressedBytes)} unzipped, {ByteSize.Format(result.ArchiveBytes)} zipped -> {outputPath}");
        return result;
    }

    /// <summary>Package path → permission bits (the first entry of a path wins).</summary>
    public static IReadOnlyDictionary<string, int> Modes(IEnumerable<ArchiveEntry> entries)
    {
        var modes = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var e in entries) modes.TryAdd(e.Path, e.UnixMode);
        return modes;
    }

    /// <summary>Every file of an installed-packages folder at its path relative to that folder.</summary>
    public static IEnumerable<ArchiveEntry> SiteEntries(string siteDirectory)
    {
        foreach (var file in Directory.EnumerateFiles(siteDirectory, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(siteDirectory, file).Replace('\\', '/');
            if (LambdaSourceFile.IsNeverShipped(relative)) continue;
            yield return ArchiveEntry.FromFile(relative, file, LambdaSourceFile.UnixModeOf(file));
        }
    }
}
