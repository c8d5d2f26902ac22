using UvLambda.Core.Tests;

namespace UvLambda.Sdk.Tests;

/// <summary>The ResolvePythonPackages target run in-process on small projects.</summary>
public class ResolvePythonPackagesTargetTests
{
    private const string AppMain = "def handler(event, context):\n    return {}\n";

    private const string PyProject = """
        [project]
        name = "func"
        version = "0.1.0"
        requires-python = ">=3.12"
        dependencies = ["six", "fastnum"]
        """;

    /// <summary>
    /// func depends on fastnum (wheels for x86_64, aarch64 and macOS with <paramref name="abi"/> tags) and six (pure), and on
    /// <paramref name="dangling"/> too when given, a dependency edge to a package the lock does not have.
    /// </summary>
    private static string Lock(string requiresPython = ">=3.12", string abi = "cp312-cp312", string? dangling = null) => new UvLockBuilder(requiresPython)
        .Root("func", configure: p =>
        {
            p.DependsOn("fastnum").DependsOn("six").Requires("fastnum").Requires("six");
            if (dangling is not null) p.DependsOn(dangling);
        })
        .Package("fastnum", "2.0.0", p => p
            .Wheel($"https://files.example/fastnum-2.0.0-{abi}-manylinux_2_28_x86_64.whl", "sha256:aaaa", 10)
            .Wheel($"https://files.example/fastnum-2.0.0-{abi}-manylinux_2_28_aarch64.whl", "sha256:bbbb", 11)
            .Wheel($"https://files.example/fastnum-2.0.0-{abi}-macosx_11_0_arm64.whl", "sha256:cccc", 12))
        .Package("six", "1.17.0", p => p.Wheel("https://files.example/six-1.17.0-py2.py3-none-any.whl", "sha256:dddd", 13))
        .ToToml();

    private static SdkProject Project(string? lockText = null, string pyproject = PyProject, string body = "") =>
        new(body, ("app/main.py", AppMain), ("pyproject.toml", pyproject), ("uv.lock", lockText ?? Lock()));

    [Fact]
    public void Yields_one_PythonPackage_per_shipped_package_with_its_wheel()
    {
        using var p = Project();
        var (ok, errors, instance) = p.Build("ResolvePythonPackages");
        Assert.True(ok, string.Join("\n", errors.Select(e => e.Message)));
        var items = instance.GetItems("PythonPackage").OrderBy(i => i.EvaluatedInclude).ToList();
        Assert.Equal(["fastnum", "six"], items.Select(i => i.EvaluatedInclude));
        Assert.Equal("fastnum-2.0.0-cp312-cp312-manylinux_2_28_x86_64.whl", items[0].GetMetadataValue("Wheel"));
        Assert.Equal("aaaa", items[0].GetMetadataValue("Sha256"));
        Assert.Equal("10", items[0].GetMetadataValue("Size"));
        Assert.Equal("registry", items[0].GetMetadataValue("Source"));
        Assert.Equal("2.0.0", items[0].GetMetadataValue("Version"));
        // requires-python >=3.12 and no .python-version: the oldest Lambda runtime it allows.
        Assert.Equal("3.12", instance.GetPropertyValue("PythonVersion"));
    }

