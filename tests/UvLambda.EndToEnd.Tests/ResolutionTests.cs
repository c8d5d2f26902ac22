using System.Text.Json;

namespace UvLambda.EndToEnd.Tests;

/// <summary>ResolvePythonPackages through `dotnet msbuild`, on a real project's pyproject.toml + uv.lock from ../shared.</summary>
[Collection(PackedSdkCollection.Name)]
public class ResolutionTests(PackedSdk sdk)
{
    private string RealWorldProject(string fixture, string extraProperties = "")
    {
        var source = Path.Combine(PackedSdk.RepoRoot, "..", "shared", "fixtures", "real-world", fixture);
        var project = Path.Combine(sdk.Root, fixture + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(Path.Combine(project, "app"));
        foreach (var file in new[] { "pyproject.toml", "uv.lock", ".python-version" })
            if (File.Exists(Path.Combine(source, file))) File.Copy(Path.Combine(source, file), Path.Combine(project, file));
        File.WriteAllText(Path.Combine(project, "app", "__init__.py"), "");
        File.WriteAllText(Path.Combine(project, "app", "main.py"), "def handler(event, context):\n    return {}\n");
        File.WriteAllText(Path.Combine(project, "function.pyproj"),
            $"<Project Sdk=\"UvLambda.Sdk/{PackedSdk.Version}\"><PropertyGroup>{extraProperties}</PropertyGroup></Project>");
        return project;
    }

    private static Dictionary<string, JsonElement> PythonPackages(ProcessResult result)
    {
        using var doc = JsonDocument.Parse(result.StandardOutput);
        return doc.RootElement.GetProperty("Items").GetProperty("PythonPackage").EnumerateArray()
            .ToDictionary(i => i.GetProperty("Identity").GetString()!, i => i.Clone());
    }

    [Fact]
    public void GetItem_PythonPackage_shows_exactly_what_will_ship_for_the_uv_lambda_example()
    {
        var project = RealWorldProject("astral-sh__uv-aws-lambda-example");
        var r = sdk.Dotnet(project, "msbuild", "function.pyproj", "-t:ResolvePythonPackages", "-getItem:PythonPackage", "-getProperty:PythonVersion").EnsureSuccess();
        var packages = PythonPackages(r);
        Assert.Equal(["annotated-types", "anyio", "fastapi", "idna", "mangum", "pydantic", "pydantic-core", "sniffio", "starlette", "typing-extensions"],
            packages.Keys.Order(StringComparer.Ordinal));
        var core = packages["pydantic-core"];
        Assert.Equal("pydantic_core-2.27.2-cp313-cp313-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", core.GetProperty("Wheel").GetString());
        Assert.Equal("registry", core.GetProperty("Source").GetString());
        Assert.Equal(64, core.GetProperty("Sha256").GetString()!.Length);
        Assert.StartsWith("https://files.pythonhosted.org/", core.GetProperty("Url").GetString());
        Assert.Contains("\"PythonVersion\": \"3.13\"", r.StandardOutput);
    }

    [Fact]
    public void Arm64_resolves_the_aarch64_wheels()
    {
        var project = RealWorldProject("astral-sh__uv-aws-lambda-example", "<LambdaArchitecture>arm64</LambdaArchitecture>");
        var packages = PythonPackages(sdk.Dotnet(project, "msbuild", "function.pyproj", "-t:ResolvePythonPackages", "-getItem:PythonPackage").EnsureSuccess());
        Assert.Contains("aarch64", packages["pydantic-core"].GetProperty("Wheel").GetString());
    }

    [Fact]
    public void A_wheel_that_does_not_fit_fails_the_build_with_UVL2001_naming_the_packages()
    {
        // DemocracyClub's lock is for CPython 3.12 only: at 3.13, pillow and psycopg2-binary have no wheel.
        var project = RealWorldProject("DemocracyClub__Website", "<PythonVersion>3.13</PythonVersion>");
        var r = sdk.Dotnet(project, "build");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("error UVL1308", r.Output); // requires-python ==3.12.* excludes 3.13: caught before wheels
        Assert.DoesNotContain("   at ", r.Output);
    }

    [Fact]
    public void Malformed_pyproject_reports_file_line_and_column()
    {
        var project = RealWorldProject("astral-sh__uv-aws-lambda-example");
        File.WriteAllText(Path.Combine(project, "pyproject.toml"), "[project]\nname = \"x\"\nversion = 1.0.0\n");
        var r = sdk.Dotnet(project, "build");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Matches(@"pyproject\.toml\(3,\d+\): error UVL1101: ", r.Output);
    }

    /// <summary>samples/hello with a first dependency added to pyproject.toml and uv.lock left as it was.</summary>
    private string HelloWithUnlockedRequests()
    {
        var project = sdk.CopySample("hello");
        var pyproject = Path.Combine(project, "pyproject.toml");
        var text = File.ReadAllText(pyproject);
        Assert.Contains("dependencies = []", text);
        File.WriteAllText(pyproject, text.Replace("dependencies = []", "dependencies = [\"requests>=2\"]"));
        return project;
    }

    [Fact]
    public void A_first_dependency_added_without_relocking_warns_UVL1307_naming_it()
    {
        // hello's lock has no [package.metadata] for its root: the new dependency must still count as a difference.
        var r = sdk.Dotnet(HelloWithUnlockedRequests(), "build").EnsureSuccess();
        Assert.Matches(@"warning UVL1307: uv\.lock is out of date with pyproject\.toml: dependency 'requests>=2' is in pyproject\.toml but not in uv\.lock\. Run `uv lock`\.", r.Output);
    }

    [Fact]
    public void A_first_dependency_added_without_relocking_fails_with_UvLocked_at_its_line_and_writes_no_zip()
    {
        var project = HelloWithUnlockedRequests();
        var r = sdk.Dotnet(project, "build", "-p:UvLocked=true");
        Assert.NotEqual(0, r.ExitCode);
        Assert.True(System.Text.RegularExpressions.Regex.IsMatch(r.Output, @"pyproject\.toml\(6,17\): error UVL1307: [^\r\n]*'requests>=2'[^\r\n]*Run `uv lock`"), r.Output);
        Assert.DoesNotContain("   at ", r.Output);
        Assert.False(File.Exists(Path.Combine(project, "bin", "Debug", "package.zip")));
    }
}
