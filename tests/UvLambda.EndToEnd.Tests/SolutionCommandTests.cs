using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace UvLambda.EndToEnd.Tests;

/// <summary>
/// The .NET CLI's solution-wide commands on a solution that holds a .pyproj beside .NET projects (a class library, a
/// console app and an xunit project that reference the function to build it first): each must do the .NET projects'
/// work and neither fail on nor warn about the .pyproj (before, `dotnet test` and `dotnet pack` failed with MSB4057, and
/// a ProjectReference to the .pyproj silently skipped building it).
/// </summary>
[Collection(PackedSdkCollection.Name)]
public class SolutionCommandTests(PackedSdk sdk)
{
    /// <summary>One solution for the whole class (the collection runs its tests one at a time); each test sets up
    /// the state it asserts on.</summary>
    private static MixedSolution? _shared;
    private static readonly object SharedLock = new();

    private MixedSolution Solution
    {
        get
        {
            lock (SharedLock)
            {
                if (_shared is null || _shared.Sdk != sdk) _shared = new MixedSolution(sdk);
                return _shared;
            }
        }
    }

    private static void AssertNothingAboutThePyproj(ProcessResult r)
    {
        Assert.DoesNotContain("MSB4057", r.Output);
        Assert.DoesNotMatch(new Regex(@"hello\.pyproj.*: (warning|error)"), r.Output);
    }

    [Fact]
    public void Dotnet_test_runs_the_xunit_tests_and_builds_the_function_they_reference()
    {
        var s = Solution;
        s.DeleteFunctionOutput();
        var r = sdk.Dotnet(s.Root, "test", "all.slnx").EnsureSuccess();
        AssertNothingAboutThePyproj(r);
        // The xunit test checks the library's answer and that the function's package.zip exists (ProjectReference).
        Assert.Matches(new Regex(@"Passed:\s+2\b"), r.Output);
        Assert.Matches(new Regex(@"Failed:\s+0\b"), r.Output);
        Assert.True(File.Exists(s.FunctionZip("Debug")));
    }

    [Fact]
    public void Dotnet_test_in_Microsoft_Testing_Platform_mode_gets_past_the_pyproj_to_test_discovery()
    {
        var s = Solution;
        // global.json's test runner selects MTP for the folder; its solution holds the function and the class library
        // (no MTP test framework restores offline here, and the xunit v2 project is VSTest-only). dotnet test builds
        // each project with _MTPBuild, then looks for MTP test applications: finding none is exit code 1, as for a
        // solution of the class library alone. Before, the build step failed on the .pyproj (MSB4057 for _MTPBuild).
        var r = sdk.Dotnet(s.MtpRoot, "test", "--solution", "all.slnx");
        AssertNothingAboutThePyproj(r);
        Assert.DoesNotContain("Build failed", r.Output);
        Assert.Contains("No test projects were found", r.Output);
        Assert.Equal(1, r.ExitCode);
    }

    [Fact]
    public void Dotnet_pack_packs_the_dotnet_projects_and_writes_nothing_for_the_pyproj()
    {
        var s = Solution;
        var r = sdk.Dotnet(s.Root, "pack", "all.slnx").EnsureSuccess();
        AssertNothingAboutThePyproj(r);
        Assert.True(File.Exists(Path.Combine(s.Root, "library", "bin", "Release", "library.1.0.0.nupkg")), r.Output);
        Assert.True(File.Exists(Path.Combine(s.Root, "app", "bin", "Release", "app.1.0.0.nupkg")), r.Output);
        Assert.Empty(Directory.EnumerateFiles(s.Function, "*.nupkg", SearchOption.AllDirectories));
    }

    [Fact]
    public void A_pyproj_that_sets_itself_a_test_project_fails_dotnet_test_with_UVL1031()
    {
        var s = Solution;
        var r = sdk.Dotnet(s.Function, "test", "hello.pyproj", "-p:IsTestProject=true");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("hello.pyproj : error UVL1031", r.Output);
        Assert.DoesNotContain("MSB4057", r.Output);
    }

    [Fact]
    public void A_solution_whose_Directory_Build_props_makes_every_project_packable_packs_and_warns_UVL1030_for_the_pyproj()
    {
        var s = Solution;
        // Beside the function only, so the solution's other projects keep their own settings.
        var props = Path.Combine(s.Function, "Directory.Build.props");
        Assert.False(File.Exists(props));
        File.WriteAllText(props, "<Project><PropertyGroup><IsPackable>true</IsPackable></PropertyGroup></Project>\n");
        ProcessResult r;
        try { r = sdk.Dotnet(s.Root, "pack", "all.slnx").EnsureSuccess(); }
        finally { File.Delete(props); }
        Assert.Contains("hello.pyproj : warning UVL1030", r.Output);
        Assert.DoesNotContain("MSB4057", r.Output);
        Assert.True(File.Exists(Path.Combine(s.Root, "library", "bin", "Release", "library.1.0.0.nupkg")), r.Output);
        Assert.Empty(Directory.EnumerateFiles(s.Function, "*.nupkg", SearchOption.AllDirectories));
    }

