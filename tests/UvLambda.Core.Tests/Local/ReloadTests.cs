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
}
