using UvLambda.Core.Aws;
using UvLambda.Core.Diagnostics;

namespace UvLambda.Core.Tests.Aws;

[Collection(AwsCollection.Name)]
public class RoleArnTests(AwsFixture aws)
{
    [Theory]
    [InlineData("lambda-exec", true)]
    [InlineData("service-role/lambda-exec", true)]
    [InlineData("/service-role/lambda-exec", true)]
    [InlineData("arn:aws:iam::123456789012:role/x", false)]
    [InlineData("has space", false)]
    [InlineData("", false)]
    public void Role_names_are_told_from_arns_and_garbage(string role, bool isName) => Assert.Equal(isName, RoleArn.IsName(role));

    [Theory]
    [InlineData("lambda-exec", "arn:aws:sts::111122223333:assumed-role/Deployer/ci", "arn:aws:iam::111122223333:role/lambda-exec")]
    [InlineData("service-role/x", "arn:aws-cn:iam::111122223333:user/me", "arn:aws-cn:iam::111122223333:role/service-role/x")]
    public void A_name_is_completed_with_the_callers_partition_and_account(string name, string caller, string expected) =>
        Assert.Equal(expected, RoleArn.FromCaller(name, caller));

    [Fact]
    public void A_caller_without_an_account_is_UVL4010() =>
        Assert.Equal(ErrorCodes.DeployRoleMissing, Assert.Throws<UvLambdaException>(() => RoleArn.FromCaller("x", "nonsense")).Code);

    [Fact]
    public async Task Resolving_a_name_asks_sts_for_the_account_and_leaves_arns_alone()
    {
        var session = aws.Session(aws.Moto.Url);
        Assert.Equal("arn:aws:iam::123456789012:role/lambda-exec", await RoleArn.ResolveAsync("lambda-exec", session, default));
        Assert.Equal("arn:aws:iam::999999999999:role/x", await RoleArn.ResolveAsync("arn:aws:iam::999999999999:role/x", session, default));
        Assert.Null(await RoleArn.ResolveAsync(null, session, default));
    }
}
