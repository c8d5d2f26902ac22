using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using UvLambda.Core.Containers;
using UvLambda.Core.Diagnostics;
using UvLambda.Core.Tests.Install;
using Xunit.Abstractions;

namespace UvLambda.Core.Tests.Containers;

/// <summary>
/// Base-image documents from a hostile registry (127.0.0.1, in process): index, manifest and config JSON that is garbage,
/// truncated, of the wrong shape or with fields of the wrong type. Resolving the base image must succeed or fail with a
/// UVL code (not the internal-error code); nothing else may escape. Seeded like <see cref="HostileWheelTests"/>.
/// </summary>
public sealed class HostileImageDocumentTests : IDisposable
{
    private const string Repository = "test/base";
    private readonly HttpListener _listener;
    private readonly int _port;
    private Dictionary<string, (byte[] Body, string Type)> _routes = [];

    /// <summary>Paths whose answer declares more bytes than it sends, then drops the connection.</summary>
    private HashSet<string> _cutShort = [];

    private static HttpListener Start(out int port)
    {
        for (var attempt = 0; ; attempt++)
        {
            port = LocalRegistry.FreePort();
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                listener.Start();
                return listener;
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                listener.Close();
            }
        }
    }

    private readonly ITestOutputHelper _output;

    public HostileImageDocumentTests(ITestOutputHelper output)
    {
        _output = output;
        _listener = Start(out _port);
    }

    public void Dispose() => _listener.Close();

    private async Task ServeAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync().WaitAsync(ct); }
            catch (Exception) when (ct.IsCancellationRequested || !_listener.IsListening) { return; }
            var path = context.Request.Url!.AbsolutePath;
            var routes = Volatile.Read(ref _routes);
            if (routes.TryGetValue(path, out var answer))
            {
                context.Response.StatusCode = 200;
                context.Response.ContentType = answer.Type;
                context.Response.Headers["Docker-Content-Digest"] = Digests.Of(answer.Body);
                if (Volatile.Read(ref _cutShort).Contains(path))
                {
                    context.Response.ContentLength64 = answer.Body.Length + 1000;
                    await context.Response.OutputStream.WriteAsync(answer.Body, ct);
                    await context.Response.OutputStream.FlushAsync(ct);
                    context.Response.Abort();
                    continue;
                }
                if (context.Request.HttpMethod != "HEAD")
                    await context.Response.OutputStream.WriteAsync(answer.Body, ct);
            }
            else
            {
                context.Response.StatusCode = 404;
            }
            context.Response.Close();
        }
    }

    private static byte[] Bytes(JsonNode node) => Encoding.UTF8.GetBytes(node.ToJsonString());

    private static JsonObject Config() => new()
    {
        ["architecture"] = "amd64", ["os"] = "linux",
        ["config"] = new JsonObject { ["Env"] = new JsonArray("PATH=/usr/bin"), ["Entrypoint"] = new JsonArray("/lambda-entrypoint.sh") },
        ["rootfs"] = new JsonObject { ["type"] = "layers", ["diff_ids"] = new JsonArray("sha256:" + new string('1', 64)) },
    };

    private static JsonObject Manifest(byte[] config) => new()
    {
        ["schemaVersion"] = 2, ["mediaType"] = MediaTypes.OciManifest,
        ["config"] = new JsonObject { ["mediaType"] = MediaTypes.OciConfig, ["digest"] = Digests.Of(config), ["size"] = config.Length },
        ["layers"] = new JsonArray(new JsonObject { ["mediaType"] = MediaTypes.OciLayerGzip, ["digest"] = "sha256:" + new string('2', 64), ["size"] = 1234 }),
    };

    private static JsonObject Index(byte[] manifest) => new()
    {
        ["schemaVersion"] = 2, ["mediaType"] = MediaTypes.OciIndex,
        ["manifests"] = new JsonArray(
            new JsonObject { ["mediaType"] = MediaTypes.OciManifest, ["digest"] = "sha256:" + new string('3', 64), ["size"] = 10, ["platform"] = new JsonObject { ["os"] = "linux", ["architecture"] = "arm64" } },
            new JsonObject { ["mediaType"] = MediaTypes.OciManifest, ["digest"] = Digests.Of(manifest), ["size"] = manifest.Length, ["platform"] = new JsonObject { ["os"] = "linux", ["architecture"] = "amd64" } }),
    };

    /// <summary>One random damage to a JSON document: whole-text garbage, or one value removed or replaced by another type.</summary>
    internal static (string Name, byte[] Bytes) MutateJson(JsonObject document, Random rng)
    {
        var text = document.ToJsonString();
        switch (rng.Next(10))
        {
            case 0: return ("truncated", Encoding.UTF8.GetBytes(text[..rng.Next(text.Length)]));
            case 1: return ("not-an-object", Encoding.UTF8.GetBytes(new[] { "null", "[]", "42", "\"x\"", "true", "", "[{}]" }[rng.Next(7)]));
            case 2: { var garbage = new byte[rng.Next(1, 200)]; rng.NextBytes(garbage); return ("garbage", garbage); }
            case 3: return ("too-deep", Encoding.UTF8.GetBytes(new string('[', 5000) + new string(']', 5000)));
            default:
            {
                var copy = JsonNode.Parse(text)!.AsObject();
                var places = new List<(JsonNode Parent, object Key)>();
                void Walk(JsonNode node)
                {
                    if (node is JsonObject o)
                        foreach (var (k, v) in o.ToList()) { places.Add((o, k)); if (v is not null) Walk(v); }
                    else if (node is JsonArray a)
                        for (var i = 0; i < a.Count; i++) { places.Add((a, i)); if (a[i] is { } v) Walk(v); }
                }
                Walk(copy);
                var (parent, key) = places[rng.Next(places.Count)];
                JsonNode? replacement = rng.Next(9) switch
                {
                    0 => null,
                    1 => JsonValue.Create(42),
                    2 => JsonValue.Create(-1L),
                    3 => JsonValue.Create(long.MaxValue),
                    4 => JsonValue.Create(1.5e300),
                    5 => JsonValue.Create("../../etc/passwd"),
                    6 => new JsonArray(1, "x"),
                    7 => new JsonObject { ["k"] = true },
                    _ => JsonValue.Create(false),
                };
                var remove = rng.Next(5) == 0;
                if (parent is JsonObject po)
                {
                    if (remove) po.Remove((string)key); else po[(string)key] = replacement;
                }
                else if (parent is JsonArray pa)
                {
                    if (remove) pa.RemoveAt((int)key); else pa[(int)key] = replacement;
                }
                var where = key is string s ? s : $"[{key}]";
                return ($"{(remove ? "removed" : "replaced")}:{where}={replacement?.ToJsonString() ?? "null"}", Bytes(copy));
            }
        }
    }

    [Fact]
    public async Task Every_damaged_index_manifest_or_config_resolves_or_fails_with_a_coded_error()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var server = ServeAsync(cts.Token);
        using var dir = new TempDirectory();
        var seed = HostileWheelTests.Seed;
        var count = HostileWheelTests.Count;
        _output.WriteLine($"seed {seed} (UVLAMBDA_FUZZ_SEED), {count} variants");
        var rng = new Random(seed);
        var config = Bytes(Config());
        var manifest = Bytes(Manifest(config));
        var index = Bytes(Index(manifest));
        var outcomes = new Dictionary<string, int>(StringComparer.Ordinal);
        var bugs = new List<string>();
        using var client = new RegistryClient($"127.0.0.1:{_port}", new CredentialChain([]),
            new RegistryClientOptions { Attempts = 1, FirstRetryDelay = TimeSpan.FromMilliseconds(1) }, new RecordingLog());

        for (var n = 0; n < count; n++)
        {
            var target = rng.Next(3);
            var asJson = rng.Next(3) == 0; // served as application/json: the client reads the media type from the body
            var routes = new Dictionary<string, (byte[], string)>(StringComparer.Ordinal);
            string variant;
            if (target == 0)
            {
                var (name, bad) = MutateJson(Index(manifest), rng);
                variant = "index:" + name;
                routes[$"/v2/{Repository}/manifests/tag"] = (bad, asJson ? "application/json" : MediaTypes.OciIndex);
                routes[$"/v2/{Repository}/manifests/{Digests.Of(manifest)}"] = (manifest, MediaTypes.OciManifest);
                routes[$"/v2/{Repository}/blobs/{Digests.Of(config)}"] = (config, MediaTypes.OciConfig);
            }
            else if (target == 1)
            {
                var (name, bad) = MutateJson(Manifest(config), rng);
                variant = "manifest:" + name;
                routes[$"/v2/{Repository}/manifests/tag"] = (bad, asJson ? "application/json" : MediaTypes.OciManifest);
                routes[$"/v2/{Repository}/blobs/{Digests.Of(config)}"] = (config, MediaTypes.OciConfig);
            }
            else
            {
                var (name, bad) = MutateJson(Config(), rng);
                variant = "config:" + name;
                var pointing = Bytes(Manifest(bad));
                routes[$"/v2/{Repository}/manifests/tag"] = (pointing, MediaTypes.OciManifest);
                routes[$"/v2/{Repository}/blobs/{Digests.Of(bad)}"] = (bad, MediaTypes.OciConfig);
            }
            Volatile.Write(ref _routes, routes);

            string outcome;
            try
            {
                var cache = new BlobStore(dir.Combine("cache" + n));
                var resolved = await BaseImage.ResolveAsync(client, ImageReference.Parse($"127.0.0.1:{_port}/{Repository}:tag"), "x86_64", cache, new RecordingLog(), cts.Token);
                Assert.Equal(resolved.ConfigDigest, Digests.Of(resolved.Config));
                outcome = "resolved";
            }
            catch (UvLambdaException e)
            {
                outcome = e.Code;
                if (e.Code == ErrorCodes.InternalError || !e.Code.StartsWith("UVL3", StringComparison.Ordinal) && e.Code != ErrorCodes.InvalidArchitecture)
                    bugs.Add($"{variant}: {e.Code} {e.Message}");
            }
            catch (Exception e)
            {
                outcome = e.GetType().Name;
                bugs.Add($"{variant}: unexpected {e.GetType().FullName}: {e.Message}");
            }
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        }
        cts.Cancel();
        await server;
        _output.WriteLine(string.Join("\n", outcomes.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => $"{o.Key}: {o.Value}")));
        Assert.True(bugs.Count == 0, $"seed {seed}: {bugs.Count} variant(s) not handled:\n" + string.Join("\n", bugs.Take(20)));
        Assert.True(outcomes.GetValueOrDefault(ErrorCodes.InvalidImageDocument) > 0, "no variant reached the UVL3113 boundary");
        Assert.True(outcomes.GetValueOrDefault("resolved") > 0, "no variant resolved: the fixture's valid documents are wrong");
    }

    [Theory]
    [InlineData("")]
    [InlineData("{\"Format\": 0, \"ManifestDigest\": \"sha256:")]
    [InlineData("null")]
    [InlineData("[1, 2]")]
    [InlineData("{\"Format\": \"Docker\"}")]
    [InlineData("{\"Layers\": [null], \"ManifestDigest\": \"x\"}")]
    [InlineData("{\"ManifestSize\": \"big\"}")]
    public void A_damaged_image_json_under_obj_is_UVL3112_saying_to_rebuild(string text)
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.Combine(BuiltImage.FileName), text);
        var e = Assert.Throws<UvLambdaException>(() => BuiltImage.Load(dir.Path));
        Assert.Equal(ErrorCodes.ImageNotBuilt, e.Code);
        Assert.Contains("Rebuild", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_schema_1_manifest_or_an_index_entry_that_is_not_a_manifest_is_UVL3108()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var server = ServeAsync(cts.Token);
        using var dir = new TempDirectory();
        using var client = new RegistryClient($"127.0.0.1:{_port}", new CredentialChain([]),
            new RegistryClientOptions { Attempts = 1, FirstRetryDelay = TimeSpan.FromMilliseconds(1) }, new RecordingLog());
        var reference = ImageReference.Parse($"127.0.0.1:{_port}/{Repository}:tag");
        var config = Bytes(Config());
        var manifest = Bytes(Manifest(config));
        // An index whose linux/amd64 entry is itself an index (a nested index is not an image manifest).
        var nested = Bytes(Index(manifest));
        var outer = Bytes(new JsonObject
        {
            ["schemaVersion"] = 2, ["mediaType"] = MediaTypes.OciIndex,
            ["manifests"] = new JsonArray(new JsonObject { ["mediaType"] = MediaTypes.OciManifest, ["digest"] = Digests.Of(nested), ["size"] = nested.Length, ["platform"] = new JsonObject { ["os"] = "linux", ["architecture"] = "amd64" } }),
        });
        var cases = new (string Name, Dictionary<string, (byte[], string)> Routes, string Says)[]
        {
            ("schema 1", new() { [$"/v2/{Repository}/manifests/tag"] = ("{\"schemaVersion\": 1}"u8.ToArray(), "application/vnd.docker.distribution.manifest.v1+prettyjws") },
                "manifest.v1+prettyjws"),
            ("nested index", new()
            {
                [$"/v2/{Repository}/manifests/tag"] = (outer, MediaTypes.OciIndex),
                [$"/v2/{Repository}/manifests/{Digests.Of(nested)}"] = (nested, MediaTypes.OciIndex),
            }, "not an image manifest"),
        };
        foreach (var (name, routes, says) in cases)
        {
            Volatile.Write(ref _routes, routes);
            var e = await Assert.ThrowsAsync<UvLambdaException>(() =>
                BaseImage.ResolveAsync(client, reference, "x86_64", new BlobStore(dir.Combine("cache-" + name.Replace(' ', '-'))), new RecordingLog(), cts.Token));
            Assert.True(e.Code == ErrorCodes.UnsupportedImageMediaType, $"{name}: {e.Code} {e.Message}");
            Assert.Contains(says, e.Message, StringComparison.Ordinal);
        }
        cts.Cancel();
        await server;
    }

    [Fact]
    public async Task A_truncated_or_damaged_layer_blob_is_a_coded_error_and_leaves_nothing_in_the_cache()
    {
        // Layers are never unpacked: they are checked against their digest, so a truncated gzip or a damaged tar is caught
        // there (UVL3107), and a body cut short is a failed request (UVL3105); the cache keeps neither.
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var server = ServeAsync(cts.Token);
        using var dir = new TempDirectory();
        var layer = new byte[200_000];
        new Random(HostileWheelTests.Seed).NextBytes(layer);
        using (var gzip = new MemoryStream())
        {
            using (var z = new System.IO.Compression.GZipStream(gzip, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
                z.Write(layer);
            layer = gzip.ToArray();
        }
        var digest = Digests.Of(layer);
        var path = $"/v2/{Repository}/blobs/{digest}";
        using var client = new RegistryClient($"127.0.0.1:{_port}", new CredentialChain([]),
            new RegistryClientOptions { Attempts = 2, FirstRetryDelay = TimeSpan.FromMilliseconds(1) }, new RecordingLog());
        var flipped = (byte[])layer.Clone();
        flipped[flipped.Length / 2] ^= 0x10;
        var cases = new (string Name, byte[] Body, bool CutShort, string Code)[]
        {
            ("truncated-gzip", layer[..(layer.Length / 3)], false, ErrorCodes.BlobDigestMismatch),
            ("bit-flip", flipped, false, ErrorCodes.BlobDigestMismatch),
            ("empty", [], false, ErrorCodes.BlobDigestMismatch),
            ("cut-short", layer[..(layer.Length / 2)], true, ErrorCodes.RegistryRequestFailed),
        };
        foreach (var (name, body, cutShort, code) in cases)
        {
            Volatile.Write(ref _routes, new Dictionary<string, (byte[], string)> { [path] = (body, MediaTypes.OciLayerGzip) });
            Volatile.Write(ref _cutShort, cutShort ? [path] : []);
            var cache = new BlobStore(dir.Combine("cache-" + name));
            var e = await Assert.ThrowsAsync<UvLambdaException>(() => cache.GetOrDownloadAsync(client, Repository, digest, cts.Token));
            Assert.True(code == e.Code, $"{name}: {e.Code} {e.Message}");
            Assert.Contains(digest, e.Message, StringComparison.Ordinal);
            Assert.Null(cache.TryGet(digest));
            Assert.Empty(Directory.GetFiles(cache.Root, "*", SearchOption.AllDirectories));
        }
        // The intact blob still downloads: the cases above failed for their damage, not for the fixture.
        Volatile.Write(ref _routes, new Dictionary<string, (byte[], string)> { [path] = (layer, MediaTypes.OciLayerGzip) });
        Volatile.Write(ref _cutShort, []);
        var good = new BlobStore(dir.Combine("cache-good"));
        Assert.Equal(layer, File.ReadAllBytes(await good.GetOrDownloadAsync(client, Repository, digest, cts.Token)));
        cts.Cancel();
        await server;
    }
}