    [Fact]
    public void PythonLockFile_reaches_the_task_and_a_pylock_resolves_like_the_uv_lock()
    {
        // The same two packages as Lock, in PEP 751 form; uv.lock is beside it and wins unless PythonLockFile says otherwise.
        const string pylock = """
            lock-version = "1.0"
            created-by = "tests"

            [[packages]]
            name = "fastnum"
            version = "2.0.0"
            marker = "sys_platform == 'linux'"
            index = "https://pypi.org/simple"
            wheels = [
                { url = "https://files.example/fastnum-2.0.0-cp312-cp312-manylinux_2_28_x86_64.whl", size = 10, hashes = { sha256 = "aaaa000000000000000000000000000000000000000000000000000000000000" } },
                { url = "https://files.example/fastnum-2.0.0-cp312-cp312-macosx_11_0_arm64.whl", size = 12, hashes = { sha256 = "cccc000000000000000000000000000000000000000000000000000000000000" } },
            ]

            [[packages]]
            name = "six"
            version = "1.17.0"
            index = "https://pypi.org/simple"
            wheels = [{ url = "https://files.example/six-1.17.0-py2.py3-none-any.whl", size = 13, hashes = { sha256 = "dddd000000000000000000000000000000000000000000000000000000000000" } }]
            """;
        using var p = new SdkProject("", ("app/main.py", AppMain), ("pyproject.toml", PyProject), ("uv.lock", Lock()), ("pylock.lambda.toml", pylock));
        var (ok, errors, instance) = p.Build("ResolvePythonPackages");
        Assert.True(ok, string.Join("\n", errors.Select(e => e.Message)));
        Assert.EndsWith("uv.lock", instance.GetPropertyValue("UvLockFile"));

        (ok, errors, instance) = p.Build("ResolvePythonPackages", new Dictionary<string, string> { ["PythonLockFile"] = "pylock.lambda.toml" });
        Assert.True(ok, string.Join("\n", errors.Select(e => e.Message)));
        Assert.EndsWith("pylock.lambda.toml", instance.GetPropertyValue("UvLockFile"));
        var items = instance.GetItems("PythonPackage").OrderBy(i => i.EvaluatedInclude).ToList();
        Assert.Equal(["fastnum", "six"], items.Select(i => i.EvaluatedInclude));
        Assert.Equal("fastnum-2.0.0-cp312-cp312-manylinux_2_28_x86_64.whl", items[0].GetMetadataValue("Wheel"));
        Assert.Equal("registry", items[0].GetMetadataValue("Source"));

        (ok, errors, _) = p.Build("ResolvePythonPackages", new Dictionary<string, string> { ["PythonLockFile"] = "locks.txt" });
        Assert.False(ok);
        Assert.Equal("UVL1327", Assert.Single(errors).Code);
    }

    [Fact]
    public void Arm64_takes_the_aarch64_wheel()
    {
        using var p = Project(body: "<PropertyGroup><LambdaArchitecture>arm64</LambdaArchitecture></PropertyGroup>");
        var (ok, _, instance) = p.Build("ResolvePythonPackages");
        Assert.True(ok);
        Assert.Equal("fastnum-2.0.0-cp312-cp312-manylinux_2_28_aarch64.whl",
            instance.GetItems("PythonPackage").Single(i => i.EvaluatedInclude == "fastnum").GetMetadataValue("Wheel"));
    }

    [Fact]
    public void Python_version_file_sets_the_default_and_abi3_wheels_serve_newer_pythons()
    {
        using var p = Project(lockText: Lock(abi: "cp312-abi3"));
        p.WriteFile(".python-version", "3.13\n");
        var (ok, errors, instance) = p.Build("ResolvePythonPackages");
        Assert.True(ok, string.Join("\n", errors.Select(e => $"{e.Code} {e.Message}")));
        Assert.Equal("3.13", instance.GetPropertyValue("PythonVersion"));
    }

    [Fact]
    public void A_wheel_for_a_newer_glibc_than_the_runtime_is_UVL2001()
    {
        // python3.11 runs on Amazon Linux 2 (glibc 2.26): manylinux_2_28 wheels do not load there.
        using var p = Project(
            lockText: Lock(">=3.11", "cp311-cp311"),
            pyproject: PyProject.Replace(">=3.12", ">=3.11"),
            body: "<PropertyGroup><PythonVersion>3.11</PythonVersion></PropertyGroup>");
        var (ok, errors, _) = p.Build("ResolvePythonPackages");
        Assert.False(ok);
        var error = Assert.Single(errors);
        Assert.Equal("UVL2001", error.Code);
        Assert.Contains("fastnum 2.0.0", error.Message);
        Assert.Contains("manylinux_2_28_x86_64", error.Message);
    }

