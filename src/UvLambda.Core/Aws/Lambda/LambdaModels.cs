using System.Text.Json.Nodes;

namespace UvLambda.Core.Aws.Lambda;

/// <summary>The parts of Lambda's FunctionConfiguration (plus GetFunction's Code) that deploy reads.</summary>
public sealed record FunctionConfiguration
{
    public string FunctionName { get; init; } = "";
    public string FunctionArn { get; init; } = "";
    public string? Runtime { get; init; }
    public string? Role { get; init; }
    public string? Handler { get; init; }
    public string? Description { get; init; }
    public int? Timeout { get; init; }
    public int? MemorySize { get; init; }
    public string? CodeSha256 { get; init; }
    public string PackageType { get; init; } = "Zip";
    public IReadOnlyList<string> Architectures { get; init; } = ["x86_64"];
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();
    public IReadOnlyList<string> Layers { get; init; } = [];
    public string? State { get; init; }
    public string? StateReason { get; init; }
    public string? StateReasonCode { get; init; }
    public string? LastUpdateStatus { get; init; }
    public string? LastUpdateStatusReason { get; init; }
    public string? LastUpdateStatusReasonCode { get; init; }

    /// <summary>GetFunction's Code.ImageUri and Code.ResolvedImageUri (image functions).</summary>
    public string? ImageUri { get; init; }
    public string? ResolvedImageUri { get; init; }

    /// <summary>"$LATEST" or a published version's number.</summary>
    public string? Version { get; init; }
    public string? TracingMode { get; init; }
    public string? SnapStartApplyOn { get; init; }
    public int? EphemeralStorageSize { get; init; }
    public string? KmsKeyArn { get; init; }
    public string? DeadLetterTargetArn { get; init; }
    public IReadOnlyList<string> SubnetIds { get; init; } = [];
    public IReadOnlyList<string> SecurityGroupIds { get; init; } = [];
    public LoggingSettings? Logging { get; init; }
    public IReadOnlyList<FileSystemMount> FileSystems { get; init; } = [];
    public CapacityProviderSettings? CapacityProvider { get; init; }
    public DurableSettings? Durable { get; init; }

    /// <summary>GetFunction's Tags and Concurrency (reserved concurrency; null when unreserved).</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();
    public int? ReservedConcurrency { get; init; }

