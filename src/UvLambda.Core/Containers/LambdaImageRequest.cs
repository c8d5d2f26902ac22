using System.Globalization;
using UvLambda.Core.Archives;
using UvLambda.Core.Diagnostics;
using UvLambda.Core.Standards;

namespace UvLambda.Core.Containers;

/// <summary>
/// A Lambda image as the project describes it, in the text MSBuild gives (ContainerBaseImage, ContainerImageFormat,
/// LambdaTaskRoot, ContainerEntrypoint, ContainerWorkingDirectory, ContainerUser, LambdaRuntimeInterfaceClient,
/// ContainerEnvironmentVariable/ContainerLabel items, SOURCE_DATE_EPOCH). <see cref="Validate"/> refuses what cannot
/// be built, with a coded error; <see cref="ToBuildRequest"/> settles the defaults for <see cref="ImageBuilder"/>.
/// </summary>
public sealed record LambdaImageRequest
{
    /// <summary>Where a Lambda base image (and so, by default, the image) keeps the function.</summary>
    public const string DefaultTaskRoot = "/var/task";

    /// <summary>awslambdaric's entrypoint, for a base that is not a Lambda image.</summary>
    public static readonly IReadOnlyList<string> RuntimeInterfaceClientEntrypoint = ["python", "-m", "awslambdaric"];

    public required string BaseImage { get; init; }
    /// <summary>x86_64 or arm64 (Lambda's names).</summary>
    public required string Architecture { get; init; }
    /// <summary>ContainerImageFormat: Docker (default, empty) or OCI, any case.</summary>
    public string? Format { get; init; }
    /// <summary>Seconds since 1970 for file mtimes and the config's created; empty: 0.</summary>
    public string? SourceDateEpoch { get; init; }
    /// <summary>LambdaTaskRoot: an absolute folder; empty: /var/task.</summary>
    public string? TaskRoot { get; init; }
    /// <summary>ContainerEntrypoint: ;-separated; empty: the base's (or awslambdaric's with <see cref="RuntimeInterfaceClient"/>).</summary>
    public string? Entrypoint { get; init; }
    /// <summary>ContainerWorkingDirectory: absolute; empty: the base's (or the task root with <see cref="RuntimeInterfaceClient"/>).</summary>
    public string? WorkingDirectory { get; init; }
    public string? User { get; init; }
    /// <summary>LambdaRuntimeInterfaceClient: the base is no Lambda image, so the image runs awslambdaric from the lock.</summary>
    public bool RuntimeInterfaceClient { get; init; }
    /// <summary>The names of the packages the lock ships (any spelling): awslambdaric must be one with <see cref="RuntimeInterfaceClient"/>.</summary>
    public IReadOnlyList<string> PackageNames { get; init; } = [];
    /// <summary>ContainerEnvironmentVariable items as given: name (Include) and Value.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> EnvironmentVariables { get; init; } = [];
    /// <summary>ContainerLabel items as given: name (Include) and Value.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Labels { get; init; } = [];

    /// <summary>Throws the coded error of the first setting that cannot be built (UVL3109, UVL1007, UVL3120, or the base image's).</summary>
    public void Validate(string? projectFile = null)
    {
        ParseFormat(Format, projectFile);
        ParseBaseImage(projectFile);
        ParseSourceDateEpoch(SourceDateEpoch, projectFile);
        var taskRoot = SettledTaskRoot();
        if (!taskRoot.StartsWith('/') || taskRoot.Split('/').Contains("..") || taskRoot.Trim('/').Length == 0)
            throw new UvLambdaException(ErrorCodes.InvalidContainerSetting, $"LambdaTaskRoot '{TaskRoot}' is not an absolute folder path such as /var/task.", projectFile);
        if (!string.IsNullOrWhiteSpace(WorkingDirectory) && !WorkingDirectory.Trim().StartsWith('/'))
            throw new UvLambdaException(ErrorCodes.InvalidContainerSetting, $"ContainerWorkingDirectory '{WorkingDirectory}' is not an absolute path.", projectFile);
        if (RuntimeInterfaceClient && !PackageNames.Any(n => PackageName.Normalize(n) == "awslambdaric"))
            throw new UvLambdaException(ErrorCodes.RuntimeInterfaceClientMissing,
                "LambdaRuntimeInterfaceClient=true runs the function through awslambdaric (python -m awslambdaric), but uv.lock does not ship it. Run `uv add awslambdaric` and build again.", projectFile);
        Pairs(EnvironmentVariables, "ContainerEnvironmentVariable", projectFile);
        Pairs(Labels, "ContainerLabel", projectFile);
    }

