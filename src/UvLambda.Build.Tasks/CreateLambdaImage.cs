using Microsoft.Build.Framework;
using UvLambda.Core.Archives;
using UvLambda.Core.Containers;
using UvLambda.Core.Deploy;
using UvLambda.Core.Diagnostics;
using UvLambda.Core.Install.Fetching;
using UvLambda.Core.Projects;

namespace UvLambda.Build.Tasks;

/// <summary>
/// Assembles the container image under obj/: pulls the base's manifest and config (not its layers), writes the
/// dependencies and app layers, the config and the manifest. Deterministic; nothing is pushed.
/// </summary>
public sealed class CreateLambdaImage : UvLambdaTask
{
    [Required] public string ProjectDirectory { get; set; } = "";
    /// <summary>Empty: UVL1003 here, where a handler is first needed (resolving a bare uv project needs none).</summary>
    public string Handler { get; set; } = "";
    [Required] public string BaseImage { get; set; } = "";
    [Required] public string Architecture { get; set; } = "";
    [Required] public string ImageDirectory { get; set; } = "";
    public string? ImageFormat { get; set; }
    public ITaskItem[]? Sources { get; set; }
    public string? SiteDirectory { get; set; }
    /// <summary>install-state.json: the installed packages, whose wheels are read in place.</summary>
    public string? StateFile { get; set; }
    public ITaskItem[]? ExcludedDirectories { get; set; }
    public string? SourceDateEpoch { get; set; }
    public string? CacheDirectory { get; set; }

    /// <summary>AWSProfile, for ECR registries (the profile's name only: credentials are resolved inside, never passed).</summary>
    public string? AwsProfile { get; set; }

    /// <summary>ContainerEnvironmentVariable items: name in Include, metadata Value.</summary>
    public ITaskItem[]? EnvironmentVariables { get; set; }

    /// <summary>ContainerLabel items: name in Include, metadata Value.</summary>
    public ITaskItem[]? Labels { get; set; }

    /// <summary>LambdaRuntimeInterfaceClient: the base is not a Lambda image, so the image runs awslambdaric from the lock.</summary>
    public bool RuntimeInterfaceClient { get; set; }
    /// <summary>PythonPackage items: with <see cref="RuntimeInterfaceClient"/>, awslambdaric must be one of them.</summary>
    public ITaskItem[]? Packages { get; set; }
    /// <summary>LambdaTaskRoot: where the app and dependencies go (default /var/task).</summary>
    public string? TaskRoot { get; set; }
    /// <summary>ContainerEntrypoint: ;-separated, replaces the base's (and awslambdaric's) ENTRYPOINT.</summary>
    public string? Entrypoint { get; set; }
    /// <summary>ContainerWorkingDirectory: replaces WORKDIR.</summary>
    public string? WorkingDirectory { get; set; }
    /// <summary>ContainerUser: the image's User.</summary>
    public string? User { get; set; }

    [Output] public string? ManifestDigest { get; private set; }
    [Output] public string? ConfigDigest { get; private set; }

