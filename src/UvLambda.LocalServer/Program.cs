using System.Runtime.InteropServices;
using UvLambda.Core.Diagnostics;
using UvLambda.Core.Local;

// Usage: UvLambda.LocalServer <obj/.../local-run.json>, written by the SDK's PrepareLocalRun target.
if (args.Length != 1)
{
    Console.Error.WriteLine("usage: UvLambda.LocalServer <local-run.json>");
    return 2;
}
try
{
    var function = LocalFunction.Load(args[0]);
    function.Validate();
    if (function.Handler.EndsWith(".sh", StringComparison.Ordinal))
        return await RunScriptAsync(function);
    // Reload like uvicorn --reload: the first request after an edit runs in a new worker; after a lock change the
    // host install is redone first (incremental: only changed packages are written).
    using var watcher = new SourceWatcher(function.AppDirectory, DependencyFiles(function));
    using var invoker = new LambdaInvoker(function, line => Console.Error.WriteLine(line)) { BeforeInvoke = () => Reload(watcher, function) };
    using var server = new LocalHttpServer(function, invoker, line => Console.WriteLine(line));
    server.Start();
    using var stop = new CancellationTokenSource();
    using var signals = StopOnSignals(stop);
    var format = function.EventFormat == "1.0" ? "REST API payload 1.0" : "HTTP API payload 2.0";
    Console.WriteLine($"{function.FunctionName}: {function.Handler} on {server.Url} ({format}, timeout {function.TimeoutSeconds} s). Press Ctrl+C to stop.");
    await server.RunAsync(stop.Token);
    Console.WriteLine("Stopped.");
    return 0;
}
catch (UvLambdaException e)
{
    Console.Error.WriteLine($"error {e.Code}: {e.Message}");
    return 1;
}

static IEnumerable<string> DependencyFiles(LocalFunction function)
{
    if (function.Install?.LockFile is { } lockFile)
    {
        yield return lockFile;
        yield return Path.Combine(Path.GetDirectoryName(lockFile)!, "pyproject.toml");
    }
}

static bool Reload(SourceWatcher watcher, LocalFunction function)
{
    if (watcher.TakeChange() is not { } change) return false;
    var shown = Path.GetRelativePath(function.AppDirectory, change.Path);
    if (change.Dependencies)
    {
        Console.WriteLine($"{shown} changed: installing the locked dependencies again, then reloading.");
        try
        {
            HostInstall.Rerun(function, new ConsoleLog());
        }
        catch (UvLambdaException e)
        {
            // The server keeps running on the previous install; fixing the lock and saving again retries.
            Console.Error.WriteLine($"error {e.Code}: {e.Message}");
        }
    }
    else
    {
        Console.WriteLine($"{shown} changed: reloading.");
    }
    return true;
}

// A script handler (Lambda Web Adapter app): start the script and forward HTTP to its PORT.
static async Task<int> RunScriptAsync(LocalFunction function)
{
    // Reload: the first request after an edit goes to a restarted app (after a lock change, a new host install first).
    using var watcher = new SourceWatcher(function.AppDirectory, DependencyFiles(function));
    using var proxy = new ScriptAppProxy(function, line => Console.WriteLine(line)) { BeforeForward = () => Reload(watcher, function) };
    proxy.Start();
    using var stop = new CancellationTokenSource();
    using var signals = StopOnSignals(stop);
    Console.WriteLine($"{function.FunctionName}: {function.Handler} behind {proxy.Url} (forwarding to 127.0.0.1:{proxy.AppPort}). Press Ctrl+C to stop.");
    await proxy.RunAsync(stop.Token);
    Console.WriteLine("Stopped.");
    return 0;
}

// Ctrl+C and SIGTERM stop the server cleanly instead of killing the process.
static IDisposable StopOnSignals(CancellationTokenSource stop)
{
    Console.CancelKeyPress += (_, e) =>
    {
        e.Cancel = true;
        stop.Cancel();
    };
    return PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
    {
        context.Cancel = true;
        stop.Cancel();
    });
}

/// <summary>The install's messages on the console, as the build would show them.</summary>
sealed class ConsoleLog : IBuildLog
{
    public void Info(string message) => Console.WriteLine(message);
    public void Detail(string message) { }
    public void Warning(string code, string message, string? file = null, int line = 0, int column = 0) =>
        Console.Error.WriteLine($"warning {code}: {message}");
}
