using System.Net;
using System.Text;

namespace UvLambda.Core.Install.Fetching;

/// <summary>An index with its credentials taken out of the URL, so the URL can be logged.</summary>
/// <param name="LockedUrl">The URL pyproject.toml gives when <c>UV_INDEX</c> points the same name elsewhere; uv.lock records that one.</param>
internal sealed record ConfiguredIndex(string? Name, Uri Url, bool IsDefault, NetworkCredential? Credential, Uri? LockedUrl);

/// <summary>
/// The indexes in effect, merged the way uv does it (environment over pyproject.toml), and which one serves a
/// locked package.
/// </summary>
internal sealed class IndexConfiguration
{
    private readonly List<ConfiguredIndex> _indexes;

    private IndexConfiguration(List<ConfiguredIndex> indexes) => _indexes = indexes;

    public IReadOnlyList<ConfiguredIndex> Indexes => _indexes;

    public static IndexConfiguration Create(IReadOnlyList<PackageIndex> projectIndexes, IReadOnlyDictionary<string, string?> environment)
    {
        var entries = projectIndexes.Select(i => (i.Name, Url: i.Url, i.IsDefault, Locked: (string?)null)).ToList();

        // UV_INDEX: space-separated "[name=]url"; a name replaces the project's index of that name. UV_EXTRA_INDEX_URL
        // (deprecated in uv, still in many CI files): space-separated URLs, unnamed extra indexes like UV_INDEX's.
        var extra = (Get(environment, "UV_EXTRA_INDEX_URL")?.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [])
            .Where(u => u.Contains("://", StringComparison.Ordinal));
        foreach (var item in (Get(environment, "UV_INDEX")?.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? []).Concat(extra))
        {
            var eq = item.IndexOf('=');
            var name = eq > 0 && !item[..eq].Contains(':') ? item[..eq] : null;
            var url = name is null ? item : item[(eq + 1)..];
            var existing = name is null ? -1 : entries.FindIndex(e => string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase));
            if (existing >= 0)
                entries[existing] = entries[existing] with { Url = url, Locked = entries[existing].Locked ?? entries[existing].Url };
            else
                entries.Insert(0, (name, url, false, null));
        }

        // UV_DEFAULT_INDEX (and its older name UV_INDEX_URL) replaces whatever default the project declares.
        if ((Get(environment, "UV_DEFAULT_INDEX") ?? Get(environment, "UV_INDEX_URL")) is { } defaultUrl)
        {
            entries = entries.Select(e => e with { IsDefault = false }).ToList();
            entries.Insert(0, (null, defaultUrl, true, null));
        }

