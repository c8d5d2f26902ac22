using System.Net;
using System.Text.Json.Nodes;
using UvLambda.Core.Diagnostics;
using UvLambda.Core.Resilience;

namespace UvLambda.Core.Aws.Lambda;

/// <summary>
/// Lambda's REST-JSON API (functions 2015-03-31, layers 2018-10-31, function URLs 2021-10-31), signed with SigV4
/// for service <c>lambda</c>; endpoint <c>lambda.&lt;region&gt;.amazonaws.com</c> or <c>AWS_ENDPOINT_URL_LAMBDA</c>.
/// </summary>
public sealed class LambdaRestClient(AwsSession session, RetryPolicy? retry = null, HttpClient? http = null, IBuildLog? log = null)
    : AwsServiceClient(session, "lambda", "Lambda", "lambda", retry, http, log), ILambdaApi
{
    private const string JsonType = "application/json";

    private static string Name(string value) => SigV4Signer.UriEncode(value);

    /// <param name="idempotent">false for creates and publishes: a lost answer is not resent (see <see cref="AwsOutcomeUnknownException"/>).</param>
    private async Task<JsonObject> Call(string operation, HttpMethod method, string path, JsonNode? body, CancellationToken ct, bool idempotent = true)
    {
        var (_, text) = await SendAsync(operation, method, path, body is null ? null : Json(body), body is null ? null : JsonType, null, idempotent, ct).ConfigureAwait(false);
        return text.Length == 0 ? new JsonObject() : JsonNode.Parse(text) as JsonObject ?? new JsonObject();
    }

    private async Task<JsonObject?> CallOrNull(string operation, HttpMethod method, string path, CancellationToken ct)
    {
        try
        {
            return await Call(operation, method, path, null, ct).ConfigureAwait(false);
        }
        catch (AwsServiceException e) when (e.Status == HttpStatusCode.NotFound || e.ErrorCode == "ResourceNotFoundException")
        {
            return null;
        }
    }

    public async Task<FunctionConfiguration?> GetFunctionAsync(string functionName, CancellationToken ct)
    {
        var o = await CallOrNull("GetFunction", HttpMethod.Get, $"/2015-03-31/functions/{Name(functionName)}", ct).ConfigureAwait(false);
        return o?["Configuration"] is JsonObject c ? FunctionConfiguration.FromJson(c, o["Code"] as JsonObject, o) : null;
    }

    public async Task<FunctionConfiguration> GetFunctionConfigurationAsync(string functionName, CancellationToken ct) =>
        FunctionConfiguration.FromJson(await Call("GetFunctionConfiguration", HttpMethod.Get, $"/2015-03-31/functions/{Name(functionName)}/configuration", null, ct).ConfigureAwait(false));

    public async Task<FunctionConfiguration> CreateFunctionAsync(CreateFunctionRequest r, CancellationToken ct)
    {
        var body = new JsonObject
        {
            ["FunctionName"] = r.FunctionName,
            ["Role"] = r.Role,
            ["Code"] = r.Code.ToJson(),
            ["PackageType"] = r.PackageType,
            ["Architectures"] = new JsonArray(r.Architectures.Select(a => (JsonNode?)a).ToArray()),
            ["Publish"] = false,
        };
        if (r.Runtime is not null) body["Runtime"] = r.Runtime;
        if (r.Handler is not null) body["Handler"] = r.Handler;
        if (r.Description is not null) body["Description"] = r.Description;
        if (r.Timeout is not null) body["Timeout"] = r.Timeout;
        if (r.MemorySize is not null) body["MemorySize"] = r.MemorySize;
        if (r.Environment is not null) body["Environment"] = EnvironmentJson(r.Environment);
        if (r.Layers is { Count: > 0 }) body["Layers"] = new JsonArray(r.Layers.Select(l => (JsonNode?)l).ToArray());
        if (r.Tags is { Count: > 0 }) body["Tags"] = StringMap(r.Tags);
        if (r.CapacityProvider is not null) body["CapacityProviderConfig"] = r.CapacityProvider.ToJson();
        r.Extras.WriteTo(body);
        return FunctionConfiguration.FromJson(await Call("CreateFunction", HttpMethod.Post, "/2015-03-31/functions", body, ct, idempotent: false).ConfigureAwait(false));
    }

    public async Task<FunctionConfiguration> UpdateFunctionCodeAsync(string functionName, FunctionCode code, IReadOnlyList<string>? architectures, CancellationToken ct)
    {
        var body = code.ToJson();
        body["Publish"] = false;
        if (architectures is not null) body["Architectures"] = new JsonArray(architectures.Select(a => (JsonNode?)a).ToArray());
        return FunctionConfiguration.FromJson(await Call("UpdateFunctionCode", HttpMethod.Put, $"/2015-03-31/functions/{Name(functionName)}/code", body, ct).ConfigureAwait(false));
    }

    public async Task<FunctionConfiguration> UpdateFunctionConfigurationAsync(UpdateFunctionConfigurationRequest r, CancellationToken ct)
    {
        var body = new JsonObject();
        if (r.Role is not null) body["Role"] = r.Role;
        if (r.Runtime is not null) body["Runtime"] = r.Runtime;
        if (r.Handler is not null) body["Handler"] = r.Handler;
        if (r.Description is not null) body["Description"] = r.Description;
        if (r.Timeout is not null) body["Timeout"] = r.Timeout;
        if (r.MemorySize is not null) body["MemorySize"] = r.MemorySize;
        if (r.Environment is not null) body["Environment"] = EnvironmentJson(r.Environment);
        if (r.Layers is not null) body["Layers"] = new JsonArray(r.Layers.Select(l => (JsonNode?)l).ToArray());
        r.Extras.WriteTo(body);
        return FunctionConfiguration.FromJson(await Call("UpdateFunctionConfiguration", HttpMethod.Put,
            $"/2015-03-31/functions/{Name(r.FunctionName)}/configuration", body, ct).ConfigureAwait(false));
    }

    public async Task<LayerVersion> PublishLayerVersionAsync(PublishLayerVersionRequest r, CancellationToken ct)
    {
        var body = new JsonObject
        {
            ["Content"] = r.Content.ToJson(),
            ["CompatibleRuntimes"] = new JsonArray(r.CompatibleRuntimes.Select(x => (JsonNode?)x).ToArray()),
            ["CompatibleArchitectures"] = new JsonArray(r.CompatibleArchitectures.Select(x => (JsonNode?)x).ToArray()),
        };
        if (r.Description is not null) body["Description"] = r.Description;
        return LayerVersion.FromJson(await Call("PublishLayerVersion", HttpMethod.Post, $"/2018-10-31/layers/{Name(r.LayerName)}/versions", body, ct, idempotent: false).ConfigureAwait(false));
    }

    public async Task<IReadOnlyList<LayerVersion>> ListLayerVersionsAsync(string layerName, CancellationToken ct) =>
        (await ListAll("ListLayerVersions", $"/2018-10-31/layers/{Name(layerName)}/versions", "LayerVersions", LayerVersion.FromJson, ct).ConfigureAwait(false))
            .OrderByDescending(v => v.Version).ToList();

    /// <summary>Every page of a Lambda list operation (Marker/NextMarker); an absent resource lists nothing.</summary>
    private async Task<List<T>> ListAll<T>(string operation, string path, string arrayName, Func<JsonObject, T> fromJson, CancellationToken ct)
    {
        var all = new List<T>();
        string? marker = null;
        do
        {
            var o = await CallOrNull(operation, HttpMethod.Get, path + (marker is null ? "" : "?Marker=" + SigV4Signer.UriEncode(marker)), ct).ConfigureAwait(false);
            if (o is null) break;
            if (o[arrayName] is JsonArray a) all.AddRange(a.OfType<JsonObject>().Select(fromJson));
            marker = FunctionConfiguration.Str(o, "NextMarker");
        } while (!string.IsNullOrEmpty(marker));
        return all;
    }

    public async Task<LayerVersion?> GetLayerVersionAsync(string layerName, long version, CancellationToken ct)
    {
        var o = await CallOrNull("GetLayerVersion", HttpMethod.Get, $"/2018-10-31/layers/{Name(layerName)}/versions/{version}", ct).ConfigureAwait(false);
        return o is null ? null : LayerVersion.FromJson(o);
    }

    public async Task<FunctionUrlConfig?> GetFunctionUrlConfigAsync(string functionName, CancellationToken ct)
    {
        var o = await CallOrNull("GetFunctionUrlConfig", HttpMethod.Get, $"/2021-10-31/functions/{Name(functionName)}/url", ct).ConfigureAwait(false);
        return o is null ? null : UrlConfig(o);
    }

    public async Task<FunctionUrlConfig> CreateFunctionUrlConfigAsync(string functionName, string authType, CancellationToken ct) =>
        UrlConfig(await Call("CreateFunctionUrlConfig", HttpMethod.Post, $"/2021-10-31/functions/{Name(functionName)}/url",
            new JsonObject { ["AuthType"] = authType }, ct, idempotent: false).ConfigureAwait(false));

    public async Task<FunctionUrlConfig> UpdateFunctionUrlConfigAsync(string functionName, string authType, CancellationToken ct) =>
        UrlConfig(await Call("UpdateFunctionUrlConfig", HttpMethod.Put, $"/2021-10-31/functions/{Name(functionName)}/url",
            new JsonObject { ["AuthType"] = authType }, ct).ConfigureAwait(false));

    public async Task<string?> GetPolicyAsync(string functionName, CancellationToken ct)
    {
        var o = await CallOrNull("GetPolicy", HttpMethod.Get, $"/2015-03-31/functions/{Name(functionName)}/policy", ct).ConfigureAwait(false);
        return o is null ? null : FunctionConfiguration.Str(o, "Policy");
    }

    public async Task AddPermissionAsync(AddPermissionRequest r, CancellationToken ct)
    {
        var body = new JsonObject { ["StatementId"] = r.StatementId, ["Action"] = r.Action, ["Principal"] = r.Principal };
        if (r.FunctionUrlAuthType is not null) body["FunctionUrlAuthType"] = r.FunctionUrlAuthType;
        if (r.InvokedViaFunctionUrl is { } viaUrl) body["InvokedViaFunctionUrl"] = viaUrl;
        await Call("AddPermission", HttpMethod.Post, $"/2015-03-31/functions/{Name(r.FunctionName)}/policy", body, ct, idempotent: false).ConfigureAwait(false);
    }

    public async Task RemovePermissionAsync(string functionName, string statementId, CancellationToken ct)
    {
        // Deleting twice is harmless: a retry after a lost answer finds the statement gone.
        await CallOrNull("RemovePermission", HttpMethod.Delete, $"/2015-03-31/functions/{Name(functionName)}/policy/{Name(statementId)}", ct).ConfigureAwait(false);
    }

    public async Task<FunctionConfiguration> PublishVersionAsync(string functionName, string? codeSha256, string? description, CancellationToken ct)
    {
        var body = new JsonObject();
        if (codeSha256 is not null) body["CodeSha256"] = codeSha256;
        if (description is not null) body["Description"] = description;
        return FunctionConfiguration.FromJson(await Call("PublishVersion", HttpMethod.Post, $"/2015-03-31/functions/{Name(functionName)}/versions", body, ct, idempotent: false).ConfigureAwait(false));
    }

    public async Task<IReadOnlyList<FunctionConfiguration>> ListVersionsByFunctionAsync(string functionName, CancellationToken ct) =>
        (await ListAll("ListVersionsByFunction", $"/2015-03-31/functions/{Name(functionName)}/versions", "Versions", v => FunctionConfiguration.FromJson(v), ct).ConfigureAwait(false))
            .Where(v => long.TryParse(v.Version, out _)).OrderBy(v => long.Parse(v.Version!, System.Globalization.CultureInfo.InvariantCulture)).ToList();

    public async Task<FunctionAlias?> GetAliasAsync(string functionName, string alias, CancellationToken ct)
    {
        var o = await CallOrNull("GetAlias", HttpMethod.Get, $"/2015-03-31/functions/{Name(functionName)}/aliases/{Name(alias)}", ct).ConfigureAwait(false);
        return o is null ? null : Alias(o);
    }

    public async Task<FunctionAlias> CreateAliasAsync(string functionName, string alias, string version, CancellationToken ct) =>
        Alias(await Call("CreateAlias", HttpMethod.Post, $"/2015-03-31/functions/{Name(functionName)}/aliases",
            new JsonObject { ["Name"] = alias, ["FunctionVersion"] = version }, ct, idempotent: false).ConfigureAwait(false));

    public async Task<FunctionAlias> UpdateAliasAsync(string functionName, string alias, string version, CancellationToken ct) =>
        Alias(await Call("UpdateAlias", HttpMethod.Put, $"/2015-03-31/functions/{Name(functionName)}/aliases/{Name(alias)}",
            new JsonObject { ["FunctionVersion"] = version }, ct).ConfigureAwait(false));

    // Setting, deleting and tagging are idempotent: sending them again after a lost answer sets the same state.
    public Task PutFunctionConcurrencyAsync(string functionName, int reserved, CancellationToken ct) =>
        Call("PutFunctionConcurrency", HttpMethod.Put, $"/2017-10-31/functions/{Name(functionName)}/concurrency",
            new JsonObject { ["ReservedConcurrentExecutions"] = reserved }, ct);

    public Task DeleteFunctionConcurrencyAsync(string functionName, CancellationToken ct) =>
        CallOrNull("DeleteFunctionConcurrency", HttpMethod.Delete, $"/2017-10-31/functions/{Name(functionName)}/concurrency", ct);

    public async Task<int?> GetProvisionedConcurrencyAsync(string functionName, string qualifier, CancellationToken ct)
    {
        var o = await CallOrNull("GetProvisionedConcurrencyConfig", HttpMethod.Get,
            $"/2019-09-30/functions/{Name(functionName)}/provisioned-concurrency?Qualifier={Name(qualifier)}", ct).ConfigureAwait(false);
        return o is null ? null : FunctionConfiguration.Int(o, "RequestedProvisionedConcurrentExecutions");
    }

    public Task PutProvisionedConcurrencyAsync(string functionName, string qualifier, int executions, CancellationToken ct) =>
        Call("PutProvisionedConcurrencyConfig", HttpMethod.Put, $"/2019-09-30/functions/{Name(functionName)}/provisioned-concurrency?Qualifier={Name(qualifier)}",
            new JsonObject { ["ProvisionedConcurrentExecutions"] = executions }, ct);

    public Task DeleteProvisionedConcurrencyAsync(string functionName, string qualifier, CancellationToken ct) =>
        CallOrNull("DeleteProvisionedConcurrencyConfig", HttpMethod.Delete, $"/2019-09-30/functions/{Name(functionName)}/provisioned-concurrency?Qualifier={Name(qualifier)}", ct);

    public Task TagResourceAsync(string arn, IReadOnlyDictionary<string, string> tags, CancellationToken ct) =>
        Call("TagResource", HttpMethod.Post, $"/2017-03-31/tags/{Name(arn)}", new JsonObject { ["Tags"] = StringMap(tags) }, ct);

    public Task UntagResourceAsync(string arn, IReadOnlyList<string> keys, CancellationToken ct) =>
        Call("UntagResource", HttpMethod.Delete, $"/2017-03-31/tags/{Name(arn)}?" + string.Join("&", keys.Order(StringComparer.Ordinal).Select(k => "tagKeys=" + SigV4Signer.UriEncode(k))), null, ct);

    private static FunctionAlias Alias(JsonObject o) =>
        new(FunctionConfiguration.Str(o, "Name") ?? "", FunctionConfiguration.Str(o, "FunctionVersion") ?? "", FunctionConfiguration.Str(o, "AliasArn") ?? "");

    private static JsonObject StringMap(IReadOnlyDictionary<string, string> map)
    {
        var o = new JsonObject();
        foreach (var (key, value) in map.OrderBy(kv => kv.Key, StringComparer.Ordinal)) o[key] = value;
        return o;
    }

    private static FunctionUrlConfig UrlConfig(JsonObject o) =>
        new(FunctionConfiguration.Str(o, "FunctionUrl") ?? "", FunctionConfiguration.Str(o, "AuthType") ?? "");

    private static JsonObject EnvironmentJson(IReadOnlyDictionary<string, string> vars)
    {
        var v = new JsonObject();
        foreach (var (key, value) in vars.OrderBy(kv => kv.Key, StringComparer.Ordinal)) v[key] = value;
        return new JsonObject { ["Variables"] = v };
    }
}
