using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace UvLambda.Core.Tests.Aws;

/// <summary>
/// moto_server on 127.0.0.1 at a free port: started once per test class (or collection), waited for (bounded),
/// and killed at the end. moto stands in for AWS; a missing moto_server is a failure that says how to get it.
/// </summary>
public sealed class MotoServer : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    public MotoServer()
    {
        Port = FreePort();
        var psi = new ProcessStartInfo(FindMotoServer(), ["-H", "127.0.0.1", "-p", Port.ToString()])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        psi.Environment["AWS_ACCESS_KEY_ID"] = "testing";
        psi.Environment["AWS_SECRET_ACCESS_KEY"] = "testing";
        psi.Environment["AWS_DEFAULT_REGION"] = "us-east-1";
        _process = Process.Start(psi)!;
        _process.OutputDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            if (_process.HasExited) throw new InvalidOperationException($"moto_server exited with {_process.ExitCode}:\n{Output}");
            try
            {
                if (http.GetAsync(Url + "moto-api/").GetAwaiter().GetResult().StatusCode == HttpStatusCode.OK) break;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            if (DateTime.UtcNow > deadline)
            {
                Dispose();
                throw new TimeoutException($"moto_server did not answer on {Url} within 60 s:\n{Output}");
            }
            Thread.Sleep(200);
        }
    }

    public int Port { get; }
    public string Url => $"http://127.0.0.1:{Port}/";
    public string Output { get { lock (_output) return _output.ToString(); } }

    /// <summary>Forgets every resource (between tests that must not see each other's).</summary>
    public void Reset()
    {
        using var http = new HttpClient();
        http.PostAsync(Url + "moto-api/reset", null).GetAwaiter().GetResult().EnsureSuccessStatusCode();
    }

    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static string FindMotoServer()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
        {
            if (dir.Length == 0) continue;
            var candidate = Path.Combine(dir, "moto_server");
            if (File.Exists(candidate)) return candidate;
        }
        throw new InvalidOperationException(
            "moto_server is not on PATH: the deploy tests run AWS against moto. Install it with 'pip install \"moto[server]>=5\"' (or 'apt-get install python3-moto' where it ships moto_server).");
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited) { _process.Kill(entireProcessTree: true); _process.WaitForExit(10_000); }
        }
        catch (InvalidOperationException) { }
        _process.Dispose();
    }
}
