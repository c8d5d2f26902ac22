using UvLambda.Core.Diagnostics;
using UvLambda.Core.Install;
using UvLambda.Core.Install.Fetching;
using UvLambda.Core.Locking;
using UvLambda.Core.Environments;
using UvLambda.Core.FileSystem;
using UvLambda.Core.Install.Wheels;
using UvLambda.Core.Tests.FileSystem;

namespace UvLambda.Core.Tests.Install;

public class PackageInstallerTests
{
    /// <summary>Hands out wheels built in the test, and counts what it was asked for.</summary>
    private sealed class FolderFetcher(string folder) : IWheelFetcher
    {
        public List<string> Requested { get; } = [];

        public Task<IReadOnlyList<FetchedWheel>> FetchAsync(IReadOnlyList<WheelRequest> requests, CancellationToken cancellationToken)
        {
            Requested.AddRange(requests.Select(r => r.FileName));
            return Task.FromResult<IReadOnlyList<FetchedWheel>>(requests.Select(r => new FetchedWheel(r, Path.Combine(folder, r.FileName))).ToList());
        }
    }

    private static readonly TargetEnvironment Target = TargetEnvironment.ForLambda("3.13", "x86_64");

    private sealed class Fixture : IDisposable
    {
        public readonly TempDirectory Dir = new();
        public readonly FolderFetcher Fetcher;
        public string Site => Dir.Combine("site");
        public string State => Dir.Combine("install-state.json");

        public Fixture()
        {
            Directory.CreateDirectory(Dir.Combine("wheels"));
            Fetcher = new FolderFetcher(Dir.Combine("wheels"));
        }

