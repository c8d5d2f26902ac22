using Microsoft.Build.Framework;
using UvLambda.Core.Containers;
using UvLambda.Core.Deploy;

namespace UvLambda.Build.Tasks;

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
        var request = new LambdaImagePushRequest
        {
            Repository = Repository,
            Registry = Registry,
            Tags = Tags ?? [],
            EcrRepository = EcrRepository,
            ArchiveOutputPath = ArchiveOutputPath,
            SourceDateEpoch = SourceDateEpoch,
        };
        request.Validate(ProjectFile);
        var environment = ContainerTaskSupport.Environment();
        var profile = string.IsNullOrWhiteSpace(AwsProfile) ? null : AwsProfile.Trim();
        var defaultRegion = string.IsNullOrWhiteSpace(AwsRegion) ? null : AwsRegion.Trim();
        // Refuses a registry Lambda cannot run from, and makes sure the ECR repository exists, before the first blob.
        EcrPushTarget.PushAsync(request.RegistryHost, Repository, request.EcrRepositoryName, CreateRepository, ForLambda,
            region => new UvLambda.Core.Aws.Ecr.EcrClient(UvLambda.Core.Aws.AwsSession.Resolve(profile, region ?? defaultRegion), log: BuildLog),
            (target, repository) => Push(request, environment, target, repository), BuildLog, CancellationToken, ProjectFile).GetAwaiter().GetResult();
    }

    private async Task<bool> Push(LambdaImagePushRequest request, Dictionary<string, string?> environment, string? registry, string repository)
    {
        var image = BuiltImage.Load(ImageDirectory);
        var cache = ContainerTaskSupport.Cache(CacheDirectory, environment);
        var credentials = RegistryCredentials.Default(environment, registry, image.BaseRegistry, ContainerTaskSupport.EcrCredentialProvider(AwsProfile));
        var options = RegistryClientOptions.FromEnvironment(environment);
        RegistryClient BaseClient() => new(image.BaseRegistry, credentials, options, BuildLog);

        GeneratedContainerDigest = image.ManifestDigest;
        if (registry is not null)
        {
            using var client = new RegistryClient(registry, credentials, options, BuildLog);
            var result = await ImagePusher.PushAsync(image, ImageDirectory, client, repository, request.TagList, BaseClient, cache, BuildLog, CancellationToken).ConfigureAwait(false);
            GeneratedContainerReference = result.Reference;
            GeneratedContainerNames = [.. result.TaggedReferences];
            UploadedBytes = result.UploadedBytes;
        }
        if (request.WritesArchive)
        {
            var path = request.ArchivePath(repository);
            await ImageArchive.WriteAsync(image, ImageDirectory, path, request.ArchiveNames(registry, repository), BaseClient, cache, request.ArchiveTimestamp, CancellationToken)
                .ConfigureAwait(false);
            GeneratedArchiveOutputPath = path;
            BuildLog.Info($"Wrote image {image.ManifestDigest} to {path}");
        }
        return true;
    }
}
