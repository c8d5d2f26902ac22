using System.Runtime.InteropServices;
using Microsoft.Build.Evaluation;
using UvLambda.Core.Tests;

namespace UvLambda.Sdk.Tests;

/// <summary>
/// Which tasks folder Sdk.props takes: the package's ReadyToRun folder for this OS and process architecture when
/// MSBuild runs on .NET, else tools/net8.0/. Evaluated against a copy of Sdk/ laid out as in the package, with
/// stand-in task files (evaluation never loads them).
/// </summary>
public class TasksAssemblyTests
{
    /// <summary>The RID Sdk.props should compute for the MSBuild running these tests (it runs in this process).</summary>
    private static string HostRid
    {
        get
        {
            var os = OperatingSystem.IsLinux() ? "linux" : OperatingSystem.IsMacOS() ? "osx" : OperatingSystem.IsWindows() ? "win" : "";
            Assert.NotEqual("", os);
            return $"{os}-{RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant()}";
        }
    }

    private sealed class PackedLayout : IDisposable
    {
        private readonly TempDirectory _dir = new();

        public PackedLayout(params string[] readyToRunRids)
        {
            foreach (var file in Directory.EnumerateFiles(SdkProject.SdkDirectory))
                _dir.WriteFile(Path.Combine("pkg", "Sdk", Path.GetFileName(file)), File.ReadAllText(file));
            _dir.WriteFile("pkg/tools/net8.0/UvLambda.Build.Tasks.dll", "");
            _dir.WriteFile("pkg/tools/net8.0/UvLambda.LocalServer.dll", "");
            foreach (var rid in readyToRunRids) _dir.WriteFile($"pkg/tools/net8.0-r2r/{rid}/UvLambda.Build.Tasks.dll", "");
            _dir.WriteFile("fn/app/main.py", "def handler(event, context):\n    return {}\n");
        }

        public string Tools(params string[] parts) => Path.Combine([_dir.Combine("pkg", "tools"), .. parts]);

        public Project Evaluate(string body = "", Dictionary<string, string>? properties = null)
        {
            var sdk = _dir.Combine("pkg", "Sdk");
            var project = _dir.WriteFile("fn/func.pyproj", $"""
                <Project>
                  <Import Project="{sdk}/Sdk.props" />
                  {body}
                  <Import Project="{sdk}/Sdk.targets" />
                </Project>
                """);
            using var collection = new ProjectCollection(properties ?? []);
            return collection.LoadProject(project);
        }

        public void Dispose() => _dir.Dispose();
    }

    [Fact]
    public void On_dotnet_msbuild_the_tasks_come_from_the_ready_to_run_folder_of_this_os_and_architecture()
    {
        using var layout = new PackedLayout(HostRid, "some-other-rid");
        var project = layout.Evaluate();
        Assert.Equal("Core", project.GetPropertyValue("MSBuildRuntimeType"));
        Assert.Equal(HostRid, project.GetPropertyValue("_UvLambdaHostRid"));
        Assert.Equal(layout.Tools("net8.0-r2r", HostRid, "UvLambda.Build.Tasks.dll"), project.GetPropertyValue("UvLambdaTasksAssembly"));
    }

    [Theory]
    [InlineData("linux-x64")]
    [InlineData("linux-arm64")]
    [InlineData("osx-arm64")]
    [InlineData("win-x64")]
    public void Each_packed_platform_takes_its_own_folder(string rid)
    {
        // The package's folders (UvLambdaReadyToRunRuntimeIdentifiers) are all present; the host RID picks one.
        using var layout = new PackedLayout("linux-x64", "linux-arm64", "osx-arm64", "win-x64");
        var project = layout.Evaluate(properties: new() { ["_UvLambdaHostRid"] = rid });
        Assert.Equal(layout.Tools("net8.0-r2r", rid, "UvLambda.Build.Tasks.dll"), project.GetPropertyValue("UvLambdaTasksAssembly"));
    }

    [Fact]
    public void MSBuild_on_net_framework_takes_the_il_folder()
    {
        using var layout = new PackedLayout(HostRid);
        var project = layout.Evaluate(properties: new() { ["_UvLambdaMSBuildRuntimeType"] = "Full" });
        Assert.Equal(layout.Tools("net8.0", "UvLambda.Build.Tasks.dll"), project.GetPropertyValue("UvLambdaTasksAssembly"));
    }

    [Fact]
    public void Without_a_ready_to_run_folder_for_this_platform_the_il_folder_is_taken()
    {
        using var layout = new PackedLayout("some-other-rid");
        var project = layout.Evaluate();
        Assert.Equal(HostRid, project.GetPropertyValue("_UvLambdaHostRid"));
        Assert.Equal(layout.Tools("net8.0", "UvLambda.Build.Tasks.dll"), project.GetPropertyValue("UvLambdaTasksAssembly"));
    }

    [Fact]
    public void A_tasks_assembly_set_by_the_user_wins()
    {
        using var layout = new PackedLayout(HostRid);
        Assert.Equal("/custom/global/UvLambda.Build.Tasks.dll", layout.Evaluate(properties: new() { ["UvLambdaTasksAssembly"] = "/custom/global/UvLambda.Build.Tasks.dll" })
            .GetPropertyValue("UvLambdaTasksAssembly"));
        var project = layout.Evaluate("<PropertyGroup><UvLambdaTasksAssembly>/custom/body/UvLambda.Build.Tasks.dll</UvLambdaTasksAssembly></PropertyGroup>");
        Assert.Equal("/custom/body/UvLambda.Build.Tasks.dll", project.GetPropertyValue("UvLambdaTasksAssembly"));
    }

    [Fact]
    public void The_local_server_runs_from_the_il_folder_whichever_tasks_folder_is_taken()
    {
        using var layout = new PackedLayout(HostRid);
        var server = layout.Tools("net8.0", "UvLambda.LocalServer.dll");
        var readyToRun = layout.Evaluate();
        Assert.Contains("net8.0-r2r", readyToRun.GetPropertyValue("UvLambdaTasksAssembly"));
        Assert.Equal(server, readyToRun.GetPropertyValue("UvLambdaLocalServerAssembly"));
        Assert.Equal(server, layout.Evaluate(properties: new() { ["_UvLambdaMSBuildRuntimeType"] = "Full" }).GetPropertyValue("UvLambdaLocalServerAssembly"));
    }
}
