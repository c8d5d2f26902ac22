using System.Globalization;
using Microsoft.Build.Framework;
using UvLambda.Core.Archives;
using UvLambda.Core.Diagnostics;
using UvLambda.Core.Projects;
using UvLambda.Core.Artifacts;

namespace UvLambda.Build.Tasks;

/// <summary>
/// Writes the deployment artifacts: for Zip, the function zip (app + installed packages, flat); for Layer, a layer zip
/// (dependencies under python/) and an app zip. Trims with LambdaExclude, optionally adds bytecode, checks Lambda's size limits.
/// </summary>
public sealed class CreateLambdaZip : UvLambdaTask
{
    [Required] public string ProjectDirectory { get; set; } = "";
    /// <summary>The function zip (PackageType Zip).</summary>
    public string? OutputPath { get; set; }
    /// <summary>Empty: UVL1003 here, where a handler is first needed (resolving a bare uv project needs none).</summary>
    public string Handler { get; set; } = "";
    public ITaskItem[]? Sources { get; set; }

    /// <summary>Zip (default) or Layer.</summary>
    public string? PackageType { get; set; }
    public string? LayerOutputPath { get; set; }
    public string? AppOutputPath { get; set; }

    /// <summary>The folder the dependencies were installed into (like uv pip install --target), if any.</summary>
    public string? SiteDirectory { get; set; }
    /// <summary>install-state.json: which package installed which file.</summary>
    public string? StateFile { get; set; }

    /// <summary>PythonPackage items; those with Source workspace or directory are workspace members (items without Source metadata are names).</summary>
    public ITaskItem[]? WorkspacePackages { get; set; }
    /// <summary>App (default) or Layer.</summary>
    public string? WorkspaceIn { get; set; }

    /// <summary>LambdaLayerSplit: None (default) or Local (Layer only: in-house packages in <see cref="LocalLayerOutputPath"/>).</summary>
    public string? LayerSplit { get; set; }
    public string? LocalLayerOutputPath { get; set; }
    /// <summary>PythonPackage items with Source path, workspace or directory: the in-house packages.</summary>
    public ITaskItem[]? LocalPackages { get; set; }

    /// <summary>Folders of local packages (workspace members, path dependencies): their files ship installed, not as app sources.</summary>
    public ITaskItem[]? ExcludedDirectories { get; set; }

    /// <summary>LambdaExclude globs (items, which must escape their wildcards).</summary>
    public ITaskItem[]? Excludes { get; set; }

    /// <summary>LambdaExcludePatterns: the same globs as one ;-separated string, where wildcards need no escaping.</summary>
    public string? ExcludePatterns { get; set; }

    public bool CompileBytecode { get; set; }
    public string? PythonVersion { get; set; }
    public string? LocalPython { get; set; }

    /// <summary>obj/&lt;cfg&gt;/uvlambda: bytecode cache and compressor stamps (reuse of compressed entries needs it).</summary>
    public string? IntermediateDirectory { get; set; }

    public string? LayerSizeBudget { get; set; }
    public string? SizeReportPath { get; set; }

    /// <summary>SOURCE_DATE_EPOCH, or empty for 1980-01-01.</summary>
    public string? SourceDateEpoch { get; set; }

    [Output] public long UncompressedSize { get; private set; }
    [Output] public long UnzippedTotal { get; private set; }
    [Output] public string[] WrittenZips { get; private set; } = [];

    private protected override void ExecuteCore()
    {
        var options = new ArtifactRequest
        {
            ProjectFile = ProjectFile, PackageType = PackageType, PackagePath = OutputPath, LayerPath = LayerOutputPath, AppPath = AppOutputPath,
            SiteDirectory = SiteDirectory, StateFile = StateFile,
            WorkspacePackages = (WorkspacePackages ?? []).Select(i => (i.GetMetadata("Name") is { Length: > 0 } n ? n : i.ItemSpec, i.GetMetadata("Source"))).ToList(),
            WorkspaceIn = WorkspaceIn, LayerSplit = LayerSplit, LocalLayerPath = LocalLayerOutputPath,
            LocalPackages = (LocalPackages ?? []).Select(i => i.GetMetadata("Name") is { Length: > 0 } n ? n : i.ItemSpec).ToList(),
            Excludes = (Excludes ?? []).Select(i => i.ItemSpec).ToList(), ExcludePatterns = ExcludePatterns,
            CompileBytecode = CompileBytecode, PythonVersion = PythonVersion, LocalPython = LocalPython, IntermediateDirectory = IntermediateDirectory,
            LayerSizeBudget = LayerSizeBudget, SizeReportPath = SizeReportPath, SourceDateEpoch = SourceDateEpoch,
        }.Validate();
        var sources = LambdaSourceFile.Map(ProjectDirectory, PathsOf(Sources), ProjectFile,
            (ExcludedDirectories ?? []).Select(i => i.ItemSpec).Where(s => s.Length > 0).ToList());
        LambdaHandler? handler = null;
        ArtifactResult result;
        try
        {
            handler = LambdaHandler.Parse(Handler, sources, ProjectFile);
            result = LambdaArtifacts.Create(options, sources, handler, BuildLog, ProjectFile, CancellationToken);
        }
        catch (UvLambdaException e)
        {
            throw PropertyLocation.Locate(handler?.ExplainUnpackaged(e, ProjectDirectory) ?? e, ProjectFile, Handler);
        }
        // The module ships (Create checked that); whether it has the function is only warned about: a static read.
        handler.WarnIfFunctionMissing(sources, BuildLog);
        UncompressedSize = result.UncompressedBytes;
        UnzippedTotal = result.UnzippedTotal;
        // Full paths: the SDK compares them with earlier builds' to delete zips no longer produced.
        WrittenZips = result.Zips.Select(z => Path.GetFullPath(z.Path, ProjectDirectory)).ToArray();
    }
}