    private protected override void ExecuteCore()
    {
        var environment = ContainerTaskSupport.Environment();
        var format = ContainerTaskSupport.ParseFormat(ImageFormat);
        var baseImage = ImageReference.Parse(BaseImage, "ContainerBaseImage");
        var timestamp = ContainerTaskSupport.Timestamp(SourceDateEpoch);
        var sources = LambdaSourceFile.Map(ProjectDirectory, PathsOf(Sources), ProjectFile,
            (ExcludedDirectories ?? []).Select(i => i.ItemSpec).Where(s => s.Length > 0).ToList());
        var app = sources.Select(s => s.ToArchiveEntry()).ToList();
        var deps = Core.Install.InstalledSet.Load(string.IsNullOrEmpty(StateFile) ? null : StateFile, string.IsNullOrEmpty(SiteDirectory) ? null : SiteDirectory).Select(f => f.Entry).ToList();
        var handler = LambdaHandler.Parse(Handler, ProjectFile);
        handler.EnsureIn(FunctionPackage.Modes(app.Concat(deps)), ProjectFile);

        var taskRoot = string.IsNullOrWhiteSpace(TaskRoot) ? "/var/task" : TaskRoot!.Trim();
        if (!taskRoot.StartsWith('/') || taskRoot.Split('/').Contains("..") || taskRoot.Trim('/').Length == 0)
            throw new UvLambdaException(ErrorCodes.InvalidContainerSetting, $"LambdaTaskRoot '{TaskRoot}' is not an absolute folder path such as /var/task.", ProjectFile);
        if (!string.IsNullOrWhiteSpace(WorkingDirectory) && !WorkingDirectory!.Trim().StartsWith('/'))
            throw new UvLambdaException(ErrorCodes.InvalidContainerSetting, $"ContainerWorkingDirectory '{WorkingDirectory}' is not an absolute path.", ProjectFile);
        if (RuntimeInterfaceClient && !(Packages ?? []).Any(p => UvLambda.Core.Packaging.PackageName.Normalize(p.GetMetadata("Name") is { Length: > 0 } n ? n : p.ItemSpec) == "awslambdaric"))
            throw new UvLambdaException(ErrorCodes.RuntimeInterfaceClientMissing,
                "LambdaRuntimeInterfaceClient=true runs the function through awslambdaric (python -m awslambdaric), but uv.lock does not ship it. Run `uv add awslambdaric` and build again.", ProjectFile);
        var entrypoint = string.IsNullOrWhiteSpace(Entrypoint)
            ? RuntimeInterfaceClient ? ["python", "-m", "awslambdaric"] : null
            : Entrypoint!.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        var workdir = string.IsNullOrWhiteSpace(WorkingDirectory) ? RuntimeInterfaceClient ? taskRoot : null : WorkingDirectory!.Trim();
        var request = new ImageBuildRequest
        {
            TaskRoot = taskRoot.Trim('/'),
            Entrypoint = entrypoint,
            WorkingDirectory = workdir,
            User = string.IsNullOrWhiteSpace(User) ? null : User!.Trim(),
            SetTaskRootEnvironment = RuntimeInterfaceClient || taskRoot != "/var/task",
            BaseImage = baseImage,
            Architecture = Architecture,
            Format = format,
            DependencyFiles = deps,
            AppFiles = app,
            Handler = Handler,
            Environment = ContainerTaskSupport.Pairs(EnvironmentVariables, "ContainerEnvironmentVariable"),
            Labels = ContainerTaskSupport.Pairs(Labels, "ContainerLabel"),
            Timestamp = timestamp,
            OutputDirectory = ImageDirectory,
        };
        var cache = new BlobStore(string.IsNullOrWhiteSpace(CacheDirectory) ? ContentCache.DefaultRoot(environment) : CacheDirectory!);
        var credentials = RegistryCredentials.Default(environment, null, baseImage.Registry, ContainerTaskSupport.EcrCredentialProvider(AwsProfile));
        using var client = new RegistryClient(baseImage.Registry, credentials, RegistryClientOptions.FromEnvironment(environment), BuildLog);
        var image = ImageBuilder.BuildAsync(request, client, cache, BuildLog).GetAwaiter().GetResult();
        ManifestDigest = image.ManifestDigest;
        ConfigDigest = image.ConfigDigest;
    }
}

/// <summary>
/// Pushes the image built under obj/ to ContainerRegistry/ContainerRepository under each tag, and/or writes it as
/// an archive (docker load, or an OCI layout tar). Outputs the digest and reference to deploy.
/// </summary>
public sealed class PushLambdaImage : UvLambdaTask
{
    [Required] public string ImageDirectory { get; set; } = "";
    [Required] public string Repository { get; set; } = "";
    public string? Registry { get; set; }
    public string[]? Tags { get; set; }
    public string? ArchiveOutputPath { get; set; }
    public string? CacheDirectory { get; set; }

    /// <summary>AWSProfile, for ECR registries (the profile's name only: credentials are resolved inside, never passed).</summary>
    public string? AwsProfile { get; set; }
    public string? SourceDateEpoch { get; set; }

