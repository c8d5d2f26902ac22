using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using Task = System.Threading.Tasks.Task;
using Xunit.Abstractions;
using UvLambda.Core.Containers;
using UvLambda.Core.Diagnostics;
using UvLambda.Core.Tests;

namespace UvLambda.Build.Tasks.Tests;

/// <summary>A 127.0.0.1 endpoint that accepts connections and never answers: a registry or AWS endpoint that hangs.</summary>
internal sealed class SilentListener : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly List<TcpClient> _clients = [];
    private int _accepted;

    public SilentListener()
    {
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _ = AcceptAsync();
    }

    public int Port { get; }
    public string Host => $"127.0.0.1:{Port}";
    public int Accepted => Volatile.Read(ref _accepted);

    // Ends when the listener is stopped.
    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync().ConfigureAwait(false);
                lock (_clients) _clients.Add(client);
                Interlocked.Increment(ref _accepted);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
    }

    public void Dispose()
    {
        _listener.Stop();
        lock (_clients) foreach (var c in _clients) c.Dispose();
    }
}

public class CancellationTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private sealed class WaitingTask : UvLambdaTask
    {
        public ManualResetEventSlim Started { get; } = new();
        public bool Ran { get; private set; }

        private protected override void ExecuteCore()
        {
            Ran = true;
            Started.Set();
            Task.Delay(Timeout.Infinite, CancellationToken).GetAwaiter().GetResult();
        }
    }

    private sealed class CoreTimeoutTask : UvLambdaTask
    {
        // A Core timeout of its own, not the build's cancellation.
        private protected override void ExecuteCore() => throw new OperationCanceledException("no response within 30 s");
    }

    private sealed class WrappedCancellationTask(CancellationTokenSource ready) : UvLambdaTask
    {
        private protected override void ExecuteCore()
        {
            ready.Cancel();
            try
            {
                Task.Delay(Timeout.Infinite, CancellationToken).GetAwaiter().GetResult();
            }
            catch (OperationCanceledException e)
            {
                throw new UvLambdaException(ErrorCodes.RegistryRequestFailed, "GET /v2/ failed after 1 attempts: canceled", inner: e);
            }
        }
    }

    internal static void AssertReportedAsCancelled(RecordingBuildEngine engine, string taskName)
    {
        Assert.Empty(engine.Errors);
        Assert.DoesNotContain(engine.Messages, m => m.Message!.Contains(ErrorCodes.InternalError, StringComparison.Ordinal));
        Assert.DoesNotContain(engine.Messages, m => m.Message!.Contains("   at ", StringComparison.Ordinal));
        var message = Assert.Single(engine.Messages, m => m.Message!.Contains("cancelled", StringComparison.Ordinal));
        Assert.Equal(MessageImportance.High, message.Importance);
        Assert.Contains(taskName, message.Message, StringComparison.Ordinal);
    }

    /// <summary>Runs the task until it is blocked on <paramref name="listener"/>, cancels it ~200 ms later, and returns how long it took to stop.</summary>
    internal static async Task<TimeSpan> RunCancelledWhileBlocked(UvLambdaTask task, SilentListener listener)
    {
        var run = Task.Run(task.Execute);
        var waited = Stopwatch.StartNew();
        while (listener.Accepted == 0 && !run.IsCompleted && waited.Elapsed < Bound) await Task.Delay(10);
        Assert.True(listener.Accepted > 0, "the task never connected to the endpoint" + (run.IsCompleted ? $" (it returned {await run})" : ""));
        await Task.Delay(200);
        Assert.False(run.IsCompleted, "the task returned before it was cancelled: the endpoint did not hold it");

        var stopping = Stopwatch.StartNew();
        task.Cancel();
        var stopped = await run.WaitAsync(Bound); // TimeoutException: it did not stop within the bound
        stopping.Stop();
        Assert.False(stopped);
        return stopping.Elapsed;
    }

    [Fact]
    public void Every_UvLambda_task_is_cancelable()
    {
        var tasks = typeof(UvLambdaTask).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(UvLambdaTask)) && !t.IsAbstract).ToList();
        Assert.Contains(typeof(PushLambdaImage), tasks);
        Assert.True(tasks.Count >= 10, string.Join(", ", tasks.Select(t => t.Name)));
        Assert.All(tasks, t => Assert.True(typeof(ICancelableTask).IsAssignableFrom(t), t.Name));
    }

    [Fact]
    public async Task Cancel_stops_a_running_task_with_a_cancelled_message_and_no_error()
    {
        var engine = new RecordingBuildEngine();
        var task = new WaitingTask { BuildEngine = engine, ProjectFile = "p.pyproj" };
        var run = Task.Run(task.Execute);
        Assert.True(task.Started.Wait(Bound));

        task.Cancel();

        Assert.False(await run.WaitAsync(Bound));
        AssertReportedAsCancelled(engine, nameof(WaitingTask));
    }

    [Fact]
    public void A_task_cancelled_before_it_runs_does_not_start()
    {
        var engine = new RecordingBuildEngine();
        var task = new WaitingTask { BuildEngine = engine };
        task.Cancel();

        Assert.False(task.Execute());

        Assert.False(task.Ran);
        AssertReportedAsCancelled(engine, nameof(WaitingTask));
    }

    [Fact]
    public void A_cancellation_that_Core_wrapped_in_a_coded_error_is_still_reported_as_cancelled()
    {
        using var ready = new CancellationTokenSource();
        var engine = new RecordingBuildEngine();
        var task = new WrappedCancellationTask(ready) { BuildEngine = engine };
        ready.Token.Register(task.Cancel);

        Assert.False(task.Execute());

        AssertReportedAsCancelled(engine, nameof(WrappedCancellationTask));
        Assert.DoesNotContain(engine.Messages, m => m.Message!.Contains(ErrorCodes.RegistryRequestFailed, StringComparison.Ordinal));
    }

    [Fact]
    public void An_OperationCanceledException_without_Cancel_is_an_internal_error_not_a_cancelled_build()
    {
        var engine = new RecordingBuildEngine();
        var task = new CoreTimeoutTask { BuildEngine = engine, ProjectFile = "p.pyproj" };

        Assert.False(task.Execute());

        Assert.Equal(ErrorCodes.InternalError, Assert.Single(engine.Errors).Code);
        Assert.DoesNotContain(engine.Messages, m => m.Message!.Contains("cancelled", StringComparison.Ordinal));
    }

    [Fact]
    public async Task PushLambdaImage_blocked_on_a_registry_that_never_answers_stops_promptly_on_Cancel()
    {
        using var dir = new TempDirectory();
        using var registry = new SilentListener();
        var imageDirectory = dir.Combine("image");
        var manifest = Encoding.UTF8.GetBytes("""{"schemaVersion":2}""");
        var manifestDigest = Digests.Of(manifest);
        Directory.CreateDirectory(Path.GetDirectoryName(BuiltImage.BlobPath(imageDirectory, manifestDigest))!);
        File.WriteAllBytes(BuiltImage.BlobPath(imageDirectory, manifestDigest), manifest);
        new BuiltImage(ImageFormat.Docker, registry.Host, "base", manifestDigest, MediaTypes.DockerManifest, manifestDigest, manifest.Length,
            MediaTypes.DockerConfig, manifestDigest, manifest.Length, []).Save(imageDirectory);
        var engine = new RecordingBuildEngine();
        var task = new PushLambdaImage
        {
            BuildEngine = engine,
            ProjectFile = "app.pyproj",
            ImageDirectory = imageDirectory,
            Registry = registry.Host,
            Repository = "app",
            CacheDirectory = dir.Combine("cache"),
        };

        var elapsed = await RunCancelledWhileBlocked(task, registry);

        AssertReportedAsCancelled(engine, nameof(PushLambdaImage));
        Assert.Null(task.GeneratedContainerReference);
        output.WriteLine($"stopped {elapsed.TotalMilliseconds:0} ms after Cancel");
    }

    [Fact]
    public async Task CreateLambdaImage_blocked_on_the_base_image_registry_stops_promptly_on_Cancel_and_writes_no_image()
    {
        using var dir = new TempDirectory();
        using var registry = new SilentListener();
        var engine = new RecordingBuildEngine();
        var task = new CreateLambdaImage
        {
            BuildEngine = engine,
            ProjectFile = dir.Combine("app.pyproj"),
            ProjectDirectory = dir.Path,
            Handler = "app.handler",
            Sources = [new TaskItem(dir.WriteFile("app.py", "def handler(event, context):\n    return 1\n"))],
            BaseImage = $"{registry.Host}/lambda/python:3.13",
            Architecture = "x86_64",
            ImageDirectory = dir.Combine("obj", "image"),
            CacheDirectory = dir.Combine("cache"),
        };

        var elapsed = await RunCancelledWhileBlocked(task, registry);

        AssertReportedAsCancelled(engine, nameof(CreateLambdaImage));
        Assert.Null(task.ManifestDigest);
        Assert.False(File.Exists(dir.Combine("obj", "image", BuiltImage.FileName)));
        output.WriteLine($"stopped {elapsed.TotalMilliseconds:0} ms after Cancel");
    }
}

