using UvLambda.Core.Local;

namespace UvLambda.Core.Tests.Local;

/// <summary>A function folder with one handler module, run by the machine's python3 (no dependencies).</summary>
internal sealed class LocalFunctionFixture : IDisposable
{
    private readonly TempDirectory _dir = new();

    public LocalFunctionFixture(string handlerSource, int timeoutSeconds = 3, string format = "2.0")
    {
        _dir.WriteFile("app/__init__.py", "");
        _dir.WriteFile("app/main.py", handlerSource);
        var worker = _dir.Combine("obj", "uvlambda_worker.py");
        LocalFunction.WriteWorkerScript(worker);
        Directory.CreateDirectory(_dir.Combine("site"));
        Function = new LocalFunction
        {
            Python = "python3",
            WorkerScript = worker,
            AppDirectory = _dir.Path,
            SiteDirectory = _dir.Combine("site"),
            Handler = "app.main.handler",
            FunctionName = "hello",
            PythonVersion = "3.13",
            TimeoutSeconds = timeoutSeconds,
            MemoryMb = 256,
            Region = "eu-west-1",
            Port = 0,
            EventFormat = format,
        };
    }

    public LocalFunction Function { get; }

    public List<string> Log { get; } = [];

    public LambdaInvoker Invoker() => new(Function, line => { lock (Log) Log.Add(line); });

    public void Dispose() => _dir.Dispose();
}
