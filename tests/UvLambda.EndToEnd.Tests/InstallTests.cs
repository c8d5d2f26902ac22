using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using UvLambda.Core.Tests;
using UvLambda.Core.Tests.Install;

namespace UvLambda.EndToEnd.Tests;

/// <summary>
/// InstallPythonPackages through real `dotnet build`s of generated function projects whose uv.lock points at
/// files.pythonhosted.org URLs that cannot be reached here: every wheel must come from the cache, a find-links folder
/// or a local index. Each test has its own UvLambdaCacheDir.
/// </summary>
[Collection(PackedSdkCollection.Name)]
public sealed class InstallTests(PackedSdk sdk) : IDisposable
{
    private const string DebianWheels = "/usr/share/python-wheels";
    private readonly List<StartedProcess> _servers = [];

    public void Dispose()
    {
        foreach (var server in _servers)
        {
            try { if (!server.Process.HasExited) server.Kill(); } catch (InvalidOperationException) { }
            server.WaitForExit(TimeSpan.FromSeconds(10));
            server.Dispose();
        }
    }

    /// <summary>One locked wheel: the distribution name and version uv.lock records, and the file that holds it.</summary>
    private sealed record Dep(string Name, string Version, string Wheel, string? Module = null)
    {
        public string FileName => Path.GetFileName(Wheel);
        public string Sha256 => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(Wheel))).ToLowerInvariant();
        public long Size => new FileInfo(Wheel).Length;
        public string ImportName => Module ?? Name.Replace('-', '_');
    }

    // ---- project generation ----

    private string NewFolder(string name)
    {
        var path = Path.Combine(sdk.Root, name + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(path);
        return path;
    }

    private static string Zip(string project) => Path.Combine(project, "bin", "Debug", "package.zip");
    private static string Intermediate(string project) => Path.Combine(project, "obj", "Debug", "uvlambda");
    private static string Site(string project) => Path.Combine(Intermediate(project), "site");
    private static string State(string project) => Path.Combine(Intermediate(project), "install-state.json");

    private static string CacheProperty(string cache) => "-p:UvLambdaCacheDir=" + cache;

    /// <summary>A function project: pyproj, pyproject.toml, uv.lock (as uv writes it) and app/main.py importing every dependency.</summary>
    private string FunctionProject(IReadOnlyList<Dep> deps, string properties = "", string pyprojectExtra = "")
    {
        var project = NewFolder("function");
        File.WriteAllText(Path.Combine(project, "function.pyproj"),
            $"<Project Sdk=\"UvLambda.Sdk/{PackedSdk.Version}\"><PropertyGroup>{properties}</PropertyGroup></Project>\n");
        Directory.CreateDirectory(Path.Combine(project, "app"));
        File.WriteAllText(Path.Combine(project, "app", "__init__.py"), "");
        WriteDependencies(project, deps, pyprojectExtra);
        return project;
    }

    /// <summary>(Re)writes pyproject.toml, uv.lock and the handler for another dependency set.</summary>
    private static void WriteDependencies(string project, IReadOnlyList<Dep> deps, string pyprojectExtra = "")
    {
        var sorted = deps.OrderBy(d => d.Name, StringComparer.Ordinal).ToList();
        File.WriteAllText(Path.Combine(project, "pyproject.toml"), $"""
            [project]
            name = "function"
            version = "0.1.0"
            requires-python = ">=3.11"
            dependencies = [{string.Join(", ", sorted.Select(d => $"\"{d.Name}=={d.Version}\""))}]

            """ + pyprojectExtra);

        var lockText = new UvLockBuilder(">=3.11").Root("function", configure: root =>
        {
            root.WithMetadata();
            foreach (var d in sorted) root.DependsOn(d.Name).Requires(d.Name, specifier: "==" + d.Version);
        });
        foreach (var d in sorted) lockText.Package(d.Name, d.Version, p => p.PyPiWheel(d.FileName, d.Sha256, d.Size));
        File.WriteAllText(Path.Combine(project, "uv.lock"), lockText.ToToml());

        var modules = sorted.Select(d => d.ImportName).ToList();
        File.WriteAllText(Path.Combine(project, "app", "main.py"), $$"""
            import importlib.metadata
            import os
            {{string.Concat(modules.Select(m => $"import {m}\n"))}}
            ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
            MODULES = [{{string.Join(", ", modules.Select(m => m))}}]
            DISTS = [{{string.Join(", ", sorted.Select(d => $"\"{d.Name}\""))}}]


            def handler(event, context):
                return {
                    "modules": {m.__name__: getattr(m, "__version__", None) for m in MODULES},
                    "dists": {d: importlib.metadata.version(d) for d in DISTS},
                    "from_package": all(os.path.abspath(m.__file__).startswith(ROOT + os.sep) for m in MODULES),
                }

            """);
    }

    /// <summary>Unzips the package and calls its handler with `python3 -S` (no site-packages, so only the zip can provide the imports).</summary>
    private JsonElement Invoke(string zip)
    {
        var target = NewFolder("unzipped");
        var script = """
            import json, sys, zipfile
            zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])
            sys.path.insert(0, sys.argv[2])
            import app.main
            print(json.dumps(app.main.handler({}, None), sort_keys=True))
            """;
        var output = sdk.Run("python3", target, "-S", "-c", script, zip, target).EnsureSuccess().StandardOutput;
        return JsonDocument.Parse(output).RootElement.Clone();
    }

    private static List<string> ZipNames(string zip)
    {
        using var archive = System.IO.Compression.ZipFile.OpenRead(zip);
        return archive.Entries.Select(e => e.FullName).ToList();
    }

    /// <summary>Every file the install provides for packaging: unpacked into the site folder, or in an indexed wheel.</summary>
    private static IEnumerable<string> SiteFiles(string project) =>
        UvLambda.Core.Install.InstalledSet.Load(State(project), Site(project)).Select(f => f.Entry.Path);

    /// <summary>The wheel indexes the install state refers to (in the content cache), by package.</summary>
    private static Dictionary<string, string> Indexes(string project)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(State(project)));
        var indexes = doc.RootElement.GetProperty("packages").EnumerateObject()
            .Where(p => p.Value.TryGetProperty("index", out var i) && i.ValueKind == JsonValueKind.String)
            .ToDictionary(p => p.Name, p => p.Value.GetProperty("index").GetString()!);
        Assert.NotEmpty(indexes);
        return indexes;
    }

    private static Dep DebianWheel(string name)
    {
        var file = Directory.GetFiles(DebianWheels, name + "-*-py3-none-any.whl").Single();
        return new Dep(name, Path.GetFileName(file).Split('-')[1], file);
    }

    /// <summary>pip and setuptools (and wheel when python3-wheel-whl is installed) from Debian's python-wheels.</summary>
    private static List<Dep> DebianDeps()
    {
        var deps = new List<Dep> { DebianWheel("pip"), DebianWheel("setuptools") };
        if (Directory.GetFiles(DebianWheels, "wheel-*-py3-none-any.whl").Length == 1) deps.Add(DebianWheel("wheel"));
        return deps;
    }

    private static Dep Synthetic(string folder, string name, string version, Action<TestWheel>? edit = null)
    {
        var wheel = new TestWheel(name, version).Add($"{name}/__init__.py", $"__version__ = \"{version}\"\n");
        edit?.Invoke(wheel);
        return new Dep(name, version, wheel.Build(folder));
    }

    private void AssertDebianPackage(string project, List<Dep> deps)
    {
        var names = ZipNames(Zip(project));
        foreach (var d in deps)
        {
            Assert.Contains($"{d.Name}/__init__.py", names);
            Assert.Contains($"{d.Name}-{d.Version}.dist-info/RECORD", names);
            Assert.Contains($"{d.Name}-{d.Version}.dist-info/METADATA", names);
        }
        Assert.DoesNotContain(names, n => n.EndsWith(".dist-info/INSTALLER", StringComparison.Ordinal) || n.EndsWith(".dist-info/direct_url.json", StringComparison.Ordinal));
        var result = Invoke(Zip(project));
        Assert.True(result.GetProperty("from_package").GetBoolean());
        var pip = deps.Single(d => d.Name == "pip");
        Assert.Equal(pip.Version, result.GetProperty("modules").GetProperty("pip").GetString());
        foreach (var d in deps) Assert.Equal(d.Version, result.GetProperty("dists").GetProperty(d.Name).GetString());
        PackageInspection.TestWithUnzip(sdk, Zip(project));
    }

    // ---- 1. find-links ----

    [Fact]
    public void Debian_wheels_install_from_find_links_and_import_from_the_zip()
    {
        var deps = DebianDeps();
        var project = FunctionProject(deps);
        var cache = NewFolder("cache");
        sdk.Dotnet(project, "build", "-p:PythonFindLinks=" + DebianWheels, CacheProperty(cache)).EnsureSuccess();
        AssertDebianPackage(project, deps);
        // What the build fetched is now in its cache, by hash.
        foreach (var d in deps)
            Assert.True(File.Exists(Path.Combine(cache, "wheels", "sha256", d.Sha256[..2], d.Sha256)), d.FileName);
    }

    // ---- 2. a local PEP 503 index ----

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>A folder laid out as a simple index (simple/NAME/index.html linking to ../../files/FILE#sha256=…).</summary>
    private string SimpleIndexFolder(IReadOnlyList<Dep> deps)
    {
        var root = NewFolder("index");
        Directory.CreateDirectory(Path.Combine(root, "files"));
        var names = new StringBuilder("<!DOCTYPE html>\n<html><body>\n");
        foreach (var group in deps.GroupBy(d => d.Name))
        {
            var page = new StringBuilder("<!DOCTYPE html>\n<html><body>\n");
            foreach (var d in group)
            {
                File.Copy(d.Wheel, Path.Combine(root, "files", d.FileName), overwrite: true);
                page.Append($"<a href=\"../../files/{d.FileName}#sha256={d.Sha256}\">{d.FileName}</a><br/>\n");
            }
            page.Append("</body></html>\n");
            Directory.CreateDirectory(Path.Combine(root, "simple", group.Key));
            File.WriteAllText(Path.Combine(root, "simple", group.Key, "index.html"), page.ToString());
            names.Append($"<a href=\"{group.Key}/\">{group.Key}</a>\n");
        }
        File.WriteAllText(Path.Combine(root, "simple", "index.html"), names.Append("</body></html>\n").ToString());
        return root;
    }

    /// <summary>Starts a Python HTTP server (killed in Dispose) and waits, bounded, until it answers; returns its base URL.</summary>
    private string Serve(string folder, params string[] command)
    {
        var port = FreePort();
        var args = command.Length > 0 ? command.Append(port.ToString()).ToArray() : ["-m", "http.server", "--bind", "127.0.0.1", "--directory", folder, port.ToString()];
        var server = sdk.Start(new Dictionary<string, string?> { ["PYTHONUNBUFFERED"] = "1" }, "python3", folder, args);
        _servers.Add(server);
        var url = $"http://127.0.0.1:{port}";
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            Assert.False(server.Process.HasExited, "the index server exited: " + server.OutputSoFar);
            try
            {
                using var response = http.GetAsync(url + "/simple/").GetAwaiter().GetResult();
                if (response.IsSuccessStatusCode) return url;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"the index server at {url} did not answer in 30 s: {server.OutputSoFar}");
            Thread.Sleep(100);
        }
    }

    [Theory]
    [InlineData("UV_INDEX_URL")]
    [InlineData("UV_DEFAULT_INDEX")]
    [InlineData("tool.uv.index")]
    public void Debian_wheels_install_from_a_local_simple_index(string how)
    {
        var deps = DebianDeps();
        var url = Serve(SimpleIndexFolder(deps));
        var environment = new Dictionary<string, string?>();
        var extra = "";
        if (how == "tool.uv.index")
            extra = $"""

                [[tool.uv.index]]
                name = "local"
                url = "{url}/simple"
                default = true
                """;
        else
            environment[how] = url + "/simple";
        var project = FunctionProject(deps, pyprojectExtra: extra);
        var cache = NewFolder("cache");
        sdk.Dotnet(environment, project, "build", CacheProperty(cache)).EnsureSuccess();
        AssertDebianPackage(project, deps);
        var log = _servers.Single().OutputSoFar;
        foreach (var d in deps)
        {
            Assert.Contains($"GET /simple/{d.Name}/ ", log);
            Assert.Contains($"GET /files/{d.FileName} ", log);
        }
    }

    // ---- 3. incremental builds and reproducibility ----

    [Fact]
    public void A_second_build_rewrites_nothing_and_clean_builds_are_byte_identical_with_a_warm_or_empty_cache()
    {
        var deps = DebianDeps();
        var project = FunctionProject(deps);
        var cache = NewFolder("cache");
        string[] build = ["build", "-p:PythonFindLinks=" + DebianWheels, CacheProperty(cache)];
        sdk.Dotnet(project, build).EnsureSuccess();
        var zip = File.ReadAllBytes(Zip(project));
        var zipTime = File.GetLastWriteTimeUtc(Zip(project));
        var stateTime = File.GetLastWriteTimeUtc(State(project));
        // Wheels are indexed in the cache, not unpacked into obj/: nothing of them is in the site folder.
        Assert.False(Directory.Exists(Site(project)) && Directory.EnumerateFiles(Site(project), "*", SearchOption.AllDirectories).Any());
        var indexTimes = Indexes(project).ToDictionary(i => i.Key, i => File.GetLastWriteTimeUtc(i.Value));
        Assert.Equal(deps.Count, indexTimes.Count);

        var second = sdk.Dotnet(project, [.. build, "-v:d"]).EnsureSuccess();
        Assert.Contains("Skipping target \"CreateLambdaPackage\" because all output files are up-to-date", second.Output);
        Assert.Equal(zipTime, File.GetLastWriteTimeUtc(Zip(project)));
        Assert.Equal(stateTime, File.GetLastWriteTimeUtc(State(project)));
        Assert.Equal(indexTimes, Indexes(project).ToDictionary(i => i.Key, i => File.GetLastWriteTimeUtc(i.Value)));

        sdk.Dotnet(project, "clean", CacheProperty(cache)).EnsureSuccess();
        Assert.False(File.Exists(Zip(project)));
        sdk.Dotnet(project, build).EnsureSuccess();
        Assert.Equal(zip, File.ReadAllBytes(Zip(project)));

        // No cache at all: the wheels come from find-links again, and land in the cache again.
        sdk.Dotnet(project, "clean", CacheProperty(cache)).EnsureSuccess();
        Directory.Delete(cache, recursive: true);
        sdk.Dotnet(project, build).EnsureSuccess();
        Assert.Equal(zip, File.ReadAllBytes(Zip(project)));
        foreach (var d in deps)
            Assert.True(File.Exists(Path.Combine(cache, "wheels", "sha256", d.Sha256[..2], d.Sha256)), d.FileName);
    }

    /// <summary>
    /// The PEP 751 lock equivalent to the uv.lock <see cref="WriteDependencies"/> writes: the same files, plus entries
    /// whose markers exclude them on Lambda (another platform, a dependency group that is not requested).
    /// </summary>
    private static string PylockFor(IReadOnlyList<Dep> deps)
    {
        var text = new StringBuilder("lock-version = \"1.0\"\ncreated-by = \"tests\"\nrequires-python = \">=3.11\"\nenvironments = [\"sys_platform == 'linux'\", \"sys_platform == 'win32'\"]\ndependency-groups = [\"dev\"]\ndefault-groups = []\n");
        foreach (var d in deps.OrderBy(d => d.Name, StringComparer.Ordinal))
            text.Append($$"""

                [[packages]]
                name = "{{d.Name}}"
                version = "{{d.Version}}"
                marker = "python_version >= '3.11'"
                index = "https://pypi.org/simple"
                wheels = [{
                    url = "https://files.pythonhosted.org/packages/{{d.Sha256[..2]}}/{{d.Sha256[2..4]}}/{{d.Sha256[4..]}}/{{d.FileName}}",
                    size = {{d.Size}},
                    hashes = { sha256 = "{{d.Sha256}}" },
                }]

                """);
        var other = new string('0', 64);
        text.Append($$"""

            [[packages]]
            name = "pywin32"
            version = "311"
            marker = "sys_platform == 'win32'"
            wheels = [{ url = "https://files.pythonhosted.org/pywin32-311-cp313-cp313-win_amd64.whl", hashes = { sha256 = "{{other}}" } }]

            [[packages]]
            name = "pytest"
            version = "9.0.0"
            marker = "'dev' in dependency_groups"
            wheels = [{ url = "https://files.pythonhosted.org/pytest-9.0.0-py3-none-any.whl", hashes = { sha256 = "{{other}}" } }]

            [[packages]]
            name = "function"
            directory = { path = ".", editable = true }
            """);
        return text.ToString();
    }

    [Fact]
    public void A_project_locked_by_pylock_toml_builds_the_same_package_zip_as_by_uv_lock()
    {
        var deps = DebianDeps();
        var byUvLock = FunctionProject(deps);
        var byPylock = FunctionProject(deps);
        File.Delete(Path.Combine(byPylock, "uv.lock"));
        File.WriteAllText(Path.Combine(byPylock, "pylock.toml"), PylockFor(deps));
        string[] build = ["build", "-p:PythonFindLinks=" + DebianWheels, CacheProperty(NewFolder("cache"))];

        sdk.Dotnet(byUvLock, build).EnsureSuccess();
        var pylockBuild = sdk.Dotnet(byPylock, build).EnsureSuccess();
        Assert.DoesNotContain("uv.lock", pylockBuild.StandardOutput);
        AssertDebianPackage(byPylock, deps);
        Assert.Equal(File.ReadAllBytes(Zip(byUvLock)), File.ReadAllBytes(Zip(byPylock)));

        // Both files: uv.lock wins, and the build says so once.
        File.WriteAllText(Path.Combine(byUvLock, "pylock.toml"), PylockFor(deps));
        var both = sdk.Dotnet(byUvLock, build).EnsureSuccess();
        var said = both.StandardOutput.Split('\n').Count(l => l.Contains("pylock.toml beside it is not read", StringComparison.Ordinal));
        Assert.True(said == 1, both.StandardOutput);

        // PythonLockFile picks the pylock explicitly; a bad one fails with its code.
        sdk.Dotnet(byUvLock, [.. build, "-p:PythonLockFile=pylock.toml"]).EnsureSuccess();
        Assert.Equal(File.ReadAllBytes(Zip(byPylock)), File.ReadAllBytes(Zip(byUvLock)));
        var bad = sdk.Dotnet(byUvLock, [.. build, "-p:PythonLockFile=pylock.other.toml"]);
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("UVL1327", bad.Output);
    }

    // ---- 4. a changed lock reinstalls only what changed ----

    [Fact]
    public void Changing_one_package_version_reinstalls_only_it_and_removing_a_dependency_removes_its_files()
    {
        var wheels = NewFolder("wheels");
        var alpha1 = Synthetic(wheels, "alpha", "1.0", w => w.Add("alpha/old_only.py", "OLD = True\n"));
        var alpha2 = Synthetic(wheels, "alpha", "2.0", w => w.Add("alpha/new_only.py", "NEW = True\n"));
        var beta = Synthetic(wheels, "beta", "1.0", w => w.Add("beta/data.txt", "beta\n"));
        var project = FunctionProject([alpha1, beta]);
        var cache = NewFolder("cache");
        string[] build = ["build", "-p:PythonFindLinks=" + wheels, CacheProperty(cache)];
        sdk.Dotnet(project, build).EnsureSuccess();
        Assert.Equal("1.0", Invoke(Zip(project)).GetProperty("modules").GetProperty("alpha").GetString());
        var betaFiles = SiteFiles(project).Where(f => f.StartsWith("beta", StringComparison.Ordinal)).ToList();
        Assert.Equal(["beta-1.0.dist-info/METADATA", "beta-1.0.dist-info/RECORD", "beta-1.0.dist-info/WHEEL", "beta/__init__.py", "beta/data.txt"], betaFiles.Order(StringComparer.Ordinal));
        var betaIndex = Indexes(project)["beta"];
        var betaTime = File.GetLastWriteTimeUtc(betaIndex);
        Thread.Sleep(1100); // so a rewrite would show even on a file system with coarse timestamps

        WriteDependencies(project, [alpha2, beta]);
        var changed = sdk.Dotnet(project, [.. build, "-v:n"]).EnsureSuccess();
        Assert.Contains("Installed 1 package(s)", changed.Output);
        Assert.Equal(betaIndex, Indexes(project)["beta"]);
        Assert.Equal(betaTime, File.GetLastWriteTimeUtc(betaIndex));
        var site = SiteFiles(project).ToList();
        Assert.Contains("alpha/new_only.py", site);
        Assert.Contains("alpha-2.0.dist-info/RECORD", site);
        Assert.DoesNotContain("alpha/old_only.py", site);
        Assert.DoesNotContain(site, f => f.StartsWith("alpha-1.0.dist-info", StringComparison.Ordinal));
        var names = ZipNames(Zip(project));
        Assert.Contains("alpha/new_only.py", names);
        Assert.DoesNotContain("alpha/old_only.py", names);
        Assert.DoesNotContain(names, n => n.StartsWith("alpha-1.0.dist-info", StringComparison.Ordinal));
        var result = Invoke(Zip(project));
        Assert.Equal("2.0", result.GetProperty("modules").GetProperty("alpha").GetString());
        Assert.Equal("2.0", result.GetProperty("dists").GetProperty("alpha").GetString());

        WriteDependencies(project, [alpha2]);
        sdk.Dotnet(project, build).EnsureSuccess();
        Assert.DoesNotContain(SiteFiles(project), f => f.StartsWith("beta", StringComparison.Ordinal));
        Assert.False(Indexes(project).ContainsKey("beta"));
        Assert.DoesNotContain(ZipNames(Zip(project)), n => n.StartsWith("beta", StringComparison.Ordinal));
        Assert.Contains("alpha/new_only.py", ZipNames(Zip(project)));
    }

    private const string InstallSkipped = "Skipping target \"InstallPythonPackages\" because all output files are up-to-date";

    [Fact]
    public void A_no_op_build_skips_the_install_step_until_a_setting_the_locked_set_or_a_cache_file_changes()
    {
        var wheels = NewFolder("wheels");
        var alpha = Synthetic(wheels, "alpha", "1.0");
        var beta = Synthetic(wheels, "beta", "1.0", w => w.Add("beta/data.txt", "beta\n"));
        var project = FunctionProject([alpha, beta]);
        string[] build = ["build", "-p:PythonFindLinks=" + wheels, CacheProperty(NewFolder("cache")), "-v:d"];
        var first = sdk.Dotnet(project, build).EnsureSuccess();
        Assert.DoesNotContain(InstallSkipped, first.Output);
        Assert.Contains("Task \"InstallPythonPackages\"", first.Output);
        var zip = File.ReadAllBytes(Zip(project));

        // Nothing changed: MSBuild skips the target, so the task (and the tasks assembly behind it) never runs.
        var noOp = sdk.Dotnet(project, build).EnsureSuccess();
        Assert.Contains(InstallSkipped, noOp.Output);
        Assert.DoesNotContain("Task \"InstallPythonPackages\"", noOp.Output);
        Assert.Equal(zip, File.ReadAllBytes(Zip(project)));

        // A cache clean of one package: the step runs, puts the index back, and the zip is the same bytes.
        var betaIndex = Indexes(project)["beta"];
        File.Delete(betaIndex);
        var afterClean = sdk.Dotnet(project, build).EnsureSuccess();
        Assert.DoesNotContain(InstallSkipped, afterClean.Output);
        Assert.True(File.Exists(betaIndex));
        Assert.Equal(zip, File.ReadAllBytes(Zip(project)));
        Assert.Contains(InstallSkipped, sdk.Dotnet(project, build).EnsureSuccess().Output);

        // A setting the installer reads, given on the command line (no file changes): runs; and again when it goes.
        Assert.DoesNotContain(InstallSkipped, sdk.Dotnet(project, [.. build, "-p:PythonOffline=true"]).EnsureSuccess().Output);
        Assert.DoesNotContain(InstallSkipped, sdk.Dotnet(project, build).EnsureSuccess().Output);

        // Another locked set: runs, and the zip follows.
        WriteDependencies(project, [alpha]);
        Assert.DoesNotContain(InstallSkipped, sdk.Dotnet(project, build).EnsureSuccess().Output);
        Assert.DoesNotContain(ZipNames(Zip(project)), n => n.StartsWith("beta", StringComparison.Ordinal));
    }

    [Fact]
    public void A_project_with_a_package_installed_from_sources_runs_the_install_step_on_every_build_and_ships_source_edits()
    {
        var project = sdk.CopySample("workspace");
        sdk.Dotnet(project, "build").EnsureSuccess();
        var second = sdk.Dotnet(project, "build", "-v:d").EnsureSuccess();
        // Timestamps of listed files cannot see a file added to a source tree, so the installer's own check decides.
        Assert.DoesNotContain(InstallSkipped, second.Output);
        Assert.Contains("Task \"InstallPythonPackages\"", second.Output);
        Assert.False(File.Exists(Path.Combine(Intermediate(project), "install.stamp")));

        File.WriteAllText(Path.Combine(project, "library", "src", "library", "added.py"), "ADDED = True\n");
        sdk.Dotnet(project, "build").EnsureSuccess();
        Assert.Contains("library/added.py", ZipNames(Zip(project)));
    }

    // ---- 5. offline ----

    [Theory]
    [InlineData("PythonOffline")]
    [InlineData("UV_OFFLINE")]
    public void Offline_with_an_empty_cache_lists_every_missing_wheel_and_find_links_fill_the_gap(string how)
    {
        var deps = DebianDeps();
        var project = FunctionProject(deps);
        var cache = NewFolder("cache");
        var environment = new Dictionary<string, string?>();
        var args = new List<string> { "build", CacheProperty(cache) };
        if (how == "UV_OFFLINE") environment["UV_OFFLINE"] = "1";
        else args.Add("-p:PythonOffline=true");

        var r = sdk.Dotnet(environment, project, [.. args]);
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("error UVL2106", r.Output);
        foreach (var d in deps) Assert.Contains($"{d.Name} {d.Version} ({d.FileName})", r.Output);
        Assert.DoesNotContain("   at ", r.Output);
        Assert.False(File.Exists(Zip(project)));

        sdk.Dotnet(environment, project, [.. args, "-p:PythonFindLinks=" + DebianWheels]).EnsureSuccess();
        AssertDebianPackage(project, deps);
    }

    // ---- 6. a find-links file that is not the locked one ----

    [Fact]
    public void A_find_links_wheel_with_another_hash_fails_with_UVL2101_and_stays_out_of_the_cache()
    {
        var wheels = NewFolder("wheels");
        var real = Synthetic(wheels, "gamma", "1.0");
        var realHash = real.Sha256;
        var project = FunctionProject([real]);
        var lockedHash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes("another gamma"))).ToLowerInvariant();
        var lockPath = Path.Combine(project, "uv.lock");
        File.WriteAllText(lockPath, File.ReadAllText(lockPath).Replace(realHash, lockedHash));
        var cache = NewFolder("cache");

        var r = sdk.Dotnet(project, "build", "-p:PythonFindLinks=" + wheels, CacheProperty(cache));
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("error UVL2101", r.Output);
        var line = r.Output.Split('\n').First(l => l.Contains("error UVL2101"));
        Assert.Contains("gamma", line);
        Assert.Contains(realHash, line);
        Assert.Contains(lockedHash, line);
        Assert.False(File.Exists(Zip(project)));
        var cached = Directory.Exists(cache) ? Directory.GetFiles(cache, "*", SearchOption.AllDirectories) : [];
        Assert.DoesNotContain(cached, f => Path.GetFileName(f).Contains(realHash) || Path.GetFileName(f).Contains(lockedHash) || Path.GetFileName(f).Contains("gamma"));
    }

    // ---- 7. unsafe wheels ----

    [Theory]
    [InlineData("zip-slip", "UVL2201")]
    [InlineData("symlink", "UVL2202")]
    public void An_unsafe_wheel_from_find_links_is_refused_and_writes_nothing(string kind, string code)
    {
        var wheels = NewFolder("wheels");
        var evil = Synthetic(wheels, "evil", "1.0", w =>
        {
            if (kind == "zip-slip") w.Add("../evil.py", "print('escaped')\n");
            else w.Add("evil/link.py", "/etc/passwd", TestWheel.Symlink);
        });
        var project = FunctionProject([evil]);
        var r = sdk.Dotnet(project, "build", "-p:PythonFindLinks=" + wheels, CacheProperty(NewFolder("cache")));
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("error " + code, r.Output);
        Assert.Contains(evil.FileName, r.Output.Split('\n').First(l => l.Contains("error " + code)));
        Assert.DoesNotContain("   at ", r.Output);
        Assert.False(File.Exists(Path.Combine(Intermediate(project), "evil.py")));
        Assert.False(File.Exists(Path.Combine(Site(project), "evil.py")));
        if (Directory.Exists(Site(project)))
            Assert.Empty(Directory.GetFileSystemEntries(Site(project), "*", SearchOption.AllDirectories));
        Assert.False(File.Exists(Zip(project)));
    }

    // ---- 7b. structurally damaged wheels (issue 20) ----

    [Fact]
    public void A_structurally_damaged_wheel_fails_with_a_coded_error_and_no_stack_trace()
    {
        // pydantic re-packed from this machine's Python, damaged where a zip reader trusts the file; uv.lock has each copy's
        // true sha256, so only the zip structure is wrong. The first two threw from ZipArchive.Entries (MSB4018) before.
        var (sitePackages, distInfo) = ToolProcess.PythonDistribution("pydantic");
        var pristine = TestWheel.FromInstalled(sitePackages, distInfo);
        var pristinePath = pristine.Build(NewFolder("pristine"));
        var bytes = File.ReadAllBytes(pristinePath);
        var structure = ZipMutator.Parse(bytes);
        var variants = ZipMutator.KnownCrashes(bytes).Take(3).ToList();
        variants.Add(("truncated-in-central-directory", bytes[..(structure.CentralOffset + structure.CentralSize / 2)]));
        variants.Add(("dot-dot-name", Renamed(bytes, structure, "../")));
        Assert.Equal(5, variants.Count);

        foreach (var (variant, damaged) in variants)
        {
            var wheels = NewFolder("wheels");
            var wheel = Path.Combine(wheels, Path.GetFileName(pristinePath));
            File.WriteAllBytes(wheel, damaged);
            var dep = new Dep(pristine.Name, pristine.Version, wheel);
            var project = FunctionProject([dep]);
            var cache = NewFolder("cache");

            var r = sdk.Dotnet(project, "build", "-p:PythonFindLinks=" + wheels, CacheProperty(cache));

            Assert.True(r.ExitCode != 0, $"{variant}: the build succeeded\n{r.Output}");
            var errors = r.Output.Split('\n').Where(l => l.Contains(": error ", StringComparison.Ordinal)).ToList();
            Assert.True(errors.Count > 0, $"{variant}: no error line\n{r.Output}");
            Assert.All(errors, l => Assert.Matches(@"error UVL2\d{3}:", l));
            Assert.Contains(errors, l => l.Contains(dep.FileName, StringComparison.Ordinal));
            Assert.DoesNotContain("MSB4018", r.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("UVL9001", r.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", r.Output, StringComparison.Ordinal);
            // Nothing half-written: no site files, no package, no staging or temp files in obj/ or the cache.
            if (Directory.Exists(Site(project)))
                Assert.Empty(Directory.GetFiles(Site(project), "*", SearchOption.AllDirectories));
            Assert.False(File.Exists(Zip(project)));
            if (Directory.Exists(Path.Combine(project, "obj")))
                Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(project, "obj"), ".uvlambda-*", SearchOption.AllDirectories));
            Assert.Empty(Directory.GetFiles(cache, "*.tmp", SearchOption.AllDirectories));
        }
    }

    // The first entry's name (central directory and local header) starting with '../', same length.
    private static byte[] Renamed(byte[] zip, ZipMutator.Structure s, string prefix)
    {
        var b = (byte[])zip.Clone();
        var p = Encoding.ASCII.GetBytes(prefix);
        p.CopyTo(b, s.Central[0] + 46);
        p.CopyTo(b, s.Local[0] + 30);
        return b;
    }

    // ---- 8. concurrent builds on one cache ----

    [Fact]
    public async Task Two_builds_at_once_on_one_cache_both_succeed_with_identical_zips()
    {
        var deps = DebianDeps();
        var a = FunctionProject(deps);
        var b = FunctionProject(deps);
        var cache = NewFolder("cache");
        var builds = new[] { a, b }.Select(p => Task.Run(() => sdk.Dotnet(p, "build", "-p:PythonFindLinks=" + DebianWheels, CacheProperty(cache)))).ToArray();
        foreach (var result in await Task.WhenAll(builds)) result.EnsureSuccess();
        Assert.Equal(File.ReadAllBytes(Zip(a)), File.ReadAllBytes(Zip(b)));
        AssertDebianPackage(a, deps);
        Assert.Empty(Directory.GetFiles(Path.Combine(cache, "wheels", "tmp")));
    }

    // ---- 9. a build killed mid-install ----

    [Fact]
    public void A_build_killed_mid_install_is_repaired_by_the_next_build()
    {
        var wheels = NewFolder("wheels");
        var random = new Random(42);
        var big = Synthetic(wheels, "bigpkg", "1.0", w =>
        {
            for (var i = 0; i < 6000; i++)
            {
                var content = new byte[4096];
                random.NextBytes(content);
                w.Add($"bigpkg/data/d{i / 100:D3}/f{i:D5}.bin", content);
            }
        });
        var small = Synthetic(wheels, "small", "1.0");
        var project = FunctionProject([big, small]);
        var cache = NewFolder("cache");
        string[] build = ["build", "-p:PythonFindLinks=" + wheels, CacheProperty(cache)];

        // Kill it once bigpkg's wheel is in the cache (it is being verified and indexed, or about to be), or after a bounded wait.
        var cachedWheel = Path.Combine(cache, "wheels", "sha256", big.Sha256[..2], big.Sha256);
        using (var running = sdk.Start(new Dictionary<string, string?>(), "dotnet", project, build))
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
            while (!running.Process.HasExited && DateTime.UtcNow < deadline && !File.Exists(cachedWheel))
                Thread.Sleep(5);
            Assert.False(running.Process.HasExited, "the build ended before it began installing bigpkg:\n" + running.OutputSoFar);
            running.Kill();
            Assert.True(running.WaitForExit(TimeSpan.FromMinutes(1)));
        }
        Assert.False(File.Exists(Zip(project)));

        sdk.Dotnet(project, build).EnsureSuccess();
        Assert.False(HasPending(State(project)));
        // Nothing of the killed build is left in obj/, and what it left in the cache is whole or gone.
        Assert.Empty(Directory.GetDirectories(Intermediate(project), ".uvlambda-wheel*"));
        using (var state = JsonDocument.Parse(File.ReadAllText(State(project))))
        {
            var packages = state.RootElement.GetProperty("packages").EnumerateObject().ToList();
            Assert.Equal(2, packages.Count);
            Assert.All(packages, p => Assert.NotNull(UvLambda.Core.Install.Wheels.WheelIndexCache.TryLoad(p.Value.GetProperty("index").GetString()!, p.Value.GetProperty("wheel").GetString()!)));
        }
        var reference = FunctionProject([big, small]);
        sdk.Dotnet(reference, build).EnsureSuccess();
        Assert.Equal(File.ReadAllBytes(Zip(reference)), File.ReadAllBytes(Zip(project)));
        Assert.Equal(SiteFiles(reference).Order(StringComparer.Ordinal), SiteFiles(project).Order(StringComparer.Ordinal));
        Assert.Equal("1.0", Invoke(Zip(project)).GetProperty("dists").GetProperty("bigpkg").GetString());
    }

    private static bool HasPending(string stateFile)
    {
        try
        {
            if (!File.Exists(stateFile)) return false;
            using var doc = JsonDocument.Parse(File.ReadAllText(stateFile));
            return doc.RootElement.TryGetProperty("pending", out var pending) && pending.EnumerateObject().Any();
        }
        catch (Exception e) when (e is IOException or JsonException)
        {
            return false;
        }
    }

    // ---- 10. ELF audit ----

    private static string NewGlibcLibrary()
    {
        foreach (var candidate in new[] { "/usr/lib/x86_64-linux-gnu/libssl.so.3", "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib/x86_64-linux-gnu/libc.so.6" })
            if (File.Exists(candidate)) return candidate;
        throw new InvalidOperationException("no x86_64 system library to bundle");
    }

    [Theory]
    [InlineData("x86_64", "GLIBC_2.")]
    [InlineData("arm64", "x86_64")]
    public void A_bundled_native_library_that_cannot_load_on_the_runtime_fails_the_audit(string architecture, string detail)
    {
        var wheels = NewFolder("wheels");
        var fake = Synthetic(wheels, "fakepkg", "1.0", w => w.Add("fakepkg/_native.so", File.ReadAllBytes(NewGlibcLibrary()), TestWheel.ExecutableFile));
        var project = FunctionProject([fake], $"<PythonVersion>3.11</PythonVersion><LambdaArchitecture>{architecture}</LambdaArchitecture>");
        var r = sdk.Dotnet(project, "build", "-p:PythonFindLinks=" + wheels, CacheProperty(NewFolder("cache")));
        Assert.NotEqual(0, r.ExitCode);
        var errors = r.Output.Split('\n').Where(l => l.Contains("error UVL2301")).ToList();
        Assert.NotEmpty(errors);
        Assert.Contains(errors, e => e.Contains("fakepkg") && e.Contains("_native.so") && e.Contains(detail));
        Assert.DoesNotContain("   at ", r.Output);
        Assert.False(File.Exists(Zip(project)));
    }

    // ---- 11. workspace members from source ----

    [Fact]
    public void The_workspace_sample_ships_its_member_library_installed_from_source()
    {
        var project = sdk.CopySample("workspace");
        string[] build = ["build", CacheProperty(NewFolder("cache"))];
        sdk.Dotnet(project, build).EnsureSuccess();
        var zip = Zip(project);
        var result = PackageInspection.InvokeHandler(sdk, zip, "app.main.handler", Path.Combine(project, "events", Directory.GetFiles(Path.Combine(project, "events"))[0]));
        Assert.Equal("""{"body": "Hello from library!", "statusCode": 200}""", result);
        Assert.Equal("0.1.0", PythonFromZip(zip, "import importlib.metadata; print(importlib.metadata.version('library'))"));
        var first = File.ReadAllBytes(zip);

        var init = Path.Combine(project, "library", "src", "library", "__init__.py");
        File.WriteAllText(init, File.ReadAllText(init).Replace("Hello from library!", "Hello again from library!"));
        sdk.Dotnet(project, build).EnsureSuccess();
        Assert.NotEqual(first, File.ReadAllBytes(zip));
        Assert.Equal("Hello again from library!", PythonFromZip(zip, "import library; print(library.hello())"));
    }

    // ---- 12. uv: members that need a build, and UvLambdaInstaller=uv (a recording stand-in for uv) ----

    [Fact]
    public void A_workspace_member_with_C_sources_is_built_by_uv_build_and_ships_its_wheel()
    {
        var project = NewFolder("native-workspace");
        File.WriteAllText(Path.Combine(project, "function.pyproj"),
            $"<Project Sdk=\"UvLambda.Sdk/{PackedSdk.Version}\"><PropertyGroup><PythonVersion>3.13</PythonVersion></PropertyGroup></Project>\n");
        File.WriteAllText(Path.Combine(project, "pyproject.toml"), """
            [project]
            name = "function"
            version = "0.1.0"
            requires-python = ">=3.13"
            dependencies = ["native"]

            [tool.uv.sources]
            native = { workspace = true }

            [tool.uv.workspace]
            members = ["native"]
            """);
        File.WriteAllText(Path.Combine(project, "uv.lock"), new UvLockBuilder(">=3.13")
            .Members("function", "native")
            .Root("function", configure: p => p.DependsOn("native").Requires("native", editable: "native"))
            .Package("native", "1.0", p => p.Editable("native"))
            .ToToml());
        Directory.CreateDirectory(Path.Combine(project, "native", "src", "native"));
        File.WriteAllText(Path.Combine(project, "native", "pyproject.toml"), """
            [project]
            name = "native"
            version = "1.0"
            requires-python = ">=3.13"

            [build-system]
            requires = ["setuptools"]
            build-backend = "setuptools.build_meta"
            """);
        File.WriteAllText(Path.Combine(project, "native", "src", "native", "__init__.py"), "HELLO = 'native'\n");
        File.WriteAllText(Path.Combine(project, "native", "src", "native", "_speedups.c"), "int answer(void) { return 42; }\n");
        Directory.CreateDirectory(Path.Combine(project, "app"));
        File.WriteAllText(Path.Combine(project, "app", "__init__.py"), "");
        File.WriteAllText(Path.Combine(project, "app", "main.py"), "import native._speedups\n\n\ndef handler(event, context):\n    return native._speedups.BUILT\n");

        var uv = new UvStandIn(NewFolder("uv"));
        string[] build = ["build", CacheProperty(NewFolder("cache"))];
        sdk.Dotnet(uv.Overrides(), project, build).EnsureSuccess();
        var call = Assert.Single(uv.Calls);
        Assert.Equal(["build", "--wheel", "--python", "3.13", "--out-dir"], call[..5]);
        Assert.Equal(Path.Combine(project, "native"), call[6]);
        Assert.Equal("True", PythonFromZip(Zip(project), "import native._speedups, importlib.metadata; print(native._speedups.BUILT); assert importlib.metadata.version('native') == '1.0'"));
        Assert.Contains("native-1.0.dist-info/RECORD", ZipNames(Zip(project)));
        Assert.DoesNotContain(ZipNames(Zip(project)), n => n.EndsWith(".c", StringComparison.Ordinal));

        // Nothing changed: uv is not run again.
        sdk.Dotnet(uv.Overrides(), project, build).EnsureSuccess();
        Assert.Single(uv.Calls);

        // Without uv the build names the package and the fix.
        Directory.Delete(Path.Combine(project, "obj"), recursive: true);
        var pathWithoutUv = string.Join(Path.PathSeparator, (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Where(d => !File.Exists(Path.Combine(d, "uv"))));
        var noUv = sdk.Dotnet(new Dictionary<string, string?> { ["PATH"] = pathWithoutUv }, project, "build", CacheProperty(NewFolder("cache")));
        Assert.NotEqual(0, noUv.ExitCode);
        Assert.Contains(noUv.Output.Split('\n'), l => l.Contains("error UVL2402") && l.Contains("'native' 1.0") && l.Contains("Install uv"));
    }

    [Fact]
    public void UvLambdaInstaller_uv_delegates_to_uv_pip_install_with_the_lambda_guide_flags()
    {
        var wheels = NewFolder("wheels");
        var deps = new List<Dep> { Synthetic(wheels, "fakepkg", "1.2"), Synthetic(wheels, "otherpkg", "0.5") };
        var project = FunctionProject(deps, properties: "<PythonVersion>3.13</PythonVersion><UvLambdaInstaller>uv</UvLambdaInstaller>");
        var uv = new UvStandIn(NewFolder("uv"));
        string[] build = ["build", CacheProperty(NewFolder("cache"))];
        sdk.Dotnet(uv.Overrides(wheels: wheels), project, build).EnsureSuccess();

        var requirements = Path.Combine(Intermediate(project), "requirements.txt");
        Assert.Equal([["pip", "install", "--no-installer-metadata", "--no-compile-bytecode", "--python-platform", "x86_64-manylinux_2_34",
            "--python", "3.13", "--target", Site(project), "-r", requirements]], uv.Calls);
        foreach (var d in deps) Assert.Contains($"{d.Name}=={d.Version} \\\n    --hash=sha256:{d.Sha256}\n", File.ReadAllText(requirements));
        var result = Invoke(Zip(project));
        Assert.True(result.GetProperty("from_package").GetBoolean());
        foreach (var d in deps) Assert.Equal(d.Version, result.GetProperty("dists").GetProperty(d.Name).GetString());
        Assert.Contains("fakepkg-1.2.dist-info/RECORD", File.ReadAllText(State(project)));

        // A no-op build does not run uv; another dependency set does.
        sdk.Dotnet(uv.Overrides(wheels: wheels), project, build).EnsureSuccess();
        Assert.Single(uv.Calls);
        WriteDependencies(project, deps.Take(1).ToList());
        sdk.Dotnet(uv.Overrides(wheels: wheels), project, build).EnsureSuccess();
        Assert.Equal(2, uv.Calls.Count);
        Assert.DoesNotContain(ZipNames(Zip(project)), n => n.StartsWith("otherpkg", StringComparison.Ordinal));

        var bad = sdk.Dotnet(uv.Overrides(wheels: wheels), project, "build", "-p:UvLambdaInstaller=pip");
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains(bad.Output.Split('\n'), l => l.Contains("error UVL2406") && l.Contains("'native'") && l.Contains("'uv'"));
    }

    // ---- 13. convergence: whatever happened to obj/, the zip equals a clean build's ----

    /// <summary>A fresh folder with the project's sources (no obj/ or bin/), built with the same arguments.</summary>
    private string CleanCopy(string project, string[] build)
    {
        var copy = NewFolder("reference");
        foreach (var file in new[] { "function.pyproj", "pyproject.toml", "uv.lock" })
            File.Copy(Path.Combine(project, file), Path.Combine(copy, file));
        Directory.CreateDirectory(Path.Combine(copy, "app"));
        foreach (var file in Directory.GetFiles(Path.Combine(project, "app")))
            File.Copy(file, Path.Combine(copy, "app", Path.GetFileName(file)));
        sdk.Dotnet(copy, build).EnsureSuccess();
        return copy;
    }

    [Fact]
    public void Cached_indexes_deleted_or_edited_and_files_added_under_the_site_folder_are_repaired_so_the_zip_equals_a_clean_build()
    {
        var deps = DebianDeps();
        var project = FunctionProject(deps);
        var cache = NewFolder("cache");
        string[] build = ["build", "-p:PythonFindLinks=" + DebianWheels, CacheProperty(cache)];
        sdk.Dotnet(project, build).EnsureSuccess();

        // What a build reads besides the lock: the cached indexes of the wheels (one deleted, one edited) and the
        // site folder (a stray module dropped there by hand).
        void Damage()
        {
            var indexes = Indexes(project);
            File.Delete(indexes["pip"]);
            var index = File.ReadAllBytes(indexes["setuptools"]);
            var at = index.AsSpan().IndexOf("setuptools/version.py"u8);
            Assert.True(at > 0);
            index[at + "setuptools/versio".Length] = (byte)'m'; // setuptools/versiom.py
            File.WriteAllBytes(indexes["setuptools"], index);
            Directory.CreateDirectory(Site(project));
            File.WriteAllText(Path.Combine(Site(project), "stray_module.py"), "LEFT = 'by hand'\n");
        }

        // Damage, then edit the app: packaging runs again and must not ship the damage.
        Damage();
        File.AppendAllText(Path.Combine(project, "app", "main.py"), "\n# edited\n");
        sdk.Dotnet(project, build).EnsureSuccess();
        var reference = CleanCopy(project, build);
        Assert.Equal(File.ReadAllBytes(Zip(reference)), File.ReadAllBytes(Zip(project)));
        Assert.DoesNotContain("stray_module.py", ZipNames(Zip(project)));
        AssertDebianPackage(project, deps);

        // Damage alone (no source change): the repair rewrites the install state, so packaging runs again too.
        Damage();
        var again = sdk.Dotnet(project, [.. build, "-v:n"]).EnsureSuccess();
        Assert.Contains("Reinstalling 2 package(s)", again.Output);
        Assert.Equal(File.ReadAllBytes(Zip(reference)), File.ReadAllBytes(Zip(project)));
        Assert.Equal(SiteFiles(reference).Order(StringComparer.Ordinal), SiteFiles(project).Order(StringComparer.Ordinal));
    }

    // ---- 14. a local path wheel offline ----

    [Fact]
    public void An_offline_build_installs_a_path_wheel_from_its_path_verified_by_its_lock_hash()
    {
        var project = NewFolder("path-wheel");
        var wheel = new TestWheel("mypkg", "1.0").Add("mypkg/__init__.py", "NAME = 'local'\n").Build(Path.Combine(project, "wheels"));
        var hash = Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(wheel))).ToLowerInvariant();
        File.WriteAllText(Path.Combine(project, "function.pyproj"), $"<Project Sdk=\"UvLambda.Sdk/{PackedSdk.Version}\" />\n");
        Directory.CreateDirectory(Path.Combine(project, "app"));
        File.WriteAllText(Path.Combine(project, "app", "__init__.py"), "");
        File.WriteAllText(Path.Combine(project, "app", "main.py"), "import mypkg\n\n\ndef handler(event, context):\n    return mypkg.NAME\n");
        File.WriteAllText(Path.Combine(project, "pyproject.toml"), """
            [project]
            name = "function"
            version = "0.1.0"
            requires-python = ">=3.11"
            dependencies = ["mypkg"]

            [tool.uv.sources]
            mypkg = { path = "wheels/mypkg-1.0-py3-none-any.whl" }
            """);
        File.WriteAllText(Path.Combine(project, "uv.lock"), new UvLockBuilder(">=3.11")
            .Root("function", configure: p => p.DependsOn("mypkg").Requires("mypkg", path: "wheels/mypkg-1.0-py3-none-any.whl"))
            .Package("mypkg", "1.0", p => p.Path("wheels/mypkg-1.0-py3-none-any.whl").WheelFile("mypkg-1.0-py3-none-any.whl", $"sha256:{hash}"))
            .ToToml());

        sdk.Dotnet(project, "build", "-p:PythonOffline=true", CacheProperty(NewFolder("cache"))).EnsureSuccess();
        Assert.Equal("local", PythonFromZip(Zip(project), "import app.main; print(app.main.handler({}, None))"));

        // Offline or not, a changed file is refused by its hash (on a build that installs it: no obj/, another cache).
        new TestWheel("mypkg", "1.0").Add("mypkg/__init__.py", "NAME = 'swapped'\n").Build(Path.Combine(project, "wheels"));
        Directory.Delete(Path.Combine(project, "obj"), recursive: true);
        var r = sdk.Dotnet(project, "build", "-p:PythonOffline=true", CacheProperty(NewFolder("cache")));
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("error UVL2101", r.Output);
    }

    // ---- 15. a decompression bomb ----

    [Fact]
    public void A_wheel_inflating_beyond_lambdas_limit_fails_with_UVL2210_and_leaves_nothing_in_obj()
    {
        var wheels = NewFolder("wheels");
        // 300 MB of zeros in a wheel of well under 1 MB: more than the 262,144,000 bytes Lambda allows a Zip function.
        var bombFile = TestWheel.BuildBomb(wheels, "bomb", "1.0", 300_000_000);
        Assert.True(new FileInfo(bombFile).Length < 1_000_000);
        var bomb = new Dep("bomb", "1.0", bombFile);
        var small = Synthetic(wheels, "small", "1.0");
        var project = FunctionProject([bomb, small]);
        string[] build = ["build", "-p:PythonFindLinks=" + wheels, CacheProperty(NewFolder("cache"))];

        var r = sdk.Dotnet(project, build);
        Assert.NotEqual(0, r.ExitCode);
        var line = r.Output.Split('\n').FirstOrDefault(l => l.Contains("error UVL2210"));
        Assert.NotNull(line);
        Assert.Contains("'bomb' 1.0", line);
        Assert.Contains("262,144,000", line);
        Assert.DoesNotContain("   at ", r.Output);
        Assert.False(File.Exists(Zip(project)));
        Assert.Empty(Directory.Exists(Site(project)) ? Directory.GetFileSystemEntries(Site(project), "*", SearchOption.AllDirectories) : []);
        Assert.Empty(Directory.Exists(Intermediate(project)) ? Directory.GetDirectories(Intermediate(project), ".uvlambda-wheel*") : []);
        Assert.False(HasPending(State(project)));
    }
    private string PythonFromZip(string zip, string code)
    {
        var target = NewFolder("unzipped");
        var script = "import sys, zipfile\nzipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])\nsys.path.insert(0, sys.argv[2])\n" + code + "\n";
        return sdk.Run("python3", target, "-S", "-c", script, zip, target).EnsureSuccess().StandardOutput.Trim();
    }
}
