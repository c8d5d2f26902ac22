using System.Security.Cryptography;
using System.Text.Json.Nodes;
using UvLambda.Core.Diagnostics;

namespace UvLambda.Core.Containers;

/// <summary>An OCI content descriptor: what a manifest says about a blob.</summary>
public sealed record Descriptor(string MediaType, string Digest, long Size)
{
    public JsonObject ToJson() => new() { ["mediaType"] = MediaType, ["digest"] = Digest, ["size"] = Size };

    public static Descriptor FromJson(JsonNode? node, string what)
    {
        var mediaType = node?["mediaType"]?.GetValue<string>();
        var digest = node?["digest"]?.GetValue<string>();
        var size = node?["size"]?.GetValue<long>();
        if (mediaType is null || digest is null || size is null)
            throw new UvLambdaException(ErrorCodes.UnsupportedImageMediaType, $"{what} has a descriptor without mediaType, digest or size.");
        return new Descriptor(mediaType, digest, size.Value);
    }
}

/// <summary>sha256 digests as the OCI spec writes them: <c>sha256:</c> + 64 lowercase hex digits.</summary>
public static class Digests
{
    public static string Of(ReadOnlySpan<byte> bytes) => "sha256:" + Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant();

    public static string OfFile(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return "sha256:" + Convert.ToHexString(SHA256.HashData(stream)).ToLowerInvariant();
    }

    /// <summary>The hex part, after checking the algorithm is sha256 (the only one this writes or trusts).</summary>
    public static string Hex(string digest)
    {
        if (digest.Length != 71 || !digest.StartsWith("sha256:", StringComparison.Ordinal) || !digest[7..].All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f'))
            throw new UvLambdaException(ErrorCodes.UnsupportedImageMediaType, $"'{digest}' is not a sha256 digest; only sha256 is supported.");
        return digest[7..];
    }
}
