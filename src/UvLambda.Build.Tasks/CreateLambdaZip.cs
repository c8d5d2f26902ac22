using Microsoft.Build.Framework;
using UvLambda.Core.Archives;
using UvLambda.Core.Projects;

namespace UvLambda.Build.Tasks;

/// <summary>Writes the deterministic function zip: the app's LambdaSource items plus the installed packages.</summary>
public sealed class CreateLambdaZip : UvLambdaTask
{
    [Required] public string ProjectDirectory { get; set; } = "";
    [Required] public string OutputPath { get; set; } = "";
    [Required] public string Handler { get; set; } = "";
    public ITaskItem[]? Sources { get; set; }

    /// <summary>The folder the dependencies were installed into (like uv pip install --target), if any.</summary>
    public string? SiteDirectory { get; set; }

    /// <summary>Folders of local packages (workspace members, path dependencies): their files ship installed, not as app sources.</summary>
    public ITaskItem[]? ExcludedDirectories { get; set; }

    /// <summary>SOURCE_DATE_EPOCH, or empty for 1980-01-01.</summary>
    public string? SourceDateEpoch { get; set; }

    [Output] public long UncompressedSize { get; private set; }

    private protected override void ExecuteCore()
    {
        var timestamp = ArchiveTimestamp.FromSourceDateEpoch(SourceDateEpoch);
        var sources = LambdaSourceFile.Map(ProjectDirectory, PathsOf(Sources), ProjectFile,
            (ExcludedDirectories ?? []).Select(i => i.ItemSpec).Where(s => s.Length > 0).ToList());
        var handler = LambdaHandler.Parse(Handler, ProjectFile);
        UncompressedSize = FunctionPackage.Create(OutputPath, sources, string.IsNullOrEmpty(SiteDirectory) ? null : SiteDirectory,
            handler, timestamp, BuildLog, ProjectFile).UncompressedBytes;
    }
}
