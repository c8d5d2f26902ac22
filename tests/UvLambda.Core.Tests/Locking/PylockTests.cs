using UvLambda.Core.Diagnostics;
using UvLambda.Core.Install.Fetching;
using UvLambda.Core.Install.Sources;
using UvLambda.Core.Locking;
using UvLambda.Core.Tests.Aws;
using UvLambda.Core.Environments;

namespace UvLambda.Core.Tests.Locking;

/// <summary>pylock.toml (PEP 751): the reader, the marker-driven resolver, each source kind and every coded error.</summary>
public class PylockTests
{
    private const string Sha = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    private const string Header = "lock-version = \"1.0\"\ncreated-by = \"tests\"\nrequires-python = \">=3.10\"\n";

    private static string Wheel(string file) => $"{{ name = \"{file}\", url = \"https://files.example/{file}\", size = 10, hashes = {{ sha256 = \"{Sha}\" }} }}";

    private static string Pkg(string name, string version = "1.0", string? marker = null, string[]? wheels = null, string extra = "") =>
        $"[[packages]]\nname = \"{name}\"\nversion = \"{version}\"\n" + (marker is null ? "" : $"marker = \"{marker}\"\n")
        + "index = \"https://pypi.org/simple\"\n"
        + "wheels = [\n" + string.Concat((wheels ?? [$"{name.Replace('-', '_')}-{version}-py3-none-any.whl"]).Select(w => "    " + Wheel(w) + ",\n")) + "]\n" + extra + "\n";

    private static IReadOnlyList<ResolvedPackage> Resolve(string text, string[]? extras = null, string[]? groups = null, string python = "3.13", string arch = "x86_64",
        Action<TempDirectory>? setup = null)
    {
        using var dir = new TempDirectory();
        setup?.Invoke(dir);
        var lk = PylockReader.Load(dir.WriteFile("pylock.toml", text));
        return PylockResolver.Resolve(lk, new ResolveOptions(dir.Path, extras ?? [], groups ?? [], TargetEnvironment.ForLambda(python, arch)));
    }

    private static string[] Names(IReadOnlyList<ResolvedPackage> packages) => packages.Select(p => p.Name).Order(StringComparer.Ordinal).ToArray();

    private static UvLambdaException Refused(string code, Action action)
    {
        var e = Assert.Throws<UvLambdaException>(action);
        Assert.Equal(code, e.Code);
        return e;
    }

    [Fact]
    public void Reads_the_top_level_fields_and_packages_with_positions()
    {
        using var dir = new TempDirectory();
        var lk = PylockReader.Load(dir.WriteFile("pylock.prod.toml", """
            lock-version = "1.0"
            environments = ["sys_platform == 'linux'"]
            requires-python = ">=3.11"
            extras = ["Fast"]
            dependency-groups = ["dev", "lambda"]
            default-groups = ["lambda"]
            created-by = "uv"

            [[packages]]
            name = "Six"
            version = "1.16.0"
            marker = "'lambda' in dependency_groups"
            index = "https://pypi.org/simple"
            sdist = { name = "six-1.16.0.tar.gz", url = "https://files.example/six-1.16.0.tar.gz", size = 5, hashes = { sha256 = "AB23456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" } }
            wheels = [
              { url = "https://files.example/six-1.16.0-py2.py3-none-any.whl", hashes = { sha256 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", md5 = "00" } },
            ]
            """));
        Assert.Equal("1.0", lk.LockVersion);
        Assert.Equal("pylock.prod.toml", lk.FileName);
        Assert.Equal(["fast"], lk.Extras);
        Assert.Equal(["dev", "lambda"], lk.DependencyGroups);
        Assert.Equal(["lambda"], lk.DefaultGroups);
        Assert.Equal("uv", lk.CreatedBy);
        Assert.Single(lk.Environments);
        var six = Assert.Single(lk.Packages);
        Assert.Equal(("Six", "six", 9), (six.Name, six.NormalizedName, six.Line));
        Assert.Equal("'lambda' in dependency_groups", six.Marker!.Text);
        Assert.Equal("ab23456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", six.Sdist!.Sha256);
        Assert.Equal("six-1.16.0-py2.py3-none-any.whl", six.Wheels[0].ToLockedFile().Name);
        Assert.Equal(16, six.Wheels[0].Line);
    }

