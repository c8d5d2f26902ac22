using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using UvLambda.Core.Archives;
using UvLambda.Core.Diagnostics;
using UvLambda.Core.FileSystem;

namespace UvLambda.Core.Containers;

/// <summary>One layer of a built image: where its blob is (our layers: the image folder; base layers: the base registry).</summary>
public sealed record ImageLayer(string MediaType, string Digest, long Size, bool FromBase);

/// <summary>
/// An image assembled under obj/ (image.json + blobs/sha256/…): the manifest, the config, our layers, and the base
/// image's layers by reference only. Push and archive read it.
/// </summary>
public sealed record BuiltImage(
    ImageFormat Format,
    string BaseRegistry,
    string BaseRepository,
    string BaseManifestDigest,
    string ManifestMediaType,
    string ManifestDigest,
    long ManifestSize,
    string ConfigMediaType,
    string ConfigDigest,
    long ConfigSize,
    IReadOnlyList<ImageLayer> Layers)
{
    public const string FileName = "image.json";
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public static string BlobPath(string imageDirectory, string digest) => Path.Combine(imageDirectory, "blobs", "sha256", Digests.Hex(digest));

    public void Save(string imageDirectory) =>
        AtomicFile.WriteAllText(Path.Combine(imageDirectory, FileName), JsonSerializer.Serialize(this, Json));

    public static BuiltImage Load(string imageDirectory)
    {
        var path = Path.Combine(imageDirectory, FileName);
        if (!File.Exists(path))
            throw new UvLambdaException(ErrorCodes.ImageNotBuilt, $"No image has been built in {imageDirectory}: build with LambdaPackageType=Image first (dotnet build -p:LambdaPackageType=Image).");
        try
        {
            var image = JsonSerializer.Deserialize<BuiltImage>(File.ReadAllText(path), Json);
            // Every field is read by push and archive: a damaged or older file is no image (nulls where the record has none).
            if (image is { BaseRegistry: not null, BaseRepository: not null, ManifestMediaType: not null, ManifestDigest: not null, ConfigMediaType: not null, ConfigDigest: not null, Layers: not null }
                && image.Layers.All(l => l is { MediaType: not null, Digest: not null }))
                return image;
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or ArgumentException) { }
        throw new UvLambdaException(ErrorCodes.ImageNotBuilt,
            $"The image description {path} is damaged or from another UvLambda version. Rebuild the image (dotnet build -t:Rebuild -p:LambdaPackageType=Image), or delete {imageDirectory} and build again.");
    }

    public byte[] ReadManifest(string imageDirectory) => File.ReadAllBytes(BlobPath(imageDirectory, ManifestDigest));
}

/// <summary>What to build: the base, the two layers' files, the handler, and the config additions.</summary>
public sealed record ImageBuildRequest
{
    public required ImageReference BaseImage { get; init; }
    /// <summary>x86_64 or arm64 (Lambda's names).</summary>
    public required string Architecture { get; init; }
    public ImageFormat Format { get; init; } = ImageFormat.Docker;
    public required IReadOnlyList<ArchiveEntry> DependencyFiles { get; init; }
    public required IReadOnlyList<ArchiveEntry> AppFiles { get; init; }
    public required string Handler { get; init; }
    public IReadOnlyList<KeyValuePair<string, string>> Environment { get; init; } = [];
    public IReadOnlyList<KeyValuePair<string, string>> Labels { get; init; } = [];
    /// <summary>Seconds since 1970 for every file's mtime and the config's created (SOURCE_DATE_EPOCH, else 0).</summary>
    public long Timestamp { get; init; }
    /// <summary>The image folder under obj/.</summary>
    public required string OutputDirectory { get; init; }
    /// <summary>Where in the image both layers put their files.</summary>
    public string TaskRoot { get; init; } = "var/task";
    /// <summary>ContainerEntrypoint (or awslambdaric's for a non-Lambda base): replaces the base's ENTRYPOINT when set.</summary>
    public IReadOnlyList<string>? Entrypoint { get; init; }
    /// <summary>ContainerWorkingDirectory (or the task root for a non-Lambda base): replaces the base's WORKDIR when set.</summary>
    public string? WorkingDirectory { get; init; }
    /// <summary>ContainerUser (the .NET SDK's name): the config's User ("1000", "app", "1000:1000"), replacing the base's when set.</summary>
    public string? User { get; init; }
    /// <summary>A non-Lambda base: set LAMBDA_TASK_ROOT (and PYTHONPATH, unless given) to the task root in ENV.</summary>
    public bool SetTaskRootEnvironment { get; init; }
}