    [Fact]
    public void Malformed_pyproject_is_UVL1101_at_its_line_and_column()
    {
        using var p = Project(pyproject: "[project]\nname = \"func\"\nversion = 0.1.0\n");
        var (ok, errors, _) = p.Build("ResolvePythonPackages");
        Assert.False(ok);
        var error = Assert.Single(errors);
        Assert.Equal("UVL1101", error.Code);
        Assert.EndsWith("pyproject.toml", error.File);
        Assert.Equal(3, error.LineNumber);
        Assert.True(error.ColumnNumber > 0);
    }

    [Fact]
    public void Dependencies_without_a_lock_are_UVL1304_saying_run_uv_lock()
    {
        using var p = new SdkProject("", ("app/main.py", AppMain), ("pyproject.toml", PyProject));
        var (ok, errors, _) = p.Build("ResolvePythonPackages");
        Assert.False(ok);
        var error = Assert.Single(errors);
        Assert.Equal("UVL1304", error.Code);
        Assert.Contains("uv lock", error.Message);
    }

    [Fact]
    public void No_dependencies_and_no_lock_builds()
    {
        using var p = new SdkProject("", ("app/main.py", AppMain), ("pyproject.toml", "[project]\nname = \"func\"\nversion = \"1\"\ndependencies = []\n"));
        var (ok, errors, instance) = p.Build();
        Assert.True(ok, string.Join("\n", errors.Select(e => e.Message)));
        Assert.Empty(instance.GetItems("PythonPackage"));
    }

    [Fact]
    public void An_unknown_lock_version_is_UVL1301()
    {
        using var p = Project(lockText: Lock().Replace("version = 1\nrevision", "version = 7\nrevision"));
        var (ok, errors, _) = p.Build("ResolvePythonPackages");
        Assert.False(ok);
        Assert.Equal("UVL1301", Assert.Single(errors).Code);
    }

    [Fact]
    public void A_dangling_dependency_is_UVL1303_at_its_line()
    {
        using var p = Project(lockText: Lock(dangling: "ghost"));
        var (ok, errors, _) = p.Build("ResolvePythonPackages");
        Assert.False(ok);
        var error = Assert.Single(errors);
        Assert.Equal("UVL1303", error.Code);
        Assert.EndsWith("uv.lock", error.File);
        Assert.True(error.LineNumber > 1);
    }

    [Fact]
    public void A_stale_lock_warns_and_UvLocked_makes_it_an_error()
    {
        using var p = Project(pyproject: PyProject.Replace("\"six\", \"fastnum\"", "\"six\", \"fastnum\", \"requests>=2\""));
        var (ok, _, _) = p.Build("ResolvePythonPackages");
        Assert.True(ok);
        var (lockedOk, errors, _) = p.Build("ResolvePythonPackages", new Dictionary<string, string> { ["UvLocked"] = "true" });
        Assert.False(lockedOk);
        var error = Assert.Single(errors);
        Assert.Equal("UVL1307", error.Code);
        Assert.Contains("requests>=2", error.Message);
    }

    [Fact]
    public void A_python_version_requires_python_excludes_is_UVL1308()
    {
        using var p = Project(body: "<PropertyGroup><PythonVersion>3.10</PythonVersion></PropertyGroup>");
        var (ok, errors, _) = p.Build("ResolvePythonPackages");
        Assert.False(ok);
        Assert.Equal("UVL1308", Assert.Single(errors).Code);
    }

    [Fact]
    public void Extras_and_groups_come_from_items()
    {
        using var p = Project(body: "<ItemGroup><LambdaExtras Include=\"nope\" /></ItemGroup>");
        var (ok, errors, _) = p.Build("ResolvePythonPackages");
        Assert.False(ok);
        Assert.Equal("UVL1309", Assert.Single(errors).Code);
    }
}
