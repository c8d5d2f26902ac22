using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace UvLambda.EndToEnd.Tests;

/// <summary>Invoke and `dotnet run` against the packed SDK, with the machine's real Python (3.13 for the samples).</summary>
[Collection(PackedSdkCollection.Name)]
public class LocalRunTests(PackedSdk sdk)
{
    private string HelloWith(string module, string source)
    {
        var project = sdk.CopySample("hello");
        File.WriteAllText(Path.Combine(project, "app", module + ".py"), source);
        return project;
    }

    [Fact]
    public void Invoke_runs_the_hello_handler_once_and_prints_its_result()
    {
        var project = sdk.CopySample("hello");
        var r = sdk.Dotnet(project, "build", "-t:Invoke", "-p:LambdaEvent=events/get.json").EnsureSuccess();
        Assert.Contains("""{"statusCode": 200, "body": "Hello, world!"}""", r.StandardOutput);
        Assert.True(File.Exists(Path.Combine(project, "obj", "Debug", "uvlambda", "local-run.json")));
        // Invoke does not build the Lambda package.
        Assert.False(File.Exists(Path.Combine(project, "bin", "Debug", "package.zip")));
    }

    [Fact]
    public void Invoke_on_the_workspace_installs_the_member_for_the_host_apart_from_the_lambda_install()
    {
        var project = sdk.CopySample("workspace");
        var r = sdk.Dotnet(project, "build", "-t:Invoke", "-p:LambdaEvent=events/get.json").EnsureSuccess();
        Assert.Contains("""{"statusCode": 200, "body": "Hello from library!"}""", r.StandardOutput);
        var obj = Path.Combine(project, "obj", "Debug", "uvlambda");
        Assert.True(File.Exists(Path.Combine(obj, "host-site", "library", "__init__.py")));
        Assert.Contains("host CPython", File.ReadAllText(Path.Combine(obj, "host-install-state.json")));
        Assert.False(Directory.Exists(Path.Combine(obj, "site")));

        sdk.Dotnet(project, "build").EnsureSuccess();
        Assert.True(File.Exists(Path.Combine(obj, "site", "library", "__init__.py")));
        Assert.DoesNotContain("host", File.ReadAllText(Path.Combine(obj, "install-state.json")));
        sdk.Dotnet(project, "clean").EnsureSuccess();
        Assert.False(Directory.Exists(obj));
    }

    [Fact]
    public void Invoke_takes_inline_json()
    {
        var project = HelloWith("echo", "def handler(event, context):\n    return {'got': event}\n");
        var r = sdk.Dotnet(project, "build", "-t:Invoke", "-p:LambdaHandler=app.echo.handler", "-p:LambdaEvent=\"{\\\"a\\\":1,\\\"b\\\":[2,3]}\"").EnsureSuccess();
        Assert.Contains("""{"got": {"a": 1, "b": [2, 3]}}""", r.StandardOutput);
    }

    [Fact]
    public void Invoke_sets_the_functions_LambdaEnvironmentVariable_items_and_LambdaLocalEnvironment_overrides_them()
    {
        // The handler reads the variables the deployed function will have; a local-only value replaces one of them.
        var project = HelloWith("env", "import os\ndef handler(event, context):\n    return [os.environ.get('TABLE_NAME'), os.environ.get('STAGE'), os.environ.get('LOCAL_ONLY')]\n");
        var pyproj = Path.Combine(project, "hello.pyproj");
        File.WriteAllText(pyproj, File.ReadAllText(pyproj).Replace("</Project>", """
              <ItemGroup>
                <LambdaEnvironmentVariable Include="TABLE_NAME" Value="orders" />
                <LambdaEnvironmentVariable Include="STAGE" Value="prod" />
                <LambdaLocalEnvironment Include="STAGE" Value="dev" />
                <LambdaLocalEnvironment Include="LOCAL_ONLY" Value="yes" />
              </ItemGroup>
            </Project>
            """));
        var r = sdk.Dotnet(project, "build", "-t:Invoke", "-p:LambdaHandler=app.env.handler", "-p:LambdaEvent=events/get.json").EnsureSuccess();
        Assert.Contains("""["orders", "dev", "yes"]""", r.StandardOutput);
    }

