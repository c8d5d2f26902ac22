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

    [Fact]
    public void UvLambdaInstaller_uv_with_a_UvPath_that_is_not_a_file_is_UVL2407_naming_it()
    {
        using var p = new SdkProject("", ("app/main.py", AppMain), ("pyproject.toml", "[project]\nname = \"func\"\nversion = \"1\"\ndependencies = []\n"));
        var uv = Path.Combine(p.Directory, "no-such-bin", "uv");
        var (ok, errors, _) = p.Build("InstallPythonPackages", new Dictionary<string, string> { ["UvLambdaInstaller"] = "uv", ["UvPath"] = uv });
        Assert.False(ok);
        var error = Assert.Single(errors);
        Assert.Equal("UVL2407", error.Code);
        Assert.Contains($"UvPath '{uv}' is not a file", error.Message);
        Assert.Equal(p.ProjectPath, error.File);
    }
}
