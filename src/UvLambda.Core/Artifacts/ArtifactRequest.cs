using System.Globalization;
using UvLambda.Core.Archives;
using UvLambda.Core.Diagnostics;
using UvLambda.Core.Projects;

namespace UvLambda.Core.Artifacts;

/// <summary>
/// The packaging settings as the project states them (strings, as MSBuild passes them): <see cref="Validate"/> turns
/// them into <see cref="ArtifactOptions"/> or a coded error naming the setting, so the task only maps parameters.
/// </summary>
public sealed record ArtifactRequest
{
    public string? ProjectFile { get; init; }
    public string? PackageType { get; init; }
    public string? PackagePath { get; init; }
    public string? LayerPath { get; init; }
    public string? AppPath { get; init; }
    public string? SiteDirectory { get; init; }
    public string? StateFile { get; init; }
    /// <summary>Workspace and directory packages: (name, Source metadata).</summary>
    public IReadOnlyList<(string Name, string Source)> WorkspacePackages { get; init; } = [];
    public string? WorkspaceIn { get; init; }
    public string? LayerSplit { get; init; }
    public string? LocalLayerPath { get; init; }
    public IReadOnlyList<string> LocalPackages { get; init; } = [];
    /// <summary>LambdaExclude items, then LambdaExcludePatterns (one ;-separated string).</summary>
    public IReadOnlyList<string> Excludes { get; init; } = [];
    public string? ExcludePatterns { get; init; }
    public bool CompileBytecode { get; init; }
    public string? PythonVersion { get; init; }
    public string? LocalPython { get; init; }
    public string? IntermediateDirectory { get; init; }
    public string? LayerSizeBudget { get; init; }
    public string? SizeReportPath { get; init; }
    public string? SourceDateEpoch { get; init; }

    public ArtifactOptions Validate()
    {
        static string? Set(string? s) => string.IsNullOrEmpty(s) ? null : s;
        long budget = 0;
        if (!string.IsNullOrWhiteSpace(LayerSizeBudget) && !long.TryParse(LayerSizeBudget.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out budget))
            throw new UvLambdaException(ErrorCodes.InvalidArtifactSetting, $"LambdaLayerSizeBudget '{LayerSizeBudget}' is not a whole number of bytes.", ProjectFile);
        if (CompileBytecode && string.IsNullOrEmpty(PythonVersion))
            throw new UvLambdaException(ErrorCodes.InvalidArtifactSetting, "LambdaCompileBytecode needs PythonVersion.", ProjectFile);
        var packageType = Set(PackageType) ?? "Zip";
        string? localLayer = null;
        if (ExternalLayers.SplitLocal(LayerSplit, ProjectFile) && string.Equals(packageType, "Layer", StringComparison.OrdinalIgnoreCase))
            localLayer = Set(LocalLayerPath) ?? throw new UvLambdaException(ErrorCodes.InvalidArtifactSetting, "LambdaLayerSplit=Local needs LambdaLocalLayerPath.", ProjectFile);
        return new ArtifactOptions
        {
            PackageType = packageType,
            PackagePath = Set(PackagePath),
            LayerPath = Set(LayerPath),
            AppPath = Set(AppPath),
            SiteDirectory = Set(SiteDirectory),
            StateFile = Set(StateFile),
            WorkspacePackages = WorkspacePackages.Where(p => p.Source is "" or "workspace" or "directory").Select(p => p.Name).ToList(),
            WorkspaceIn = Set(WorkspaceIn) ?? "App",
            LocalLayerPath = localLayer,
            LocalPackages = LocalPackages,
            Excludes = Excludes.Concat((ExcludePatterns ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList(),
            BytecodePythonVersion = CompileBytecode ? PythonVersion : null,
            LocalPython = Set(LocalPython),
            IntermediateDirectory = Set(IntermediateDirectory),
            LayerSizeBudget = budget,
            SizeReportPath = Set(SizeReportPath),
            Timestamp = ArchiveTimestamp.FromSourceDateEpoch(SourceDateEpoch),
        };
    }
}
