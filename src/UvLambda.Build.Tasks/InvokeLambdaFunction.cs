using Microsoft.Build.Framework;
using UvLambda.Core.Diagnostics;
using UvLambda.Core.Local;

namespace UvLambda.Build.Tasks;

/// <summary>
/// Calls the handler once, locally, with an event (a JSON file, or inline JSON) and prints its JSON result. A handler
/// that raises, times out or cannot be imported fails the build with a coded error and the Python traceback.
/// </summary>
public sealed class InvokeLambdaFunction : UvLambdaTask
{
    [Required] public string LocalRunFile { get; set; } = "";
    [Required] public string ProjectDirectory { get; set; } = "";
    public string? Event { get; set; }

    [Output] public string Result { get; private set; } = "";

    private protected override void ExecuteCore()
    {
        var function = LocalFunction.Load(LocalRunFile);
        var eventJson = LambdaEventText.Read(Event, ProjectDirectory);
        InvocationResult result;
        if (function.Handler.EndsWith(".sh", StringComparison.Ordinal))
        {
            // A Lambda Web Adapter app: the event becomes the HTTP request the adapter would send.
            using var app = new ScriptAppInvoker(function, line => Log.LogMessage(MessageImportance.High, line));
            result = app.Invoke(eventJson, CancellationToken);
        }
        else
        {
            using var invoker = new LambdaInvoker(function, line => Log.LogMessage(MessageImportance.High, line));
            result = invoker.Invoke(eventJson, CancellationToken);
        }
        if (result.Error is { } error)
        {
            var trace = error.Trace.Length > 0 ? Environment.NewLine + error.Trace.TrimEnd() : "";
            throw new UvLambdaException(error.Code, $"{function.Handler} failed: {error.ErrorType}: {error.ErrorMessage}{trace}");
        }
        Result = result.ResultJson!;
        Log.LogMessage(MessageImportance.High, Result);
    }
}
