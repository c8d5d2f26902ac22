using UvLambda.Core.Diagnostics;
using UvLambda.Core.Locking;
using UvLambda.Core.Environments;

namespace UvLambda.Core.Tests.Locking;

/// <summary>The export walk and wheel choice on small hand-written locks, one behaviour each.</summary>
public class LockResolverTests
{
    private const string Header = "version = 1\nrevision = 3\nrequires-python = \">=3.10\"\n\n";

    /// <summary>A root project at the lock's folder, depending on <paramref name="deps"/> (inline tables).</summary>
    private static string Root(params string[] deps) =>
        $"[[package]]\nname = \"app\"\nversion = \"0.1.0\"\nsource = {{ editable = \".\" }}\ndependencies = [\n{string.Join(",\n", deps.Select(d => "    " + d))}\n]\n\n";

    /// <summary>A registry package with the given wheel file names (and an sdist unless told otherwise).</summary>
    private static string Pkg(string name, string version = "1.0", string[]? wheels = null, bool sdist = true, string registry = "https://pypi.org/simple", string extra = "")
    {
        var text = $"[[package]]\nname = \"{name}\"\nversion = \"{version}\"\nsource = {{ registry = \"{registry}\" }}\n";
        if (sdist) text += $"sdist = {{ url = \"https://files.example/{name}-{version}.tar.gz\", hash = \"sha256:00\", size = 1 }}\n";
        if (wheels is { Length: > 0 })
            text += "wheels = [\n" + string.Concat(wheels.Select(w => $"    {{ url = \"https://files.example/{w}\", hash = \"sha256:00\", size = 1 }},\n")) + "]\n";
        // Sub-tables such as [package.optional-dependencies] go last.
        return text + extra + "\n";
    }

    private static IReadOnlyList<ResolvedPackage> Resolve(string lockText, string python = "3.13", string arch = "x86_64",
        string[]? extras = null, string[]? groups = null, string? pythonPlatform = null)
    {
        using var dir = new TempDirectory();
        var lk = UvLockReader.Load(dir.WriteFile("uv.lock", lockText));
        return LockResolver.Resolve(lk, new ResolveOptions(dir.Path, extras ?? [], groups ?? [], TargetEnvironment.ForLambda(python, arch, pythonPlatform)));
    }

    private static string[] Names(IReadOnlyList<ResolvedPackage> packages) => packages.Select(p => p.Name).Order(StringComparer.Ordinal).ToArray();

    private static UvLambdaException Refused(string code, Action action)
    {
        var e = Assert.Throws<UvLambdaException>(action);
        Assert.Equal(code, e.Code);
        return e;
    }

    // ---- markers

    [Fact]
    public void Python_full_version_is_x_y_0_while_python_version_is_x_y()
    {
        var packages = Resolve(Header + Root(
                "{ name = \"full-patch\", marker = \"python_full_version >= '3.13.1'\" }",
                "{ name = \"full-zero\", marker = \"python_full_version == '3.13.0'\" }",
                "{ name = \"minor\", marker = \"python_version >= '3.13'\" }",
                "{ name = \"older\", marker = \"python_version < '3.13'\" }")
            + Pkg("full-patch") + Pkg("full-zero") + Pkg("minor") + Pkg("older"));
        Assert.Equal(["full-zero", "minor"], Names(packages));
    }

    [Theory]
    [InlineData("x86_64", "x86-only")]
    [InlineData("arm64", "arm-only")]
    public void Platform_machine_markers_follow_the_lambda_architecture(string arch, string expected)
    {
        var packages = Resolve(Header + Root(
                "{ name = \"arm-only\", marker = \"platform_machine == 'aarch64'\" }",
                "{ name = \"x86-only\", marker = \"platform_machine == 'x86_64' and sys_platform == 'linux'\" }",
                "{ name = \"windows\", marker = \"sys_platform == 'win32'\" }")
            + Pkg("arm-only") + Pkg("x86-only") + Pkg("windows"), arch: arch);
        Assert.Equal([expected], Names(packages));
    }

