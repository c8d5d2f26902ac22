using UvLambda.Core.Aws.Ecr;

namespace UvLambda.Core.Tests.Aws;

[Collection(AwsCollection.Name)]
public class EcrRegistryCredentialProviderTests(AwsFixture aws)
{
    [Fact]
    public async Task Ecr_hosts_get_a_login_from_GetAuthorizationToken_in_the_hosts_region()
    {
        var regions = new List<string>();
        var provider = new EcrRegistryCredentialProvider(region => { regions.Add(region); return aws.Session(); });
        var credential = await provider.GetCredentialAsync("123456789012.dkr.ecr.eu-west-1.amazonaws.com", CancellationToken.None);
        Assert.NotNull(credential);
        Assert.Equal("AWS", credential!.Username);
        Assert.False(string.IsNullOrEmpty(credential.Password));
        Assert.Equal(["eu-west-1"], regions);
    }

    [Fact]
    public async Task Other_registries_are_never_asked_about_and_need_no_aws_session()
    {
        var provider = new EcrRegistryCredentialProvider(_ => throw new InvalidOperationException("no AWS session expected"));
        Assert.Null(await provider.GetCredentialAsync("127.0.0.1:5000", CancellationToken.None));
        Assert.Null(await provider.GetCredentialAsync("public.ecr.aws", CancellationToken.None));
    }
}
