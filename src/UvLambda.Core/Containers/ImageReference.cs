using System.Text.RegularExpressions;
using UvLambda.Core.Diagnostics;

namespace UvLambda.Core.Containers;

/// <summary>
/// An image reference as Docker and the OCI distribution spec read it: <c>[registry/]repository[:tag][@digest]</c>.
/// Without a registry (no '.' or ':' in the first segment, and not localhost) it is Docker Hub's, and a one-segment
/// repository there is under <c>library/</c>.
/// </summary>
public sealed partial class ImageReference
{
    public const string DockerHubRegistry = "registry-1.docker.io";

    private ImageReference(string registry, string repository, string? tag, string? digest)
    {
        Registry = registry;
        Repository = repository;
        Tag = tag;
        Digest = digest;
    }

    /// <summary>Host[:port] of the registry's API, e.g. <c>public.ecr.aws</c>, <c>127.0.0.1:5000</c>.</summary>
    public string Registry { get; }

    /// <summary>Repository path, e.g. <c>lambda/python</c>.</summary>
    public string Repository { get; }

    public string? Tag { get; }

    /// <summary><c>sha256:…</c>, when the reference pins one.</summary>
    public string? Digest { get; }

    /// <summary>The tag or digest to ask the registry for: the digest when both are given, else the tag, else latest.</summary>
    public string Reference => Digest ?? Tag ?? "latest";

    [GeneratedRegex("^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$")]
    private static partial Regex RepositoryPattern();

    [GeneratedRegex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")]
    private static partial Regex TagPattern();

    [GeneratedRegex("^sha256:[a-f0-9]{64}$")]
    private static partial Regex DigestPattern();

    [GeneratedRegex(@"^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::[0-9]+)?$")]
    private static partial Regex RegistryPattern();

    public static bool IsValidTag(string tag) => TagPattern().IsMatch(tag);

    public static bool IsValidRepository(string repository) => repository.Length <= 255 && RepositoryPattern().IsMatch(repository);

    public static bool IsValidRegistry(string registry) => RegistryPattern().IsMatch(registry);

    public static ImageReference Parse(string text, string? setting = null)
    {
        if (TryParse(text, out var reference, out var why)) return reference!;
        throw new UvLambdaException(ErrorCodes.InvalidImageReference,
            $"{(setting is null ? "" : setting + " ")}'{text}' is not an image reference: {why}. Use [registry/]repository[:tag][@sha256:digest], e.g. public.ecr.aws/lambda/python:3.13.");
    }

    public static bool TryParse(string text, out ImageReference? reference, out string why)
    {
        reference = null;
        var rest = text.Trim();
        if (rest.Length == 0) { why = "it is empty"; return false; }
        string? digest = null, tag = null;
        var at = rest.IndexOf('@');
        if (at >= 0)
        {
            digest = rest[(at + 1)..];
            rest = rest[..at];
            if (!DigestPattern().IsMatch(digest)) { why = $"'{digest}' is not a sha256 digest (sha256: and 64 lowercase hex digits)"; return false; }
        }
        var slash = rest.IndexOf('/');
        string registry;
        if (slash > 0 && (rest[..slash].Contains('.') || rest[..slash].Contains(':') || rest[..slash] == "localhost" || rest[..slash].StartsWith('[')))
        {
            registry = rest[..slash];
            rest = rest[(slash + 1)..];
            if (!IsValidRegistry(registry)) { why = $"'{registry}' is not a registry host[:port]"; return false; }
        }
        else
        {
            registry = DockerHubRegistry;
        }
        var colon = rest.LastIndexOf(':');
        if (colon >= 0)
        {
            tag = rest[(colon + 1)..];
            rest = rest[..colon];
            if (!IsValidTag(tag)) { why = $"'{tag}' is not a valid tag (letters, digits, '_', '.', '-'; at most 128; not starting with '.' or '-')"; return false; }
        }
        if (registry == DockerHubRegistry && !rest.Contains('/')) rest = "library/" + rest;
        if (!IsValidRepository(rest)) { why = $"'{rest}' is not a valid repository (lowercase letters, digits, separators '.', '_', '__', '-', and '/')"; return false; }
        reference = new ImageReference(registry, rest, tag, digest);
        why = "";
        return true;
    }

    public ImageReference WithDigest(string digest) => new(Registry, Repository, Tag, digest);

    public override string ToString() =>
        $"{Registry}/{Repository}{(Tag is null ? "" : ":" + Tag)}{(Digest is null ? "" : "@" + Digest)}";
}
