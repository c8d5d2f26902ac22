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

    public static FunctionConfiguration FromJson(JsonObject o, JsonObject? code = null) => new()
    {
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
}

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
