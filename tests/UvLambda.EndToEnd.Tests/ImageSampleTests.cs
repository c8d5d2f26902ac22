using System.Text.Json.Nodes;
using UvLambda.Core.Tests.Containers;

namespace UvLambda.EndToEnd.Tests;

/// <summary>A docker-registry on 127.0.0.1 holding the synthetic Lambda base image, for the image tests.</summary>
public sealed class ImageRegistry : IDisposable
{
    public ImageRegistry()
    {
        Registry = new LocalRegistry();
        TestBaseImage.PushAsync(Registry.Host, "lambda/python", "3.13", ["amd64", "arm64"]).GetAwaiter().GetResult();
    }

    public LocalRegistry Registry { get; }
    public string Host => Registry.Host;
    public string BaseImage => $"{Host}/lambda/python:3.13";
    public void Dispose() => Registry.Dispose();
}

/// <summary>
/// LambdaPackageType=Image end to end: dotnet build assembles the image, dotnet publish pushes it and writes the
/// archive; skopeo, umoci and python3 check the result independently.
/// </summary>
[Collection(PackedSdkCollection.Name)]
public class ImageSampleTests(PackedSdk sdk, ImageRegistry registry) : IClassFixture<ImageRegistry>
{
    private string[] ImageProperties(string? extra = null) =>
        ["-p:LambdaPackageType=Image", $"-p:ContainerBaseImage={registry.BaseImage}", .. extra is null ? Array.Empty<string>() : [extra]];

    private static string Skopeo(PackedSdk sdk, params string[] args) =>
        sdk.Run("skopeo", sdk.Root, args).EnsureSuccess().StandardOutput;

    private static string Property(ProcessResult r, string name)
    {
        var start = r.StandardOutput.IndexOf('{');
        if (start < 0) return r.StandardOutput.Trim(); // one property: its value alone
        var json = JsonNode.Parse(r.StandardOutput[start..])!;
        return (json["Properties"]?[name] ?? json[name])!.GetValue<string>();
    }

    private string UnpackTaskRoot(string source, params string[] extra)
    {
        var layout = Path.Combine(sdk.Root, "layout-" + Guid.NewGuid().ToString("N")[..8]);
        Skopeo(sdk, ["copy", .. extra, source, $"oci:{layout}:img"]);
        var bundle = Path.Combine(sdk.Root, "bundle-" + Guid.NewGuid().ToString("N")[..8]);
        sdk.Run("umoci", sdk.Root, "unpack", "--image", $"{layout}:img", bundle).EnsureSuccess();
        return Path.Combine(bundle, "rootfs", "var", "task");
    }

    private string Invoke(string taskRoot, string eventFile) => sdk.Run("python3", sdk.Root, "-S", "-c", """
        import importlib, json, sys
        sys.path.insert(0, sys.argv[1])
        print(json.dumps(importlib.import_module("app.main").handler(json.load(open(sys.argv[2])), None), sort_keys=True))
        """, taskRoot, eventFile).EnsureSuccess().StandardOutput.Trim();

    [Fact]
    public void Switching_to_Image_removes_the_zips_an_earlier_build_wrote_and_back_to_Zip_writes_them_again()
    {
        var project = sdk.CopySample("hello");
        var bin = Path.Combine(project, "bin", "Debug");
        sdk.Dotnet(project, "build", "-p:LambdaPackageType=Layer").EnsureSuccess();
        Assert.True(File.Exists(Path.Combine(bin, "app.zip")));

        // A clean Image build writes no zip into bin/, so neither may an incremental one.
        sdk.Dotnet(project, ["build", .. ImageProperties()]).EnsureSuccess();
        Assert.Empty(Directory.Exists(bin) ? Directory.GetFiles(bin, "*", SearchOption.AllDirectories) : []);
        Assert.True(File.Exists(Path.Combine(project, "obj", "Debug", "uvlambda", "image", "image.json")));

        sdk.Dotnet(project, "build").EnsureSuccess();
        Assert.Equal(["package.zip"], Directory.GetFiles(bin).Select(Path.GetFileName));
    }