    public static FunctionConfiguration FromJson(JsonObject o, JsonObject? code = null, JsonObject? getFunction = null) => new()
    {
        Version = Str(o, "Version"),
        TracingMode = o["TracingConfig"] is JsonObject tc ? Str(tc, "Mode") : null,
        SnapStartApplyOn = o["SnapStart"] is JsonObject ss ? Str(ss, "ApplyOn") : null,
        EphemeralStorageSize = o["EphemeralStorage"] is JsonObject es ? Int(es, "Size") : null,
        KmsKeyArn = Str(o, "KMSKeyArn") is { Length: > 0 } kms ? kms : null,
        DeadLetterTargetArn = o["DeadLetterConfig"] is JsonObject dl && Str(dl, "TargetArn") is { Length: > 0 } dlq ? dlq : null,
        SubnetIds = o["VpcConfig"]?["SubnetIds"] is JsonArray sn ? sn.Select(x => x!.GetValue<string>()).ToList() : [],
        SecurityGroupIds = o["VpcConfig"]?["SecurityGroupIds"] is JsonArray sg ? sg.Select(x => x!.GetValue<string>()).ToList() : [],
        Logging = o["LoggingConfig"] is JsonObject lc ? new LoggingSettings(Str(lc, "LogFormat"), Str(lc, "LogGroup"), Str(lc, "ApplicationLogLevel"), Str(lc, "SystemLogLevel")) : null,
        FileSystems = o["FileSystemConfigs"] is JsonArray fs ? fs.OfType<JsonObject>().Select(f => new FileSystemMount(Str(f, "Arn") ?? "", Str(f, "LocalMountPath") ?? "")).ToList() : [],
        CapacityProvider = o["CapacityProviderConfig"]?["LambdaManagedInstancesCapacityProviderConfig"] is JsonObject cp
            ? new CapacityProviderSettings(Str(cp, "CapacityProviderArn") ?? "", Double(cp, "ExecutionEnvironmentMemoryGiBPerVCpu"), Int(cp, "PerExecutionEnvironmentMaxConcurrency")) : null,
        Durable = o["DurableConfig"] is JsonObject dc ? new DurableSettings(Int(dc, "ExecutionTimeout"), Int(dc, "RetentionPeriodInDays")) : null,
        Tags = getFunction?["Tags"] is JsonObject tags ? tags.ToDictionary(kv => kv.Key, kv => kv.Value?.GetValue<string>() ?? "", StringComparer.Ordinal) : new Dictionary<string, string>(),
        ReservedConcurrency = getFunction?["Concurrency"] is JsonObject cc ? Int(cc, "ReservedConcurrentExecutions") : null,
        FunctionName = Str(o, "FunctionName") ?? "",
        FunctionArn = Str(o, "FunctionArn") ?? "",
        Runtime = Str(o, "Runtime"),
        Role = Str(o, "Role"),
        Handler = Str(o, "Handler"),
        Description = Str(o, "Description"),
        Timeout = Int(o, "Timeout"),
        MemorySize = Int(o, "MemorySize"),
        CodeSha256 = Str(o, "CodeSha256"),
        PackageType = Str(o, "PackageType") ?? "Zip",
        Architectures = o["Architectures"] is JsonArray a && a.Count > 0 ? a.Select(x => x!.GetValue<string>()).ToList() : ["x86_64"],
        Environment = o["Environment"]?["Variables"] is JsonObject vars
            ? vars.ToDictionary(kv => kv.Key, kv => kv.Value?.GetValue<string>() ?? "", StringComparer.Ordinal)
            : new Dictionary<string, string>(),
        Layers = o["Layers"] is JsonArray layers ? layers.Select(l => l is JsonObject lo ? Str(lo, "Arn") ?? "" : l!.GetValue<string>()).ToList() : [],
        State = Str(o, "State"),
        StateReason = Str(o, "StateReason"),
        StateReasonCode = Str(o, "StateReasonCode"),
        LastUpdateStatus = Str(o, "LastUpdateStatus"),
        LastUpdateStatusReason = Str(o, "LastUpdateStatusReason"),
        LastUpdateStatusReasonCode = Str(o, "LastUpdateStatusReasonCode"),
        ImageUri = code is null ? null : Str(code, "ImageUri"),
        ResolvedImageUri = code is null ? null : Str(code, "ResolvedImageUri"),
    };

    internal static string? Str(JsonObject o, string key) => o[key] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
    internal static int? Int(JsonObject o, string key) => o[key] is JsonValue v && v.TryGetValue<int>(out var i) ? i : null;
    internal static double? Double(JsonObject o, string key) => o[key] is JsonValue v && v.TryGetValue<double>(out var d) ? d : null;
    internal static long? Long(JsonObject o, string key) => o[key] is JsonValue v && v.TryGetValue<long>(out var i) ? i : null;
}

/// <summary>Function code: a zip inline, a zip in S3, or a container image.</summary>
public sealed record FunctionCode(byte[]? ZipFile = null, string? S3Bucket = null, string? S3Key = null, string? ImageUri = null)
{
    public JsonObject ToJson()
    {
        var o = new JsonObject();
        if (ZipFile is not null) o["ZipFile"] = Convert.ToBase64String(ZipFile);
        if (S3Bucket is not null) { o["S3Bucket"] = S3Bucket; o["S3Key"] = S3Key; }
        if (ImageUri is not null) o["ImageUri"] = ImageUri;
        return o;
    }
}