    [Fact]
    public void An_edge_counts_the_extras_it_requests_as_active_for_its_own_marker()
    {
        // uv writes such conflict markers when an extra's packages are only wanted with that extra.
        var packages = Resolve(Header + Root("{ name = \"lib\", extra = [\"fast\"], marker = \"extra == 'extra-3-lib-fast'\" }")
            + Pkg("lib", extra: "\n[package.optional-dependencies]\nfast = [\n    { name = \"speedup\", marker = \"extra == 'extra-3-lib-fast'\" },\n]\n")
            + Pkg("speedup"));
        Assert.Equal(["lib", "speedup"], Names(packages));
    }

    [Fact]
    public void A_conflict_marker_on_an_inactive_extra_is_false()
    {
        var packages = Resolve(Header + Root("{ name = \"lib\", marker = \"extra == 'extra-3-app-gpu'\" }") + Pkg("lib"));
        Assert.Empty(packages);
    }

    // ---- disambiguation and lock shape errors

    [Fact]
    public void Same_name_twice_is_told_apart_by_version()
    {
        var packages = Resolve(Header + Root("{ name = \"dup\", version = \"2.0\", source = { registry = \"https://pypi.org/simple\" } }")
            + Pkg("dup", "1.0", ["dup-1.0-py3-none-any.whl"]) + Pkg("dup", "2.0", ["dup-2.0-py3-none-any.whl"]));
        var dup = Assert.Single(packages);
        Assert.Equal("2.0", dup.Version);
        Assert.Equal("dup-2.0-py3-none-any.whl", dup.Wheel!.Name);
    }

    [Fact]
    public void Same_name_and_version_twice_is_told_apart_by_source()
    {
        var packages = Resolve(Header + Root("{ name = \"dup\", version = \"1.0\", source = { registry = \"https://mirror.example/simple\" } }")
            + Pkg("dup", "1.0", ["dup-1.0-py3-none-any.whl"]) + Pkg("dup", "1.0", ["dup-1.0-py3-none-any.whl"], registry: "https://mirror.example/simple"));
        Assert.Equal("https://mirror.example/simple", Assert.Single(packages).Locked.Source.Value);
    }

    [Fact]
    public void Same_name_twice_without_version_on_the_edge_is_ambiguous()
    {
        Refused(ErrorCodes.AmbiguousDependency, () => Resolve(Header + Root("{ name = \"dup\" }") + Pkg("dup", "1.0") + Pkg("dup", "2.0")));
    }

    [Fact]
    public void A_dependency_missing_from_the_lock_is_reported_at_its_line()
    {
        var e = Refused(ErrorCodes.DanglingDependency, () => Resolve(Header + Root("{ name = \"present\" }", "{ name = \"ghost\" }") + Pkg("present")));
        Assert.Contains("'ghost'", e.Message);
        // Header (4 lines) + [[package]], name, version, source, dependencies = [, present → ghost is line 11.
        Assert.Equal(11, e.Line);
        Assert.EndsWith("uv.lock", e.File);
    }

    [Fact]
    public void Lock_format_version_2_is_refused()
    {
        var e = Refused(ErrorCodes.UnsupportedLockVersion, () => Resolve("version = 2\n" + Root()));
        Assert.Equal(1, e.Line);
    }

    [Fact]
    public void Malformed_toml_is_a_toml_syntax_error()
    {
        Refused(ErrorCodes.TomlSyntax, () => Resolve("version = 1\n[[package]\nname = \"x\"\n"));
    }

    [Fact]
    public void An_unknown_extra_is_refused_naming_the_extras_there_are()
    {
        var lockText = Header + Root() + "[package.optional-dependencies]\nfast = []\n\n";
        var e = Refused(ErrorCodes.UnknownExtra, () => Resolve(lockText, extras: ["slow"]));
        Assert.Contains("'slow'", e.Message);
        Assert.Contains("fast", e.Message);
    }

    [Fact]
    public void An_unknown_group_is_refused()
    {
        var lockText = Header + Root() + "[package.dev-dependencies]\ndev = []\n\n";
        var e = Refused(ErrorCodes.UnknownGroup, () => Resolve(lockText, groups: ["docs"]));
        Assert.Contains("'docs'", e.Message);
    }

