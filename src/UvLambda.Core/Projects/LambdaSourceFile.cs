using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using UvLambda.Core.Archives;
using UvLambda.Core.Diagnostics;

namespace UvLambda.Core.Projects;

/// <summary>A LambdaSource item: a file of the app and the path it gets in the package.</summary>
public sealed record LambdaSourceFile(string FullPath, string PackagePath)
{
    /// <summary>
    /// Maps items to package paths: the explicit PackagePath, else the path relative to the project folder.
    /// Byte-code and caches never ship (Lambda's read-only /var/task cannot refresh them, and they vary by machine).
    /// </summary>
    /// <param name="excludedDirectories">Folders whose files are not app sources: workspace members and path
    /// dependencies inside the project, which ship installed as packages instead.</param>
    public static IReadOnlyList<LambdaSourceFile> Map(string projectDirectory, IEnumerable<(string Path, string? PackagePath)> items, string? projectFile = null,
        IReadOnlyList<string>? excludedDirectories = null)
    {
        var root = Path.GetFullPath(projectDirectory);
        var excluded = (excludedDirectories ?? []).Select(d => Path.TrimEndingDirectorySeparator(Path.GetFullPath(d)) + Path.DirectorySeparatorChar).ToList();
        var result = new List<LambdaSourceFile>();
        foreach (var (path, explicitPackagePath) in items)
        {
            var full = Path.GetFullPath(path, root);
            if (excluded.Any(d => full.StartsWith(d, StringComparison.Ordinal))) continue;
            if (!File.Exists(full))
                throw new UvLambdaException(ErrorCodes.SourceFileMissing,
                    $"LambdaSource item '{path}' does not exist. Remove the item or create the file.", projectFile);
            string packagePath;
            if (!string.IsNullOrWhiteSpace(explicitPackagePath))
            {
                var p = explicitPackagePath!.Replace('\\', '/');
                // A PackagePath naming a folder (trailing slash) keeps the file name, as NuGet's PackagePath does.
                packagePath = p.EndsWith('/') ? p + Path.GetFileName(full) : p;
            }
            else
            {
                var relative = Path.GetRelativePath(root, full);
                if (relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative))
                    throw new UvLambdaException(ErrorCodes.SourceFileMissing,
                        $"LambdaSource item '{path}' is outside the project folder; give it PackagePath metadata saying where it goes in the package.", projectFile);
                packagePath = relative;
            }
            packagePath = ArchivePath.Normalize(packagePath);
            if (IsNeverShipped(packagePath)) continue;
            result.Add(new LambdaSourceFile(full, packagePath));
        }
        return result;
    }

    public static bool IsNeverShipped(string packagePath) =>
        packagePath.EndsWith(".pyc", StringComparison.Ordinal) || packagePath.EndsWith(".pyo", StringComparison.Ordinal)
        || packagePath.StartsWith("__pycache__/", StringComparison.Ordinal) || packagePath.Contains("/__pycache__/", StringComparison.Ordinal);

    /// <summary>0755 when the file is executable for its owner (on Unix), else 0644: only those two modes ship.</summary>
    public static int UnixModeOf(string fullPath) => OperatingSystem.IsWindows() ? 0x1A4 : ShippedMode(File.GetUnixFileMode(fullPath));

    private static int ShippedMode(UnixFileMode mode) => (mode & UnixFileMode.UserExecute) != 0 ? 0x1ED : 0x1A4;

    /// <summary>
    /// One hash of what the package step can see of these files without reading them: each path, length, write time
    /// and shipped mode (<see cref="UnixModeOf"/>). MSBuild's Inputs/Outputs check only asks whether an input is newer
    /// than the output, so it misses a `chmod +x` (the write time stays) and a file replaced by an older copy (`cp -p`,
    /// `mv`, `tar x`, a restore); hashed into package.inputs, both change the hash and so run the step. Only a change
    /// that keeps the length and puts the write time back (`touch -r`) stays unseen, as with every timestamp build.
    /// A missing file hashes as missing (the package step then says which).
    /// </summary>
    public static string Stamp(IEnumerable<string> fullPaths)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var path in fullPaths)
        {
            var info = new FileInfo(path);
            var line = info.Exists
                ? string.Create(CultureInfo.InvariantCulture, $"{path}|{info.Length}|{info.LastWriteTimeUtc.Ticks}|{(OperatingSystem.IsWindows() ? 0x1A4 : ShippedMode(info.UnixFileMode))}\n")
                : path + "|missing\n";
            hash.AppendData(Encoding.UTF8.GetBytes(line));
        }
        return Convert.ToHexString(hash.GetHashAndReset());
    }

    public ArchiveEntry ToArchiveEntry() => ArchiveEntry.FromFile(PackagePath, FullPath, UnixModeOf(FullPath));
}
