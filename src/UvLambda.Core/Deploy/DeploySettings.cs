using System.Text.RegularExpressions;
using UvLambda.Core.Aws.Ecr;
using UvLambda.Core.Aws.Lambda;
using UvLambda.Core.Diagnostics;

namespace UvLambda.Core.Deploy;

/// <summary>What to deploy and how the function should look. Nothing here is secret.</summary>
public sealed partial record DeploySettings
{
    public required string FunctionName { get; init; }

    /// <summary><c>Zip</c>, <c>Layer</c> (dependencies in a layer, app in <see cref="PackagePath"/>) or <c>Image</c>.</summary>
    public string PackageType { get; init; } = "Zip";

    /// <summary>The function zip (for Layer: the app zip).</summary>
    public string? PackagePath { get; init; }
    public string? LayerPackagePath { get; init; }
    public string? LayerName { get; init; }

    /// <summary>LambdaLayerSplit=Local: the in-house packages' layer zip (layer-local.zip) and its layer name.</summary>
    public string? LocalLayerPackagePath { get; init; }
    public string? LocalLayerName { get; init; }

    /// <summary>LambdaLayer items: layer version ARNs attached after the project's own layers, in order.</summary>
    public IReadOnlyList<string> ExternalLayers { get; init; } = [];

    /// <summary>A pushed image to deploy (Image); empty when an <see cref="IImagePusher"/> pushes it.</summary>
    public string? ImageUri { get; init; }
    public string? EcrRepository { get; init; }
    public bool CreateRepository { get; init; }

    public string PythonVersion { get; init; } = "3.13";
    public string? Handler { get; init; }
    public string Architecture { get; init; } = "x86_64";
    public string? Role { get; init; }
    public int? MemorySize { get; init; }
    public int? Timeout { get; init; }
    public string? Description { get; init; }

    /// <summary>When not null, the function's environment variables are exactly these.</summary>
    public IReadOnlyDictionary<string, string>? Environment { get; init; }
    public string? S3Bucket { get; init; }

    /// <summary><c>NONE</c>, <c>AWS_IAM</c>, or null for no function URL management.</summary>
    public string? FunctionUrlAuthType { get; init; }

    /// <summary>Publish a version when code or configuration changed (implied by <see cref="Alias"/>).</summary>
    public bool PublishVersion { get; init; }
    public string? Alias { get; init; }
    public int? ProvisionedConcurrency { get; init; }

    /// <summary><c>PublishedVersions</c> or <c>None</c>; null leaves it alone.</summary>
    public string? SnapStart { get; init; }
    public IReadOnlyList<string> SubnetIds { get; init; } = [];
    public IReadOnlyList<string> SecurityGroupIds { get; init; } = [];
    public string? TracingMode { get; init; }
    public int? EphemeralStorageSize { get; init; }
    public string? LogFormat { get; init; }
    public string? LogGroup { get; init; }
    public string? ApplicationLogLevel { get; init; }
    public string? SystemLogLevel { get; init; }

    /// <summary>Null: no reserved concurrency (an existing limit is removed).</summary>
    public int? ReservedConcurrency { get; init; }
    public string? DeadLetterTargetArn { get; init; }
    public string? KmsKeyArn { get; init; }

    /// <summary>The function's tags are exactly these (tags with the reserved <c>aws:</c> prefix excepted).</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();
    public IReadOnlyList<FileSystemMount> FileSystems { get; init; } = [];
    public string? CapacityProviderArn { get; init; }
    public double? MemoryPerVCpu { get; init; }
    public int? MaxConcurrencyPerEnvironment { get; init; }
    public int? DurableExecutionTimeout { get; init; }
    public int? DurableRetentionDays { get; init; }

    /// <summary>Versions are published when asked to, or when an alias must point at one.</summary>
    public bool PublishesVersions => PublishVersion || !string.IsNullOrEmpty(Alias);
    public bool HasVpc => SubnetIds.Count > 0;

    public string Runtime => "python" + PythonVersion;
    public bool IsImage => PackageType == "Image";
    public bool IsLayer => PackageType == "Layer";