        public ResolvedPackage Wheel(string name, string version, params (string Path, string Content)[] files)
        {
            var wheel = new TestWheel(name, version);
            foreach (var (path, content) in files) wheel.Add(path, content);
            var file = wheel.Build(Dir.Combine("wheels"));
            var sha = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(file))).ToLowerInvariant();
            var locked = new LockedPackage
            {
                Name = name, NormalizedName = name, Version = version, Source = new LockSource(LockSourceKind.Registry, "https://pypi.org/simple"),
                Dependencies = [], OptionalDependencies = new Dictionary<string, IReadOnlyList<LockedDependency>>(),
                DevDependencies = new Dictionary<string, IReadOnlyList<LockedDependency>>(), Wheels = [],
            };
            var lockedFile = new LockedFile($"https://files.example/{Path.GetFileName(file)}", null, null, "sha256:" + sha, new FileInfo(file).Length);
            return new ResolvedPackage(name, version, ResolvedSource.Registry, lockedFile, null, null, locked);
        }

        public InstallResult Install(params ResolvedPackage[] packages) =>
            new PackageInstaller(Fetcher, NullBuildLog.Instance).Install(packages, Dir.Path, Site, State, Target);

        public InstallResult Install(long maxUnpackedBytes, params ResolvedPackage[] packages) =>
            new PackageInstaller(Fetcher, NullBuildLog.Instance) { MaxUnpackedBytes = maxUnpackedBytes }.Install(packages, Dir.Path, Site, State, Target);

        /// <summary>A locked package for a wheel file already in the wheels folder.</summary>
        public ResolvedPackage Locked(string name, string version, string file)
        {
            var sha = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(file))).ToLowerInvariant();
            var template = Wheel("template", "0.0");
            return template with
            {
                Name = name,
                Version = version,
                Wheel = new LockedFile($"https://files.example/{Path.GetFileName(file)}", null, null, "sha256:" + sha, new FileInfo(file).Length),
            };
        }

        public string SiteFile(string relative) => Path.Combine(Site, relative);

        public Dictionary<string, string> Snapshot() =>
            Directory.EnumerateFiles(Site, "*", SearchOption.AllDirectories)
                .ToDictionary(f => Path.GetRelativePath(Site, f).Replace('\\', '/'), File.ReadAllText);

        public void Dispose() => Dir.Dispose();
    }

    [Fact]
    public void Installs_every_package_into_one_target_folder()
    {
        using var f = new Fixture();
        var result = f.Install(f.Wheel("alpha", "1.0", ("alpha/__init__.py", "A = 1\n")), f.Wheel("beta", "2.0", ("beta.py", "B = 2\n")));
        Assert.Equal(2, result.Installed);
        Assert.True(File.Exists(Path.Combine(f.Site, "alpha", "__init__.py")));
        Assert.True(File.Exists(Path.Combine(f.Site, "beta.py")));
        Assert.True(File.Exists(Path.Combine(f.Site, "beta-2.0.dist-info", "RECORD")));
        Assert.Equal(["alpha", "beta"], PackageInstaller.InstalledFiles(f.State).Select(x => x.Package).Distinct().Order());
    }

    [Fact]
    public void Nothing_changed_means_nothing_fetched_or_written()
    {
        using var f = new Fixture();
        var a = f.Wheel("alpha", "1.0", ("alpha/__init__.py", "A = 1\n"));
        f.Install(a);
        var stateTime = File.GetLastWriteTimeUtc(f.State);
        var fileTime = File.GetLastWriteTimeUtc(Path.Combine(f.Site, "alpha", "__init__.py"));
        f.Fetcher.Requested.Clear();
        var result = f.Install(a);
        Assert.False(result.Changed);
        Assert.Empty(f.Fetcher.Requested);
        Assert.Equal(stateTime, File.GetLastWriteTimeUtc(f.State));
        Assert.Equal(fileTime, File.GetLastWriteTimeUtc(Path.Combine(f.Site, "alpha", "__init__.py")));
    }

    [Fact]
    public void A_new_version_replaces_only_that_package()
    {
        using var f = new Fixture();
        var a1 = f.Wheel("alpha", "1.0", ("alpha/__init__.py", "A = 1\n"), ("alpha/old.py", ""));
        var b = f.Wheel("beta", "2.0", ("beta.py", "B = 2\n"));
        f.Install(a1, b);
        var betaTime = File.GetLastWriteTimeUtc(Path.Combine(f.Site, "beta.py"));
        f.Fetcher.Requested.Clear();
        var a2 = f.Wheel("alpha", "1.1", ("alpha/__init__.py", "A = 2\n"));
        var result = f.Install(a2, b);
        Assert.Equal((1, 1), (result.Installed, result.Removed));
        Assert.Equal(["alpha-1.1-py3-none-any.whl"], f.Fetcher.Requested);
        Assert.False(File.Exists(Path.Combine(f.Site, "alpha", "old.py")));
        Assert.False(Directory.Exists(Path.Combine(f.Site, "alpha-1.0.dist-info")));
        Assert.Equal("A = 2\n", File.ReadAllText(Path.Combine(f.Site, "alpha", "__init__.py")));
        Assert.Equal(betaTime, File.GetLastWriteTimeUtc(Path.Combine(f.Site, "beta.py")));
    }

    [Fact]
    public void A_removed_package_disappears_with_its_folders()
    {
        using var f = new Fixture();
        var a = f.Wheel("alpha", "1.0", ("alpha/sub/__init__.py", ""));
        var b = f.Wheel("beta", "2.0", ("beta.py", ""));
        f.Install(a, b);
        var result = f.Install(b);
        Assert.Equal(1, result.Removed);
        Assert.False(Directory.Exists(Path.Combine(f.Site, "alpha")));
        Assert.False(Directory.Exists(Path.Combine(f.Site, "alpha-1.0.dist-info")));
        Assert.True(File.Exists(Path.Combine(f.Site, "beta.py")));
    }

    [Fact]
    public void Files_a_killed_install_left_pending_are_removed_by_the_next_build()
    {
        using var f = new Fixture();
        var b = f.Wheel("beta", "2.0", ("beta.py", ""));
        f.Install(b);
        // Simulate a build killed while writing alpha: its planned files recorded as pending (the state sealed as the
        // installer writes it), some written.
        var json = PackageInstaller.Unseal(File.ReadAllText(f.State))!.Replace("\"pending\": {}", "\"pending\": { \"alpha\": [\"alpha/__init__.py\", \"alpha/half.py\"] }");
        File.WriteAllText(f.State, PackageInstaller.Seal(json));
        Directory.CreateDirectory(Path.Combine(f.Site, "alpha"));
        File.WriteAllText(Path.Combine(f.Site, "alpha", "half.py"), "trunc");
        var result = f.Install(b);
        Assert.True(result.Changed);
        Assert.False(Directory.Exists(Path.Combine(f.Site, "alpha")));
        Assert.DoesNotContain("alpha", File.ReadAllText(f.State));
    }

    [Fact]
    public void What_a_killed_install_left_in_obj_and_beside_the_site_is_removed_and_a_live_installs_is_kept()
    {
        using var f = new Fixture();
        var b = f.Wheel("beta", "2.0", ("beta.py", ""));
        // The site in a folder of its own (obj/), so its staging folders are swept by the installer, not by the state's write.
        var obj = f.Dir.Combine("obj");
        var site = Path.Combine(obj, "site");
        var installer = new PackageInstaller(f.Fetcher, NullBuildLog.Instance);
        // A build killed while writing the install state; another build writing it now.
        var deadState = f.Dir.WriteFile(TempOwnerTests.Name(".install-state.json", TempOwnerTests.DeadOwner()), "{ half");
        var liveState = f.Dir.WriteFile(TempOwnerTests.Name(".install-state.json", TempOwner.Current), "{ being written");
        installer.Install([b], f.Dir.Path, site, f.State, Target);
        Assert.False(File.Exists(deadState));
        Assert.True(File.Exists(liveState));

        // Then a build killed while unpacking alpha: pending in the state, its staging folder beside the site.
        var json = PackageInstaller.Unseal(File.ReadAllText(f.State))!.Replace("\"pending\": {}", "\"pending\": { \"alpha\": [\"alpha.py\"] }");
        File.WriteAllText(f.State, PackageInstaller.Seal(json));
        var deadStaging = Path.Combine(obj, TempOwnerTests.Name(WheelInstaller.StagingPrefix, TempOwnerTests.DeadOwner()));
        Directory.CreateDirectory(Path.Combine(deadStaging, "alpha"));
        File.WriteAllText(Path.Combine(deadStaging, "alpha", "half.py"), "trunc");
        var liveStaging = Directory.CreateDirectory(TempOwner.TempDirectory(obj, WheelInstaller.StagingPrefix)).FullName;

        Assert.True(installer.Install([b], f.Dir.Path, site, f.State, Target).Changed);
        Assert.False(Directory.Exists(deadStaging));
        Assert.True(Directory.Exists(liveStaging));
        Assert.True(File.Exists(Path.Combine(site, "beta.py")));
    }

    [Fact]
    public void Another_target_starts_from_an_empty_folder()
    {
        using var f = new Fixture();
        var a = f.Wheel("alpha", "1.0", ("alpha.py", ""));
        f.Install(a);
        File.WriteAllText(Path.Combine(f.Site, "stray.txt"), "left by hand");
        new PackageInstaller(f.Fetcher, NullBuildLog.Instance).Install([a], f.Dir.Path, f.Site, f.State, TargetEnvironment.ForLambda("3.13", "arm64"));
        Assert.False(File.Exists(Path.Combine(f.Site, "stray.txt")));
        Assert.True(File.Exists(Path.Combine(f.Site, "alpha.py")));
        Assert.Contains("aarch64", File.ReadAllText(f.State));
    }

    [Fact]
    public void A_package_with_no_wheel_and_no_source_folder_needs_a_build_UVL2402()
    {
        using var f = new Fixture();
        var a = f.Wheel("alpha", "1.0", ("alpha.py", ""));
        var sdistOnly = a with { Wheel = null, Sdist = new LockedFile("https://files.example/alpha-1.0.tar.gz", null, null, "sha256:00", 1) };
        Assert.Equal(ErrorCodes.BuildRequired, Assert.Throws<UvLambdaException>(() => f.Install(sdistOnly)).Code);
    }

    private sealed class CapturingFetcher(IWheelFetcher inner) : IWheelFetcher
    {
        public List<WheelRequest> Requests { get; } = [];

        public Task<IReadOnlyList<FetchedWheel>> FetchAsync(IReadOnlyList<WheelRequest> requests, CancellationToken cancellationToken)
        {
            Requests.AddRange(requests);
            return inner.FetchAsync(requests, cancellationToken);
        }
    }

    [Fact]
    public void Each_wheel_request_carries_the_lock_and_its_packages_line_for_errors_about_the_locked_file()
    {
        using var f = new Fixture();
        var a = f.Wheel("alpha", "1.0", ("alpha.py", ""));
        var atLine = a with
        {
            Locked = new LockedPackage
            {
                Name = "alpha", NormalizedName = "alpha", Version = "1.0", Source = a.Locked.Source, Line = 7,
                Dependencies = [], OptionalDependencies = new Dictionary<string, IReadOnlyList<LockedDependency>>(),
                DevDependencies = new Dictionary<string, IReadOnlyList<LockedDependency>>(), Wheels = [],
            },
        };
        var fetcher = new CapturingFetcher(f.Fetcher);
        var lockFile = f.Dir.Combine("uv.lock");
        new PackageInstaller(fetcher, NullBuildLog.Instance) { LockFile = lockFile }.Install([atLine], f.Dir.Path, f.Site, f.State, Target);
        var request = Assert.Single(fetcher.Requests);
        Assert.Equal((lockFile, 7), (request.LockFile, request.LockLine));
    }

    [Fact]
    public void A_package_that_needs_a_build_without_uv_is_UVL2402_at_its_entry_in_the_lock_not_at_its_index_url()
    {
        using var f = new Fixture();
        var a = f.Wheel("alpha", "1.0", ("alpha.py", ""));
        var sdistOnly = a with
        {
            Wheel = null,
            Sdist = new LockedFile("https://files.example/alpha-1.0.tar.gz", null, null, "sha256:00", 1),
            Locked = new LockedPackage
            {
                Name = "alpha", NormalizedName = "alpha", Version = "1.0", Source = a.Locked.Source, Line = 12,
                Dependencies = [], OptionalDependencies = new Dictionary<string, IReadOnlyList<LockedDependency>>(),
                DevDependencies = new Dictionary<string, IReadOnlyList<LockedDependency>>(), Wheels = [],
            },
        };
        Assert.Equal("https://pypi.org/simple", sdistOnly.Locked.Source.Value); // what the error named as its file before
        var lockFile = f.Dir.Combine("uv.lock");
        var e = Assert.Throws<UvLambdaException>(() =>
            new PackageInstaller(f.Fetcher, NullBuildLog.Instance) { LockFile = lockFile }.Install([sdistOnly], f.Dir.Path, f.Site, f.State, Target));
        Assert.Equal(ErrorCodes.BuildRequired, e.Code);
        Assert.Equal((lockFile, 12), (e.File, e.Line));
        Assert.Contains("'alpha' 1.0 must be built", e.Message);
        Assert.Contains("`uv` is not on PATH", e.Message);
    }

    [Fact]
    public void A_bad_wheel_among_several_installed_in_parallel_fails_with_its_own_code_and_the_next_build_recovers()
    {
        using var f = new Fixture();
        var good = Enumerable.Range(0, 6).Select(i => f.Wheel($"good{i}", "1.0", ($"good{i}/__init__.py", $"X = {i}\n"))).ToArray();
        var badWheel = new TestWheel("bad", "1.0").Add("bad/__init__.py", "B = 1\n");
        badWheel.Unrecorded.Add("bad/__init__.py");
        var badFile = badWheel.Build(f.Dir.Combine("wheels"));
        var sha = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(badFile))).ToLowerInvariant();
        var bad = good[0] with
        {
            Name = "bad",
            Version = "1.0",
            Wheel = new LockedFile($"https://files.example/{Path.GetFileName(badFile)}", null, null, "sha256:" + sha, new FileInfo(badFile).Length),
        };
        var e = Assert.Throws<UvLambdaException>(() => f.Install([.. good, bad]));
        Assert.StartsWith("UVL22", e.Code);
        Assert.False(Directory.Exists(Path.Combine(f.Site, "bad")));

        var result = f.Install(good);
        Assert.Equal(6, result.Installed); // the failed build left them pending, so they are cleaned and installed again
        Assert.All(Enumerable.Range(0, 6), i => Assert.True(File.Exists(Path.Combine(f.Site, $"good{i}", "__init__.py"))));
        // Not a substring test on the state file: its hex hashes may spell "bad".
        var state = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(f.State))!;
        Assert.DoesNotContain("bad", state["packages"]!.AsObject().Select(p => p.Key));
        Assert.Empty(state["pending"]!.AsObject());
    }

    // ---- the installed tree is checked on every build ----

    [Fact]
    public void A_deleted_and_an_edited_installed_file_are_repaired_by_reinstalling_their_packages_and_the_state_is_rewritten()
    {
        using var f = new Fixture();
        var a = f.Wheel("alpha", "1.0", ("alpha/__init__.py", "A = 1\n"), ("alpha/util.py", "U = 1\n"));
        var b = f.Wheel("beta", "2.0", ("beta.py", "B = 2\n"));
        var c = f.Wheel("gamma", "3.0", ("gamma.py", "G = 3\n"));
        f.Install(a, b, c);
        var clean = f.Snapshot();
        var stateBefore = File.ReadAllText(f.State);
        var gammaTime = File.GetLastWriteTimeUtc(f.SiteFile("gamma.py"));

        File.Delete(f.SiteFile("alpha/util.py"));
        File.WriteAllText(f.SiteFile("beta.py"), "B = 666\n"); // same size, other content
        f.Fetcher.Requested.Clear();
        var result = f.Install(a, b, c);

        Assert.True(result.Changed);
        Assert.Equal(["alpha-1.0-py3-none-any.whl", "beta-2.0-py3-none-any.whl"], f.Fetcher.Requested.Order());
        Assert.Equal(clean, f.Snapshot());
        Assert.NotEqual(stateBefore, File.ReadAllText(f.State));
        Assert.Equal(gammaTime, File.GetLastWriteTimeUtc(f.SiteFile("gamma.py")));

        // Repaired means settled: the next build changes nothing.
        Assert.False(f.Install(a, b, c).Changed);
    }

    [Fact]
    public void A_touched_but_intact_file_is_verified_by_hash_and_only_restamped()
    {
        using var f = new Fixture();
        var a = f.Wheel("alpha", "1.0", ("alpha.py", "A = 1\n"));
        f.Install(a);
        File.SetLastWriteTimeUtc(f.SiteFile("alpha.py"), DateTime.UtcNow.AddHours(-3));
        f.Fetcher.Requested.Clear();

        var result = f.Install(a);
        Assert.True(result.Changed); // the new stamp is recorded
        Assert.Empty(f.Fetcher.Requested);
        Assert.Equal(0, result.Installed);
        Assert.False(f.Install(a).Changed);
    }

    [Fact]
    public void A_changed_file_mode_is_put_back_without_a_reinstall()
    {
        if (OperatingSystem.IsWindows()) return;
        using var f = new Fixture();
        var a = f.Wheel("alpha", "1.0", ("alpha.py", "A = 1\n"));
        f.Install(a);
        var mode = File.GetUnixFileMode(f.SiteFile("alpha.py"));
        File.SetUnixFileMode(f.SiteFile("alpha.py"), mode | UnixFileMode.UserExecute);
        f.Fetcher.Requested.Clear();

        Assert.True(f.Install(a).Changed);
        Assert.Empty(f.Fetcher.Requested);
        Assert.Equal(mode, File.GetUnixFileMode(f.SiteFile("alpha.py")));
    }

    [Fact]
    public void Files_no_package_installed_are_removed_while_byte_code_caches_are_left_alone()
    {
        using var f = new Fixture();
        var a = f.Wheel("alpha", "1.0", ("alpha/__init__.py", "A = 1\n"));
        f.Install(a);
        var stateTime = File.GetLastWriteTimeUtc(f.State);
        File.WriteAllText(f.SiteFile("stray.py"), "import os\n");
        File.WriteAllText(f.SiteFile("alpha/extra.py"), "X = 1\n"); // inside a package's folder
        Directory.CreateDirectory(f.SiteFile("junk/deeper"));
        File.WriteAllText(f.SiteFile("junk/deeper/x.txt"), "x");
        File.WriteAllText(f.SiteFile(".alpha.py.123.abc.tmp"), "a killed AtomicFile write");
        Directory.CreateDirectory(f.SiteFile("alpha/__pycache__"));
        File.WriteAllText(f.SiteFile("alpha/__pycache__/__init__.cpython-313.pyc"), "pyc");
        Thread.Sleep(20);

        Assert.True(f.Install(a).Changed);
        Assert.False(File.Exists(f.SiteFile("stray.py")));
        Assert.False(File.Exists(f.SiteFile("alpha/extra.py")));
        Assert.False(Directory.Exists(f.SiteFile("junk")));
        Assert.False(File.Exists(f.SiteFile(".alpha.py.123.abc.tmp")));
        Assert.True(File.Exists(f.SiteFile("alpha/__pycache__/__init__.cpython-313.pyc")));
        Assert.True(File.Exists(f.SiteFile("alpha/__init__.py")));
        Assert.NotEqual(stateTime, File.GetLastWriteTimeUtc(f.State)); // so packaging runs again
        Assert.False(f.Install(a).Changed);
    }

    [Fact]
    public void A_state_whose_files_are_gone_is_repaired()
    {
        using var f = new Fixture();
        var a = f.Wheel("alpha", "1.0", ("alpha/__init__.py", "A = 1\n"));
        var b = f.Wheel("beta", "2.0", ("beta.py", "B = 2\n"));
        f.Install(a, b);
        var clean = f.Snapshot();
        Directory.Delete(f.Site, recursive: true);

        var result = f.Install(a, b);
        Assert.Equal(2, result.Installed);
        Assert.Equal(clean, f.Snapshot());
    }

    [Fact]
    public void A_hand_edited_install_state_is_not_trusted()
    {
        using var f = new Fixture();
        var a = f.Wheel("alpha", "1.0", ("alpha/__init__.py", "A = 1\n"), ("alpha/util.py", "U = 1\n"));
        f.Install(a);
        var clean = f.Snapshot();
        // An edit that leaves the state consistent (trusted, it would change nothing) still makes it untrusted.
        var text = File.ReadAllText(f.State);
        var edited = text.Replace("\"version\": \"1.0\"", "\"version\": \"1.0.0\"");
        Assert.NotEqual(text, edited);
        File.WriteAllText(f.State, edited);
        f.Fetcher.Requested.Clear();

        var result = f.Install(a);
        Assert.Equal(1, result.Installed);
        Assert.Equal(["alpha-1.0-py3-none-any.whl"], f.Fetcher.Requested);
        Assert.Equal(clean, f.Snapshot());
        Assert.NotNull(PackageInstaller.Unseal(File.ReadAllText(f.State)));
    }

    [Fact]
    public void A_path_two_packages_install_is_stamped_for_both_and_causes_no_reinstalls()
    {
        using var f = new Fixture();
        var a = f.Wheel("alpha", "1.0", ("shared/__init__.py", "# alpha's\n"), ("alpha.py", ""));
        var b = f.Wheel("beta", "1.0", ("shared/__init__.py", "# beta's, longer\n"), ("beta.py", ""));
        f.Install(a, b);
        f.Fetcher.Requested.Clear();
        Assert.False(f.Install(a, b).Changed);
        Assert.Empty(f.Fetcher.Requested);
    }

    // ---- decompression bombs ----

    [Fact]
    public void A_wheel_inflating_beyond_the_limit_stops_with_UVL2210_and_leaves_nothing_behind()
    {
        using var f = new Fixture();
        var good = Enumerable.Range(0, 3).Select(i => f.Wheel($"good{i}", "1.0", ($"good{i}.py", ""))).ToArray();
        var bombFile = TestWheel.BuildBomb(f.Dir.Combine("wheels"), "bomb", "1.0", 16L << 20);
        Assert.True(new FileInfo(bombFile).Length < 1 << 20, "the bomb should be far smaller than it inflates");
        var bomb = f.Locked("bomb", "1.0", bombFile);

        var e = Assert.Throws<UvLambdaException>(() => f.Install(4L << 20, [.. good, bomb]));
        Assert.Equal(ErrorCodes.WheelTooLarge, e.Code);
        Assert.Contains("'bomb' 1.0", e.Message);
        Assert.Contains("4,194,304", e.Message);
        Assert.Contains("LambdaPackageType=Image", e.Message);

        // Nothing unpacked stays: no files, no staging folder beside the site, no pending record.
        Assert.Empty(Directory.Exists(f.Site) ? Directory.GetFiles(f.Site, "*", SearchOption.AllDirectories) : []);
        Assert.Empty(Directory.GetDirectories(f.Dir.Path, ".uvlambda-wheel*"));
        var state = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(f.State))!;
        Assert.Empty(state["pending"]!.AsObject());
        Assert.Empty(state["packages"]!.AsObject());

        // Under the limit the same wheel installs.
        Assert.Equal(4, f.Install(32L << 20, [.. good, bomb]).Installed);
        Assert.Equal(16L << 20, new FileInfo(f.SiteFile("bomb/zeros.bin")).Length);
    }

    [Fact]
    public void A_bomb_added_to_an_installed_set_is_rolled_back_and_the_others_stay()
    {
        using var f = new Fixture();
        var a = f.Wheel("alpha", "1.0", ("alpha.py", "A = 1\n"));
        f.Install(a);
        var bomb = f.Locked("bomb", "1.0", TestWheel.BuildBomb(f.Dir.Combine("wheels"), "bomb", "1.0", 8L << 20));
        Assert.Equal(ErrorCodes.WheelTooLarge, Assert.Throws<UvLambdaException>(() => f.Install(1L << 20, a, bomb)).Code);
        Assert.Equal(["alpha-1.0.dist-info/METADATA", "alpha-1.0.dist-info/RECORD", "alpha-1.0.dist-info/WHEEL", "alpha.py"], f.Snapshot().Keys.Order(StringComparer.Ordinal));
        var state = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(f.State))!;
        Assert.Empty(state["pending"]!.AsObject());
        Assert.Equal(["alpha"], state["packages"]!.AsObject().Select(p => p.Key));
    }
}
