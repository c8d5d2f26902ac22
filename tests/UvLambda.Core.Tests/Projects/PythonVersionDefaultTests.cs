using UvLambda.Core.Diagnostics;
using UvLambda.Core.Standards;
using UvLambda.Core.Projects;

namespace UvLambda.Core.Tests.Projects;

public class PythonVersionDefaultTests
{
    private static string RealWorld(params string[] parts) => Path.Combine([TestPaths.SharedFixtures, "real-world", .. parts]);

    private static string Default(string dir) => PythonVersionDefault.Resolve(UvWorkspace.Discover(dir)).PythonVersion;

    [Theory]
    [InlineData("DemocracyClub__Website", "3.12")] // ==3.12.*
    [InlineData("Kludex__mangum", "3.11")] // >=3.7; python3.10 is deprecated in the SDK's runtime calendar
    [InlineData("astral-sh__uv-aws-lambda-example", "3.13")] // .python-version 3.13 (and >=3.13)
    [InlineData("developmentseed__titiler-cmr", "3.12")] // .python-version 3.12
    [InlineData("developmentseed__titiler", "3.11")] // >=3.11
    [InlineData("karpathy__nanochat", "3.10")] // .python-version 3.10
    [InlineData("langchain-ai__langgraph/libs/langgraph", "3.11")] // >=3.10, and python3.10 is deprecated
    [InlineData("fourTheorem__uv-python-lambda/test/resources/workspaces_app/app", "3.10")] // the root's .python-version
    public void Real_world_projects_get_the_expected_default(string project, string expected) =>
        Assert.Equal(expected, Default(RealWorld(project.Split('/'))));

    [Fact]
    public void A_member_reads_the_workspace_roots_python_version_file()
    {
        var root = RealWorld("fourTheorem__uv-python-lambda", "test", "resources", "workspaces_app");
        var choice = PythonVersionDefault.Resolve(UvWorkspace.Discover(Path.Combine(root, "app")));
        Assert.Equal(Path.Combine(root, ".python-version"), choice.Source);
    }

    [Theory]
    [InlineData(">=3.12", "3.12")]
    [InlineData("==3.12.*", "3.12")]
    [InlineData(">=3.7", "3.11")]
    [InlineData(">=3.10", "3.11")]
    [InlineData(">=3.11.4", "3.11")]
    [InlineData("~=3.11", "3.11")]
    [InlineData(">3.10", "3.11")]
    [InlineData("<3.12,>=3.10.3", "3.11")]
    [InlineData("==3.10.*", "3.10")] // only a deprecated runtime is allowed: it, and the build warns (UVL4049)
    [InlineData("!=3.10.*,!=3.11.*", "3.12")]
    [InlineData(">=3.13,<4", "3.13")]
    public void Requires_python_picks_the_oldest_allowed_lambda_runtime_not_deprecated_by_the_SDKs_calendar(string requiresPython, string expected) =>
        Assert.Equal(expected, PythonVersionDefault.LowestAllowed(VersionSpecifierSet.Parse(requiresPython)));

    [Theory]
    [InlineData(">=3.15")]
    [InlineData("<3.10")]
    [InlineData("==3.9.*")]
    public void Requires_python_no_lambda_runtime_meets_is_UVL1308(string requiresPython)
    {
        var e = Assert.Throws<UvLambdaException>(() => PythonVersionDefault.LowestAllowed(VersionSpecifierSet.Parse(requiresPython), requiresPython, "/p/pyproject.toml"));
        Assert.Equal(ErrorCodes.PythonVersionExcluded, e.Code);
        Assert.Contains($"requires-python '{requiresPython}'", e.Message);
        Assert.Equal("/p/pyproject.toml", e.File);
    }

    [Fact]
    public void Without_python_version_file_or_requires_python_the_default_is_3_13()
    {
        using var t = new TempDirectory();
        Assert.Equal(new PythonVersionChoice("3.13", "default"), PythonVersionDefault.Resolve(t.Path, null, VersionSpecifierSet.Any));
    }

    [Theory]
    [InlineData("3.12\n", "3.12")]
    [InlineData("3.12.4\n", "3.12")]
    [InlineData("cpython-3.11\n", "3.11")]
    [InlineData("# pinned for lambda\n\n  3.14  \n3.10\n", "3.14")]
    public void Python_version_files_give_major_minor(string content, string expected)
    {
        using var t = new TempDirectory();
        var file = t.WriteFile(".python-version", content);
        Assert.Equal(expected, PythonVersionDefault.ReadPythonVersionFile(file));
    }

