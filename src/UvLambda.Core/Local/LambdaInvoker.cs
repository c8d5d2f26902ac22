using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using UvLambda.Core.Diagnostics;

namespace UvLambda.Core.Local;

/// <summary>A failed invocation, as Lambda reports it (errorType, errorMessage) plus the Python traceback.</summary>
public sealed record LambdaError(string Code, string ErrorType, string ErrorMessage, IReadOnlyList<string> StackTrace, string Trace)
{
    /// <summary>The error document Lambda returns for a failed invocation.</summary>
    public string ToJson(string requestId) => new JsonObject
    {
        ["errorMessage"] = ErrorMessage,
        ["errorType"] = ErrorType,
        ["requestId"] = requestId,
        ["stackTrace"] = new JsonArray(StackTrace.Select(s => (JsonNode?)JsonValue.Create(s)).ToArray()),
    }.ToJsonString(Readable);

    // Quotes as \" rather than \u0022, as Lambda writes them; the document is JSON for a client, never HTML.
    private static readonly JsonSerializerOptions Readable = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}

public sealed record InvocationResult(string RequestId, string? ResultJson, LambdaError? Error, TimeSpan Duration)
{
    public bool Succeeded => Error is null;
}

/// <summary>
/// Runs the handler in a long-lived Python worker, like a warm Lambda execution environment: the module is imported
/// once; each invocation is one JSON line each way. An invocation past the timeout kills the worker, and a worker
/// that died (timeout, crash, failed import) is started again for the next invocation. One invocation at a time.
/// </summary>
public sealed class LambdaInvoker(LocalFunction function, Action<string>? log = null) : IDisposable
{
    private readonly object _gate = new();
    private readonly Queue<string> _stderrTail = new();
    private Process? _process;
    private bool _disposed;

    /// <summary>How many times a worker was started (1 after the first invocation; more after restarts).</summary>
    public int WorkersStarted { get; private set; }

    /// <summary>
    /// Asked before each invocation, under the invoker's lock: true ends the warm worker first, so the invocation runs
    /// in a new one that imports the code afresh (`dotnet run` reloading after an edit).
    /// </summary>
    public Func<bool>? BeforeInvoke { get; init; }

    public InvocationResult Invoke(string eventJson, CancellationToken cancellationToken = default)
    {
        JsonNode? evt;
        try
        {
            evt = JsonNode.Parse(eventJson);
        }
        catch (JsonException e)
        {
            throw new UvLambdaException(ErrorCodes.InvalidLambdaEvent, $"The event is not valid JSON: {e.Message}");
        }
        return Invoke(evt, cancellationToken);
    }

    /// <summary>One invocation; <paramref name="cancellationToken"/> ends a running one by ending the worker (the next starts a new one).</summary>
    public InvocationResult Invoke(JsonNode? evt, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (BeforeInvoke?.Invoke() == true) Shutdown();
            var requestId = Guid.NewGuid().ToString();
            var stopwatch = Stopwatch.StartNew();
            if (EnsureStarted(cancellationToken) is { } initError)
                return new InvocationResult(requestId, null, initError, stopwatch.Elapsed);

            var timeout = TimeSpan.FromSeconds(function.TimeoutSeconds);
            var deadline = DateTimeOffset.UtcNow + timeout;
            var request = new JsonObject
            {
                ["id"] = requestId,
                ["request_id"] = requestId,
                ["invoked_function_arn"] = function.FunctionArn,
                ["deadline_ms"] = deadline.ToUnixTimeMilliseconds(),
                ["event"] = evt?.DeepClone(),
            };
            var process = _process!;
            try
            {
                process.StandardInput.WriteLine(request.ToJsonString());
                process.StandardInput.Flush();
            }
            catch (IOException)
            {
                return new InvocationResult(requestId, null, Crashed(process), stopwatch.Elapsed);
            }
            bool answered;
            string? line;
            try
            {
                (answered, line) = ReadLine(process, timeout, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                Stop();
                throw;
            }
            if (line is null)
            {
                if (!answered)
                {
                    Stop();
                    var seconds = function.TimeoutSeconds.ToString("0.00", CultureInfo.InvariantCulture);
                    return new InvocationResult(requestId, null, new LambdaError(ErrorCodes.HandlerTimedOut, "Sandbox.Timedout",
                        $"{DateTime.UtcNow:yyyy-MM-ddTHH:mm:ss.fffZ} {requestId} Task timed out after {seconds} seconds", [], ""), stopwatch.Elapsed);
                }
                return new InvocationResult(requestId, null, Crashed(process), stopwatch.Elapsed);
            }
            var response = JsonNode.Parse(line)!.AsObject();
            if (response["error"] is JsonObject error)
                return new InvocationResult(requestId, null, ToError(
                    error["errorType"]?.GetValue<string>() == "Runtime.MarshalError" ? ErrorCodes.InvalidHandlerResult : ErrorCodes.HandlerRaised, error), stopwatch.Elapsed);
            return new InvocationResult(requestId, response["result"]!.GetValue<string>(), null, stopwatch.Elapsed);
        }
    }

