using System.Text.RegularExpressions;
using UvLambda.Core.Aws.Ecr;
using UvLambda.Core.Diagnostics;

namespace UvLambda.Core.Deploy;

/// <summary>What to deploy and how the function should look. Nothing here is secret.</summary>
public sealed record DeploySettings
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

    public string Runtime => "python" + PythonVersion;
    public bool IsImage => PackageType == "Image";
    public bool IsLayer => PackageType == "Layer";

    /// <summary>Layer with no <see cref="LayerPackagePath"/>: the project has no dependency layer (nothing third-party).</summary>
    public bool HasLayer => IsLayer && LayerPackagePath is not null;
    public bool HasLocalLayer => IsLayer && LocalLayerPackagePath is not null;

    private static readonly Regex FunctionNamePattern = new(@"^(arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:\d{12}:function:)?[a-zA-Z0-9_-]{1,64}$", RegexOptions.CultureInvariant);
    private static readonly Regex LayerNamePattern = new(@"^[a-zA-Z0-9_-]{1,140}$", RegexOptions.CultureInvariant);
    private static readonly Regex EnvNamePattern = new(@"^[a-zA-Z][a-zA-Z0-9_]*$", RegexOptions.CultureInvariant);

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
        if (!FunctionNamePattern.IsMatch(FunctionName))
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
        if (HasLayer && (string.IsNullOrEmpty(LayerName) || !LayerNamePattern.IsMatch(LayerName)))
            throw Bad(ErrorCodes.DeployInvalidSetting, $"LambdaLayerName '{LayerName}' is not a valid layer name (1–140 letters, digits, '-' or '_').");
        if (HasLocalLayer && (string.IsNullOrEmpty(LocalLayerName) || !LayerNamePattern.IsMatch(LocalLayerName)))
            throw Bad(ErrorCodes.DeployInvalidSetting, $"LambdaLocalLayerName '{LocalLayerName}' is not a valid layer name (1–140 letters, digits, '-' or '_').");
        // Counted against Lambda's 5 with the layers this deploy really attaches (a Layer project may have no dependency layer).
        Projects.ExternalLayers.Validate(ExternalLayers, HasLayer || HasLocalLayer ? PackageType : IsLayer ? "Zip" : PackageType,
            HasLayer && HasLocalLayer ? "Local" : null, projectFile);
        if (!IsImage && string.IsNullOrEmpty(Handler))
            throw Bad(ErrorCodes.DeployInvalidHandler, "No LambdaHandler to deploy. Set <LambdaHandler>module.function</LambdaHandler>.");
        if (IsImage && !string.IsNullOrEmpty(ImageUri)) CheckImageUri(ImageUri, null, projectFile);
        foreach (var (name, _) in Environment ?? new Dictionary<string, string>())
        {
            if (!EnvNamePattern.IsMatch(name))
                throw Bad(ErrorCodes.DeployInvalidEnvironmentVariable, $"LambdaEnvironmentVariable '{name}' is not a valid name (a letter, then letters, digits or '_').");
            if (ReservedEnvironment.Contains(name))
                throw Bad(ErrorCodes.DeployInvalidEnvironmentVariable, $"LambdaEnvironmentVariable '{name}' is reserved: Lambda sets it itself. Use another name.");
        }
        foreach (var (path, property) in new[] { (IsImage ? null : PackagePath, "LambdaPackagePath"), (IsLayer ? LayerPackagePath : null, "LambdaLayerPath"), (HasLocalLayer ? LocalLayerPackagePath : null, "LambdaLocalLayerPath") })
        {
            if (path is null && property == "LambdaPackagePath" && !IsImage)
                throw Bad(ErrorCodes.DeployArtifactMissing, "No package to deploy: LambdaPackagePath is empty.");
            if (path is not null && !File.Exists(path))
                throw Bad(ErrorCodes.DeployArtifactMissing, $"{property} '{path}' does not exist. Build first (dotnet publish builds it).");
        }
    }

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
}
