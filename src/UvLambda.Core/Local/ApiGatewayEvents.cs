using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace UvLambda.Core.Local;

/// <summary>An HTTP request as received: headers in order, with their original spelling.</summary>
public sealed record LocalHttpRequest(string Method, string Target, string Protocol, IReadOnlyList<KeyValuePair<string, string>> Headers, byte[] Body, string SourceIp)
{
    public string Path => Target.Split('?', 2)[0];
    public string RawQuery => Target.Split('?', 2) is { Length: 2 } parts ? parts[1] : "";
    public string? Header(string name) => Headers.Where(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).LastOrDefault();
}

public sealed record LocalHttpResponse(int StatusCode, IReadOnlyList<KeyValuePair<string, string>> Headers, byte[] Body);

/// <summary>What API Gateway adds that the request does not carry: ids, stage, clock.</summary>
public sealed record ApiGatewayContext(string RequestId, DateTimeOffset Time, string AccountId = "123456789012", string ApiId = "local", string Stage = "$default");

/// <summary>
/// API Gateway's Lambda proxy integration, both ways, as documented: an HTTP request becomes an HTTP API event
/// (payload format 2.0) or a REST API event (1.0); the handler's result becomes the HTTP response.
/// </summary>
public static class ApiGatewayEvents
{
    public static JsonObject ToEvent(string format, LocalHttpRequest request, ApiGatewayContext context) =>
        format == "1.0" ? ToRestEvent(request, context) : ToHttpApiEvent(request, context);

