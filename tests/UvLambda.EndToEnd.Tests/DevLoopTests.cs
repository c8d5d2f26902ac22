using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Net.Sockets;

namespace UvLambda.EndToEnd.Tests;

/// <summary>The .NET developer's loop around a .pyproj: Directory.Build files, dotnet watch, solutions.</summary>
[Collection(PackedSdkCollection.Name)]
public class DevLoopTests(PackedSdk sdk)
{
    private static string ZipEntryText(string zip, string entry)
    {
        // The watcher may be rewriting the zip (temp file, then rename): a read that loses that race is retried.
        using var archive = ZipFile.OpenRead(zip);
        var e = archive.GetEntry(entry) ?? throw new Xunit.Sdk.XunitException($"{entry} is not in {zip}");
        using var reader = new StreamReader(e.Open());
        return reader.ReadToEnd();
    }

    [Fact]
    public void Directory_Build_props_and_targets_apply_to_every_function_of_the_repository()
    {
        var repo = "repo-" + Guid.NewGuid().ToString("N")[..8];
        var first = sdk.CopySample("hello", Path.Combine(repo, "first"));
        var second = sdk.CopySample("hello", Path.Combine(repo, "second"));
        var root = Path.GetDirectoryName(first)!;
        File.WriteAllText(Path.Combine(root, "Directory.Build.props"), """
            <Project>
              <PropertyGroup>
                <LambdaExcludePatterns>**/internal_notes.py</LambdaExcludePatterns>
                <AWSRegion>eu-west-3</AWSRegion>
              </PropertyGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(root, "Directory.Build.targets"), """
            <Project>
              <Target Name="AnnounceAfterBuild" AfterTargets="Build">
                <Message Importance="high" Text="repository target ran for $(MSBuildProjectName)" />
              </Target>
            </Project>
            """);
        foreach (var project in new[] { first, second })
        {
            File.WriteAllText(Path.Combine(project, "app", "internal_notes.py"), "NOTES = 1\n");
            File.WriteAllText(Path.Combine(project, "app", "helper.py"), "X = 1\n");
            var r = sdk.Dotnet(project, "build").EnsureSuccess();
            Assert.Contains($"repository target ran for hello", r.Output);
            var names = PackageInspection.Entries(sdk, Path.Combine(project, "bin", "Debug", "package.zip")).Select(e => e.Name).ToList();
            Assert.Contains("app/helper.py", names);
            Assert.DoesNotContain("app/internal_notes.py", names);
            var region = sdk.Dotnet(project, "msbuild", "-getProperty:AWSRegion").EnsureSuccess();
            Assert.Equal("eu-west-3", region.StandardOutput.Trim());
        }

        // The same opt-out as Microsoft.Common.props: the repository's settings no longer apply.
        var optedOut = sdk.Dotnet(second, "build", "-p:ImportDirectoryBuildProps=false", "-p:ImportDirectoryBuildTargets=false").EnsureSuccess();
        Assert.DoesNotContain("repository target ran", optedOut.Output);
        Assert.Contains("app/internal_notes.py", PackageInspection.Entries(sdk, Path.Combine(second, "bin", "Debug", "package.zip")).Select(e => e.Name));
    }

    [Fact]
    public void Dotnet_watch_build_rebuilds_the_package_after_a_handler_edit()
    {
        var project = sdk.CopySample("hello");
        var zip = Path.Combine(project, "bin", "Debug", "package.zip");
        using var watch = sdk.Start(new Dictionary<string, string?>(), "dotnet", project, "watch", "build", "--non-interactive");
        try
        {
            var deadline = DateTime.UtcNow.AddMinutes(3);
            while (!(File.Exists(zip) && watch.OutputSoFar.Contains("Waiting for", StringComparison.Ordinal)) && !watch.Process.HasExited && DateTime.UtcNow < deadline)
                Thread.Sleep(250);
            Assert.True(File.Exists(zip), "dotnet watch did not build:\n" + watch.OutputSoFar);
            Assert.DoesNotContain("MSB4057", watch.OutputSoFar);
            Assert.Contains("Hello, world!", ZipEntryText(zip, "app/main.py"));

            File.WriteAllText(Path.Combine(project, "app", "main.py"),
                "def handler(event, context):\n    return {'statusCode': 200, 'body': 'Edited under watch'}\n");
            var edited = DateTime.UtcNow;
            string? text = null;
            while (DateTime.UtcNow < edited.AddSeconds(60) && !watch.Process.HasExited)
            {
                try
                {
                    text = ZipEntryText(zip, "app/main.py");
                    if (text.Contains("Edited under watch", StringComparison.Ordinal)) break;
                }
                catch (IOException) { }
                Thread.Sleep(250);
            }
            Assert.True(text?.Contains("Edited under watch", StringComparison.Ordinal), "package.zip was not rebuilt after the edit:\n" + watch.OutputSoFar);
            Assert.True(DateTime.UtcNow - edited < TimeSpan.FromSeconds(60));
        }
        finally
        {
            if (!watch.Process.HasExited) watch.Kill();
            Assert.True(watch.WaitForExit(TimeSpan.FromSeconds(30)), "dotnet watch did not stop");
        }
    }

    [Fact]
    public void The_watch_list_names_the_sources_data_files_pyproject_lock_and_project()
    {
        var project = sdk.CopySample("hello");
        File.WriteAllText(Path.Combine(project, "app", "table.csv"), "a,b\n");
        File.WriteAllText(Path.Combine(project, "hello.pyproj"), File.ReadAllText(Path.Combine(project, "hello.pyproj"))
            .Replace("</Project>", "<ItemGroup><LambdaSource Include=\"app/table.csv\" /></ItemGroup></Project>"));
        var list = Path.Combine(sdk.Root, "watch-list-" + Guid.NewGuid().ToString("N")[..8] + ".json");
        var targets = Directory.GetFiles("/usr/share/dotnet/sdk", "DotNetWatch.targets", SearchOption.AllDirectories).First();
        // What dotnet watch itself asks of the project.
        sdk.Dotnet(project, "msbuild", "-t:GenerateWatchList", $"-p:_DotNetWatchListFile={list}", "-p:DotNetWatchBuild=true",
            $"-p:CustomAfterMicrosoftCommonTargets={targets}").EnsureSuccess();
        var json = File.ReadAllText(list).Replace("\\/", "/");
        foreach (var file in new[] { "hello.pyproj", "app/main.py", "app/__init__.py", "app/table.csv", "pyproject.toml", "uv.lock" })
            Assert.Contains($"\"{Path.Combine(project, file)}\"", json);
    }

    [Fact]
    public void GetProperty_answers_PythonVersion_PythonPlatform_and_ContainerBaseImage_without_running_a_target()
    {
        var project = sdk.CopySample("hello");
        var file = Path.Combine(project, "hello.pyproj");
        File.WriteAllText(file, File.ReadAllText(file).Replace("<PythonVersion>3.13</PythonVersion>", "").Replace("x86_64", "arm64"));
        var r = sdk.Dotnet(project, "msbuild", "-getProperty:PythonVersion", "-getProperty:PythonPlatform", "-getProperty:ContainerBaseImage").EnsureSuccess();
        // From the sample's requires-python = ">=3.13".
        Assert.Contains("\"PythonVersion\": \"3.13\"", r.StandardOutput);
        Assert.Contains("\"PythonPlatform\": \"aarch64-manylinux_2_34\"", r.StandardOutput);
        Assert.Contains("\"ContainerBaseImage\": \"public.ecr.aws/lambda/python:3.13-arm64\"", r.StandardOutput);
        Assert.False(Directory.Exists(Path.Combine(project, "obj")));
    }

    [Fact]
    public void PublishContainer_on_a_zip_project_is_UVL3121()
    {
        var project = sdk.CopySample("hello");
        var r = sdk.Dotnet(project, "publish", "-t:PublishContainer");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("error UVL3121", r.Output);
    }

    [Fact]
    public void A_solution_of_a_pyproj_and_a_csproj_builds_without_restore_warnings()
    {
        var function = sdk.CopySample("hello", Path.Combine("solution-" + Guid.NewGuid().ToString("N")[..8], "function"));
        var root = Path.GetDirectoryName(function)!;
        var library = Path.Combine(root, "library");
        Directory.CreateDirectory(library);
        File.WriteAllText(Path.Combine(library, "library.csproj"), """
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup><TargetFramework>net10.0</TargetFramework></PropertyGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(library, "Answer.cs"), "namespace Library; public static class Answer { public static int Value => 42; }\n");
        File.WriteAllText(Path.Combine(root, "all.slnx"), """
            <Solution>
              <Project Path="function/hello.pyproj" Type="13b669be-bb05-4ddf-9536-439f39a36129" />
              <Project Path="library/library.csproj" />
            </Solution>
            """);
        var r = sdk.Dotnet(root, "build", "all.slnx").EnsureSuccess();
        Assert.DoesNotContain("NU1503", r.Output);
        Assert.DoesNotContain("Unable to find a project to restore", r.Output);
        Assert.Contains("0 Warning(s)", r.Output);
        Assert.True(File.Exists(Path.Combine(function, "bin", "Debug", "package.zip")));
        Assert.True(File.Exists(Path.Combine(library, "bin", "Debug", "net10.0", "library.dll")));
    }