/// <summary>CreateFunction's input.</summary>
public sealed record CreateFunctionRequest
{
    public required string FunctionName { get; init; }
    public required string Role { get; init; }
    public required FunctionCode Code { get; init; }
    public string PackageType { get; init; } = "Zip";
    public string? Runtime { get; init; }
    public string? Handler { get; init; }
    public string? Description { get; init; }
    public int? Timeout { get; init; }
    public int? MemorySize { get; init; }
    public IReadOnlyList<string> Architectures { get; init; } = ["x86_64"];
    public IReadOnlyDictionary<string, string>? Environment { get; init; }
    public IReadOnlyList<string>? Layers { get; init; }
    public IReadOnlyDictionary<string, string>? Tags { get; init; }
    public CapacityProviderSettings? CapacityProvider { get; init; }
    public FunctionExtras Extras { get; init; } = new();
}

/// <summary>
/// The production settings CreateFunction and UpdateFunctionConfiguration share; null fields are not sent (left as
/// they are on update).
/// </summary>
public sealed record FunctionExtras
{
    public string? TracingMode { get; init; }
    public string? SnapStartApplyOn { get; init; }
    public int? EphemeralStorageSize { get; init; }
    public string? KmsKeyArn { get; init; }
    public string? DeadLetterTargetArn { get; init; }

    /// <summary>Both set or both null.</summary>
    public IReadOnlyList<string>? SubnetIds { get; init; }
    public IReadOnlyList<string>? SecurityGroupIds { get; init; }
    public LoggingSettings? Logging { get; init; }
    public IReadOnlyList<FileSystemMount>? FileSystems { get; init; }
    public DurableSettings? Durable { get; init; }

    public bool IsEmpty => this == new FunctionExtras();

    public void WriteTo(JsonObject body)
    {
        if (TracingMode is not null) body["TracingConfig"] = new JsonObject { ["Mode"] = TracingMode };
        if (SnapStartApplyOn is not null) body["SnapStart"] = new JsonObject { ["ApplyOn"] = SnapStartApplyOn };
        if (EphemeralStorageSize is not null) body["EphemeralStorage"] = new JsonObject { ["Size"] = EphemeralStorageSize };
        if (KmsKeyArn is not null) body["KMSKeyArn"] = KmsKeyArn;
        if (DeadLetterTargetArn is not null) body["DeadLetterConfig"] = new JsonObject { ["TargetArn"] = DeadLetterTargetArn };
        if (SubnetIds is not null && SecurityGroupIds is not null)
            body["VpcConfig"] = new JsonObject { ["SubnetIds"] = Strings(SubnetIds), ["SecurityGroupIds"] = Strings(SecurityGroupIds) };
        if (Logging is { } l)
        {
            var lo = new JsonObject();
            if (l.LogFormat is not null) lo["LogFormat"] = l.LogFormat;
            if (l.LogGroup is not null) lo["LogGroup"] = l.LogGroup;
            if (l.ApplicationLogLevel is not null) lo["ApplicationLogLevel"] = l.ApplicationLogLevel;
            if (l.SystemLogLevel is not null) lo["SystemLogLevel"] = l.SystemLogLevel;
            body["LoggingConfig"] = lo;
        }
        if (FileSystems is not null)
            body["FileSystemConfigs"] = new JsonArray(FileSystems.Select(f => (JsonNode?)new JsonObject { ["Arn"] = f.Arn, ["LocalMountPath"] = f.LocalMountPath }).ToArray());
        if (Durable is { } d)
        {
            var dc = new JsonObject();
            if (d.ExecutionTimeout is not null) dc["ExecutionTimeout"] = d.ExecutionTimeout;
            if (d.RetentionPeriodInDays is not null) dc["RetentionPeriodInDays"] = d.RetentionPeriodInDays;
            body["DurableConfig"] = dc;
        }
    }

    internal static JsonArray Strings(IEnumerable<string> values) => new(values.Select(v => (JsonNode?)v).ToArray());
}

/// <summary>LoggingConfig: null fields are Lambda's (or not sent).</summary>
public sealed record LoggingSettings(string? LogFormat, string? LogGroup, string? ApplicationLogLevel, string? SystemLogLevel);