    /// <summary>LambdaEcrRepository: the ECR repository to push to; without <see cref="Registry"/> its registry is derived from ECR.</summary>
    public string? EcrRepository { get; set; }
    /// <summary>LambdaCreateRepository: create the ECR repository before the push when it is missing.</summary>
    public bool CreateRepository { get; set; }
    /// <summary>AWSRegion: the region of a derived ECR registry (else the profile's or environment's).</summary>
    public string? AwsRegion { get; set; }
    /// <summary>True when the pushed image is about to be deployed to Lambda: a non-ECR registry is refused before the push.</summary>
    public bool ForLambda { get; set; }

    [Output] public string? GeneratedContainerDigest { get; private set; }
    /// <summary>registry/repository@sha256:…, what Lambda's ImageUri should name (empty when only an archive was written).</summary>
    [Output] public string? GeneratedContainerReference { get; private set; }
    [Output] public string[]? GeneratedContainerNames { get; private set; }
    [Output] public string? GeneratedArchiveOutputPath { get; private set; }
    [Output] public long UploadedBytes { get; private set; }

    private protected override void ExecuteCore()
    {
        var environment = ContainerTaskSupport.Environment();
        var registry = string.IsNullOrWhiteSpace(Registry) ? null : Registry!.Trim().TrimEnd('/');
        if (registry is not null && (registry.Contains("://") || !ImageReference.IsValidRegistry(registry)))
            throw new UvLambdaException(ErrorCodes.InvalidContainerSetting, $"ContainerRegistry '{Registry}' is not a registry host[:port] (no scheme, no path), e.g. 123456789012.dkr.ecr.us-east-1.amazonaws.com.");
        if (!ImageReference.IsValidRepository(Repository))
            throw new UvLambdaException(ErrorCodes.InvalidContainerSetting, $"ContainerRepository '{Repository}' is not a repository name: lowercase letters, digits, '.', '_', '-' and '/' separators.");
        var tags = (Tags ?? []).SelectMany(t => t.Split([';', ','])).Select(t => t.Trim()).Where(t => t.Length > 0).Distinct().ToList();
        if (tags.Count == 0) tags.Add("latest");
        foreach (var t in tags)
            if (!ImageReference.IsValidTag(t))
                throw new UvLambdaException(ErrorCodes.InvalidContainerSetting, $"Container tag '{t}' is not valid: letters, digits, '_', '.', '-', at most 128, not starting with '.' or '-'.");
        var ecrRepository = string.IsNullOrWhiteSpace(EcrRepository) ? null : EcrRepository!.Trim();
        if (registry is null && ecrRepository is null && string.IsNullOrWhiteSpace(ArchiveOutputPath))
            throw new UvLambdaException(ErrorCodes.NoContainerDestination, "Nowhere to publish the image: set ContainerRegistry or LambdaEcrRepository (push) and/or ContainerArchiveOutputPath (archive file).");
        var profile = string.IsNullOrWhiteSpace(AwsProfile) ? null : AwsProfile!.Trim();
        var defaultRegion = string.IsNullOrWhiteSpace(AwsRegion) ? null : AwsRegion!.Trim();
        // Refuses a registry Lambda cannot run from, and makes sure the ECR repository exists, before the first blob.
        EcrPushTarget.PushAsync(registry, Repository, ecrRepository, CreateRepository, ForLambda,
            region => new UvLambda.Core.Aws.Ecr.EcrClient(UvLambda.Core.Aws.AwsSession.Resolve(profile, region ?? defaultRegion), log: BuildLog),
            (target, repository) => Push(environment, target, repository, tags), BuildLog, default, ProjectFile).GetAwaiter().GetResult();
    }

