using System.Text;
using System.Text.Json.Nodes;
using UvLambda.Core.Aws.Lambda;
using UvLambda.Core.Diagnostics;
using UvLambda.Core.Resilience;

namespace UvLambda.Core.Aws.Ecr;

/// <summary>An ECR repository.</summary>
public sealed record EcrRepository(string RepositoryName, string RepositoryUri, string RepositoryArn);

/// <summary>
/// A registry login from GetAuthorizationToken. Secret: <see cref="ToString"/> hides the password, and nothing logs it.
/// </summary>
public sealed record EcrAuthorization(string Username, string Password, string ProxyEndpoint, DateTimeOffset? ExpiresAt)
{
    public override string ToString() => $"EcrAuthorization {{ ProxyEndpoint = {ProxyEndpoint}, Username = {Username} }}";

    /// <summary>Decodes the token: base64 of "user:password".</summary>
    public static EcrAuthorization FromToken(string token, string proxyEndpoint, DateTimeOffset? expiresAt)
    {
        var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(token));
        var colon = decoded.IndexOf(':');
        return colon < 0 ? new EcrAuthorization("AWS", decoded, proxyEndpoint, expiresAt)
            : new EcrAuthorization(decoded[..colon], decoded[(colon + 1)..], proxyEndpoint, expiresAt);
    }
}

/// <summary>The ECR operations deploy uses (an AWSSDK.ECR adapter could replace <see cref="EcrClient"/>).</summary>
public interface IEcrApi
{
    /// <summary>The repository, or null when it does not exist.</summary>
    Task<EcrRepository?> DescribeRepositoryAsync(string repositoryName, CancellationToken cancellationToken);
    Task<EcrRepository> CreateRepositoryAsync(string repositoryName, CancellationToken cancellationToken);
    Task<EcrAuthorization> GetAuthorizationTokenAsync(CancellationToken cancellationToken);
}

/// <summary>ECR's JSON 1.1 API (target prefix AmazonEC2ContainerRegistry_V20150921), signed for service <c>ecr</c>.</summary>
public sealed class EcrClient(AwsSession session, RetryPolicy? retry = null, HttpClient? http = null, IBuildLog? log = null)
    : AwsServiceClient(session, "ecr", "ECR", "api.ecr", retry, http, log), IEcrApi
{
    private async Task<JsonObject> Call(string operation, JsonObject body, CancellationToken ct, bool idempotent = true)
    {
        var (_, text) = await SendAsync(operation, HttpMethod.Post, "/", Json(body), "application/x-amz-json-1.1",
            [new("X-Amz-Target", "AmazonEC2ContainerRegistry_V20150921." + operation)], idempotent, ct).ConfigureAwait(false);
        return text.Length == 0 ? new JsonObject() : JsonNode.Parse(text) as JsonObject ?? new JsonObject();
    }

    public async Task<EcrRepository?> DescribeRepositoryAsync(string repositoryName, CancellationToken ct)
    {
        try
        {
            var o = await Call("DescribeRepositories", new JsonObject { ["repositoryNames"] = new JsonArray(repositoryName) }, ct).ConfigureAwait(false);
            return o["repositories"] is JsonArray { Count: > 0 } a && a[0] is JsonObject r ? Repository(r) : null;
        }
        catch (AwsServiceException e) when (e.ErrorCode == "RepositoryNotFoundException")
        {
            return null;
        }
    }

    public async Task<EcrRepository> CreateRepositoryAsync(string repositoryName, CancellationToken ct)
    {
        var o = await Call("CreateRepository", new JsonObject
        {
            ["repositoryName"] = repositoryName,
            ["imageTagMutability"] = "MUTABLE",
            ["imageScanningConfiguration"] = new JsonObject { ["scanOnPush"] = false },
        }, ct, idempotent: false).ConfigureAwait(false);
        return Repository((JsonObject)o["repository"]!);
    }

    public async Task<EcrAuthorization> GetAuthorizationTokenAsync(CancellationToken ct)
    {
        var o = await Call("GetAuthorizationToken", new JsonObject(), ct).ConfigureAwait(false);
        if (o["authorizationData"] is not JsonArray { Count: > 0 } a || a[0] is not JsonObject d || FunctionConfiguration.Str(d, "authorizationToken") is not { } token)
            throw new UvLambdaException(ErrorCodes.AwsRequestFailed, "ecr:GetAuthorizationToken returned no authorization data.");
        DateTimeOffset? expires = d["expiresAt"] is JsonValue v && v.TryGetValue<double>(out var seconds)
            ? DateTimeOffset.FromUnixTimeMilliseconds((long)(seconds * 1000)) : null;
        return EcrAuthorization.FromToken(token, FunctionConfiguration.Str(d, "proxyEndpoint") ?? "", expires);
    }

    private static EcrRepository Repository(JsonObject r) => new(
        FunctionConfiguration.Str(r, "repositoryName") ?? "",
        FunctionConfiguration.Str(r, "repositoryUri") ?? "",
        FunctionConfiguration.Str(r, "repositoryArn") ?? "");
}

