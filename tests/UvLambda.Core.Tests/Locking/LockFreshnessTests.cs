using UvLambda.Core.Diagnostics;
using UvLambda.Core.Locking;
using UvLambda.Core.Projects;

namespace UvLambda.Core.Tests.Locking;

/// <summary>Each kind of difference <c>uv lock --locked</c> reports, and the spellings it does not count as one.</summary>
public class LockFreshnessTests
{
    private sealed class WarningLog : IBuildLog
    {
        public List<(string Code, string Message)> Warnings { get; } = [];
        public void Info(string message) { }
        public void Detail(string message) { }
        public void Warning(string code, string message, string? file = null, int line = 0, int column = 0) => Warnings.Add((code, message));
    }

    private const string LockHeader = "version = 1\nrevision = 3\nrequires-python = \">=3.12\"\n\n";

    private static string Project(string body, string name = "app", string requiresPython = ">=3.12") =>
        $"[project]\nname = \"{name}\"\nversion = \"0.1.0\"\nrequires-python = \"{requiresPython}\"\n{body}\n";

    /// <summary>A root package locked with the given [package.metadata] body (none at all when null).</summary>
    private static string Lock(string? metadata, string name = "app", string header = LockHeader, string source = "virtual = \".\"") =>
        header + $"[[package]]\nname = \"{name}\"\nversion = \"0.1.0\"\nsource = {{ {source} }}\n" + (metadata is null ? "" : $"\n[package.metadata]\n{metadata}\n");

    private static IReadOnlyList<string> Differences(string pyproject, string lockText, params (string Path, string Text)[] files)
    {
        using var t = new TempDirectory();
        t.WriteFile("pyproject.toml", pyproject);
        t.WriteFile("uv.lock", lockText);
        foreach (var (path, text) in files) t.WriteFile(path, text);
        return LockFreshness.Differences(UvWorkspace.Discover(t.Path), UvLockReader.Load(t.Combine("uv.lock")));
    }

    private static void Fresh(string pyproject, string lockText, params (string Path, string Text)[] files)
    {
        var differences = Differences(pyproject, lockText, files);
        Assert.True(differences.Count == 0, string.Join(" | ", differences));
    }

    private static string Single(string pyproject, string lockText, params (string Path, string Text)[] files) =>
        Assert.Single(Differences(pyproject, lockText, files));

    [Fact]
    public void A_first_dependency_on_a_root_locked_without_metadata_is_a_difference()
    {
        // samples/hello's shape: uv writes no [package.metadata] for a project without dependencies.
        Fresh(Project("dependencies = []"), Lock(null));
        var difference = Single(Project("dependencies = [\"requests>=2\"]"), Lock(null));
        Assert.Equal("dependency 'requests>=2' is in pyproject.toml but not in uv.lock", difference);
    }

    [Fact]
    public void A_changed_specifier_names_both_sides()
    {
        var difference = Single(Project("dependencies = [\"requests>=3\"]"), Lock("requires-dist = [{ name = \"requests\", specifier = \">=2\" }]"));
        Assert.Equal("dependency 'requests' is 'requests>=3' in pyproject.toml but 'requests>=2' in uv.lock", difference);
    }

    [Fact]
    public void A_removed_dependency_is_a_difference()
    {
        var difference = Single(Project("dependencies = [\"requests>=2\"]"),
            Lock("requires-dist = [\n  { name = \"boto3\" },\n  { name = \"requests\", specifier = \">=2\" },\n]"));
        Assert.Equal("dependency 'boto3' is in uv.lock but no longer in pyproject.toml", difference);
    }

    [Fact]
    public void An_optional_dependency_change_is_a_difference()
    {
        const string locked = "requires-dist = [{ name = \"mangum\", marker = \"extra == 'lambda'\", specifier = \"==0.19.0\" }]\nprovides-extras = [\"lambda\"]";
        Fresh(Project("[project.optional-dependencies]\nlambda = [\"mangum==0.19.0\"]"), Lock(locked));

        var changed = Single(Project("[project.optional-dependencies]\nlambda = [\"mangum==0.20.0\"]"), Lock(locked));
        Assert.Contains("'mangum==0.20.0 (extra 'lambda')' in pyproject.toml", changed);

        // The same requirement moved from an extra to the project's dependencies is a difference too.
        var moved = Differences(Project("dependencies = [\"mangum==0.19.0\"]\n[project.optional-dependencies]\nlambda = []"), Lock(locked));
        Assert.Equal("dependency 'mangum' is 'mangum==0.19.0' in pyproject.toml but 'mangum==0.19.0 ; extra == 'lambda'' in uv.lock", Assert.Single(moved));

        var newExtra = Differences(Project("[project.optional-dependencies]\nlambda = [\"mangum==0.19.0\"]\nweb = [\"uvicorn\"]"), Lock(locked));
        Assert.Contains("dependency 'uvicorn (extra 'web')' is in pyproject.toml but not in uv.lock", newExtra);
        Assert.Contains("extra 'web' is in pyproject.toml but not in uv.lock", newExtra);
    }

