using Microsoft.Build.Utilities;
using UvLambda.Core.Tests;

namespace UvLambda.Build.Tasks.Tests;

public class ValidateLambdaProjectTests
{
    private static (ValidateLambdaProject Task, RecordingBuildEngine Engine) Create(TempDirectory dir, string arch = "x86_64", string handler = "app.main.handler")
    {
        var main = dir.WriteFile("app/main.py", "def handler(e, c): pass\n");
        var engine = new RecordingBuildEngine();
        var task = new ValidateLambdaProject
        {
            BuildEngine = engine,
            ProjectFile = dir.Combine("f.pyproj"),
            ProjectDirectory = dir.Path,
            PythonVersion = "3.13",
            Architecture = arch,
            PackageType = "zip",
            Handler = handler,
        };
        return (task, engine);
    }

    [Fact]
    public void Valid_settings_succeed_and_output_canonical_values()
    {
        using var dir = new TempDirectory();
        var (task, engine) = Create(dir, arch: "ARM64");
        Assert.True(task.Execute());
        Assert.Empty(engine.Errors);
        Assert.Equal(("arm64", "Zip", "3.13"), (task.NormalizedArchitecture, task.NormalizedPackageType, task.NormalizedPythonVersion));
    }

    [Fact]
    public void A_user_error_is_one_coded_error_at_the_project_file_without_a_stack_trace()
    {
        using var dir = new TempDirectory();
        var (task, engine) = Create(dir, arch: "i386");
        Assert.False(task.Execute());
        var error = Assert.Single(engine.Errors);
        Assert.Equal("UVL1001", error.Code);
        Assert.Equal(dir.Combine("f.pyproj"), error.File);
        Assert.DoesNotContain("   at ", error.Message);
    }

    [Fact]
    public void A_malformed_handler_is_UVL1006()
    {
        using var dir = new TempDirectory();
        var (task, engine) = Create(dir, handler: "service");
        Assert.False(task.Execute());
        Assert.Equal("UVL1006", Assert.Single(engine.Errors).Code);
    }
}
