using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using UvLambda.Core.Diagnostics;
using UvLambda.Core.Install;
using UvLambda.Core.Install.Fetching;
using UvLambda.Core.Install.Sources;
using UvLambda.Core.Locking;
using UvLambda.Core.Processes;
using UvLambda.Core.Environments;
using UvLambda.Core.FileSystem;
using UvLambda.Core.Tests.FileSystem;

namespace UvLambda.Core.Tests.Install;

/// <summary>Packages that need a build (uv build --wheel) and UvLambdaInstaller=uv (uv pip install), against the recording stand-in for uv.</summary>
public class UvBuildTests : IDisposable
{
    private static readonly TargetEnvironment Target = TargetEnvironment.ForLambda("3.13", "x86_64");

    private readonly TempDirectory _dir = new();
    private readonly UvStandIn _uv;
    private readonly List<string> _requested = [];

    public UvBuildTests()
    {
        _uv = new UvStandIn(_dir.Path);
        Directory.CreateDirectory(Wheels);
    }

    public void Dispose() => _dir.Dispose();

    private string Wheels => _dir.Combine("wheels");
    private string Cache => _dir.Combine("cache");
    private string Site => _dir.Combine("site");
    private string State => _dir.Combine("install-state.json");

    private sealed class FolderFetcher(string folder, List<string> requested) : IWheelFetcher
    {
        public Task<IReadOnlyList<FetchedWheel>> FetchAsync(IReadOnlyList<WheelRequest> requests, CancellationToken cancellationToken)
        {
            requested.AddRange(requests.Select(r => r.FileName));
            return Task.FromResult<IReadOnlyList<FetchedWheel>>(requests.Select(r => new FetchedWheel(r, Path.Combine(folder, r.FileName))).ToList());
        }
    }

    private static LockedPackage Locked(string name, string? version, LockSource source) => new()
    {
        Name = name, NormalizedName = name, Version = version, Source = source,
        Dependencies = [], OptionalDependencies = new Dictionary<string, IReadOnlyList<LockedDependency>>(),
        DevDependencies = new Dictionary<string, IReadOnlyList<LockedDependency>>(), Wheels = [],
    };

