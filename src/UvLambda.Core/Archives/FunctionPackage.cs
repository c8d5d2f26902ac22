using UvLambda.Core.Diagnostics;
using UvLambda.Core.Projects;

namespace UvLambda.Core.Archives;

/// <summary>package.zip: everything that ships, flat, as <c>uv pip install --target</c> + the app lays it out.</summary>
public static class FunctionPackage
{
    public static ZipWriteResult Create(string outputPath, IReadOnlyList<LambdaSourceFile> appFiles, DateTime timestamp, IBuildLog log)
    {
        var entries = appFiles.Select(f => f.ToArchiveEntry()).ToList();
        var result = DeterministicZipWriter.Write(outputPath, entries, timestamp);
        log.Info($"{Path.GetFileName(outputPath)}: {result.FileCount} files, {ByteSize.Format(result.UncompressedBytes)} unzipped, {ByteSize.Format(result.ArchiveBytes)} zipped -> {outputPath}");
        return result;
    }
}
