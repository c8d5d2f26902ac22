using UvLambda.Core.Aws;
using UvLambda.Core.Diagnostics;

namespace UvLambda.Core.Tests.Aws;

public class AwsProfileTests
{
    [Fact]
    public void A_missing_AWS_PROFILE_is_named_with_the_files_searched()
    {
        using var dir = new TempDirectory();
        var profile = "nosuch-" + Guid.NewGuid().ToString("N")[..8];
        var env = new Dictionary<string, string?> { ["AWS_PROFILE"] = profile, ["HOME"] = dir.Path };
        var e = Assert.Throws<UvLambdaException>(() => AwsSession.Resolve(null, "us-east-1", n => env.GetValueOrDefault(n)));
        Assert.Equal(ErrorCodes.AwsProfileNotFound, e.Code);
        Assert.Contains($"'{profile}' (AWS_PROFILE)", e.Message);
        Assert.Contains(Path.Combine(dir.Path, ".aws", "config") + " (missing)", e.Message);
        Assert.Contains(Path.Combine(dir.Path, ".aws", "credentials") + " (missing)", e.Message);
    }

    [Fact]
    public void Keys_in_the_environment_come_before_AWS_PROFILE_as_in_the_AWS_SDKs()
    {
        var env = new Dictionary<string, string?> { ["AWS_PROFILE"] = "nosuch", ["AWS_ACCESS_KEY_ID"] = "AKIAEXAMPLE" };
        // No profile lookup: whatever the default chain answers, it is not "profile not found".
        var e = Record.Exception(() => AwsSession.Resolve(null, "us-east-1", n => env.GetValueOrDefault(n)));
        Assert.False(e is UvLambdaException { Code: ErrorCodes.AwsProfileNotFound });
    }
}