    [Fact]
    public void A_handler_that_raises_fails_Invoke_with_UVL5101_and_the_traceback()
    {
        var project = HelloWith("fail", "def handler(event, context):\n    raise KeyError('missing-thing')\n");
        var r = sdk.Dotnet(project, "build", "-t:Invoke", "-p:LambdaHandler=app.fail.handler");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("error UVL5101: app.fail.handler failed: KeyError: 'missing-thing'", r.Output);
        Assert.Contains("Traceback (most recent call last)", r.Output);
        Assert.Contains("raise KeyError('missing-thing')", r.Output);
    }

    [Fact]
    public void A_handler_that_sleeps_past_LambdaTimeout_fails_Invoke_with_UVL5102()
    {
        var project = HelloWith("slow", "import time\ndef handler(event, context):\n    time.sleep(30)\n");
        var started = Stopwatch.StartNew();
        var r = sdk.Dotnet(project, "build", "-t:Invoke", "-p:LambdaHandler=app.slow.handler", "-p:LambdaTimeout=1");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("error UVL5102", r.Output);
        Assert.Contains("Task timed out after 1.00 seconds", r.Output);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(25), started.Elapsed.ToString());
    }

    [Fact]
    public void An_interpreter_requires_python_excludes_is_UVL5003()
    {
        // The samples need Python >= 3.13; Debian's python3 (installed by .ci/run) is older.
        var project = sdk.CopySample("hello");
        var version = sdk.Run("/usr/bin/python3", project, "-c", "import sys; print('%d.%d' % sys.version_info[:2])").EnsureSuccess().StandardOutput.Trim();
        Assert.True(Version.Parse(version) < new Version(3, 13), $"this test needs /usr/bin/python3 older than 3.13, found {version}");
        var r = sdk.Dotnet(project, "build", "-t:Invoke", "-p:LambdaLocalPython=/usr/bin/python3");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("error UVL5003", r.Output);
        Assert.Contains(">=3.13", r.Output);
        Assert.Contains("UVL5002", r.Output); // the version differs from PythonVersion, too
    }

    [Fact]
    public async Task Dotnet_run_serves_the_hello_handler_over_http_and_stops_on_ctrl_c()
    {
        var project = sdk.CopySample("hello");
        var port = FreePort();
        var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = project, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "run", $"-p:LambdaLocalPort={port}" }) psi.ArgumentList.Add(a);
        foreach (var v in new[] { "MSBuildExtensionsPath", "MSBUILD_EXE_PATH", "MSBuildSDKsPath", "MSBuildLoadMicrosoftTargetsReadOnly", "DOTNET_HOST_PATH" })
            psi.Environment.Remove(v);
        psi.Environment["NUGET_PACKAGES"] = sdk.PackagesFolder;
        psi.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        using var run = Process.Start(psi)!;
        var output = new StringBuilder();
        run.OutputDataReceived += (_, e) => { if (e.Data != null) lock (output) output.AppendLine(e.Data); };
        run.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (output) output.AppendLine(e.Data); };
        run.BeginOutputReadLine();
        run.BeginErrorReadLine();
        try
        {
            using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            string? body = null;
            for (var attempt = 0; attempt < 120 && body is null && !run.HasExited; attempt++)
            {
                try
                {
                    body = await client.GetStringAsync($"http://127.0.0.1:{port}/");
                }
                catch (HttpRequestException)
                {
                    await Task.Delay(1000);
                }
            }
            Assert.True(body is not null, "no answer from dotnet run:\n" + output);
            Assert.Equal("Hello, world!", body);

            // Ctrl+C: the terminal signals the whole foreground group, so signal dotnet run's children and dotnet run.
            Process.Start("pkill", ["-INT", "-P", run.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
            Process.Start("kill", ["-INT", run.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
            Assert.True(run.WaitForExit(30_000), "dotnet run did not stop on SIGINT:\n" + output);
            run.WaitForExit();
            lock (output)
            {
                Assert.Contains("GET / -> 200", output.ToString());
                Assert.Contains("Stopped.", output.ToString());
            }
        }
        finally
        {
            if (!run.HasExited) run.Kill(entireProcessTree: true);
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
}