    [Fact]
    public async Task Dotnet_run_answers_with_the_edited_handler_and_stops_on_sigint_without_traceback_or_orphans()
    {
        var project = sdk.CopySample("hello");
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        using var run = sdk.Start(new Dictionary<string, string?>(), "dotnet", project, "run", $"-p:LambdaLocalPort={port}");
        var worker = Path.Combine(project, "obj", "Debug", "uvlambda", "uvlambda_worker.py");
        try
        {
            using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            string? body = null;
            for (var attempt = 0; attempt < 120 && body is null && !run.Process.HasExited; attempt++)
            {
                try { body = await client.GetStringAsync($"http://127.0.0.1:{port}/"); }
                catch (HttpRequestException) { await Task.Delay(1000); }
            }
            Assert.Equal("Hello, world!", body);

            File.WriteAllText(Path.Combine(project, "app", "main.py"),
                "def handler(event, context):\n    return {'statusCode': 200, 'body': 'Reloaded!'}\n");
            // The watcher sees the save within milliseconds; a request racing it may still get the old answer.
            for (var attempt = 0; attempt < 50 && body != "Reloaded!"; attempt++)
            {
                await Task.Delay(100);
                body = await client.GetStringAsync($"http://127.0.0.1:{port}/");
            }
            Assert.Equal("Reloaded!", body);
            Assert.True(WorkerProcesses(worker).Count > 0, "no worker process found for " + worker);

            // Ctrl+C: the terminal signals the whole foreground group, so signal dotnet run's descendants and dotnet run.
            foreach (var pid in Descendants(run.Process.Id).Append(run.Process.Id))
                Process.Start("kill", ["-INT", pid.ToString(CultureInfo.InvariantCulture)])!.WaitForExit();
            Assert.True(run.WaitForExit(TimeSpan.FromSeconds(30)), "dotnet run did not stop on SIGINT:\n" + run.OutputSoFar);
            var output = run.Result().Output;
            Assert.Contains("app/main.py changed: reloading.", output);
            Assert.Contains("Stopped.", output);
            Assert.DoesNotContain("Traceback", output);
            Assert.DoesNotContain("KeyboardInterrupt", output);
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (WorkerProcesses(worker).Count > 0 && DateTime.UtcNow < deadline) Thread.Sleep(200);
            Assert.Empty(WorkerProcesses(worker));
        }
        finally
        {
            if (!run.Process.HasExited) run.Kill();
        }
    }

