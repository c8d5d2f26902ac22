using System.Text;
using UvLambda.Core.Diagnostics;

namespace UvLambda.Core.Install.Audit;

/// <summary>One installed file that cannot run on the target.</summary>
public sealed record ElfViolation(string Package, string File, string Problem);

/// <summary>
/// Checks installed native code against the Lambda target: every ELF file must be built for its CPU and need no
/// newer glibc than its runtime has, so a wrong wheel fails the build instead of the first invocation.
/// </summary>
public static class ElfAudit
{
    // Files that are never loaded as native code; skipping them saves an open per file in large packages.
    private static readonly HashSet<string> TextExtensions = new(StringComparer.OrdinalIgnoreCase)
    {
        ".py", ".pyi", ".pyc", ".pyx", ".pxd", ".json", ".txt", ".md", ".rst", ".typed", ".cfg", ".toml", ".ini",
        ".yaml", ".yml", ".html", ".css", ".js", ".h", ".c", ".cpp", ".csv", ".xml", ".pem",
    };

    /// <summary>
    /// The ELF files among <paramref name="files"/> built for another machine than <paramref name="expectedMachine"/>
    /// (<c>x86_64</c> or <c>aarch64</c>), or needing a <c>GLIBC_x.y</c> above <paramref name="maxGlibc"/>.
    /// <paramref name="runtime"/> (e.g. <c>python3.11</c>) names the Lambda runtime in the messages.
    /// </summary>
    public static IReadOnlyList<ElfViolation> Check(string targetDirectory, IEnumerable<(string Package, string RelativePath)> files,
        string expectedMachine, Version maxGlibc, string? runtime = null) =>
        Check(files.Select(f => (f.Package, f.RelativePath, (Func<ElfInfo?>)(() => ElfFile.TryRead(Path.Combine(targetDirectory, f.RelativePath))))), expectedMachine, maxGlibc, runtime);

    /// <summary>The same for an install's files: an indexed wheel's ELF facts were read when it was verified; other files are read now.</summary>
    public static IReadOnlyList<ElfViolation> Check(IEnumerable<InstalledFile> files, string expectedMachine, Version maxGlibc, string? runtime = null,
        CancellationToken cancellationToken = default) =>
        Check(files.Select(f => { cancellationToken.ThrowIfCancellationRequested(); return f; }).Select(f => (f.Package, f.Entry.Path, f.ElfKnown ? (Func<ElfInfo?>)(() => f.Elf) : () => f.Entry.SourceFile is { } s ? ElfFile.TryRead(s) : null)),
            expectedMachine, maxGlibc, runtime);

    private static IReadOnlyList<ElfViolation> Check(IEnumerable<(string Package, string RelativePath, Func<ElfInfo?> Read)> files,
        string expectedMachine, Version maxGlibc, string? runtime)
    {
        var violations = new List<ElfViolation>();
        var limit = Comparable(maxGlibc);
        foreach (var (package, relativePath, read) in files)
        {
            if (TextExtensions.Contains(Path.GetExtension(relativePath)))
                continue;
            var elf = read();
            if (elf is null)
                continue;
            if (elf.Machine != expectedMachine)
            {
                violations.Add(new ElfViolation(package, relativePath,
                    $"is built for {elf.Machine}, but LambdaArchitecture is {LambdaArchitecture(expectedMachine)}"));
                continue;
            }
            var newest = elf.GlibcVersionsNeeded
                .Select(v => (Text: v, Version: Comparable(Version.Parse(v.Contains('.') ? v : v + ".0"))))
                .Where(v => v.Version > limit)
                .OrderByDescending(v => v.Version)
                .FirstOrDefault();
            if (newest.Text is not null)
            {
                var owner = runtime is null ? "the target" : $"Lambda's {runtime} runtime";
                violations.Add(new ElfViolation(package, relativePath,
                    $"needs GLIBC_{newest.Text} but {owner} has glibc {maxGlibc.ToString(2)}"));
            }
        }
        return violations;
    }

    /// <summary>The build error for some violations (UVL2301), listing each and how to fix them.</summary>
    public static UvLambdaException ToException(IReadOnlyList<ElfViolation> violations)
    {
        var message = new StringBuilder();
        message.Append(violations.Count == 1 ? "A native library cannot run on the Lambda target:" : $"{violations.Count} native libraries cannot run on the Lambda target:");
        foreach (var v in violations)
            message.Append("\n  ").Append(v.Package).Append(": ").Append(v.File).Append(' ').Append(v.Problem);
        message.Append("\nChoose a wheel built for the right platform (another version of the package), set another PythonVersion or PythonPlatform, or exclude the file with LambdaExclude.");
        return new UvLambdaException(ErrorCodes.ElfAuditFailed, message.ToString());
    }

    private static string LambdaArchitecture(string machine) => machine == "aarch64" ? "arm64" : machine;

    // Version(2, 17) sorts below Version(2, 17, 0); compare with missing parts as zero.
    private static Version Comparable(Version v) => new(v.Major, Math.Max(v.Minor, 0), Math.Max(v.Build, 0));
}
