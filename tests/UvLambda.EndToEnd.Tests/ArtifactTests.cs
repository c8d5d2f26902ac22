namespace UvLambda.EndToEnd.Tests;

/// <summary>The package types, trimming, size budget and bytecode through `dotnet build`, checked with unzip, zipinfo and python3.</summary>
[Collection(PackedSdkCollection.Name)]
public class ArtifactTests(PackedSdk sdk)
{
    private static string Bin(string project, string file) => Path.Combine(project, "bin", "Debug", file);

    [Theory]
    [InlineData("App")]
    [InlineData("Layer")]
    public void Layer_splits_dependencies_under_python_from_the_app_and_the_handler_imports_from_both(string workspaceIn)
    {
        var project = sdk.CopySample("workspace");
        var build = sdk.Dotnet(project, "build", "-p:LambdaPackageType=Layer", $"-p:LambdaWorkspaceIn={workspaceIn}").EnsureSuccess();
        Assert.False(File.Exists(Bin(project, "package.zip")));
        var layer = Bin(project, "layer.zip");
        var app = Bin(project, "app.zip");
        PackageInspection.TestWithUnzip(sdk, app);
        var appEntries = PackageInspection.Entries(sdk, app);
        if (workspaceIn == "Layer")
        {
            PackageInspection.TestWithUnzip(sdk, layer);
            var layerNames = PackageInspection.Entries(sdk, layer).Select(e => e.Name).ToList();
            Assert.Contains("python/library/__init__.py", layerNames);
            Assert.Contains("python/library-0.1.0.dist-info/METADATA", layerNames);
            Assert.Equal(["app/", "app/__init__.py", "app/main.py"], appEntries.Select(e => e.Name));
        }
        else
        {
            // The only dependency is the workspace member, which goes with the app: an empty layer is not written.
            Assert.False(File.Exists(layer));
            Assert.Single(build.Output.Split('\n'), l => l.Contains("layer.zip: no third-party packages to ship in a layer", StringComparison.Ordinal));
            Assert.Contains("library/__init__.py", appEntries.Select(e => e.Name));
        }
        var modes = ArtifactInspection.ZipInfoModes(sdk, app);
        Assert.Equal("drwxr-xr-x", modes["app/"]);
        Assert.Equal("-rw-r--r--", modes["app/main.py"]);
        var zips = workspaceIn == "Layer" ? new[] { (app, ""), (layer, "python") } : [(app, "")];
        var result = ArtifactInspection.InvokeHandler(sdk, "python3", "app.main.handler", Path.Combine(project, "events", "get.json"), zips);
        Assert.Contains("statusCode", result);
    }

    [Fact]
    public void Layer_zips_are_byte_identical_across_clean_builds_and_an_app_change_leaves_the_layer_alone()
    {
        var project = sdk.CopySample("workspace");
        sdk.Dotnet(project, "build", "-p:LambdaPackageType=Layer", "-p:LambdaWorkspaceIn=Layer").EnsureSuccess();
        var layer = File.ReadAllBytes(Bin(project, "layer.zip"));
        var app = File.ReadAllBytes(Bin(project, "app.zip"));
        var layerTime = File.GetLastWriteTimeUtc(Bin(project, "layer.zip"));

        File.AppendAllText(Path.Combine(project, "app", "main.py"), "\nCHANGED = True\n");
        sdk.Dotnet(project, "build", "-p:LambdaPackageType=Layer", "-p:LambdaWorkspaceIn=Layer").EnsureSuccess();
        Assert.Equal(layer, File.ReadAllBytes(Bin(project, "layer.zip")));
        Assert.Equal(layerTime, File.GetLastWriteTimeUtc(Bin(project, "layer.zip")));
        var changedApp = File.ReadAllBytes(Bin(project, "app.zip"));
        Assert.NotEqual(app, changedApp);

        // The incrementally rebuilt app.zip is what a clean build writes.
        sdk.Dotnet(project, "build", "-t:Rebuild", "-p:LambdaPackageType=Layer", "-p:LambdaWorkspaceIn=Layer").EnsureSuccess();
        Assert.Equal(changedApp, File.ReadAllBytes(Bin(project, "app.zip")));
        Assert.Equal(layer, File.ReadAllBytes(Bin(project, "layer.zip")));
    }

    [Fact]
    public void An_app_change_reuses_the_other_entries_and_the_zip_equals_a_clean_build()
    {
        var project = sdk.CopySample("workspace");
        sdk.Dotnet(project, "build").EnsureSuccess();
        File.AppendAllText(Path.Combine(project, "app", "main.py"), "\nCHANGED = 1\n");
        var r = sdk.Dotnet(project, "build").EnsureSuccess();
        Assert.Contains("reused", r.Output);
        var incremental = File.ReadAllBytes(Bin(project, "package.zip"));
        sdk.Dotnet(project, "build", "-t:Rebuild").EnsureSuccess();
        Assert.Equal(incremental, File.ReadAllBytes(Bin(project, "package.zip")));
    }

