using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace UvLambda.Core.Tests.Aws;

/// <summary>One request the proxy saw: <see cref="Path"/> is the raw URL (with its query), <see cref="Body"/> the body as text.</summary>
public sealed record ProxiedRequest(string Method, string Path, string? Target, bool Signed)
{
    public string Body { get; init; } = "";

    /// <summary>The path without the query.</summary>
    public string PathOnly => Path.Split('?')[0];
    public string Query => Path.Contains('?') ? Path[(Path.IndexOf('?') + 1)..] : "";

    /// <summary>A call that changes something: any non-GET REST call, and JSON-RPC targets other than Describe/Get/List.</summary>
    public bool IsWrite => Target is { } t
        ? !(t.Split('.')[^1] is var op && (op.StartsWith("Describe") || op.StartsWith("Get") || op.StartsWith("List") || op.StartsWith("BatchGet")))
        : Method is not ("GET" or "HEAD");

    public override string ToString() => Target is null ? $"{Method} {Path}" : $"{Method} {Path} {Target}";
}

/// <summary>
/// An HTTP proxy on 127.0.0.1 in front of moto that records every request and, on demand, answers with a fault
/// (throttling, conflict, access denied) or rewrites moto's JSON answer (Pending state, Failed update) — the cases
/// moto itself does not produce.
/// </summary>
public sealed class FaultProxy : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromMinutes(2) };
    private readonly Uri _upstream;
    private readonly List<ProxiedRequest> _requests = [];
    private readonly List<Rule> _rules = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private sealed class Rule(Func<ProxiedRequest, bool> match, int times)
    {
        public Func<ProxiedRequest, bool> Match { get; } = match;
        public int Remaining = times;
        public (int Status, string ErrorType, string Message)? Fault { get; init; }
        public Func<JsonObject, JsonObject>? Rewrite { get; init; }
        public bool DropAnswer { get; init; }
        public Func<ProxiedRequest, (int Status, JsonObject Body)>? Answer { get; init; }
    }

    /// <summary>
    /// The next <paramref name="times"/> matching requests are answered by <paramref name="answer"/> instead of moto:
    /// for APIs moto does not implement (provisioned concurrency).
    /// </summary>
    public void Answer(Func<ProxiedRequest, bool> match, int times, Func<ProxiedRequest, (int Status, JsonObject Body)> answer)
    {
        lock (_rules) _rules.Add(new Rule(match, times) { Answer = answer });
    }

    public FaultProxy(string upstream)
    {
        _upstream = new Uri(upstream);
        for (var attempt = 0; ; attempt++)
        {
            Port = MotoServer.FreePort();
            _listener.Prefixes.Clear();
            _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
            try { _listener.Start(); break; }
            catch (HttpListenerException) when (attempt < 5) { }
        }
        _loop = Task.Run(Loop);
    }

    public int Port { get; }
    public string Url => $"http://127.0.0.1:{Port}/";

    public IReadOnlyList<ProxiedRequest> Requests { get { lock (_requests) return _requests.ToList(); } }
    public IReadOnlyList<ProxiedRequest> Writes => Requests.Where(r => r.IsWrite).ToList();
    public void ClearRequests() { lock (_requests) _requests.Clear(); }

    /// <summary>The next <paramref name="times"/> matching requests get this error instead of reaching moto.</summary>
    public void Fault(Func<ProxiedRequest, bool> match, int times, int status, string errorType, string message)
    {
        lock (_rules) _rules.Add(new Rule(match, times) { Fault = (status, errorType, message) });
    }

    /// <summary>The next <paramref name="times"/> matching answers from moto are rewritten.</summary>
    public void Rewrite(Func<ProxiedRequest, bool> match, int times, Func<JsonObject, JsonObject> rewrite)
    {
        lock (_rules) _rules.Add(new Rule(match, times) { Rewrite = rewrite });
    }

    /// <summary>
    /// The next <paramref name="times"/> matching requests reach moto (and take effect there), then the connection is
    /// dropped without an answer: a response lost on the network.
    /// </summary>
    public void DropAnswer(Func<ProxiedRequest, bool> match, int times)
    {
        lock (_rules) _rules.Add(new Rule(match, times) { DropAnswer = true });
    }

    /// <summary>How many answers were dropped so far (to assert a fault really happened).</summary>
    public int DroppedAnswers => Volatile.Read(ref _dropped);
    private int _dropped;

    public void ClearRules() { lock (_rules) _rules.Clear(); }

    private async Task Loop()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync(); }
            catch (Exception) when (_stop.IsCancellationRequested) { return; }
            catch (HttpListenerException) { return; }
            catch (ObjectDisposedException) { return; }
            _ = Task.Run(() => Handle(context));
        }
    }

    private async Task Handle(HttpListenerContext context)
    {
        var req = context.Request;
        var res = context.Response;
        try
        {
            using var body = new MemoryStream();
            await req.InputStream.CopyToAsync(body);
            // Query-protocol services (STS) name the operation in the form body: "Action=GetCallerIdentity".
            var target = req.Headers["X-Amz-Target"];
            if (target is null && req.ContentType?.StartsWith("application/x-www-form-urlencoded", StringComparison.Ordinal) == true)
                target = Encoding.UTF8.GetString(body.ToArray()).Split('&').Select(Uri.UnescapeDataString)
                    .FirstOrDefault(p => p.StartsWith("Action=", StringComparison.Ordinal))?["Action=".Length..];
            var seen = new ProxiedRequest(req.HttpMethod, req.RawUrl ?? "/", target,
                req.Headers["Authorization"]?.StartsWith("AWS4-HMAC-SHA256 Credential=", StringComparison.Ordinal) == true)
            {
                Body = Encoding.UTF8.GetString(body.ToArray()),
            };
            lock (_requests) _requests.Add(seen);
            Rule? fault = null, rewrite = null, drop = null, answerRule = null;
            lock (_rules)
            {
                foreach (var rule in _rules)
                {
                    if (rule.Remaining <= 0 || !rule.Match(seen)) continue;
                    if (rule.Fault is not null && fault is null) { fault = rule; rule.Remaining--; }
                    else if (rule.Rewrite is not null && rewrite is null) { rewrite = rule; rule.Remaining--; }
                    else if (rule.DropAnswer && drop is null) { drop = rule; rule.Remaining--; }
                    else if (rule.Answer is not null && answerRule is null) { answerRule = rule; rule.Remaining--; }
                }
            }
            if (fault?.Fault is { } f)
            {
                res.StatusCode = f.Status;
                res.Headers["x-amzn-ErrorType"] = f.ErrorType;
                res.ContentType = "application/json";
                var bytes = Encoding.UTF8.GetBytes(new JsonObject { ["Type"] = "User", ["message"] = f.Message, ["__type"] = f.ErrorType }.ToJsonString());
                await res.OutputStream.WriteAsync(bytes);
                res.Close();
                return;
            }

            if (answerRule?.Answer is { } answerWith)
            {
                var (status, answerJson) = answerWith(seen);
                res.StatusCode = status;
                res.ContentType = "application/json";
                if (status >= 400) res.Headers["x-amzn-ErrorType"] = answerJson["__type"]?.ToString() ?? "ServiceException";
                var bytes = Encoding.UTF8.GetBytes(answerJson.ToJsonString());
                await res.OutputStream.WriteAsync(bytes);
                res.Close();
                return;
            }

            using var forward = new HttpRequestMessage(new HttpMethod(req.HttpMethod), new Uri(_upstream, req.RawUrl));
            if (body.Length > 0 || req.HttpMethod is not ("GET" or "HEAD")) forward.Content = new ByteArrayContent(body.ToArray());
            foreach (string? name in req.Headers.AllKeys)
            {
                if (name is null || name.Equals("Host", StringComparison.OrdinalIgnoreCase) || name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)
                    || name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase) || name.Equals("Connection", StringComparison.OrdinalIgnoreCase)) continue;
                var value = req.Headers[name]!;
                if (!forward.Headers.TryAddWithoutValidation(name, value)) forward.Content?.Headers.TryAddWithoutValidation(name, value);
            }
            using var answer = await _http.SendAsync(forward);
            var payload = await answer.Content.ReadAsByteArrayAsync();
            if (drop is not null)
            {
                // moto has done the work; the client never hears of it. HttpListener cannot cut a connection before
                // its status line (Abort flushes headers), so the headers promise moto's body and the connection is
                // closed before any byte of it: to the client the answer is lost mid-way, as on a dropped connection.
                Interlocked.Increment(ref _dropped);
                res.StatusCode = (int)answer.StatusCode;
                res.ContentLength64 = Math.Max(payload.Length, 1);
                res.Abort();
                return;
            }
            if (rewrite?.Rewrite is { } transform && JsonNode.Parse(payload) is JsonObject json)
                payload = Encoding.UTF8.GetBytes(transform(json).ToJsonString());
            res.StatusCode = (int)answer.StatusCode;
            foreach (var (name, values) in answer.Headers.Concat(answer.Content.Headers))
            {
                if (name is "Transfer-Encoding" or "Content-Length" or "Connection" or "Keep-Alive") continue;
                foreach (var v in values) res.Headers.Add(name, v);
            }
            res.ContentLength64 = payload.Length;
            await res.OutputStream.WriteAsync(payload);
            res.Close();
        }
        catch (Exception e)
        {
            try { res.StatusCode = 502; res.Close(Encoding.UTF8.GetBytes(e.ToString()), false); } catch (Exception) { }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        try { _listener.Stop(); _listener.Close(); } catch (ObjectDisposedException) { }
        try { _loop.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
        _http.Dispose();
    }
}
