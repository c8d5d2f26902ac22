using System.Text;
using System.Text.Json.Nodes;
using UvLambda.Core.Aws.Lambda;
using UvLambda.Core.Diagnostics;

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
    private async Task<JsonObject> Call(string operation, JsonObject body, CancellationToken ct)
    {
        var (_, text) = await SendAsync(operation, HttpMethod.Post, "/", Json(body), "application/x-amz-json-1.1",
            [new("X-Amz-Target", "AmazonEC2ContainerRegistry_V20150921." + operation)], ct).ConfigureAwait(false);
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
        }, ct).ConfigureAwait(false);
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