    /// <summary>Payload format 2.0: lower-case headers, duplicates joined by commas, cookies in their own field.</summary>
    public static JsonObject ToHttpApiEvent(LocalHttpRequest request, ApiGatewayContext context)
    {
        var headers = new JsonObject();
        var cookies = new List<string>();
        foreach (var (name, value) in request.Headers)
        {
            var key = name.ToLowerInvariant();
            if (key == "cookie")
            {
                cookies.AddRange(value.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                continue;
            }
            headers[key] = headers[key] is { } existing ? existing.GetValue<string>() + "," + value : value;
        }
        var query = ParseQuery(request.RawQuery);
        var (body, isBase64) = EncodeBody(request.Body, request.Header("Content-Type"));
        var evt = new JsonObject
        {
            ["version"] = "2.0",
            ["routeKey"] = "$default",
            ["rawPath"] = request.Path,
            ["rawQueryString"] = request.RawQuery,
        };
        if (cookies.Count > 0) evt["cookies"] = new JsonArray(cookies.Select(c => (JsonNode?)c).ToArray());
        evt["headers"] = headers;
        if (query.Count > 0)
            evt["queryStringParameters"] = Object(query.GroupBy(q => q.Key).Select(g => (g.Key, (JsonNode?)string.Join(',', g.Select(q => q.Value)))));
        evt["requestContext"] = new JsonObject
        {
            ["accountId"] = context.AccountId,
            ["apiId"] = context.ApiId,
            ["domainName"] = request.Header("Host") ?? "localhost",
            ["domainPrefix"] = DomainPrefix(request.Header("Host")),
            ["http"] = new JsonObject
            {
                ["method"] = request.Method,
                ["path"] = request.Path,
                ["protocol"] = request.Protocol,
                ["sourceIp"] = request.SourceIp,
                ["userAgent"] = request.Header("User-Agent") ?? "",
            },
            ["requestId"] = context.RequestId,
            ["routeKey"] = "$default",
            ["stage"] = context.Stage,
            ["time"] = RequestTime(context.Time),
            ["timeEpoch"] = context.Time.ToUnixTimeMilliseconds(),
        };
        if (body is not null) evt["body"] = body;
        evt["isBase64Encoded"] = isBase64;
        return evt;
    }

    /// <summary>The REST API proxy event (1.0): headers and query with last values, and multi-value forms.</summary>
    public static JsonObject ToRestEvent(LocalHttpRequest request, ApiGatewayContext context)
    {
        var headers = new JsonObject();
        var multiHeaders = new JsonObject();
        foreach (var (name, value) in request.Headers)
        {
            var existing = multiHeaders.FirstOrDefault(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase));
            if (existing.Value is JsonArray values)
            {
                values.Add(value);
                headers[existing.Key] = value;
            }
            else
            {
                multiHeaders[name] = new JsonArray(value);
                headers[name] = value;
            }
        }
        var query = ParseQuery(request.RawQuery);
        var (body, isBase64) = EncodeBody(request.Body, request.Header("Content-Type"));
        var stage = context.Stage == "$default" ? "local" : context.Stage;
        var proxy = request.Path.TrimStart('/');
        var resource = proxy.Length == 0 ? "/" : "/{proxy+}";
        var userAgent = request.Header("User-Agent");
        return new JsonObject
        {
            ["resource"] = resource,
            ["path"] = request.Path,
            ["httpMethod"] = request.Method,
            ["headers"] = headers.Count == 0 ? null : headers,
            ["multiValueHeaders"] = multiHeaders.Count == 0 ? null : multiHeaders,
            ["queryStringParameters"] = query.Count == 0 ? null : Object(query.GroupBy(q => q.Key).Select(g => (g.Key, (JsonNode?)g.Last().Value))),
            ["multiValueQueryStringParameters"] = query.Count == 0 ? null
                : Object(query.GroupBy(q => q.Key).Select(g => (g.Key, (JsonNode?)new JsonArray(g.Select(q => (JsonNode?)q.Value).ToArray())))),
            ["pathParameters"] = proxy.Length == 0 ? null : new JsonObject { ["proxy"] = proxy },
            ["stageVariables"] = null,
            ["requestContext"] = new JsonObject
            {
                ["accountId"] = context.AccountId,
                ["apiId"] = context.ApiId,
                ["domainName"] = request.Header("Host") ?? "localhost",
                ["domainPrefix"] = DomainPrefix(request.Header("Host")),
                ["extendedRequestId"] = context.RequestId,
                ["httpMethod"] = request.Method,
                ["identity"] = new JsonObject
                {
                    ["accessKey"] = null,
                    ["accountId"] = null,
                    ["caller"] = null,
                    ["cognitoAuthenticationProvider"] = null,
                    ["cognitoAuthenticationType"] = null,
                    ["cognitoIdentityId"] = null,
                    ["cognitoIdentityPoolId"] = null,
                    ["principalOrgId"] = null,
                    ["sourceIp"] = request.SourceIp,
                    ["user"] = null,
                    ["userAgent"] = userAgent,
                    ["userArn"] = null,
                },
                ["path"] = $"/{stage}{request.Path}",
                ["protocol"] = request.Protocol,
                ["requestId"] = context.RequestId,
                ["requestTime"] = RequestTime(context.Time),
                ["requestTimeEpoch"] = context.Time.ToUnixTimeMilliseconds(),
                ["resourceId"] = "local",
                ["resourcePath"] = resource,
                ["stage"] = stage,
            },
            ["body"] = body,
            ["isBase64Encoded"] = isBase64,
        };
    }

    /// <summary>
    /// The handler's result as API Gateway turns it into a response. 2.0: a result without <c>statusCode</c> is a
    /// 200 JSON body; <c>cookies</c> become Set-Cookie headers. 1.0: <c>statusCode</c> is required (else 502), and
    /// <c>multiValueHeaders</c> add to <c>headers</c>. Both: a base64 body is decoded when <c>isBase64Encoded</c>.
    /// </summary>
    public static LocalHttpResponse ToResponse(string format, string resultJson)
    {
        JsonNode? result;
        try
        {
            result = JsonNode.Parse(resultJson);
        }
        catch (JsonException)
        {
            return BadGateway(format);
        }
        if (result is not JsonObject obj || !obj.ContainsKey("statusCode"))
        {
            if (format == "1.0") return BadGateway(format);
            return new LocalHttpResponse(200, [new("Content-Type", "application/json")], Encoding.UTF8.GetBytes(resultJson));
        }

        if (!TryStatus(obj["statusCode"], out var status)) return BadGateway(format);
        var headers = new List<KeyValuePair<string, string>>();
        if (obj["headers"] is JsonObject hs)
            foreach (var (name, value) in hs)
                if (value is not null) headers.Add(new(name, Scalar(value)));
        if (format == "1.0" && obj["multiValueHeaders"] is JsonObject mhs)
            foreach (var (name, values) in mhs)
                if (values is JsonArray array)
                {
                    // A name in both: multiValueHeaders wins, as API Gateway merges them.
                    headers.RemoveAll(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase));
                    headers.AddRange(array.Where(v => v is not null).Select(v => new KeyValuePair<string, string>(name, Scalar(v!))));
                }
        if (format != "1.0" && obj["cookies"] is JsonArray cookies)
            foreach (var cookie in cookies)
                if (cookie is not null) headers.Add(new("Set-Cookie", Scalar(cookie)));

