namespace UvLambda.Core.Projects;

/// <summary>
/// The project-level choices a .pyproj makes, validated and in canonical spelling. An empty PythonVersion stays
/// empty: ResolvePythonPackages computes its default from .python-version / requires-python.
/// </summary>
public sealed record LambdaProjectSettings(string PythonVersion, string Architecture, string PackageType, LambdaHandler? Handler)
{
    /// <summary>
    /// Checks every setting. Whether the handler's module ships is checked when the package is assembled
    /// (FunctionPackage, in Artifacts), where the installed dependencies are known too. An empty handler is
    /// allowed here (Handler null): resolving or inspecting a bare uv project needs none; packaging, local runs and
    /// images parse it and fail with <see cref="Diagnostics.ErrorCodes.HandlerNotSet"/> there.
    /// </summary>
    public static LambdaProjectSettings Validate(string pythonVersion, string architecture, string packageType, string handler, string? projectFile = null)
    {
        var settings = new LambdaProjectSettings(
            string.IsNullOrWhiteSpace(pythonVersion) ? "" : LambdaRuntime.ValidatePythonVersion(pythonVersion, projectFile),
            LambdaRuntime.ValidateArchitecture(architecture, projectFile),
            LambdaRuntime.ValidatePackageType(packageType, projectFile),
            string.IsNullOrWhiteSpace(handler) ? null : LambdaHandler.Parse(handler, projectFile));
        return settings;
    }
}