    [Fact]
    public void A_dependency_group_change_is_a_difference()
    {
        const string locked = "[package.metadata.requires-dev]\ndev = [{ name = \"pytest\", specifier = \">=8\" }]";
        Fresh(Project("[dependency-groups]\ndev = [\"pytest>=8\"]"), Lock(locked));
        // Legacy tool.uv.dev-dependencies are the "dev" group, as uv merges them.
        Fresh(Project("[tool.uv]\ndev-dependencies = [\"pytest>=8\"]"), Lock(locked));

        Assert.Equal("dependency group 'dev': 'pytest' is 'pytest>=9' in pyproject.toml but 'pytest>=8' in uv.lock",
            Single(Project("[dependency-groups]\ndev = [\"pytest>=9\"]"), Lock(locked)));
        Assert.Equal("dependency group 'lint' is in pyproject.toml but not in uv.lock",
            Single(Project("[dependency-groups]\ndev = [\"pytest>=8\"]\nlint = [\"ruff\"]"), Lock(locked)));
        Assert.Equal("dependency group 'dev' is in uv.lock but no longer in pyproject.toml", Single(Project(""), Lock(locked)));
    }

    [Fact]
    public void Include_group_is_expanded_before_comparing()
    {
        Fresh(Project("[dependency-groups]\ntest = [\"pytest\"]\ndev = [{ include-group = \"test\" }, \"ruff\"]"),
            Lock("[package.metadata.requires-dev]\ndev = [{ name = \"pytest\" }, { name = \"ruff\" }]\ntest = [{ name = \"pytest\" }]"));
    }

    [Fact]
    public void A_source_change_is_a_difference()
    {
        const string git = "requires-dist = [{ name = \"awsgi\", git = \"https://github.com/x/awsgi.git?tag=v0.2.8\" }]";
        Fresh(Project("dependencies = [\"awsgi\"]\n[tool.uv.sources]\nawsgi = { git = \"https://github.com/x/awsgi.git\", tag = \"v0.2.8\" }"), Lock(git));

        var tag = Single(Project("dependencies = [\"awsgi\"]\n[tool.uv.sources]\nawsgi = { git = \"https://github.com/x/awsgi.git\", tag = \"v0.3.0\" }"), Lock(git));
        Assert.StartsWith("dependency 'awsgi' is 'awsgi (git = https://github.com/x/awsgi.git, tag = v0.3.0)' in pyproject.toml but", tag);
        // Dropping the source makes it a registry requirement: a difference as well.
        Single(Project("dependencies = [\"awsgi\"]"), Lock(git));
        // A PEP 508 direct reference locks the same way.
        Fresh(Project("dependencies = [\"awsgi @ git+https://github.com/x/awsgi.git@v1\"]"),
            Lock("requires-dist = [{ name = \"awsgi\", git = \"https://github.com/x/awsgi.git?rev=v1\" }]"));
    }

    [Fact]
    public void A_path_or_index_source_change_is_a_difference()
    {
        const string path = "requires-dist = [{ name = \"lib\", editable = \"libs/lib\" }]";
        var lib = ("libs/lib/pyproject.toml", Project("", "lib"));
        var other = ("libs/other/pyproject.toml", Project("", "lib"));
        Fresh(Project("dependencies = [\"lib\"]\n[tool.uv.sources]\nlib = { path = \"libs/lib\", editable = true }"), Lock(path), lib);
        Assert.Contains("in pyproject.toml but", Single(Project("dependencies = [\"lib\"]\n[tool.uv.sources]\nlib = { path = \"libs/other\", editable = true }"), Lock(path), lib, other));
        Single(Project("dependencies = [\"lib\"]\n[tool.uv.sources]\nlib = { path = \"libs/lib\" }"), Lock(path), lib);

        const string index = "requires-dist = [{ name = \"torch\", specifier = \"==2.9.1\", index = \"https://download.pytorch.org/whl/cpu\" }]";
        const string indexes = "[[tool.uv.index]]\nname = \"cpu\"\nurl = \"https://download.pytorch.org/whl/cpu\"\n[[tool.uv.index]]\nname = \"gpu\"\nurl = \"https://download.pytorch.org/whl/cu128\"\n";
        Fresh(Project($"dependencies = [\"torch==2.9.1\"]\n[tool.uv.sources]\ntorch = {{ index = \"cpu\" }}\n{indexes}"), Lock(index));
        Single(Project($"dependencies = [\"torch==2.9.1\"]\n[tool.uv.sources]\ntorch = {{ index = \"gpu\" }}\n{indexes}"), Lock(index));
    }

