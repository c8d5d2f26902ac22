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
            $"PythonVersion '{value}' is not a Lambda Python runtime. Use one of: {string.Join(", ", PythonVersions)}.", file);
    }

    /// <summary>Canonical spelling (Lambda's API is case-sensitive: x86_64, arm64).</summary>
    public static string ValidateArchitecture(string value, string? file = null)
    {
        var match = Architectures.FirstOrDefault(a => string.Equals(a, value.Trim(), StringComparison.OrdinalIgnoreCase));
        return match ?? throw new UvLambdaException(ErrorCodes.InvalidArchitecture,
            $"LambdaArchitecture '{value}' is not valid. Valid values: {string.Join(", ", Architectures)}.", file);
    }

    public static string ValidatePackageType(string value, string? file = null)
    {
        var match = PackageTypes.FirstOrDefault(a => string.Equals(a, value.Trim(), StringComparison.OrdinalIgnoreCase));
        return match ?? throw new UvLambdaException(ErrorCodes.InvalidPackageType,
            $"LambdaPackageType '{value}' is not valid. Valid values: {string.Join(", ", PackageTypes)}.", file);
    }
}
