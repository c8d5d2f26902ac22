using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using UvLambda.Core.Diagnostics;

namespace UvLambda.Core.Local;

/// <summary>
/// Invoke for a script handler (a Lambda Web Adapter app): starts the script with its PORT, turns the event into the
/// HTTP request the adapter would send — API Gateway payload 2.0 or 1.0, anything else POSTed as JSON to /events,
/// the adapter's pass-through path — and turns the app's response back into an API Gateway result.
/// </summary>
public sealed class ScriptAppInvoker(LocalFunction function, Action<string> log) : IDisposable
{
    private static readonly TimeSpan StartupTimeout = TimeSpan.FromSeconds(30);
    private readonly ScriptAppProxy _app = new(function with { Port = 0 }, log);

    public InvocationResult Invoke(string eventJson, CancellationToken cancellationToken = default)
    {
        var requestId = Guid.NewGuid().ToString();
        var stopwatch = Stopwatch.StartNew();
        JsonNode? evt;
        try { evt = JsonNode.Parse(eventJson); }
        catch (System.Text.Json.JsonException e) { throw new UvLambdaException(ErrorCodes.InvalidLambdaEvent, $"LambdaEvent is not valid JSON: {e.Message}"); }

        _app.Start();
        using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        var baseUri = new Uri($"http://127.0.0.1:{_app.AppPort}");
        WaitUntilListening(baseUri);

        using var request = ToHttpRequest(evt, baseUri, eventJson);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(function.TimeoutSeconds));
        HttpResponseMessage response;
        try
        {
            response = http.Send(request, timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new InvocationResult(requestId, null, new LambdaError(ErrorCodes.HandlerTimedOut, "Sandbox.Timedout",
                $"Task timed out after {function.TimeoutSeconds} seconds", [], ""), stopwatch.Elapsed);
        }
        using (response)
            return new InvocationResult(requestId, ToResult(response).ToJsonString(), null, stopwatch.Elapsed);
    }

    private void WaitUntilListening(Uri app)
    {
        var deadline = DateTime.UtcNow + StartupTimeout;
        while (true)
        {
            using var probe = new System.Net.Sockets.TcpClient();
            try
            {
                probe.Connect(app.Host, app.Port);
                return;
            }
            catch (System.Net.Sockets.SocketException) when (DateTime.UtcNow < deadline && !_app.HasExited)
            {
                Thread.Sleep(100);
            }
            catch (System.Net.Sockets.SocketException)
            {
                throw new UvLambdaException(ErrorCodes.HandlerInitFailed,
                    $"The script handler '{function.Handler}' did not listen on PORT {app.Port}{(_app.HasExited ? $" (it exited with {_app.ExitCode})" : $" within {StartupTimeout.TotalSeconds:0} s")}. Start the server on $PORT.");
            }
        }
    }

    /// <summary>The HTTP request the Lambda Web Adapter sends for an event.</summary>
    public static HttpRequestMessage ToHttpRequest(JsonNode? evt, Uri app, string rawEvent)
    {
        string method, path, query = "";
        var headers = new List<(string, string)>();
        if (evt?["requestContext"]?["http"]?["method"] is JsonValue v2Method)
        {
            method = v2Method.GetValue<string>();
            path = evt["rawPath"]?.GetValue<string>() ?? "/";
            query = evt["rawQueryString"]?.GetValue<string>() ?? "";
            foreach (var (name, value) in evt["headers"] as JsonObject ?? []) headers.Add((name, value?.ToString() ?? ""));
            if (evt["cookies"] is JsonArray cookies && cookies.Count > 0)
                headers.Add(("Cookie", string.Join("; ", cookies.Select(c => c?.ToString()))));
        }
        else if (evt?["httpMethod"] is JsonValue v1Method)
        {
            method = v1Method.GetValue<string>();
            path = evt["path"]?.GetValue<string>() ?? "/";
            if (evt["multiValueQueryStringParameters"] is JsonObject multi)
                query = string.Join("&", multi.SelectMany(p => (p.Value as JsonArray ?? []).Select(x => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(x?.ToString() ?? "")}")));
            else if (evt["queryStringParameters"] is JsonObject single)
                query = string.Join("&", single.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value?.ToString() ?? "")}"));
            if (evt["multiValueHeaders"] is JsonObject multiHeaders)
                foreach (var (name, values) in multiHeaders) foreach (var value in values as JsonArray ?? []) headers.Add((name, value?.ToString() ?? ""));
            else
                foreach (var (name, value) in evt["headers"] as JsonObject ?? []) headers.Add((name, value?.ToString() ?? ""));
        }
        else
        {
            // Not an HTTP event: the adapter's pass-through path receives the event itself.
            var passThrough = new HttpRequestMessage(HttpMethod.Post, new Uri(app, "/events"))
            {
                Content = new StringContent(rawEvent, Encoding.UTF8, "application/json"),
            };
            return passThrough;
        }

        var request = new HttpRequestMessage(new HttpMethod(method), new Uri(app, path + (query.Length > 0 ? "?" + query : "")));
        byte[]? body = evt["body"] is JsonValue b && b.ToString() is { } text
            ? evt["isBase64Encoded"]?.GetValue<bool>() == true ? Convert.FromBase64String(text) : Encoding.UTF8.GetBytes(text)
            : null;
        if (body is not null) request.Content = new ByteArrayContent(body);
        foreach (var (name, value) in headers)
        {
            if (name.Equals("Host", StringComparison.OrdinalIgnoreCase) || name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)) continue;
            if (!request.Headers.TryAddWithoutValidation(name, value))
                (request.Content ??= new ByteArrayContent([])).Headers.TryAddWithoutValidation(name, value);
        }
        return request;
    }

    /// <summary>An API Gateway proxy result: text bodies as text, anything else base64.</summary>
    public static JsonObject ToResult(HttpResponseMessage response)
    {
        var headers = new JsonObject();
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
            headers[name.ToLowerInvariant()] = string.Join(",", values);
        var bytes = response.Content.ReadAsByteArrayAsync().GetAwaiter().GetResult();
        var textual = IsText(response.Content.Headers.ContentType);
        return new JsonObject
        {
            ["statusCode"] = (int)response.StatusCode,
            ["headers"] = headers,
            ["body"] = textual ? Encoding.UTF8.GetString(bytes) : Convert.ToBase64String(bytes),
            ["isBase64Encoded"] = !textual,
        };
    }

    private static bool IsText(MediaTypeHeaderValue? type)
    {
        if (type?.MediaType is not { } media) return true; // no Content-Type: treat as text, as the adapter does
        return media.StartsWith("text/", StringComparison.OrdinalIgnoreCase) || media.Contains("json", StringComparison.OrdinalIgnoreCase)
            || media.Contains("xml", StringComparison.OrdinalIgnoreCase) || media.Contains("javascript", StringComparison.OrdinalIgnoreCase)
            || media.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase);
    }

    public void Dispose() => _app.Dispose();
}