/// <summary>
/// Builds a Lambda image on a base image without Docker: the dependencies layer, then the app layer (both into
/// /var/task), the base config with CMD set to the handler, and one single-platform manifest. Only the base's
/// manifest and config are pulled. The same inputs give the same digests.
/// </summary>
public static class ImageBuilder
{
    public static async Task<BuiltImage> BuildAsync(ImageBuildRequest request, RegistryClient baseClient, BlobStore cache, IBuildLog log,
        CancellationToken ct = default)
    {
        var baseImage = await BaseImage.ResolveAsync(baseClient, request.BaseImage, request.Architecture, cache, log, ct).ConfigureAwait(false);
        return Build(request, baseImage, log, ct);
    }

    /// <summary>
    /// Writes the image. <paramref name="ct"/> is checked between the layers and before the config: a cancelled build
    /// leaves whole blobs (each written to a temp file, then renamed) and the previous image.json, never a half image.
    /// </summary>
    public static BuiltImage Build(ImageBuildRequest request, BaseImage baseImage, IBuildLog log, CancellationToken ct = default)
    {
        var format = request.Format;
        var blobs = Path.Combine(request.OutputDirectory, "blobs", "sha256");
        Directory.CreateDirectory(blobs);
        var previous = LoadLayerKeys(request.OutputDirectory);
        var keys = new Dictionary<string, LayerKey>();
        ct.ThrowIfCancellationRequested();
        var deps = WriteLayer("dependencies", request.DependencyFiles, request, blobs, previous, keys, log);
        ct.ThrowIfCancellationRequested();
        var app = WriteLayer("app", request.AppFiles, request, blobs, previous, keys, log);
        ct.ThrowIfCancellationRequested();
        AtomicFile.WriteAllText(Path.Combine(request.OutputDirectory, "layers.json"), JsonSerializer.Serialize(keys));

        var layers = new List<ImageLayer>();
        foreach (var l in baseImage.Layers)
        {
            var mt = MediaTypes.LayerIn(format, l.MediaType)
                ?? throw new UvLambdaException(ErrorCodes.UnsupportedImageMediaType,
                    $"The base image {baseImage.Reference} has a layer of type '{l.MediaType}', which a {(format == ImageFormat.Oci ? "OCI" : "Docker v2")} manifest cannot reference. Set ContainerImageFormat={(format == ImageFormat.Oci ? "Docker" : "OCI")} or use another base image.");
            layers.Add(new ImageLayer(mt, l.Digest, l.Size, FromBase: true));
        }
        layers.Add(new ImageLayer(MediaTypes.LayerOf(format), deps.Digest, deps.Size, FromBase: false));
        layers.Add(new ImageLayer(MediaTypes.LayerOf(format), app.Digest, app.Size, FromBase: false));

        var config = ConfigFor(baseImage.Config, request, [deps.DiffId, app.DiffId]);
        var configDigest = Digests.Of(config);
        WriteBlob(blobs, configDigest, config);

        var manifest = ManifestFor(format, new Descriptor(MediaTypes.ConfigOf(format), configDigest, config.Length), layers);
        var manifestDigest = Digests.Of(manifest);
        WriteBlob(blobs, manifestDigest, manifest);

        // Drop blobs of earlier builds, so obj/ holds one image.
        var keep = new HashSet<string>(new[] { configDigest, manifestDigest, deps.Digest, app.Digest }.Select(Digests.Hex), StringComparer.Ordinal);
        foreach (var f in Directory.EnumerateFiles(blobs))
            if (!keep.Contains(Path.GetFileName(f))) File.Delete(f);

        var image = new BuiltImage(format, baseImage.Reference.Registry, baseImage.Reference.Repository, baseImage.ManifestDigest,
            MediaTypes.ManifestOf(format), manifestDigest, manifest.Length, MediaTypes.ConfigOf(format), configDigest, config.Length, layers);
        image.Save(request.OutputDirectory);
        log.Info($"Image {manifestDigest}: {baseImage.Layers.Count} base layers + dependencies {ByteSize.Format(deps.Size)} ({deps.FileCount} files) + app {ByteSize.Format(app.Size)} ({app.FileCount} files) -> {request.OutputDirectory}");
        return image;
    }