        var bodyText = obj["body"] is { } b ? (b.GetValueKind() == JsonValueKind.String ? b.GetValue<string>() : b.ToJsonString()) : "";
        byte[] body;
        if (obj["isBase64Encoded"] is { } flag && flag.GetValueKind() == JsonValueKind.True)
        {
            try
            {
                body = Convert.FromBase64String(bodyText);
            }
            catch (FormatException)
            {
                return BadGateway(format);
            }
        }
        else
        {
            body = Encoding.UTF8.GetBytes(bodyText);
        }
        if (format != "1.0" && !headers.Any(h => h.Key.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)) && body.Length > 0)
            headers.Add(new("Content-Type", "application/json"));
        return new LocalHttpResponse(status, headers, body);
    }

    /// <summary>What API Gateway answers when the function failed (raised, timed out, crashed).</summary>
    public static LocalHttpResponse FunctionError(string format) => format == "1.0"
        ? new LocalHttpResponse(502, [new("Content-Type", "application/json")], """{"message": "Internal server error"}"""u8.ToArray())
        : new LocalHttpResponse(500, [new("Content-Type", "application/json")], """{"message":"Internal Server Error"}"""u8.ToArray());

    private static LocalHttpResponse BadGateway(string format) => FunctionError(format);

    private static bool TryStatus(JsonNode? node, out int status)
    {
        status = 0;
        if (node is null) return false;
        var text = node.GetValueKind() == JsonValueKind.String ? node.GetValue<string>() : node.ToJsonString();
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out status) && status is >= 100 and <= 599;
    }

    private static string Scalar(JsonNode value) => value.GetValueKind() switch
    {
        JsonValueKind.String => value.GetValue<string>(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => value.ToJsonString(),
    };

    private static JsonObject Object(IEnumerable<(string Key, JsonNode? Value)> pairs)
    {
        var o = new JsonObject();
        foreach (var (k, v) in pairs) o[k] = v;
        return o;
    }

    /// <summary>Query pairs in order, names and values percent-decoded; a name without '=' has an empty value.</summary>
    public static List<KeyValuePair<string, string>> ParseQuery(string raw)
    {
        var result = new List<KeyValuePair<string, string>>();
        foreach (var part in raw.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=');
            var name = eq < 0 ? part : part[..eq];
            var value = eq < 0 ? "" : part[(eq + 1)..];
            result.Add(new(Unescape(name), Unescape(value)));
        }
        return result;
    }

    private static string Unescape(string s)
    {
        try { return Uri.UnescapeDataString(s); } catch (UriFormatException) { return s; }
    }

    // Text bodies travel as text; anything else (images, octet streams, invalid UTF-8) as base64.
    private static (string? Body, bool IsBase64) EncodeBody(byte[] body, string? contentType)
    {
        if (body.Length == 0) return (null, false);
        var type = (contentType ?? "").Split(';')[0].Trim().ToLowerInvariant();
        var textual = type.Length == 0 || type.StartsWith("text/", StringComparison.Ordinal) || type.EndsWith("json", StringComparison.Ordinal)
            || type.EndsWith("xml", StringComparison.Ordinal) || type is "application/x-www-form-urlencoded" or "application/javascript" or "application/graphql";
        if (textual)
        {
            try
            {
                return (new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(body), false);
            }
            catch (DecoderFallbackException) { }
        }
        return (Convert.ToBase64String(body), true);
    }

    private static string DomainPrefix(string? host)
    {
        var h = (host ?? "localhost").Split(':')[0];
        return h.Split('.')[0];
    }

    // 12/Mar/2020:19:03:58 +0000
    private static string RequestTime(DateTimeOffset time) =>
        time.ToUniversalTime().ToString("dd/MMM/yyyy:HH:mm:ss", CultureInfo.InvariantCulture) + " +0000";
}
