using System.IO.Compression;

namespace UvLambda.Sdk.Tests;

public class SdkBuildTests
{
    private const string AppMain = "def handler(event, context):\n    return {}\n";

    [Fact]
    public void Build_writes_package_zip_and_records_it_for_clean()
    {
        using var p = new SdkProject("", ("app/main.py", AppMain), ("app/__init__.py", ""));
        var (ok, errors, instance) = p.Build();
        Assert.True(ok, string.Join("\n", errors.Select(e => $"{e.Code}: {e.Message}")));
        var zipPath = instance.GetPropertyValue("LambdaPackagePath");
        using (var zip = ZipFile.OpenRead(zipPath))
            Assert.Equal(["app/", "app/__init__.py", "app/main.py"], zip.Entries.Select(e => e.FullName));
        var fileList = File.ReadAllLines(Path.Combine(p.Directory, "obj", "Debug", "func.pyproj.FileListAbsolute.txt"));
        Assert.Contains(zipPath, fileList);

        Assert.True(p.Build("Clean").Success);
        Assert.False(File.Exists(zipPath));
    }

    [Theory]
    [InlineData("LambdaArchitecture", "sparc", "UVL1001")]
    [InlineData("LambdaPackageType", "Tarball", "UVL1002")]
    [InlineData("PythonVersion", "3.8", "UVL1005")]
    [InlineData("LambdaHandler", "nope.handler", "UVL1004")]
    [InlineData("LambdaHandler", "bad handler", "UVL1006")]
    [InlineData("SOURCE_DATE_EPOCH", "tomorrow", "UVL1007")]
    public void A_bad_setting_fails_the_build_with_its_code_at_the_project_file(string property, string value, string code)
    {
        using var p = new SdkProject("", ("app/main.py", AppMain));
        var (ok, errors, _) = p.Build(properties: new Dictionary<string, string> { [property] = value });
        Assert.False(ok);
        var error = Assert.Single(errors);
        Assert.Equal(code, error.Code);
        Assert.Equal(p.ProjectPath, error.File);
    }

    [Fact]
    public void No_handler_and_no_default_file_is_UVL1003()
    {
        using var p = new SdkProject("", ("service.py", AppMain));
        var (ok, errors, _) = p.Build();
        Assert.False(ok);
        Assert.Equal("UVL1003", Assert.Single(errors).Code);
    }

    [Fact]
    public void Restore_succeeds_and_writes_nothing()
    {
        using var p = new SdkProject("", ("app/main.py", AppMain));
        Assert.True(p.Build("Restore").Success);
        Assert.False(Directory.Exists(Path.Combine(p.Directory, "obj")));
        Assert.False(Directory.Exists(Path.Combine(p.Directory, "bin")));
    }

    [Fact]
    public void Visual_Studio_before_2026_gets_UVL1010_instead_of_a_type_load_failure()
    {
        using var p = new SdkProject("", ("app/main.py", AppMain));
        var (ok, errors, _) = p.Build(properties: new Dictionary<string, string> { ["_UvLambdaMSBuildRuntimeType"] = "Full", ["_UvLambdaMSBuildVersion"] = "17.14.8" });
        Assert.False(ok);
        Assert.Equal("UVL1010", Assert.Single(errors).Code);
    }

    [Theory]
    [InlineData("Full", "18.0.5", "NET")]
    [InlineData("Core", "18.9.11", "CurrentRuntime")]
    public void Tasks_load_in_the_dotnet_task_host_on_framework_msbuild_and_in_process_on_dotnet(string runtimeType, string version, string taskRuntime)
    {
        using var p = new SdkProject("", ("app/main.py", AppMain));
        var project = p.Evaluate(new Dictionary<string, string> { ["_UvLambdaMSBuildRuntimeType"] = runtimeType, ["_UvLambdaMSBuildVersion"] = version });
        Assert.Equal(taskRuntime, project.GetPropertyValue("_UvLambdaTaskRuntime"));
        // Every UvLambda task is registered with that runtime.
        var usingTasks = project.Imports.SelectMany(i => i.ImportedProject.UsingTasks).Where(u => u.TaskName.StartsWith("UvLambda.", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(usingTasks);
        Assert.All(usingTasks, u => Assert.Equal("$(_UvLambdaTaskRuntime)", u.Runtime));
    }

    [Fact]
    public void LambdaExcludePatterns_trims_with_plain_unescaped_globs()
    {
        using var p = new SdkProject("<PropertyGroup><LambdaExcludePatterns>**/tests/**;**/*.md</LambdaExcludePatterns></PropertyGroup><ItemGroup><LambdaSource Include=\"app/NOTES.md\" /></ItemGroup>",
            ("app/NOTES.md", "x"),
            ("app/main.py", AppMain), ("app/tests/test_x.py", ""), ("app/util.py", ""));
        var (ok, errors, instance) = p.Build();
        Assert.True(ok, string.Join("\n", errors.Select(e => e.Message)));
        using var zip = ZipFile.OpenRead(instance.GetPropertyValue("LambdaPackagePath"));
        Assert.Equal(["app/", "app/main.py", "app/util.py"], zip.Entries.Select(e => e.FullName));
    }
}
