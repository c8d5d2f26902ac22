using UvLambda.Core.Containers;

namespace UvLambda.Core.Aws.Ecr;

/// <summary>
/// Registry credentials for private ECR hosts from ecr:GetAuthorizationToken — what `aws ecr get-login-password |
/// docker login` does, in process. The session is resolved only when an ECR host is asked for (so builds that never
/// touch ECR need no AWS credentials); the region is the registry host's. Wrap it in a CachingCredentialProvider:
/// tokens are valid for hours.
/// </summary>
public sealed class EcrRegistryCredentialProvider(Func<string, AwsSession> sessionForRegion) : IRegistryCredentialProvider
{
    /// <summary>Sessions from AWSSDK.Core's standard chain (AWSProfile, else the default chain).</summary>
    public static EcrRegistryCredentialProvider ForProfile(string? profile) =>
        new(region => AwsSession.Resolve(profile, region));

    public async Task<RegistryCredential?> GetCredentialAsync(string registry, CancellationToken cancellationToken)
    {
        if (!RegistryCredentials.IsEcr(registry)) return null;
        // account.dkr.ecr.REGION.amazonaws.com
        var region = registry.Split('.')[3];
        var client = new EcrClient(sessionForRegion(region));
        var login = await client.GetAuthorizationTokenAsync(cancellationToken).ConfigureAwait(false);
        return new RegistryCredential(login.Username, login.Password, login.ExpiresAt);
    }
}