        var indexes = new List<ConfiguredIndex>();
        var netrc = Netrc.Load(environment);
        foreach (var (name, url, isDefault, locked) in entries)
        {
            if (!Uri.TryCreate(AsDirectory(url), UriKind.Absolute, out var uri))
                continue;
            indexes.Add(new ConfiguredIndex(name, WithoutUserInfo(uri), isDefault, CredentialFor(name, uri, environment, netrc),
                locked is not null && Uri.TryCreate(AsDirectory(locked), UriKind.Absolute, out var lockedUri) ? WithoutUserInfo(lockedUri) : null));
        }
        return new IndexConfiguration(indexes);
    }

    /// <summary>
    /// The index to look the file up on instead of using uv.lock's URL, or null to use that URL. A locked registry
    /// that a named index now points elsewhere goes there; any other remote registry goes to a configured default
    /// index that differs from it (a mirror or a private proxy of PyPI).
    /// </summary>
    public ConfiguredIndex? OverrideFor(string? registryUrl)
    {
        if (registryUrl is null || !Uri.TryCreate(AsDirectory(registryUrl), UriKind.Absolute, out var registry)
            || (registry.Scheme != Uri.UriSchemeHttp && registry.Scheme != Uri.UriSchemeHttps))
            return null;
        registry = WithoutUserInfo(registry);
        var named = _indexes.FirstOrDefault(i => i.Name is not null && (SameIndex(i.Url, registry) || (i.LockedUrl is { } l && SameIndex(l, registry))));
        if (named is not null)
            return SameIndex(named.Url, registry) ? null : named;
        var defaultIndex = _indexes.FirstOrDefault(i => i.IsDefault);
        return defaultIndex is not null && !SameIndex(defaultIndex.Url, registry) ? defaultIndex : null;
    }

    /// <summary>
    /// Credentials for a request: those of the index on the same scheme, host and port whose path is the longest
    /// prefix of the URL's, else of any index on that host. Never those of another host.
    /// </summary>
    public NetworkCredential? CredentialFor(Uri url)
    {
        ConfiguredIndex? best = null;
        foreach (var index in _indexes)
        {
            if (index.Credential is null || Uri.Compare(index.Url, url, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) != 0)
                continue;
            var prefix = url.AbsolutePath.StartsWith(index.Url.AbsolutePath, StringComparison.Ordinal);
            var bestPrefix = best is not null && url.AbsolutePath.StartsWith(best.Url.AbsolutePath, StringComparison.Ordinal);
            if (best is null || (prefix && (!bestPrefix || index.Url.AbsolutePath.Length > best.Url.AbsolutePath.Length)))
                best = index;
        }
        return best?.Credential;
    }

    /// <summary>The URL as it may appear in logs and errors: without <c>user:password@</c>.</summary>
    public static string Redact(Uri url) => url.UserInfo.Length == 0 ? url.AbsoluteUri : WithoutUserInfo(url).AbsoluteUri;

    public static string Redact(string url) => Uri.TryCreate(url, UriKind.Absolute, out var uri) ? Redact(uri) : url;

    public static Uri WithoutUserInfo(Uri url) =>
        url.UserInfo.Length == 0 ? url : new UriBuilder(url) { UserName = "", Password = "" }.Uri;

    /// <summary><c>UV_INDEX_&lt;NAME&gt;_…</c>: the name uppercased, anything but ASCII letters and digits turned into <c>_</c>.</summary>
    public static string EnvironmentName(string indexName)
    {
        var sb = new StringBuilder(indexName.Length);
        foreach (var c in indexName)
            sb.Append(char.IsAsciiLetterOrDigit(c) ? char.ToUpperInvariant(c) : '_');
        return sb.ToString();
    }

    private static NetworkCredential? CredentialFor(string? name, Uri url, IReadOnlyDictionary<string, string?> environment, Netrc? netrc)
    {
        string? user = null, password = null;
        if (url.UserInfo.Length > 0)
        {
            var colon = url.UserInfo.IndexOf(':');
            user = Uri.UnescapeDataString(colon < 0 ? url.UserInfo : url.UserInfo[..colon]);
            password = colon < 0 ? null : Uri.UnescapeDataString(url.UserInfo[(colon + 1)..]);
        }
        if (name is not null)
        {
            var prefix = "UV_INDEX_" + EnvironmentName(name);
            user = Get(environment, prefix + "_USERNAME") ?? user;
            password = Get(environment, prefix + "_PASSWORD") ?? password;
        }
        // As uv: what the URL and the environment lack comes from netrc's entry for the host (for a given user name,
        // only when netrc's login is that user).
        if (password is null && netrc?.For(url.Host) is { } entry && (user is null || user == entry.UserName))
        {
            user ??= entry.UserName;
            password = entry.Password;
        }
        // A password alone is a token; uv sends it with an empty user name too.
        return user is null && password is null ? null : new NetworkCredential(user ?? "", password ?? "");
    }

    private static bool SameIndex(Uri a, Uri b) =>
        Uri.Compare(a, b, UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0;

    // Relative links on a page resolve against the folder, and "https://x/simple" and ".../simple/" are the same index.
    private static string AsDirectory(string url) => url.EndsWith('/') ? url : url + "/";

    internal static string? Get(IReadOnlyDictionary<string, string?> environment, string name) =>
        environment.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;
}