    private static string Sha256(string file) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(file))).ToLowerInvariant();

    /// <summary>A project folder with src/NAME/__init__.py and a C extension source, which needs a real build.</summary>
    private string NativeProject(string folder, string name = "native", string version = "1.0")
    {
        var dir = _dir.Combine(folder);
        _dir.WriteFile($"{folder}/pyproject.toml", $"""
            [project]
            name = "{name}"
            version = "{version}"

            [build-system]
            requires = ["setuptools"]
            build-backend = "setuptools.build_meta"
            """);
        _dir.WriteFile($"{folder}/src/{name}/__init__.py", "HELLO = 'native'\n");
        _dir.WriteFile($"{folder}/src/{name}/_speedups.c", "int answer(void) { return 42; }\n");
        return dir;
    }

    private ResolvedPackage Member(string dir, string name = "native", string version = "1.0") =>
        new(name, version, ResolvedSource.Workspace, null, null, dir, Locked(name, version, new LockSource(LockSourceKind.Editable, Path.GetFileName(dir))));

    private InstallResult Install(IReadOnlyDictionary<string, string?> environment, params ResolvedPackage[] packages) =>
        new PackageInstaller(new FolderFetcher(Wheels, _requested), NullBuildLog.Instance, new UvWheelBuilder(Cache, NullBuildLog.Instance, environment))
            .Install(packages, _dir.Path, Site, State, Target);

    [Fact]
    public void A_build_folder_a_killed_uv_build_left_is_removed_and_a_live_builds_is_kept()
    {
        if (OperatingSystem.IsWindows()) return; // ReusedOwner needs the start time in clock ticks or seconds
        var tmp = Path.Combine(Cache, "built", "tmp");
        var dead = Folder(TempOwnerTests.Name("build", TempOwnerTests.DeadOwner()));
        var reused = Folder(TempOwnerTests.Name("build", TempOwnerTests.ReusedOwner()));
        var live = Folder(Path.GetFileName(TempOwner.TempDirectory(tmp, "build")));
        // Named as before the one format: only the cache's age rule takes them (a day).
        var legacyOld = Folder($"{Environment.ProcessId}.1-{Guid.NewGuid():N}");
        Directory.SetLastWriteTimeUtc(legacyOld, DateTime.UtcNow.AddHours(-25));
        var legacyFresh = Folder($"{Environment.ProcessId}.1-{Guid.NewGuid():N}");

        Assert.Equal(1, Install(_uv.Environment(), Member(NativeProject("native"))).Installed);

        Assert.False(Directory.Exists(dead));
        Assert.False(Directory.Exists(reused));
        Assert.False(Directory.Exists(legacyOld));
        Assert.True(Directory.Exists(live));
        Assert.True(Directory.Exists(legacyFresh));
        // And this build's own folder is gone once its wheel is cached.
        string[] expected = [live, legacyFresh];
        Assert.Equal(expected.Order(StringComparer.Ordinal), Directory.GetDirectories(tmp).Order(StringComparer.Ordinal));

        string Folder(string name)
        {
            var path = Path.Combine(tmp, name);
            Directory.CreateDirectory(Path.Combine(path, "out"));
            File.WriteAllText(Path.Combine(path, "out", "half.whl"), "half a wheel");
            return path;
        }
    }

    [Fact]
    public void A_member_with_native_code_is_built_with_uv_build_and_its_wheel_installed_and_cached()
    {
        var dir = NativeProject("native");
        var env = _uv.Environment();
        var result = Install(env, Member(dir));

        Assert.Equal(1, result.Installed);
        var call = Assert.Single(_uv.Calls);
        Assert.Equal(["build", "--wheel", "--python", "3.13", "--out-dir"], call[..5]);
        Assert.Equal(dir, call[6]);
        Assert.Equal(7, call.Length);
        Assert.Equal("BUILT = True\n", File.ReadAllText(Path.Combine(Site, "native", "_speedups.py")));
        Assert.True(File.Exists(Path.Combine(Site, "native-1.0.dist-info", "RECORD")));
        Assert.Contains(PackageInstaller.InstalledFiles(State), f => f == ("native", "native/_speedups.py"));

        // Nothing changed: no uv, nothing written.
        Assert.False(Install(env, Member(dir)).Changed);
        Assert.Single(_uv.Calls);

        // Another site, same source and target: the built wheel comes from the cache.
        File.Delete(State);
        Directory.Delete(Site, recursive: true);
        Assert.Equal(1, Install(env, Member(dir)).Installed);
        Assert.Single(_uv.Calls);

        // A changed C file changes the key: rebuilt and reinstalled.
        File.AppendAllText(Path.Combine(dir, "src", "native", "_speedups.c"), "int more(void) { return 1; }\n");
        var rebuilt = Install(env, Member(dir));
        Assert.Equal((1, 1), (rebuilt.Installed, rebuilt.Removed));
        Assert.Equal(2, _uv.Calls.Count);
    }

    [Fact]
    public void Build_output_in_the_source_tree_does_not_change_the_fingerprint()
    {
        var dir = NativeProject("native");
        var before = UvWheelBuilder.Fingerprint(dir, "1.0");
        _dir.WriteFile("native/build/lib/native/_speedups.so", "x");
        _dir.WriteFile("native/src/native.egg-info/PKG-INFO", "x");
        _dir.WriteFile("native/src/native/__pycache__/__init__.cpython-313.pyc", "x");
        Assert.Equal(before, UvWheelBuilder.Fingerprint(dir, "1.0"));
        _dir.WriteFile("native/setup.py", "from setuptools import setup\nsetup()\n");
        Assert.NotEqual(before, UvWheelBuilder.Fingerprint(dir, "1.0"));
    }

    [Fact]
    public void A_UvPath_with_no_file_is_UVL2402_naming_that_path_not_PATH()
    {
        var dir = NativeProject("native");
        var missing = _dir.Combine("tools", "uv");
        var e = Assert.Throws<UvLambdaException>(() =>
            new PackageInstaller(new FolderFetcher(Wheels, _requested), NullBuildLog.Instance, new UvWheelBuilder(Cache, NullBuildLog.Instance, UvStandIn.WithoutUv(_dir.Combine("empty-bin")), missing))
                .Install([Member(dir)], _dir.Path, Site, State, Target));
        Assert.Equal(ErrorCodes.BuildRequired, e.Code);
        Assert.Contains($"UvPath is '{missing}', where there is no file", e.Message);
        Assert.DoesNotContain("not on PATH", e.Message);
    }

    [Fact]
    public void Without_uv_on_PATH_a_package_that_needs_a_build_fails_with_UVL2402_naming_it()
    {
        var dir = NativeProject("native");
        var e = Assert.Throws<UvLambdaException>(() => Install(UvStandIn.WithoutUv(_dir.Combine("empty-bin")), Member(dir)));
        Assert.Equal(ErrorCodes.BuildRequired, e.Code);
        Assert.Contains("'native' 1.0", e.Message);
        Assert.Contains("native sources", e.Message);
        Assert.Contains("Install uv", e.Message);
        Assert.Empty(_uv.Calls);
        Assert.False(Directory.Exists(Path.Combine(Site, "native")));
    }

    [Fact]
    public void A_failing_uv_build_is_UVL2403_with_uvs_output()
    {
        var dir = NativeProject("native");
        var e = Assert.Throws<UvLambdaException>(() => Install(_uv.Environment(fail: "error: gcc: command not found"), Member(dir)));
        Assert.Equal(ErrorCodes.BuildFailed, e.Code);
        Assert.Contains("'native' 1.0", e.Message);
        Assert.Contains("exit code 1", e.Message);
        Assert.Contains("error: gcc: command not found", e.Message);
        Assert.Null(new UvWheelBuilder(Cache, NullBuildLog.Instance, _uv.Environment()).TryCached(UvWheelBuilder.CacheKey("x", Target)));
    }

    [Fact]
    public void An_sdist_only_registry_package_is_fetched_with_its_hash_then_built()
    {
        NativeProject("sdist-src/alpha-1.0", "alpha", "1.0");
        var sdist = Path.Combine(Wheels, "alpha-1.0.tar.gz");
        using (var file = File.Create(sdist))
        using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
            TarFile.CreateFromDirectory(_dir.Combine("sdist-src"), gzip, includeBaseDirectory: false);
        var package = new ResolvedPackage("alpha", "1.0", ResolvedSource.Registry, null,
            new LockedFile("https://files.example/alpha-1.0.tar.gz", null, null, "sha256:" + Sha256(sdist), new FileInfo(sdist).Length), null,
            Locked("alpha", "1.0", new LockSource(LockSourceKind.Registry, "https://pypi.org/simple")));

        var env = _uv.Environment();
        Assert.Equal(1, Install(env, package).Installed);
        Assert.Equal(["alpha-1.0.tar.gz"], _requested);
        var call = Assert.Single(_uv.Calls);
        Assert.Equal(["build", "--wheel", "--python", "3.13", "--out-dir"], call[..5]);
        Assert.EndsWith("/alpha-1.0.tar.gz", call[6]);
        Assert.Equal("BUILT = True\n", File.ReadAllText(Path.Combine(Site, "alpha", "_speedups.py")));

        // Elsewhere, same sdist: neither downloaded nor built again.
        File.Delete(State);
        _requested.Clear();
        Assert.Equal(1, Install(env, package).Installed);
        Assert.Empty(_requested);
        Assert.Single(_uv.Calls);
    }

    [Fact]
    public void A_git_source_is_cloned_at_the_locked_commit_and_built_from_its_subdirectory()
    {
        var repo = _dir.Combine("repo");
        NativeProject("repo/pkgs/gamma", "gamma", "2.0");
        void Git(params string[] args)
        {
            var (exit, _, error) = ToolProcess.Run("git", ["-C", repo, "-c", "user.name=t", "-c", "user.email=t@example.com", .. args]);
            Assert.True(exit == 0, error);
        }
        Git("init", "--quiet");
        Git("add", ".");
        Git("commit", "--quiet", "-m", "one");
        var commit = ToolProcess.Run("git", "-C", repo, "rev-parse", "HEAD").Output.Trim();
        // A later commit the lock does not point at.
        File.WriteAllText(Path.Combine(repo, "pkgs", "gamma", "src", "gamma", "__init__.py"), "HELLO = 'later'\n");
        Git("commit", "--quiet", "-am", "two");

        var source = new LockSource(LockSourceKind.Git, $"{new Uri(repo).AbsoluteUri}?subdirectory=pkgs%2Fgamma&rev=main#{commit}");
        var package = new ResolvedPackage("gamma", "2.0", ResolvedSource.Git, null, null, null, Locked("gamma", "2.0", source));
        Assert.Equal(1, Install(_uv.Environment(), package).Installed);
        var call = Assert.Single(_uv.Calls);
        Assert.EndsWith(Path.Combine("src", "pkgs", "gamma"), call[6]);
        Assert.Equal("HELLO = 'native'\n", File.ReadAllText(Path.Combine(Site, "gamma", "__init__.py")));
        Assert.Equal((new Uri(repo).AbsoluteUri, commit, "pkgs/gamma"), UvWheelBuilder.ParseGitSource(source.Value));
    }

    [Fact]
    public void A_git_source_at_a_commit_the_repository_lacks_or_with_no_commit_is_UVL2404_and_installs_nothing()
    {
        var repo = _dir.Combine("repo");
        NativeProject("repo", "delta", "1.0");
        foreach (var args in new[] { new[] { "init", "--quiet" }, ["add", "."], ["-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "--quiet", "-m", "one"] })
        {
            var (exit, _, error) = ToolProcess.Run("git", ["-C", repo, .. args]);
            Assert.True(exit == 0, error);
        }
        var missing = new string('0', 39) + "1";
        ResolvedPackage Git(string source) =>
            new("delta", "1.0", ResolvedSource.Git, null, null, null, Locked("delta", "1.0", new LockSource(LockSourceKind.Git, source)));

        var e = Assert.Throws<UvLambdaException>(() => Install(_uv.Environment(), Git($"{new Uri(repo).AbsoluteUri}?rev=main#{missing}")));
        Assert.Equal(ErrorCodes.GitCheckoutFailed, e.Code);
        Assert.Contains("'delta'", e.Message);
        Assert.Contains("checkout", e.Message);

        var unpinned = Assert.Throws<UvLambdaException>(() => Install(_uv.Environment(), Git($"{new Uri(repo).AbsoluteUri}?rev=main")));
        Assert.Equal(ErrorCodes.GitCheckoutFailed, unpinned.Code);
        Assert.Contains("no commit", unpinned.Message);

        Assert.Empty(_uv.Calls);
        Assert.False(Directory.Exists(Path.Combine(Site, "delta")));
    }

    // ---- UvLambdaInstaller=uv ----

    private ResolvedPackage RegistryWheel(string name, string version)
    {
        var file = new TestWheel(name, version).Add($"{name}/__init__.py", $"__version__ = '{version}'\n").Build(Wheels);
        return new ResolvedPackage(name, version, ResolvedSource.Registry,
            new LockedFile($"https://files.example/{Path.GetFileName(file)}", null, null, "sha256:" + Sha256(file), new FileInfo(file).Length), null, null,
            Locked(name, version, new LockSource(LockSourceKind.Registry, "https://pypi.org/simple")));
    }

    private InstallResult UvInstall(Dictionary<string, string?> env, params ResolvedPackage[] packages) =>
        new UvPipInstaller(ExternalTool.Find("uv", env)!, NullBuildLog.Instance).Install(packages, Site, State, _dir.Combine("requirements.txt"), Target);

    [Fact]
    public void UvLambdaInstaller_uv_runs_uv_pip_install_with_the_guides_flags_and_reads_the_state_back_from_RECORD()
    {
        var alpha = RegistryWheel("alpha", "1.0");
        var lib = NativeProject("lib", "lib", "0.3");
        var member = Member(lib, "lib", "0.3");
        var env = _uv.Environment(wheels: Wheels);

        var result = UvInstall(env, alpha, member);
        Assert.True(result.Changed);
        var requirements = _dir.Combine("requirements.txt");
        Assert.Equal([["pip", "install", "--no-installer-metadata", "--no-compile-bytecode", "--python-platform", "x86_64-manylinux_2_34",
            "--python", "3.13", "--target", Site, "-r", requirements]], _uv.Calls);
        var text = File.ReadAllText(requirements);
        Assert.Contains($"alpha==1.0 \\\n    --hash=sha256:{alpha.Wheel!.Sha256}\n", text);
        Assert.Contains($"\n{lib}\n", text);

        Assert.True(File.Exists(Path.Combine(Site, "alpha", "__init__.py")));
        Assert.True(File.Exists(Path.Combine(Site, "lib", "_speedups.py")));
        var files = PackageInstaller.InstalledFiles(State);
        Assert.Contains(("alpha", "alpha/__init__.py"), files);
        Assert.Contains(("alpha", "alpha-1.0.dist-info/RECORD"), files);
        Assert.Contains(("lib", "lib/__init__.py"), files);

        // A no-op build does not run uv.
        var stateTime = File.GetLastWriteTimeUtc(State);
        Assert.False(UvInstall(env, alpha, member).Changed);
        Assert.Single(_uv.Calls);
        Assert.Equal(stateTime, File.GetLastWriteTimeUtc(State));

        // A member's source change does (its requirement line, a path, stays the same).
        File.WriteAllText(Path.Combine(lib, "src", "lib", "__init__.py"), "HELLO = 'changed'\n");
        Assert.True(UvInstall(env, alpha, member).Changed);
        Assert.Equal(2, _uv.Calls.Count);
        Assert.Equal("HELLO = 'changed'\n", File.ReadAllText(Path.Combine(Site, "lib", "__init__.py")));

        // Dropping a package removes it: the folder is rebuilt from the requirements.
        UvInstall(env, member);
        Assert.False(Directory.Exists(Path.Combine(Site, "alpha")));
        Assert.DoesNotContain(PackageInstaller.InstalledFiles(State), f => f.Package == "alpha");

        // Switching back to the native installer starts from an empty folder.
        var native = Install(env, alpha);
        Assert.Equal(1, native.Installed);
        Assert.False(Directory.Exists(Path.Combine(Site, "lib")));
    }

    [Fact]
    public void A_failing_uv_pip_install_is_UVL2405_and_leaves_no_state()
    {
        var alpha = RegistryWheel("alpha", "1.0");
        var e = Assert.Throws<UvLambdaException>(() => UvInstall(_uv.Environment(wheels: Wheels, fail: "error: No solution found"), alpha));
        Assert.Equal(ErrorCodes.UvInstallFailed, e.Code);
        Assert.Contains("error: No solution found", e.Message);
        Assert.Contains("--no-installer-metadata", e.Message);
        Assert.False(File.Exists(State));
    }
}
