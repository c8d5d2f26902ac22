using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace UvLambda.Core.Aws;

/// <summary>
/// AWS Signature Version 4 (header signing), as botocore's SigV4Auth / S3SigV4Auth compute it: canonical URI
/// normalized and encoded a second time except for S3, query pairs re-encoded per RFC 3986 and sorted, header
/// values trimmed with inner runs of spaces collapsed, repeated headers joined with commas.
/// </summary>
public static class SigV4Signer
{
    public const string Algorithm = "AWS4-HMAC-SHA256";
    public const string EmptyBodySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    public const string UnsignedPayload = "UNSIGNED-PAYLOAD";

    /// <summary>Headers never signed (hop-by-hop, or changed by proxies): botocore's list.</summary>
    private static readonly HashSet<string> Unsigned = new(StringComparer.OrdinalIgnoreCase)
    {
        "connection", "expect", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
        "transfer-encoding", "upgrade", "user-agent", "x-amzn-trace-id", "authorization",
    };

    /// <summary>
    /// Signs a request: adds <c>X-Amz-Date</c>, <c>X-Amz-Security-Token</c> (session credentials),
    /// <c>X-Amz-Content-SHA256</c> (S3, or when <paramref name="addContentSha256"/>) and <c>Authorization</c> to
    /// <paramref name="headers"/>. Every header present (less the unsigned ones) is signed, plus <c>host</c>.
    /// </summary>
    public static SigV4Signature Sign(string method, Uri uri, List<KeyValuePair<string, string>> headers, ReadOnlySpan<byte> body,
        AwsCredentials credentials, string region, string service, DateTimeOffset now, bool addContentSha256 = false)
    {
        var isS3 = service == "s3";
        headers.RemoveAll(h => h.Key.Equals("Authorization", StringComparison.OrdinalIgnoreCase)
            || h.Key.Equals("X-Amz-Date", StringComparison.OrdinalIgnoreCase)
            || (credentials.SessionToken is not null && h.Key.Equals("X-Amz-Security-Token", StringComparison.OrdinalIgnoreCase)));
        var timestamp = now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        headers.Add(new("X-Amz-Date", timestamp));
        if (credentials.SessionToken is { Length: > 0 } token) headers.Add(new("X-Amz-Security-Token", token));

        string payloadHash;
        var declared = headers.FirstOrDefault(h => h.Key.Equals("X-Amz-Content-SHA256", StringComparison.OrdinalIgnoreCase));
        if (declared.Key is not null) payloadHash = declared.Value;
        else
        {
            payloadHash = body.Length == 0 ? EmptyBodySha256 : Hex(SHA256.HashData(body));
            if (isS3 || addContentSha256) headers.Add(new("X-Amz-Content-SHA256", payloadHash));
        }

        var canonicalHeaders = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        if (!headers.Any(h => h.Key.Equals("host", StringComparison.OrdinalIgnoreCase)))
            canonicalHeaders["host"] = [HostHeader(uri)];
        foreach (var (name, value) in headers)
        {
            var key = name.Trim().ToLowerInvariant();
            if (Unsigned.Contains(key)) continue;
            if (!canonicalHeaders.TryGetValue(key, out var values)) canonicalHeaders[key] = values = [];
            values.Add(string.Join(' ', value.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)));
        }
        var signedHeaders = string.Join(';', canonicalHeaders.Keys);

        var canonicalRequest = new StringBuilder()
            .Append(method.ToUpperInvariant()).Append('\n')
            .Append(CanonicalUri(uri.AbsolutePath == "" ? "/" : uri.AbsolutePath, isS3)).Append('\n')
            .Append(CanonicalQuery(uri.Query)).Append('\n');
        foreach (var (key, values) in canonicalHeaders) canonicalRequest.Append(key).Append(':').Append(string.Join(',', values)).Append('\n');
        canonicalRequest.Append('\n').Append(signedHeaders).Append('\n').Append(payloadHash);
        var canonical = canonicalRequest.ToString();