    [Fact]
    public void Build_assembles_the_image_and_publish_pushes_it_with_the_handler_as_cmd()
    {
        var project = sdk.CopySample("hello");
        var projectFile = Path.Combine(project, "hello.pyproj");
        File.WriteAllText(projectFile, File.ReadAllText(projectFile).Replace("</Project>", """
              <ItemGroup>
                <ContainerEnvironmentVariable Include="POWERTOOLS_SERVICE_NAME" Value="hello" />
                <ContainerLabel Include="org.opencontainers.image.source" Value="https://example.com/hello" />
              </ItemGroup>
            </Project>
            """));
        sdk.Dotnet(project, ["build", .. ImageProperties()]).EnsureSuccess();
        var imageJson = Path.Combine(project, "obj", "Debug", "uvlambda", "image", "image.json");
        Assert.True(File.Exists(imageJson));
        Assert.False(File.Exists(Path.Combine(project, "bin", "Debug", "package.zip")));

        var publish = sdk.Dotnet(project, ["publish", .. ImageProperties(), $"-p:ContainerRegistry={registry.Host}", "-p:ContainerImageTags=v1%3Blatest",
            "-p:ContainerArchiveOutputPath=out/", "-getProperty:GeneratedContainerDigest", "-getProperty:GeneratedContainerReference",
            "-getProperty:GeneratedArchiveOutputPath"]).EnsureSuccess();
        var digest = Property(publish, "GeneratedContainerDigest");
        Assert.StartsWith("sha256:", digest);
        Assert.Equal($"{registry.Host}/hello@{digest}", Property(publish, "GeneratedContainerReference"));
        Assert.Equal(Path.Combine(project, "out", "hello.tar.gz"), Property(publish, "GeneratedArchiveOutputPath"));

        var inspect = JsonNode.Parse(Skopeo(sdk, "inspect", "--tls-verify=false", $"docker://{registry.Host}/hello:v1"))!;
        Assert.Equal(digest, (string?)inspect["Digest"]);
        Assert.Equal("amd64", (string?)inspect["Architecture"]);
        var config = JsonNode.Parse(Skopeo(sdk, "inspect", "--tls-verify=false", "--config", $"docker://{registry.Host}/hello:latest"))!["config"]!;
        Assert.Equal(["app.main.handler"], config["Cmd"]!.AsArray().Select(n => (string)n!));
        Assert.Equal(["/lambda-entrypoint.sh"], config["Entrypoint"]!.AsArray().Select(n => (string)n!));
        Assert.Contains("LAMBDA_TASK_ROOT=/var/task", config["Env"]!.AsArray().Select(n => (string)n!));
        Assert.Contains("POWERTOOLS_SERVICE_NAME=hello", config["Env"]!.AsArray().Select(n => (string)n!));
        Assert.Equal("https://example.com/hello", (string?)config["Labels"]!["org.opencontainers.image.source"]);

        var task = UnpackTaskRoot($"docker://{registry.Host}/hello:v1", "--src-tls-verify=false");
        Assert.Equal("""{"body": "Hello, world!", "statusCode": 200}""", Invoke(task, Path.Combine(project, "events", "get.json")));

        // The archive loads (skopeo reads the uncompressed tar; docker load reads either).
        sdk.Run("gzip", project, "-dk", Path.Combine(project, "out", "hello.tar.gz")).EnsureSuccess();
        var fromArchive = UnpackTaskRoot($"docker-archive:{Path.Combine(project, "out", "hello.tar")}");
        Assert.True(File.Exists(Path.Combine(fromArchive, "app", "main.py")));

        // Publishing again with nothing changed pushes nothing.
        var again = sdk.Dotnet(project, ["publish", .. ImageProperties(), $"-p:ContainerRegistry={registry.Host}", "-p:ContainerImageTags=v1%3Blatest"]).EnsureSuccess();
        Assert.Contains("nothing to push", again.Output);
    }

    [Fact]
    public void The_workspace_sample_ships_its_member_in_the_dependencies_layer_and_digests_are_reproducible()
    {
        var first = sdk.CopySample("workspace");
        var second = sdk.CopySample("workspace");
        var digests = new List<string>();
        foreach (var project in new[] { first, second })
        {
            var r = sdk.Dotnet(project, ["publish", .. ImageProperties(), $"-p:ContainerRegistry={registry.Host}", "-p:ContainerRepository=samples/workspace",
                "-p:ContainerImageTag=repro", "-getProperty:GeneratedContainerDigest"]).EnsureSuccess();
            digests.Add(Property(r, "GeneratedContainerDigest"));
        }
        Assert.Equal(digests[0], digests[1]);
        var task = UnpackTaskRoot($"docker://{registry.Host}/samples/workspace:repro", "--src-tls-verify=false");
        Assert.True(Directory.Exists(Path.Combine(task, "library")));
        var result = JsonNode.Parse(Invoke(task, Path.Combine(first, "events", "get.json")))!;
        Assert.Equal(200, (int)result["statusCode"]!);

        // An app-only change: only the top layer (and config, manifest) change.
        var manifestBefore = JsonNode.Parse(Skopeo(sdk, "inspect", "--tls-verify=false", "--raw", $"docker://{registry.Host}/samples/workspace:repro"))!;
        File.AppendAllText(Path.Combine(first, "app", "main.py"), "\n# changed\n");
        sdk.Dotnet(first, ["publish", .. ImageProperties(), $"-p:ContainerRegistry={registry.Host}", "-p:ContainerRepository=samples/workspace",
            "-p:ContainerImageTag=changed"]).EnsureSuccess();
        var manifestAfter = JsonNode.Parse(Skopeo(sdk, "inspect", "--tls-verify=false", "--raw", $"docker://{registry.Host}/samples/workspace:changed"))!;
        var before = manifestBefore["layers"]!.AsArray().Select(l => (string)l!["digest"]!).ToList();
        var after = manifestAfter["layers"]!.AsArray().Select(l => (string)l!["digest"]!).ToList();
        Assert.Equal(before.Take(2), after.Take(2));
        Assert.NotEqual(before[2], after[2]);
    }

    [Fact]
    public void Settings_errors_are_coded()
    {
        var project = sdk.CopySample("hello");
        var noDestination = sdk.Dotnet(project, ["publish", .. ImageProperties()]);
        Assert.NotEqual(0, noDestination.ExitCode);
        Assert.Contains("error UVL3110", noDestination.Output);

        var wrongArch = sdk.Dotnet(project, ["build", .. ImageProperties("-p:LambdaArchitecture=arm64"), $"-p:ContainerBaseImage={registry.Host}/lambda/python@sha256:{new string('0', 64)}"]);
        Assert.NotEqual(0, wrongArch.ExitCode);
        Assert.Contains("error UVL3106", wrongArch.Output);

        var badFormat = sdk.Dotnet(project, ["build", .. ImageProperties("-p:ContainerImageFormat=zip")]);
        Assert.Contains("error UVL3109", badFormat.Output);
        Assert.DoesNotContain("   at ", badFormat.Output);
    }
}