    [Theory]
    [InlineData("pylock.toml", true)]
    [InlineData("pylock.prod.toml", true)]
    [InlineData("pylock..toml", false)]
    [InlineData("pylock.a.b.toml", false)]
    [InlineData("Pylock.toml", false)]
    [InlineData("uv.lock", false)]
    public void Pep_751_file_names(string name, bool valid) => Assert.Equal(valid, PylockReader.IsPylockFileName(name));

    [Fact]
    public void Markers_select_entries_by_platform_python_extras_and_groups()
    {
        var text = Header + """
            extras = ["fast"]
            dependency-groups = ["dev", "aws"]
            default-groups = ["aws"]

            """
            + Pkg("always")
            + Pkg("linux-only", marker: "sys_platform == 'linux'")
            + Pkg("windows-only", marker: "sys_platform == 'win32'")
            + Pkg("old-python", marker: "python_version < '3.12'")
            + Pkg("arm", marker: "platform_machine == 'aarch64'")
            + Pkg("fast-extra", marker: "'fast' in extras")
            + Pkg("not-fast", marker: "'fast' not in extras")
            + Pkg("dev-tool", marker: "'dev' in dependency_groups")
            + Pkg("boto", marker: "'aws' in dependency_groups and sys_platform == 'linux'");

        // Defaults: no extras, the default groups.
        Assert.Equal(["always", "boto", "linux-only", "not-fast"], Names(Resolve(text)));
        Assert.Equal(["always", "arm", "boto", "fast-extra", "linux-only"], Names(Resolve(text, extras: ["Fast"], arch: "arm64")));
        // Requesting groups replaces the defaults.
        Assert.Equal(["always", "dev-tool", "linux-only", "not-fast"], Names(Resolve(text, groups: ["dev"])));
        Assert.Equal(["always", "dev-tool", "linux-only", "not-fast", "old-python"], Names(Resolve(text, python: "3.11", groups: ["dev"])));
    }

    [Fact]
    public void Registry_wheels_use_the_uv_lock_ranking_and_keep_hash_size_and_index()
    {
        var text = Header + Pkg("native", "2.0", wheels: [
            "native-2.0-cp313-cp313-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
            "native-2.0-cp313-cp313-musllinux_1_2_x86_64.whl",
            "native-2.0-cp313-cp313-manylinux_2_17_aarch64.whl",
            "native-2.0-py3-none-any.whl",
            "native-2.0-cp313-cp313-win_amd64.whl",
        ]);
        var p = Assert.Single(Resolve(text));
        Assert.Equal("native-2.0-cp313-cp313-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", p.Wheel!.Name);
        Assert.Equal((Sha, 10L), (p.Wheel.Sha256, p.Wheel.Size));
        Assert.Equal((ResolvedSource.Registry, "https://pypi.org/simple"), (p.Source, p.Locked.Source.Value));
        Assert.Equal("2.0", p.Version);
        Assert.Equal("aarch64", Assert.Single(Resolve(text, arch: "arm64")).Wheel!.Name.Split('_')[^1].Replace(".whl", ""));

        // Without an index the chosen file is the source (a direct URL reference).
        var direct = Assert.Single(Resolve(text.Replace("index = \"https://pypi.org/simple\"\n", ""), arch: "arm64"));
        Assert.Equal((ResolvedSource.Url, "https://files.example/native-2.0-cp313-cp313-manylinux_2_17_aarch64.whl"), (direct.Source, direct.Locked.Source.Value));
    }