    [Fact]
    public void A_requested_group_and_extra_are_walked()
    {
        var lockText = Header + Root() + "[package.optional-dependencies]\nfast = [{ name = \"speedup\" }]\n\n[package.dev-dependencies]\ndev = [{ name = \"pytest\" }]\n\n"
            + Pkg("speedup") + Pkg("pytest");
        Assert.Empty(Resolve(lockText));
        Assert.Equal(["pytest", "speedup"], Names(Resolve(lockText, extras: ["fast"], groups: ["dev"])));
    }

    // ---- wheel choice

    private static ResolvedPackage Only(string[] wheels, string python = "3.13", string arch = "x86_64", string? pythonPlatform = null, bool sdist = true) =>
        Assert.Single(Resolve(Header + Root("{ name = \"lib\" }") + Pkg("lib", wheels: wheels, sdist: sdist), python, arch, pythonPlatform: pythonPlatform));

    [Fact]
    public void The_higher_build_tag_wins_between_equal_tags()
    {
        Assert.Equal("lib-1.0-2-py3-none-any.whl", Only(["lib-1.0-1-py3-none-any.whl", "lib-1.0-2-py3-none-any.whl", "lib-1.0-py3-none-any.whl"]).Wheel!.Name);
    }

    [Fact]
    public void An_abi3_wheel_serves_a_newer_python()
    {
        Assert.Equal("lib-1.0-cp39-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
            Only(["lib-1.0-cp39-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", "lib-1.0-cp39-cp39-manylinux_2_17_x86_64.whl"]).Wheel!.Name);
    }

    [Fact]
    public void A_version_specific_wheel_beats_abi3_and_pure_python()
    {
        Assert.Equal("lib-1.0-cp313-cp313-manylinux_2_17_x86_64.whl",
            Only(["lib-1.0-py3-none-any.whl", "lib-1.0-cp39-abi3-manylinux_2_17_x86_64.whl", "lib-1.0-cp313-cp313-manylinux_2_17_x86_64.whl"]).Wheel!.Name);
    }

    [Fact]
    public void A_manylinux_2_28_only_wheel_is_refused_at_3_11_and_taken_at_3_12()
    {
        // Lambda's python3.11 runtime has glibc 2.26; python3.12 and later have 2.34.
        string[] wheels = ["lib-1.0-cp311-abi3-manylinux_2_28_x86_64.whl"];
        var e = Refused(ErrorCodes.NoCompatibleWheel, () => Only(wheels, python: "3.11"));
        Assert.Contains("lib 1.0:", e.Message);
        Assert.Equal(wheels[0], Only(wheels, python: "3.12").Wheel!.Name);
    }

    [Fact]
    public void Musllinux_plain_linux_macos_and_windows_wheels_are_never_chosen()
    {
        string[] foreign = ["lib-1.0-cp313-cp313-musllinux_1_2_x86_64.whl", "lib-1.0-cp313-cp313-linux_x86_64.whl",
            "lib-1.0-cp313-cp313-macosx_11_0_x86_64.whl", "lib-1.0-cp313-cp313-win_amd64.whl", "lib-1.0-cp313-cp313-manylinux_2_17_aarch64.whl"];
        var e = Refused(ErrorCodes.NoCompatibleWheel, () => Only(foreign));
        Assert.Contains("lib 1.0:", e.Message);
        Assert.Equal(13, e.Line); // the [[package]] header of lib
        // uv's own way to lock versions that have wheels for Lambda's platform.
        Assert.Contains("required-environments = [\"sys_platform == 'linux' and platform_machine == 'x86_64'\"]", e.Message);
        Assert.Equal("lib-1.0-py3-none-any.whl", Only([.. foreign, "lib-1.0-py3-none-any.whl"]).Wheel!.Name);
    }

    [Fact]
    public void A_free_threaded_wheel_is_not_taken_for_regular_cpython()
    {
        var e = Refused(ErrorCodes.NoCompatibleWheel, () => Only(["lib-1.0-cp313-cp313t-manylinux_2_17_x86_64.whl"]));
        Assert.Contains("lib 1.0:", e.Message);
    }

    [Fact]
    public void An_sdist_only_package_resolves_without_a_wheel()
    {
        var lib = Only([]);
        Assert.Null(lib.Wheel);
        Assert.Equal("lib-1.0.tar.gz", lib.Sdist!.Name);
        Assert.Equal(ResolvedSource.Registry, lib.Source);
    }

