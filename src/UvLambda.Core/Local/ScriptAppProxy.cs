using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using UvLambda.Core.Diagnostics;

namespace UvLambda.Core.Local;

/// <summary>
/// <c>dotnet run</c> for a script handler (a Lambda Web Adapter app, <c>LambdaHandler=run.sh</c>): starts the script
/// as the adapter would — Lambda's environment, <c>PORT</c>/<c>AWS_LWA_PORT</c> set to a free loopback port (or
/// <c>PORT</c> from LambdaLocalEnvironment), <c>python</c> on PATH being the local Python with the dependencies on
/// PYTHONPATH — and forwards every connection on 127.0.0.1:LambdaLocalPort to it unchanged.
/// </summary>
public sealed class ScriptAppProxy(LocalFunction function, Action<string> log) : IDisposable
{
    private TcpListener? _listener;
    private Process? _app;
    private readonly SemaphoreSlim _restart = new(1, 1);

    /// <summary>Asked before each forwarded connection: true restarts the app first (`dotnet run` reloading after an edit).</summary>
    public Func<bool>? BeforeForward { get; init; }

    public int Port { get; private set; }
    public int AppPort { get; private set; }

    public bool HasExited => _app is { HasExited: true };
    public int ExitCode => _app?.ExitCode ?? 0;
    public string Url => $"http://127.0.0.1:{Port}";

    public void Start()
    {
        var listener = ConnectionLoop.Listen(function.Port);
        _listener = listener;
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        AppPort = function.Environment.TryGetValue("PORT", out var p) && int.TryParse(p, out var given) ? given : FreePort();
        StartApp();
    }

    private void StartApp()
    {
        var script = Path.Combine(function.AppDirectory, function.Handler);
        if (!File.Exists(script))
            throw new UvLambdaException(ErrorCodes.HandlerModuleMissing, $"The script handler '{script}' does not exist.");
        // `python`/`python3` in the script mean the local Python, as they mean the runtime's on Lambda.
        var bin = Path.Combine(Path.GetDirectoryName(function.WorkerScript) ?? Path.GetTempPath(), "script-bin");
        Directory.CreateDirectory(bin);
        foreach (var name in new[] { "python", "python3" })
        {
            var link = Path.Combine(bin, name);
            if (File.Exists(link) || Directory.Exists(link)) File.Delete(link);
            File.CreateSymbolicLink(link, function.Python);
        }
        var psi = new ProcessStartInfo(script) { UseShellExecute = false, WorkingDirectory = function.AppDirectory };
        foreach (var (key, value) in LambdaInvoker.LambdaEnvironment(function)) psi.Environment[key] = value;
        psi.Environment["PORT"] = AppPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        psi.Environment["AWS_LWA_PORT"] = psi.Environment["PORT"];
        psi.Environment["PATH"] = bin + Path.PathSeparator + System.Environment.GetEnvironmentVariable("PATH");
        psi.Environment.Remove("AWS_LAMBDA_EXEC_WRAPPER");
        try
        {
            _app = Process.Start(psi)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new UvLambdaException(ErrorCodes.HandlerScriptNotExecutable,
                $"The script handler '{function.Handler}' could not be started ({e.Message}). Run `chmod +x {function.Handler}` and check its #! line.");
        }
        log($"{function.FunctionName}: started {function.Handler} (pid {_app.Id}) with PORT={AppPort}");
    }

    public Task RunAsync(CancellationToken cancellationToken)
    {
        if (_listener is null) Start();
        return ConnectionLoop.RunAsync(_listener!, Forward, cancellationToken);
    }

    private async Task Forward(TcpClient client, CancellationToken ct)
    {
        using var _ = client;
        if (BeforeForward is { } check)
        {
            await _restart.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                if (check())
                {
                    StopApp();
                    StartApp();
                }
            }
            finally
            {
                _restart.Release();
            }
        }
        using var upstream = new TcpClient();
        // The app may still be starting: wait for its port (bounded), as the adapter's readiness check does.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                await upstream.ConnectAsync(IPAddress.Loopback, AppPort, ct).ConfigureAwait(false);
                break;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && _app is { HasExited: false })
            {
                await Task.Delay(100, ct).ConfigureAwait(false);
            }
            catch (SocketException)
            {
                log($"{function.FunctionName}: the app is not listening on port {AppPort}{(_app is { HasExited: true } ? $" (it exited with {_app.ExitCode})" : "")}");
                return;
            }
        }
        try
        {
            var a = client.GetStream();
            var b = upstream.GetStream();
            var up = Pump(a, b, upstream.Client, ct);
            var down = Pump(b, a, client.Client, ct);
            await Task.WhenAll(up, down).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException) { }
    }

    private static async Task Pump(NetworkStream from, NetworkStream to, Socket target, CancellationToken ct)
    {
        try
        {
            await from.CopyToAsync(to, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException) { }
        try { target.Shutdown(SocketShutdown.Send); } catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
    }

    private static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    private void StopApp()
    {
        if (_app is { HasExited: false })
        {
            try { _app.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            _app.WaitForExit(5000);
        }
        _app?.Dispose();
        _app = null;
    }

    public void Dispose()
    {
        StopApp();
        _restart.Dispose();
    }
}
