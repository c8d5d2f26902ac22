using UvLambda.Core.Deploy;
using UvLambda.Core.Diagnostics;
using UvLambda.Core.Tests.Aws;

namespace UvLambda.Core.Tests.Deploy;

/// <summary>The function's own settings (environment, function URL, artifacts) are checked before any AWS call, with a code.</summary>
public sealed class DeploySettingsTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private DeploySettings Valid() => new()
    {
        FunctionName = "fn",
        PackagePath = TestZips.Write(_temp.Combine("fn.zip"), "def lambda_handler(e, c):\n    return 1\n"),
        Handler = "lambda_function.lambda_handler",
        PythonVersion = "3.12",
    };

    public static TheoryData<string, string, string> Cases => new()
    {
        { "env name", ErrorCodes.DeployInvalidEnvironmentVariable, "LambdaEnvironmentVariable '1ST'" },
        { "env reserved", ErrorCodes.DeployInvalidEnvironmentVariable, "'AWS_REGION' is reserved" },
        { "function url", ErrorCodes.DeployInvalidFunctionUrl, "LambdaFunctionUrl 'PUBLIC'" },
        { "no package", ErrorCodes.DeployArtifactMissing, "LambdaPackagePath is empty" },
        { "package missing", ErrorCodes.DeployArtifactMissing, "does not exist. Build first" },
        { "layer missing", ErrorCodes.DeployArtifactMissing, "LambdaLayerPath" },
    };

    private DeploySettings Case(string name) => name switch
    {
        "env name" => Valid() with { Environment = new Dictionary<string, string> { ["1ST"] = "x" } },
        "env reserved" => Valid() with { Environment = new Dictionary<string, string> { ["AWS_REGION"] = "eu-west-1" } },
        "function url" => Valid() with { FunctionUrlAuthType = "PUBLIC" },
        "no package" => Valid() with { PackagePath = null },
        "package missing" => Valid() with { PackagePath = _temp.Combine("gone.zip") },
        "layer missing" => Valid() with { PackageType = "Layer", LayerName = "deps", LayerPackagePath = _temp.Combine("gone-layer.zip") },
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void An_invalid_function_setting_is_a_coded_error_naming_the_project(string name, string code, string message)
    {
        var e = Assert.Throws<UvLambdaException>(() => Case(name).Validate("/p/fn.pyproj"));
        Assert.Equal(code, e.Code);
        Assert.Contains(message, e.Message);
        Assert.Equal("/p/fn.pyproj", e.File);
    }

    [Fact]
    public void The_valid_settings_the_cases_start_from_pass()
    {
        (Valid() with { Environment = new Dictionary<string, string> { ["STAGE"] = "x" }, FunctionUrlAuthType = "AWS_IAM" }).Validate();
    }
}
