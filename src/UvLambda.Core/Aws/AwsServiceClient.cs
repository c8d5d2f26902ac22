using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using UvLambda.Core.Diagnostics;
using UvLambda.Core.Resilience;

namespace UvLambda.Core.Aws;

/// <summary>An AWS API error after retries: the service's error code and message, and the operation that failed.</summary>
public sealed class AwsServiceException(string service, string operation, HttpStatusCode status, string errorCode, string message)
    : Exception($"{service}:{operation} failed: {(int)status} {errorCode}: {message}")
{
    /// <summary>The answer's Retry-After, if it had one.</summary>
    internal TimeSpan? RetryAfter { get; init; }

    public string Service { get; } = service;
    public string Operation { get; } = operation;
    public HttpStatusCode Status { get; } = status;
    public string ErrorCode { get; } = errorCode;
    public string ServiceMessage { get; } = message;

    /// <summary>The IAM action, e.g. <c>lambda:CreateFunction</c>.</summary>
    public string Action => $"{Service}:{Operation}";
}

/// <summary>
/// A non-idempotent write whose outcome is unknown: the request may have reached AWS but no answer came back (the
/// connection dropped, timed out, or a 5xx). The caller must read whether it took effect before writing again.
/// </summary>
public sealed class AwsOutcomeUnknownException(string service, string operation, string reason, Exception? inner = null)
    : OutcomeUnknownException($"{service}:{operation}: no usable answer ({reason}); it may or may not have taken effect", inner)
{
    public string Service { get; } = service;
    public string Operation { get; } = operation;
    public string Reason { get; } = reason;
    public string Action => $"{Service}:{Operation}";
}