    /// <summary>Layer with no <see cref="LayerPackagePath"/>: the project has no dependency layer (nothing third-party).</summary>
    public bool HasLayer => IsLayer && LayerPackagePath is not null;
    public bool HasLocalLayer => IsLayer && LocalLayerPackagePath is not null;

    [GeneratedRegex(@"^(arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:\d{12}:function:)?[a-zA-Z0-9_-]{1,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex FunctionNamePatternRegex();
    [GeneratedRegex(@"^[a-zA-Z0-9_-]{1,140}$", RegexOptions.CultureInvariant)]
    private static partial Regex LayerNamePatternRegex();
    [GeneratedRegex(@"^[a-zA-Z][a-zA-Z0-9_]*$", RegexOptions.CultureInvariant)]
    private static partial Regex EnvNamePatternRegex();

    /// <summary>Variables Lambda sets itself and rejects.</summary>
    private static readonly HashSet<string> ReservedEnvironment = new(StringComparer.Ordinal)
    {
        "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV", "AWS_LAMBDA_FUNCTION_NAME",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME",
        "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
        "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
    };

    /// <summary>Checks what can be checked without AWS, so mistakes fail before any call.</summary>
    public void Validate(string? projectFile = null)
    {
        UvLambdaException Bad(string code, string message) => new(code, message, projectFile);
        if (!FunctionNamePatternRegex().IsMatch(FunctionName))
            throw Bad(ErrorCodes.DeployInvalidSetting, $"LambdaFunctionName '{FunctionName}' is not a valid function name (1–64 letters, digits, '-' or '_', or a function ARN).");
        if (PackageType is not ("Zip" or "Layer" or "Image"))
            throw Bad(ErrorCodes.DeployInvalidSetting, $"LambdaPackageType '{PackageType}' is not Zip, Layer or Image.");
        if (Architecture is not ("x86_64" or "arm64"))
            throw Bad(ErrorCodes.DeployInvalidSetting, $"LambdaArchitecture '{Architecture}' is not x86_64 or arm64.");
        if (MemorySize is { } m && (m < 128 || m > 10240))
            throw Bad(ErrorCodes.DeployInvalidSetting, $"LambdaMemorySize {m} is outside 128–10240 (MB).");
        if (Timeout is { } t && (t < 1 || t > 900))
            throw Bad(ErrorCodes.DeployInvalidSetting, $"LambdaTimeout {t} is outside 1–900 (seconds).");
        if (Description is { Length: > 256 })
            throw Bad(ErrorCodes.DeployInvalidSetting, "LambdaDescription is longer than 256 characters.");
        if (!string.IsNullOrEmpty(Role) && !Aws.RoleArn.IsArn(Role) && !Aws.RoleArn.IsName(Role))
            throw Bad(ErrorCodes.DeployRoleMissing, $"LambdaRole '{Role}' is neither an IAM role ARN (arn:aws:iam::123456789012:role/NAME) nor a role name.");
        if (FunctionUrlAuthType is not (null or "NONE" or "AWS_IAM"))
            throw Bad(ErrorCodes.DeployInvalidFunctionUrl, $"LambdaFunctionUrl '{FunctionUrlAuthType}' is not NONE or AWS_IAM.");
        if (HasLayer && (string.IsNullOrEmpty(LayerName) || !LayerNamePatternRegex().IsMatch(LayerName)))
            throw Bad(ErrorCodes.DeployInvalidSetting, $"LambdaLayerName '{LayerName}' is not a valid layer name (1–140 letters, digits, '-' or '_').");
        if (HasLocalLayer && (string.IsNullOrEmpty(LocalLayerName) || !LayerNamePatternRegex().IsMatch(LocalLayerName)))
            throw Bad(ErrorCodes.DeployInvalidSetting, $"LambdaLocalLayerName '{LocalLayerName}' is not a valid layer name (1–140 letters, digits, '-' or '_').");
        // Counted against Lambda's 5 with the layers this deploy really attaches (a Layer project may have no dependency layer).
        Projects.ExternalLayers.Validate(ExternalLayers, HasLayer || HasLocalLayer ? PackageType : IsLayer ? "Zip" : PackageType,
            HasLayer && HasLocalLayer ? "Local" : null, projectFile);
        if (!IsImage && string.IsNullOrEmpty(Handler))
            throw Bad(ErrorCodes.DeployInvalidHandler, "No LambdaHandler to deploy. Set <LambdaHandler>module.function</LambdaHandler>.");
        if (IsImage && !string.IsNullOrEmpty(ImageUri)) CheckImageUri(ImageUri, null, projectFile);
        foreach (var (name, _) in Environment ?? new Dictionary<string, string>())
        {
            if (!EnvNamePatternRegex().IsMatch(name))
                throw Bad(ErrorCodes.DeployInvalidEnvironmentVariable, $"LambdaEnvironmentVariable '{name}' is not a valid name (a letter, then letters, digits or '_').");
            if (ReservedEnvironment.Contains(name))
                throw Bad(ErrorCodes.DeployInvalidEnvironmentVariable, $"LambdaEnvironmentVariable '{name}' is reserved: Lambda sets it itself. Use another name.");
        }
        ValidateProduction(projectFile);
        foreach (var (path, property) in new[] { (IsImage ? null : PackagePath, "LambdaPackagePath"), (IsLayer ? LayerPackagePath : null, "LambdaLayerPath"), (HasLocalLayer ? LocalLayerPackagePath : null, "LambdaLocalLayerPath") })
        {
            if (path is null && property == "LambdaPackagePath" && !IsImage)
                throw Bad(ErrorCodes.DeployArtifactMissing, "No package to deploy: LambdaPackagePath is empty.");
            if (path is not null && !File.Exists(path))
                throw Bad(ErrorCodes.DeployArtifactMissing, $"{property} '{path}' does not exist. Build first (dotnet publish builds it).");
        }
    }

    [GeneratedRegex(@"^(?!\d+$)[a-zA-Z0-9_-]{1,128}$", RegexOptions.CultureInvariant)]
    private static partial Regex AliasPatternRegex();
    [GeneratedRegex(@"^subnet-[0-9a-f]{8,17}$", RegexOptions.CultureInvariant)]
    private static partial Regex SubnetPatternRegex();
    [GeneratedRegex(@"^sg-[0-9a-f]{8,17}$", RegexOptions.CultureInvariant)]
    private static partial Regex SecurityGroupPatternRegex();
    [GeneratedRegex(@"^arn:aws[a-zA-Z-]*:(sqs|sns):[a-z0-9-]+:\d{12}:[a-zA-Z0-9_.-]{1,256}$", RegexOptions.CultureInvariant)]
    private static partial Regex DeadLetterPatternRegex();
    [GeneratedRegex(@"^arn:aws[a-zA-Z-]*:kms:[a-z0-9-]+:\d{12}:(key/[a-zA-Z0-9-]+|alias/[a-zA-Z0-9/_-]+)$", RegexOptions.CultureInvariant)]
    private static partial Regex KmsKeyPatternRegex();
    // botocore's FileSystemArn and LocalMountPath patterns (Lambda's API model).
    [GeneratedRegex(@"^(arn:aws[a-zA-Z-]*:elasticfilesystem:[a-z]{2}((-gov)|(-iso(b?)))?-[a-z]+-\d{1}:\d{12}:access-point/fsap-[a-f0-9]{17}|arn:aws[-a-z]*:s3files:[0-9a-z-:]+:file-system/fs-[0-9a-f]{17,40}/access-point/fsap-[0-9a-f]{17,40})$", RegexOptions.CultureInvariant)]
    private static partial Regex AccessPointPatternRegex();
    [GeneratedRegex(@"^/mnt/[a-zA-Z0-9-_.]{1,155}$", RegexOptions.CultureInvariant)]
    private static partial Regex MountPathPatternRegex();
    [GeneratedRegex(@"^arn:aws[a-zA-Z-]*:lambda:[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:\d{12}:capacity-provider:[a-zA-Z0-9-_]+$", RegexOptions.CultureInvariant)]
    private static partial Regex CapacityProviderPatternRegex();
    [GeneratedRegex(@"^[\.\-_/#A-Za-z0-9]{1,512}$", RegexOptions.CultureInvariant)]
    private static partial Regex LogGroupPatternRegex();
    // Lambda's tag rules: keys 1–128, values 0–256 characters of letters, digits, spaces and + - = . _ : / @.
    [GeneratedRegex(@"^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$", RegexOptions.CultureInvariant)]
    private static partial Regex TagKeyPatternRegex();
    [GeneratedRegex(@"^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$", RegexOptions.CultureInvariant)]
    private static partial Regex TagValuePatternRegex();

    /// <summary>
    /// Versions, aliases, SnapStart, VPC, tracing, logging, concurrency, tags, file systems, capacity providers, durable
    /// functions. Needs no artifact, so every build runs it (ValidateLambdaProject); with no PythonVersion yet (it is
    /// defaulted later) the runtime-dependent checks wait for the deploy.
    /// </summary>
    public void ValidateProduction(string? projectFile = null)
    {
        var runtimeKnown = Projects.LambdaRuntimes.Find(PythonVersion) is not null;
        UvLambdaException Bad(string code, string message) => new(code, message, projectFile);
        if (!string.IsNullOrEmpty(Alias) && !AliasPatternRegex().IsMatch(Alias))
            throw Bad(ErrorCodes.DeployInvalidVersioning, $"LambdaAlias '{Alias}' is not a valid alias name (1–128 letters, digits, '-' or '_', not only digits).");
        if (ProvisionedConcurrency is { } pc)
        {
            if (string.IsNullOrEmpty(Alias))
                throw Bad(ErrorCodes.DeployInvalidVersioning, "LambdaProvisionedConcurrency needs LambdaAlias: Lambda allocates provisioned concurrency to an alias (or version), never to $LATEST. Set LambdaAlias.");
            if (pc < 1)
                throw Bad(ErrorCodes.DeployInvalidConcurrency, $"LambdaProvisionedConcurrency {pc} must be at least 1 (remove the property for none).");
            if (ReservedConcurrency is { } rc && pc > rc)
                throw Bad(ErrorCodes.DeployInvalidConcurrency, $"LambdaProvisionedConcurrency {pc} exceeds LambdaReservedConcurrency {rc}: Lambda allocates provisioned concurrency within the function's reserved concurrency.");
        }
        if (ReservedConcurrency is < 0)
            throw Bad(ErrorCodes.DeployInvalidConcurrency, $"LambdaReservedConcurrency {ReservedConcurrency} is negative (0 stops all invocations; remove the property for no limit).");
        if (SnapStart is not (null or "PublishedVersions" or "None"))
            throw Bad(ErrorCodes.DeployInvalidSetting, $"LambdaSnapStart '{SnapStart}' is not PublishedVersions or None.");
        if (SnapStart == "PublishedVersions")
        {
            string? why = null;
            if (!PublishesVersions) why = "it applies to published versions only: set LambdaPublishVersion=true or LambdaAlias";
            else if (IsImage) why = "Lambda does not support SnapStart for container images";
            else if (runtimeKnown && !Projects.LambdaRuntimes.AtLeast(PythonVersion, "3.12")) why = $"Lambda supports SnapStart for python3.12 and later, this is {Runtime}";
            else if (ProvisionedConcurrency is not null) why = "Lambda does not support SnapStart with provisioned concurrency";
            else if (FileSystems.Count > 0) why = "Lambda does not support SnapStart with Amazon EFS (LambdaFileSystem)";
            else if (EphemeralStorageSize is > 512) why = "Lambda does not support SnapStart with more than 512 MB of ephemeral storage";
            if (why is not null) throw Bad(ErrorCodes.DeploySnapStartUnsupported, $"LambdaSnapStart=PublishedVersions cannot be used: {why}.");
        }
        if ((SubnetIds.Count > 0) != (SecurityGroupIds.Count > 0))
            throw Bad(ErrorCodes.DeployInvalidVpc, "LambdaSubnetIds and LambdaSecurityGroupIds go together: set both (the function joins the VPC) or neither.");
        if (SubnetIds.Count > 16 || SecurityGroupIds.Count > 5)
            throw Bad(ErrorCodes.DeployInvalidVpc, $"Lambda allows at most 16 subnets and 5 security groups ({SubnetIds.Count} and {SecurityGroupIds.Count} given).");
        foreach (var id in SubnetIds.Where(i => !SubnetPatternRegex().IsMatch(i)))
            throw Bad(ErrorCodes.DeployInvalidVpc, $"LambdaSubnetIds: '{id}' is not a subnet ID (subnet-0123456789abcdef0).");
        foreach (var id in SecurityGroupIds.Where(i => !SecurityGroupPatternRegex().IsMatch(i)))
            throw Bad(ErrorCodes.DeployInvalidVpc, $"LambdaSecurityGroupIds: '{id}' is not a security group ID (sg-0123456789abcdef0).");
        if (FileSystems.Count > 0 && !HasVpc)
            throw Bad(ErrorCodes.DeployInvalidVpc, "LambdaFileSystem needs a VPC: Lambda reaches an EFS access point through the VPC's mount targets. Set LambdaSubnetIds and LambdaSecurityGroupIds.");
        if (FileSystems.Count > 1)
            throw Bad(ErrorCodes.DeployInvalidSetting, "Lambda mounts at most one file system (LambdaFileSystem items): keep one.");
        foreach (var fs in FileSystems)
        {
            if (!AccessPointPatternRegex().IsMatch(fs.Arn))
                throw Bad(ErrorCodes.DeployInvalidArn, $"LambdaFileSystem '{fs.Arn}' is not an EFS access point ARN (arn:aws:elasticfilesystem:REGION:ACCOUNT:access-point/fsap-…).");
            if (!MountPathPatternRegex().IsMatch(fs.LocalMountPath))
                throw Bad(ErrorCodes.DeployInvalidSetting, $"LambdaFileSystem '{fs.Arn}': LocalMountPath '{fs.LocalMountPath}' must be /mnt/NAME (letters, digits, '-', '_', '.').");
        }
        if (TracingMode is not (null or "Active" or "PassThrough"))
            throw Bad(ErrorCodes.DeployInvalidSetting, $"LambdaTracingMode '{TracingMode}' is not Active or PassThrough.");
        if (EphemeralStorageSize is { } es && (es < 512 || es > 10240))
            throw Bad(ErrorCodes.DeployInvalidSetting, $"LambdaEphemeralStorageSize {es} is outside 512–10240 (MB).");
        if (LogFormat is not (null or "Text" or "JSON"))
            throw Bad(ErrorCodes.DeployInvalidLogging, $"LambdaLogFormat '{LogFormat}' is not Text or JSON.");
        if (ApplicationLogLevel is not (null or "TRACE" or "DEBUG" or "INFO" or "WARN" or "ERROR" or "FATAL"))
            throw Bad(ErrorCodes.DeployInvalidLogging, $"LambdaApplicationLogLevel '{ApplicationLogLevel}' is not TRACE, DEBUG, INFO, WARN, ERROR or FATAL.");
        if (SystemLogLevel is not (null or "DEBUG" or "INFO" or "WARN"))
            throw Bad(ErrorCodes.DeployInvalidLogging, $"LambdaSystemLogLevel '{SystemLogLevel}' is not DEBUG, INFO or WARN.");
        if ((ApplicationLogLevel ?? SystemLogLevel) is not null && LogFormat != "JSON")
            throw Bad(ErrorCodes.DeployInvalidLogging, "LambdaApplicationLogLevel and LambdaSystemLogLevel need LambdaLogFormat=JSON (Lambda filters log levels in JSON logs only).");
        if (LogGroup is not null && !LogGroupPatternRegex().IsMatch(LogGroup))
            throw Bad(ErrorCodes.DeployInvalidLogging, $"LambdaLogGroup '{LogGroup}' is not a log group name (1–512 letters, digits, '.', '-', '_', '/', '#').");
        if (DeadLetterTargetArn is not null && !DeadLetterPatternRegex().IsMatch(DeadLetterTargetArn))
            throw Bad(ErrorCodes.DeployInvalidArn, $"LambdaDeadLetterTargetArn '{DeadLetterTargetArn}' is not an SQS queue or SNS topic ARN (arn:aws:sqs:REGION:ACCOUNT:NAME or arn:aws:sns:…).");
        if (KmsKeyArn is not null && !KmsKeyPatternRegex().IsMatch(KmsKeyArn))
            throw Bad(ErrorCodes.DeployInvalidArn, $"LambdaKmsKeyArn '{KmsKeyArn}' is not a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID).");
        if (Tags.Count > 50)
            throw Bad(ErrorCodes.DeployInvalidTag, $"Lambda allows 50 tags per function; {Tags.Count} LambdaTag items are declared.");
        foreach (var (key, value) in Tags)
        {
            if (!TagKeyPatternRegex().IsMatch(key) || key.StartsWith("aws:", StringComparison.OrdinalIgnoreCase))
                throw Bad(ErrorCodes.DeployInvalidTag, $"LambdaTag '{key}' is not a valid tag key (1–128 letters, digits, spaces, + - = . _ : / @; 'aws:' is reserved to AWS).");
            if (!TagValuePatternRegex().IsMatch(value))
                throw Bad(ErrorCodes.DeployInvalidTag, $"LambdaTag '{key}': Value '{value}' is not a valid tag value (0–256 letters, digits, spaces, + - = . _ : / @).");
        }
        if (CapacityProviderArn is null && (MemoryPerVCpu ?? (object?)MaxConcurrencyPerEnvironment) is not null)
            throw Bad(ErrorCodes.DeployInvalidSetting, "LambdaMemoryPerVCpu and LambdaMaxConcurrencyPerEnvironment apply to Lambda Managed Instances only: set LambdaCapacityProviderArn too.");
        if (CapacityProviderArn is not null && !CapacityProviderPatternRegex().IsMatch(CapacityProviderArn))
            throw Bad(ErrorCodes.DeployInvalidArn, $"LambdaCapacityProviderArn '{CapacityProviderArn}' is not a capacity provider ARN (arn:aws:lambda:REGION:ACCOUNT:capacity-provider:NAME).");
        if (MemoryPerVCpu is { } gib && (gib < 2 || gib > 8))
            throw Bad(ErrorCodes.DeployInvalidSetting, $"LambdaMemoryPerVCpu {gib} is outside 2–8 (GiB per vCPU).");
        if (MaxConcurrencyPerEnvironment is { } mc && (mc < 1 || mc > 1600))
            throw Bad(ErrorCodes.DeployInvalidSetting, $"LambdaMaxConcurrencyPerEnvironment {mc} is outside 1–1600.");
        if (DurableExecutionTimeout is { } dt && (dt < 1 || dt > 31_622_400))
            throw Bad(ErrorCodes.DeployInvalidSetting, $"LambdaDurableExecutionTimeout {dt} is outside 1–31622400 (seconds).");
        if (DurableRetentionDays is { } dr && (dr < 1 || dr > 90))
            throw Bad(ErrorCodes.DeployInvalidSetting, $"LambdaDurableRetentionDays {dr} is outside 1–90 (days).");
        if ((DurableExecutionTimeout ?? DurableRetentionDays) is not null && !IsImage && runtimeKnown && !Projects.LambdaRuntimes.AtLeast(PythonVersion, "3.13"))
            throw Bad(ErrorCodes.DeployInvalidSetting, $"Durable functions (LambdaDurableExecutionTimeout, LambdaDurableRetentionDays) need python3.13 or later; this is {Runtime}.");
    }

    /// <summary>The production settings to send (create) or compare (update); null where the project declares nothing.</summary>
    public FunctionExtras Extras() => new()
    {
        TracingMode = TracingMode,
        SnapStartApplyOn = SnapStart,
        EphemeralStorageSize = EphemeralStorageSize,
        KmsKeyArn = KmsKeyArn,
        DeadLetterTargetArn = DeadLetterTargetArn,
        SubnetIds = HasVpc ? SubnetIds : null,
        SecurityGroupIds = HasVpc ? SecurityGroupIds : null,
        Logging = (LogFormat ?? LogGroup ?? ApplicationLogLevel ?? SystemLogLevel) is null ? null : new LoggingSettings(LogFormat, LogGroup, ApplicationLogLevel, SystemLogLevel),
        FileSystems = FileSystems.Count > 0 ? FileSystems : null,
        Durable = (DurableExecutionTimeout ?? DurableRetentionDays) is null ? null : new DurableSettings(DurableExecutionTimeout, DurableRetentionDays),
    };

    public CapacityProviderSettings? CapacityProvider() =>
        CapacityProviderArn is null ? null : new CapacityProviderSettings(CapacityProviderArn, MemoryPerVCpu, MaxConcurrencyPerEnvironment);

    /// <summary>
    /// Lambda runs images only from a private ECR registry in the function's region (another account's needs that
    /// repository's policy to allow it): anything else is refused before any write, instead of Lambda rejecting the
    /// function after the layers and repository were written. <paramref name="region"/> null checks the host only.
    /// </summary>
    public static void CheckImageUri(string imageUri, string? region, string? projectFile = null)
    {
        var slash = imageUri.IndexOf('/');
        var host = slash < 0 ? "" : imageUri[..slash];
        string Fix(string why) =>
            $"The image to deploy, '{imageUri}', {why}. Lambda only runs images from Amazon ECR in the function's account and region. " +
            $"Set ContainerRegistry to <account>.dkr.ecr.{region ?? "<region>"}.amazonaws.com (or only LambdaEcrRepository, which derives it), or LambdaImageUri to an image there.";
        if (!Containers.RegistryCredentials.IsEcr(host))
            throw new UvLambdaException(ErrorCodes.DeployImageNotInEcr, Fix($"is not in an ECR registry ({(host.Length == 0 ? "no registry host" : host)})"), projectFile);
        var hostRegion = host.Split('.')[3];
        if (region is not null && hostRegion != region)
            throw new UvLambdaException(ErrorCodes.DeployImageNotInEcr, Fix($"is in ECR region {hostRegion}, the function in {region}"), projectFile);
    }

    /// <summary>The ECR repository: <see cref="EcrRepository"/>, else the repository of an ECR <see cref="ImageUri"/>.</summary>
    public string? RepositoryName()
    {
        if (!string.IsNullOrEmpty(EcrRepository)) return EcrRepository;
        if (string.IsNullOrEmpty(ImageUri)) return null;
        var slash = ImageUri.IndexOf('/');
        if (slash < 0 || !ImageUri[..slash].Contains(".dkr.ecr.", StringComparison.Ordinal)) return null;
        var path = ImageUri[(slash + 1)..];
        var at = path.IndexOf('@');
        if (at >= 0) path = path[..at];
        var colon = path.LastIndexOf(':');
        return colon >= 0 ? path[..colon] : path;
    }
}

/// <summary>Timing of deploy: Lambda's direct-upload limit, and how to wait for function states.</summary>
public sealed record DeployOptions
{
    public long InlineZipLimit { get; init; } = 50L * 1024 * 1024;
    public TimeSpan WaitTimeout { get; init; } = TimeSpan.FromMinutes(10);
    public TimeSpan PollInitialDelay { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan PollMaxDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How often a non-idempotent write whose answer was lost is checked, then written again.</summary>
    public int LostAnswerAttempts { get; init; } = 4;

    /// <summary>How often CreateFunction is retried while a new role is not yet assumable (IAM propagation).</summary>
    public int RolePropagationAttempts { get; init; } = 8;

    /// <summary>"Today" for the runtime calendar (a create or update Lambda blocks on that day fails before any write); tests fix it.</summary>
    public Func<DateOnly> Today { get; init; } = Projects.LambdaRuntimes.Today;
}

/// <summary>
/// The seam image building plugs into: pushes the project's image to the repository (logging in with the ECR
/// authorization it asks for) and returns the pushed image URI with its digest (<c>repo@sha256:…</c>).
/// </summary>
public interface IImagePusher
{
    Task<string> PushAsync(EcrRepository repository, Func<CancellationToken, Task<EcrAuthorization>> login, CancellationToken cancellationToken);
}

/// <summary>What deploy did, for printing and tests.</summary>
public sealed class DeployResult
{
    public List<string> Created { get; } = [];
    public List<string> Updated { get; } = [];
    public List<string> Skipped { get; } = [];
    public string FunctionArn { get; set; } = "";
    public string? FunctionUrl { get; set; }
    public string? LayerVersionArn { get; set; }
    public string? LocalLayerVersionArn { get; set; }
    public string? ImageUri { get; set; }

    /// <summary>With LambdaPublishVersion or LambdaAlias: the version the deploy published or found unchanged.</summary>
    public string? Version { get; set; }
    public string? AliasArn { get; set; }
}
