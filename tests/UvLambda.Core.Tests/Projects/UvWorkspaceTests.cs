using UvLambda.Core.Diagnostics;
using UvLambda.Core.Projects;

namespace UvLambda.Core.Tests.Projects;

public class UvWorkspaceTests
{
    private static string RealWorld(params string[] parts) => Path.Combine([TestPaths.SharedFixtures, "real-world", .. parts]);

    private const string Project = "[project]\nname = \"{0}\"\nversion = \"0.1.0\"\n";

    private static string ProjectToml(string name, string extra = "") => string.Format(Project, name) + extra;

    [Fact]
    public void A_member_of_the_workspaces_app_fixture_uses_the_root_lock()
    {
        var root = RealWorld("fourTheorem__uv-python-lambda", "test", "resources", "workspaces_app");
        var ws = UvWorkspace.Discover(Path.Combine(root, "app"));
        Assert.Equal(root, ws.RootDirectory);
        Assert.Equal(Path.Combine(root, "uv.lock"), ws.LockPath);
        Assert.True(ws.IsMember);
        Assert.False(ws.IsVirtualRoot);
        Assert.Equal("app", ws.Project.Name);
        Assert.Equal("workspaces-app", ws.Root.Name);
        Assert.Equal([Path.Combine(root, "app"), Path.Combine(root, "common")], ws.MemberDirectories);
    }

    [Fact]
    public void The_workspaces_app_root_is_the_root()
    {
        var root = RealWorld("fourTheorem__uv-python-lambda", "test", "resources", "workspaces_app");
        var ws = UvWorkspace.Discover(root);
        Assert.True(ws.IsRoot);
        Assert.Equal(Path.Combine(root, "uv.lock"), ws.LockPath);
        Assert.Equal(2, ws.MemberDirectories.Count);
    }

    [Fact]
    public void Titiler_members_come_from_a_star_glob()
    {
        var root = RealWorld("developmentseed__titiler");
        var ws = UvWorkspace.Discover(Path.Combine(root, "src", "titiler", "core"));
        Assert.True(ws.IsMember);
        Assert.Equal(root, ws.RootDirectory);
        Assert.Equal(Path.Combine(root, "uv.lock"), ws.LockPath);
        Assert.Equal(["application", "core", "extensions", "mosaic", "xarray"],
            ws.MemberDirectories.Select(d => Path.GetRelativePath(Path.Combine(root, "src", "titiler"), d)));
    }

    [Fact]
    public void Mcp_sdk_members_come_from_literal_and_star_globs()
    {
        var root = RealWorld("modelcontextprotocol__python-sdk");
        var ws = UvWorkspace.Discover(Path.Combine(root, "src", "mcp-types"));
        Assert.True(ws.IsMember);
        Assert.Equal(Path.Combine(root, "uv.lock"), ws.LockPath);
        Assert.Contains(Path.Combine(root, "examples"), ws.MemberDirectories);
        Assert.Contains(Path.Combine(root, "examples", "servers", "simple-tool"), ws.MemberDirectories);
        Assert.Equal(1 + 1 + 3 + 10 + 1, ws.MemberDirectories.Count);
        Assert.True(UvWorkspace.Discover(Path.Combine(root, "examples")).IsMember);
    }

    [Fact]
    public void Mcp_sdk_server_examples_stand_alone_because_the_examples_project_encloses_them()
    {
        // uv stops at the nearest pyproject.toml above: examples/ is a [project] without a workspace.
        var root = RealWorld("modelcontextprotocol__python-sdk");
        var ws = UvWorkspace.Discover(Path.Combine(root, "examples", "servers", "simple-tool"));
        Assert.True(ws.IsRoot);
        Assert.Null(ws.LockPath);
    }

    [Fact]
    public void Langgraph_uses_the_lock_beside_it()
    {
        var dir = RealWorld("langchain-ai__langgraph", "libs", "langgraph");
        var ws = UvWorkspace.Discover(dir);
        Assert.True(ws.IsRoot);
        Assert.Equal(Path.Combine(dir, "uv.lock"), ws.LockPath);
        Assert.Empty(ws.MemberDirectories);
    }

    [Fact]
    public void A_langgraph_sibling_without_a_lock_has_none_and_needs_one()
    {
        var ws = UvWorkspace.Discover(RealWorld("langchain-ai__langgraph", "libs", "prebuilt"));
        Assert.Null(ws.LockPath);
        var e = Assert.Throws<UvLambdaException>(ws.RequireLockIfNeeded);
        Assert.Equal(ErrorCodes.LockMissing, e.Code);
        Assert.Contains("run `uv lock` in", e.Message);
    }

    [Fact]
    public void A_project_without_dependencies_needs_no_lock()
    {
        using var t = new TempDirectory();
        t.WriteFile("pyproject.toml", ProjectToml("app", "dependencies = []\n"));
        var ws = UvWorkspace.Discover(t.Path);
        Assert.Null(ws.LockPath);
        ws.RequireLockIfNeeded();
    }

    [Fact]
    public void A_virtual_root_is_recognised()
    {
        using var t = new TempDirectory();
        t.WriteFile("pyproject.toml", "[tool.uv.workspace]\nmembers = [\"packages/*\"]\n");
        t.WriteFile("uv.lock", "version = 1\n");
        t.WriteFile("packages/a/pyproject.toml", ProjectToml("a"));
        var ws = UvWorkspace.Discover(t.Combine("packages", "a"));
        Assert.True(ws.IsVirtualRoot);
        Assert.True(ws.IsMember);
        Assert.Equal(t.Combine("uv.lock"), ws.LockPath);
    }

