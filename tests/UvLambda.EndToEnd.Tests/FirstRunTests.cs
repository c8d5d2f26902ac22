namespace UvLambda.EndToEnd.Tests;

/// <summary>
/// What `dotnet build` prints for mistakes of a first hour with UvLambda, where the MSBuild line itself (file, line,
/// severity) was wrong or missing: checked on the real console output, as a CI log shows it.
/// </summary>
[Collection(PackedSdkCollection.Name)]
public class FirstRunTests(PackedSdk sdk)
{
    private string Project(string mainPy, string lockPackages = "", string dependencies = "", string properties = "")
    {
        var project = Path.Combine(sdk.Root, "first-run-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(Path.Combine(project, "app"));
        File.WriteAllText(Path.Combine(project, "app", "main.py"), mainPy);
        File.WriteAllText(Path.Combine(project, "pyproject.toml"),
            $"[project]\nname = \"orders\"\nversion = \"0.1.0\"\nrequires-python = \">=3.12\"\ndependencies = [{dependencies}]\n");
        var requiresDist = dependencies.Length == 0 ? "" : $"\n[package.metadata]\nrequires-dist = [{{ name = {dependencies} }}]\n";
        var deps = dependencies.Length == 0 ? "" : $"dependencies = [{{ name = {dependencies} }}]\n";
        File.WriteAllText(Path.Combine(project, "uv.lock"),
            "version = 1\nrevision = 3\nrequires-python = \">=3.12\"\n\n"
            + $"[[package]]\nname = \"orders\"\nversion = \"0.1.0\"\nsource = {{ virtual = \".\" }}\n{deps}{requiresDist}\n{lockPackages}");
        File.WriteAllText(Path.Combine(project, "orders.pyproj"),
            $"<Project Sdk=\"UvLambda.Sdk/{PackedSdk.Version}\"><PropertyGroup><PythonVersion>3.12</PythonVersion>{properties}</PropertyGroup></Project>");
        return project;
    }

    [Fact]
    public void An_sdist_only_package_without_uv_is_an_error_at_its_line_in_uv_lock_not_at_its_index_url()
    {
        const string six = "[[package]]\nname = \"six\"\nversion = \"1.17.0\"\nsource = { registry = \"https://pypi.org/simple\" }\n"
            + "sdist = { url = \"https://files.pythonhosted.org/packages/six-1.17.0.tar.gz\", hash = \"sha256:ff70335d468e7eb6ec65b95b99d3a2836546063f63acc5171de367e834932a81\", size = 34031 }\n";
        var project = Project("def handler(event, context):\n    return 1\n", six, "\"six\"");
        var uvPath = Path.Combine(project, "no-such-tools", "uv");
        var r = sdk.Dotnet(project, "build", $"-p:UvPath={uvPath}", $"-p:UvLambdaCacheDir={Path.Combine(project, "cache")}");
        Assert.NotEqual(0, r.ExitCode);
        var sixLine = File.ReadAllLines(Path.Combine(project, "uv.lock")).ToList().IndexOf("name = \"six\""); // the [[package]] header is the line before
        Assert.True(sixLine > 0);
        Assert.Contains($"uv.lock({sixLine}): error UVL2402: 'six' 1.17.0 must be built", r.Output);
        Assert.Contains($"UvPath is '{uvPath}', where there is no file", r.Output);
        Assert.DoesNotContain("https://pypi.org/simple : error", r.Output);
    }

    [Fact]
    public void A_handler_function_its_module_never_defines_builds_with_warning_UVL1011_at_the_module()
    {
        var project = Project("import json\n\ndef handler(event, context):\n    return json.dumps(event)\n",
            properties: "<LambdaHandler>app.main.handle</LambdaHandler>");
        var r = sdk.Dotnet(project, "build").EnsureSuccess();
        Assert.Contains($"{Path.Combine(project, "app", "main.py")} : warning UVL1011: LambdaHandler 'app.main.handle' names function 'handle'", r.Output);
        Assert.Contains("Did you mean 'app.main.handler'?", r.Output);
        Assert.True(File.Exists(Path.Combine(project, "bin", "Debug", "package.zip")));
    }
}
