using UvLambda.Core.Diagnostics;

namespace UvLambda.Core.Containers;

/// <summary>
/// Where a built image goes, in the text MSBuild gives (ContainerRegistry, ContainerRepository, ContainerImageTags,
/// LambdaEcrRepository, ContainerArchiveOutputPath, SOURCE_DATE_EPOCH). <see cref="Validate"/> refuses a destination
/// that cannot be pushed to, with a coded error, before anything is sent; the other members settle the defaults.
/// </summary>
public sealed record LambdaImagePushRequest
{
    /// <summary>ContainerRepository: where the image goes in <see cref="Registry"/>.</summary>
    public required string Repository { get; init; }
    /// <summary>ContainerRegistry: host[:port]; empty with <see cref="EcrRepository"/>: derived from ECR.</summary>
    public string? Registry { get; init; }
    /// <summary>ContainerImageTag(s) as given: each may hold a ;- or ,-separated list; none: latest.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];
    /// <summary>LambdaEcrRepository: the ECR repository to push to.</summary>
    public string? EcrRepository { get; init; }
    /// <summary>ContainerArchiveOutputPath: a file, or a folder (ends with a separator or exists) for &lt;repository&gt;.tar.gz.</summary>
    public string? ArchiveOutputPath { get; init; }
    /// <summary>Seconds since 1970 for the archive's entries; empty: 0.</summary>
    public string? SourceDateEpoch { get; init; }

    /// <summary>Throws UVL3109 for a registry, repository or tag that is not one, UVL3110 with nowhere to publish, UVL1007 for the archive's timestamp.</summary>
    public void Validate(string? projectFile = null)
    {
        var registry = RegistryHost;
        if (registry is not null && (registry.Contains("://") || !ImageReference.IsValidRegistry(registry)))
            throw new UvLambdaException(ErrorCodes.InvalidContainerSetting, $"ContainerRegistry '{Registry}' is not a registry host[:port] (no scheme, no path), e.g. 123456789012.dkr.ecr.us-east-1.amazonaws.com.", projectFile);
        if (!ImageReference.IsValidRepository(Repository))
            throw new UvLambdaException(ErrorCodes.InvalidContainerSetting, $"ContainerRepository '{Repository}' is not a repository name: lowercase letters, digits, '.', '_', '-' and '/' separators.", projectFile);
        foreach (var t in TagList)
            if (!ImageReference.IsValidTag(t))
                throw new UvLambdaException(ErrorCodes.InvalidContainerSetting, $"Container tag '{t}' is not valid: letters, digits, '_', '.', '-', at most 128, not starting with '.' or '-'.", projectFile);
        if (registry is null && EcrRepositoryName is null && !WritesArchive)
            throw new UvLambdaException(ErrorCodes.NoContainerDestination, "Nowhere to publish the image: set ContainerRegistry or LambdaEcrRepository (push) and/or ContainerArchiveOutputPath (archive file).", projectFile);
        if (WritesArchive) LambdaImageRequest.ParseSourceDateEpoch(SourceDateEpoch, projectFile);
    }

    /// <summary>The registry as given, trimmed and without a trailing '/'; null when empty.</summary>
    public string? RegistryHost => string.IsNullOrWhiteSpace(Registry) ? null : Registry.Trim().TrimEnd('/');

    public string? EcrRepositoryName => string.IsNullOrWhiteSpace(EcrRepository) ? null : EcrRepository.Trim();

    /// <summary>The tags, split, trimmed and distinct, in order; latest when none is given.</summary>
    public IReadOnlyList<string> TagList
    {
        get
        {
            var tags = Tags.SelectMany(t => t.Split([';', ','])).Select(t => t.Trim()).Where(t => t.Length > 0).Distinct().ToList();
            if (tags.Count == 0) tags.Add("latest");
            return tags;
        }
    }

    public bool WritesArchive => !string.IsNullOrWhiteSpace(ArchiveOutputPath);

    /// <summary>The archive's full path: ArchiveOutputPath, or &lt;repository&gt;.tar.gz in it when it names a folder.</summary>
    public string ArchivePath(string repository)
    {
        var path = ArchiveOutputPath ?? throw new InvalidOperationException("No ContainerArchiveOutputPath.");
        if (path.EndsWith('/') || path.EndsWith('\\') || Directory.Exists(path))
            path = Path.Combine(path, repository.Replace('/', '-') + ".tar.gz");
        return Path.GetFullPath(path);
    }

    /// <summary>The names docker load gives the archived image: [registry/]repository:tag for each tag.</summary>
    public IReadOnlyList<string> ArchiveNames(string? registry, string repository) =>
        TagList.Select(t => $"{(registry is null ? "" : registry + "/")}{repository}:{t}").ToList();

    /// <summary>The archive's entry time (SOURCE_DATE_EPOCH, else 0).</summary>
    public long ArchiveTimestamp => LambdaImageRequest.ParseSourceDateEpoch(SourceDateEpoch);
}
