using Microsoft.Build.Framework;
using UvLambda.Core.Containers;

namespace UvLambda.Build.Tasks;

/// <summary>What the two image tasks wire alike: the process environment, ECR's registry passwords, the blob cache.</summary>
internal static class ContainerTaskSupport
{
    /// <summary>
    /// ECR hosts get their passwords from ecr:GetAuthorizationToken through AWSSDK.Core's credential chain (AWSProfile
    /// when set), cached until the token expires; other hosts never see it.
    /// </summary>
    public static IRegistryCredentialProvider EcrCredentialProvider(string? awsProfile) =>
        new CachingCredentialProvider(UvLambda.Core.Aws.Ecr.EcrRegistryCredentialProvider.ForProfile(string.IsNullOrWhiteSpace(awsProfile) ? null : awsProfile));

    public static Dictionary<string, string?> Environment() => UvLambda.Core.Processes.ProcessEnvironment.Current();

    /// <summary>UvLambdaCacheDir, else the wheel cache's default root: base image blobs live beside the wheels.</summary>
    public static BlobStore Cache(string? cacheDirectory, IReadOnlyDictionary<string, string?> environment) =>
        new(string.IsNullOrWhiteSpace(cacheDirectory) ? UvLambda.Core.Install.Fetching.ContentCache.DefaultRoot(environment) : cacheDirectory);

    /// <summary>Items as (Include, Value metadata) pairs; Core checks the names.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Pairs(ITaskItem[]? items) =>
        (items ?? []).Select(i => new KeyValuePair<string, string>(i.ItemSpec, i.GetMetadata("Value"))).ToList();
}
