using System.Net;
using System.Text.Json;
using UvLambda.Core.Diagnostics;
using UvLambda.Core.Resilience;

namespace UvLambda.Core.Containers;

/// <summary>
/// Requests to one registry under the shared <see cref="RetryPolicy"/>, with the auth handshake on a 401, counted in
/// <see cref="RegistryStats"/>; answers that fail become UVL-coded errors carrying the registry's own error codes.
/// Never logs headers, tokens, credentials or query strings.
/// </summary>
internal sealed class RegistryTransport(string registry, Uri baseUri, HttpClient http, RegistryAuthenticator auth, RetryPolicy retry, RegistryStats stats, IBuildLog log)
{
    public string Registry { get; } = registry;
    public Uri BaseUri { get; } = baseUri;
    public RetryPolicy Retry { get; } = retry;
    public RegistryStats Stats { get; } = stats;
    public IBuildLog Log { get; } = log;

    public static string[] Pull(string repository) => [$"repository:{repository}:pull"];
    public static string[] Push(string repository) => [$"repository:{repository}:pull,push"];

    /// <summary>
    /// One request under the retry policy: a 401 is answered once by authenticating (the challenge's Basic or Bearer
    /// flow), not counted as an attempt; a transient status is retried and returned as it is when attempts run out; a
    /// network failure after the last attempt is UVL coded. Only <paramref name="idempotent"/> requests are resent
    /// after a lost answer; the others throw <see cref="OutcomeUnknownException"/> for the caller to check.
    /// </summary>
    public async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> create, string[] scopes, CancellationToken ct,
        bool manifest = false, bool streamed = false, bool idempotent = true)
    {
        var authenticated = false;
        var scopeKey = string.Join(' ', scopes);
        string what = "";
        return await Retry.ExecuteAsync(async (_, token) =>
            {
                while (true)
                {
                    using var request = create();
                    what = $"{request.Method} {Describe(request.RequestUri)}";
                    auth.Authorize(request, scopeKey);
                    Interlocked.Increment(ref Stats.Requests);
                    if (manifest) Interlocked.Increment(ref Stats.ManifestRequests);
                    else Interlocked.Increment(ref Stats.BlobRequests);
                    var response = await http.SendAsync(request, streamed ? HttpCompletionOption.ResponseHeadersRead : HttpCompletionOption.ResponseContentRead, token).ConfigureAwait(false);
                    Log.Detail($"{what} -> {(int)response.StatusCode}");
                    if (response.StatusCode != HttpStatusCode.Unauthorized || authenticated) return response;
                    var challenges = response.Headers.WwwAuthenticate.ToList();
                    response.Dispose();
                    await auth.AuthenticateAsync(challenges, scopes, scopeKey, token).ConfigureAwait(false);
                    authenticated = true;
                }
            },
            // An IOException here is the caller's stream (a blob file), not the network: HttpClient wraps its own.
            e => Transient.IsTransientException(e, ct) && e is not IOException ? RetryDecision.Unknown() : RetryDecision.Permanent, ct, idempotent,
            classifyResult: r => Transient.OfStatus((int)r.StatusCode, Retry.RetryAfter(r.Headers)),
            exhausted: (e, attempts) => new UvLambdaException(ErrorCodes.RegistryRequestFailed, $"{what} failed after {attempts} attempts: {e.Message}", inner: e),
            outcomeUnknown: e => new OutcomeUnknownException($"{what}: no answer ({e.Message})", e),
            onRetry: r =>
            {
                if (r.Failure is { } f) Log.Detail($"{what} failed ({f.Message}); retrying.");
            }).ConfigureAwait(false);
    }

    public async Task EnsureSuccess(HttpResponseMessage response, string what, bool forceFailure = false)
    {
        if (response.IsSuccessStatusCode && !forceFailure) return;
        throw await FailureAsync(response, what).ConfigureAwait(false);
    }

    /// <summary>An answer that failed, as the coded error to throw: UVL-coded unauthorized for 401/403, else a failed request.</summary>
    public async Task<UvLambdaException> FailureAsync(HttpResponseMessage response, string what)
    {
        var status = (int)response.StatusCode;
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            return RegistryAuthenticator.Unauthorized(Registry, $"{what} answered {status} {response.ReasonPhrase}{await ErrorDetail(response).ConfigureAwait(false)}");
        return new UvLambdaException(ErrorCodes.RegistryRequestFailed,
            $"{Registry}: {what} answered {status} {response.ReasonPhrase}{await ErrorDetail(response).ConfigureAwait(false)}.");
    }

    /// <summary>The registry's error codes and messages (the spec's {"errors":[...]} body), never its headers.</summary>
    private static async Task<string> ErrorDetail(HttpResponseMessage response)
    {
        try
        {
            var text = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
            if (text.Length == 0) return "";
            var errors = JsonDocument.Parse(text).RootElement.GetProperty("errors").EnumerateArray()
                .Select(e => $"{(e.TryGetProperty("code", out var c) ? c.GetString() : "")}: {(e.TryGetProperty("message", out var m) ? m.GetString() : "")}");
            return " (" + string.Join("; ", errors) + ")";
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or HttpRequestException)
        {
            return "";
        }
    }

    /// <summary>A Location header against the request it answered.</summary>
    public static Uri Resolve(HttpResponseMessage response, Uri location) =>
        location.IsAbsoluteUri ? location : new Uri(response.RequestMessage!.RequestUri!, location);

    /// <summary>A URL for logs: scheme, host and path, never the query (upload states, tokens).</summary>
    public static string Describe(Uri? uri) => uri is null ? "" : uri.GetLeftPart(UriPartial.Path);
}
