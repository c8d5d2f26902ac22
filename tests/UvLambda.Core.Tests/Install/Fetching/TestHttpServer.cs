using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace UvLambda.Core.Tests.Install.Fetching;

/// <summary>A request as the server saw it.</summary>
public sealed record TestHttpRequest(string Path, IReadOnlyDictionary<string, string> Headers)
{
    public string? Header(string name) => Headers.TryGetValue(name.ToLowerInvariant(), out var v) ? v : null;
}

/// <summary>What to answer. <see cref="SendBytes"/> below the body's length closes the connection early (a truncated download).</summary>
public sealed record TestHttpResponse(int Status, byte[] Body, string ContentType = "application/octet-stream")
{
    public int? SendBytes { get; init; }
    public IReadOnlyDictionary<string, string>? Headers { get; init; }

    public static TestHttpResponse Text(string body, string contentType = "text/html", int status = 200) =>
        new(status, Encoding.UTF8.GetBytes(body), contentType);

    public static TestHttpResponse WithStatus(int status) => new(status, Encoding.UTF8.GetBytes($"status {status}"), "text/plain");
}

/// <summary>
/// A tiny HTTP/1.1 server on 127.0.0.1 (a free port picked by the OS): one request per connection, answered by a
/// handler; every request is recorded. Enough to act as an index, a file host, a flaky server or one needing auth.
/// </summary>
public sealed class TestHttpServer : IDisposable
{
    private readonly TcpListener _listener;
    private readonly Func<TestHttpRequest, TestHttpResponse> _handler;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;
    private readonly ConcurrentQueue<TestHttpRequest> _requests = new();

    public TestHttpServer(Func<TestHttpRequest, TestHttpResponse> handler)
    {
        _handler = handler;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        BaseUrl = $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/";
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>Ends with <c>/</c>.</summary>
    public string BaseUrl { get; }

    public IReadOnlyList<TestHttpRequest> Requests => _requests.ToArray();

    public int RequestCount => _requests.Count;

    public int CountFor(string path) => _requests.Count(r => r.Path == path);

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (OperationCanceledException) { return; }
            catch (ObjectDisposedException) { return; }
            catch (SocketException) { return; }
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                timeout.CancelAfter(TimeSpan.FromSeconds(30));
                var request = await ReadRequestAsync(stream, timeout.Token);
                if (request is null)
                    return;
                _requests.Enqueue(request);
                var response = _handler(request);
                var head = new StringBuilder();
                head.Append($"HTTP/1.1 {response.Status} X\r\n");
                head.Append($"Content-Type: {response.ContentType}\r\n");
                head.Append($"Content-Length: {response.Body.Length}\r\n");
                head.Append("Connection: close\r\n");
                foreach (var (name, value) in response.Headers ?? new Dictionary<string, string>())
                    head.Append($"{name}: {value}\r\n");
                head.Append("\r\n");
                await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()), timeout.Token);
                var count = Math.Min(response.SendBytes ?? response.Body.Length, response.Body.Length);
                await stream.WriteAsync(response.Body.AsMemory(0, count), timeout.Token);
                await stream.FlushAsync(timeout.Token);
                if (count < response.Body.Length)
                    client.Client.LingerState = new LingerOption(true, 0); // reset rather than a clean close
            }
            catch (IOException) { }
            catch (OperationCanceledException) { }
            catch (SocketException) { }
        }
    }

    private static async Task<TestHttpRequest?> ReadRequestAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var buffer = new List<byte>();
        var one = new byte[1];
        // Byte by byte up to the blank line: requests are tiny GETs without bodies.
        while (buffer.Count < 64 * 1024)
        {
            if (await stream.ReadAsync(one, cancellationToken) == 0)
                return null;
            buffer.Add(one[0]);
            var n = buffer.Count;
            if (n >= 4 && buffer[n - 4] == '\r' && buffer[n - 3] == '\n' && buffer[n - 2] == '\r' && buffer[n - 1] == '\n')
                break;
        }
        var lines = Encoding.ASCII.GetString(buffer.ToArray()).Split("\r\n");
        var target = lines[0].Split(' ')[1];
        var headers = new Dictionary<string, string>();
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':');
            if (colon > 0)
                headers[line[..colon].Trim().ToLowerInvariant()] = line[(colon + 1)..].Trim();
        }
        return new TestHttpRequest(Uri.UnescapeDataString(target.Split('?')[0]), headers);
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        try { _acceptLoop.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
        _stop.Dispose();
    }
}