    private sealed record LayerKey(string Key, string Digest, string DiffId, long Size, int FileCount);

    private static Dictionary<string, LayerKey> LoadLayerKeys(string directory)
    {
        var path = Path.Combine(directory, "layers.json");
        try
        {
            return File.Exists(path) ? JsonSerializer.Deserialize<Dictionary<string, LayerKey>>(File.ReadAllText(path)) ?? [] : [];
        }
        catch (JsonException)
        {
            return [];
        }
    }

    /// <summary>
    /// Writes a layer, or reuses the one from the last build when its files (paths, modes, sizes, mtimes) and the
    /// timestamp are unchanged: an app edit does not re-compress the dependencies.
    /// </summary>
    private static LayerBlob WriteLayer(string name, IReadOnlyList<ArchiveEntry> files, ImageBuildRequest request, string blobs,
        Dictionary<string, LayerKey> previous, Dictionary<string, LayerKey> keys, IBuildLog log)
    {
        var key = KeyOf(files, request);
        if (previous.TryGetValue(name, out var old) && old.Key == key && File.Exists(Path.Combine(blobs, Digests.Hex(old.Digest))))
        {
            log.Detail($"Layer '{name}' unchanged: {old.Digest}");
            keys[name] = old;
            return new LayerBlob(Path.Combine(blobs, Digests.Hex(old.Digest)), old.Digest, old.DiffId, old.Size, old.FileCount, 0);
        }
        var layer = LayerWriter.Write(blobs, files, request.TaskRoot, request.Timestamp);
        keys[name] = new LayerKey(key, layer.Digest, layer.DiffId, layer.Size, layer.FileCount);
        log.Detail($"Layer '{name}': {layer.Digest} (diff_id {layer.DiffId}), {layer.FileCount} files");
        return layer;
    }

