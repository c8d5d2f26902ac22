using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using UvLambda.Core.Diagnostics;

namespace UvLambda.Build.Tasks;

/// <summary>
/// Base of every UvLambda task: validate parameters, call Core, copy results to outputs. A user-caused error
/// (<see cref="UvLambdaException"/>) becomes one coded MSBuild error at its file and line; never a stack trace.
/// Any other exception is a UvLambda bug: one coded internal-error line (UVL9001) naming the task and the project,
/// with the stack trace only at detailed verbosity (and so in the binary log), never MSBuild's MSB4018 wall of frames.
/// Every task can be cancelled (Ctrl+C, an IDE's cancel): <see cref="Cancel"/> cancels <see cref="CancellationToken"/>,
/// which each task passes to Core; the cancellation that then ends the task is one "build was cancelled" message.
/// </summary>
public abstract class UvLambdaTask : Microsoft.Build.Utilities.Task, ICancelableTask
{
    // Never disposed: MSBuild may call Cancel after Execute returned, and a source without timers holds nothing.
    private readonly CancellationTokenSource _cancellation = new();

    /// <summary>The project file, used as the error location when a Core error has none.</summary>
    public string? ProjectFile { get; set; }

    private protected IBuildLog BuildLog => new TaskBuildLog(Log);

    /// <summary>Cancelled by <see cref="Cancel"/>: pass it to every Core call that takes one.</summary>
    private protected CancellationToken CancellationToken => _cancellation.Token;

    /// <summary>MSBuild calls this on another thread while <see cref="Execute"/> runs; Core stops at its next check.</summary>
    public void Cancel() => _cancellation.Cancel();

    public sealed override bool Execute()
    {
        try
        {
            CancellationToken.ThrowIfCancellationRequested();
            ExecuteCore();
        }
        catch (Exception e) when (IsCancellation(e))
        {
            // Not an error of the project nor a bug: MSBuild reports the cancelled build itself (and expects no error).
            Log.LogMessage(MessageImportance.High, $"{GetType().Name}: stopped, the build was cancelled.");
            return false;
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

    /// <summary>
    /// An <see cref="OperationCanceledException"/> after <see cref="Cancel"/>, also when Core wrapped it (a coded
    /// error or an aggregate whose cause is the cancellation).
    /// </summary>
    private bool IsCancellation(Exception e)
    {
        if (!_cancellation.IsCancellationRequested) return false;
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            if (x is OperationCanceledException) return true;
            if (x is AggregateException a && a.InnerExceptions.Count > 0 && a.InnerExceptions.All(IsCancellation)) return true;
        }
        return false;
    }

    private void LogCoded(UvLambdaException e) => Log.LogError(null, e.Code, null, e.File ?? ProjectFile, e.Line, e.Column, 0, 0, e.Message);

    // The process cannot go on after these; MSBuild must see them as they are.
    private static bool IsFatal(Exception e) => e is OutOfMemoryException or StackOverflowException or AccessViolationException;

    /// <summary>(path, PackagePath metadata) pairs of LambdaSource-like items.</summary>
    private protected static IEnumerable<(string Path, string? PackagePath)> PathsOf(ITaskItem[]? items) =>
        (items ?? []).Select(i => (i.GetMetadata("FullPath") is { Length: > 0 } full ? full : i.ItemSpec, (string?)i.GetMetadata("PackagePath")));
}