    [Fact]
    public void Wheels_that_do_not_fit_fail_with_UVL2001_even_with_an_sdist()
    {
        var text = Header + Pkg("winonly", wheels: ["winonly-1.0-cp313-cp313-win_amd64.whl"],
            extra: $"sdist = {{ url = \"https://files.example/winonly-1.0.tar.gz\", hashes = {{ sha256 = \"{Sha}\" }} }}\n");
        var e = Refused(ErrorCodes.NoCompatibleWheel, () => Resolve(text));
        Assert.Contains("winonly 1.0", e.Message);
        Assert.Contains("pylock.toml", e.Message);
    }

    [Fact]
    public void Each_source_kind_maps_onto_the_resolved_package_model()
    {
        var text = Header + $$"""
            [[packages]]
            name = "app"
            directory = { path = ".", editable = true }

            [[packages]]
            name = "lib"
            directory = { path = "libs/lib" }

            [[packages]]
            name = "from-git"
            version = "0.3"
            vcs = { type = "git", url = "https://github.com/example/from-git.git", requested-revision = "main", commit-id = "4a2b", subdirectory = "pkg" }

            [[packages]]
            name = "local-wheel"
            version = "1.2"
            archive = { path = "dist/local_wheel-1.2-py3-none-any.whl", size = 3, hashes = { sha256 = "{{Sha}}" } }

            [[packages]]
            name = "remote-sdist"
            version = "0.9"
            archive = { url = "https://files.example/remote_sdist-0.9.tar.gz", hashes = { sha256 = "{{Sha}}" } }

            [[packages]]
            name = "sdist-only"
            version = "4.0"
            sdist = { path = "vendor/sdist_only-4.0.tar.gz", hashes = { sha256 = "{{Sha}}" } }

            [[packages]]
            name = "path-wheel"
            wheels = [{ path = "wheels/path_wheel-5.1-py3-none-any.whl", hashes = { sha256 = "{{Sha}}" } }]
            """;
        string root = "";
        var packages = Resolve(text, setup: d => root = d.Path).ToDictionary(p => p.Name);
        // The project's own folder is the app, not a package.
        Assert.Equal(["from-git", "lib", "local-wheel", "path-wheel", "remote-sdist", "sdist-only"], packages.Keys.Order(StringComparer.Ordinal).ToArray());

        Assert.Equal(ResolvedSource.Directory, packages["lib"].Source);
        Assert.Equal(Path.Combine(root, "libs", "lib"), packages["lib"].LocalPath);

        var git = packages["from-git"];
        Assert.Equal((ResolvedSource.Git, LockSourceKind.Git), (git.Source, git.Locked.Source.Kind));
        Assert.Equal(("https://github.com/example/from-git.git", "4a2b", "pkg"), UvWheelBuilder.ParseGitSource(git.Locked.Source.Value));
        Assert.Null(git.Wheel);

        var local = packages["local-wheel"];
        Assert.Equal(ResolvedSource.Path, local.Source);
        Assert.Equal("local_wheel-1.2-py3-none-any.whl", local.Wheel!.Name);
        var request = WheelRequest.For(local, root)!;
        Assert.Equal(new Uri(Path.Combine(root, "dist", "local_wheel-1.2-py3-none-any.whl")).AbsoluteUri, request.Url);
        Assert.Equal(Sha, request.Sha256);

        var remote = packages["remote-sdist"];
        Assert.Equal((ResolvedSource.Url, (LockedFile?)null), (remote.Source, remote.Wheel));
        Assert.Equal("https://files.example/remote_sdist-0.9.tar.gz", WheelRequest.ForSdist(remote, root)!.Url);

        var sdist = packages["sdist-only"];
        Assert.Equal(ResolvedSource.Path, sdist.Source);
        Assert.Equal(new Uri(Path.Combine(root, "vendor", "sdist_only-4.0.tar.gz")).AbsoluteUri, WheelRequest.ForSdist(sdist, root)!.Url);

        // No version in the entry: the wheel's file name supplies it, so the fetcher can name the file.
        var pathWheel = packages["path-wheel"];
        Assert.Equal("5.1", pathWheel.Version);
        Assert.Equal(new Uri(Path.Combine(root, "wheels", "path_wheel-5.1-py3-none-any.whl")).AbsoluteUri, WheelRequest.For(pathWheel, root)!.Url);

        // UvLambdaInstaller=uv gets the same sources: a path by its full path, a URL as a direct reference.
        var requirements = UvLambda.Core.Install.UvPipInstaller.Requirements(packages.Values.ToList(), TargetEnvironment.ForLambda("3.13", "x86_64"));
        Assert.Contains(Path.Combine(root, "wheels", "path_wheel-5.1-py3-none-any.whl") + "\n", requirements);
        Assert.Contains("remote-sdist @ https://files.example/remote_sdist-0.9.tar.gz", requirements);
        Assert.Contains("from-git @ git+https://github.com/example/from-git.git@4a2b#subdirectory=pkg", requirements);
    }

