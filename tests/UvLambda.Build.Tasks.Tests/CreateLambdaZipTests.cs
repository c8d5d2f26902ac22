using System.IO.Compression;
using Microsoft.Build.Utilities;
using UvLambda.Core.Tests;

namespace UvLambda.Build.Tasks.Tests;

public class CreateLambdaZipTests
{
    [Fact]
    public void Writes_the_sources_at_their_package_paths()
    {
        using var dir = new TempDirectory();
        var main = dir.WriteFile("app/main.py", "x = 1\n");
        var data = dir.WriteFile("assets/db.sqlite", "db");
        var dataItem = new TaskItem(data);
        dataItem.SetMetadata("PackagePath", "app/db.sqlite");
        var engine = new RecordingBuildEngine();
        var task = new CreateLambdaZip
        {
            BuildEngine = engine,
            ProjectDirectory = dir.Path,
            OutputPath = dir.Combine("bin", "package.zip"),
            Sources = [new TaskItem(main), dataItem],
            Handler = "app.main.handler",
            SourceDateEpoch = "",
        };
        Assert.True(task.Execute(), string.Join("\n", engine.Errors.Select(e => e.Message)));
        using var zip = ZipFile.OpenRead(dir.Combine("bin", "package.zip"));
        Assert.Equal(["app/", "app/db.sqlite", "app/main.py"], zip.Entries.Select(e => e.FullName));
        Assert.Equal(8, task.UncompressedSize);
    }

    [Fact]
    public void A_handler_function_its_module_never_mentions_still_packages_but_warns_UVL1011_at_the_module()
    {
        using var dir = new TempDirectory();
        var main = dir.WriteFile("app/main.py", "def handler(event, context):\n    return 1\n");
        var engine = new RecordingBuildEngine();
        var task = new CreateLambdaZip
        {
            BuildEngine = engine,
            ProjectDirectory = dir.Path,
            OutputPath = dir.Combine("bin", "package.zip"),
            Sources = [new TaskItem(main)],
            Handler = "app.main.handle",
            SourceDateEpoch = "",
        };
        Assert.True(task.Execute(), string.Join("\n", engine.Errors.Select(e => e.Message)));
        Assert.True(File.Exists(dir.Combine("bin", "package.zip")));
        var w = Assert.Single(engine.Warnings);
        Assert.Equal(("UVL1011", main), (w.Code, w.File));
        Assert.Contains("Did you mean 'app.main.handler'?", w.Message);
    }

    [Fact]
    public void A_bad_SOURCE_DATE_EPOCH_is_UVL1007_and_writes_nothing()
    {
        using var dir = new TempDirectory();
        var engine = new RecordingBuildEngine();
        var task = new CreateLambdaZip
        {
            BuildEngine = engine,
            ProjectDirectory = dir.Path,
            OutputPath = dir.Combine("package.zip"),
            Sources = [new TaskItem(dir.WriteFile("a.py", ""))],
            Handler = "a.handler",
            SourceDateEpoch = "soon",
        };
        Assert.False(task.Execute());
        Assert.Equal("UVL1007", Assert.Single(engine.Errors).Code);
        Assert.False(File.Exists(dir.Combine("package.zip")));
    }

