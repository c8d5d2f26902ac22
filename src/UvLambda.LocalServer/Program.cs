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
    using var invoker = new LambdaInvoker(function, line => Console.Error.WriteLine(line));
    using var server = new LocalHttpServer(function, invoker, line => Console.WriteLine(line));
    server.Start();
    using var stop = new CancellationTokenSource();
    Console.CancelKeyPress += (_, e) =>
    {
        e.Cancel = true;
        stop.Cancel();
    };
    using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
    {
        context.Cancel = true;
        stop.Cancel();
    });
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
