using System.Text;
using UvLambda.Core.Archives;
using UvLambda.Core.Containers;
using UvLambda.Core.Diagnostics;
using UvLambda.Core.Tests.Install;
using UvLambda.Core.Artifacts;

namespace UvLambda.Core.Tests.Containers;

/// <summary>A log that keeps everything, to assert on messages (and that secrets never appear).</summary>
public sealed class RecordingLog : IBuildLog
{
    public List<string> Messages { get; } = [];
    public void Info(string message) { lock (Messages) Messages.Add(message); }
    public void Detail(string message) { lock (Messages) Messages.Add(message); }
    public void Warning(string code, string message, string? file = null, int line = 0, int column = 0) { lock (Messages) Messages.Add(code + ": " + message); }
    public string All { get { lock (Messages) return string.Join("\n", Messages); } }
}

/// <summary>A registry with the synthetic base image at lambda/python:3.13 (amd64 + arm64 index) for a test class.</summary>
public sealed class RegistryWithBase : IDisposable
{
    public RegistryWithBase()
    {
        Registry = new LocalRegistry();
        BaseDigest = TestBaseImage.PushAsync(Registry.Host, "lambda/python", "3.13", ["amd64", "arm64"]).GetAwaiter().GetResult();
        TestBaseImage.PushAsync(Registry.Host, "lambda/python", "3.13-amd64-only", ["amd64"], asIndex: false).GetAwaiter().GetResult();
        TestBaseImage.PushAsync(Registry.Host, "lambda/python", "3.13-index-amd64", ["amd64"]).GetAwaiter().GetResult();
    }

    public LocalRegistry Registry { get; }
    public string BaseDigest { get; }
    public string Host => Registry.Host;
    public ImageReference Base(string tag = "3.13") => ImageReference.Parse($"{Host}/lambda/python:{tag}");
    public void Dispose() => Registry.Dispose();
}

/// <summary>Small Lambda apps on disk, and the calls the tests make to build and check images.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public static class ContainerTestSupport
{
    public static readonly RegistryClientOptions FastRetries = new() { FirstRetryDelay = TimeSpan.FromMilliseconds(50) };

    public static (List<ArchiveEntry> Deps, List<ArchiveEntry> App) WriteApp(TempDirectory dir, string greeting = "Hello", byte[]? bigDependency = null)
    {
        var handler = dir.WriteFile("app/app/main.py", $$"""
            import dep

            def handler(event, context):
                return {"statusCode": 200, "body": "{{greeting}}, " + dep.NAME}
            """);
        var init = dir.WriteFile("app/app/__init__.py", "");
        var depInit = dir.WriteFile("site/dep/__init__.py", "NAME = 'world'\n");
        var tool = dir.WriteFile("site/bin/dep-tool", "#!/bin/sh\necho tool\n");
        File.SetUnixFileMode(tool, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        if (bigDependency is not null)
        {
            Directory.CreateDirectory(dir.Combine("site", "dep"));
            File.WriteAllBytes(dir.Combine("site", "dep", "blob.bin"), bigDependency);
        }
        var deps = FunctionPackage.SiteEntries(dir.Combine("site")).ToList();
        var app = new List<ArchiveEntry> { ArchiveEntry.FromFile("app/main.py", handler, 0x1A4), ArchiveEntry.FromFile("app/__init__.py", init, 0x1A4) };
        return (deps, app);
    }

    public static ImageBuildRequest Request(ImageReference baseImage, TempDirectory dir, string output, (List<ArchiveEntry> Deps, List<ArchiveEntry> App) files,
        string architecture = "x86_64", ImageFormat format = ImageFormat.Docker) => new()
    {
        BaseImage = baseImage,
        Architecture = architecture,
        Format = format,
        DependencyFiles = files.Deps,
        AppFiles = files.App,
        Handler = "app.main.handler",
        Environment = [new("GREETING_STYLE", "plain"), new("LANG", "C.UTF-8")],
        Labels = [new("org.opencontainers.image.title", "test"), new("team", "lambda")],
        OutputDirectory = dir.Combine(output),
    };

    public static async Task<BuiltImage> BuildAsync(ImageBuildRequest request, string registry, BlobStore cache, IBuildLog? log = null,
        IRegistryCredentialProvider? credentials = null)
    {
        using var client = new RegistryClient(registry, credentials ?? new CredentialChain([]), FastRetries, log);
        return await ImageBuilder.BuildAsync(request, client, cache, log ?? NullBuildLog.Instance);
    }

    public static string Skopeo(params string[] args)
    {
        var (exit, output, error) = ToolProcess.Run("skopeo", args);
        Assert.True(exit == 0, $"skopeo {string.Join(' ', args)} failed: {error}");
        return output;
    }

    /// <summary>skopeo copy into an OCI layout (which re-verifies every digest), then umoci unpack; returns the rootfs.</summary>
    public static string CopyAndUnpack(string source, TempDirectory dir, params string[] extra)
    {
        var layout = dir.Combine("layout-" + Guid.NewGuid().ToString("N")[..6]);
        Skopeo(["copy", .. extra, source, $"oci:{layout}:img"]);
        var bundle = dir.Combine("bundle-" + Guid.NewGuid().ToString("N")[..6]);
        var (exit, _, error) = ToolProcess.Run("umoci", "unpack", "--image", $"{layout}:img", bundle);
        Assert.True(exit == 0, "umoci unpack failed: " + error);
        return Path.Combine(bundle, "rootfs");
    }

    public static string InvokeHandler(string taskRoot) =>
        ToolProcess.PythonWithPath(taskRoot, "import json, app.main; print(json.dumps(app.main.handler({}, None), sort_keys=True))");

    public static string Octal(string path) => Convert.ToString((int)File.GetUnixFileMode(path), 8);
}