    [Fact]
    public void A_python_that_fails_while_compiling_bytecode_is_UVL3006_with_its_error_and_writes_no_zip()
    {
        if (OperatingSystem.IsWindows()) return; // the stand-in interpreter is a shell script
        using var dir = new TempDirectory();
        var main = dir.WriteFile("app/main.py", "def handler(e, c):\n    return 1\n");
        // Answers the version probe as the real python3.11 (-I -c), then fails the compile run (-I -B -c).
        var python = dir.WriteFile("bin/python3.11", "#!/bin/sh\nif [ \"$2\" = \"-B\" ]; then echo 'MemoryError: out of memory' >&2; exit 7; fi\nexec python3.11 \"$@\"\n");
        File.SetUnixFileMode(python, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var engine = new RecordingBuildEngine();
        var task = new CreateLambdaZip
        {
            BuildEngine = engine,
            ProjectFile = dir.Combine("func.pyproj"),
            ProjectDirectory = dir.Path,
            OutputPath = dir.Combine("bin", "package.zip"),
            Sources = [new TaskItem(main)],
            Handler = "app.main.handler",
            CompileBytecode = true,
            PythonVersion = "3.11",
            LocalPython = python,
            IntermediateDirectory = dir.Combine("obj"),
            SourceDateEpoch = "",
        };
        Assert.False(task.Execute());
        var error = Assert.Single(engine.Errors);
        Assert.True(error.Code == "UVL3006", $"{error.Code}: {error.Message}");
        Assert.Contains("exit code 7", error.Message);
        Assert.Contains("MemoryError: out of memory", error.Message);
        Assert.False(File.Exists(dir.Combine("bin", "package.zip")));
    }

    [Fact]
    public void Installed_packages_ship_beside_the_app_and_local_package_sources_do_not()
    {
        using var dir = new TempDirectory();
        var main = dir.WriteFile("app/main.py", "");
        var member = dir.WriteFile("library/src/library/__init__.py", "");
        dir.WriteFile("obj/site/library/__init__.py", "");
        dir.WriteFile("obj/site/library-0.1.0.dist-info/METADATA", "Name: library\n");
        var engine = new RecordingBuildEngine();
        var task = new CreateLambdaZip
        {
            BuildEngine = engine,
            ProjectDirectory = dir.Path,
            OutputPath = dir.Combine("package.zip"),
            Handler = "app.main.handler",
            Sources = [new TaskItem(main), new TaskItem(member)],
            SiteDirectory = dir.Combine("obj", "site"),
            ExcludedDirectories = [new TaskItem(dir.Combine("library"))],
        };
        Assert.True(task.Execute(), string.Join("\n", engine.Errors.Select(e => e.Message)));
        using var zip = ZipFile.OpenRead(dir.Combine("package.zip"));
        Assert.Equal(["library-0.1.0.dist-info/", "library-0.1.0.dist-info/METADATA", "library/", "library/__init__.py", "app/", "app/main.py"],
            zip.Entries.Select(e => e.FullName));
    }

    [Fact]
    public void A_handler_whose_module_ships_nowhere_is_UVL1004()
    {
        using var dir = new TempDirectory();
        var engine = new RecordingBuildEngine();
        var task = new CreateLambdaZip
        {
            BuildEngine = engine,
            ProjectDirectory = dir.Path,
            OutputPath = dir.Combine("package.zip"),
            Handler = "service.handler",
            Sources = [new TaskItem(dir.WriteFile("app/main.py", ""))],
        };
        Assert.False(task.Execute());
        Assert.Equal("UVL1004", Assert.Single(engine.Errors).Code);
        Assert.False(File.Exists(dir.Combine("package.zip")));
    }

    [Fact]
    public void Layer_writes_layer_and_app_zips_and_only_workspace_sourced_items_count_as_members()
    {
        using var dir = new TempDirectory();
        var main = dir.WriteFile("app/main.py", "");
        dir.WriteFile("obj/site/library/__init__.py", "");
        dir.WriteFile("obj/site/requests/__init__.py", "");
        dir.WriteFile("obj/install-state.json", """
            {"version":1,"target":"t","packages":{"library":{"key":"s","files":["library/__init__.py"]},"requests":{"key":"w","files":["requests/__init__.py"]}}}
            """);
        var library = new TaskItem("library");
        library.SetMetadata("Source", "workspace");
        var requests = new TaskItem("requests");
        requests.SetMetadata("Source", "registry");
        var engine = new RecordingBuildEngine();
        var task = new CreateLambdaZip
        {
            BuildEngine = engine,
            ProjectDirectory = dir.Path,
            PackageType = "Layer",
            LayerOutputPath = dir.Combine("bin", "layer.zip"),
            AppOutputPath = dir.Combine("bin", "app.zip"),
            Sources = [new TaskItem(main)],
            Handler = "app.main.handler",
            SiteDirectory = dir.Combine("obj", "site"),
            StateFile = dir.Combine("obj", "install-state.json"),
            WorkspacePackages = [library, requests],
            IntermediateDirectory = dir.Combine("obj"),
        };
        Assert.True(task.Execute(), string.Join("\n", engine.Errors.Select(e => e.Message)));
        using (var layer = ZipFile.OpenRead(dir.Combine("bin", "layer.zip")))
            Assert.Equal(["python/", "python/requests/", "python/requests/__init__.py"], layer.Entries.Select(e => e.FullName));
        using (var app = ZipFile.OpenRead(dir.Combine("bin", "app.zip")))
            Assert.Equal(["library/", "library/__init__.py", "app/", "app/main.py"], app.Entries.Select(e => e.FullName));
        Assert.Equal([dir.Combine("bin", "layer.zip"), dir.Combine("bin", "app.zip")], task.WrittenZips);
    }

    [Fact]
    public void A_layer_size_budget_that_is_not_a_number_is_UVL3004()
    {
        using var dir = new TempDirectory();
        var engine = new RecordingBuildEngine();
        var task = new CreateLambdaZip
        {
            BuildEngine = engine,
            ProjectDirectory = dir.Path,
            OutputPath = dir.Combine("package.zip"),
            Sources = [new TaskItem(dir.WriteFile("a.py", ""))],
            Handler = "a.handler",
            LayerSizeBudget = "50MB",
        };
        Assert.False(task.Execute());
        Assert.Equal("UVL3004", Assert.Single(engine.Errors).Code);
        Assert.False(File.Exists(dir.Combine("package.zip")));
    }
}
