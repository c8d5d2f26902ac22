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
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in Tags ?? [])
        {
            if (!tags.TryAdd(item.ItemSpec.Trim(), item.GetMetadata("Value")))
                throw new UvLambdaException(ErrorCodes.DeployInvalidTag, $"LambdaTag '{item.ItemSpec}' is declared twice. Keep one item per key.", ProjectFile);
        }
        return settings with
        {
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
            FileSystems = (FileSystems ?? []).Select(i => new FileSystemMount(i.ItemSpec.Trim(), i.GetMetadata("LocalMountPath").Trim())).ToList(),
            CapacityProviderArn = Empty(CapacityProviderArn),
            MemoryPerVCpu = Decimal(MemoryPerVCpu, "LambdaMemoryPerVCpu"),
            MaxConcurrencyPerEnvironment = Number(MaxConcurrencyPerEnvironment, "LambdaMaxConcurrencyPerEnvironment"),
            DurableExecutionTimeout = Number(DurableExecutionTimeout, "LambdaDurableExecutionTimeout"),
            DurableRetentionDays = Number(DurableRetentionDays, "LambdaDurableRetentionDays"),
        };
    }

    private protected static string? Empty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private protected int? Number(string? value, string property)
    {
        if (Empty(value) is not { } text) return null;
        if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)) return n;
        throw new UvLambdaException(ErrorCodes.DeployInvalidSetting, $"{property} '{text}' is not a whole number.", ProjectFile);
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
}