    /// <summary>The validated request with its defaults settled, for <see cref="ImageBuilder"/>.</summary>
    public ImageBuildRequest ToBuildRequest(IReadOnlyList<ArchiveEntry> dependencyFiles, IReadOnlyList<ArchiveEntry> appFiles, string handler,
        string outputDirectory, string? projectFile = null)
    {
        Validate(projectFile);
        var taskRoot = SettledTaskRoot();
        return new ImageBuildRequest
        {
            TaskRoot = taskRoot.Trim('/'),
            Entrypoint = string.IsNullOrWhiteSpace(Entrypoint)
                ? RuntimeInterfaceClient ? RuntimeInterfaceClientEntrypoint : null
                : Entrypoint.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList(),
            WorkingDirectory = string.IsNullOrWhiteSpace(WorkingDirectory) ? RuntimeInterfaceClient ? taskRoot : null : WorkingDirectory.Trim(),
            User = string.IsNullOrWhiteSpace(User) ? null : User.Trim(),
            // A Lambda base sets LAMBDA_TASK_ROOT=/var/task itself; anything else needs it said.
            SetTaskRootEnvironment = RuntimeInterfaceClient || taskRoot != DefaultTaskRoot,
            BaseImage = ParseBaseImage(projectFile),
            Architecture = Architecture,
            Format = ParseFormat(Format, projectFile),
            DependencyFiles = dependencyFiles,
            AppFiles = appFiles,
            Handler = handler,
            Environment = Pairs(EnvironmentVariables, "ContainerEnvironmentVariable", projectFile),
            Labels = Pairs(Labels, "ContainerLabel", projectFile),
            Timestamp = ParseSourceDateEpoch(SourceDateEpoch, projectFile),
            OutputDirectory = outputDirectory,
        };
    }

    private ImageReference ParseBaseImage(string? projectFile)
    {
        try
        {
            return ImageReference.Parse(BaseImage, "ContainerBaseImage");
        }
        catch (UvLambdaException e) when (e.File is null && projectFile is not null)
        {
            throw e.WithFile(projectFile);
        }
    }

    private string SettledTaskRoot() => string.IsNullOrWhiteSpace(TaskRoot) ? DefaultTaskRoot : TaskRoot.Trim();

    private static ImageFormat ParseFormat(string? value, string? projectFile = null) => (value ?? "").Trim().ToLowerInvariant() switch
    {
        "" or "docker" => ImageFormat.Docker,
        "oci" => ImageFormat.Oci,
        _ => throw new UvLambdaException(ErrorCodes.InvalidContainerSetting, $"ContainerImageFormat '{value}' is not Docker or OCI.", projectFile),
    };

    /// <summary>SOURCE_DATE_EPOCH in seconds, else 0 (1970-01-01), for layer mtimes and the config's created.</summary>
    internal static long ParseSourceDateEpoch(string? sourceDateEpoch, string? projectFile = null)
    {
        if (string.IsNullOrWhiteSpace(sourceDateEpoch)) return 0;
        if (!long.TryParse(sourceDateEpoch.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var s) || s > 253402300799L)
            throw new UvLambdaException(ErrorCodes.InvalidSourceDateEpoch,
                $"SOURCE_DATE_EPOCH '{sourceDateEpoch}' is not a whole number of seconds since 1970-01-01. Unset it, or set it to e.g. the last commit's time (git log -1 --format=%ct).", projectFile);
        return s;
    }

    private static IReadOnlyList<KeyValuePair<string, string>> Pairs(IReadOnlyList<KeyValuePair<string, string>> items, string itemName, string? projectFile)
    {
        var result = new List<KeyValuePair<string, string>>();
        foreach (var (given, value) in items)
        {
            var name = given.Trim();
            // An environment variable's name cannot hold '=' (KEY=VALUE in the config); a label's can.
            if (name.Length == 0 || name.Contains('=') && itemName == "ContainerEnvironmentVariable")
                throw new UvLambdaException(ErrorCodes.InvalidContainerSetting, $"A {itemName} item has no valid name ('{given}'): put the name in Include and the value in Value metadata.", projectFile);
            result.Add(new(name, value));
        }
        return result;
    }
}
