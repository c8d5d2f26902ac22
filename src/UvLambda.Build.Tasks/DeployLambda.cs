using Microsoft.Build.Framework;
using UvLambda.Core.Aws;
using UvLambda.Core.Deploy;
using UvLambda.Core.Diagnostics;

namespace UvLambda.Build.Tasks;

/// <summary>
/// Creates or updates the Lambda function (and its layer, ECR repository, function URL) from the built artifacts.
/// Every parameter is a non-secret setting: credentials and tokens are resolved inside Core through AWSSDK.Core's
/// chain (AWSProfile/AWS_PROFILE, environment, SSO, assume-role, container/instance metadata) and never logged.
/// </summary>
public sealed class DeployLambda : ProductionSettingsTask
{
    [Required] public string FunctionName { get; set; } = "";
    public string PackageType { get; set; } = "Zip";
    public string? PackagePath { get; set; }
    public string? LayerPackagePath { get; set; }
    public string? LayerName { get; set; }
    public string? LocalLayerPackagePath { get; set; }
    public string? LocalLayerName { get; set; }
    /// <summary>LambdaLayerSplit: Local publishes <see cref="LocalLayerPackagePath"/> as a second layer.</summary>
    public string? LayerSplit { get; set; }
    /// <summary>LambdaLayer items: layer version ARNs, attached after the project's own layers in this order.</summary>
    public ITaskItem[]? ExternalLayers { get; set; }
    public string? ImageUri { get; set; }
    public string? EcrRepository { get; set; }
    public bool CreateRepository { get; set; }
    public string PythonVersion { get; set; } = "";
    public string? Handler { get; set; }
    public string Architecture { get; set; } = "x86_64";
    public string? Role { get; set; }
    public string? MemorySize { get; set; }
    public string? Timeout { get; set; }
    public string? Description { get; set; }

    /// <summary>LambdaEnvironmentVariable items: identity = name, metadata <c>Value</c>.</summary>
    public ITaskItem[]? EnvironmentVariables { get; set; }
    public string? S3Bucket { get; set; }

    /// <summary>LambdaFunctionUrl: NONE or AWS_IAM; empty to leave function URLs alone.</summary>
    public string? FunctionUrl { get; set; }
    public string? Profile { get; set; }
    public string? Region { get; set; }

    [Output] public string? FunctionArn { get; private set; }
    [Output] public string? FunctionUrlAddress { get; private set; }
    [Output] public string? LayerVersionArn { get; private set; }
    [Output] public string? Version { get; private set; }
    [Output] public string? AliasArn { get; private set; }

    private protected override void ExecuteCore()
    {
        var environment = new DeploySettingText(ProjectFile).EnvironmentVariables((EnvironmentVariables ?? []).Select(i => (i.ItemSpec, i.GetMetadata("Value"))).ToList());
        var settings = new DeploySettings
        {
            FunctionName = FunctionName,
            PackageType = PackageType,
            PackagePath = Empty(PackagePath),
            LayerPackagePath = Empty(LayerPackagePath),
            LayerName = Empty(LayerName),
            LocalLayerPackagePath = UvLambda.Core.Projects.ExternalLayers.SplitLocal(LayerSplit, ProjectFile) && PackageType == "Layer" ? Empty(LocalLayerPackagePath) : null,
            LocalLayerName = Empty(LocalLayerName),
            ExternalLayers = (ExternalLayers ?? []).Select(i => i.ItemSpec.Trim()).Where(a => a.Length > 0).ToList(),
            ImageUri = Empty(ImageUri),
            EcrRepository = Empty(EcrRepository),
            CreateRepository = CreateRepository,
            PythonVersion = PythonVersion,
            Handler = Empty(Handler),
            Architecture = Architecture,
            Role = Empty(Role),
            MemorySize = Number(MemorySize, "LambdaMemorySize"),
            Timeout = Number(Timeout, "LambdaTimeout"),
            Description = Empty(Description),
            Environment = environment,
            S3Bucket = Empty(S3Bucket),
            FunctionUrlAuthType = Empty(FunctionUrl)?.ToUpperInvariant(),
        };
        settings = WithProductionSettings(settings);
        settings.Validate(ProjectFile);
        var session = AwsSession.Resolve(Empty(Profile), Empty(Region));
        Log.LogMessage(MessageImportance.Normal, $"Deploying {FunctionName} to region {session.Region}");
        var result = LambdaDeployer.Run(settings, session, BuildLog, ProjectFile, cancellationToken: CancellationToken);
        FunctionArn = result.FunctionArn;
        FunctionUrlAddress = result.FunctionUrl;
        LayerVersionArn = result.LayerVersionArn;
        Version = result.Version;
        AliasArn = result.AliasArn;
    }
}
