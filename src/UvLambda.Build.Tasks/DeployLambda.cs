using System.Globalization;
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
public sealed class DeployLambda : UvLambdaTask
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
    public string? PublishVersion { get; set; }
    public string? Alias { get; set; }
    public string? ProvisionedConcurrency { get; set; }
    public string? SnapStart { get; set; }
    public string? SubnetIds { get; set; }
    public string? SecurityGroupIds { get; set; }
    public string? TracingMode { get; set; }
    public string? EphemeralStorageSize { get; set; }
    public string? LogFormat { get; set; }
    public string? LogGroup { get; set; }
    public string? ApplicationLogLevel { get; set; }
    public string? SystemLogLevel { get; set; }
    public string? ReservedConcurrency { get; set; }
    public string? DeadLetterTargetArn { get; set; }
    public string? KmsKeyArn { get; set; }

    /// <summary>LambdaTag items: identity = key, metadata <c>Value</c>.</summary>
    public ITaskItem[]? Tags { get; set; }

    /// <summary>LambdaFileSystem items: identity = EFS access point ARN, metadata <c>LocalMountPath</c>.</summary>
    public ITaskItem[]? FileSystems { get; set; }
    public string? CapacityProviderArn { get; set; }
    public string? MemoryPerVCpu { get; set; }
    public string? MaxConcurrencyPerEnvironment { get; set; }
    public string? DurableExecutionTimeout { get; set; }
    public string? DurableRetentionDays { get; set; }
    public string? Profile { get; set; }
    public string? Region { get; set; }

    [Output] public string? FunctionArn { get; private set; }
    [Output] public string? FunctionUrlAddress { get; private set; }
    [Output] public string? LayerVersionArn { get; private set; }
    [Output] public string? Version { get; private set; }
    [Output] public string? AliasArn { get; private set; }

    private protected override void ExecuteCore()
    {
        Dictionary<string, string>? environment = null;
        if (EnvironmentVariables is { Length: > 0 })
        {
            environment = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var item in EnvironmentVariables)
            {
                if (!environment.TryAdd(item.ItemSpec, item.GetMetadata("Value")))
                    throw new UvLambdaException(ErrorCodes.DeployInvalidEnvironmentVariable,
                        $"LambdaEnvironmentVariable '{item.ItemSpec}' is defined twice. Keep one item per name.", ProjectFile);
            }
        }
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in Tags ?? [])
        {
            if (!tags.TryAdd(item.ItemSpec.Trim(), item.GetMetadata("Value")))
                throw new UvLambdaException(ErrorCodes.DeployInvalidTag, $"LambdaTag '{item.ItemSpec}' is declared twice. Keep one item per key.", ProjectFile);
        }
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
            PublishVersion = Bool(PublishVersion, "LambdaPublishVersion"),
            Alias = Empty(Alias),
            ProvisionedConcurrency = Number(ProvisionedConcurrency, "LambdaProvisionedConcurrency"),
            SnapStart = Empty(SnapStart),
            SubnetIds = List(SubnetIds),
            SecurityGroupIds = List(SecurityGroupIds),
            TracingMode = Empty(TracingMode),
            EphemeralStorageSize = Number(EphemeralStorageSize, "LambdaEphemeralStorageSize"),
            LogFormat = Empty(LogFormat),
            LogGroup = Empty(LogGroup),
            ApplicationLogLevel = Empty(ApplicationLogLevel),
            SystemLogLevel = Empty(SystemLogLevel),
            ReservedConcurrency = Number(ReservedConcurrency, "LambdaReservedConcurrency"),
            DeadLetterTargetArn = Empty(DeadLetterTargetArn),
            KmsKeyArn = Empty(KmsKeyArn),
            Tags = tags,
            FileSystems = (FileSystems ?? []).Select(i => new UvLambda.Core.Aws.Lambda.FileSystemMount(i.ItemSpec.Trim(), i.GetMetadata("LocalMountPath").Trim())).ToList(),
            CapacityProviderArn = Empty(CapacityProviderArn),
            MemoryPerVCpu = Decimal(MemoryPerVCpu, "LambdaMemoryPerVCpu"),
            MaxConcurrencyPerEnvironment = Number(MaxConcurrencyPerEnvironment, "LambdaMaxConcurrencyPerEnvironment"),
            DurableExecutionTimeout = Number(DurableExecutionTimeout, "LambdaDurableExecutionTimeout"),
            DurableRetentionDays = Number(DurableRetentionDays, "LambdaDurableRetentionDays"),
        };
        settings.Validate(ProjectFile);
        var session = AwsSession.Resolve(Empty(Profile), Empty(Region));
        Log.LogMessage(MessageImportance.Normal, $"Deploying {FunctionName} to region {session.Region}");
        var result = LambdaDeployer.Run(settings, session, BuildLog, ProjectFile);
        FunctionArn = result.FunctionArn;
        FunctionUrlAddress = result.FunctionUrl;
        LayerVersionArn = result.LayerVersionArn;
        Version = result.Version;
        AliasArn = result.AliasArn;
    }

    private static List<string> List(string? value) =>
        (value ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();

    private bool Bool(string? value, string property) => Empty(value)?.ToLowerInvariant() switch
    {
        null or "false" => false,
        "true" => true,
        var text => throw new UvLambdaException(ErrorCodes.DeployInvalidSetting, $"{property} '{text}' is not true or false.", ProjectFile),
    };

    private double? Decimal(string? value, string property)
    {
        if (Empty(value) is not { } text) return null;
        if (double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n)) return n;
        throw new UvLambdaException(ErrorCodes.DeployInvalidSetting, $"{property} '{text}' is not a number.", ProjectFile);
    }

    private static string? Empty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private int? Number(string? value, string property)
    {
        if (Empty(value) is not { } text) return null;
        if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)) return n;
        throw new UvLambdaException(ErrorCodes.DeployInvalidSetting, $"{property} '{text}' is not a whole number.", ProjectFile);
    }
}