    [Fact]
    public void An_unknown_lock_version_major_is_UVL1320_at_the_value()
    {
        var e = Refused(ErrorCodes.UnsupportedPylockVersion, () => Resolve("created-by = \"x\"\nlock-version = \"2.0\"\n"));
        Assert.Equal((2, 16), (e.Line, e.Column));
        Assert.EndsWith("pylock.toml", e.File);
        // A newer minor of major 1 is read, with a warning at the version.
        using var dir = new TempDirectory();
        var log = new RecordingLog();
        var newer = PylockReader.Load(dir.WriteFile("pylock.toml", "lock-version = \"1.7\"\n"));
        Assert.Empty(PylockResolver.Resolve(newer, new ResolveOptions(dir.Path, [], [], TargetEnvironment.ForLambda("3.13", "x86_64")), log));
        Assert.StartsWith("warning UVL1328: pylock.toml has lock-version 1.7", Assert.Single(log.Lines));
        Assert.Equal(ErrorCodes.MalformedPylock, Refused(ErrorCodes.MalformedPylock, () => Resolve("lock-version = \"1.x\"\n")).Code);
        Assert.Equal(1, Refused(ErrorCodes.MalformedPylock, () => Resolve("created-by = \"x\"\n")).Line);
    }

    [Fact]
    public void A_package_without_any_artifact_is_UVL1322_at_its_entry()
    {
        var e = Refused(ErrorCodes.PylockNoArtifact, () => Resolve(Header + "\n[[packages]]\nname = \"ghost\"\nversion = \"1\"\nwheels = []\n"));
        Assert.Equal(5, e.Line);
        Assert.Contains("ghost", e.Message);
    }

    [Theory]
    [InlineData("wheels = [{ url = \"https://x/a-1-py3-none-any.whl\", hashes = { md5 = \"00\" } }]", 8)]
    [InlineData("wheels = [{ url = \"https://x/a-1-py3-none-any.whl\" }]", 8)]
    [InlineData("sdist = { url = \"https://x/a-1.tar.gz\", hashes = {} }", 8)]
    [InlineData("archive = { path = \"a-1.tar.gz\" }", 8)]
    public void A_file_without_a_sha256_is_UVL1323_at_its_line(string source, int line)
    {
        var e = Refused(ErrorCodes.PylockMissingHash, () => Resolve(Header + $"\n[[packages]]\nname = \"a\"\nversion = \"1\"\n{source}\n"));
        Assert.Equal(line, e.Line);
    }

    [Fact]
    public void A_marker_that_does_not_parse_is_UVL1324_at_the_marker()
    {
        var e = Refused(ErrorCodes.PylockInvalidMarker, () => Resolve(Header + Pkg("a", marker: "sys_platform === ")));
        Assert.Equal((7, 10), (e.Line, e.Column));
        Assert.Equal(ErrorCodes.PylockInvalidMarker,
            Refused(ErrorCodes.PylockInvalidMarker, () => Resolve(Header + "environments = [\"os_name ~ 'posix'\"]\n")).Code);
    }

