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
}