        var date = timestamp[..8];
        var scope = $"{date}/{region}/{service}/aws4_request";
        var stringToSign = $"{Algorithm}\n{timestamp}\n{scope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))}";
        var key1 = HMACSHA256.HashData(Encoding.UTF8.GetBytes("AWS4" + credentials.SecretAccessKey), Encoding.UTF8.GetBytes(date));
        var key2 = HMACSHA256.HashData(key1, Encoding.UTF8.GetBytes(region));
        var key3 = HMACSHA256.HashData(key2, Encoding.UTF8.GetBytes(service));
        var signingKey = HMACSHA256.HashData(key3, "aws4_request"u8);
        var signature = Hex(HMACSHA256.HashData(signingKey, Encoding.UTF8.GetBytes(stringToSign)));
        var authorization = $"{Algorithm} Credential={credentials.AccessKeyId}/{scope}, SignedHeaders={signedHeaders}, Signature={signature}";
        headers.Add(new("Authorization", authorization));
        return new SigV4Signature(canonical, stringToSign, authorization);
    }

    /// <summary>The Host header as HTTP clients send it: no port when it is the scheme's default.</summary>
    public static string HostHeader(Uri uri) => uri.IsDefaultPort ? uri.IdnHost : $"{uri.IdnHost}:{uri.Port}";

    /// <summary>
    /// The canonical URI from the path as sent (already percent-encoded once). S3 signs it as is; other services
    /// remove dot segments and empty segments, then encode it again.
    /// </summary>
    public static string CanonicalUri(string encodedPath, bool isS3)
    {
        if (isS3) return encodedPath.Length == 0 ? "/" : encodedPath;
        if (encodedPath.Length == 0) return "/";
        var output = new List<string>();
        foreach (var segment in encodedPath.Split('/'))
        {
            if (segment.Length == 0 || segment == ".") continue;
            if (segment == "..") { if (output.Count > 0) output.RemoveAt(output.Count - 1); }
            else output.Add(segment);
        }
        var normalized = (encodedPath[0] == '/' ? "/" : "") + string.Join('/', output) + (encodedPath[^1] == '/' && output.Count > 0 ? "/" : "");
        return UriEncode(normalized, encodeSlash: false);
    }

    /// <summary>Query pairs decoded, re-encoded per RFC 3986, sorted by key then value.</summary>
    public static string CanonicalQuery(string query)
    {
        if (query.StartsWith('?')) query = query[1..];
        if (query.Length == 0) return "";
        var pairs = new List<(string Key, string Value)>();
        foreach (var pair in query.Split('&'))
        {
            var eq = pair.IndexOf('=');
            var key = eq < 0 ? pair : pair[..eq];
            var value = eq < 0 ? "" : pair[(eq + 1)..];
            pairs.Add((UriEncode(Uri.UnescapeDataString(key)), UriEncode(Uri.UnescapeDataString(value))));
        }
        pairs.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key) is var c && c != 0 ? c : string.CompareOrdinal(a.Value, b.Value));
        return string.Join('&', pairs.Select(p => p.Key + "=" + p.Value));
    }

    /// <summary>RFC 3986 percent-encoding of UTF-8 bytes: unreserved characters (and '/' unless asked) stay.</summary>
    public static string UriEncode(string value, bool encodeSlash = true)
    {
        var sb = new StringBuilder(value.Length);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            var c = (char)b;
            if (c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_' or '.' or '~' || (c == '/' && !encodeSlash))
                sb.Append(c);
            else
                sb.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }

    public static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes).ToLowerInvariant();
}

/// <summary>What was signed: for tests and debugging (none of it is secret: the signature proves nothing on its own).</summary>
public sealed record SigV4Signature(string CanonicalRequest, string StringToSign, string Authorization);

/// <summary>Access key, secret and session token. Never logged: <see cref="ToString"/> shows the key id only.</summary>
public sealed record AwsCredentials(string AccessKeyId, string SecretAccessKey, string? SessionToken = null)
{
    public override string ToString() => $"AwsCredentials {{ AccessKeyId = {AccessKeyId} }}";
}
