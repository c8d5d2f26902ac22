using UvLambda.Core.Local;

namespace UvLambda.Core.Tests.Local;

/// <summary>`dotnet run` reloading: which changes count, and a restarted worker running the edited code.</summary>
public class ReloadTests
{
    [Fact]
    public void The_watcher_counts_app_files_and_dependency_files_and_ignores_build_output_hidden_folders_and_bytecode()
    {
        using var dir = new TempDirectory();
        using var above = new TempDirectory();
        Directory.CreateDirectory(dir.Combine("app"));
        var workspaceLock = above.Combine("uv.lock");
        using var watcher = new SourceWatcher(dir.Path, [workspaceLock]);
        Assert.Equal(false, watcher.Classify(dir.Combine("app", "main.py")));
        Assert.Equal(false, watcher.Classify(dir.Combine("templates", "page.html")));
        Assert.Equal(true, watcher.Classify(dir.Combine("uv.lock")));
        Assert.Equal(true, watcher.Classify(dir.Combine("pyproject.toml")));
        Assert.Equal(true, watcher.Classify(dir.Combine(".python-version")));
        Assert.Equal(true, watcher.Classify(workspaceLock));
        Assert.Equal(false, watcher.Classify(dir.Combine("app", "pyproject.toml"))); // a nested one is just a file of the app
        Assert.Null(watcher.Classify(dir.Combine("obj", "Debug", "uvlambda", "host-site", "x.py")));
        Assert.Null(watcher.Classify(dir.Combine("bin", "Debug", "package.zip")));
        Assert.Null(watcher.Classify(dir.Combine(".venv", "lib", "site.py")));
        Assert.Null(watcher.Classify(dir.Combine("app", "__pycache__", "main.cpython-313.pyc")));
        Assert.Null(watcher.Classify(dir.Combine("app", "main.py~")));
        Assert.Null(watcher.Classify(dir.Combine("app", ".main.py.swp")));
        Assert.Null(watcher.Classify(above.Combine("other.txt")));
    }

    [Fact]
    public void Changes_are_collected_until_taken_and_a_lock_change_among_them_is_reported()
    {
        using var dir = new TempDirectory();
        dir.WriteFile("app/main.py", "A = 1\n");
        using var watcher = new SourceWatcher(dir.Path, []);
        Assert.Null(watcher.TakeChange());
        File.WriteAllText(dir.Combine("app", "main.py"), "A = 2\n");
        File.WriteAllText(dir.Combine("uv.lock"), "version = 1\n");
        SourceChange? change = null;
        for (var i = 0; i < 100 && change is not { Dependencies: true }; i++)
        {
            Thread.Sleep(50);
            if (watcher.TakeChange() is { } c) change = change is null ? c : change with { Dependencies = change.Dependencies || c.Dependencies };
        }
        Assert.NotNull(change);
        Assert.True(change!.Dependencies);
        Thread.Sleep(200);
        Assert.Null(watcher.TakeChange());
    }

    [Fact]
    public void After_an_edit_the_next_invocation_runs_the_new_code_in_a_new_worker()
    {
        using var f = new LocalFunctionFixture("def handler(event, context):\n    return 'v1'\n");
        using var watcher = new SourceWatcher(f.Function.AppDirectory, []);
        using var invoker = new LambdaInvoker(f.Function) { BeforeInvoke = () => watcher.TakeChange() is not null };
        Assert.Equal("\"v1\"", invoker.Invoke("{}").ResultJson);
        Assert.Equal("\"v1\"", invoker.Invoke("{}").ResultJson);
        Assert.Equal(1, invoker.WorkersStarted);

        File.WriteAllText(Path.Combine(f.Function.AppDirectory, "app", "main.py"), "def handler(event, context):\n    return 'v2'\n");
        string? result = null;
        for (var i = 0; i < 100 && result != "\"v2\""; i++)
        {
            Thread.Sleep(50);
            result = invoker.Invoke("{}").ResultJson;
        }
        Assert.Equal("\"v2\"", result);
        Assert.Equal(2, invoker.WorkersStarted);
    }

    [Fact]
    public async Task A_script_app_behind_the_proxy_is_restarted_after_an_edit_and_serves_the_new_code()
    {
        if (OperatingSystem.IsWindows()) return; // script handlers are Lambda (Linux) shell scripts
        using var dir = new TempDirectory();
        dir.WriteFile("run.sh", "#!/bin/sh\nexec python -m app.server\n");
        File.SetUnixFileMode(dir.Combine("run.sh"), (UnixFileMode)0x1ED);
        dir.WriteFile("app/__init__.py", "");
        const string server = """
            import http.server, os
            ANSWER = b"v1"
            class Handler(http.server.BaseHTTPRequestHandler):
                def do_GET(self):
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(ANSWER)))
                    self.end_headers()
                    self.wfile.write(ANSWER)
                def log_message(self, *args):
                    pass
            http.server.HTTPServer(("127.0.0.1", int(os.environ["PORT"])), Handler).serve_forever()
            """;
        dir.WriteFile("app/server.py", server);
        var python = Processes.ExternalTool.OnPath("python3", Processes.ProcessEnvironment.Current()).First();
        var function = new LocalFunction
        {
            Python = python, AppDirectory = dir.Path, SiteDirectory = "", Handler = "run.sh", FunctionName = "webapp",
            WorkerScript = dir.Combine("obj", "uvlambda_worker.py"), Port = 0,
        };
        using var watcher = new SourceWatcher(dir.Path, []);
        var restarts = 0;
        using var proxy = new ScriptAppProxy(function, _ => { }) { BeforeForward = () => watcher.TakeChange() is not null && ++restarts > 0 };
        proxy.Start();
        using var stop = new CancellationTokenSource();
        var running = proxy.RunAsync(stop.Token);
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
        Assert.Equal("v1", await client.GetStringAsync(proxy.Url));

        File.WriteAllText(dir.Combine("app", "server.py"), server.Replace("b\"v1\"", "b\"v2\""));
        var body = "v1";
        for (var i = 0; i < 100 && body != "v2"; i++)
        {
            await Task.Delay(50);
            try { body = await client.GetStringAsync(proxy.Url); }
            catch (HttpRequestException) { }
        }
        Assert.Equal("v2", body);
        Assert.True(restarts >= 1);
        stop.Cancel();
        await running;
    }
}
