using UvLambda.Core.Diagnostics;

namespace UvLambda.Core.Projects;

/// <summary>The Python runtimes and architectures AWS Lambda offers, and checks of user-supplied names.</summary>
public static class LambdaRuntime
{
    /// <summary>Lambda's managed Python runtimes, oldest first (python3.10 … python3.14).</summary>
    public static readonly IReadOnlyList<string> PythonVersions = ["3.10", "3.11", "3.12", "3.13", "3.14"];

    public static readonly IReadOnlyList<string> Architectures = ["x86_64", "arm64"];

    public static readonly IReadOnlyList<string> PackageTypes = ["Zip", "Layer", "Image"];

    public static string ValidatePythonVersion(string value, string? file = null)
    {
        var v = value.Trim();
        if (PythonVersions.Contains(v)) return v;
        throw new UvLambdaException(ErrorCodes.InvalidPythonVersion,
            $"PythonVersion '{value}' is not a Lambda Python runtime{PythonVersionHint(v)}. Use one of: {string.Join(", ", PythonVersions)}.", file);
    }

    /// <summary>
    /// Why a near miss is refused, in the words of whoever wrote it: Lambda's runtime identifier (python3.12), a
    /// patch release (3.12.1, as in a uv .python-version), or a runtime Lambda no longer offers (3.9).
    /// </summary>
    internal static string PythonVersionHint(string v)
    {
        var bare = v.StartsWith("python", StringComparison.OrdinalIgnoreCase) ? v[6..] : v;
        var parts = bare.Split('.');
        var minor = parts.Length >= 2 ? $"{parts[0]}.{parts[1]}" : bare;
        if (PythonVersions.Contains(minor) && minor != v)
            return bare == minor
                ? $" name: write '{minor}' (the build names the runtime python{minor} itself)"
                : $" (Lambda runs the latest patch release of each minor version): write '{minor}'";
        if (LambdaRuntimes.Find(minor) is { Deprecated: { } deprecated })
            return $" any more: Lambda deprecated python{minor} on {deprecated.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)}";
        return "";
    }

    /// <summary>Canonical spelling (Lambda's API is case-sensitive: x86_64, arm64).</summary>
    public static string ValidateArchitecture(string value, string? file = null)
    {
        var match = Architectures.FirstOrDefault(a => string.Equals(a, value.Trim(), StringComparison.OrdinalIgnoreCase));
        return match ?? throw new UvLambdaException(ErrorCodes.InvalidArchitecture,
            $"LambdaArchitecture '{value}' is not valid{ArchitectureHint(value.Trim())}. Valid values: {string.Join(", ", Architectures)}.", file);
    }

    /// <summary>
    /// Other names for Lambda's two architectures: .NET's RIDs (x64, arm64), Linux/uv's (x86_64, aarch64), Docker's
    /// and Go's (amd64, arm64). Refused rather than mapped, so the project names one value everywhere (Lambda's API,
    /// PythonPlatform, the image platform), but the message says which one is meant.
    /// </summary>
    internal static string ArchitectureHint(string value) => value.ToLowerInvariant() switch
    {
        "x64" or "amd64" or "x86-64" or "x86" or "intel" or "linux-x64" => $": Lambda calls '{value}' x86_64, so write <LambdaArchitecture>x86_64</LambdaArchitecture>",
        "aarch64" or "arm" or "armv8" or "arm64v8" or "graviton" or "linux-arm64" => $": Lambda calls '{value}' arm64 (Graviton), so write <LambdaArchitecture>arm64</LambdaArchitecture>",
        _ => "",
    };

    public static string ValidatePackageType(string value, string? file = null)
    {
        var match = PackageTypes.FirstOrDefault(a => string.Equals(a, value.Trim(), StringComparison.OrdinalIgnoreCase));
        // Lambda's own words for a container image function, and the usual other ones.
        var hint = value.Trim().ToLowerInvariant() is "docker" or "container" or "containerimage" or "oci" or "ecr"
            ? ": a container image function is LambdaPackageType Image" : "";
        return match ?? throw new UvLambdaException(ErrorCodes.InvalidPackageType,
            $"LambdaPackageType '{value}' is not valid{hint}. Valid values: {string.Join(", ", PackageTypes)}.", file);
    }
}
