using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using UvLambda.Core.Diagnostics;
using UvLambda.Core.Resilience;

namespace UvLambda.Core.Containers;

/// <summary>
/// The auth handshake with one registry, as WWW-Authenticate asks: Basic with the found credentials, or a Bearer token
/// per scope set from the challenge's realm (anonymous when there are no credentials, as public.ecr.aws wants; an
/// identity token's refresh grant otherwise). Tokens are kept per scope set; nothing here is ever logged.
/// </summary>
internal sealed class RegistryAuthenticator(string registry, HttpClient http, IRegistryCredentialProvider credentials, RetryPolicy retry,
    IReadOnlyCollection<string> insecureRegistries) : IDisposable
{
    private readonly Dictionary<string, AuthenticationHeaderValue> _tokens = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _authLock = new(1, 1);
    private AuthenticationHeaderValue? _basic;
    private bool _credentialLoaded;
    private RegistryCredential? _credential;

    /// <summary>Puts the token for <paramref name="scopeKey"/>, or the Basic credentials, on a request.</summary>
    public void Authorize(HttpRequestMessage request, string scopeKey)
    {
        lock (_tokens)
        {
            if (_tokens.TryGetValue(scopeKey, out var bearer)) request.Headers.Authorization = bearer;
            else if (_basic is not null) request.Headers.Authorization = _basic;
        }
    }

    private async Task<RegistryCredential?> CredentialAsync(CancellationToken ct)
    {
        if (!_credentialLoaded)
        {
            _credential = await credentials.GetCredentialAsync(registry, ct).ConfigureAwait(false);
            _credentialLoaded = true;
        }
        return _credential;
    }

    public async Task AuthenticateAsync(List<AuthenticationHeaderValue> challenges, string[] scopes, string scopeKey, CancellationToken ct)
    {
        await _authLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var bearer = challenges.FirstOrDefault(c => c.Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase));
            var credential = await CredentialAsync(ct).ConfigureAwait(false);
            if (bearer is not null)
            {
                var token = await FetchTokenAsync(ParseChallenge(bearer.Parameter ?? ""), scopes, credential, ct).ConfigureAwait(false);
                lock (_tokens) _tokens[scopeKey] = new AuthenticationHeaderValue("Bearer", token);
                return;
            }
            if (challenges.Any(c => c.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase)))
            {
                if (credential is null || credential.IsIdentityToken)
                    throw Unauthorized("it asks for a user name and password and none were found");
                _basic = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{credential.Username}:{credential.Password}")));
                return;
            }
            throw Unauthorized("it answered 401 without a Basic or Bearer challenge");
        }
        finally
        {
            _authLock.Release();
        }
    }

    private UvLambdaException Unauthorized(string why) => Unauthorized(registry, why);

    public static UvLambdaException Unauthorized(string registry, string why) =>
        new(ErrorCodes.RegistryUnauthorized,
            $"{registry} refused the request: {why}. Log in (docker login {registry}, which writes ~/.docker/config.json), or set {RegistryCredentials.UsernameVariable}/{RegistryCredentials.PasswordVariable} or SDK_CONTAINER_REGISTRY_UNAME/SDK_CONTAINER_REGISTRY_PWORD (the push registry) or {RegistryCredentials.BaseUsernameVariable}/{RegistryCredentials.BasePasswordVariable} (the base image's).");

    internal static Dictionary<string, string> ParseChallenge(string parameter)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        int i = 0;
        while (i < parameter.Length)
        {
            while (i < parameter.Length && (parameter[i] == ',' || char.IsWhiteSpace(parameter[i]))) i++;
            int eq = parameter.IndexOf('=', i);
            if (eq < 0) break;
            var key = parameter[i..eq].Trim();
            i = eq + 1;
            string value;
            if (i < parameter.Length && parameter[i] == '"')
            {
                var sb = new StringBuilder();
                i++;
                while (i < parameter.Length && parameter[i] != '"')
                {
                    if (parameter[i] == '\\' && i + 1 < parameter.Length) i++;
                    sb.Append(parameter[i++]);
                }
                i++;
                value = sb.ToString();
            }
            else
            {
                int end = parameter.IndexOf(',', i);
                if (end < 0) end = parameter.Length;
                value = parameter[i..end].Trim();
                i = end;
            }
            result[key] = value;
        }
        return result;
    }

    private async Task<string> FetchTokenAsync(Dictionary<string, string> challenge, string[] scopes, RegistryCredential? credential, CancellationToken ct)
    {
        if (!challenge.TryGetValue("realm", out var realm) || !Uri.TryCreate(realm, UriKind.Absolute, out var realmUri))
            throw Unauthorized("its Bearer challenge has no realm");
        if (realmUri.Scheme != "https" && !RegistryClient.IsLoopbackOrInsecureUri(realmUri, insecureRegistries))
            throw Unauthorized($"its token service {realmUri.GetLeftPart(UriPartial.Authority)} is not HTTPS");
        challenge.TryGetValue("service", out var service);
        var allScopes = new SortedSet<string>(scopes, StringComparer.Ordinal);
        if (challenge.TryGetValue("scope", out var challengeScope))
            foreach (var s in challengeScope.Split(' ', StringSplitOptions.RemoveEmptyEntries)) allScopes.Add(s);

        using var response = await retry.ExecuteAsync(async (_, token) =>
            {
                using var request = TokenRequest(realmUri, service, allScopes, credential);
                return await http.SendAsync(request, token).ConfigureAwait(false);
            },
            e => Transient.IsTransientException(e, ct) && e is not IOException ? RetryDecision.Unknown() : RetryDecision.Permanent, ct,
            classifyResult: r => Transient.OfStatus((int)r.StatusCode, retry.RetryAfter(r.Headers)),
            exhausted: (e, _) => new UvLambdaException(ErrorCodes.RegistryRequestFailed, $"The token service of {registry} could not be reached: {e.Message}", inner: e)).ConfigureAwait(false);
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            throw Unauthorized(credential is null ? "its token service wants credentials and none were found" : "its token service rejected the credentials");
        if (!response.IsSuccessStatusCode)
            throw new UvLambdaException(ErrorCodes.RegistryRequestFailed, $"The token service of {registry} answered {(int)response.StatusCode} {response.ReasonPhrase}.");
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false)).RootElement;
        var token = json.TryGetProperty("token", out var t) ? t.GetString() : json.TryGetProperty("access_token", out var at) ? at.GetString() : null;
        if (string.IsNullOrEmpty(token))
            throw new UvLambdaException(ErrorCodes.RegistryRequestFailed, $"The token service of {registry} answered without a token.");
        return token;
    }

    /// <summary>The token request: an identity token's refresh grant (POST), else GET with Basic credentials when there are any.</summary>
    private static HttpRequestMessage TokenRequest(Uri realmUri, string? service, SortedSet<string> allScopes, RegistryCredential? credential)
    {
        if (credential is { IsIdentityToken: true })
        {
            var form = new List<KeyValuePair<string, string>>
            {
                new("grant_type", "refresh_token"), new("refresh_token", credential.Password), new("client_id", "uvlambda"),
                new("scope", string.Join(' ', allScopes)),
            };
            if (service is not null) form.Add(new("service", service));
            return new HttpRequestMessage(HttpMethod.Post, realmUri) { Content = new FormUrlEncodedContent(form) };
        }
        var query = new StringBuilder(realmUri.Query.TrimStart('?'));
        if (service is not null) query.Append(query.Length == 0 ? "" : "&").Append("service=").Append(Uri.EscapeDataString(service));
        foreach (var s in allScopes) query.Append(query.Length == 0 ? "" : "&").Append("scope=").Append(Uri.EscapeDataString(s));
        var request = new HttpRequestMessage(HttpMethod.Get, new UriBuilder(realmUri) { Query = query.ToString() }.Uri);
        if (credential is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{credential.Username}:{credential.Password}")));
        return request;
    }

    public void Dispose() => _authLock.Dispose();
}
