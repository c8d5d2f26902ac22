using System.Text;
using System.Text.Json.Nodes;
using UvLambda.Core.Archives;
using UvLambda.Core.Containers;

namespace UvLambda.Core.Tests.Containers;

/// <summary>
/// A small stand-in for public.ecr.aws/lambda/python: a root file system with /lambda-entrypoint.sh and
/// /var/runtime, ENTRYPOINT, ENV and WORKDIR as the real image has them, one image per architecture under an OCI
/// index that also lists a buildx-style attestation manifest. Built with Core's own layer writer, pushed with
/// Core's registry client.
/// </summary>
public static class TestBaseImage
{
    public static readonly string[] Env =
    [
        "LANG=en_US.UTF-8", "TZ=:/etc/localtime", "PATH=/var/lang/bin:/usr/local/bin:/usr/bin/:/bin:/opt/bin",
        "LD_LIBRARY_PATH=/var/lang/lib:/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:/var/task:/var/task/lib:/opt/lib",
        "LAMBDA_TASK_ROOT=/var/task", "LAMBDA_RUNTIME_DIR=/var/runtime",
    ];

    /// <summary>Pushes the image(s) and returns the digest the tag names (an index unless <paramref name="asIndex"/> is false).</summary>
    public static async Task<string> PushAsync(string registry, string repository, string tag, string[] architectures, bool asIndex = true,
        IRegistryCredentialProvider? credentials = null, ImageFormat format = ImageFormat.Docker)
    {
        using var dir = new TempDirectory();
        using var client = new RegistryClient(registry, credentials ?? new CredentialChain([]), new RegistryClientOptions { FirstRetryDelay = TimeSpan.FromMilliseconds(50) });
        var manifests = new JsonArray();
        string? lastDigest = null;
        foreach (var arch in architectures)
        {
            var files = new List<ArchiveEntry>
            {
                ArchiveEntry.FromBytes("lambda-entrypoint.sh", Encoding.UTF8.GetBytes("#!/bin/sh\nexec /var/runtime/bootstrap \"$@\"\n"), 0x1ED),
                ArchiveEntry.FromBytes("var/runtime/bootstrap", Encoding.UTF8.GetBytes("#!/bin/sh\necho runtime\n"), 0x1ED),
                ArchiveEntry.FromBytes("etc/base-architecture", Encoding.UTF8.GetBytes(arch + "\n"), 0x1A4),
            };
            var layer = LayerWriter.Write(dir.Combine("blobs"), files, "", 1700000000);
            var config = new JsonObject
            {
                ["architecture"] = arch,
                ["os"] = "linux",
                ["created"] = "2024-01-01T00:00:00Z",
                ["config"] = new JsonObject
                {
                    ["Env"] = new JsonArray(Env.Select(e => (JsonNode)e).ToArray()),
                    ["Entrypoint"] = new JsonArray("/lambda-entrypoint.sh"),
                    ["WorkingDir"] = "/var/task",
                },
                ["history"] = new JsonArray(new JsonObject { ["created"] = "2024-01-01T00:00:00Z", ["created_by"] = "ADD rootfs /" }),
                ["rootfs"] = new JsonObject { ["type"] = "layers", ["diff_ids"] = new JsonArray(layer.DiffId) },
            };
            var configBytes = Encoding.UTF8.GetBytes(config.ToJsonString());
            var configDigest = Digests.Of(configBytes);
            await PushBlob(client, repository, layer.Digest, File.ReadAllBytes(layer.Path));
            await PushBlob(client, repository, configDigest, configBytes);
            var manifest = ImageBuilder.ManifestFor(format, new Descriptor(MediaTypes.ConfigOf(format), configDigest, configBytes.Length),
                [new ImageLayer(MediaTypes.LayerOf(format), layer.Digest, layer.Size, true)]);
            lastDigest = await client.PutManifestAsync(repository, asIndex ? Digests.Of(manifest) : tag, manifest, MediaTypes.ManifestOf(format));
            var entry = new Descriptor(MediaTypes.ManifestOf(format), lastDigest, manifest.Length).ToJson();
            entry["platform"] = new JsonObject { ["architecture"] = arch, ["os"] = "linux" };
            manifests.Add(entry);
        }
        if (!asIndex) return lastDigest!;

        // An attestation manifest as buildx writes one: platform unknown/unknown, annotated with its subject.
        var statement = Encoding.UTF8.GetBytes("""{"_type":"https://in-toto.io/Statement/v0.1"}""");
        var attConfig = Encoding.UTF8.GetBytes("""{"architecture":"unknown","os":"unknown","config":{},"rootfs":{"type":"layers","diff_ids":[]}}""");
        await PushBlob(client, repository, Digests.Of(statement), statement);
        await PushBlob(client, repository, Digests.Of(attConfig), attConfig);
        var att = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = MediaTypes.OciManifest,
            ["config"] = new Descriptor(MediaTypes.OciConfig, Digests.Of(attConfig), attConfig.Length).ToJson(),
            ["layers"] = new JsonArray(new Descriptor("application/vnd.in-toto+json", Digests.Of(statement), statement.Length).ToJson()),
        };
        var attBytes = Encoding.UTF8.GetBytes(att.ToJsonString());
        var attDigest = await client.PutManifestAsync(repository, Digests.Of(attBytes), attBytes, MediaTypes.OciManifest);
        var attEntry = new Descriptor(MediaTypes.OciManifest, attDigest, attBytes.Length).ToJson();
        attEntry["platform"] = new JsonObject { ["architecture"] = "unknown", ["os"] = "unknown" };
        attEntry["annotations"] = new JsonObject { ["vnd.docker.reference.type"] = "attestation-manifest", ["vnd.docker.reference.digest"] = lastDigest };
        // Put it first, so a chooser that ignores platforms would pick it.
        manifests.Insert(0, attEntry);