    [Fact]
    public void LambdaExclude_trims_the_zip_and_the_size_report_lists_packages()
    {
        var project = sdk.CopySample("workspace");
        File.WriteAllText(Path.Combine(project, "library", "src", "library", "data.txt"), "big data\n");
        File.WriteAllText(Path.Combine(project, "library", "src", "library", "keep.py"), "K = 1\n");
        var pyproj = Path.Combine(project, "workspace.pyproj");
        File.WriteAllText(pyproj, File.ReadAllText(pyproj).Replace("</Project>", """
              <ItemGroup>
                <LambdaExclude Include="$([MSBuild]::Escape('**/*.txt'))" />
                <LambdaExclude Include="py.typed" />
              </ItemGroup>
            </Project>
            """));
        var r = sdk.Dotnet(project, "build", "-p:LambdaSizeReport=true").EnsureSuccess();
        var names = PackageInspection.Entries(sdk, Bin(project, "package.zip")).Select(e => e.Name).ToList();
        Assert.Contains("library/keep.py", names);
        Assert.DoesNotContain("library/data.txt", names);
        Assert.DoesNotContain("library/py.typed", names);
        Assert.Contains("library-0.1.0.dist-info/METADATA", names);
        var report = File.ReadAllText(Path.Combine(project, "obj", "Debug", "uvlambda", "size-report.txt"));
        Assert.Contains("library", report);
        Assert.Contains("(app)", report);
        Assert.Contains("total unzipped", r.Output);
    }

    [Fact]
    public void Over_the_unzipped_limit_with_the_layer_budget_fails_with_UVL3002()
    {
        var project = sdk.CopySample("workspace");
        var r = sdk.Dotnet(project, "build", "-p:LambdaLayerSizeBudget=262144000");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("error UVL3002", r.Output);
        Assert.Contains("Largest packages: ", r.Output);
        Assert.DoesNotContain("   at ", r.Output);
        Assert.False(File.Exists(Bin(project, "package.zip")));
    }

    /// <summary>hello, allowed to run on 3.11 (the only local Python here).</summary>
    private string Hello311()
    {
        var project = sdk.CopySample("hello");
        foreach (var file in new[] { "pyproject.toml", "uv.lock" })
        {
            var path = Path.Combine(project, file);
            File.WriteAllText(path, File.ReadAllText(path).Replace("requires-python = \">=3.13\"", "requires-python = \">=3.11\""));
        }
        return project;
    }

    [Fact]
    public void Bytecode_ships_unchecked_hash_pycs_that_python_3_11_loads_and_the_zip_repeats()
    {
        var project = Hello311();
        sdk.Dotnet(project, "build", "-p:PythonVersion=3.11", "-p:LambdaCompileBytecode=true").EnsureSuccess();
        var zip = Bin(project, "package.zip");
        PackageInspection.TestWithUnzip(sdk, zip);
        var names = PackageInspection.Entries(sdk, zip).Select(e => e.Name).ToList();
        Assert.Contains("app/__pycache__/main.cpython-311.pyc", names);
        Assert.Contains("app/__pycache__/__init__.cpython-311.pyc", names);
        Assert.Equal("-rw-r--r--", ArtifactInspection.ZipInfoModes(sdk, zip)["app/__pycache__/main.cpython-311.pyc"]);

        // Python 3.11 uses the shipped pyc: it is valid for the source without checking it (PEP 552 unchecked hash).
        var check = sdk.Run("python3.11", sdk.Root, "-I", "-c", """
            import importlib.util, sys, zipfile, tempfile
            d = tempfile.mkdtemp()
            zipfile.ZipFile(sys.argv[1]).extractall(d)
            data = open(d + "/app/__pycache__/main.cpython-311.pyc", "rb").read()
            assert data[:4] == importlib.util.MAGIC_NUMBER, "magic"
            assert int.from_bytes(data[4:8], "little") == 1, "flags"
            sys.path.insert(0, d)
            sys.dont_write_bytecode = True
            import app.main
            print(app.main.__cached__, type(app.main.__spec__.loader).__name__)
            print(app.main.handler({}, None))
            """, zip).EnsureSuccess().StandardOutput;
        Assert.Contains("main.cpython-311.pyc", check);
        Assert.Contains("Hello", check);

        var first = File.ReadAllBytes(zip);
        var elsewhere = Hello311();
        sdk.Dotnet(elsewhere, "build", "-p:PythonVersion=3.11", "-p:LambdaCompileBytecode=true").EnsureSuccess();
        Assert.Equal(first, File.ReadAllBytes(Bin(elsewhere, "package.zip")));
    }

    [Fact]
    public void Bytecode_without_a_local_python_of_the_runtime_version_is_UVL3005()
    {
        // python3.14: a Lambda runtime that neither PATH nor pyenv has on this machine.
        var project = sdk.CopySample("hello");
        var r = sdk.Dotnet(project, "build", "-p:PythonVersion=3.14", "-p:LambdaCompileBytecode=true");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("error UVL3005", r.Output);
        Assert.Contains("python3.14", r.Output);
        Assert.DoesNotContain("   at ", r.Output);
    }
}
