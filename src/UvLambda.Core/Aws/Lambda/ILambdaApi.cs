namespace UvLambda.Core.Aws.Lambda;

/// <summary>
/// The Lambda operations deploy uses. <see cref="LambdaRestClient"/> implements them against the published REST-JSON
/// API; an adapter over AWSSDK.Lambda could replace it. Errors are <see cref="AwsServiceException"/>s; "not found"
/// answers are null.
/// </summary>
public interface ILambdaApi
{
    Task<FunctionConfiguration?> GetFunctionAsync(string functionName, CancellationToken cancellationToken);
    Task<FunctionConfiguration> GetFunctionConfigurationAsync(string functionName, CancellationToken cancellationToken);
    Task<FunctionConfiguration> CreateFunctionAsync(CreateFunctionRequest request, CancellationToken cancellationToken);

    /// <param name="architectures">Set to change the function's architecture along with the code.</param>
    Task<FunctionConfiguration> UpdateFunctionCodeAsync(string functionName, FunctionCode code, IReadOnlyList<string>? architectures, CancellationToken cancellationToken);
    Task<FunctionConfiguration> UpdateFunctionConfigurationAsync(UpdateFunctionConfigurationRequest request, CancellationToken cancellationToken);

    Task<LayerVersion> PublishLayerVersionAsync(PublishLayerVersionRequest request, CancellationToken cancellationToken);

    /// <summary>The layer's versions, newest first (empty when the layer does not exist).</summary>
    Task<IReadOnlyList<LayerVersion>> ListLayerVersionsAsync(string layerName, CancellationToken cancellationToken);
    Task<LayerVersion?> GetLayerVersionAsync(string layerName, long version, CancellationToken cancellationToken);

    Task<FunctionUrlConfig?> GetFunctionUrlConfigAsync(string functionName, CancellationToken cancellationToken);
    Task<FunctionUrlConfig> CreateFunctionUrlConfigAsync(string functionName, string authType, CancellationToken cancellationToken);
    Task<FunctionUrlConfig> UpdateFunctionUrlConfigAsync(string functionName, string authType, CancellationToken cancellationToken);

    /// <summary>The function's resource policy document (JSON), or null when it has none.</summary>
    Task<string?> GetPolicyAsync(string functionName, CancellationToken cancellationToken);
    Task AddPermissionAsync(AddPermissionRequest request, CancellationToken cancellationToken);

    /// <summary>Removes a statement from the function's policy (nothing when it is not there).</summary>
    Task RemovePermissionAsync(string functionName, string statementId, CancellationToken cancellationToken);

    /// <summary>PublishVersion (not idempotent: a lost answer is checked, not resent). <paramref name="codeSha256"/> guards against a concurrent code change.</summary>
    Task<FunctionConfiguration> PublishVersionAsync(string functionName, string? codeSha256, string? description, CancellationToken cancellationToken);

    /// <summary>The function's published versions ($LATEST left out), oldest first.</summary>
    Task<IReadOnlyList<FunctionConfiguration>> ListVersionsByFunctionAsync(string functionName, CancellationToken cancellationToken);

    Task<FunctionAlias?> GetAliasAsync(string functionName, string alias, CancellationToken cancellationToken);
    Task<FunctionAlias> CreateAliasAsync(string functionName, string alias, string version, CancellationToken cancellationToken);
    Task<FunctionAlias> UpdateAliasAsync(string functionName, string alias, string version, CancellationToken cancellationToken);

    Task PutFunctionConcurrencyAsync(string functionName, int reserved, CancellationToken cancellationToken);
    Task DeleteFunctionConcurrencyAsync(string functionName, CancellationToken cancellationToken);

    /// <summary>The requested provisioned concurrency of a qualifier (alias), or null when it has none.</summary>
    Task<int?> GetProvisionedConcurrencyAsync(string functionName, string qualifier, CancellationToken cancellationToken);
    Task PutProvisionedConcurrencyAsync(string functionName, string qualifier, int executions, CancellationToken cancellationToken);
    Task DeleteProvisionedConcurrencyAsync(string functionName, string qualifier, CancellationToken cancellationToken);

    Task TagResourceAsync(string arn, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken);
    Task UntagResourceAsync(string arn, IReadOnlyList<string> keys, CancellationToken cancellationToken);
}