/// <summary>
/// Sends SigV4-signed requests to one AWS service and retries, under its <see cref="RetryPolicy"/>, what is transient:
/// throttling (429, <c>TooManyRequestsException</c>, <c>ThrottlingException</c>...), 5xx, <c>ResourceConflictException</c>
/// and network failures. Headers and credentials are never logged. A write that is not
/// idempotent (a create, a publish) is never resent after a lost answer: it fails with
/// <see cref="AwsOutcomeUnknownException"/> so the caller checks, then writes. A conflict saying the resource already
/// exists is final, not transient.
/// </summary>
public class AwsServiceClient
{
    private static readonly HttpClient SharedHttp = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2), UseProxy = true })
    {
        Timeout = TimeSpan.FromMinutes(5),
    };

    public AwsServiceClient(AwsSession session, string signingName, string serviceId, string endpointPrefix, RetryPolicy? retry = null,
        HttpClient? http = null, IBuildLog? log = null)
    {
        Session = session;
        SigningName = signingName;
        Endpoint = session.Endpoint(serviceId, endpointPrefix);
        Retry = retry ?? DefaultRetry;
        _http = http ?? SharedHttp;
        _log = log ?? NullBuildLog.Instance;
    }

    private readonly HttpClient _http;
    private readonly IBuildLog _log;

    public AwsSession Session { get; }
    public string SigningName { get; }
    public Uri Endpoint { get; }
    public RetryPolicy Retry { get; }

    /// <summary>Eight attempts from 250 ms, capped at 20 s: rides out a throttling burst or a brief outage.</summary>
    public static RetryPolicy DefaultRetry { get; } = new()
    {
        MaxAttempts = 8, BaseDelay = TimeSpan.FromMilliseconds(250), MaxDelay = TimeSpan.FromSeconds(20), MaxRetryAfter = TimeSpan.FromSeconds(20),
    };

    /// <summary>Service name in IAM actions (lambda, ecr).</summary>
    protected virtual string ActionPrefix => SigningName;

    /// <summary>Sends an idempotent request; returns status and body, or throws <see cref="AwsServiceException"/> for an error answer.</summary>
    public Task<(HttpStatusCode Status, string Body)> SendAsync(string operation, HttpMethod method, string pathAndQuery,
        byte[]? body, string? contentType, IReadOnlyList<KeyValuePair<string, string>>? extraHeaders, CancellationToken cancellationToken) =>
        SendAsync(operation, method, pathAndQuery, body, contentType, extraHeaders, idempotent: true, cancellationToken);

    /// <summary>
    /// Sends a request. <paramref name="idempotent"/> false: a lost answer or a 5xx is not resent but thrown as
    /// <see cref="AwsOutcomeUnknownException"/> (throttling and in-progress conflicts, which did nothing, still are).
    /// </summary>
    public async Task<(HttpStatusCode Status, string Body)> SendAsync(string operation, HttpMethod method, string pathAndQuery,
        byte[]? body, string? contentType, IReadOnlyList<KeyValuePair<string, string>>? extraHeaders, bool idempotent, CancellationToken cancellationToken)
    {
        var uri = new Uri(Endpoint, pathAndQuery);
        return await Retry.ExecuteAsync((_, ct) => SendOnceAsync(operation, method, uri, body, contentType, extraHeaders, ct), Classify, cancellationToken, idempotent,
            exhausted: (e, attempts) => e is TransportException t
                ? new UvLambdaException(ErrorCodes.AwsRequestFailed,
                    $"{ActionPrefix}:{operation}: could not reach {Endpoint.GetLeftPart(UriPartial.Authority)} after {attempts} attempts: {t.InnerException!.Message}", inner: t.InnerException)
                : e,
            outcomeUnknown: e => e is AwsServiceException s
                ? new AwsOutcomeUnknownException(ActionPrefix, operation, $"{(int)s.Status} {s.ErrorCode}: {s.ServiceMessage}", s)
                : new AwsOutcomeUnknownException(ActionPrefix, operation, e.InnerException?.Message ?? e.Message, e.InnerException ?? e),
            onRetry: r => _log.Detail($"{ActionPrefix}:{operation}: {(r.Failure is AwsServiceException s ? s.ErrorCode : r.Failure?.InnerException?.Message)}; " +
                $"retrying in {r.Delay.TotalMilliseconds:0} ms (attempt {r.Attempt + 1} of {r.MaxAttempts})")).ConfigureAwait(false);
    }

    /// <summary>
    /// AWS's answers by what they mean for a retry: throttling and busy codes refused the request (safe to resend any
    /// write); a 5xx or a lost answer may have taken effect; "already exists" is final.
    /// </summary>
    private static RetryDecision Classify(Exception e) => e switch
    {
        TransportException => RetryDecision.Unknown(),
        AwsServiceException s when IsAlreadyExists(s.ErrorCode, s.ServiceMessage) => RetryDecision.Permanent,
        // A 5xx may come after the write took effect: only the caller can tell, by reading.
        AwsServiceException s when (int)s.Status >= 500 && Transient.IsTransientStatus((int)s.Status) => RetryDecision.Unknown(s.RetryAfter),
        AwsServiceException s when Transient.IsRefusalStatus((int)s.Status) || Transient.IsTransientErrorCode(s.ErrorCode) => RetryDecision.Refused(s.RetryAfter),
        _ => RetryDecision.Permanent,
    };

    /// <summary>The request did not get an answer (reset, refused, timed out); only these, not credential failures, count as lost.</summary>
    private sealed class TransportException(Exception inner) : Exception(inner.Message, inner);

    private async Task<(HttpStatusCode Status, string Body)> SendOnceAsync(string operation, HttpMethod method, Uri uri, byte[]? body, string? contentType,
        IReadOnlyList<KeyValuePair<string, string>>? extraHeaders, CancellationToken cancellationToken)
    {
        var credentials = await Session.Credentials.GetAsync(cancellationToken).ConfigureAwait(false);
        var headers = new List<KeyValuePair<string, string>>();
        if (contentType is not null) headers.Add(new("Content-Type", contentType));
        if (extraHeaders is not null) headers.AddRange(extraHeaders);
        SigV4Signer.Sign(method.Method, uri, headers, body ?? [], credentials, Session.Region, SigningName, DateTimeOffset.UtcNow);

        using var request = new HttpRequestMessage(method, uri);
        if (body is not null || method != HttpMethod.Get)
            request.Content = new ByteArrayContent(body ?? []);
        foreach (var (name, value) in headers)
        {
            if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                request.Content ??= new ByteArrayContent([]);
                request.Content.Headers.TryAddWithoutValidation(name, value);
            }
            else request.Headers.TryAddWithoutValidation(name, value);
        }
        request.Headers.TryAddWithoutValidation("User-Agent", "UvLambda/" + typeof(AwsServiceClient).Assembly.GetName().Version);

        HttpStatusCode status;
        string text;
        string? headerError;
        TimeSpan? retryAfter;
        try
        {
            using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            status = response.StatusCode;
            text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            headerError = response.Headers.TryGetValues("x-amzn-ErrorType", out var v) ? v.FirstOrDefault() : null;
            retryAfter = Retry.RetryAfter(response.Headers);
        }
        catch (Exception e) when (Transient.IsTransientException(e, cancellationToken))
        {
            throw new TransportException(e);
        }

        if ((int)status < 300) return (status, text);
        var (code, message) = ParseError(status, headerError, text);
        throw new AwsServiceException(ActionPrefix, operation, status, code, message) { RetryAfter = retryAfter };
    }

    /// <summary>A conflict that retrying cannot resolve: the thing being created is already there.</summary>
    public static bool IsAlreadyExists(string code, string message) =>
        code.EndsWith("AlreadyExistsException", StringComparison.Ordinal)
        || (code is "ResourceConflictException" or "ConflictException"
            && (message.Contains("already exist", StringComparison.OrdinalIgnoreCase) || message.Contains(" exists for ", StringComparison.OrdinalIgnoreCase)));

    /// <summary>Error code and message from x-amzn-ErrorType, or a JSON body's __type/code/Type and message/Message, or XML Code/Message.</summary>
    public static (string Code, string Message) ParseError(HttpStatusCode status, string? headerError, string body)
    {
        string? code = headerError?.Split(':')[0];
        string? message = null;
        var trimmed = body.TrimStart();
        if (trimmed.StartsWith('{'))
        {
            try
            {
                if (JsonNode.Parse(body) is JsonObject o)
                {
                    code ??= (o["__type"] ?? o["code"] ?? o["Code"])?.GetValue<string>();
                    message = (o["message"] ?? o["Message"] ?? o["errorMessage"])?.GetValue<string>();
                }
            }
            catch (JsonException) { }
        }
        else if (trimmed.StartsWith('<'))
        {
            code ??= XmlElement(body, "Code");
            message = XmlElement(body, "Message");
        }
        if (code is not null && code.Contains('#')) code = code[(code.LastIndexOf('#') + 1)..];
        code = string.IsNullOrEmpty(code) ? ((int)status == 429 ? "TooManyRequestsException" : $"Http{(int)status}") : code;
        return (code, message ?? (body.Length > 500 ? body[..500] : body));
    }

    private static string? XmlElement(string xml, string name)
    {
        var start = xml.IndexOf($"<{name}>", StringComparison.Ordinal);
        if (start < 0) return null;
        start += name.Length + 2;
        var end = xml.IndexOf($"</{name}>", start, StringComparison.Ordinal);
        return end < 0 ? null : WebUtility.HtmlDecode(xml[start..end]);
    }

    protected static byte[] Json(JsonNode node) => Encoding.UTF8.GetBytes(node.ToJsonString());
}