        var index = new JsonObject { ["schemaVersion"] = 2, ["mediaType"] = MediaTypes.OciIndex, ["manifests"] = manifests };
        var indexBytes = Encoding.UTF8.GetBytes(index.ToJsonString());
        return await client.PutManifestAsync(repository, tag, indexBytes, MediaTypes.OciIndex);
    }

    private static async Task PushBlob(RegistryClient client, string repository, string digest, byte[] content)
    {
        if (await client.BlobExistsAsync(repository, digest)) return;
        await client.UploadBlobAsync(repository, digest, content.Length, () => new MemoryStream(content));
    }

    /// <summary>
    /// A stand-in for python:3.13-slim (not a Lambda image): /usr/local/bin/python, the official image's ENV, CMD
    /// ["python3"], no ENTRYPOINT or WORKDIR. One single-platform manifest.
    /// </summary>
    public static async Task<string> PushSlimPythonAsync(string registry, string repository, string tag, string arch = "amd64")
    {
        using var dir = new TempDirectory();
        using var client = new RegistryClient(registry, new CredentialChain([]), new RegistryClientOptions { FirstRetryDelay = TimeSpan.FromMilliseconds(50) });
        var layer = LayerWriter.Write(dir.Combine("blobs"), [
            ArchiveEntry.FromBytes("usr/local/bin/python", Encoding.UTF8.GetBytes("#!/bin/sh\necho python\n"), 0x1ED),
            ArchiveEntry.FromBytes("etc/debian_version", Encoding.UTF8.GetBytes("12.0\n"), 0x1A4),
        ], "", 1700000000);
        var config = new JsonObject
        {
            ["architecture"] = arch,
            ["os"] = "linux",
            ["created"] = "2024-01-01T00:00:00Z",
            ["config"] = new JsonObject
            {
                ["Env"] = new JsonArray("PATH=/usr/local/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8", "PYTHON_VERSION=3.13.1"),
                ["Cmd"] = new JsonArray("python3"),
            },
            ["history"] = new JsonArray(new JsonObject { ["created"] = "2024-01-01T00:00:00Z", ["created_by"] = "ADD rootfs /" }),
            ["rootfs"] = new JsonObject { ["type"] = "layers", ["diff_ids"] = new JsonArray(layer.DiffId) },
        };
        var configBytes = Encoding.UTF8.GetBytes(config.ToJsonString());
        var configDigest = Digests.Of(configBytes);
        await PushBlob(client, repository, layer.Digest, File.ReadAllBytes(layer.Path));
        await PushBlob(client, repository, configDigest, configBytes);
        var manifest = ImageBuilder.ManifestFor(ImageFormat.Docker, new Descriptor(MediaTypes.ConfigOf(ImageFormat.Docker), configDigest, configBytes.Length),
            [new ImageLayer(MediaTypes.LayerOf(ImageFormat.Docker), layer.Digest, layer.Size, true)]);
        return await client.PutManifestAsync(repository, tag, manifest, MediaTypes.ManifestOf(ImageFormat.Docker));
    }
}