    private async Task<bool> Push(Dictionary<string, string?> environment, string? registry, string repository, List<string> tags)
    {
        var image = BuiltImage.Load(ImageDirectory);
        var cache = new BlobStore(string.IsNullOrWhiteSpace(CacheDirectory) ? ContentCache.DefaultRoot(environment) : CacheDirectory!);
        var credentials = RegistryCredentials.Default(environment, registry, image.BaseRegistry, ContainerTaskSupport.EcrCredentialProvider(AwsProfile));
        var options = RegistryClientOptions.FromEnvironment(environment);
        RegistryClient BaseClient() => new(image.BaseRegistry, credentials, options, BuildLog);

        GeneratedContainerDigest = image.ManifestDigest;
        if (registry is not null)
        {
            using var client = new RegistryClient(registry, credentials, options, BuildLog);
            var result = await ImagePusher.PushAsync(image, ImageDirectory, client, repository, tags, BaseClient, cache, BuildLog).ConfigureAwait(false);
            GeneratedContainerReference = result.Reference;
            GeneratedContainerNames = [.. result.TaggedReferences];
            UploadedBytes = result.UploadedBytes;
        }
        if (!string.IsNullOrWhiteSpace(ArchiveOutputPath))
        {
            var path = ArchiveOutputPath!;
            if (path.EndsWith('/') || path.EndsWith('\\') || Directory.Exists(path))
                path = Path.Combine(path, repository.Replace('/', '-') + ".tar.gz");
            path = Path.GetFullPath(path);
            var names = tags.Select(t => $"{(registry is null ? "" : registry + "/")}{repository}:{t}").ToList();
            await ImageArchive.WriteAsync(image, ImageDirectory, path, names, BaseClient, cache, ContainerTaskSupport.Timestamp(SourceDateEpoch)).ConfigureAwait(false);
            GeneratedArchiveOutputPath = path;
            BuildLog.Info($"Wrote image {image.ManifestDigest} to {path}");
        }
        return true;
    }
}

internal static class ContainerTaskSupport
{
    /// <summary>
    /// ECR hosts get their passwords from ecr:GetAuthorizationToken through AWSSDK.Core's credential chain (AWSProfile
    /// when set), cached until the token expires; other hosts never see it.
    /// </summary>
    public static IRegistryCredentialProvider EcrCredentialProvider(string? awsProfile) =>
        new CachingCredentialProvider(UvLambda.Core.Aws.Ecr.EcrRegistryCredentialProvider.ForProfile(string.IsNullOrWhiteSpace(awsProfile) ? null : awsProfile));

    public static Dictionary<string, string?> Environment() => UvLambda.Core.Processes.ProcessEnvironment.Current();

    public static ImageFormat ParseFormat(string? value) => (value ?? "").Trim().ToLowerInvariant() switch
    {
        "" or "docker" => ImageFormat.Docker,
        "oci" => ImageFormat.Oci,
        _ => throw new UvLambdaException(ErrorCodes.InvalidContainerSetting, $"ContainerImageFormat '{value}' is not Docker or OCI."),
    };

    /// <summary>SOURCE_DATE_EPOCH in seconds, else 0 (1970-01-01), for layer mtimes and the config's created.</summary>
    public static long Timestamp(string? sourceDateEpoch)
    {
        if (string.IsNullOrWhiteSpace(sourceDateEpoch)) return 0;
        if (!long.TryParse(sourceDateEpoch.Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var s) || s > 253402300799L)
            throw new UvLambdaException(ErrorCodes.InvalidSourceDateEpoch,
                $"SOURCE_DATE_EPOCH '{sourceDateEpoch}' is not a whole number of seconds since 1970-01-01. Unset it, or set it to e.g. the last commit's time (git log -1 --format=%ct).");
        return s;
    }

    public static IReadOnlyList<KeyValuePair<string, string>> Pairs(ITaskItem[]? items, string itemName)
    {
        var result = new List<KeyValuePair<string, string>>();
        foreach (var item in items ?? [])
        {
            var name = item.ItemSpec.Trim();
            if (name.Length == 0 || name.Contains('=') && itemName == "ContainerEnvironmentVariable")
                throw new UvLambdaException(ErrorCodes.InvalidContainerSetting, $"A {itemName} item has no valid name ('{item.ItemSpec}'): put the name in Include and the value in Value metadata.");
            result.Add(new(name, item.GetMetadata("Value")));
        }
        return result;
    }
}
