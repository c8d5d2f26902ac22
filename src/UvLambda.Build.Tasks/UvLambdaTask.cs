using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using UvLambda.Core.Diagnostics;

namespace UvLambda.Build.Tasks;

/// <summary>
/// Base of every UvLambda task: validate parameters, call Core, copy results to outputs. A user-caused error
/// (<see cref="UvLambdaException"/>) becomes one coded MSBuild error at its file and line; never a stack trace.
/// Any other exception is a UvLambda bug: one coded internal-error line (UVL9001) naming the task and the project,
/// with the stack trace only at detailed verbosity (and so in the binary log), never MSBuild's MSB4018 wall of frames.
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
            LogCoded(e);
        }
        catch (AggregateException a) when (a.Flatten().InnerExceptions is { Count: > 0 } inner && inner.All(x => x is UvLambdaException))
        {
            // Core's Parallel.For loops (bytecode, compression, hashing) wrap the coded errors they throw: still user errors.
            foreach (var e in inner.Cast<UvLambdaException>().DistinctBy(x => (x.Code, x.Message))) LogCoded(e);
        }
        catch (Exception e) when (!IsFatal(e))
        {
            var project = ProjectFile ?? BuildEngine?.ProjectFileOfTaskNode;
            var name = GetType().Name;
            Log.LogError(null, ErrorCodes.InternalError, null, project, 0, 0, 0, 0,
                $"Internal error in UvLambda's {name} task while building '{project}': {e.GetType().FullName}: {e.Message.ReplaceLineEndings(" ")} "
                + "This is a bug in UvLambda, not in your project: please report it with this message and the stack trace "
                + "(build again with -v:d, or -bl for a binary log, to see it).");
            Log.LogMessage(MessageImportance.Low, $"{name} internal error {ErrorCodes.InternalError}, stack trace:\n{e}");
        }
        return !Log.HasLoggedErrors;
    }

    private protected abstract void ExecuteCore();

    private void LogCoded(UvLambdaException e) => Log.LogError(null, e.Code, null, e.File ?? ProjectFile, e.Line, e.Column, 0, 0, e.Message);

    // The process cannot go on after these; MSBuild must see them as they are.
    private static bool IsFatal(Exception e) => e is OutOfMemoryException or StackOverflowException or AccessViolationException;

    /// <summary>(path, PackagePath metadata) pairs of LambdaSource-like items.</summary>
    private protected static IEnumerable<(string Path, string? PackagePath)> PathsOf(ITaskItem[]? items) =>
        (items ?? []).Select(i => (i.GetMetadata("FullPath") is { Length: > 0 } full ? full : i.ItemSpec, (string?)i.GetMetadata("PackagePath")));
}
