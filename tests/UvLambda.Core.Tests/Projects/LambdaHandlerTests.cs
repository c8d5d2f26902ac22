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

    [Theory]
    [InlineData("app/main.handler", "app.main.handler", "without slashes or .py")]
    [InlineData("app/main.py.handler", "app.main.handler", "without slashes or .py")]
    [InlineData("app\\main.handler", "app.main.handler", "without slashes or .py")]
    [InlineData("app.main:handler", "app.main.handler", "not the ':' of an entry point")]
    [InlineData("app.main.my-handler", "app.main.my_handler", "cannot contain '-'")]
    public void A_handler_written_as_a_path_an_entry_point_or_with_a_dash_is_UVL1006_saying_what_to_write(string value, string meant, string why)
    {
        var e = Assert.Throws<UvLambdaException>(() => LambdaHandler.Parse(value, "/p/x.pyproj"));
        Assert.Equal(ErrorCodes.InvalidHandler, e.Code);
        Assert.Contains($"write '{meant}'", e.Message);
        Assert.Contains(why, e.Message);
        Assert.Equal("/p/x.pyproj", e.File);
    }

    [Fact]
    public void A_malformed_handler_with_no_likely_meaning_gets_the_general_form()
    {
        var e = Assert.Throws<UvLambdaException>(() => LambdaHandler.Parse("handler"));
        Assert.DoesNotContain("write '", e.Message);
        Assert.Contains("for example app.main.handler", e.Message);
    }

    [Theory]
    [InlineData("app.mian.handler")]  // a typo in the module
    [InlineData("main.handler")]      // the file's name without its folder
    [InlineData("main.py.handler")]   // the file name where the module goes
    public void A_missing_module_one_typo_or_one_folder_away_from_a_packaged_one_is_UVL1004_naming_it(string value)
    {
        var packaged = new HashSet<string> { "app/__init__.py", "app/main.py", "six.py" };
        var e = Assert.Throws<UvLambdaException>(() => LambdaHandler.Parse(value).EnsureModuleIn(packaged));
        Assert.Equal(ErrorCodes.HandlerModuleMissing, e.Code);
        Assert.Contains("Did you mean 'app.main.handler'?", e.Message);
    }

    [Fact]
    public void A_missing_module_far_from_every_packaged_one_gets_no_guess()
    {
        var e = Assert.Throws<UvLambdaException>(() =>
            LambdaHandler.Parse("service.api.handler").EnsureModuleIn(new HashSet<string> { "app/main.py", "lib/api.py", "other/api.py" }));
        Assert.Equal(ErrorCodes.HandlerModuleMissing, e.Code);
        Assert.DoesNotContain("Did you mean", e.Message);
    }

    private sealed class WarningLog : IBuildLog
    {
        public List<(string Code, string Message, string? File)> Warnings { get; } = [];
        public void Info(string message) { }
        public void Detail(string message) { }
        public void Warning(string code, string message, string? file = null, int line = 0, int column = 0) => Warnings.Add((code, message, file));
    }

    private static List<(string Code, string Message, string? File)> FunctionWarnings(string handler, string source, string packagePath = "app/main.py")
    {
        using var dir = new TempDirectory();
        var file = dir.WriteFile(packagePath, source);
        var log = new WarningLog();
        LambdaHandler.Parse(handler).WarnIfFunctionMissing([new LambdaSourceFile(file, packagePath)], log);
        return log.Warnings;
    }

    [Fact]
    public void A_function_the_module_never_mentions_is_warning_UVL1011_at_the_module_naming_the_near_one()
    {
        var warnings = FunctionWarnings("app.main.handle", "import json\n\ndef handler(event, context):\n    return {}\n\nasync def other():\n    pass\n");
        var w = Assert.Single(warnings);
        Assert.Equal(ErrorCodes.HandlerFunctionNotFound, w.Code);
        Assert.EndsWith(Path.Combine("app", "main.py"), w.File);
        Assert.Contains("Handler 'handle' missing on module 'app.main'", w.Message);
        Assert.Contains("Did you mean 'app.main.handler'?", w.Message);
    }

    [Fact]
    public void Without_a_near_name_the_warning_lists_the_module_functions()
    {
        var w = Assert.Single(FunctionWarnings("app.main.lambda_handler", "def process(event, context):\n    pass\n\ndef _private():\n    pass\n"));
        Assert.Contains("Functions defined there: process.", w.Message);
    }

    [Theory]
    [InlineData("def handler(event, context):\n    pass\n")]
    [InlineData("async def handler(event, context):\n    pass\n")]
    [InlineData("from mangum import Mangum\napp = object()\nhandler = Mangum(app)\n")]
    [InlineData("from app.api import handler\n")]
    [InlineData("from app.api import (\n    other,\n    handler,\n)\n")]
    [InlineData("class handler:\n    def __call__(self, e, c): pass\n")]
    [InlineData("from app.api import *\n")]
    [InlineData("def __getattr__(name):\n    return lambda e, c: None\n")]
    [InlineData("globals()['hand' + 'ler'] = lambda e, c: None\n")]
    public void A_module_that_defines_imports_or_may_build_the_function_is_not_warned_about(string source) =>
        Assert.Empty(FunctionWarnings("app.main.handler", source));

    [Fact]
    public void A_package_module_is_read_from_its_init_and_a_module_from_a_dependency_is_not_judged()
    {
        Assert.Single(FunctionWarnings("app.handler", "def main(e, c): pass\n", "app/__init__.py"));
        Assert.Empty(FunctionWarnings("mangum.handler", "def main(e, c): pass\n", "app/main.py"));
    }

    private static UvLambdaException NotSet(params (string PackagePath, string Text)[] files)
    {
        using var dir = new TempDirectory();
        var sources = files.Select(f => new LambdaSourceFile(dir.WriteFile(f.PackagePath, f.Text), f.PackagePath)).ToList();
        var e = Assert.Throws<UvLambdaException>(() => LambdaHandler.Parse(" ", sources, "/p/x.pyproj"));
        Assert.Equal((ErrorCodes.HandlerNotSet, "/p/x.pyproj"), (e.Code, e.File));
        return e;
    }

    [Fact]
    public void No_handler_and_a_function_taking_event_and_context_elsewhere_is_UVL1003_naming_it()
    {
        var e = NotSet(("src/orders/lambda_handler.py", "import json\n\ndef handler(event, context):\n    return 1\n\ndef helper(x):\n    pass\n"));
        Assert.Contains("set <LambdaHandler>src.orders.lambda_handler.handler</LambdaHandler>", e.Message);
    }

    [Fact]
    public void No_handler_in_a_uv_init_project_is_UVL1003_listing_its_modules()
    {
        // `uv init` writes main.py with def main(): no (event, context) function to name.
        var e = NotSet(("main.py", "def main():\n    print(\"Hello from orders!\")\n"), ("tools/make-db.py", "x = 1\n"));
        Assert.Contains("Packaged modules: main;", e.Message);
        Assert.DoesNotContain("make-db", e.Message); // not importable: not a module name to suggest
    }

    [Fact]
    public void No_handler_and_no_python_file_at_all_is_UVL1003_saying_nothing_is_packaged()
    {
        var e = NotSet(("data/config.json", "{}"));
        Assert.Contains("No .py file is packaged at all", e.Message);
        Assert.Contains("folder of pyproject.toml", e.Message);
    }

    [Fact]
    public void A_missing_module_that_is_in_the_project_folder_but_excluded_says_why_it_is_not_packaged()
    {
        using var dir = new TempDirectory();
        dir.WriteFile("tests/app/main.py", "def handler(e, c): pass\n");
        var handler = LambdaHandler.Parse("tests.app.main.handler");
        var e = Assert.Throws<UvLambdaException>(() => handler.EnsureModuleIn(new HashSet<string> { "app/other.py" }, "/p/x.pyproj"));
        var explained = handler.ExplainUnpackaged(e, dir.Path);
        Assert.Equal((ErrorCodes.HandlerModuleMissing, "/p/x.pyproj"), (explained.Code, explained.File));
        Assert.Contains("tests/app/main.py is in the project folder but not packaged: DefaultLambdaSourceExcludes leaves out tests/", explained.Message);

        // Not in the folder either: the error is unchanged.
        Assert.Same(e, LambdaHandler.Parse("tests.app.main.handler").ExplainUnpackaged(e, dir.Combine("elsewhere")));
    }
}