    [Fact]
    public void Dotnet_build_graph_builds_the_function_and_the_projects_that_reference_it()
    {
        var s = Solution;
        s.DeleteFunctionOutput();
        var r = sdk.Dotnet(s.Root, "build", "all.slnx", "-graph").EnsureSuccess();
        AssertNothingAboutThePyproj(r);
        Assert.Contains("0 Warning(s)", r.Output);
        Assert.True(File.Exists(s.FunctionZip("Debug")));
        Assert.True(File.Exists(Path.Combine(s.Root, "app", "bin", "Debug", "net10.0", "app.dll")));
    }

    [Fact]
    public void Dotnet_build_Rebuild_of_the_solution_rebuilds_the_function()
    {
        var s = Solution;
        sdk.Dotnet(s.Function, "build").EnsureSuccess();
        // A zip from the future is up to date for an incremental build; Rebuild cleans it and writes it again.
        var future = new DateTime(2100, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(s.FunctionZip("Debug"), future);
        var r = sdk.Dotnet(s.Root, "build", "all.slnx", "-t:Rebuild").EnsureSuccess();
        AssertNothingAboutThePyproj(r);
        Assert.Contains("0 Warning(s)", r.Output);
        Assert.True(File.GetLastWriteTimeUtc(s.FunctionZip("Debug")) < future, "Rebuild did not write package.zip again");
        Assert.True(File.Exists(Path.Combine(s.Root, "library", "bin", "Debug", "net10.0", "library.dll")));
    }

    [Fact]
    public void Dotnet_build_no_restore_after_a_restore_builds_the_solution()
    {
        var s = Solution;
        sdk.Dotnet(s.Root, "restore", "all.slnx").EnsureSuccess();
        s.DeleteFunctionOutput();
        var r = sdk.Dotnet(s.Root, "build", "all.slnx", "--no-restore").EnsureSuccess();
        AssertNothingAboutThePyproj(r);
        Assert.Contains("0 Warning(s)", r.Output);
        Assert.True(File.Exists(s.FunctionZip("Debug")));
    }

    [Fact]
    public void A_csproj_ProjectReference_builds_publishes_and_cleans_the_function_with_it()
    {
        var s = Solution;
        s.DeleteFunctionOutput();
        var app = Path.Combine(s.Root, "app", "app.csproj");
        var build = sdk.Dotnet(s.Root, "build", app).EnsureSuccess();
        AssertNothingAboutThePyproj(build);
        Assert.True(File.Exists(s.FunctionZip("Debug")), "the referenced function was not built:\n" + build.Output);

        // dotnet publish (Release) builds the reference too, and copies none of its files into the app's publish folder.
        var publish = sdk.Dotnet(s.Root, "publish", app).EnsureSuccess();
        AssertNothingAboutThePyproj(publish);
        Assert.True(File.Exists(s.FunctionZip("Release")));
        var published = Path.Combine(s.Root, "app", "bin", "Release", "net10.0", "publish");
        Assert.True(File.Exists(Path.Combine(published, "app.dll")));
        Assert.Empty(Directory.EnumerateFiles(published, "*.zip"));

        // Clean flows to references, as for any ProjectReference.
        sdk.Dotnet(s.Root, "clean", app).EnsureSuccess();
        Assert.False(File.Exists(s.FunctionZip("Debug")));
    }

    [Fact]
    public void Dotnet_workload_restore_of_the_solution_succeeds()
    {
        var s = Solution;
        var r = sdk.Dotnet(s.Root, "workload", "restore", "all.slnx").EnsureSuccess();
        AssertNothingAboutThePyproj(r);
    }

    [Fact]
    public void Dotnet_package_list_of_a_solution_filter_without_the_pyproj_lists_the_dotnet_projects()
    {
        // The documented way around `dotnet package list` of the whole solution, which NuGet fails for any project
        // that is not a PackageReference project (docs/reference.md).
        var s = Solution;
        var r = sdk.Dotnet(s.Root, "package", "list", "--project", "dotnet.slnf").EnsureSuccess();
        Assert.Contains("Project 'library'", r.Output);
        Assert.Contains("Project 'tests'", r.Output);
        Assert.Contains("xunit", r.Output);
        Assert.DoesNotContain("hello", r.Output);
    }

    /// <summary>
    /// function/ (a copy of samples/hello), library/ (classlib), app/ (console app with a ProjectReference to the
    /// function, ReferenceOutputAssembly=false), tests/ (xunit, referencing the library and the function), all.slnx;
    /// mtp/ holds a solution of the function and the library whose global.json selects Microsoft.Testing.Platform.
    /// </summary>
    private sealed class MixedSolution
    {
        public MixedSolution(PackedSdk sdk)
        {
            Sdk = sdk;
            Function = sdk.CopySample("hello", Path.Combine("mixed-" + Guid.NewGuid().ToString("N")[..8], "function"));
            Root = Path.GetDirectoryName(Function)!;
            MtpRoot = Path.Combine(Root, "mtp");

            // xunit and the test SDK restore from this machine's NuGet packages folder (where this test project's
            // own restore put them), added beside the packed SDK's feed.
            var machinePackages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } p
                ? p : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
            var versions = XDocument.Load(Path.Combine(PackedSdk.RepoRoot, "Directory.Packages.props")).Descendants("PackageVersion")
                .ToDictionary(e => (string)e.Attribute("Include")!, e => (string)e.Attribute("Version")!);
            foreach (var id in new[] { "xunit", "xunit.runner.visualstudio", "Microsoft.NET.Test.Sdk" })
                Assert.True(Directory.Exists(Path.Combine(machinePackages, id.ToLowerInvariant(), versions[id])),
                    $"{id} {versions[id]} is not in {machinePackages}");
            Write("NuGet.config", $"""
                <configuration>
                  <packageSources><add key="machine" value="{machinePackages}" /></packageSources>
                </configuration>
                """);

            Write("library/library.csproj", """
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup><TargetFramework>net10.0</TargetFramework></PropertyGroup>
                </Project>
                """);
            Write("library/Answer.cs", "namespace Library; public static class Answer { public static int Value => 42; }\n");
            Write("app/app.csproj", """
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup><TargetFramework>net10.0</TargetFramework><OutputType>Exe</OutputType></PropertyGroup>
                  <ItemGroup><ProjectReference Include="../function/hello.pyproj" ReferenceOutputAssembly="false" /></ItemGroup>
                </Project>
                """);
            Write("app/Program.cs", "System.Console.WriteLine(\"app\");\n");
            Write("tests/tests.csproj", $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup><TargetFramework>net10.0</TargetFramework><IsPackable>false</IsPackable></PropertyGroup>
                  <ItemGroup>
                    <PackageReference Include="Microsoft.NET.Test.Sdk" Version="{versions["Microsoft.NET.Test.Sdk"]}" />
                    <PackageReference Include="xunit" Version="{versions["xunit"]}" />
                    <PackageReference Include="xunit.runner.visualstudio" Version="{versions["xunit.runner.visualstudio"]}" />
                    <ProjectReference Include="../library/library.csproj" />
                    <ProjectReference Include="../function/hello.pyproj" ReferenceOutputAssembly="false" />
                  </ItemGroup>
                </Project>
                """);
            Write("tests/AnswerTests.cs", """
                using Xunit;
                public class AnswerTests
                {
                    [Fact] public void The_library_answers_42() => Assert.Equal(42, Library.Answer.Value);
                    // bin/Debug/net10.0/ -> the solution folder.
                    [Fact] public void The_referenced_function_was_built_first() =>
                        Assert.True(System.IO.File.Exists(System.IO.Path.Combine(System.AppContext.BaseDirectory, "..", "..", "..", "..", "function", "bin", "Debug", "package.zip")));
                }
                """);
            Write("all.slnx", """
                <Solution>
                  <Project Path="function/hello.pyproj" Type="13b669be-bb05-4ddf-9536-439f39a36129" />
                  <Project Path="library/library.csproj" />
                  <Project Path="app/app.csproj" />
                  <Project Path="tests/tests.csproj" />
                </Solution>
                """);
            Write("dotnet.slnf", """
                { "solution": { "path": "all.slnx", "projects": [ "library/library.csproj", "app/app.csproj", "tests/tests.csproj" ] } }
                """);
            Write("mtp/global.json", """{ "test": { "runner": "Microsoft.Testing.Platform" } }""");
            Write("mtp/all.slnx", """
                <Solution>
                  <Project Path="../function/hello.pyproj" Type="13b669be-bb05-4ddf-9536-439f39a36129" />
                  <Project Path="../library/library.csproj" />
                </Solution>
                """);
        }

        public PackedSdk Sdk { get; }
        public string Root { get; }
        public string Function { get; }
        public string MtpRoot { get; }

        public string FunctionZip(string configuration) => Path.Combine(Function, "bin", configuration, "package.zip");

        public void DeleteFunctionOutput()
        {
            foreach (var dir in new[] { "bin", "obj" })
                if (Directory.Exists(Path.Combine(Function, dir))) Directory.Delete(Path.Combine(Function, dir), recursive: true);
        }

        private void Write(string relative, string content)
        {
            var path = Path.Combine(Root, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, content);
        }
    }
}
