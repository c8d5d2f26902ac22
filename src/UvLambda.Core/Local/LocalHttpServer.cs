using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using UvLambda.Core.Diagnostics;

namespace UvLambda.Core.Local;

/// <summary>
/// A small HTTP/1.1 server on loopback standing in for API Gateway: each request becomes an API Gateway event, the
/// handler's result becomes the response. One connection per request (Connection: close); invocations run one at a
/// time, as one Lambda execution environment does.
/// </summary>
public sealed class LocalHttpServer(LocalFunction function, LambdaInvoker invoker, Action<string> log) : IDisposable
{
    private const int MaxHeaderBytes = 64 * 1024;
    // API Gateway's payload limit is 10 MB; Lambda's synchronous one 6 MB.
    private const int MaxBodyBytes = 10 * 1024 * 1024;

    private TcpListener? _listener;

    public int Port { get; private set; }

    public string Url => $"http://127.0.0.1:{Port}";

    public void Start()
    {
        var listener = ConnectionLoop.Listen(function.Port);
        _listener = listener;
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public Task RunAsync(CancellationToken cancellationToken)
    {
        if (_listener is null) Start();
        return ConnectionLoop.RunAsync(_listener!, Serve, cancellationToken);
    }

    private async Task Serve(TcpClient client, CancellationToken cancellationToken)
    {
        using var _ = client;
        try
        {
            var stream = client.GetStream();
            var request = await ReadRequest(stream, ((IPEndPoint)client.Client.RemoteEndPoint!).Address.ToString(), cancellationToken).ConfigureAwait(false);
            if (request is null) return;
            var response = Handle(request);
            await WriteResponse(stream, response, request.Method == "HEAD", cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException) { }
    }

    /// <summary>One request through the function (also for tests, without sockets).</summary>
    public LocalHttpResponse Handle(LocalHttpRequest request)
    {
        var started = DateTimeOffset.UtcNow;
        if (request.Method == "POST" && IsInvokePath(request.Path))
            return HandleInvoke(request, started);
        var evt = ApiGatewayEvents.ToEvent(function.EventFormat, request, new ApiGatewayContext(Guid.NewGuid().ToString(), started, function.AccountId));
        LocalHttpResponse response;
        try
        {
            var result = invoker.Invoke(evt);
            if (result.Error is { } error)
            {
                log($"error {error.Code}: {error.ErrorType}: {error.ErrorMessage}");
                if (error.Trace.Length > 0) log(error.Trace.TrimEnd());
                response = ApiGatewayEvents.FunctionError(function.EventFormat);
            }
            else
            {
                response = ApiGatewayEvents.ToResponse(function.EventFormat, result.ResultJson!);
            }
        }
        catch (UvLambdaException e)
        {
            log($"error {e.Code}: {e.Message}");
            response = ApiGatewayEvents.FunctionError(function.EventFormat);
        }
        log($"{request.Method} {request.Target} -> {response.StatusCode} ({(DateTimeOffset.UtcNow - started).TotalMilliseconds:0} ms)");
        return response;
    }

    // Lambda's Invoke API path, as the runtime interface emulator serves it (any function name answers).
    private static bool IsInvokePath(string path) =>
        path.StartsWith("/2015-03-31/functions/", StringComparison.Ordinal) && path.EndsWith("/invocations", StringComparison.Ordinal)
        && path.Count(c => c == '/') == 4;

    /// <summary>The body is the event as is (empty: {}); the answer is Invoke's: the result, or 200 with X-Amz-Function-Error and Lambda's error document.</summary>
    private LocalHttpResponse HandleInvoke(LocalHttpRequest request, DateTimeOffset started)
    {
        LocalHttpResponse response;
        var json = request.Body.Length == 0 ? "{}" : Encoding.UTF8.GetString(request.Body);
        try
        {
            var result = invoker.Invoke(json);
            List<KeyValuePair<string, string>> headers = [new("Content-Type", "application/json"), new("X-Amz-Executed-Version", "$LATEST"), new("x-amzn-RequestId", result.RequestId)];
            if (result.Error is { } error)
            {
                log($"error {error.Code}: {error.ErrorType}: {error.ErrorMessage}");
                if (error.Trace.Length > 0) log(error.Trace.TrimEnd());
                headers.Add(new("X-Amz-Function-Error", "Unhandled"));
                response = new LocalHttpResponse(200, headers, Encoding.UTF8.GetBytes(error.ToJson(result.RequestId)));
            }
            else
            {
                response = new LocalHttpResponse(200, headers, Encoding.UTF8.GetBytes(result.ResultJson!));
            }
        }
        catch (UvLambdaException e) when (e.Code == ErrorCodes.InvalidLambdaEvent)
        {
            log($"error {e.Code}: {e.Message}");
            response = new LocalHttpResponse(400, [new("Content-Type", "application/json"), new("x-amzn-ErrorType", "InvalidRequestContentException")],
                Encoding.UTF8.GetBytes(new System.Text.Json.Nodes.JsonObject { ["Type"] = "User", ["message"] = "Could not parse request body into json: " + e.Message }.ToJsonString()));
        }
        catch (UvLambdaException e)
        {
            log($"error {e.Code}: {e.Message}");
            response = new LocalHttpResponse(500, [new("Content-Type", "application/json"), new("x-amzn-ErrorType", "ServiceException")],
                Encoding.UTF8.GetBytes(new System.Text.Json.Nodes.JsonObject { ["Type"] = "Service", ["message"] = e.Message }.ToJsonString()));
        }
        log($"{request.Method} {request.Target} (Invoke) -> {response.StatusCode} ({(DateTimeOffset.UtcNow - started).TotalMilliseconds:0} ms)");
        return response;
    }

    internal static async Task<LocalHttpRequest?> ReadRequest(Stream stream, string sourceIp, CancellationToken cancellationToken)
    {
        var buffer = new byte[8192];
        var head = new MemoryStream();
        int headerEnd;
        while ((headerEnd = IndexOfHeaderEnd(head)) < 0)
        {
            if (head.Length > MaxHeaderBytes) return null;
            var n = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            if (n == 0) return null;
            head.Write(buffer, 0, n);
        }
        var all = head.ToArray();
        var lines = Encoding.Latin1.GetString(all, 0, headerEnd).Split("\r\n");
        var requestLine = lines[0].Split(' ');
        if (requestLine.Length != 3) return null;
        var headers = new List<KeyValuePair<string, string>>();
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':');
            if (colon <= 0) continue;
            headers.Add(new(line[..colon].Trim(), Encoding.UTF8.GetString(Encoding.Latin1.GetBytes(line[(colon + 1)..].Trim()))));
        }
        string? Header(string name) => headers.Where(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).LastOrDefault();

        if (Header("Expect") is { } expect && expect.Equals("100-continue", StringComparison.OrdinalIgnoreCase))
            await stream.WriteAsync("HTTP/1.1 100 Continue\r\n\r\n"u8.ToArray(), cancellationToken).ConfigureAwait(false);

        var rest = new MemoryStream();
        rest.Write(all, headerEnd + 4, all.Length - headerEnd - 4);
        byte[] body;
        if (Header("Transfer-Encoding") is { } te && te.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            body = await ReadChunked(stream, rest, cancellationToken).ConfigureAwait(false) ?? [];
        }
        else
        {
            var length = long.TryParse(Header("Content-Length"), NumberStyles.None, CultureInfo.InvariantCulture, out var l) ? l : 0;
            if (length > MaxBodyBytes) return null;
            while (rest.Length < length)
            {
                var n = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
                if (n == 0) break;
                rest.Write(buffer, 0, n);
            }
            body = rest.ToArray().AsSpan(0, (int)Math.Min(length, rest.Length)).ToArray();
        }
        // Headers API Gateway does not pass on.
        headers.RemoveAll(h => h.Key.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase) || h.Key.Equals("Expect", StringComparison.OrdinalIgnoreCase));
        return new LocalHttpRequest(requestLine[0], requestLine[1], requestLine[2], headers, body, sourceIp);
    }

    private static async Task<byte[]?> ReadChunked(Stream stream, MemoryStream pending, CancellationToken cancellationToken)
    {
        var data = pending.ToArray().ToList();
        var buffer = new byte[8192];
        async Task<bool> Fill()
        {
            var n = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            data.AddRange(buffer.AsSpan(0, n).ToArray());
            return n > 0;
        }
        var body = new MemoryStream();
        var pos = 0;
        while (true)
        {
            int lineEnd;
            while ((lineEnd = IndexOf(data, pos)) < 0)
                if (!await Fill().ConfigureAwait(false)) return null;
            var sizeText = Encoding.ASCII.GetString(data.GetRange(pos, lineEnd - pos).ToArray()).Split(';')[0].Trim();
            if (!int.TryParse(sizeText, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var size)) return null;
            pos = lineEnd + 2;
            if (size == 0) return body.ToArray();
            while (data.Count < pos + size + 2)
                if (!await Fill().ConfigureAwait(false)) return null;
            body.Write(data.GetRange(pos, size).ToArray());
            if (body.Length > MaxBodyBytes) return null;
            pos += size + 2;
        }
    }

    private static int IndexOf(List<byte> data, int from)
    {
        for (var i = from; i + 1 < data.Count; i++)
            if (data[i] == '\r' && data[i + 1] == '\n') return i;
        return -1;
    }

    private static int IndexOfHeaderEnd(MemoryStream head)
    {
        var bytes = head.GetBuffer().AsSpan(0, (int)head.Length);
        return bytes.IndexOf("\r\n\r\n"u8);
    }

    internal static async Task WriteResponse(Stream stream, LocalHttpResponse response, bool headOnly, CancellationToken cancellationToken)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"HTTP/1.1 {response.StatusCode} {ReasonPhrase(response.StatusCode)}\r\n");
        foreach (var (name, value) in response.Headers)
        {
            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase) || name.Equals("Connection", StringComparison.OrdinalIgnoreCase)
                || name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)) continue;
            sb.Append(name).Append(": ").Append(value.Replace("\r", "").Replace("\n", "")).Append("\r\n");
        }
        sb.Append(CultureInfo.InvariantCulture, $"Content-Length: {response.Body.Length}\r\n");
        sb.Append(CultureInfo.InvariantCulture, $"Date: {DateTime.UtcNow:R}\r\n");
        sb.Append("Connection: close\r\n\r\n");
        await stream.WriteAsync(Encoding.UTF8.GetBytes(sb.ToString()), cancellationToken).ConfigureAwait(false);
        if (!headOnly) await stream.WriteAsync(response.Body, cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private static string ReasonPhrase(int status) => status switch
    {
        200 => "OK", 201 => "Created", 202 => "Accepted", 204 => "No Content", 301 => "Moved Permanently", 302 => "Found",
        304 => "Not Modified", 400 => "Bad Request", 401 => "Unauthorized", 403 => "Forbidden", 404 => "Not Found",
        500 => "Internal Server Error", 502 => "Bad Gateway", 503 => "Service Unavailable", 504 => "Gateway Timeout",
        _ => "Status",
    };

    public void Dispose() => _listener?.Stop();
}