/// <summary>DeployLambda reads AWS settings from the process environment: this class sets some, so it runs alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessEnvironmentCollection
{
    public const string Name = "process environment";
}

[Collection(ProcessEnvironmentCollection.Name)]
public class DeployCancellationTests(ITestOutputHelper output)
{
    [Fact]
    public async Task DeployLambda_blocked_on_an_AWS_endpoint_that_never_answers_stops_promptly_on_Cancel()
    {
        using var dir = new TempDirectory();
        using var lambda = new SilentListener();
        var zip = dir.Combine("package.zip");
        using (var archive = System.IO.Compression.ZipFile.Open(zip, System.IO.Compression.ZipArchiveMode.Create))
            archive.CreateEntry("app.py");
        var variables = new Dictionary<string, string?>
        {
            ["AWS_ENDPOINT_URL"] = $"http://{lambda.Host}",
            ["AWS_ACCESS_KEY_ID"] = "AKIDEXAMPLE",
            ["AWS_SECRET_ACCESS_KEY"] = "secret",
            ["AWS_SESSION_TOKEN"] = null,
            ["AWS_PROFILE"] = null,
            ["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"] = null,
        };
        var saved = variables.Keys.ToDictionary(k => k, Environment.GetEnvironmentVariable);
        try
        {
            foreach (var (name, value) in variables) Environment.SetEnvironmentVariable(name, value);
            var engine = new RecordingBuildEngine();
            var task = new DeployLambda
            {
                BuildEngine = engine,
                ProjectFile = dir.Combine("app.pyproj"),
                FunctionName = "my-function",
                PackagePath = zip,
                Handler = "app.handler",
                PythonVersion = "3.13",
                Role = "arn:aws:iam::123456789012:role/lambda",
                Region = "us-east-1",
            };

            var elapsed = await CancellationTests.RunCancelledWhileBlocked(task, lambda);

            CancellationTests.AssertReportedAsCancelled(engine, nameof(DeployLambda));
            Assert.Null(task.FunctionArn);
            output.WriteLine($"stopped {elapsed.TotalMilliseconds:0} ms after Cancel");
        }
        finally
        {
            foreach (var (name, value) in saved) Environment.SetEnvironmentVariable(name, value);
        }
    }
}
