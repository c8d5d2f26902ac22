namespace UvLambda.Sdk.Tests;

public class SdkEvaluationTests
{
    private const string AppMain = "def handler(event, context):\n    return {}\n";

    [Fact]
    public void Defaults_are_x86_64_zip_and_python_3_13_once_resolved()
    {
        using var p = new SdkProject("", ("app/main.py", AppMain));
        var project = p.Evaluate();
        // Evaluation previews the defaults from the files (no pyproject.toml here: 3.13); ResolvePythonPackages computes them.
        Assert.Equal("3.13", project.GetPropertyValue("PythonVersion"));
        Assert.Equal("x86_64-manylinux_2_34", project.GetPropertyValue("PythonPlatform"));
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

    [Theory]
    [InlineData(".python-version", "# pinned by uv python pin\n\ncpython-3.11.9\n", "x86_64", "3.11", "x86_64-manylinux_2_26", "public.ecr.aws/lambda/python:3.11")]
    [InlineData("pyproject.toml", "[project]\nname = \"f\"\nrequires-python = \">=3.12\"\n", "arm64", "3.12", "aarch64-manylinux_2_34", "public.ecr.aws/lambda/python:3.12-arm64")]
    // python3.10 is deprecated in the SDK's runtime table: a lower bound below 3.11 previews 3.11, as the build's default picks.
    [InlineData("pyproject.toml", "[project]\nname = \"f\"\nrequires-python = '>=3.8'\n", "x86_64", "3.11", "x86_64-manylinux_2_26", "public.ecr.aws/lambda/python:3.11")]
    [InlineData("pyproject.toml", "[project]\nname = \"f\"\nrequires-python = \"==3.10.*\"\n", "x86_64", "3.10", "x86_64-manylinux_2_26", "public.ecr.aws/lambda/python:3.10")]
    // A range the cheap reading cannot judge gets no preview (ResolvePythonPackages answers it).
    [InlineData("pyproject.toml", "[project]\nname = \"f\"\nrequires-python = \">=3.8,<3.12\"\n", "x86_64", "", "", "")]
    public void Evaluation_previews_PythonVersion_PythonPlatform_and_ContainerBaseImage_from_the_files(
        string file, string content, string architecture, string version, string platform, string baseImage)
    {
        using var p = new SdkProject($"<PropertyGroup><LambdaArchitecture>{architecture}</LambdaArchitecture></PropertyGroup>", ("app/main.py", AppMain), (file, content));
        var project = p.Evaluate();
        Assert.Equal(version, project.GetPropertyValue("PythonVersion"));
        Assert.Equal(platform, project.GetPropertyValue("PythonPlatform"));
        Assert.Equal(baseImage, project.GetPropertyValue("ContainerBaseImage"));
    }

    [Fact]
    public void The_targets_start_again_from_the_settings_the_project_gave_not_from_the_preview()
    {
        using var p = new SdkProject("<PropertyGroup><PythonPlatform>x86_64-manylinux2014</PythonPlatform></PropertyGroup>", ("app/main.py", AppMain));
        Assert.Equal("3.13", p.Evaluate().GetPropertyValue("PythonVersion"));
        var (ok, _, instance) = p.Build("_UvLambdaUseGivenSettings");
        Assert.True(ok);
        Assert.Equal("", instance.GetPropertyValue("PythonVersion"));
        Assert.Equal("", instance.GetPropertyValue("ContainerBaseImage"));
        Assert.Equal("x86_64-manylinux2014", instance.GetPropertyValue("PythonPlatform"));
    }

    [Fact]
    public void A_project_without_a_handler_resolves_and_fails_only_when_packaged_with_UVL1003()
    {
        using var p = new SdkProject("", ("service.py", AppMain));
        Assert.True(p.Build("ResolvePythonPackages").Success);
        var (ok, errors, _) = p.Build();
        Assert.False(ok);
        Assert.Equal("UVL1003", Assert.Single(errors).Code);
    }
}
