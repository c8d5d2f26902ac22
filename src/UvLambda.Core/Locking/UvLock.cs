using UvLambda.Core.Standards;

namespace UvLambda.Core.Locking;

/// <summary>Where a locked package comes from, as uv writes <c>source = { kind = "value" }</c>.</summary>
public enum LockSourceKind { Registry, Editable, Virtual, Path, Directory, Git, Url }

public sealed record LockSource(LockSourceKind Kind, string Value)
{
    /// <summary>A source that lives in the lock's folder tree (workspace members, path and directory dependencies).</summary>
    public bool IsLocal => Kind is LockSourceKind.Editable or LockSourceKind.Virtual or LockSourceKind.Path or LockSourceKind.Directory;

    public override string ToString() => $"{Kind.ToString().ToLowerInvariant()} = \"{Value}\"";
}

/// <summary>A wheel or sdist entry: where to get it and what it must hash to.</summary>
public sealed record LockedFile(string? Url, string? Path, string? FileName, string? Hash, long? Size)
{
    /// <summary>The file name: explicit, else the last segment of the URL or path (URL-decoded).</summary>
    public string Name => FileName ?? Uri.UnescapeDataString((Url ?? Path ?? "").Split('#')[0].Split('?')[0].TrimEnd('/').Split('/')[^1]);

    /// <summary>The hex SHA-256 from <c>sha256:...</c>, or null when the lock has none (local sources).</summary>
    public string? Sha256 => Hash is { } h && h.StartsWith("sha256:", StringComparison.Ordinal) ? h[7..] : null;
}

/// <summary>
/// One entry of <c>[package.metadata] requires-dist</c> / <c>requires-dev</c> (or <c>[manifest]</c> groups): a requirement
/// as uv lowered it, with <c>tool.uv.sources</c> applied: at most one of index / git / url / path / directory / editable /
/// virtual says where it comes from; paths are relative to the lock's folder.
/// </summary>
public sealed record LockRequirement(
    string Name, IReadOnlyList<string> Extras, string? Specifier, string? Marker,
    string? Index, string? Git, string? Url, string? Subdirectory,
    string? Path, string? Directory, string? Editable, string? Virtual)
{
    public override string ToString()
    {
        var text = Name + (Extras.Count > 0 ? "[" + string.Join(",", Extras) + "]" : "") + (Specifier ?? "");
        if (Marker is not null) text += " ; " + Marker;
        var source = Index is not null ? $"index = {Index}" : Git is not null ? $"git = {Git}" : Url is not null ? $"url = {Url}"
            : Path is not null ? $"path = {Path}" : Directory is not null ? $"directory = {Directory}"
            : Editable is not null ? $"editable = {Editable}" : Virtual is not null ? $"virtual = {Virtual}" : null;
        return source is null ? text : $"{text} ({source})";
    }
}

/// <summary>One edge of the lock graph: <c>{ name = "x", extra = [...], marker = "...", version = "...", source = {...} }</c>.</summary>
public sealed record LockedDependency(string Name, IReadOnlyList<string> Extras, Marker? Marker, string? Version, LockSource? Source, int Line, int Column);

public sealed class LockedPackage
{
    public required string Name { get; init; }
    public required string NormalizedName { get; init; }
    /// <summary>Null for packages with a dynamic version (workspace members often are).</summary>
    public string? Version { get; init; }
    public required LockSource Source { get; init; }
    public required IReadOnlyList<LockedDependency> Dependencies { get; init; }
    public required IReadOnlyDictionary<string, IReadOnlyList<LockedDependency>> OptionalDependencies { get; init; }
    public required IReadOnlyDictionary<string, IReadOnlyList<LockedDependency>> DevDependencies { get; init; }
    public LockedFile? Sdist { get; init; }
    public required IReadOnlyList<LockedFile> Wheels { get; init; }
    /// <summary>Extras the package declares (metadata.provides-extras), when the lock records them.</summary>
    public IReadOnlyList<string>? ProvidesExtras { get; init; }
    /// <summary>Whether the package has a <c>[package.metadata]</c> table (uv omits it when everything in it would be empty).</summary>
    public bool HasMetadata { get; init; }
    /// <summary>The requirements the lock was solved for (metadata.requires-dist), to check pyproject.toml against; empty without metadata.</summary>
    public IReadOnlyList<LockRequirement> RequiresDist { get; init; } = [];
    /// <summary>Dependency group (normalized) → its requirements (metadata.requires-dev).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<LockRequirement>> RequiresDev { get; init; } = new Dictionary<string, IReadOnlyList<LockRequirement>>();
    public int Line { get; init; }

    public override string ToString() => Version is null ? Name : $"{Name} {Version}";
}

/// <summary>A uv.lock file (lock format version 1, any revision).</summary>
public sealed class UvLock
{
    public required string FilePath { get; init; }
    public string Directory => System.IO.Path.GetDirectoryName(FilePath)!;
    public required long Version { get; init; }
    public long Revision { get; init; }
    public string? RequiresPython { get; init; }
    /// <summary>Normalized names of the workspace members ([manifest] members; empty for a single project).</summary>
    public required IReadOnlyList<string> Members { get; init; }
    /// <summary>Dependency groups of a non-project workspace root ([manifest.dependency-groups]).</summary>
    public required IReadOnlyDictionary<string, IReadOnlyList<string>> ManifestDependencyGroups { get; init; }
    /// <summary>The same groups with their full requirements, to check the root's pyproject.toml against.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<LockRequirement>> ManifestDependencyGroupRequirements { get; init; } = new Dictionary<string, IReadOnlyList<LockRequirement>>();
    /// <summary>Declared conflicts, each a set of (package, extra or group) items.</summary>
    public required IReadOnlyList<IReadOnlyList<ConflictItem>> Conflicts { get; init; }
    public required IReadOnlyList<LockedPackage> Packages { get; init; }

    private Dictionary<string, List<LockedPackage>>? _byName;

    public IReadOnlyList<LockedPackage> PackagesNamed(string normalizedName)
    {
        _byName ??= Packages.GroupBy(p => p.NormalizedName, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        return _byName.TryGetValue(normalizedName, out var list) ? list : [];
    }
}

/// <summary>One side of a declared conflict: an extra or a dependency group of a package (or the package itself).</summary>
public sealed record ConflictItem(string Package, string? Extra, string? Group);
