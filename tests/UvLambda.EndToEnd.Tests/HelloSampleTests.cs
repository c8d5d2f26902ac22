namespace UvLambda.EndToEnd.Tests;

[Collection(PackedSdkCollection.Name)]
public class HelloSampleTests(PackedSdk sdk)
{
    private static string Zip(string project, string configuration = "Debug") => Path.Combine(project, "bin", configuration, "package.zip");

    [Fact]
    public void Dotnet_build_in_the_folder_finds_the_pyproj_and_the_handler_runs_from_the_zip()
    {
        var project = sdk.CopySample("hello");
        sdk.Dotnet(project, "build", "-c", "Release").EnsureSuccess();
        var zip = Zip(project, "Release");
        var result = PackageInspection.InvokeHandler(sdk, zip, "app.main.handler", Path.Combine(project, "events", "get.json"));
        Assert.Equal("""{"body": "Hello, world!", "statusCode": 200}""", result);
        PackageInspection.TestWithUnzip(sdk, zip);
    }

    [Fact]
    public void The_zip_is_sorted_has_unix_modes_and_holds_only_the_app()
    {
        var project = sdk.CopySample("hello");
        // Things that must never ship, beside the app.
        foreach (var junk in new[] { ".venv/lib/python3.13/site.py", ".git/config.py", "tests/test_main.py", "app/__pycache__/main.cpython-313.pyc", "app/stale.pyc" })
        {
            var path = Path.Combine(project, junk);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, "");
        }
        File.WriteAllText(Path.Combine(project, ".env"), "SECRET=1");
        sdk.Dotnet(project, "build").EnsureSuccess();
        var entries = PackageInspection.Entries(sdk, Zip(project));
        Assert.Equal(["app/", "app/__init__.py", "app/main.py"], entries.Select(e => e.Name));
        Assert.Equal(["0o40755", "0o100644", "0o100644"], entries.Select(e => e.Mode));
    }

    [Fact]
    public void A_build_with_nothing_changed_rewrites_nothing()
    {
        var project = sdk.CopySample("hello");
        sdk.Dotnet(project, "build").EnsureSuccess();
        var zip = Zip(project);
        var before = File.GetLastWriteTimeUtc(zip);
        var second = sdk.Dotnet(project, "build", "-v:d").EnsureSuccess();
        Assert.Equal(before, File.GetLastWriteTimeUtc(zip));
        Assert.Contains("Skipping target \"CreateLambdaPackage\" because all output files are up-to-date", second.Output);
    }

    [Fact]
    public void The_zip_is_byte_identical_after_clean_rebuild_and_new_mtimes()
    {
        var project = sdk.CopySample("hello");
        sdk.Dotnet(project, "build").EnsureSuccess();
        var first = File.ReadAllBytes(Zip(project));

        sdk.Dotnet(project, "clean").EnsureSuccess();
        Assert.False(File.Exists(Zip(project)));
        foreach (var f in Directory.EnumerateFiles(Path.Combine(project, "app")))
            File.SetLastWriteTimeUtc(f, DateTime.UtcNow.AddMinutes(5));
        sdk.Dotnet(project, "build").EnsureSuccess();
        Assert.Equal(first, File.ReadAllBytes(Zip(project)));

        sdk.Dotnet(project, "build", "-t:Rebuild").EnsureSuccess();
        Assert.Equal(first, File.ReadAllBytes(Zip(project)));

        // Another machine: another folder, other mtimes, same sources.
        var elsewhere = sdk.CopySample("hello");
        sdk.Dotnet(elsewhere, "build").EnsureSuccess();
        Assert.Equal(first, File.ReadAllBytes(Zip(elsewhere)));
    }

    [Fact]
    public void Removing_a_source_file_rebuilds_the_zip_without_it()
    {
        var project = sdk.CopySample("hello");
        var extra = Path.Combine(project, "app", "extra.py");
        File.WriteAllText(extra, "X = 1\n");
        sdk.Dotnet(project, "build").EnsureSuccess();
        Assert.Contains("app/extra.py", PackageInspection.Entries(sdk, Zip(project)).Select(e => e.Name));
        File.Delete(extra);
        sdk.Dotnet(project, "build").EnsureSuccess();
        Assert.DoesNotContain("app/extra.py", PackageInspection.Entries(sdk, Zip(project)).Select(e => e.Name));
    }

    [Fact]
    public void Clean_removes_everything_the_build_wrote()
    {
        var project = sdk.CopySample("hello");
        sdk.Dotnet(project, "build").EnsureSuccess();
        sdk.Dotnet(project, "clean").EnsureSuccess();
        var left = Directory.Exists(Path.Combine(project, "bin")) ? Directory.GetFiles(Path.Combine(project, "bin"), "*", SearchOption.AllDirectories) : [];
        Assert.Empty(left);
        Assert.False(Directory.Exists(Path.Combine(project, "obj", "Debug", "uvlambda")));
    }

    [Fact]
    public void GetProperty_answers_with_the_computed_defaults()
    {
        var project = sdk.CopySample("hello");
        var r = sdk.Dotnet(project, "msbuild", "hello.pyproj", "-getProperty:LambdaHandler", "-getProperty:PythonVersion", "-getProperty:LambdaArchitecture").EnsureSuccess();
        Assert.Contains("\"LambdaHandler\": \"app.main.handler\"", r.StandardOutput);
        Assert.Contains("\"PythonVersion\": \"3.13\"", r.StandardOutput);
        Assert.Contains("\"LambdaArchitecture\": \"x86_64\"", r.StandardOutput);
    }

    [Fact]
    public void A_binary_log_is_written_with_bl()
    {
        var project = sdk.CopySample("hello");
        sdk.Dotnet(project, "build", "-bl:build.binlog").EnsureSuccess();
        Assert.True(new FileInfo(Path.Combine(project, "build.binlog")).Length > 0);
    }

    [Fact]
    public void A_user_error_is_a_coded_msbuild_error_with_no_stack_trace()
    {
        var project = sdk.CopySample("hello");
        var r = sdk.Dotnet(project, "build", "-p:LambdaHandler=app.missing.handler");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Matches(@"hello\.pyproj : error UVL1004: LambdaHandler 'app\.missing\.handler' needs module 'app\.missing'", r.Output);
        Assert.DoesNotContain("   at ", r.Output);
        Assert.False(File.Exists(Zip(project)));
    }

    [Fact]
    public void Dotnet_sln_add_accepts_the_pyproj_and_building_the_solution_builds_it()
    {
        var folder = Path.Combine(sdk.Root, "sln-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        var project = sdk.CopySample("hello", Path.Combine(Path.GetFileName(folder), "hello"));
        foreach (var format in new[] { "sln", "slnx" })
        {
            sdk.Dotnet(folder, "new", "sln", "-n", "Functions" + format, "--format", format).EnsureSuccess();
            sdk.Dotnet(folder, "sln", $"Functions{format}.{format}", "add", Path.Combine("hello", "hello.pyproj")).EnsureSuccess();
            sdk.Dotnet(folder, "build", $"Functions{format}.{format}").EnsureSuccess();
            Assert.True(File.Exists(Zip(project)));
            sdk.Dotnet(folder, "clean", $"Functions{format}.{format}").EnsureSuccess();
            Assert.False(File.Exists(Zip(project)));
        }
    }

    [Fact]
    public void The_sample_names_the_sdk_version_this_repository_builds()
    {
        var projectFile = File.ReadAllText(Path.Combine(PackedSdk.RepoRoot, "samples", "hello", "hello.pyproj"));
        Assert.Contains($"Sdk=\"UvLambda.Sdk/{PackedSdk.Version}\"", projectFile);
    }
}