    [Fact]
    public void Two_entries_for_one_name_whose_markers_both_hold_are_UVL1325()
    {
        var text = Header + Pkg("dup", "1.0", marker: "python_version >= '3.12'") + Pkg("dup", "2.0", marker: "sys_platform == 'linux'");
        var e = Refused(ErrorCodes.PylockAmbiguousPackage, () => Resolve(text));
        Assert.Contains("lines 4 and", e.Message);
        Assert.True(e.Line > 4);
        // Exclusive markers pick one.
        var split = Header + Pkg("dup", "1.0", marker: "python_version < '3.12'") + Pkg("dup", "2.0", marker: "python_version >= '3.12'");
        Assert.Equal("2.0", Assert.Single(Resolve(split)).Version);
        Assert.Equal("1.0", Assert.Single(Resolve(split, python: "3.11")).Version);
    }

    [Fact]
    public void Environments_requires_python_extras_and_groups_are_checked()
    {
        var e = Refused(ErrorCodes.PylockEnvironmentMismatch,
            () => Resolve("lock-version = \"1.0\"\nenvironments = [\"sys_platform == 'darwin'\", \"sys_platform == 'win32'\"]\n"));
        Assert.Equal(2, e.Line);
        Assert.Empty(Resolve("lock-version = \"1.0\"\nenvironments = [\"sys_platform == 'darwin'\", \"sys_platform == 'linux'\"]\n"));
        Refused(ErrorCodes.PythonVersionExcluded, () => Resolve("lock-version = \"1.0\"\nrequires-python = \">=3.14\"\n"));
        Assert.Equal(4, Refused(ErrorCodes.PythonVersionExcluded, () => Resolve(Header + Pkg("new", extra: "requires-python = \">=3.14\"\n"))).Line);
        Assert.Contains("it lists: fast", Refused(ErrorCodes.UnknownExtra, () => Resolve(Header + "extras = [\"fast\"]\n", extras: ["slow"])).Message);
        Refused(ErrorCodes.UnknownGroup, () => Resolve(Header, groups: ["dev"]));
    }

    [Fact]
    public void Shape_errors_are_UVL1321_at_the_value()
    {
        Assert.Equal(5, Refused(ErrorCodes.MalformedPylock, () => Resolve(Header + "\n[[packages]]\nname = \"a\"\ndirectory = { path = \".\" }\nwheels = [" + Wheel("a-1-py3-none-any.whl") + "]\n")).Line);
        Refused(ErrorCodes.MalformedPylock, () => Resolve(Header + "\n[[packages]]\nname = \"a\"\nvcs = { type = \"hg\", url = \"https://x\", commit-id = \"1\" }\n"));
        Refused(ErrorCodes.MalformedPylock, () => Resolve(Header + "\n[[packages]]\nname = \"a\"\nwheels = [{ hashes = { sha256 = \"" + Sha + "\" } }]\n"));
        Refused(ErrorCodes.MalformedPylock, () => Resolve(Header + "\n[[packages]]\nname = \"a\"\nwheels = [{ url = \"https://x/a-1-py3-none-any.whl\", hashes = { sha256 = \"12\" } }]\n"));
    }

    // ---- which lock a project uses ----

    private static ProjectResolution ResolveProject(TempDirectory dir, RecordingLog log, string? pythonLockFile = null) =>
        ProjectResolver.Resolve(new ProjectResolutionRequest(dir.Path, "3.13", "x86_64", null, [], [], Locked: false, PythonLockFile: pythonLockFile), log);

    private const string PyProject = "[project]\nname = \"app\"\nversion = \"0.1.0\"\nrequires-python = \">=3.11\"\ndependencies = [\"six\"]\n";
    private static readonly string UvLock = new UvLockBuilder()
        .Root("app", configure: p => p.Editable(".").DependsOn("six").Requires("six"))
        .Package("six", "1.16.0", p => p.Wheel("https://files.example/six-1.16.0-py2.py3-none-any.whl",
            "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", 10))
        .ToToml();

