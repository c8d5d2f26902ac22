using System.Globalization;
using Microsoft.Build.Framework;
using UvLambda.Core.Aws.Lambda;
using UvLambda.Core.Deploy;
using UvLambda.Core.Diagnostics;

namespace UvLambda.Build.Tasks;

/// <summary>
/// The production deploy settings (versions, alias, concurrency, SnapStart, VPC, tracing, logging, tags, EFS, capacity
/// provider, durable), shared by DeployLambda and ValidateLambdaProject so every build checks them, not only a deploy.
/// </summary>
public abstract class ProductionSettingsTask : UvLambdaTask
{
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

    /// <summary><paramref name="settings"/> with the production settings parsed from the parameters.</summary>
    private protected DeploySettings WithProductionSettings(DeploySettings settings)
    {
        var text = new DeploySettingText(ProjectFile);
        return settings with
        {
            PublishVersion = text.Bool(PublishVersion, "LambdaPublishVersion"),
            Alias = Empty(Alias),
            ProvisionedConcurrency = text.Number(ProvisionedConcurrency, "LambdaProvisionedConcurrency"),
            SnapStart = Empty(SnapStart),
            SubnetIds = DeploySettingText.List(SubnetIds),
            SecurityGroupIds = DeploySettingText.List(SecurityGroupIds),
            TracingMode = Empty(TracingMode),
            EphemeralStorageSize = text.Number(EphemeralStorageSize, "LambdaEphemeralStorageSize"),
            LogFormat = Empty(LogFormat),
            LogGroup = Empty(LogGroup),
            ApplicationLogLevel = Empty(ApplicationLogLevel),
            SystemLogLevel = Empty(SystemLogLevel),
            ReservedConcurrency = text.Number(ReservedConcurrency, "LambdaReservedConcurrency"),
            DeadLetterTargetArn = Empty(DeadLetterTargetArn),
            KmsKeyArn = Empty(KmsKeyArn),
            Tags = text.Tags((Tags ?? []).Select(i => (i.ItemSpec, i.GetMetadata("Value")))),
            FileSystems = (FileSystems ?? []).Select(i => new FileSystemMount(i.ItemSpec.Trim(), i.GetMetadata("LocalMountPath").Trim())).ToList(),
            CapacityProviderArn = Empty(CapacityProviderArn),
            MemoryPerVCpu = text.Decimal(MemoryPerVCpu, "LambdaMemoryPerVCpu"),
            MaxConcurrencyPerEnvironment = text.Number(MaxConcurrencyPerEnvironment, "LambdaMaxConcurrencyPerEnvironment"),
            DurableExecutionTimeout = text.Number(DurableExecutionTimeout, "LambdaDurableExecutionTimeout"),
            DurableRetentionDays = text.Number(DurableRetentionDays, "LambdaDurableRetentionDays"),
        };
    }

    private protected static string? Empty(string? value) => DeploySettingText.Empty(value);

    private protected int? Number(string? value, string property) => new DeploySettingText(ProjectFile).Number(value, property);
}
