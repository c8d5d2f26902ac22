using UvLambda.Core.Aws.Ecr;
using UvLambda.Core.Containers;
using UvLambda.Core.Diagnostics;

namespace UvLambda.Core.Deploy;

/// <summary>
/// Where `dotnet publish` pushes a Lambda image, settled before the first blob is sent: LambdaEcrRepository alone
/// names the registry (the repository's URI from ECR, as the AWS tools do), and an ECR repository is created first
/// when LambdaCreateRepository allows it (a fresh account's first push fails without it).
/// </summary>
public static class EcrPushTarget
{
    /// <summary>
    /// Refuses, before anything is pushed or written, a registry Lambda cannot run images from (the image is about to
    /// be deployed to Lambda).
    /// </summary>
    public static void CheckForLambda(string? registry, string? projectFile = null)
    {
        if (registry is not null && !RegistryCredentials.IsEcr(registry))
            throw new UvLambdaException(ErrorCodes.DeployImageNotInEcr,
                $"ContainerRegistry '{registry}' is not Amazon ECR, and DeployTarget=Lambda would deploy the image from it: Lambda only runs images from ECR in the function's account and region. " +
                "Set ContainerRegistry to <account>.dkr.ecr.<region>.amazonaws.com (or set only LambdaEcrRepository, which derives it), or publish without DeployTarget=Lambda to only push.", projectFile);
    }

    /// <summary>
    /// Pushes in order: refuses a registry Lambda cannot run from (<paramref name="forLambda"/>), settles the registry
    /// and repository (<see cref="ResolveAsync"/>: the ECR repository exists afterwards), then calls
    /// <paramref name="push"/> with them — so no blob is sent to a repository that is not there yet.
    /// </summary>
    public static async Task<T> PushAsync<T>(string? registry, string repository, string? ecrRepository, bool createRepository, bool forLambda,
        Func<string?, IEcrApi> ecrFor, Func<string?, string, Task<T>> push, IBuildLog log, CancellationToken ct, string? projectFile = null)
    {
        if (forLambda) CheckForLambda(registry, projectFile);
        var (target, name) = await ResolveAsync(registry, repository, ecrRepository, createRepository, ecrFor, log, ct).ConfigureAwait(false);
        return await push(target, name).ConfigureAwait(false);
    }

    /// <summary>
    /// The registry and repository to push to. With <paramref name="ecrRepository"/> the image goes to that ECR
    /// repository (created when missing and <paramref name="createRepository"/>, else UVL4021) and, without a
    /// registry, to the repository's registry. With an ECR <paramref name="registry"/> and
    /// <paramref name="createRepository"/>, <paramref name="repository"/> is created when missing. Other registries
    /// are left alone. <paramref name="ecrFor"/> gives an ECR client for a region (null: the session's default).
    /// </summary>
    public static async Task<(string? Registry, string Repository)> ResolveAsync(string? registry, string repository, string? ecrRepository,
        bool createRepository, Func<string?, IEcrApi> ecrFor, IBuildLog log, CancellationToken ct)
    {
        var isEcr = registry is not null && RegistryCredentials.IsEcr(registry);
        var region = isEcr ? registry!.Split('.')[3] : null;
        if (!string.IsNullOrEmpty(ecrRepository) && (registry is null || isEcr))
        {
            var (found, _) = await EcrRepositories.EnsureAsync(ecrFor(region), ecrRepository, createRepository, log, ct).ConfigureAwait(false);
            if (registry is null)
            {
                registry = EcrRepositories.RegistryOf(found);
                log.Info($"Pushing to ECR repository {found.RepositoryUri} (LambdaEcrRepository)");
            }
            return (registry, found.RepositoryName);
        }
        if (isEcr && createRepository)
            await EcrRepositories.EnsureAsync(ecrFor(region), repository, create: true, log, ct).ConfigureAwait(false);
        return (registry, repository);
    }
}