    [Fact]
    public void The_project_python_version_file_beats_the_roots_and_requires_python()
    {
        using var t = new TempDirectory();
        t.WriteFile(".python-version", "3.11\n");
        t.WriteFile("app/.python-version", "3.12\n");
        var choice = PythonVersionDefault.Resolve(t.Combine("app"), t.Path, VersionSpecifierSet.Parse(">=3.10"));
        Assert.Equal("3.12", choice.PythonVersion);
        Assert.Equal(t.Combine("app", ".python-version"), choice.Source);
    }

    [Theory]
    [InlineData("3.9\n", 1)]
    [InlineData("# c\npypy-3.10\n", 2)]
    [InlineData("3.15\n", 1)]
    public void A_python_version_file_naming_no_lambda_runtime_is_UVL1005(string content, int line)
    {
        using var t = new TempDirectory();
        var file = t.WriteFile(".python-version", content);
        var e = Assert.Throws<UvLambdaException>(() => PythonVersionDefault.ReadPythonVersionFile(file));
        Assert.Equal(ErrorCodes.InvalidPythonVersion, e.Code);
        Assert.Equal((file, line), (e.File, e.Line));
        Assert.Contains("3.10, 3.11, 3.12, 3.13, 3.14", e.Message);
    }

    [Fact]
    public void A_python_version_file_naming_a_deprecated_runtime_says_lambda_deprecated_it()
    {
        using var t = new TempDirectory();
        var file = t.WriteFile(".python-version", "3.9\n");
        var e = Assert.Throws<UvLambdaException>(() => PythonVersionDefault.ReadPythonVersionFile(file));
        Assert.Contains("Lambda deprecated python3.9 on 2025-12-15", e.Message);
    }

    [Fact]
    public void An_empty_python_version_file_is_UVL1005()
    {
        using var t = new TempDirectory();
        var file = t.WriteFile(".python-version", "# nothing\n\n");
        Assert.Equal(ErrorCodes.InvalidPythonVersion, Assert.Throws<UvLambdaException>(() => PythonVersionDefault.ReadPythonVersionFile(file)).Code);
    }

    [Fact]
    public void A_python_version_outside_requires_python_is_UVL1308_with_the_fix()
    {
        var e = Assert.Throws<UvLambdaException>(() =>
            PythonVersionDefault.CheckAllowed("3.13", VersionSpecifierSet.Parse("==3.12.*"), "==3.12.*", "/p/pyproject.toml"));
        Assert.Equal(ErrorCodes.PythonVersionExcluded, e.Code);
        Assert.Equal("PythonVersion 3.13 is excluded by requires-python '==3.12.*' in pyproject.toml; set PythonVersion to 3.12 or change requires-python.", e.Message);
        Assert.Equal("/p/pyproject.toml", e.File);
    }

    [Theory]
    [InlineData("3.12", ">=3.12")]
    [InlineData("3.12", ">=3.12.4")]
    [InlineData("3.10", "")]
    [InlineData("3.14", ">=3.10")]
    public void An_allowed_python_version_passes_the_check(string version, string requiresPython) =>
        PythonVersionDefault.CheckAllowed(version, VersionSpecifierSet.Parse(requiresPython));

    [Fact]
    public void Check_allowed_reads_the_projects_requires_python()
    {
        var project = PyProject.Load(RealWorld("DemocracyClub__Website", "pyproject.toml"));
        PythonVersionDefault.CheckAllowed("3.12", project);
        Assert.Equal(ErrorCodes.PythonVersionExcluded, Assert.Throws<UvLambdaException>(() => PythonVersionDefault.CheckAllowed("3.11", project)).Code);
    }

    [Fact]
    public void A_requires_python_that_excludes_the_version_or_every_runtime_is_UVL1308_at_its_line_in_pyproject()
    {
        using var dir = new TempDirectory();
        var file = dir.WriteFile("pyproject.toml", "[project]\nname = \"orders\"\nversion = \"0.1.0\"\nrequires-python  =  \"<3.10\"\n");
        var project = PyProject.Load(file);
        var e = Assert.Throws<UvLambdaException>(() => PythonVersionDefault.CheckAllowed("3.12", project));
        Assert.Equal((ErrorCodes.PythonVersionExcluded, file, 4, 21), (e.Code, e.File, e.Line, e.Column));
        // Without PythonVersion the default is computed from requires-python, which no runtime meets.
        e = Assert.Throws<UvLambdaException>(() => PythonVersionDefault.Resolve(UvWorkspace.Discover(dir.Path)));
        Assert.Equal((ErrorCodes.PythonVersionExcluded, file, 4, 21), (e.Code, e.File, e.Line, e.Column));
    }
}
