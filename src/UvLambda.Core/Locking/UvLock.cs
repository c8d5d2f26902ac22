using UvLambda.Core.Packaging;

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
    /// <summary>The requirements the lock was solved for (metadata.requires-dist), to check pyproject.toml against.</summary>
    public IReadOnlyList<string>? RequiresDist { get; init; }
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
