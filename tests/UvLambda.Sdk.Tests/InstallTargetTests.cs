namespace UvLambda.Sdk.Tests;

/// <summary>How InstallPythonPackages is configured from the project (the install itself is end-to-end).</summary>
public class InstallTargetTests
{
    private const string AppMain = "def handler(event, context):\n    return {}\n";

    [Theory]
    [InlineData("", "262144000")]
    [InlineData("<PropertyGroup><LambdaPackageType>Layer</LambdaPackageType></PropertyGroup>", "262144000")]
    [InlineData("<PropertyGroup><LambdaPackageType>Image</LambdaPackageType></PropertyGroup>", "10737418240")]
    public void The_unpack_limit_is_lambdas_unzipped_limit_for_the_package_type(string properties, string limit)
    {
        using var p = new SdkProject(properties, ("app/main.py", AppMain));
        Assert.Equal(limit, p.Evaluate().GetPropertyValue("_UvLambdaMaxUnpackedBytes"));
    }
}
