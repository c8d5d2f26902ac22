namespace UvLambda.Core.Projects;

/// <summary>
/// The project-level choices a .pyproj makes, validated and in canonical spelling. An empty PythonVersion stays
/// empty: ResolvePythonPackages computes its default from .python-version / requires-python.
/// </summary>
public sealed record LambdaProjectSettings(string PythonVersion, string Architecture, string PackageType, LambdaHandler Handler)
{
    /// <summary>
    /// Checks every setting, then that the handler's module is among the files that will ship, so the classic
    /// "Unable to import module" deploy failure is caught at build time.
    /// </summary>
    public static LambdaProjectSettings Validate(string pythonVersion, string architecture, string packageType, string handler,
        IReadOnlyList<LambdaSourceFile> sources, string? projectFile = null)
    {
        var settings = new LambdaProjectSettings(
            string.IsNullOrWhiteSpace(pythonVersion) ? "" : LambdaRuntime.ValidatePythonVersion(pythonVersion, projectFile),
            LambdaRuntime.ValidateArchitecture(architecture, projectFile),
            LambdaRuntime.ValidatePackageType(packageType, projectFile),
            LambdaHandler.Parse(handler, projectFile));
        settings.Handler.EnsureModuleIn(sources.Select(s => s.PackagePath).ToHashSet(StringComparer.Ordinal), projectFile);
        return settings;
    }
}
