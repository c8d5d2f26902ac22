using System.IO.Compression;
using UvLambda.Core.Archives;
using UvLambda.Core.Diagnostics;
using UvLambda.Core.Projects;
using UvLambda.Core.Artifacts;
using UvLambda.Core.Tests;

namespace UvLambda.Core.Tests.Artifacts;

/// <summary>This machine's local Python is 3.11: the success path uses it, the error path asks for 3.14, which neither PATH nor pyenv has.</summary>
public class BytecodeTests
{
    private static (IReadOnlyList<LambdaSourceFile> App, ArtifactOptions Options) Project(TempDirectory dir, string intermediate)
    {
        dir.WriteFile("app/__init__.py", "");
        dir.WriteFile("app/main.py", "S = {'a', 'b', 'c', 'd'}\ndef handler(e, c):\n    return sorted(S)\n");
        dir.WriteFile("app/broken.py", "print 'python 2'\n");
        dir.WriteFile("site/dep/__init__.py", "V = frozenset(['x', 'y', 'z'])\n");
        dir.WriteFile("site/dep/__pycache__/__init__.cpython-311.pyc", "stale");
        var app = LambdaSourceFile.Map(dir.Path, new[] { "app/__init__.py", "app/main.py", "app/broken.py" }.Select(p => (dir.Combine(p), (string?)null)));
        return (app, new ArtifactOptions
        {
            PackageType = "Layer",
            LayerPath = dir.Combine("bin/layer.zip"),
            AppPath = dir.Combine("bin/app.zip"),
            SiteDirectory = dir.Combine("site"),
            IntermediateDirectory = dir.Combine(intermediate),
            BytecodePythonVersion = "3.11",
        });
    }

    [Fact]
    public void Every_py_gets_an_unchecked_hash_pyc_in_pycache_and_the_bytes_repeat_across_runs()
    {
        using var dir = new TempDirectory();
        var (app, options) = Project(dir, "obj1");
        LambdaArtifacts.Create(options, app, LambdaHandler.Parse("app.main.handler"), NullBuildLog.Instance);
        using (var z = ZipFile.OpenRead(dir.Combine("bin/app.zip")))
        {
            var names = z.Entries.Select(e => e.FullName).ToList();
            Assert.Contains("app/__pycache__/main.cpython-311.pyc", names);
            Assert.Contains("app/__pycache__/__init__.cpython-311.pyc", names);
            Assert.DoesNotContain("app/__pycache__/broken.cpython-311.pyc", names); // cannot compile: ships as source only
            Assert.Contains("app/broken.py", names);
            using var pyc = new MemoryStream();
            z.GetEntry("app/__pycache__/main.cpython-311.pyc")!.Open().CopyTo(pyc);
            var bytes = pyc.ToArray();
            Assert.Equal(1, BitConverter.ToInt32(bytes, 4)); // PEP 552 flags: hash-based, check_source off
        }
        using (var z = ZipFile.OpenRead(dir.Combine("bin/layer.zip")))
        {
            // The stale cache from the install is gone; the one written by the bytecode step is there.
            Assert.Equal(["python/", "python/dep/", "python/dep/__init__.py", "python/dep/__pycache__/", "python/dep/__pycache__/__init__.cpython-311.pyc"],
                z.Entries.Select(e => e.FullName));
            using var pyc = new MemoryStream();
            z.GetEntry("python/dep/__pycache__/__init__.cpython-311.pyc")!.Open().CopyTo(pyc);
            Assert.NotEqual("stale"u8.ToArray(), pyc.ToArray());
        }
        var first = (File.ReadAllBytes(dir.Combine("bin/app.zip")), File.ReadAllBytes(dir.Combine("bin/layer.zip")));
        // Another run with an empty bytecode cache and no previous zips: the same bytes.
        File.Delete(dir.Combine("bin/app.zip"));
        File.Delete(dir.Combine("bin/layer.zip"));
        LambdaArtifacts.Create(options with { IntermediateDirectory = dir.Combine("obj2") }, app, LambdaHandler.Parse("app.main.handler"), NullBuildLog.Instance);
        Assert.Equal(first.Item1, File.ReadAllBytes(dir.Combine("bin/app.zip")));
        Assert.Equal(first.Item2, File.ReadAllBytes(dir.Combine("bin/layer.zip")));
    }

    [Fact]
    public void A_pyc_temp_a_killed_compile_left_is_removed_a_live_compiles_is_kept_and_the_compile_leaves_none()
    {
        using var dir = new TempDirectory();
        var (app, options) = Project(dir, "obj");
        var cache = dir.Combine("obj/bytecode/cpython-311");
        Directory.CreateDirectory(cache);
        var dead = Path.Combine(cache, FileSystem.TempOwnerTests.Name(".0123.pyc", FileSystem.TempOwnerTests.DeadOwner()));
        var live = Path.Combine(cache, FileSystem.TempOwnerTests.Name(".4567.pyc", UvLambda.Core.FileSystem.TempOwner.Current));
        File.WriteAllText(dead, "half a pyc");
        File.WriteAllText(live, "being written");

        LambdaArtifacts.Create(options, app, LambdaHandler.Parse("app.main.handler"), NullBuildLog.Instance);

        Assert.False(File.Exists(dead));
        Assert.True(File.Exists(live));
        var pycs = Directory.GetFiles(cache, "*.pyc");
        Assert.NotEmpty(pycs);
        Assert.Equal([live], Directory.GetFiles(cache, "*.tmp"));
    }

    [Fact]
    public void No_local_python_of_the_runtime_version_is_UVL3005_naming_what_was_looked_for()
    {
        using var dir = new TempDirectory();
        var (app, options) = Project(dir, "obj");
        var e = Assert.Throws<UvLambdaException>(() => LambdaArtifacts.Create(options with { BytecodePythonVersion = "3.14" }, app, LambdaHandler.Parse("app.main.handler"), NullBuildLog.Instance));
        Assert.Equal(ErrorCodes.BytecodePythonNotFound, e.Code);
        Assert.Contains("'python3.14' on PATH", e.Message);
        Assert.Contains("LambdaLocalPython", e.Message);

        var wrong = Assert.Throws<UvLambdaException>(() => LambdaArtifacts.Create(options with { BytecodePythonVersion = "3.14", LocalPython = "python3.11" }, app, LambdaHandler.Parse("app.main.handler"), NullBuildLog.Instance));
        Assert.Equal(ErrorCodes.BytecodePythonNotFound, wrong.Code);
        Assert.Contains("'python3.11' is Python 3.11", wrong.Message);
        Assert.False(File.Exists(dir.Combine("bin/app.zip")));
    }
}
