using UvLambda.Core.Diagnostics;
using UvLambda.Core.Projects;

namespace UvLambda.Core.Tests.Projects;

public class LambdaProjectSettingsTests
{
    [Fact]
    public void Valid_settings_come_back_in_canonical_spelling()
    {
        var s = LambdaProjectSettings.Validate("3.12", "ARM64", "zip", "app.main.handler");
        Assert.Equal(("3.12", "arm64", "Zip"), (s.PythonVersion, s.Architecture, s.PackageType));
    }

    [Fact]
    public void No_handler_is_valid_here_so_a_bare_uv_project_resolves_but_a_malformed_one_is_not()
    {
        Assert.Null(LambdaProjectSettings.Validate("3.12", "x86_64", "Zip", " ").Handler);
        Assert.Equal(ErrorCodes.InvalidHandler,
            Assert.Throws<UvLambdaException>(() => LambdaProjectSettings.Validate("3.12", "x86_64", "Zip", "no-dots")).Code);
    }

    [Fact]
    public void An_unknown_architecture_is_UVL1001_listing_the_valid_values()
    {
        var e = Assert.Throws<UvLambdaException>(() => LambdaProjectSettings.Validate("3.13", "aarch64", "Zip", "app.main.handler", "/p/a.pyproj"));
        Assert.Equal(ErrorCodes.InvalidArchitecture, e.Code);
        Assert.Contains("x86_64, arm64", e.Message);
        Assert.Equal("/p/a.pyproj", e.File);
    }

    [Fact]
    public void An_unknown_package_type_is_UVL1002_and_a_container_word_points_at_Image()
    {
        var e = Assert.Throws<UvLambdaException>(() => LambdaProjectSettings.Validate("3.13", "x86_64", "Docker", "app.main.handler"));
        Assert.Equal(ErrorCodes.InvalidPackageType, e.Code);
        Assert.Contains("a container image function is LambdaPackageType Image", e.Message);
        Assert.DoesNotContain("container image", Assert.Throws<UvLambdaException>(() => LambdaProjectSettings.Validate("3.13", "x86_64", "Jar", "app.main.handler")).Message);
    }

    [Theory]
    [InlineData("3.9")]
    [InlineData("3.15")]
    [InlineData("3")]
    [InlineData("python3.13")]
    public void A_python_version_lambda_does_not_offer_is_UVL1005(string version) =>
        Assert.Equal(ErrorCodes.InvalidPythonVersion,
            Assert.Throws<UvLambdaException>(() => LambdaProjectSettings.Validate(version, "x86_64", "Zip", "app.main.handler")).Code);

    [Theory]
    [InlineData("x64", "x86_64")]     // .NET's RID
    [InlineData("amd64", "x86_64")]   // Docker's and Go's
    [InlineData("x86-64", "x86_64")]
    [InlineData("aarch64", "arm64")]  // Linux's and uv's (aarch64-manylinux_2_28)
    [InlineData("linux-arm64", "arm64")]
    public void Another_name_for_a_lambda_architecture_is_UVL1001_saying_which_value_to_write(string written, string meant)
    {
        var e = Assert.Throws<UvLambdaException>(() => LambdaProjectSettings.Validate("3.13", written, "Zip", "app.main.handler", "/p/a.pyproj"));
        Assert.Equal(ErrorCodes.InvalidArchitecture, e.Code);
        Assert.Contains($"write <LambdaArchitecture>{meant}</LambdaArchitecture>", e.Message);
    }

    [Fact]
    public void An_unrelated_architecture_gets_no_guess()
    {
        var e = Assert.Throws<UvLambdaException>(() => LambdaProjectSettings.Validate("3.13", "s390x", "Zip", "app.main.handler"));
        Assert.DoesNotContain("write <LambdaArchitecture>", e.Message);
        Assert.Contains("Valid values: x86_64, arm64.", e.Message);
    }

    [Theory]
    [InlineData("3.12.1", "write '3.12'")]          // a patch release, as `uv python pin` can write
    [InlineData("python3.12", "write '3.12'")]      // Lambda's runtime identifier
    [InlineData("3.9", "Lambda deprecated python3.9 on 2025-12-15")]
    public void A_near_miss_python_version_is_UVL1005_saying_why_and_what_to_write(string version, string hint)
    {
        var e = Assert.Throws<UvLambdaException>(() => LambdaProjectSettings.Validate(version, "x86_64", "Zip", "app.main.handler"));
        Assert.Equal(ErrorCodes.InvalidPythonVersion, e.Code);
        Assert.Contains(hint, e.Message);
        Assert.Contains("Use one of: 3.10, 3.11, 3.12, 3.13, 3.14.", e.Message);
    }
}