    [Fact]
    public void A_requires_python_change_is_a_difference_but_an_equal_range_is_not()
    {
        Assert.Equal("requires-python is '>=3.13' in pyproject.toml but '>=3.12' in uv.lock", Single(Project("", requiresPython: ">=3.13"), Lock(null)));
        Fresh(Project("", requiresPython: ">= 3.12.0"), Lock(null));
        Fresh(Project("", requiresPython: "==3.12.*"), Lock(null, header: "version = 1\nrevision = 3\nrequires-python = \">=3.12, <3.13\"\n\n"));
    }

    private const string WorkspaceRoot = "[project]\nname = \"root\"\nversion = \"0.1.0\"\nrequires-python = \">=3.12\"\ndependencies = [\"lib\"]\n"
        + "[tool.uv.sources]\nlib = { workspace = true }\n[tool.uv.workspace]\nmembers = [\"packages/*\"]\n";

    private static string WorkspaceLock(params string[] members) =>
        LockHeader + $"[manifest]\nmembers = [{string.Join(", ", members.Select(m => $"\"{m}\""))}]\n\n"
        + "[[package]]\nname = \"root\"\nversion = \"0.1.0\"\nsource = { virtual = \".\" }\n\n[package.metadata]\nrequires-dist = [{ name = \"lib\", editable = \"packages/lib\" }]\n\n"
        + "[[package]]\nname = \"lib\"\nversion = \"0.1.0\"\nsource = { editable = \"packages/lib\" }\n";

    [Fact]
    public void A_workspace_member_added_or_removed_is_a_difference()
    {
        var lib = ("packages/lib/pyproject.toml", Project("", "lib"));
        var tools = ("packages/tools/pyproject.toml", Project("", "tools"));
        Fresh(WorkspaceRoot, WorkspaceLock("lib", "root"), lib);

        var added = Differences(WorkspaceRoot, WorkspaceLock("lib", "root"), lib, tools);
        Assert.Contains("workspace member 'tools' is not in uv.lock's [manifest] members", added);
        Assert.Contains("workspace member 'tools' has no package in uv.lock", added);

        Assert.Equal("'tools' is a workspace member in uv.lock but no longer in the workspace",
            Single(WorkspaceRoot, WorkspaceLock("lib", "root", "tools"), lib));
    }

    [Fact]
    public void A_members_own_dependencies_are_compared_and_named_with_the_member()
    {
        var lib = ("packages/lib/pyproject.toml", Project("dependencies = [\"httpx\"]", "lib"));
        Assert.Equal("workspace member 'lib': dependency 'httpx' is in pyproject.toml but not in uv.lock",
            Single(WorkspaceRoot, WorkspaceLock("lib", "root"), lib));
    }

    [Fact]
    public void Reordered_respelled_and_renamed_spellings_are_not_differences()
    {
        Fresh(Project("dependencies = [\n  \"Typing_Extensions >= 4.0, < 5 ; python_version < '3.13'\",\n  \"Requests[Socks,security] (>=2.0)\",\n  \"boto3\",\n]"),
            Lock("requires-dist = [\n  { name = \"boto3\" },\n  { name = \"requests\", extras = [\"security\", \"socks\"], specifier = \">=2\" },\n"
                + "  { name = \"typing-extensions\", marker = \"python_full_version < '3.13'\", specifier = \"<5,>=4.0\" },\n]"));
    }

    [Fact]
    public void Markers_compare_by_value_within_requires_python()
    {
        // uv drops what requires-python implies and rewrites python_version; neither is a difference.
        Fresh(Project("dependencies = [\"tomli ; python_version >= '3.8' and sys_platform == 'linux'\"]"),
            Lock("requires-dist = [{ name = \"tomli\", marker = \"sys_platform == 'linux'\" }]"));
        Fresh(Project("dependencies = [\"tomli ; python_version in '3.10 3.11'\"]", requiresPython: ">=3.10"),
            Lock("requires-dist = [{ name = \"tomli\", marker = \"python_full_version < '3.12'\" }]", header: "version = 1\nrevision = 3\nrequires-python = \">=3.10\"\n\n"));
        // A marker that allows other environments is.
        Single(Project("dependencies = [\"tomli ; python_version < '3.14'\"]"), Lock("requires-dist = [{ name = \"tomli\", marker = \"python_full_version < '3.13'\" }]"));
    }

    [Fact]
    public void Dynamic_dependencies_are_skipped_as_uv_skips_them()
    {
        Fresh(Project("dynamic = [\"dependencies\"]"), Lock("requires-dist = [{ name = \"requests\" }]"));
    }

    [Fact]
    public void A_stale_lock_fails_the_build_with_UvLocked_and_warns_without()
    {
        using var t = new TempDirectory();
        t.WriteFile("pyproject.toml", Project("dependencies = [\"requests>=2\"]"));
        t.WriteFile("uv.lock", Lock(null));
        var request = new ProjectResolutionRequest(t.Path, "3.12", "x86_64", null, [], [], Locked: true);
        var e = Assert.Throws<UvLambdaException>(() => ProjectResolver.Resolve(request, new WarningLog()));
        Assert.Equal(ErrorCodes.LockOutOfDate, e.Code);
        Assert.Contains("requests", e.Message);
        Assert.Contains("Run `uv lock`", e.Message);

        var log = new WarningLog();
        ProjectResolver.Resolve(request with { Locked = false }, log);
        Assert.Contains(log.Warnings, w => w.Code == ErrorCodes.LockOutOfDate && w.Message.Contains("'requests>=2'"));
        // The warning says what a build that goes on ships, and how to make it stop instead.
        Assert.Contains(log.Warnings, w => w.Code == ErrorCodes.LockOutOfDate && w.Message.Contains("packages what uv.lock says") && w.Message.Contains("UvLocked=true"));
    }

    [Fact]
    public void A_stale_lock_points_at_the_line_of_the_dependency_added_to_pyproject()
    {
        using var t = new TempDirectory();
        var file = t.WriteFile("pyproject.toml", Project("dependencies = [\n    \"six>=1.16\",\n    \"requests>=2\",\n]"));
        t.WriteFile("uv.lock", Lock("requires-dist = [{ name = \"six\", specifier = \">=1.16\" }]"));
        var request = new ProjectResolutionRequest(t.Path, "3.12", "x86_64", null, [], [], Locked: true);
        var e = Assert.Throws<UvLambdaException>(() => ProjectResolver.Resolve(request, new WarningLog()));
        Assert.Equal((ErrorCodes.LockOutOfDate, file, 7, 5), (e.Code, e.File, e.Line, e.Column));
        Assert.Contains("'requests>=2' is in pyproject.toml but not in uv.lock", e.Message);
    }

    [Fact]
    public void A_stale_requires_python_points_at_its_line_and_a_removed_dependency_at_the_project_file()
    {
        using var t = new TempDirectory();
        var file = t.WriteFile("pyproject.toml", Project("", requiresPython: ">=3.11"));
        t.WriteFile("uv.lock", Lock(null));
        var request = new ProjectResolutionRequest(t.Path, "3.12", "x86_64", null, [], [], Locked: true);
        var e = Assert.Throws<UvLambdaException>(() => ProjectResolver.Resolve(request, new WarningLog()));
        Assert.Equal((ErrorCodes.LockOutOfDate, file, 4, 19), (e.Code, e.File, e.Line, e.Column));

        // A dependency only the lock still has is written nowhere in pyproject.toml: the file, no line.
        t.WriteFile("pyproject.toml", Project(""));
        t.WriteFile("uv.lock", Lock("requires-dist = [{ name = \"six\" }]"));
        e = Assert.Throws<UvLambdaException>(() => ProjectResolver.Resolve(request, new WarningLog()));
        Assert.Equal((ErrorCodes.LockOutOfDate, file, 0), (e.Code, e.File, e.Line));
    }

    [Theory]
    [InlineData("[dependency-groups]\nlambda = [\"six\"]", "lambda", "", ErrorCodes.UnknownGroup)]
    [InlineData("[project.optional-dependencies]\npg = [\"six\"]", "", "pg", ErrorCodes.UnknownExtra)]
    public void A_group_or_extra_pyproject_defines_but_the_lock_lacks_says_to_run_uv_lock_not_to_fix_the_item(string body, string group, string extra, string code)
    {
        using var t = new TempDirectory();
        var file = t.WriteFile("pyproject.toml", Project(body));
        t.WriteFile("uv.lock", Lock(null));
        var request = new ProjectResolutionRequest(t.Path, "3.12", "x86_64", null, extra.Length > 0 ? [extra] : [], group.Length > 0 ? [group] : [], Locked: false);
        var e = Assert.Throws<UvLambdaException>(() => ProjectResolver.Resolve(request, new WarningLog()));
        Assert.Equal((code, file), (e.Code, e.File));
        Assert.Contains("uv.lock was written before it was added. Run `uv lock`", e.Message);

        // A name pyproject.toml does not define either keeps the message that says to fix the item.
        request = request with { Groups = group.Length > 0 ? ["lamda"] : [], Extras = extra.Length > 0 ? ["pq"] : [] };
        e = Assert.Throws<UvLambdaException>(() => ProjectResolver.Resolve(request, new WarningLog()));
        Assert.Equal(code, e.Code);
        Assert.Contains("Fix the Lambda", e.Message);
    }

    [Fact]
    public void A_folder_without_pyproject_inside_a_uv_project_warns_UVL1312_that_its_dependencies_would_not_ship()
    {
        using var t = new TempDirectory();
        t.WriteFile("pyproject.toml", Project("dependencies = [\"six\"]", name: "orders"));
        t.WriteFile("uv.lock", Lock(null, name: "orders"));
        var sub = Directory.CreateDirectory(t.Combine("build")).FullName;
        var log = new WarningLog();
        var result = ProjectResolver.Resolve(new ProjectResolutionRequest(sub, "3.12", "x86_64", null, [], [], Locked: false), log);
        Assert.Empty(result.Packages);
        var w = Assert.Single(log.Warnings);
        Assert.Equal(ErrorCodes.PyProjectNotBeside, w.Code);
        Assert.Contains("'orders'", w.Message);
        Assert.Contains("Move the .pyproj beside that pyproject.toml", w.Message);
    }

    [Fact]
    public void A_folder_without_pyproject_under_a_tool_only_pyproject_is_a_plain_function_and_not_warned_about()
    {
        using var t = new TempDirectory();
        t.WriteFile("pyproject.toml", "[tool.ruff]\nline-length = 100\n");
        var sub = Directory.CreateDirectory(t.Combine("fn")).FullName;
        var log = new WarningLog();
        ProjectResolver.Resolve(new ProjectResolutionRequest(sub, "3.12", "x86_64", null, [], [], Locked: false), log);
        Assert.Empty(log.Warnings);
    }

    [Fact]
    public void A_virtual_workspace_roots_groups_compare_with_the_manifest()
    {
        const string root = "[dependency-groups]\ndev = [\"pytest>=8\"]\n[tool.uv.workspace]\nmembers = [\"lib\"]\n";
        var lib = ("lib/pyproject.toml", Project("", "lib"));
        string Lock(string spec) => LockHeader + $"[manifest]\nmembers = [\"lib\"]\n\n[manifest.dependency-groups]\ndev = [{{ name = \"pytest\", specifier = \"{spec}\" }}]\n\n"
            + "[[package]]\nname = \"lib\"\nversion = \"0.1.0\"\nsource = { editable = \"lib\" }\n";
        Fresh(root, Lock(">=8"), lib);
        Assert.Equal("dependency group 'dev': 'pytest' is 'pytest>=8' in pyproject.toml but 'pytest>=7' in uv.lock", Single(root, Lock(">=7"), lib));
    }

    [Fact]
    public void A_revision_4_lock_without_metadata_is_compared_by_its_dependency_edges()
    {
        const string header = "version = 1\nrevision = 4\nrequires-python = \">=3.12\"\n\n";
        var locked = header + "[[package]]\nname = \"app\"\nversion = \"0.1.0\"\nsource = { virtual = \".\" }\ndependencies = [{ name = \"requests\" }]\n";
        Fresh(Project("dependencies = [\"requests>=2\"]"), locked);
        Assert.Equal("dependency 'boto3' is in pyproject.toml but not in uv.lock", Single(Project("dependencies = [\"requests>=2\", \"boto3\"]"), locked));
    }

    [Fact]
    public void A_source_limited_to_a_marker_keeps_the_registry_requirement_for_the_other_environments()
    {
        // uv splits the requirement: the source under its marker, the registry for the rest.
        const string locked = "requires-dist = [\n  { name = \"torch\", marker = \"sys_platform == 'linux'\", index = \"https://download.pytorch.org/whl/cpu\" },\n"
            + "  { name = \"torch\", marker = \"sys_platform != 'linux'\" },\n]";
        Fresh(Project("dependencies = [\"torch\"]\n[tool.uv.sources]\ntorch = { index = \"cpu\", marker = \"sys_platform == 'linux'\" }\n[[tool.uv.index]]\nname = \"cpu\"\nurl = \"https://download.pytorch.org/whl/cpu/\"\n"),
            Lock(locked));
    }
}
