using UvLambda.Core.Diagnostics;
using UvLambda.Core.Projects;

namespace UvLambda.Core.Tests.Projects;

public class LambdaHandlerTests
{
    [Fact]
    public void Splits_module_and_function_at_the_last_dot()
    {
        var h = LambdaHandler.Parse("app.api.main.handler");
        Assert.Equal("app.api.main", h.Module);
        Assert.Equal("handler", h.Function);
        Assert.Equal(["app/api/main.py", "app/api/main/__init__.py", "app/api/main.pyc"], h.ModuleFileCandidates);
    }

    [Theory]
    [InlineData("handler")]
    [InlineData("app/main.handler")]
    [InlineData("app..handler")]
    [InlineData("1app.handler")]
    [InlineData("app.main.")]
    public void Malformed_handlers_are_UVL1006(string value) =>
        Assert.Equal(ErrorCodes.InvalidHandler, Assert.Throws<UvLambdaException>(() => LambdaHandler.Parse(value)).Code);

    [Fact]
    public void An_empty_handler_is_UVL1003_and_says_what_to_set()
    {
        var e = Assert.Throws<UvLambdaException>(() => LambdaHandler.Parse(" ", "/p/x.pyproj"));
        Assert.Equal(ErrorCodes.HandlerNotSet, e.Code);
        Assert.Contains("<LambdaHandler>", e.Message);
        Assert.Equal("/p/x.pyproj", e.File);
    }

    [Theory]
    [InlineData("app/main.py")]
    [InlineData("app/main/__init__.py")]
    [InlineData("app/main.cpython-313-x86_64-linux-gnu.so")]
    public void The_module_may_be_a_file_a_package_or_an_extension(string file) =>
        Assert.True(LambdaHandler.Parse("app.main.handler").IsModuleIn(new HashSet<string> { file }));

    [Fact]
    public void A_missing_module_is_UVL1004_naming_handler_and_file()
    {
        var e = Assert.Throws<UvLambdaException>(() =>
            LambdaHandler.Parse("app.main.handler").EnsureModuleIn(new HashSet<string> { "app/other.py", "app/main/sub.py" }));
        Assert.Equal(ErrorCodes.HandlerModuleMissing, e.Code);
        Assert.Contains("app.main.handler", e.Message);
        Assert.Contains("app/main.py", e.Message);
    }

    [Theory]
    [InlineData("run.sh")]
    [InlineData("bin/start-app.sh")]
    public void A_shell_script_path_is_a_script_handler(string value)
    {
        var h = LambdaHandler.Parse(value);
        Assert.True(h.IsScript);
        Assert.Equal(value, h.Value);
    }

    [Theory]
    [InlineData("../run.sh")]
    [InlineData("/run.sh")]
    [InlineData("run sh")]
    public void A_script_path_outside_the_package_is_UVL1006(string value) =>
        Assert.Equal(ErrorCodes.InvalidHandler, Assert.Throws<UvLambdaException>(() => LambdaHandler.Parse(value)).Code);

    [Fact]
    public void A_script_handler_must_ship_and_be_executable()
    {
        var h = LambdaHandler.Parse("run.sh");
        h.EnsureIn(new Dictionary<string, int> { ["run.sh"] = 0x1ED, ["main.py"] = 0x1A4 });
        var missing = Assert.Throws<UvLambdaException>(() => h.EnsureIn(new Dictionary<string, int> { ["main.py"] = 0x1A4 }));
        Assert.Equal(ErrorCodes.HandlerModuleMissing, missing.Code);
        Assert.Contains("LambdaSource", missing.Message);
        var notExecutable = Assert.Throws<UvLambdaException>(() => h.EnsureIn(new Dictionary<string, int> { ["run.sh"] = 0x1A4 }));
        Assert.Equal(ErrorCodes.HandlerScriptNotExecutable, notExecutable.Code);
        Assert.Contains("chmod +x run.sh", notExecutable.Message);
    }
}