    [Fact]
    public void An_excluded_folder_is_not_a_member_and_stands_alone()
    {
        using var t = new TempDirectory();
        t.WriteFile("pyproject.toml", ProjectToml("root", "[tool.uv.workspace]\nmembers = [\"packages/*\"]\nexclude = [\"packages/legacy\"]\n"));
        t.WriteFile("uv.lock", "version = 1\n");
        t.WriteFile("packages/a/pyproject.toml", ProjectToml("a"));
        t.WriteFile("packages/legacy/pyproject.toml", ProjectToml("legacy", "dependencies = [\"x\"]\n"));
        var ws = UvWorkspace.Discover(t.Combine("packages", "legacy"));
        Assert.True(ws.IsRoot);
        Assert.Null(ws.LockPath);
        Assert.Equal(ErrorCodes.LockMissing, Assert.Throws<UvLambdaException>(ws.RequireLockIfNeeded).Code);
        var root = UvWorkspace.Discover(t.Path);
        Assert.Equal([t.Combine("packages", "a")], root.MemberDirectories);
    }

    [Fact]
    public void A_nested_folder_the_globs_do_not_reach_stands_alone()
    {
        using var t = new TempDirectory();
        t.WriteFile("pyproject.toml", ProjectToml("root", "[tool.uv.workspace]\nmembers = [\"packages/*\"]\n"));
        t.WriteFile("uv.lock", "version = 1\n");
        t.WriteFile("packages/a/pyproject.toml", ProjectToml("a"));
        t.WriteFile("packages/a/nested/pyproject.toml", ProjectToml("nested"));
        var ws = UvWorkspace.Discover(t.Combine("packages", "a", "nested"));
        Assert.True(ws.IsRoot);
        Assert.Equal(t.Combine("packages", "a", "nested"), ws.RootDirectory);
        Assert.Null(ws.LockPath);
    }

    [Fact]
    public void Double_star_members_reach_any_depth()
    {
        using var t = new TempDirectory();
        t.WriteFile("pyproject.toml", ProjectToml("root", "[tool.uv.workspace]\nmembers = [\"libs/**/pkg\"]\n"));
        t.WriteFile("uv.lock", "version = 1\n");
        t.WriteFile("libs/x/y/pkg/pyproject.toml", ProjectToml("pkg"));
        t.WriteFile("libs/pkg/pyproject.toml", ProjectToml("pkg0"));
        var ws = UvWorkspace.Discover(t.Combine("libs", "x", "y", "pkg"));
        Assert.True(ws.IsMember);
        Assert.Equal(t.Path, ws.RootDirectory);
        Assert.Equal([t.Combine("libs", "pkg"), t.Combine("libs", "x", "y", "pkg")], ws.MemberDirectories);
    }

    [Fact]
    public void A_tool_only_pyproject_above_ends_the_search_as_in_uv()
    {
        using var t = new TempDirectory();
        t.WriteFile("pyproject.toml", ProjectToml("root", "[tool.uv.workspace]\nmembers = [\"libs/*\"]\n"));
        t.WriteFile("uv.lock", "version = 1\n");
        t.WriteFile("libs/pyproject.toml", "[tool.ruff]\nline-length = 100\n");
        t.WriteFile("libs/pkg/pyproject.toml", ProjectToml("pkg"));
        var ws = UvWorkspace.Discover(t.Combine("libs", "pkg"));
        Assert.True(ws.IsRoot);
        Assert.Null(ws.LockPath);
    }

    [Fact]
    public void An_enclosing_non_workspace_project_ends_the_search()
    {
        using var t = new TempDirectory();
        t.WriteFile("pyproject.toml", ProjectToml("outer", "[tool.uv.workspace]\nmembers = [\"**\"]\n"));
        t.WriteFile("uv.lock", "version = 1\n");
        t.WriteFile("mid/pyproject.toml", ProjectToml("mid"));
        t.WriteFile("mid/examples/demo/pyproject.toml", ProjectToml("demo"));
        var ws = UvWorkspace.Discover(t.Combine("mid", "examples", "demo"));
        Assert.True(ws.IsRoot);
        Assert.Null(ws.LockPath);
    }

    [Fact]
    public void Member_globs_only_list_folders_with_a_pyproject()
    {
        using var t = new TempDirectory();
        t.WriteFile("pyproject.toml", "[tool.uv.workspace]\nmembers = [\"pkgs/[ab]*\", \"tools/?\"]\n");
        t.WriteFile("pkgs/alpha/pyproject.toml", ProjectToml("alpha"));
        t.WriteFile("pkgs/beta/pyproject.toml", ProjectToml("beta"));
        t.WriteFile("pkgs/gamma/pyproject.toml", ProjectToml("gamma"));
        t.WriteFile("pkgs/assets/readme.txt", "not a project");
        t.WriteFile("tools/t/pyproject.toml", ProjectToml("t"));
        t.WriteFile("tools/tt/pyproject.toml", ProjectToml("tt"));
        var ws = UvWorkspace.Discover(t.Path);
        Assert.Equal([t.Combine("pkgs", "alpha"), t.Combine("pkgs", "beta"), t.Combine("tools", "t")], ws.MemberDirectories);
    }

    [Fact]
    public void A_folder_without_pyproject_is_UVL1305()
    {
        using var t = new TempDirectory();
        Assert.Equal(ErrorCodes.MalformedPyProject, Assert.Throws<UvLambdaException>(() => UvWorkspace.Discover(t.Path)).Code);
    }
}
