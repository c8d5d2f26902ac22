using Microsoft.Build.Framework;
using UvLambda.Core.Archives;
using UvLambda.Core.Containers;
using UvLambda.Core.Diagnostics;
using UvLambda.Core.Projects;
using UvLambda.Core.Artifacts;

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
        var image = new LambdaImageRequest
        {
            BaseImage = BaseImage,
            Architecture = Architecture,
            Format = ImageFormat,
            SourceDateEpoch = SourceDateEpoch,
            TaskRoot = TaskRoot,
            Entrypoint = Entrypoint,
            WorkingDirectory = WorkingDirectory,
            User = User,
            RuntimeInterfaceClient = RuntimeInterfaceClient,
            PackageNames = (Packages ?? []).Select(p => p.GetMetadata("Name") is { Length: > 0 } n ? n : p.ItemSpec).ToList(),
            EnvironmentVariables = ContainerTaskSupport.Pairs(EnvironmentVariables),
            Labels = ContainerTaskSupport.Pairs(Labels),
        };
        // Settings first: a wrong one is reported before the sources and the site folder are read.
        image.Validate(ProjectFile);
        var sources = LambdaSourceFile.Map(ProjectDirectory, PathsOf(Sources), ProjectFile,
            (ExcludedDirectories ?? []).Select(i => i.ItemSpec).Where(s => s.Length > 0).ToList());
        var app = sources.Select(s => s.ToArchiveEntry()).ToList();
        var deps = Core.Install.InstalledSet.Load(string.IsNullOrEmpty(StateFile) ? null : StateFile, string.IsNullOrEmpty(SiteDirectory) ? null : SiteDirectory).Select(f => f.Entry).ToList();
        LambdaHandler? handler = null;
        try
        {
            handler = LambdaHandler.Parse(Handler, sources, ProjectFile);
            handler.EnsureIn(FunctionPackage.Modes(app.Concat(deps)), ProjectFile);
        }
        catch (UvLambdaException e)
        {
            throw PropertyLocation.Locate(handler?.ExplainUnpackaged(e, ProjectDirectory) ?? e, ProjectFile, Handler);
        }
        handler.WarnIfFunctionMissing(sources, BuildLog);
        var request = image.ToBuildRequest(deps, app, Handler, ImageDirectory, ProjectFile);

        var environment = ContainerTaskSupport.Environment();
        var credentials = RegistryCredentials.Default(environment, null, request.BaseImage.Registry, ContainerTaskSupport.EcrCredentialProvider(AwsProfile));
        using var client = new RegistryClient(request.BaseImage.Registry, credentials, RegistryClientOptions.FromEnvironment(environment), BuildLog);
        var built = ImageBuilder.BuildAsync(request, client, ContainerTaskSupport.Cache(CacheDirectory, environment), BuildLog, CancellationToken)
            .GetAwaiter().GetResult();
        ManifestDigest = built.ManifestDigest;
        ConfigDigest = built.ConfigDigest;
    }
}