    [Fact]
    public void A_registry_package_with_neither_wheels_nor_sdist_is_refused()
    {
        var e = Refused(ErrorCodes.NoDistribution, () => Only([], sdist: false));
        Assert.Contains("lib 1.0", e.Message);
        Assert.Equal(13, e.Line); // the [[package]] header of lib
    }

    [Fact]
    public void Every_package_without_a_wheel_is_named_in_one_refusal()
    {
        var e = Refused(ErrorCodes.NoCompatibleWheel, () => Resolve(Header + Root("{ name = \"a\" }", "{ name = \"b\" }")
            + Pkg("a", wheels: ["a-1.0-cp312-cp312-manylinux_2_17_x86_64.whl"]) + Pkg("b", wheels: ["b-1.0-cp312-cp312-manylinux_2_17_x86_64.whl"])));
        Assert.Contains("a 1.0:", e.Message);
        Assert.Contains("b 1.0:", e.Message);
        Assert.Contains("2 package(s)", e.Message);
    }

    // ---- workspaces

    [Fact]
    public void A_virtual_workspace_root_exports_every_member()
    {
        var lockText = Header + "[manifest]\nmembers = [\"api\", \"core\"]\n\n"
            + "[[package]]\nname = \"api\"\nversion = \"0.1.0\"\nsource = { editable = \"packages/api\" }\ndependencies = [{ name = \"core\" }, { name = \"fastapi\" }]\n\n"
            + "[[package]]\nname = \"core\"\nversion = \"0.1.0\"\nsource = { editable = \"packages/core\" }\ndependencies = [{ name = \"pydantic\" }]\n\n"
            + Pkg("fastapi", wheels: ["fastapi-1.0-py3-none-any.whl"]) + Pkg("pydantic", wheels: ["pydantic-1.0-py3-none-any.whl"]);
        var packages = Resolve(lockText);
        Assert.Equal(["api", "core", "fastapi", "pydantic"], Names(packages));
        Assert.All(packages.Where(p => p.Name is "api" or "core"), p =>
        {
            Assert.Equal(ResolvedSource.Workspace, p.Source);
            Assert.Null(p.Wheel);
            Assert.EndsWith(Path.Combine("packages", p.Name), p.LocalPath);
        });
    }

    [Fact]
    public void A_lock_without_version_or_with_a_field_of_the_wrong_type_is_UVL1302_at_its_line()
    {
        var noVersion = Refused(ErrorCodes.MalformedLock, () => Resolve("revision = 3\n" + Root()));
        Assert.Contains("no 'version'", noVersion.Message);
        // Header (4 lines), then [[package]] and name = 5 on line 6.
        var wrongType = Refused(ErrorCodes.MalformedLock, () => Resolve(Header + "[[package]]\nname = 5\nversion = \"1.0\"\n"));
        Assert.Equal(6, wrongType.Line);
        Assert.EndsWith("uv.lock", wrongType.File);
    }

    [Fact]
    public void A_project_dir_with_no_package_in_the_lock_is_refused()
    {
        Refused(ErrorCodes.ProjectNotInLock, () => Resolve(Header + Pkg("lib")));
    }

    // ---- PythonPlatform

    [Fact]
    public void A_python_platform_override_lowers_the_glibc_and_refuses_newer_wheels()
    {
        string[] wheels = ["lib-1.0-cp313-cp313-manylinux_2_28_x86_64.whl"];
        Assert.Equal(wheels[0], Only(wheels).Wheel!.Name);
        var e = Refused(ErrorCodes.NoCompatibleWheel, () => Only(wheels, pythonPlatform: "x86_64-manylinux2014"));
        Assert.Contains("lib 1.0:", e.Message);
    }

    [Fact]
    public void A_python_platform_for_the_other_architecture_is_refused()
    {
        var e = Refused(ErrorCodes.InvalidPythonPlatform, () => TargetEnvironment.ForLambda("3.13", "x86_64", "aarch64-manylinux_2_28"));
        Assert.Contains("aarch64-manylinux_2_28", e.Message);
    }
}
