using UvLambda.Core.Diagnostics;
using UvLambda.Core.Projects;

namespace UvLambda.Core.Tests.Projects;

public class PyProjectTests
{
    private const string File = "/p/pyproject.toml";

    private static PyProject Parse(string text) => PyProject.Parse(text, File);

    private static UvLambdaException Malformed(string text)
    {
        var e = Assert.Throws<UvLambdaException>(() => Parse(text));
        Assert.Equal(File, e.File);
        return e;
    }

    public static IEnumerable<object[]> RealWorldPyProjects() =>
        Directory.EnumerateFiles(Path.Combine(TestPaths.SharedFixtures, "real-world"), "pyproject.toml", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal)
            .Select(f => new object[] { Path.GetRelativePath(TestPaths.SharedFixtures, f) });

    [Theory]
    [MemberData(nameof(RealWorldPyProjects))]
    public void Every_real_world_pyproject_loads(string relativePath)
    {
        var p = PyProject.Load(Path.Combine(TestPaths.SharedFixtures, relativePath));
        Assert.True(p.HasProjectTable || p.IsWorkspaceRoot);
        foreach (var group in p.DependencyGroups.Keys)
            p.ResolveGroup(group);
    }

    [Fact]
    public void Project_table_fields_are_read_and_the_name_normalized()
    {
        var p = Parse("""
            [project]
            name = "My_App.Core"
            version = "1.2.3"
            requires-python = ">=3.11, <3.14"
            dynamic = ["readme"]
            dependencies = ["requests>=2", "boto3 ; python_version >= '3.8'"]
            [project.optional-dependencies]
            Fast_Json = ["orjson"]
            """);
        Assert.Equal(("My_App.Core", "my-app-core", "1.2.3"), (p.Name, p.NormalizedName, p.Version));
        Assert.Equal(">=3.11, <3.14", p.RequiresPythonText);
        Assert.Equal(2, p.RequiresPython.Specifiers.Count);
        Assert.Equal(["readme"], p.Dynamic);
        Assert.Equal(["requests>=2", "boto3 ; python_version >= '3.8'"], p.Dependencies.Select(d => d.Text));
        Assert.Equal("boto3", p.Dependencies[1].Requirement.NormalizedName);
        Assert.Equal((6, 17), (p.Dependencies[0].Line, p.Dependencies[0].Column));
        Assert.Equal("orjson", Assert.Single(p.OptionalDependencies["fast-json"]).Requirement.Name);
        Assert.True(p.HasDependencies);
    }

    [Fact]
    public void A_file_without_project_table_has_no_name_and_no_dependencies()
    {
        var p = Parse("[tool.uv.workspace]\nmembers = [\"a\"]\n");
        Assert.False(p.HasProjectTable);
        Assert.Null(p.Name);
        Assert.False(p.HasDependencies);
        Assert.True(p.RequiresPython.IsEmpty);
        Assert.True(p.IsWorkspaceRoot);
        Assert.Equal(["a"], p.WorkspaceMembers);
    }

    [Fact]
    public void Dependency_groups_expand_include_group_recursively_in_order()
    {
        var p = Parse("""
            [dependency-groups]
            test = ["pytest"]
            lint = ["ruff"]
            Dev = [{include-group = "test"}, {include-group = "lint"}, "mypy"]
            all = [{include-group = "dev"}]
            """);
        Assert.Equal(["pytest", "ruff", "mypy"], p.ResolveGroup("all").Select(d => d.Text));
        Assert.Equal(["pytest", "ruff", "mypy"], p.ResolveGroup("DEV").Select(d => d.Text));
    }

    [Fact]
    public void An_include_group_cycle_is_UVL1305_at_the_include()
    {
        var p = Parse("""
            [dependency-groups]
            a = [{include-group = "b"}]
            b = ["x", {include-group = "a"}]
            """);
        var e = Assert.Throws<UvLambdaException>(() => p.ResolveGroup("a"));
        Assert.Equal(ErrorCodes.MalformedPyProject, e.Code);
        Assert.Contains("a -> b -> a", e.Message);
        Assert.Equal((3, 11), (e.Line, e.Column));
    }

    [Fact]
    public void Including_an_undefined_group_is_UVL1305_and_asking_for_one_is_UVL1310()
    {
        var p = Parse("[dependency-groups]\na = [{include-group = \"nope\"}]\n");
        Assert.Equal(ErrorCodes.MalformedPyProject, Assert.Throws<UvLambdaException>(() => p.ResolveGroup("a")).Code);
        var e = Assert.Throws<UvLambdaException>(() => p.ResolveGroup("missing"));
        Assert.Equal(ErrorCodes.UnknownGroup, e.Code);
        Assert.Contains("Defined groups: a", e.Message);
    }

    [Fact]
    public void Legacy_dev_dependencies_join_the_dev_group()
    {
        var p = Parse("""
            [dependency-groups]
            dev = ["pytest"]
            [tool.uv]
            dev-dependencies = ["ruff"]
            """);
        Assert.Equal(["pytest", "ruff"], p.ResolveGroup("dev").Select(d => d.Text));
    }

