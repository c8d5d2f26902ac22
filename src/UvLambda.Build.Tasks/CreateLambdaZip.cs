using Microsoft.Build.Framework;
using UvLambda.Core.Archives;
using UvLambda.Core.Projects;

namespace UvLambda.Build.Tasks;

/// <summary>Writes the deterministic function zip from the app's LambdaSource items.</summary>
public sealed class CreateLambdaZip : UvLambdaTask
{
    [Required] public string ProjectDirectory { get; set; } = "";
    [Required] public string OutputPath { get; set; } = "";
    public ITaskItem[]? Sources { get; set; }

    /// <summary>SOURCE_DATE_EPOCH, or empty for 1980-01-01.</summary>
    public string? SourceDateEpoch { get; set; }

    [Output] public long UncompressedSize { get; private set; }

    private protected override void ExecuteCore()
    {
        var timestamp = ArchiveTimestamp.FromSourceDateEpoch(SourceDateEpoch);
        var sources = LambdaSourceFile.Map(ProjectDirectory, PathsOf(Sources), ProjectFile);
        UncompressedSize = FunctionPackage.Create(OutputPath, sources, timestamp, BuildLog).UncompressedBytes;
    }
}
