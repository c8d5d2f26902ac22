using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using UvLambda.Core.Diagnostics;

namespace UvLambda.Build.Tasks;

/// <summary>
/// Base of every UvLambda task: validate parameters, call Core, copy results to outputs. A user-caused error
/// (<see cref="UvLambdaException"/>) becomes one coded MSBuild error at its file and line; never a stack trace.
/// </summary>
public abstract class UvLambdaTask : Microsoft.Build.Utilities.Task
{
    /// <summary>The project file, used as the error location when a Core error has none.</summary>
    public string? ProjectFile { get; set; }

    private protected IBuildLog BuildLog => new TaskBuildLog(Log);

    public sealed override bool Execute()
    {
        try
        {
            ExecuteCore();
        }
        catch (UvLambdaException e)
        {
            Log.LogError(null, e.Code, null, e.File ?? ProjectFile, e.Line, e.Column, 0, 0, e.Message);
        }
        return !Log.HasLoggedErrors;
    }

    private protected abstract void ExecuteCore();

    /// <summary>(path, PackagePath metadata) pairs of LambdaSource-like items.</summary>
    private protected static IEnumerable<(string Path, string? PackagePath)> PathsOf(ITaskItem[]? items) =>
        (items ?? []).Select(i => (i.GetMetadata("FullPath") is { Length: > 0 } full ? full : i.ItemSpec, (string?)i.GetMetadata("PackagePath")));
}