    [Fact]
    public void Tool_uv_settings_are_read()
    {
        var p = Parse("""
            [tool.uv]
            package = false
            default-groups = ["Dev", "lint"]
            [tool.uv.sources]
            Common = { workspace = true }
            lib = { path = "../lib", editable = true }
            torch = [{ index = "cpu", marker = "sys_platform == 'linux'" }, { index = "cu", extra = "gpu" }]
            web = { git = "https://github.com/a/b.git", tag = "v1" }
            [[tool.uv.index]]
            name = "cpu"
            url = "https://download.pytorch.org/whl/cpu"
            explicit = true
            [[tool.uv.index]]
            url = "https://pypi.example/simple"
            default = true
            [tool.uv.workspace]
            members = ["packages/*"]
            exclude = ["packages/old"]
            """);
        Assert.True(p.HasToolUv);
        Assert.False(p.UvPackage);
        Assert.Equal(["dev", "lint"], p.DefaultGroups);
        Assert.True(Assert.Single(p.Sources["common"]).Workspace);
        Assert.Equal(("../lib", true), (p.Sources["lib"][0].Path, p.Sources["lib"][0].Editable));
        Assert.Equal(["cpu", "cu"], p.Sources["torch"].Select(s => s.Index));
        Assert.Equal("sys_platform == 'linux'", p.Sources["torch"][0].Marker);
        Assert.Equal("https://github.com/a/b.git", p.Sources["web"][0].Git);
        Assert.Equal([new UvIndex("cpu", "https://download.pytorch.org/whl/cpu", false, true), new UvIndex(null, "https://pypi.example/simple", true, false)], p.Indexes);
        Assert.Equal(["packages/*"], p.WorkspaceMembers);
        Assert.Equal(["packages/old"], p.WorkspaceExclude);
    }

    [Fact]
    public void Default_groups_all_is_a_flag()
    {
        var p = Parse("[tool.uv]\ndefault-groups = \"all\"\n");
        Assert.True(p.DefaultGroupsAll);
        Assert.Null(p.DefaultGroups);
    }

    [Fact]
    public void Build_system_and_backend_layouts_are_kept_raw()
    {
        var p = Parse("""
            [build-system]
            requires = ["hatchling"]
            build-backend = "hatchling.build"
            [tool.uv.build-backend]
            module-name = "my_app"
            module-root = ""
            [tool.hatch.build.targets.wheel]
            packages = ["src/app"]
            include = ["x"]
            [tool.setuptools]
            packages = ["app", "app.sub"]
            package-dir = { "" = "src" }
            [tool.flit.module]
            name = "app_mod"
            """);
        Assert.True(p.HasBuildSystem);
        Assert.Equal(["hatchling"], p.BuildSystemRequires);
        Assert.Equal("hatchling.build", p.BuildBackend);
        Assert.Equal(["my_app"], p.UvBuildModuleNames);
        Assert.Equal("", p.UvBuildModuleRoot);
        Assert.Equal(["src/app"], p.HatchWheelPackages);
        Assert.True(p.HatchWheelTarget!.ContainsKey("include"));
        Assert.IsType<UvLambda.Core.Toml.TomlArray>(p.SetuptoolsPackages);
        Assert.Equal("src", p.SetuptoolsPackageDir[""]);
        Assert.Equal("app_mod", p.FlitModuleName);
    }

    [Fact]
    public void Uv_build_module_name_may_be_a_list_under_tool_uv_build()
    {
        var p = Parse("[tool.uv-build]\nmodule-name = [\"a\", \"b.c\"]\n");
        Assert.Equal(["a", "b.c"], p.UvBuildModuleNames);
    }

    [Theory]
    [InlineData("[project]\nname = 3\n", 2, 8)]
    [InlineData("[project]\ndependencies = \"requests\"\n", 2, 16)]
    [InlineData("[project]\ndependencies = [\"ok\", 5]\n", 2, 23)]
    [InlineData("[project.optional-dependencies]\nx = \"y\"\n", 2, 5)]
    [InlineData("[dependency-groups]\ndev = [{ group = \"x\" }]\n", 2, 8)]
    [InlineData("[tool.uv]\npackage = \"yes\"\n", 2, 11)]
    [InlineData("[tool.uv]\ndefault-groups = \"some\"\n", 2, 18)]
    [InlineData("[tool.uv.sources]\nx = \"../x\"\n", 2, 5)]
    [InlineData("[[tool.uv.index]]\nname = \"x\"\n", 1, 1)]
    [InlineData("[tool.uv.workspace]\nmembers = \"a/*\"\n", 2, 11)]
    [InlineData("[tool.setuptools]\npackages = \"app\"\n", 2, 12)]
    public void Wrong_shapes_are_UVL1305_at_the_value(string text, int line, int column)
    {
        var e = Malformed(text);
        Assert.Equal(ErrorCodes.MalformedPyProject, e.Code);
        Assert.Equal((line, column), (e.Line, e.Column));
    }

    [Fact]
    public void A_bad_requirement_keeps_its_code_and_points_at_the_string()
    {
        var e = Malformed("[project]\nname = \"a\"\ndependencies = [\n  \"requests >>= 2\",\n]\n");
        Assert.Equal(ErrorCodes.InvalidRequirement, e.Code);
        Assert.Equal((4, 3), (e.Line, e.Column));
    }

    [Fact]
    public void A_bad_requires_python_keeps_its_code_and_points_at_the_value()
    {
        var e = Malformed("[project]\nrequires-python = \"=>3.10\"\n");
        Assert.Equal(ErrorCodes.InvalidVersionSpecifier, e.Code);
        Assert.Equal((2, 19), (e.Line, e.Column));
    }
}
