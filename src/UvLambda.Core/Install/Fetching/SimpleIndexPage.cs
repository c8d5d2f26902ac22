using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace UvLambda.Core.Install.Fetching;

/// <summary>One file a simple-API project page (or a find-links page) lists.</summary>
public sealed record IndexFileLink(string FileName, Uri Url, string? Sha256);

/// <summary>
/// A project page of the simple repository API: PEP 691 JSON, or the PEP 503 HTML that older indexes and flat
/// find-links pages serve. Links are absolute, without the <c>#sha256=</c> fragment (its hash is kept apart).
/// </summary>
public static partial class SimpleIndexPage
{
    /// <summary>Prefer JSON, accept HTML: what uv and pip send.</summary>
    public const string AcceptHeader = "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01";

    public static bool IsJson(string? mediaType) =>
        mediaType is not null && (mediaType.Equals("application/vnd.pypi.simple.v1+json", StringComparison.OrdinalIgnoreCase)
            || mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase));

    /// <summary>Throws <see cref="FormatException"/> on a page that is not what its content type says.</summary>
    public static IReadOnlyList<IndexFileLink> Parse(string content, string? mediaType, Uri pageUrl) =>
        IsJson(mediaType) ? ParseJson(content, pageUrl) : ParseHtml(content, pageUrl);

    public static IReadOnlyList<IndexFileLink> ParseJson(string content, Uri pageUrl)
    {
        try
        {
            using var document = JsonDocument.Parse(content);
            if (!document.RootElement.TryGetProperty("files", out var files) || files.ValueKind != JsonValueKind.Array)
                throw new FormatException("the JSON page has no \"files\" array");
            var links = new List<IndexFileLink>();
            foreach (var file in files.EnumerateArray())
            {
                if (!file.TryGetProperty("filename", out var name) || name.ValueKind != JsonValueKind.String
                    || !file.TryGetProperty("url", out var url) || url.ValueKind != JsonValueKind.String)
                    continue;
                string? sha256 = null;
                if (file.TryGetProperty("hashes", out var hashes) && hashes.ValueKind == JsonValueKind.Object
                    && hashes.TryGetProperty("sha256", out var h) && h.ValueKind == JsonValueKind.String)
                    sha256 = h.GetString();
                if (Link(pageUrl, url.GetString()!, name.GetString()) is { } link)
                    links.Add(sha256 is null ? link : link with { Sha256 = sha256 });
            }
            return links;
        }
        catch (JsonException e)
        {
            throw new FormatException("the JSON page is not valid JSON: " + e.Message, e);
        }
    }

    public static IReadOnlyList<IndexFileLink> ParseHtml(string content, Uri pageUrl)
    {
        // PEP 503 pages are machine-written and simple; a tolerant regex over anchors is what pip's parser amounts to.
        var baseUrl = pageUrl;
        if (BaseHref().Match(content) is { Success: true } b && Uri.TryCreate(pageUrl, WebUtility.HtmlDecode(Attribute(b)), out var declared))
            baseUrl = declared;
        var links = new List<IndexFileLink>();
        foreach (Match anchor in Anchor().Matches(content))
        {
            var href = WebUtility.HtmlDecode(Attribute(anchor));
            var text = WebUtility.HtmlDecode(TagPattern().Replace(anchor.Groups["text"].Value, "")).Trim();
            if (Link(baseUrl, href, text.Length > 0 ? text : null) is { } link)
                links.Add(link);
        }
        return links;
    }

    /// <summary>The first link for <paramref name="fileName"/>, matched on the listed name or the URL's last segment.</summary>
    public static IndexFileLink? Find(IReadOnlyList<IndexFileLink> links, string fileName) =>
        links.FirstOrDefault(l => string.Equals(l.FileName, fileName, StringComparison.Ordinal))
        ?? links.FirstOrDefault(l => string.Equals(LastSegment(l.Url), fileName, StringComparison.Ordinal));

    private static IndexFileLink? Link(Uri baseUrl, string href, string? listedName)
    {
        if (!Uri.TryCreate(baseUrl, href, out var absolute))
            return null;
        string? sha256 = null;
        var fragment = absolute.Fragment.TrimStart('#');
        if (fragment.StartsWith("sha256=", StringComparison.OrdinalIgnoreCase))
            sha256 = fragment[7..];
        var withoutFragment = new UriBuilder(absolute) { Fragment = "" }.Uri;
        var fileName = listedName ?? LastSegment(withoutFragment);
        return fileName.Length == 0 ? null : new IndexFileLink(fileName, withoutFragment, sha256);
    }

    private static string LastSegment(Uri url) => Uri.UnescapeDataString(url.AbsolutePath.TrimEnd('/').Split('/')[^1]);

    private static string Attribute(Match m) =>
        m.Groups["dq"].Success ? m.Groups["dq"].Value : m.Groups["sq"].Success ? m.Groups["sq"].Value : m.Groups["bare"].Value;

    private const string HrefValue = """href\s*=\s*(?:"(?<dq>[^"]*)"|'(?<sq>[^']*)'|(?<bare>[^\s"'>]+))""";

    [GeneratedRegex(@"<a\b[^>]*?\b" + HrefValue + @"[^>]*>(?<text>.*?)</a\s*>", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex Anchor();

    [GeneratedRegex(@"<base\b[^>]*?\b" + HrefValue, RegexOptions.IgnoreCase)]
    private static partial Regex BaseHref();

    [GeneratedRegex("<[^>]*>")]
    private static partial Regex TagPattern();
}
