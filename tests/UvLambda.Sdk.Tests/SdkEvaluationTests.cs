namespace UvLambda.Sdk.Tests;

public class SdkEvaluationTests
{
    private const string AppMain = "def handler(event, context):\n    return {}\n";

    [Fact]
    public void Defaults_are_x86_64_zip_and_python_3_13_once_resolved()
    {
        using var p = new SdkProject("", ("app/main.py", AppMain));
        var project = p.Evaluate();
        // PythonVersion depends on pyproject.toml/.python-version, so ResolvePythonPackages computes it.
        Assert.Equal("", project.GetPropertyValue("PythonVersion"));
        var (ok, _, instance) = p.Build("ResolvePythonPackages");
        Assert.True(ok);
        Assert.Equal("3.13", instance.GetPropertyValue("PythonVersion"));
        Assert.Equal("x86_64-manylinux_2_34", instance.GetPropertyValue("PythonPlatform"));
        Assert.Equal("x86_64", project.GetPropertyValue("LambdaArchitecture"));
        Assert.Equal("Zip", project.GetPropertyValue("LambdaPackageType"));
        Assert.Equal("Debug", project.GetPropertyValue("Configuration"));
        Assert.Equal(Path.Combine(p.Directory, "bin", "Debug", "package.zip"), project.GetPropertyValue("LambdaPackagePath"));
    }

    [Fact]
    public void The_project_overrides_every_default()
    {
        using var p = new SdkProject("""
            <PropertyGroup>
              <PythonVersion>3.12</PythonVersion><LambdaArchitecture>arm64</LambdaArchitecture>
              <LambdaPackageType>Layer</LambdaPackageType><LambdaHandler>svc.entry.run</LambdaHandler>
            </PropertyGroup>
            """, ("app/main.py", AppMain));
        var project = p.Evaluate();
        Assert.Equal(("3.12", "arm64", "Layer", "svc.entry.run"),
            (project.GetPropertyValue("PythonVersion"), project.GetPropertyValue("LambdaArchitecture"),
             project.GetPropertyValue("LambdaPackageType"), project.GetPropertyValue("LambdaHandler")));
    }

    [Theory]
    [InlineData("app/main.py", "app.main.handler")]
    [InlineData("lambda_function.py", "lambda_function.lambda_handler")]
    [InlineData("other.py", "")]
    public void The_handler_defaults_from_the_files_present(string file, string expected)
    {
        using var p = new SdkProject("", (file, AppMain));
        Assert.Equal(expected, p.Evaluate().GetPropertyValue("LambdaHandler"));
    }

    [Fact]
    public void Default_sources_are_the_apps_python_files_without_build_output_venvs_caches_or_tests()
    {
        using var p = new SdkProject("",
            ("app/main.py", AppMain), ("app/__init__.py", ""), ("app/util/x.py", ""),
            ("bin/Debug/y.py", ""), ("obj/z.py", ""), (".venv/lib/site.py", ""), (".git/hooks/h.py", ""),
            ("app/__pycache__/main.cpython-313.pyc", ""), ("tests/test_main.py", ""), ("conftest.py", ""),
            (".env", "SECRET=1"), ("README.md", ""));
        var items = p.Evaluate().GetItems("LambdaSource").Select(i => i.EvaluatedInclude.Replace('\\', '/')).Order(StringComparer.Ordinal);
        Assert.Equal(["app/__init__.py", "app/main.py", "app/util/x.py"], items);
    }

    [Fact]
    public void Default_sources_can_be_turned_off_and_items_added_by_hand()
    {
        using var p = new SdkProject("""
            <PropertyGroup><EnableDefaultLambdaSourceItems>false</EnableDefaultLambdaSourceItems></PropertyGroup>
            <ItemGroup><LambdaSource Include="app/main.py" /></ItemGroup>
            """, ("app/main.py", AppMain), ("app/other.py", ""));
        Assert.Equal(["app/main.py"], p.Evaluate().GetItems("LambdaSource").Select(i => i.EvaluatedInclude));
    }

    [Fact]
    public void Evaluation_is_offline_and_task_free()
    {
        // The tasks assembly does not exist: evaluation must not load it (IDE design-time evaluations stay cheap).
        using var p = new SdkProject("", ("app/main.py", AppMain));
        var project = p.Evaluate(new Dictionary<string, string> { ["UvLambdaTasksAssembly"] = "/nonexistent/tasks.dll" });
        Assert.Equal("app.main.handler", project.GetPropertyValue("LambdaHandler"));
    }
}

public class ContainerPropertyTests
{
    private const string AppMain = "def handler(event, context):\n    return {}\n";

    [Theory]
    [InlineData("x86_64", "public.ecr.aws/lambda/python:3.12")]
    [InlineData("arm64", "public.ecr.aws/lambda/python:3.12-arm64")]
    public void Container_defaults_follow_the_net_sdk_and_the_lambda_base_image(string architecture, string baseImage)
    {
        using var p = new SdkProject($"""
            <PropertyGroup><PythonVersion>3.12</PythonVersion><LambdaArchitecture>{architecture}</LambdaArchitecture><LambdaPackageType>Image</LambdaPackageType></PropertyGroup>
            """, ("app/main.py", AppMain));
        var project = p.Evaluate();
        Assert.Equal("func", project.GetPropertyValue("ContainerRepository"));
        Assert.Equal("latest", project.GetPropertyValue("ContainerImageTag"));
        Assert.Equal("Docker", project.GetPropertyValue("ContainerImageFormat"));
        var (ok, _, instance) = p.Build("_UvLambdaComputeContainerConfig");
        Assert.True(ok);
        Assert.Equal(baseImage, instance.GetPropertyValue("ContainerBaseImage"));
    }

    [Fact]
    public void An_explicit_base_image_and_tags_win()
    {
        using var p = new SdkProject("""
            <PropertyGroup><LambdaPackageType>Image</LambdaPackageType><ContainerBaseImage>127.0.0.1:5000/base:1</ContainerBaseImage><ContainerImageTags>a;b</ContainerImageTags></PropertyGroup>
            """, ("app/main.py", AppMain));
        var (ok, _, instance) = p.Build("_UvLambdaComputeContainerConfig");
        Assert.True(ok);
        Assert.Equal("127.0.0.1:5000/base:1", instance.GetPropertyValue("ContainerBaseImage"));
        Assert.Equal("", instance.GetPropertyValue("ContainerImageTag"));
        Assert.Equal("a;b", instance.GetPropertyValue("_UvLambdaContainerTags"));
    }
}
