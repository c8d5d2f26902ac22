namespace UvLambda.Sdk.Tests;

/// <summary>How Publish and DeployLambda are wired (evaluation and AWS-free builds; the real deploy is end-to-end).</summary>
public class DeployTargetTests
{
    private const string AppMain = "def handler(event, context):\n    return {}\n";

    [Fact]
    public void Function_and_layer_names_default_from_the_project_name()
    {
        using var p = new SdkProject("", ("app/main.py", AppMain));
        var project = p.Evaluate();
        var name = Path.GetFileNameWithoutExtension(p.ProjectPath);
        Assert.Equal(name, project.GetPropertyValue("LambdaFunctionName"));
        Assert.Equal(name + "-dependencies", project.GetPropertyValue("LambdaLayerName"));
        Assert.Equal("false", project.GetPropertyValue("LambdaCreateRepository"));
    }

    [Fact]
    public void Publish_deploys_only_with_DeployTarget_Lambda()
    {
        using var p = new SdkProject("", ("app/main.py", AppMain));
        Assert.DoesNotContain("DeployLambda", p.Evaluate().GetPropertyValue("PublishDependsOn"));
        var deploying = p.Evaluate(new Dictionary<string, string> { ["DeployTarget"] = "Lambda" }).GetPropertyValue("PublishDependsOn");
        // Image projects push between the two (PushLambdaImage is conditioned on LambdaPackageType=Image).
        Assert.Contains("Build;PushLambdaImage;DeployLambda", deploying);
    }

    [Fact]
    public void Publish_extension_point_runs_after_the_deploy()
    {
        using var p = new SdkProject("""
            <PropertyGroup><PublishDependsOn>$(PublishDependsOn);AfterMyPublish</PublishDependsOn></PropertyGroup>
            """, ("app/main.py", AppMain));
        Assert.EndsWith(";AfterMyPublish", p.Evaluate(new Dictionary<string, string> { ["DeployTarget"] = "Lambda" }).GetPropertyValue("PublishDependsOn"));
    }

    [Fact]
    public void An_unknown_DeployTarget_is_UVL4018()
    {
        using var p = new SdkProject("", ("app/main.py", AppMain));
        var (ok, errors, _) = p.Build("Publish", new Dictionary<string, string> { ["DeployTarget"] = "Heroku" });
        Assert.False(ok);
        Assert.Equal("UVL4018", Assert.Single(errors).Code);
    }

    [Fact]
    public void Deploy_settings_are_checked_before_any_AWS_call()
    {
        using var p = new SdkProject("<PropertyGroup><LambdaMemorySize>64</LambdaMemorySize></PropertyGroup>", ("app/main.py", AppMain));
        var (ok, errors, _) = p.Build("Publish", new Dictionary<string, string> { ["DeployTarget"] = "Lambda", ["AWS_ENDPOINT_URL"] = "http://127.0.0.1:9/" });
        Assert.False(ok);
        var error = Assert.Single(errors);
        Assert.Equal("UVL4018", error.Code);
        Assert.Contains("LambdaMemorySize 64", error.Message);
    }