/// <summary>One FileSystemConfigs entry: an EFS access point mounted at /mnt/….</summary>
public sealed record FileSystemMount(string Arn, string LocalMountPath);

/// <summary>CapacityProviderConfig.LambdaManagedInstancesCapacityProviderConfig (Lambda Managed Instances).</summary>
public sealed record CapacityProviderSettings(string CapacityProviderArn, double? MemoryGiBPerVCpu, int? MaxConcurrencyPerEnvironment)
{
    public JsonObject ToJson()
    {
        var o = new JsonObject { ["CapacityProviderArn"] = CapacityProviderArn };
        if (MemoryGiBPerVCpu is not null) o["ExecutionEnvironmentMemoryGiBPerVCpu"] = MemoryGiBPerVCpu;
        if (MaxConcurrencyPerEnvironment is not null) o["PerExecutionEnvironmentMaxConcurrency"] = MaxConcurrencyPerEnvironment;
        return new JsonObject { ["LambdaManagedInstancesCapacityProviderConfig"] = o };
    }
}

/// <summary>DurableConfig (durable functions).</summary>
public sealed record DurableSettings(int? ExecutionTimeout, int? RetentionPeriodInDays);

/// <summary>An alias (GetAlias / CreateAlias / UpdateAlias).</summary>
public sealed record FunctionAlias(string Name, string FunctionVersion, string AliasArn);

/// <summary>UpdateFunctionConfiguration's input: null fields are left as they are.</summary>
public sealed record UpdateFunctionConfigurationRequest
{
    public required string FunctionName { get; init; }
    public string? Role { get; init; }
    public string? Runtime { get; init; }
    public string? Handler { get; init; }
    public string? Description { get; init; }
    public int? Timeout { get; init; }
    public int? MemorySize { get; init; }
    public IReadOnlyDictionary<string, string>? Environment { get; init; }
    public IReadOnlyList<string>? Layers { get; init; }
    public FunctionExtras Extras { get; init; } = new();
}

/// <summary>A layer version (ListLayerVersions / GetLayerVersion / PublishLayerVersion).</summary>
public sealed record LayerVersion(string LayerVersionArn, long Version, string? Description, string? CodeSha256,
    IReadOnlyList<string> CompatibleRuntimes, IReadOnlyList<string> CompatibleArchitectures, long? CodeSize = null, string? Location = null)
{
    public static LayerVersion FromJson(JsonObject o) => new(
        FunctionConfiguration.Str(o, "LayerVersionArn") ?? "",
        FunctionConfiguration.Long(o, "Version") ?? 0,
        FunctionConfiguration.Str(o, "Description"),
        o["Content"] is JsonObject c ? FunctionConfiguration.Str(c, "CodeSha256") : null,
        o["CompatibleRuntimes"] is JsonArray r ? r.Select(x => x!.GetValue<string>()).ToList() : [],
        o["CompatibleArchitectures"] is JsonArray a ? a.Select(x => x!.GetValue<string>()).ToList() : [],
        o["Content"] is JsonObject c2 ? FunctionConfiguration.Long(c2, "CodeSize") : null,
        o["Content"] is JsonObject c3 ? FunctionConfiguration.Str(c3, "Location") : null);
}

/// <summary>PublishLayerVersion's input.</summary>
public sealed record PublishLayerVersionRequest(string LayerName, FunctionCode Content, string? Description,
    IReadOnlyList<string> CompatibleRuntimes, IReadOnlyList<string> CompatibleArchitectures);

/// <summary>A function URL's configuration.</summary>
public sealed record FunctionUrlConfig(string FunctionUrl, string AuthType);

/// <summary>AddPermission's input.</summary>
public sealed record AddPermissionRequest(string FunctionName, string StatementId, string Action, string Principal, string? FunctionUrlAuthType = null, bool? InvokedViaFunctionUrl = null);