    private static string KeyOf(IReadOnlyList<ArchiveEntry> files, ImageBuildRequest request)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Add(string s) => hash.AppendData(Encoding.UTF8.GetBytes(s + "\n"));
        Add($"layer-v1|{request.TaskRoot}|{request.Timestamp}");
        foreach (var f in files.OrderBy(f => f.Path, StringComparer.Ordinal))
        {
            if (f.SourceFile is { } source)
            {
                var info = new FileInfo(source);
                Add($"{f.Path}|{f.UnixMode}|{source}|{info.Length}|{info.LastWriteTimeUtc.Ticks}");
            }
            else if (f.ZipSource is { } z)
            {
                // Wheels in the content cache never change under their name.
                Add($"{f.Path}|{f.UnixMode}|{z.ArchivePath}@{z.DataOffset}|{z.CompressedSize}|{z.UncompressedSize}|{z.Crc:x8}");
            }
            else
            {
                Add($"{f.Path}|{f.UnixMode}|={Digests.Of(f.Content!)}");
            }
        }
        return Convert.ToHexString(hash.GetHashAndReset());
    }

    private static void WriteBlob(string blobs, string digest, byte[] content)
    {
        var path = Path.Combine(blobs, Digests.Hex(digest));
        if (!File.Exists(path)) AtomicFile.WriteAllBytes(path, content);
    }

    public static string Rfc3339(long seconds) =>
        DateTime.UnixEpoch.AddSeconds(seconds).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>
    /// The base config with: CMD = [handler]; env and labels added (same name replaces); our two diff_ids and
    /// history entries; a fixed created time. ENTRYPOINT, the base ENV and WORKDIR stay as they are.
    /// </summary>
    public static byte[] ConfigFor(byte[] baseConfig, ImageBuildRequest request, IReadOnlyList<string> diffIds)
    {
        var root = JsonNode.Parse(baseConfig)!.AsObject();
        var created = Rfc3339(request.Timestamp);
        root["created"] = created;
        var config = root["config"] as JsonObject ?? new JsonObject();
        root["config"] = config;
        config["Cmd"] = new JsonArray(request.Handler);
        if (request.Entrypoint is { } entrypoint)
            config["Entrypoint"] = new JsonArray(entrypoint.Select(e => (JsonNode)JsonValue.Create(e)!).ToArray());
        if (request.WorkingDirectory is { } workdir) config["WorkingDir"] = workdir;
        if (request.User is { } user) config["User"] = user;

        var env = (config["Env"] as JsonArray)?.Select(e => e!.GetValue<string>()).ToList() ?? [];
        var environment = request.Environment.ToList();
        if (request.SetTaskRootEnvironment)
        {
            var taskRoot = "/" + request.TaskRoot.Trim('/');
            environment.Insert(0, new("LAMBDA_TASK_ROOT", taskRoot));
            if (!environment.Any(e => e.Key == "PYTHONPATH")) environment.Insert(1, new("PYTHONPATH", taskRoot));
        }
        foreach (var (k, v) in environment)
        {
            var i = env.FindIndex(e => e.StartsWith(k + "=", StringComparison.Ordinal) || e == k);
            if (i >= 0) env[i] = $"{k}={v}";
            else env.Add($"{k}={v}");
        }
        config["Env"] = new JsonArray(env.Select(e => (JsonNode)JsonValue.Create(e)!).ToArray());

        if (request.Labels.Count > 0)
        {
            var labels = config["Labels"] as JsonObject ?? new JsonObject();
            foreach (var (k, v) in request.Labels) labels[k] = v;
            config["Labels"] = Sorted(labels);
        }

        var rootfs = root["rootfs"] as JsonObject ?? new JsonObject { ["type"] = "layers" };
        root["rootfs"] = rootfs;
        var ids = rootfs["diff_ids"] as JsonArray ?? new JsonArray();
        rootfs["diff_ids"] = ids;
        foreach (var d in diffIds) ids.Add(d);

        var history = root["history"] as JsonArray ?? new JsonArray();
        root["history"] = history;
        history.Add(new JsonObject { ["created"] = created, ["created_by"] = $"UvLambda: COPY dependencies /{request.TaskRoot.Trim('/')}", ["comment"] = "uvlambda" });
        history.Add(new JsonObject { ["created"] = created, ["created_by"] = $"UvLambda: COPY app /{request.TaskRoot.Trim('/')}", ["comment"] = "uvlambda" });
        return Encoding.UTF8.GetBytes(root.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
    }

    private static JsonObject Sorted(JsonObject o)
    {
        var copy = new JsonObject();
        foreach (var (k, v) in o.OrderBy(p => p.Key, StringComparer.Ordinal).ToList())
        {
            o.Remove(k);
            copy[k] = v;
        }
        return copy;
    }

    public static byte[] ManifestFor(ImageFormat format, Descriptor config, IReadOnlyList<ImageLayer> layers)
    {
        var manifest = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = MediaTypes.ManifestOf(format),
            ["config"] = config.ToJson(),
            ["layers"] = new JsonArray(layers.Select(l => (JsonNode)new Descriptor(l.MediaType, l.Digest, l.Size).ToJson()).ToArray()),
        };
        return Encoding.UTF8.GetBytes(manifest.ToJsonString());
    }
}