    /// <summary>
    /// Each production property and item is checked on every build (ValidateLambdaProject), before any AWS call: the
    /// error names the value set in the project. (That they reach DeployLambda is the end-to-end DeployTests' job.)
    /// </summary>
    [Theory]
    [InlineData("<PropertyGroup><LambdaAlias>live</LambdaAlias><LambdaProvisionedConcurrency>7</LambdaProvisionedConcurrency><LambdaReservedConcurrency>3</LambdaReservedConcurrency></PropertyGroup>", "UVL4047", "LambdaProvisionedConcurrency 7 exceeds LambdaReservedConcurrency 3")]
    [InlineData("<PropertyGroup><PythonVersion>3.11</PythonVersion><LambdaPublishVersion>true</LambdaPublishVersion><LambdaSnapStart>PublishedVersions</LambdaSnapStart></PropertyGroup>", "UVL4041", "this is python3.11")]
    [InlineData("<PropertyGroup><LambdaPublishVersion>maybe</LambdaPublishVersion></PropertyGroup>", "UVL4018", "LambdaPublishVersion 'maybe'")]
    [InlineData("<PropertyGroup><LambdaSubnetIds>subnet-0123456789abcdef0;subnet-nothex</LambdaSubnetIds><LambdaSecurityGroupIds>sg-0123456789abcdef0</LambdaSecurityGroupIds></PropertyGroup>", "UVL4042", "'subnet-nothex'")]
    [InlineData("<PropertyGroup><LambdaTracingMode>Sometimes</LambdaTracingMode></PropertyGroup>", "UVL4018", "LambdaTracingMode 'Sometimes'")]
    [InlineData("<PropertyGroup><LambdaEphemeralStorageSize>20000</LambdaEphemeralStorageSize></PropertyGroup>", "UVL4018", "LambdaEphemeralStorageSize 20000")]
    [InlineData("<PropertyGroup><LambdaLogFormat>Text</LambdaLogFormat><LambdaLogGroup>/g</LambdaLogGroup><LambdaApplicationLogLevel>INFO</LambdaApplicationLogLevel></PropertyGroup>", "UVL4044", "need LambdaLogFormat=JSON")]
    [InlineData("<PropertyGroup><LambdaLogFormat>JSON</LambdaLogFormat><LambdaSystemLogLevel>TRACE</LambdaSystemLogLevel></PropertyGroup>", "UVL4044", "LambdaSystemLogLevel 'TRACE'")]
    [InlineData("<PropertyGroup><LambdaDeadLetterTargetArn>arn:aws:s3:::b</LambdaDeadLetterTargetArn></PropertyGroup>", "UVL4043", "LambdaDeadLetterTargetArn 'arn:aws:s3:::b'")]
    [InlineData("<PropertyGroup><LambdaKmsKeyArn>key-1</LambdaKmsKeyArn></PropertyGroup>", "UVL4043", "LambdaKmsKeyArn 'key-1'")]
    [InlineData("<ItemGroup><LambdaTag Include=\"team\" Value=\"a|b\" /></ItemGroup>", "UVL4045", "Value 'a|b'")]
    [InlineData("<ItemGroup><LambdaFileSystem Include=\"arn:aws:elasticfilesystem:us-east-1:123456789012:access-point/fsap-0123456789abcdef0\" LocalMountPath=\"/srv\" /></ItemGroup><PropertyGroup><LambdaSubnetIds>subnet-0123456789abcdef0</LambdaSubnetIds><LambdaSecurityGroupIds>sg-0123456789abcdef0</LambdaSecurityGroupIds></PropertyGroup>", "UVL4018", "LocalMountPath '/srv'")]
    [InlineData("<PropertyGroup><LambdaCapacityProviderArn>arn:aws:lambda:us-east-1:123456789012:capacity-provider:p</LambdaCapacityProviderArn><LambdaMemoryPerVCpu>9.5</LambdaMemoryPerVCpu></PropertyGroup>", "UVL4018", "LambdaMemoryPerVCpu 9.5")]
    [InlineData("<PropertyGroup><LambdaCapacityProviderArn>arn:aws:lambda:us-east-1:123456789012:capacity-provider:p</LambdaCapacityProviderArn><LambdaMaxConcurrencyPerEnvironment>5000</LambdaMaxConcurrencyPerEnvironment></PropertyGroup>", "UVL4018", "LambdaMaxConcurrencyPerEnvironment 5000")]
    [InlineData("<PropertyGroup><PythonVersion>3.13</PythonVersion><LambdaDurableExecutionTimeout>60</LambdaDurableExecutionTimeout><LambdaDurableRetentionDays>91</LambdaDurableRetentionDays></PropertyGroup>", "UVL4018", "LambdaDurableRetentionDays 91")]
    public void Production_settings_are_checked_on_build_before_any_AWS_call(string xml, string code, string message)
    {
        using var p = new SdkProject(xml, ("app/main.py", AppMain));
        foreach (var (target, properties) in new[] { ("Build", new Dictionary<string, string>()), ("Publish", new Dictionary<string, string> { ["DeployTarget"] = "Lambda", ["AWS_ENDPOINT_URL"] = "http://127.0.0.1:9/" }) })
        {
            var (ok, errors, _) = p.Build(target, properties);
            Assert.False(ok);
            var error = Assert.Single(errors);
            Assert.Equal(code, error.Code);
            Assert.Contains(message, error.Message);
        }
    }

    [Fact]
    public void An_image_for_Lambda_in_a_registry_that_is_not_ECR_is_UVL4024_before_the_push()
    {
        using var p = new SdkProject("<PropertyGroup><LambdaPackageType>Image</LambdaPackageType></PropertyGroup>", ("app/main.py", AppMain));
        var properties = new Dictionary<string, string> { ["DeployTarget"] = "Lambda", ["ContainerRegistry"] = "127.0.0.1:5000" };
        // An image already assembled (newer than its inputs), so nothing is pulled: the push comes next.
        var imageJson = Path.Combine(p.Evaluate(properties).GetPropertyValue("_UvLambdaIntermediateDir"), "image", "image.json");
        Directory.CreateDirectory(Path.GetDirectoryName(imageJson)!);
        File.WriteAllText(imageJson, "{}");
        File.SetLastWriteTimeUtc(imageJson, DateTime.UtcNow.AddDays(1));

        var (ok, errors, _) = p.Build("Publish", properties);
        Assert.False(ok);
        var error = Assert.Single(errors);
        Assert.Equal("UVL4024", error.Code);
        Assert.Contains("127.0.0.1:5000", error.Message);
        Assert.Contains("ECR", error.Message);
    }
}
