namespace UvLambda.EndToEnd.Tests;

/// <summary>`dotnet new uvlambda` from the freshly packed UvLambda.Templates, then `dotnet build` of what it made.</summary>
[Collection(PackedSdkCollection.Name)]
public class TemplateTests(PackedSdk sdk)
{
    [Fact]
    public void Dotnet_new_uvlambda_creates_a_project_that_builds_and_runs()
    {
        var templates = Path.Combine(PackedSdk.RepoRoot, "artifacts", "packages", $"UvLambda.Templates.{PackedSdk.Version}.nupkg");
        var home = Path.Combine(sdk.Root, "cli-home-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(home);
        var env = new Dictionary<string, string?> { ["DOTNET_CLI_HOME"] = home };
        sdk.Dotnet(env, sdk.Root, "new", "install", templates).EnsureSuccess();
        var output = Path.Combine(sdk.Root, "MyFunc-" + Guid.NewGuid().ToString("N")[..8]);
        sdk.Dotnet(env, sdk.Root, "new", "uvlambda", "-n", "MyFunc", "-o", output).EnsureSuccess();

        foreach (var file in new[] { "MyFunc.pyproj", "pyproject.toml", "app/main.py", "app/__init__.py", "events/get.json", ".gitignore" })
            Assert.True(File.Exists(Path.Combine(output, file)), file);
        Assert.Contains($"Sdk=\"UvLambda.Sdk/{PackedSdk.Version}\"", File.ReadAllText(Path.Combine(output, "MyFunc.pyproj")));
        Assert.Contains("name = \"myfunc\"", File.ReadAllText(Path.Combine(output, "pyproject.toml")));

        // No dependencies: builds without a uv.lock.
        sdk.Dotnet(output, "build").EnsureSuccess();
        var result = PackageInspection.InvokeHandler(sdk, Path.Combine(output, "bin", "Debug", "package.zip"), "app.main.handler", Path.Combine(output, "events", "get.json"));
        Assert.Contains("\"statusCode\": 200", result);
        Assert.Contains("Hello from myfunc!", result);
    }

    [Fact]
    public void The_template_defaults_to_the_sdk_version_this_repository_builds()
    {
        var json = File.ReadAllText(Path.Combine(PackedSdk.RepoRoot, "templates", "UvLambda.Templates", "content", "uvlambda", ".template.config", "template.json"));
        Assert.Contains($"\"defaultValue\": \"{PackedSdk.Version}\"", json);
    }
}

/// <summary>Several functions and a C# project in one solution, built in parallel.</summary>
[Collection(PackedSdkCollection.Name)]
public class SolutionTests(PackedSdk sdk)
{
    [Fact]
    public void A_solution_of_functions_and_csharp_projects_builds_in_parallel()
    {
        var folder = Path.Combine(sdk.Root, "many-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        var name = Path.GetFileName(folder);
        var hello = sdk.CopySample("hello", Path.Combine(name, "hello"));
        var workspace = sdk.CopySample("workspace", Path.Combine(name, "workspace"));
        sdk.Dotnet(folder, "new", "classlib", "-n", "Shared", "-o", "Shared", "--no-restore").EnsureSuccess();
        // The class library restores from NuGet: give the workspace's isolated feed access to the framework packs only.
        sdk.Dotnet(folder, "new", "sln", "-n", "Functions", "--format", "sln").EnsureSuccess();
        sdk.Dotnet(folder, "sln", "Functions.sln", "add", "hello/hello.pyproj", "workspace/workspace.pyproj", "Shared/Shared.csproj").EnsureSuccess();
        sdk.Dotnet(folder, "build", "Functions.sln", "-m", $"-p:UvLambdaCacheDir={Path.Combine(folder, "cache")}").EnsureSuccess();
        Assert.True(File.Exists(Path.Combine(hello, "bin", "Debug", "package.zip")));
        Assert.True(File.Exists(Path.Combine(folder, "Shared", "bin", "Debug", "net10.0", "Shared.dll")));
        var result = PackageInspection.InvokeHandler(sdk, Path.Combine(workspace, "bin", "Debug", "package.zip"), "app.main.handler", Path.Combine(workspace, "events", "get.json"));
        Assert.Contains("Hello from library!", result);
    }
}