    /// <summary>Starts the worker when none is running; returns the import error when the handler cannot be loaded.</summary>
    private LambdaError? EnsureStarted(CancellationToken cancellationToken)
    {
        if (_process is { HasExited: false }) return null;
        Stop();
        _stderrTail.Clear();
        var psi = new ProcessStartInfo(function.Python)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = function.AppDirectory,
            StandardOutputEncoding = new UTF8Encoding(false),
            StandardErrorEncoding = new UTF8Encoding(false),
            StandardInputEncoding = new UTF8Encoding(false),
        };
        psi.ArgumentList.Add("-u");
        psi.ArgumentList.Add("-s");
        psi.ArgumentList.Add(function.WorkerScript);
        foreach (var (key, value) in LambdaEnvironment(function))
            psi.Environment[key] = value;
        var process = new Process { StartInfo = psi };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (_stderrTail)
            {
                _stderrTail.Enqueue(e.Data);
                while (_stderrTail.Count > 40) _stderrTail.Dequeue();
            }
            log?.Invoke(e.Data);
        };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new UvLambdaException(ErrorCodes.LocalPythonNotFound, $"The local Python '{function.Python}' could not be started: {e.Message}");
        }
        process.BeginErrorReadLine();
        _process = process;
        WorkersStarted++;

        // Lambda gives a function's init 10 seconds (or its timeout, when longer).
        bool answered;
        string? line;
        try
        {
            (answered, line) = ReadLine(process, TimeSpan.FromSeconds(Math.Max(10, function.TimeoutSeconds)), cancellationToken);
        }
        catch (OperationCanceledException)
        {
            Stop();
            throw;
        }
        if (line is null)
        {
            var crashed = answered ? Crashed(process) : new LambdaError(ErrorCodes.HandlerTimedOut, "Runtime.InitTimeout",
                $"Importing the handler's module took longer than {Math.Max(10, function.TimeoutSeconds)} seconds", [], "");
            Stop();
            return crashed with { Code = crashed.Code == ErrorCodes.WorkerCrashed ? ErrorCodes.HandlerInitFailed : crashed.Code };
        }
        var message = JsonNode.Parse(line)!.AsObject();
        if (message["init_error"] is JsonObject initError)
        {
            Stop();
            return ToError(ErrorCodes.HandlerInitFailed, initError);
        }
        return null;
    }

    /// <summary>The environment variables Lambda sets for a function (plus the user's LambdaEnvironment).</summary>
    public static IReadOnlyDictionary<string, string> LambdaEnvironment(LocalFunction function)
    {
        var stream = $"{DateTime.UtcNow:yyyy/MM/dd}/[$LATEST]{Guid.NewGuid():N}";
        var env = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["AWS_LAMBDA_FUNCTION_NAME"] = function.FunctionName,
            ["AWS_LAMBDA_FUNCTION_VERSION"] = "$LATEST",
            ["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = function.MemoryMb.ToString(CultureInfo.InvariantCulture),
            ["AWS_LAMBDA_LOG_GROUP_NAME"] = $"/aws/lambda/{function.FunctionName}",
            ["AWS_LAMBDA_LOG_STREAM_NAME"] = stream,
            ["AWS_LAMBDA_INITIALIZATION_TYPE"] = "on-demand",
            ["AWS_EXECUTION_ENV"] = $"AWS_Lambda_python{function.PythonVersion}",
            ["AWS_REGION"] = function.Region,
            ["AWS_DEFAULT_REGION"] = function.Region,
            ["LAMBDA_TASK_ROOT"] = function.AppDirectory,
            ["LAMBDA_RUNTIME_DIR"] = Path.GetDirectoryName(function.WorkerScript) ?? "",
            ["_HANDLER"] = function.Handler,
            ["TZ"] = ":UTC",
            ["LANG"] = "en_US.UTF-8",
            ["PYTHONPATH"] = string.Join(Path.PathSeparator, new[] { function.AppDirectory, function.SiteDirectory }.Where(p => p.Length > 0)),
            ["PYTHONUNBUFFERED"] = "1",
            ["PYTHONIOENCODING"] = "utf-8",
            ["PYTHONDONTWRITEBYTECODE"] = "1",
        };
        foreach (var (key, value) in function.Environment)
            env[key] = value;
        return env;
    }

    /// <summary>The worker's next line; Answered is false when the time ran out (a null line otherwise means it exited).</summary>
    private static (bool Answered, string? Line) ReadLine(Process process, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var read = process.StandardOutput.ReadLineAsync();
        try
        {
            return read.Wait(timeout, cancellationToken) ? (true, read.Result) : (false, null);
        }
        catch (AggregateException)
        {
            return (true, null);
        }
    }

    private LambdaError Crashed(Process process)
    {
        // The argument-less wait also lets the stderr reader deliver the last lines.
        if (process.WaitForExit(5000)) process.WaitForExit();
        var exit = process.HasExited ? process.ExitCode.ToString(CultureInfo.InvariantCulture) : "unknown";
        string tail;
        lock (_stderrTail) tail = string.Join('\n', _stderrTail);
        Stop();
        return new LambdaError(ErrorCodes.WorkerCrashed, "Runtime.ExitError", $"Runtime exited with error: exit status {exit}", [], tail);
    }

    private static LambdaError ToError(string code, JsonObject error) => new(
        code,
        error["errorType"]?.GetValue<string>() ?? "Exception",
        error["errorMessage"]?.GetValue<string>() ?? "",
        error["stackTrace"] is JsonArray st ? st.Select(s => s?.GetValue<string>() ?? "").ToList() : [],
        error["trace"]?.GetValue<string>() ?? "");

    private void Stop()
    {
        var process = _process;
        _process = null;
        if (process is null) return;
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException) { }
        process.Dispose();
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            Shutdown();
        }
    }

    /// <summary>Ends the worker cleanly when it is idle (closing stdin ends its loop, like Lambda's SHUTDOWN), else kills it.</summary>
    private void Shutdown()
    {
        var process = _process;
        if (process is { HasExited: false })
        {
            try { process.StandardInput.Close(); } catch (IOException) { }
            if (!process.WaitForExit(2000)) Stop();
        }
        Stop();
    }
}
