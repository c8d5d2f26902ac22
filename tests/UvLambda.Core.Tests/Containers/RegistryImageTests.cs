using System.Security.Cryptography;
using System.Text.Json.Nodes;
using UvLambda.Core.Containers;
using UvLambda.Core.Diagnostics;
using static UvLambda.Core.Tests.Containers.ContainerTestSupport;

namespace UvLambda.Core.Tests.Containers;

/// <summary>Builds, pushes and archives images against a real docker-registry, checked with skopeo, umoci and python3.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public class RegistryImageTests(RegistryWithBase fixture) : IClassFixture<RegistryWithBase>
{
    private string Host => fixture.Host;
    private static string[] NoTls => ["--tls-verify=false"];

    private RegistryClient Client(RecordingLog? log = null, RegistryClientOptions? options = null) =>
        new(Host, new CredentialChain([]), options ?? FastRetries, log);

    [Fact]
    public async Task Built_and_pushed_image_has_the_lambda_config_and_runs_the_handler_from_var_task()
    {
        using var dir = new TempDirectory();
        var cache = new BlobStore(dir.Combine("cache"));
        var image = await BuildAsync(Request(fixture.Base(), dir, "image", WriteApp(dir)), Host, cache);
        using var client = Client();
        var result = await ImagePusher.PushAsync(image, dir.Combine("image"), client, "hello", ["latest", "v1"], () => Client(), cache, NullBuildLog.Instance);
        Assert.Equal(image.ManifestDigest, result.Digest);
        Assert.Equal($"{Host}/hello@{image.ManifestDigest}", result.Reference);
        Assert.Equal(1, result.BlobsMounted); // the base layer, from lambda/python on the same registry

        var config = JsonNode.Parse(Skopeo(["inspect", .. NoTls, "--config", $"docker://{Host}/hello:latest"]))!;
        Assert.Equal("amd64", (string?)config["architecture"]);
        Assert.Equal("1970-01-01T00:00:00Z", (string?)config["created"]);
        Assert.Equal(["app.main.handler"], config["config"]!["Cmd"]!.AsArray().Select(n => (string)n!));
        Assert.Equal(["/lambda-entrypoint.sh"], config["config"]!["Entrypoint"]!.AsArray().Select(n => (string)n!));
        Assert.Equal("/var/task", (string?)config["config"]!["WorkingDir"]);
        var env = config["config"]!["Env"]!.AsArray().Select(n => (string)n!).ToList();
        Assert.Contains("LAMBDA_TASK_ROOT=/var/task", env);
        Assert.Contains(env, e => e.StartsWith("PATH=/var/lang/bin"));
        Assert.Contains("GREETING_STYLE=plain", env);
        Assert.Contains("LANG=C.UTF-8", env);
        Assert.DoesNotContain("LANG=en_US.UTF-8", env);
        Assert.Equal("lambda", (string?)config["config"]!["Labels"]!["team"]);
        Assert.Equal(3, config["rootfs"]!["diff_ids"]!.AsArray().Count);
        Assert.Equal(3, config["history"]!.AsArray().Count);

        var raw = JsonNode.Parse(Skopeo(["inspect", .. NoTls, "--raw", $"docker://{Host}/hello:v1"]))!;
        Assert.Equal(MediaTypes.DockerManifest, (string?)raw["mediaType"]);
        Assert.Equal(3, raw["layers"]!.AsArray().Count);

        var rootfs = CopyAndUnpack($"docker://{Host}/hello:latest", dir, "--src-tls-verify=false");
        Assert.True(File.Exists(Path.Combine(rootfs, "lambda-entrypoint.sh")));
        var task = Path.Combine(rootfs, "var", "task");
        Assert.Equal("644", Octal(Path.Combine(task, "app", "main.py")));
        Assert.Equal("644", Octal(Path.Combine(task, "dep", "__init__.py")));
        Assert.Equal("755", Octal(Path.Combine(task, "bin", "dep-tool")));
        Assert.Equal("755", Octal(Path.Combine(task, "app")));
        Assert.Equal("""{"body": "Hello, world", "statusCode": 200}""", InvokeHandler(task));
    }

    [Fact]
    public async Task Same_inputs_give_the_same_digests_and_an_app_change_replaces_only_the_top_layer()
    {
        using var a = new TempDirectory();
        using var b = new TempDirectory();
        var cache = new BlobStore(a.Combine("cache"));
        var first = await BuildAsync(Request(fixture.Base(), a, "image", WriteApp(a)), Host, cache);
        var filesB = WriteApp(b);
        foreach (var f in filesB.App.Concat(filesB.Deps)) File.SetLastWriteTimeUtc(f.SourceFile!, DateTime.UtcNow.AddDays(-3));
        var second = await BuildAsync(Request(fixture.Base(), b, "image", filesB), Host, new BlobStore(b.Combine("cache")));
        Assert.Equal(first.ManifestDigest, second.ManifestDigest);
        Assert.Equal(first.ConfigDigest, second.ConfigDigest);

        using (var client = Client())
            await ImagePusher.PushAsync(first, a.Combine("image"), client, "same", ["latest"], () => Client(), cache, NullBuildLog.Instance);

        // An app-only change: the base and dependency layers keep their digests, the top layer changes.
        var changed = await BuildAsync(Request(fixture.Base(), a, "image", WriteApp(a, greeting: "Howdy")), Host, cache);
        Assert.Equal(first.Layers.Take(2).Select(l => l.Digest), changed.Layers.Take(2).Select(l => l.Digest));
        Assert.NotEqual(first.Layers[2].Digest, changed.Layers[2].Digest);
        using (var client = Client())
        {
            var push = await ImagePusher.PushAsync(changed, a.Combine("image"), client, "same", ["latest"], () => Client(), cache, NullBuildLog.Instance);
            Assert.Equal(2, push.BlobsUploaded); // app layer + config
            Assert.Equal(2, push.BlobsSkipped); // base + dependencies
            Assert.Equal(changed.Layers[2].Size + changed.ConfigSize, push.UploadedBytes);
        }
    }

    [Fact]
    public async Task Pushing_again_unchanged_makes_only_manifest_requests_and_uploads_nothing()
    {
        using var dir = new TempDirectory();
        var cache = new BlobStore(dir.Combine("cache"));
        var image = await BuildAsync(Request(fixture.Base(), dir, "image", WriteApp(dir)), Host, cache);
        using (var client = Client())
            await ImagePusher.PushAsync(image, dir.Combine("image"), client, "again", ["latest"], () => Client(), cache, NullBuildLog.Instance);
        using var second = Client();
        var result = await ImagePusher.PushAsync(image, dir.Combine("image"), second, "again", ["latest"], () => Client(), cache, NullBuildLog.Instance);
        Assert.True(result.WasUpToDate);
        Assert.Equal(0, second.Stats.UploadedBytes);
        Assert.Equal(0, second.Stats.BlobRequests);
        Assert.Equal(second.Stats.Requests, second.Stats.ManifestRequests);

        // A new tag of the same image: manifests only, no blob bytes.
        using var third = Client();
        var retag = await ImagePusher.PushAsync(image, dir.Combine("image"), third, "again", ["latest", "v2"], () => Client(), cache, NullBuildLog.Instance);
        Assert.Equal(0, third.Stats.UploadedBytes);
        Assert.Equal(0, third.Stats.BlobRequests);
        Assert.Equal(image.ManifestDigest, JsonNode.Parse(Skopeo(["inspect", .. NoTls, $"docker://{Host}/again:v2"]))!["Digest"]!.GetValue<string>());
    }

    [Fact]
    public async Task Chunked_uploads_of_at_least_5_MiB_arrive_intact_and_base_layers_cross_registries_through_the_cache()
    {
        using var dir = new TempDirectory();
        var cache = new BlobStore(dir.Combine("cache"));
        var big = RandomNumberGenerator.GetBytes(11 << 20); // incompressible: three PATCHes of 5 MiB, 5 MiB, 1 MiB
        var image = await BuildAsync(Request(fixture.Base(), dir, "image", WriteApp(dir, bigDependency: big)), Host, cache);
        using var other = new LocalRegistry();
        var log = new RecordingLog();
        using var client = new RegistryClient(other.Host, new CredentialChain([]), FastRetries with { ChunkedUpload = true, ChunkSize = 5 << 20 }, log);
        var result = await ImagePusher.PushAsync(image, dir.Combine("image"), client, "chunked", ["latest"], () => Client(), cache, log);
        Assert.Equal(4, result.BlobsUploaded); // base (downloaded into the cache), deps, app, config
        Assert.True(client.Stats.UploadedBytes > 11 << 20);
        Assert.Contains(log.Messages, m => m.StartsWith("PATCH "));
        Assert.NotNull(cache.TryGet(image.Layers[0].Digest));
        var rootfs = CopyAndUnpack($"docker://{other.Host}/chunked:latest", dir, "--src-tls-verify=false");
        Assert.Equal(big, File.ReadAllBytes(Path.Combine(rootfs, "var", "task", "dep", "blob.bin")));
    }

    [Fact]
    public async Task Arm64_picks_the_arm64_image_from_the_index_and_skips_the_attestation()
    {
        using var dir = new TempDirectory();
        var log = new RecordingLog();
        var image = await BuildAsync(Request(fixture.Base(), dir, "image", WriteApp(dir), architecture: "arm64"), Host, new BlobStore(dir.Combine("cache")), log);
        var config = JsonNode.Parse(File.ReadAllBytes(BuiltImage.BlobPath(dir.Combine("image"), image.ConfigDigest)))!;
        Assert.Equal("arm64", (string?)config["architecture"]);
    }

    [Fact]
    public async Task A_base_image_for_another_architecture_is_an_error()
    {
        using var dir = new TempDirectory();
        var cache = new BlobStore(dir.Combine("cache"));
        var single = await Assert.ThrowsAsync<UvLambdaException>(() =>
            BuildAsync(Request(fixture.Base("3.13-amd64-only"), dir, "image", WriteApp(dir), architecture: "arm64"), Host, cache));
        Assert.Equal(ErrorCodes.BaseImageArchitectureMismatch, single.Code);
        Assert.Contains("linux/amd64", single.Message);
        var index = await Assert.ThrowsAsync<UvLambdaException>(() =>
            BuildAsync(Request(fixture.Base("3.13-index-amd64"), dir, "image", WriteApp(dir), architecture: "arm64"), Host, cache));
        Assert.Equal(ErrorCodes.BaseImagePlatformMissing, index.Code);
        var missing = await Assert.ThrowsAsync<UvLambdaException>(() =>
            BuildAsync(Request(fixture.Base("9.99"), dir, "image", WriteApp(dir)), Host, cache));
        Assert.Equal(ErrorCodes.ImageNotFound, missing.Code);
    }

    [Fact]
    public async Task Base_manifests_and_configs_come_from_the_cache_when_the_digest_is_pinned()
    {
        using var dir = new TempDirectory();
        var cache = new BlobStore(dir.Combine("cache"));
        var pinned = ImageReference.Parse($"{Host}/lambda/python@{fixture.BaseDigest}");
        await BuildAsync(Request(pinned, dir, "image", WriteApp(dir)), Host, cache);
        var log = new RecordingLog();
        using var client = new RegistryClient(Host, new CredentialChain([]), FastRetries, log);
        await ImageBuilder.BuildAsync(Request(pinned, dir, "image2", WriteApp(dir)), client, cache, log);
        Assert.Equal(0, client.Stats.Requests);
    }

    [Theory]
    [InlineData(ImageFormat.Docker, "image.tar", "docker-archive")]
    [InlineData(ImageFormat.Docker, "image.tar.gz", "docker-archive")]
    [InlineData(ImageFormat.Oci, "image.tar", "oci-archive")]
    [InlineData(ImageFormat.Oci, "image.tar", "docker-archive")]
    public async Task The_archive_loads_with_skopeo_and_is_deterministic(ImageFormat format, string fileName, string transport)
    {
        using var dir = new TempDirectory();
        var cache = new BlobStore(dir.Combine("cache"));
        var image = await BuildAsync(Request(fixture.Base(), dir, "image", WriteApp(dir), format: format), Host, cache);
        var archive = dir.Combine(fileName);
        await ImageArchive.WriteAsync(image, dir.Combine("image"), archive, [$"{Host}/hello:latest"], () => Client(), cache, 0);
        var again = dir.Combine("again-" + fileName);
        await ImageArchive.WriteAsync(image, dir.Combine("image"), again, [$"{Host}/hello:latest"], () => Client(), cache, 0);
        Assert.Equal(File.ReadAllBytes(archive), File.ReadAllBytes(again));

        if (fileName.EndsWith(".gz"))
        {
            // docker load reads gzipped archives; skopeo 1.9 does not, so check the gzip with gzip and read the tar.
            var (exit, _, error) = Install.ToolProcess.Run("gzip", "-dk", archive);
            Assert.True(exit == 0, error);
            archive = archive[..^3];
        }
        var raw = JsonNode.Parse(Skopeo("inspect", "--raw", $"{transport}:{archive}"))!;
        if (transport == "oci-archive")
        {
            Assert.Equal(MediaTypes.OciManifest, (string?)raw["mediaType"]);
            Assert.Equal(image.ManifestDigest, Digests.Of(System.Text.Encoding.UTF8.GetBytes(Skopeo("inspect", "--raw", $"{transport}:{archive}"))));
        }
        var rootfs = CopyAndUnpack($"{transport}:{archive}", dir);
        Assert.Equal("""{"body": "Hello, world", "statusCode": 200}""", InvokeHandler(Path.Combine(rootfs, "var", "task")));
    }

    [Fact]
    public async Task Oci_format_pushes_an_oci_manifest()
    {
        using var dir = new TempDirectory();
        var cache = new BlobStore(dir.Combine("cache"));
        var image = await BuildAsync(Request(fixture.Base(), dir, "image", WriteApp(dir), format: ImageFormat.Oci), Host, cache);
        using var client = Client();
        await ImagePusher.PushAsync(image, dir.Combine("image"), client, "oci", ["latest"], () => Client(), cache, NullBuildLog.Instance);
        var raw = JsonNode.Parse(Skopeo(["inspect", .. NoTls, "--raw", $"docker://{Host}/oci:latest"]))!;
        Assert.Equal(MediaTypes.OciManifest, (string?)raw["mediaType"]);
        Assert.All(raw["layers"]!.AsArray(), l => Assert.Equal(MediaTypes.OciLayerGzip, (string?)l!["mediaType"]));
        Assert.Equal(MediaTypes.OciConfig, (string?)raw["config"]!["mediaType"]);
    }
}