/// <summary>Makes sure an ECR repository exists before anything is pushed to it or deployed from it.</summary>
public static class EcrRepositories
{
    /// <summary>
    /// Describes the repository; when missing and <paramref name="create"/>, creates it — check, then write: a create
    /// that meets RepositoryAlreadyExistsException, or whose answer is lost, reads the repository instead of trusting
    /// or repeating the write. Missing without <paramref name="create"/> is UVL4021. Created is true when this call
    /// created it.
    /// </summary>
    public static async Task<(EcrRepository Repository, bool Created)> EnsureAsync(IEcrApi ecr, string repositoryName, bool create, IBuildLog log,
        CancellationToken ct, int attempts = 4)
    {
        if (await ecr.DescribeRepositoryAsync(repositoryName, ct).ConfigureAwait(false) is { } existing) return (existing, false);
        if (!create)
            throw new UvLambdaException(ErrorCodes.DeployRepositoryNotFound,
                $"ECR repository '{repositoryName}' does not exist. Create it, or set LambdaCreateRepository=true to let deploy create it.");
        var policy = new RetryPolicy { MaxAttempts = attempts, BaseDelay = TimeSpan.FromMilliseconds(200), MaxDelay = TimeSpan.FromSeconds(2) };
        try
        {
            var (repository, fromCheck) = await policy.CheckThenWriteAsync(token => ecr.CreateRepositoryAsync(repositoryName, token),
                token => ecr.DescribeRepositoryAsync(repositoryName, token), ct,
                (e, _) => log.Detail($"{e.Message}; checking whether repository {repositoryName} exists before creating it again")).ConfigureAwait(false);
            if (!fromCheck) log.Info($"Created ECR repository {repository.RepositoryUri}");
            // Found after a lost answer: most likely our own create, so it counts as created.
            return (repository, true);
        }
        catch (AwsServiceException e) when (e.ErrorCode == "RepositoryAlreadyExistsException")
        {
            // Created meanwhile (a concurrent publish, or our own earlier attempt): use it.
            if (await ecr.DescribeRepositoryAsync(repositoryName, ct).ConfigureAwait(false) is { } found) return (found, false);
            throw;
        }
        catch (AwsOutcomeUnknownException e)
        {
            throw new UvLambdaException(ErrorCodes.AwsRequestFailed, $"{e.Action}: no answer after {attempts} attempts and the repository does not exist: {e.Reason}", inner: e);
        }
    }

    /// <summary>The registry host of a repository URI (<c>123456789012.dkr.ecr.us-east-1.amazonaws.com/name</c>).</summary>
    public static string RegistryOf(EcrRepository repository)
    {
        var slash = repository.RepositoryUri.IndexOf('/');
        return slash < 0 ? repository.RepositoryUri : repository.RepositoryUri[..slash];
    }
}
