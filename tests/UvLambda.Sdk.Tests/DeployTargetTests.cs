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