    [Fact]
    public void A_project_without_uv_lock_resolves_from_its_pylock_toml_with_the_same_result()
    {
        using var dir = new TempDirectory();
        dir.WriteFile("pyproject.toml", PyProject);
        dir.WriteFile("pylock.toml", Header + Pkg("six", "1.16.0", wheels: ["six-1.16.0-py2.py3-none-any.whl"]) + "[[packages]]\nname = \"app\"\ndirectory = { path = \".\", editable = true }\n");
        var log = new RecordingLog();
        var fromPylock = ResolveProject(dir, log);
        Assert.Equal(dir.Combine("pylock.toml"), fromPylock.LockPath);
        Assert.Empty(log.Lines);

        dir.WriteFile("uv.lock", UvLock);
        var fromUvLock = ResolveProject(dir, log);
        Assert.Equal(dir.Combine("uv.lock"), fromUvLock.LockPath);
        // uv.lock wins, and the build says so once.
        Assert.Contains("pylock.toml", Assert.Single(log.Lines));
        var a = Assert.Single(fromPylock.Packages);
        var b = Assert.Single(fromUvLock.Packages);
        Assert.Equal((a.Name, a.Version, a.Source, a.Wheel!.Url, a.Wheel.Sha256, a.Wheel.Size), (b.Name, b.Version, b.Source, b.Wheel!.Url, b.Wheel.Sha256, b.Wheel.Size));

        // PythonLockFile picks the pylock explicitly, even beside uv.lock.
        Assert.Equal(dir.Combine("pylock.toml"), ResolveProject(dir, log, "pylock.toml").LockPath);
        Assert.Equal(dir.Combine("uv.lock"), ResolveProject(dir, log, "uv.lock").LockPath);
    }

    [Fact]
    public void A_workspace_members_directory_entry_is_a_workspace_package()
    {
        using var dir = new TempDirectory();
        dir.WriteFile("pyproject.toml", "[project]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\"lib\"]\n\n[tool.uv.workspace]\nmembers = [\"libs/*\"]\n");
        dir.WriteFile("libs/lib/pyproject.toml", "[project]\nname = \"lib\"\nversion = \"1.0\"\n");
        dir.WriteFile("vendor/other/pyproject.toml", "[project]\nname = \"other\"\nversion = \"1.0\"\n");
        dir.WriteFile("pylock.toml", "lock-version = \"1.0\"\n\n[[packages]]\nname = \"app\"\ndirectory = { path = \".\" }\n\n[[packages]]\nname = \"lib\"\ndirectory = { path = \"libs/lib\" }\n\n[[packages]]\nname = \"other\"\ndirectory = { path = \"vendor/other\" }\n");
        var packages = ResolveProject(dir, new RecordingLog()).Packages.ToDictionary(p => p.Name);
        Assert.Equal(["lib", "other"], packages.Keys.Order(StringComparer.Ordinal).ToArray());
        Assert.Equal(ResolvedSource.Workspace, packages["lib"].Source);
        Assert.Equal(ResolvedSource.Directory, packages["other"].Source);
    }

    [Fact]
    public void Named_pylock_files_are_found_alone_and_chosen_by_PythonLockFile_when_several()
    {
        using var dir = new TempDirectory();
        dir.WriteFile("pyproject.toml", PyProject);
        var six = Header + Pkg("six", "1.16.0");
        dir.WriteFile("pylock.lambda.toml", six);
        var log = new RecordingLog();
        Assert.Equal(dir.Combine("pylock.lambda.toml"), ResolveProject(dir, log).LockPath);

        dir.WriteFile("pylock.dev.toml", six);
        Assert.Contains("PythonLockFile", Refused(ErrorCodes.LockFileChoice, () => ResolveProject(dir, log)).Message);
        Assert.Equal(dir.Combine("pylock.dev.toml"), ResolveProject(dir, log, "pylock.dev.toml").LockPath);
        Refused(ErrorCodes.LockFileChoice, () => ResolveProject(dir, log, "pylock.missing.toml"));
        Refused(ErrorCodes.LockFileChoice, () => ResolveProject(dir, log, "requirements.txt"));
        Refused(ErrorCodes.LockFileChoice, () => ResolveProject(dir, log, "uv.lock"));

        // pylock.toml beats named ones.
        dir.WriteFile("pylock.toml", six);
        Assert.Equal(dir.Combine("pylock.toml"), ResolveProject(dir, log).LockPath);
    }
}