    [Fact]
    public async Task Dotnet_watch_run_serves_the_function_and_the_edited_handler()
    {
        var project = sdk.CopySample("hello");
        var port = FreePort();
        // MSBuild reads environment variables as properties; `dotnet watch run -p:` would name a project.
        using var watch = sdk.Start(new Dictionary<string, string?> { ["LambdaLocalPort"] = port.ToString(CultureInfo.InvariantCulture) },
            "dotnet", project, "watch", "run", "--non-interactive");
        try
        {
            using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            string? body = null;
            for (var attempt = 0; attempt < 120 && body is null && !watch.Process.HasExited; attempt++)
            {
                try { body = await client.GetStringAsync($"http://127.0.0.1:{port}/"); }
                catch (HttpRequestException) { await Task.Delay(1000); }
            }
            Assert.True(body == "Hello, world!", "dotnet watch run did not serve:\n" + watch.OutputSoFar);
            File.WriteAllText(Path.Combine(project, "app", "main.py"),
                "def handler(event, context):\n    return {'statusCode': 200, 'body': 'Watched!'}\n");
            for (var attempt = 0; attempt < 60 && body != "Watched!"; attempt++)
            {
                await Task.Delay(250);
                try { body = await client.GetStringAsync($"http://127.0.0.1:{port}/"); }
                catch (HttpRequestException) { }
            }
            Assert.True(body == "Watched!", "the edit was not served:\n" + watch.OutputSoFar);
            Assert.DoesNotContain("unexpected error", watch.OutputSoFar);
        }
        finally
        {
            if (!watch.Process.HasExited) watch.Kill();
            Assert.True(watch.WaitForExit(TimeSpan.FromSeconds(30)), "dotnet watch did not stop");
        }
    }

    private static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    /// <summary>Processes whose command line names the project's worker script (pgrep -f).</summary>
    private static List<int> WorkerProcesses(string workerScript)
    {
        var r = Process.Start(new ProcessStartInfo("pgrep", ["-f", workerScript]) { RedirectStandardOutput = true })!;
        var text = r.StandardOutput.ReadToEnd();
        r.WaitForExit();
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToList();
    }

    private static IEnumerable<int> Descendants(int pid)
    {
        var r = Process.Start(new ProcessStartInfo("pgrep", ["-P", pid.ToString(CultureInfo.InvariantCulture)]) { RedirectStandardOutput = true })!;
        var children = r.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToList();
        r.WaitForExit();
        return children.SelectMany(c => Descendants(c).Prepend(c)).ToList();
    }
}
