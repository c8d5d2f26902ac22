using System.IO.Compression;
using System.Text.Json;
using UvLambda.Core.Archives;
using UvLambda.Core.Diagnostics;
using UvLambda.Core.Projects;
using UvLambda.Core.Artifacts;
using UvLambda.Core.Tests;

namespace UvLambda.Core.Tests.Artifacts;

public class LambdaArtifactsTests
{
    private sealed class RecordingLog : IBuildLog
    {
        public List<string> Infos { get; } = [];
        public List<(string Code, string Message)> Warnings { get; } = [];
        public void Info(string message) => Infos.Add(message);
        public void Detail(string message) { }
        public void Warning(string code, string message, string? file = null, int line = 0, int column = 0) => Warnings.Add((code, message));
    }

    /// <summary>An app, two installed packages (one a workspace member) and the install state attributing them.</summary>
    private static (IReadOnlyList<LambdaSourceFile> App, ArtifactOptions Options) Project(TempDirectory dir)
    {
        dir.WriteFile("app/__init__.py", "");
        dir.WriteFile("app/main.py", "import requests, library\ndef handler(e, c):\n    return 1\n");
        dir.WriteFile("obj/site/requests/__init__.py", "X = 1\n" + new string('#', 4000));
        dir.WriteFile("obj/site/requests/tests/test_x.py", "def test(): pass\n");
        dir.WriteFile("obj/site/requests/__pycache__/stale.cpython-313.pyc", "junk");
        dir.WriteFile("obj/site/requests-2.0.dist-info/METADATA", "Name: requests\n");
        dir.WriteFile("obj/site/requests-2.0.dist-info/tests/odd.txt", "kept\n");
        dir.WriteFile("obj/site/library/__init__.py", "Y = 2\n");
        dir.WriteFile("obj/site/library-0.1.0.dist-info/METADATA", "Name: library\n");
        var state = new
        {
            Version = 1,
            Target = "t",
            Packages = new Dictionary<string, object>
            {
                ["requests"] = new { Key = "k", Version = "2.0", Files = new[] { "requests/__init__.py", "requests/tests/test_x.py", "requests-2.0.dist-info/METADATA", "requests-2.0.dist-info/tests/odd.txt" } },
                ["library"] = new { Key = "s", Version = "0.1.0", Files = new[] { "library/__init__.py", "library-0.1.0.dist-info/METADATA" } },
            },
        };
        dir.WriteFile("obj/install-state.json", JsonSerializer.Serialize(state, new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.CamelCase }));
        var app = LambdaSourceFile.Map(dir.Path, [(dir.Combine("app/__init__.py"), null), (dir.Combine("app/main.py"), null)]);
        return (app, new ArtifactOptions
        {
            PackagePath = dir.Combine("bin/package.zip"),
            LayerPath = dir.Combine("bin/layer.zip"),
            AppPath = dir.Combine("bin/app.zip"),
            SiteDirectory = dir.Combine("obj/site"),
            StateFile = dir.Combine("obj/install-state.json"),
            WorkspacePackages = ["library"],
            IntermediateDirectory = dir.Combine("obj"),
        });
    }

    private static List<string> Names(string zip)
    {
        using var z = ZipFile.OpenRead(zip);
        return z.Entries.Select(e => e.FullName).ToList();
    }

    private static readonly LambdaHandler Handler = LambdaHandler.Parse("app.main.handler");

    [Fact]
    public void Zip_is_flat_and_trims_excludes_and_caches_but_keeps_dist_info()
    {
        using var dir = new TempDirectory();
        var (app, options) = Project(dir);
        LambdaArtifacts.Create(options with { Excludes = ["**/tests/**"] }, app, Handler, NullBuildLog.Instance);
        // Installed packages first, the app's files last (each block sorted): an app-only change keeps the first block's bytes.
        Assert.Equal(["library-0.1.0.dist-info/", "library-0.1.0.dist-info/METADATA", "library/", "library/__init__.py",
            "requests-2.0.dist-info/", "requests-2.0.dist-info/METADATA", "requests-2.0.dist-info/tests/", "requests-2.0.dist-info/tests/odd.txt", "requests/", "requests/__init__.py",
            "app/", "app/__init__.py", "app/main.py"],
            Names(dir.Combine("bin/package.zip")));
        Assert.False(File.Exists(dir.Combine("bin/layer.zip")));
    }

    [Fact]
    public void Layer_puts_dependencies_under_python_and_workspace_members_with_the_app_by_default()
    {
        using var dir = new TempDirectory();
        var (app, options) = Project(dir);
        LambdaArtifacts.Create(options with { PackageType = "Layer" }, app, Handler, NullBuildLog.Instance);
        Assert.Equal(["python/", "python/requests-2.0.dist-info/", "python/requests-2.0.dist-info/METADATA", "python/requests-2.0.dist-info/tests/", "python/requests-2.0.dist-info/tests/odd.txt",
            "python/requests/", "python/requests/__init__.py", "python/requests/tests/", "python/requests/tests/test_x.py"],
            Names(dir.Combine("bin/layer.zip")));
        Assert.Equal(["library-0.1.0.dist-info/", "library-0.1.0.dist-info/METADATA", "library/", "library/__init__.py", "app/", "app/__init__.py", "app/main.py"],
            Names(dir.Combine("bin/app.zip")));
        Assert.False(File.Exists(dir.Combine("bin/package.zip")));

        // An app change rewrites app.zip only: the layer's bytes and time stamp stay.
        var layerBytes = File.ReadAllBytes(dir.Combine("bin/layer.zip"));
        var stamp = File.GetLastWriteTimeUtc(dir.Combine("bin/layer.zip"));
        Thread.Sleep(50); // a rewrite now would have a later write time
        dir.WriteFile("app/main.py", "def handler(e, c):\n    return 2\n");
        LambdaArtifacts.Create(options with { PackageType = "Layer" }, app, Handler, NullBuildLog.Instance);
        Assert.Equal(layerBytes, File.ReadAllBytes(dir.Combine("bin/layer.zip")));
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(dir.Combine("bin/layer.zip")));
    }

    [Fact]
    public void A_layer_with_nothing_in_it_is_not_written_and_the_build_says_so_once()
    {
        using var dir = new TempDirectory();
        var (app, options) = Project(dir);
        // Only the workspace member is installed, and it goes with the app: the dependency layer would be empty.
        Directory.Delete(dir.Combine("obj/site/requests"), recursive: true);
        Directory.Delete(dir.Combine("obj/site/requests-2.0.dist-info"), recursive: true);
        var log = new RecordingLog();

        var result = LambdaArtifacts.Create(options with { PackageType = "Layer", LocalLayerPath = dir.Combine("bin/layer-local.zip"), LocalPackages = ["other"] },
            app, LambdaHandler.Parse("app.main.handler"), log);

        Assert.Equal([dir.Combine("bin/app.zip")], result.Zips.Select(z => z.Path));
        Assert.False(File.Exists(dir.Combine("bin/layer.zip")));
        Assert.False(File.Exists(dir.Combine("bin/layer-local.zip")));
        Assert.Contains("library/__init__.py", Names(dir.Combine("bin/app.zip")));
        Assert.Single(log.Infos, i => i.StartsWith("layer.zip: no third-party packages", StringComparison.Ordinal));
        Assert.Single(log.Infos, i => i.StartsWith("layer-local.zip: no in-house packages", StringComparison.Ordinal));
    }

    [Fact]
    public void Layer_with_workspace_in_layer_moves_members_to_the_layer()
    {
        using var dir = new TempDirectory();
        var (app, options) = Project(dir);
        LambdaArtifacts.Create(options with { PackageType = "Layer", WorkspaceIn = "Layer" }, app, Handler, NullBuildLog.Instance);
        Assert.Contains("python/library/__init__.py", Names(dir.Combine("bin/layer.zip")));
        Assert.Equal(["app/", "app/__init__.py", "app/main.py"], Names(dir.Combine("bin/app.zip")));
    }

    [Fact]
    public void A_handler_in_the_layer_is_found_under_python()
    {
        using var dir = new TempDirectory();
        var (app, options) = Project(dir);
        // requests/__init__.py ships in layer.zip under python/ (on sys.path from /opt/python), not in app.zip.
        var result = LambdaArtifacts.Create(options with { PackageType = "Layer" }, app, LambdaHandler.Parse("requests.handler"), NullBuildLog.Instance);
        Assert.Contains("python/requests/__init__.py", Names(dir.Combine("bin/layer.zip")));
        Assert.DoesNotContain("requests/__init__.py", Names(dir.Combine("bin/app.zip")));
        Assert.Equal(2, result.Zips.Count);

        // A module in neither zip is refused with the handler's code.
        var missing = Assert.Throws<UvLambdaException>(() =>
            LambdaArtifacts.Create(options with { PackageType = "Layer" }, app, LambdaHandler.Parse("nowhere.handler"), NullBuildLog.Instance));
        Assert.Equal(ErrorCodes.HandlerModuleMissing, missing.Code);
    }

    [Theory]
    [InlineData("Image", "LambdaPackageType")]
    [InlineData("Zip", "LambdaWorkspaceIn")]
    public void Unsupported_settings_are_UVL3004(string packageType, string named)
    {
        using var dir = new TempDirectory();
        var (app, options) = Project(dir);
        var e = Assert.Throws<UvLambdaException>(() => LambdaArtifacts.Create(options with { PackageType = packageType, WorkspaceIn = named == "LambdaWorkspaceIn" ? "Elsewhere" : "App" }, app, Handler, NullBuildLog.Instance));
        Assert.Equal(ErrorCodes.InvalidArtifactSetting, e.Code);
        Assert.Contains(named, e.Message);
    }

    [Fact]
    public void Over_the_unzipped_limit_is_UVL3002_listing_the_largest_packages_and_writes_nothing()
    {
        using var dir = new TempDirectory();
        var (app, options) = Project(dir);
        var e = Assert.Throws<UvLambdaException>(() => LambdaArtifacts.Create(options with { LayerSizeBudget = LambdaArtifacts.UnzippedLimit - 100 }, app, Handler, NullBuildLog.Instance));
        Assert.Equal(ErrorCodes.UnzippedSizeLimitExceeded, e.Code);
        Assert.Contains("262,144,000", e.Message);
        Assert.Contains("Largest packages: requests ", e.Message);
        Assert.Contains("(app)", e.Message);
        Assert.Contains("library", e.Message);
        Assert.False(File.Exists(dir.Combine("bin/package.zip")));
    }

    [Fact]
    public void More_entries_than_a_zip_without_ZIP64_holds_is_UVL3001_and_writes_nothing()
    {
        using var dir = new TempDirectory();
        var (app, options) = Project(dir);
        // 65,535 entries is the most a zip without ZIP64 holds; these files alone are one more (their folder is another).
        var many = Directory.CreateDirectory(dir.Combine("obj/site/many")).FullName;
        for (int i = 0; i <= ushort.MaxValue; i++) File.WriteAllBytes(Path.Combine(many, $"f{i}.py"), []);
        var e = Assert.Throws<UvLambdaException>(() => LambdaArtifacts.Create(options, app, Handler, NullBuildLog.Instance));
        Assert.Equal(ErrorCodes.ArchiveTooLarge, e.Code);
        Assert.Contains("LambdaExclude", e.Message);
        Assert.False(File.Exists(dir.Combine("bin/package.zip")));
    }

    [Fact]
    public void A_zip_over_the_direct_upload_limit_is_warning_UVL3003_and_still_written()
    {
        using var dir = new TempDirectory();
        var (app, options) = Project(dir);
        var log = new RecordingLog();
        LambdaArtifacts.Create(options with { DirectUploadLimitBytes = 100 }, app, Handler, log);
        var (code, message) = Assert.Single(log.Warnings);
        Assert.Equal(ErrorCodes.ZipTooLargeForDirectUpload, code);
        Assert.Contains("S3", message);
        Assert.Contains("over the 100 B Lambda accepts", message); // ByteSize's units, as in every message
        Assert.True(File.Exists(dir.Combine("bin/package.zip")));
    }

    [Fact]
    public void The_size_report_lists_every_package_with_its_size_largest_first()
    {
        using var dir = new TempDirectory();
        var (app, options) = Project(dir);
        var log = new RecordingLog();
        var result = LambdaArtifacts.Create(options with { SizeReportPath = dir.Combine("obj/size-report.txt"), LayerSizeBudget = 1000 }, app, Handler, log);
        var lines = File.ReadAllLines(dir.Combine("obj/size-report.txt"));
        Assert.StartsWith("package", lines[0]);
        Assert.StartsWith("requests ", lines[1]);
        Assert.Contains(lines, l => l.StartsWith("(app) ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("(LambdaLayerSizeBudget)", StringComparison.Ordinal) && l.Contains("1,000"));
        Assert.StartsWith("total unzipped", lines[^1]);
        Assert.Contains(result.UnzippedTotal.ToString("N0", System.Globalization.CultureInfo.InvariantCulture), lines[^1]);
        Assert.Contains(log.Infos, i => i.Contains("size report") && i.Contains("requests"));
        Assert.Equal(result.UncompressedBytes + 1000, result.UnzippedTotal);
    }
}
