using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using UvLambda.Core.Tests;
using UvLambda.Core.Tests.Aws;
using UvLambda.Core.Tests.Containers;
using UvLambda.Core.Tests.Install;

namespace UvLambda.EndToEnd.Tests;

/// <summary>
/// The other shapes functions take, through the packed SDK: data files (samples/sqlite), local wheel files and
/// LambdaLayerSplit=Local, script handlers (Lambda Web Adapter), external layers on deploy (moto), and images on
/// non-Lambda Python bases with awslambdaric (local registry, checked with skopeo and umoci).
/// </summary>
[Collection(PackedSdkCollection.Name)]
public sealed class ShapeTests(PackedSdk sdk) : IDisposable
{
    private MotoServer? _moto;
    private LocalRegistry? _registry;

    public void Dispose()
    {
        _moto?.Dispose();
        _registry?.Dispose();
    }

    private string NewFolder(string name)
    {
        var path = Path.Combine(sdk.Root, name + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(path);
        return path;
    }

    private static Dictionary<string, (byte[] Content, int Mode)> Unzip(string zip)
    {
        using var archive = ZipFile.OpenRead(zip);
        return archive.Entries.Where(e => !e.FullName.EndsWith('/')).ToDictionary(e => e.FullName, e =>
        {
            using var s = e.Open();
            using var m = new MemoryStream();
            s.CopyTo(m);
            return (m.ToArray(), (e.ExternalAttributes >> 16) & 0xFFF);
        });
    }

    private static string Sha256(string file) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(file))).ToLowerInvariant();

    // ---- data files ----

    [Fact]
    public void The_sqlite_sample_ships_its_database_and_the_handler_reads_a_row_from_it()
    {
        var project = sdk.CopySample("sqlite");
        sdk.Run("python3", project, "make_db.py", "data/app.db").EnsureSuccess();
        Assert.True(File.Exists(Path.Combine(project, "data", "app.db")));

        var invoke = sdk.Dotnet(project, "build", "-t:Invoke", "-p:LambdaEvent=events/get.json").EnsureSuccess();
        Assert.Contains("Bonjour, le monde !", invoke.Output);

        sdk.Dotnet(project, "build").EnsureSuccess();
        var files = Unzip(Path.Combine(project, "bin", "Debug", "package.zip"));
        Assert.Equal(["data/app.db", "lambda_function.py"], files.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(File.ReadAllBytes(Path.Combine(project, "data", "app.db")), files["data/app.db"].Content);

        // From the unzipped package, as Lambda would run it.
        var root = NewFolder("unzipped");
        ZipFile.ExtractToDirectory(Path.Combine(project, "bin", "Debug", "package.zip"), root);
        var result = sdk.Run("python3", root, "-c", "import json, lambda_function; print(json.dumps(lambda_function.lambda_handler({'language': 'de'}, None)))").EnsureSuccess();
        Assert.Equal("""{"statusCode": 200, "body": "Hallo, Welt!"}""", result.StandardOutput.Trim());
    }

    [Fact]
    public void The_sqlite_sample_builds_its_missing_database_before_packaging()
    {
        var project = sdk.CopySample("sqlite");
        Assert.False(File.Exists(Path.Combine(project, "data", "app.db")));
        sdk.Dotnet(project, "build").EnsureSuccess();
        Assert.Contains("data/app.db", Unzip(Path.Combine(project, "bin", "Debug", "package.zip")).Keys);
    }

    // ---- local wheel files and LambdaLayerSplit=Local ----

    /// <summary>
    /// A function depending on a third-party wheel (locked from a registry, served from a find-links folder) and an
    /// in-house wheel file in wheels/ (a uv path source, locked as uv writes it: filename and hash, no URL).
    /// </summary>
    private (string Project, string FindLinks) LocalWheelProject(string properties, Action<string>? editWheel = null)
    {
        var project = NewFolder("localwheels");
        var findLinks = NewFolder("findlinks");
        var third = new TestWheel("thirdparty", "2.0").Add("thirdparty/__init__.py", "NAME = 'thirdparty'\n").Build(findLinks);
        Directory.CreateDirectory(Path.Combine(project, "wheels"));
        var mine = new TestWheel("mypkg", "1.0").Add("mypkg/__init__.py", "NAME = 'mypkg'\n").Build(Path.Combine(project, "wheels"));
        var lockedHash = Sha256(mine);
        editWheel?.Invoke(mine);
        File.WriteAllText(Path.Combine(project, "function.pyproj"),
            $"<Project Sdk=\"UvLambda.Sdk/{PackedSdk.Version}\"><PropertyGroup><PythonVersion>3.13</PythonVersion>{properties}</PropertyGroup></Project>\n");
        Directory.CreateDirectory(Path.Combine(project, "app"));
        File.WriteAllText(Path.Combine(project, "app", "__init__.py"), "");
        File.WriteAllText(Path.Combine(project, "app", "main.py"), "import mypkg, thirdparty\n\ndef handler(event, context):\n    return [mypkg.NAME, thirdparty.NAME]\n");
        File.WriteAllText(Path.Combine(project, "pyproject.toml"), """
            [project]
            name = "function"
            version = "0.1.0"
            requires-python = ">=3.11"
            dependencies = ["mypkg", "thirdparty==2.0"]

            [tool.uv.sources]
            mypkg = { path = "wheels/mypkg-1.0-py3-none-any.whl" }
            """);
        var t = Sha256(third);
        File.WriteAllText(Path.Combine(project, "uv.lock"), new UvLockBuilder(">=3.11")
            .Root("function", configure: p => p.DependsOn("mypkg").DependsOn("thirdparty")
                .Requires("mypkg", path: "wheels/mypkg-1.0-py3-none-any.whl").Requires("thirdparty", specifier: "==2.0"))
            .Package("mypkg", "1.0", p => p.Path("wheels/mypkg-1.0-py3-none-any.whl").WheelFile("mypkg-1.0-py3-none-any.whl", $"sha256:{lockedHash}"))
            .Package("thirdparty", "2.0", p => p.PyPiWheel("thirdparty-2.0-py3-none-any.whl", t, new FileInfo(third).Length))
            .ToToml());
        return (project, findLinks);
    }

    [Fact]
    public void A_local_wheel_file_installs_with_its_lock_hash_and_LambdaLayerSplit_Local_puts_it_in_its_own_layer()
    {
        var (project, findLinks) = LocalWheelProject("<LambdaPackageType>Layer</LambdaPackageType><LambdaLayerSplit>Local</LambdaLayerSplit>");
        var cache = NewFolder("cache");
        sdk.Dotnet(project, "build", $"-p:PythonFindLinks={findLinks}", $"-p:UvLambdaCacheDir={cache}").EnsureSuccess();
        var bin = Path.Combine(project, "bin", "Debug");
        var layer = Unzip(Path.Combine(bin, "layer.zip"));
        var local = Unzip(Path.Combine(bin, "layer-local.zip"));
        var app = Unzip(Path.Combine(bin, "app.zip"));
        Assert.Contains("python/thirdparty/__init__.py", layer.Keys);
        Assert.DoesNotContain(layer.Keys, k => k.StartsWith("python/mypkg", StringComparison.Ordinal));
        Assert.Contains("python/mypkg/__init__.py", local.Keys);
        Assert.Contains("python/mypkg-1.0.dist-info/RECORD", local.Keys);
        Assert.DoesNotContain(local.Keys, k => k.StartsWith("python/thirdparty", StringComparison.Ordinal));
        Assert.Equal(["app/__init__.py", "app/main.py"], app.Keys.Order(StringComparer.Ordinal));
        Assert.DoesNotContain(app.Keys, k => k.EndsWith(".whl", StringComparison.Ordinal));

        // Without the split, everything third-party and in-house is one layer; Zip puts both in package.zip.
        sdk.Dotnet(project, "build", "-p:LambdaLayerSplit=None", $"-p:PythonFindLinks={findLinks}", $"-p:UvLambdaCacheDir={cache}").EnsureSuccess();
        Assert.Contains("python/mypkg/__init__.py", Unzip(Path.Combine(bin, "layer.zip")).Keys);
        sdk.Dotnet(project, "build", "-p:LambdaPackageType=Zip", "-p:LambdaLayerSplit=None", $"-p:PythonFindLinks={findLinks}", $"-p:UvLambdaCacheDir={cache}").EnsureSuccess();
        var package = Unzip(Path.Combine(bin, "package.zip"));
        Assert.Contains("mypkg/__init__.py", package.Keys);
        Assert.Contains("thirdparty/__init__.py", package.Keys);
    }

    [Fact]
    public void A_local_wheel_file_that_changed_since_uv_lock_fails_with_UVL2101()
    {
        var (project, findLinks) = LocalWheelProject("", wheel =>
            new TestWheel("mypkg", "1.0").Add("mypkg/__init__.py", "NAME = 'rebuilt'\n").Build(Path.GetDirectoryName(wheel)!));
        var r = sdk.Dotnet(project, "build", $"-p:PythonFindLinks={findLinks}", $"-p:UvLambdaCacheDir={NewFolder("cache")}");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("UVL2101", r.Output);
    }

    [Fact]
    public void LambdaLayerSplit_Local_needs_the_Layer_package_type()
    {
        var (project, _) = LocalWheelProject("<LambdaLayerSplit>Local</LambdaLayerSplit>");
        var r = sdk.Dotnet(project, "build");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("UVL3004", r.Output);
    }

    // ---- script handlers (Lambda Web Adapter) ----

    private const string RunSh = "#!/bin/sh\nexec python -m app.server\n";
    private const string Server = """
        import http.server, os

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                body = ("web adapter app on " + self.path).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        http.server.HTTPServer(("127.0.0.1", int(os.environ["PORT"])), Handler).serve_forever()
        """;

    private string WebAdapterProject(bool executable = true, string items = "")
    {
        var project = NewFolder("webapp");
        File.WriteAllText(Path.Combine(project, "webapp.pyproj"), $"""
            <Project Sdk="UvLambda.Sdk/{PackedSdk.Version}">
              <PropertyGroup>
                <PythonVersion>3.13</PythonVersion>
                <LambdaHandler>run.sh</LambdaHandler>
              </PropertyGroup>
              <ItemGroup>
                <LambdaEnvironmentVariable Include="AWS_LAMBDA_EXEC_WRAPPER" Value="/opt/bootstrap" />
                <LambdaEnvironmentVariable Include="PORT" Value="8080" />
                {items}
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(project, "pyproject.toml"), "[project]\nname = \"webapp\"\nversion = \"0.1.0\"\nrequires-python = \">=3.13\"\ndependencies = []\n");
        File.WriteAllText(Path.Combine(project, "uv.lock"), new UvLockBuilder(">=3.13").Root("webapp").ToToml());
        Directory.CreateDirectory(Path.Combine(project, "app"));
        File.WriteAllText(Path.Combine(project, "app", "__init__.py"), "");
        File.WriteAllText(Path.Combine(project, "app", "server.py"), Server);
        var run = Path.Combine(project, "run.sh");
        File.WriteAllText(run, RunSh);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(run, executable ? (UnixFileMode)0b111_101_101 : (UnixFileMode)0b110_100_100);
        return project;
    }

    [Fact]
    public void A_script_handler_ships_executable_by_default_and_a_non_executable_one_is_UVL1020()
    {
        var project = WebAdapterProject();
        sdk.Dotnet(project, "build").EnsureSuccess();
        var files = Unzip(Path.Combine(project, "bin", "Debug", "package.zip"));
        Assert.Equal(["app/__init__.py", "app/server.py", "run.sh"], files.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(0x1ED, files["run.sh"].Mode);
        Assert.Equal(0x1A4, files["app/server.py"].Mode);

        var bad = WebAdapterProject(executable: false);
        var r = sdk.Dotnet(bad, "build");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("UVL1020", r.Output);
        Assert.Contains("chmod +x run.sh", r.Output);
    }

    [Fact]
    public async Task Dotnet_run_starts_a_script_handler_and_proxies_http_to_its_port()
    {
        var project = WebAdapterProject();
        var port = FreePort();
        using var run = sdk.Start(new Dictionary<string, string?>(), "dotnet", project, "run", $"-p:LambdaLocalPort={port}");
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
            string? body = null;
            while (DateTime.UtcNow < deadline && body is null)
            {
                Assert.False(run.Process.HasExited, run.OutputSoFar);
                try
                {
                    var response = await http.GetAsync($"http://127.0.0.1:{port}/hello?x=1");
                    if (response.IsSuccessStatusCode) body = await response.Content.ReadAsStringAsync();
                }
                catch (HttpRequestException) { await Task.Delay(500); }
                catch (TaskCanceledException) { }
            }
            Assert.Equal("web adapter app on /hello?x=1", body);
        }
        finally
        {
            run.Kill();
            run.WaitForExit(TimeSpan.FromSeconds(10));
        }
    }

    [Fact]
    public void Invoke_sends_the_event_to_a_script_handler_as_the_web_adapter_would()
    {
        var project = WebAdapterProject();
        File.Copy(Path.Combine(PackedSdk.RepoRoot, "samples", "hello", "events", "get.json"), Path.Combine(project, "get.json"));
        var r = sdk.Dotnet(project, "build", "-t:Invoke", "-p:LambdaEvent=get.json").EnsureSuccess();
        Assert.Contains("\"statusCode\":200", r.Output);
        Assert.Contains("\"body\":\"web adapter app on /\"", r.Output);
    }

    private static int FreePort()
    {
        var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        var port = ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    // ---- external layers on deploy ----

    private Dictionary<string, string?> AwsEnvironment() => new()
    {
        ["AWS_ENDPOINT_URL"] = (_moto ??= new MotoServer()).Url,
        ["AWS_ACCESS_KEY_ID"] = "testing",
        ["AWS_SECRET_ACCESS_KEY"] = "testing",
        ["AWS_REGION"] = "us-east-1",
        ["AWS_DEFAULT_REGION"] = "us-east-1",
        ["AWS_CONFIG_FILE"] = "/nonexistent/aws-config",
        ["AWS_SHARED_CREDENTIALS_FILE"] = "/nonexistent/aws-credentials",
        ["AWS_EC2_METADATA_DISABLED"] = "true",
    };

    private JsonNode Aws(params string[] args) =>
        JsonNode.Parse(sdk.Run(AwsEnvironment(), "aws", sdk.Root, [.. args, "--output", "json"]).EnsureSuccess().StandardOutput)!;

    [Fact]
    public void A_web_adapter_app_deploys_with_its_script_handler_and_external_layers_after_its_own()
    {
        const string trust = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}""";
        var role = Aws("iam", "create-role", "--role-name", "webapp-role", "--assume-role-policy-document", trust)["Role"]!["Arn"]!.GetValue<string>();
        // The "Lambda Web Adapter" layer, published by someone else: here, into moto first.
        var adapterZip = Path.Combine(NewFolder("adapter"), "adapter.zip");
        using (var zip = ZipFile.Open(adapterZip, ZipArchiveMode.Create))
        {
            using var w = new StreamWriter(zip.CreateEntry("extensions/lambda-adapter").Open());
            w.Write(new string('x', 5000));
        }
        var adapter = Aws("lambda", "publish-layer-version", "--layer-name", "LambdaAdapterLayerX86", "--zip-file", "fileb://" + adapterZip,
            "--compatible-runtimes", "python3.13")["LayerVersionArn"]!.GetValue<string>();
        var other = Aws("lambda", "publish-layer-version", "--layer-name", "otel", "--zip-file", "fileb://" + adapterZip)["LayerVersionArn"]!.GetValue<string>();

        var project = WebAdapterProject(items: $"""
            <LambdaLayer Include="{adapter}" />
                <LambdaLayer Include="{other}" />
            """);
        var publish = sdk.Run(AwsEnvironment(), "dotnet", project, ["publish", "-p:DeployTarget=Lambda", $"-p:LambdaRole={role}",
            "-p:LambdaPackageType=Layer"]).EnsureSuccess();
        Assert.Contains("with 2 external layer(s)", publish.Output);
        var fn = Aws("lambda", "get-function-configuration", "--function-name", "webapp");
        Assert.Equal("run.sh", fn["Handler"]!.GetValue<string>());
        Assert.Equal("/opt/bootstrap", fn["Environment"]!["Variables"]!["AWS_LAMBDA_EXEC_WRAPPER"]!.GetValue<string>());
        Assert.Equal("8080", fn["Environment"]!["Variables"]!["PORT"]!.GetValue<string>());
        // The app has no third-party packages: no dependency layer is written, published or attached.
        Assert.Contains("layer.zip: no third-party packages to ship in a layer", publish.Output);
        var layers = fn["Layers"]!.AsArray().Select(l => l!["Arn"]!.GetValue<string>()).ToList();
        Assert.Equal([adapter, other], layers);
        Assert.Empty(Aws("lambda", "list-layer-versions", "--layer-name", "webapp-dependencies")["LayerVersions"]!.AsArray());

        // Again: nothing changes. Without the second item: the layers become exactly own + adapter.
        var again = sdk.Run(AwsEnvironment(), "dotnet", project, ["publish", "-p:DeployTarget=Lambda", $"-p:LambdaRole={role}", "-p:LambdaPackageType=Layer"]).EnsureSuccess();
        Assert.Contains("configuration unchanged, skipped", again.Output);
        var pyproj = Path.Combine(project, "webapp.pyproj");
        File.WriteAllText(pyproj, File.ReadAllText(pyproj).Replace($"<LambdaLayer Include=\"{other}\" />", ""));
        sdk.Run(AwsEnvironment(), "dotnet", project, ["publish", "-p:DeployTarget=Lambda", $"-p:LambdaRole={role}", "-p:LambdaPackageType=Layer"]).EnsureSuccess();
        fn = Aws("lambda", "get-function-configuration", "--function-name", "webapp");
        Assert.Equal([adapter], fn["Layers"]!.AsArray().Select(l => l!["Arn"]!.GetValue<string>()));

        // A layer that does not exist fails before any write.
        File.WriteAllText(pyproj, File.ReadAllText(pyproj).Replace("</ItemGroup>", "<LambdaLayer Include=\"arn:aws:lambda:us-east-1:123456789012:layer:missing:1\" /></ItemGroup>"));
        var missing = sdk.Run(AwsEnvironment(), "dotnet", project, ["publish", "-p:DeployTarget=Lambda", $"-p:LambdaRole={role}", "-p:LambdaPackageType=Layer"]);
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("UVL4030", missing.Output);
    }

    [Fact]
    public void More_than_five_layers_in_all_is_UVL3020_at_build()
    {
        var items = string.Concat(Enumerable.Range(1, 5).Select(i => $"<LambdaLayer Include=\"arn:aws:lambda:us-east-1:123456789012:layer:l{i}:1\" />"));
        var project = WebAdapterProject(items: items);
        sdk.Dotnet(project, "build").EnsureSuccess(); // Zip: 5 external layers are allowed
        // Layer, but nothing third-party: no layer of its own is written or attached, so 5 still fit.
        sdk.Dotnet(project, "build", "-p:LambdaPackageType=Layer").EnsureSuccess();

        // A layer with content makes 6.
        var workspace = sdk.CopySample("workspace");
        var pyproj = Directory.GetFiles(workspace, "*.pyproj").Single();
        File.WriteAllText(pyproj, File.ReadAllText(pyproj).Replace("</Project>", $"<ItemGroup>{items}</ItemGroup></Project>"));
        var r = sdk.Dotnet(workspace, "build", "-p:LambdaPackageType=Layer", "-p:LambdaWorkspaceIn=Layer");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("error UVL3020", r.Output);
        Assert.Contains("(1 of this project's, 5 LambdaLayer item(s))", r.Output);

        var six = WebAdapterProject(items: items + "<LambdaLayer Include=\"arn:aws:lambda:us-east-1:123456789012:layer:l6:1\" />");
        Assert.Contains("error UVL3020", sdk.Dotnet(six, "build").Output);
        var bad = sdk.Dotnet(WebAdapterProject(items: "<LambdaLayer Include=\"AdapterLayer\" />"), "build");
        Assert.Contains("UVL1021", bad.Output);
    }

    // ---- non-Lambda base images with awslambdaric ----

    [Fact]
    public async Task A_plain_python_base_image_runs_the_function_through_awslambdaric()
    {
        _registry = new LocalRegistry();
        await TestBaseImage.PushSlimPythonAsync(_registry.Host, "python", "3.13-slim");
        var project = sdk.CopySample("hello");
        var findLinks = NewFolder("findlinks");
        var ric = new TestWheel("awslambdaric", "3.0.0").Add("awslambdaric/__init__.py", "").Add("awslambdaric/__main__.py", "print('ric')\n").Build(findLinks);
        var h = Sha256(ric);
        File.WriteAllText(Path.Combine(project, "pyproject.toml"), "[project]\nname = \"hello\"\nversion = \"0.1.0\"\nrequires-python = \">=3.13\"\ndependencies = [\"awslambdaric==3.0.0\"]\n");
        var lockWithRic = new UvLockBuilder(">=3.13")
            .Root("hello", configure: p => p.DependsOn("awslambdaric").Requires("awslambdaric", specifier: "==3.0.0"))
            .Package("awslambdaric", "3.0.0", p => p.PyPiWheel("awslambdaric-3.0.0-py3-none-any.whl", h, new FileInfo(ric).Length))
            .ToToml();
        File.WriteAllText(Path.Combine(project, "uv.lock"), lockWithRic);
        string[] props = ["-p:LambdaPackageType=Image", $"-p:ContainerBaseImage={_registry.Host}/python:3.13-slim", "-p:LambdaRuntimeInterfaceClient=true",
            $"-p:PythonFindLinks={findLinks}", $"-p:UvLambdaCacheDir={NewFolder("cache")}"];
        sdk.Dotnet(project, ["publish", .. props, $"-p:ContainerRegistry={_registry.Host}"]).EnsureSuccess();

        var config = JsonNode.Parse(sdk.Run("skopeo", sdk.Root, "inspect", "--tls-verify=false", "--config", $"docker://{_registry.Host}/hello:latest").EnsureSuccess().StandardOutput)!["config"]!;
        Assert.Equal(["python", "-m", "awslambdaric"], config["Entrypoint"]!.AsArray().Select(n => (string)n!));
        Assert.Equal(["app.main.handler"], config["Cmd"]!.AsArray().Select(n => (string)n!));
        Assert.Equal("/var/task", (string?)config["WorkingDir"]);
        var env = config["Env"]!.AsArray().Select(n => (string)n!).ToList();
        Assert.Contains("LAMBDA_TASK_ROOT=/var/task", env);
        Assert.Contains("PYTHON_VERSION=3.13.1", env);

        var layout = Path.Combine(sdk.Root, "layout-" + Guid.NewGuid().ToString("N")[..8]);
        sdk.Run("skopeo", sdk.Root, "copy", "--src-tls-verify=false", $"docker://{_registry.Host}/hello:latest", $"oci:{layout}:img").EnsureSuccess();
        var bundle = Path.Combine(sdk.Root, "bundle-" + Guid.NewGuid().ToString("N")[..8]);
        sdk.Run("umoci", sdk.Root, "unpack", "--image", $"{layout}:img", bundle).EnsureSuccess();
        var rootfs = Path.Combine(bundle, "rootfs");
        Assert.True(File.Exists(Path.Combine(rootfs, "usr", "local", "bin", "python")));
        Assert.True(File.Exists(Path.Combine(rootfs, "var", "task", "awslambdaric", "__main__.py")));
        Assert.True(File.Exists(Path.Combine(rootfs, "var", "task", "app", "main.py")));

        // Overrides, through the .NET SDK's target name.
        sdk.Dotnet(project, ["publish", "-t:PublishContainer", .. props, $"-p:ContainerRegistry={_registry.Host}", "-p:ContainerImageTag=custom",
            "-p:ContainerEntrypoint=/usr/local/bin/python%3B-m%3Bawslambdaric", "-p:ContainerWorkingDirectory=/srv", "-p:ContainerUser=1000:1000"]).EnsureSuccess();
        config = JsonNode.Parse(sdk.Run("skopeo", sdk.Root, "inspect", "--tls-verify=false", "--config", $"docker://{_registry.Host}/hello:custom").EnsureSuccess().StandardOutput)!["config"]!;
        Assert.Equal(["/usr/local/bin/python", "-m", "awslambdaric"], config["Entrypoint"]!.AsArray().Select(n => (string)n!));
        Assert.Equal("/srv", (string?)config["WorkingDir"]);
        Assert.Equal("1000:1000", (string?)config["User"]);

        // Without awslambdaric in the lock: a coded error that says to add it.
        File.WriteAllText(Path.Combine(project, "pyproject.toml"), "[project]\nname = \"hello\"\nversion = \"0.1.0\"\nrequires-python = \">=3.13\"\ndependencies = []\n");
        File.WriteAllText(Path.Combine(project, "uv.lock"), new UvLockBuilder(">=3.13").Root("hello").ToToml());
        var missing = sdk.Dotnet(project, ["build", .. props]);
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("UVL3120", missing.Output);
        Assert.Contains("uv add awslambdaric", missing.Output);
    }
}
