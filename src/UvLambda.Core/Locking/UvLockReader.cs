using UvLambda.Core.Diagnostics;
using UvLambda.Core.Standards;
using UvLambda.Core.Toml;

namespace UvLambda.Core.Locking;

/// <summary>Reads uv.lock into <see cref="UvLock"/>, with every shape error at its line and column.</summary>
public static class UvLockReader
{
    public const long SupportedVersion = 1;

    public static UvLock Load(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        return Read(TomlDocument.Load(full), full);
    }

    public static UvLock Parse(string text, string path) => Read(TomlDocument.Parse(text, path), System.IO.Path.GetFullPath(path));

    private static UvLock Read(TomlTable root, string path)
    {
        var r = new TomlFieldReader(path, ErrorCodes.MalformedLock);
        var version = r.OptionalInteger(root, "version", "uv.lock")
            ?? throw r.Error(root, "uv.lock has no 'version'; it was not written by uv. Run `uv lock`.");
        if (version != SupportedVersion)
        {
            root.TryGetValue("version", out var at);
            throw new UvLambdaException(ErrorCodes.UnsupportedLockVersion,
                $"uv.lock has lock format version {version}; UvLambda reads version {SupportedVersion}. Re-lock with a uv release that writes version {SupportedVersion}, or update UvLambda.",
                path, at!.Line, at.Column);
        }

        var manifest = r.OptionalTable(root, "manifest", "uv.lock");
        var members = manifest is null ? [] : r.Strings(r.OptionalArray(manifest, "members", "[manifest]"), "[manifest] members").Select(PackageName.Normalize).ToList();
        var manifestGroups = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        var manifestGroupRequirements = manifest is null ? new Dictionary<string, IReadOnlyList<LockRequirement>>()
            : ReadRequirementTable(r, r.OptionalTable(manifest, "dependency-groups", "[manifest]"), "[manifest.dependency-groups]");
        foreach (var (group, requirements) in manifestGroupRequirements)
            manifestGroups[group] = requirements.Select(q => q.Name).ToList();

        var conflicts = new List<IReadOnlyList<ConflictItem>>();
        foreach (var set in r.OptionalArray(root, "conflicts", "uv.lock") ?? Enumerable.Empty<TomlValue>())
            conflicts.Add(r.Tables(set as TomlArray ?? throw r.Error(set, "each conflict must be an array"), "a conflict")
                .Select(t => new ConflictItem(PackageName.Normalize(r.RequireString(t, "package", "a conflict item")),
                    r.OptionalString(t, "extra", "a conflict item") is { } e ? PackageName.Normalize(e) : null,
                    r.OptionalString(t, "group", "a conflict item") is { } g ? PackageName.Normalize(g) : null)).ToList());

        var packages = new List<LockedPackage>();
        foreach (var table in r.Tables(r.OptionalArray(root, "package", "uv.lock"), "[[package]]"))
            packages.Add(ReadPackage(r, table));

        return new UvLock
        {
            FilePath = path,
            Version = version,
            Revision = r.OptionalInteger(root, "revision", "uv.lock") ?? 0,
            RequiresPython = r.OptionalString(root, "requires-python", "uv.lock"),
            Members = members,
            ManifestDependencyGroups = manifestGroups,
            ManifestDependencyGroupRequirements = manifestGroupRequirements,
            Conflicts = conflicts,
            Packages = packages,
        };
    }

    private static LockedPackage ReadPackage(TomlFieldReader r, TomlTable t)
    {
        var name = r.RequireString(t, "name", "a [[package]]");
        var where = $"package '{name}'";
        var metadata = r.OptionalTable(t, "metadata", where);
        return new LockedPackage
        {
            Name = name,
            NormalizedName = PackageName.Normalize(name),
            Version = r.OptionalString(t, "version", where),
            Source = ReadSource(r, r.OptionalTable(t, "source", where) ?? throw r.Error(t, $"{where} has no 'source'."), where),
            Dependencies = ReadDependencies(r, r.OptionalArray(t, "dependencies", where), where),
            OptionalDependencies = ReadDependencyTable(r, r.OptionalTable(t, "optional-dependencies", where), where),
            DevDependencies = ReadDependencyTable(r, r.OptionalTable(t, "dev-dependencies", where), where),
            Sdist = r.OptionalTable(t, "sdist", where) is { } sdist ? ReadFile(r, sdist, where) : null,
            Wheels = r.Tables(r.OptionalArray(t, "wheels", where), $"{where} wheels").Select(w => ReadFile(r, w, where)).ToList(),
            ProvidesExtras = metadata is null ? null : r.Strings(r.OptionalArray(metadata, "provides-extras", where), "provides-extras").Select(PackageName.Normalize).ToList(),
            HasMetadata = metadata is not null,
            RequiresDist = metadata is null ? [] : ReadRequirements(r, r.OptionalArray(metadata, "requires-dist", where), $"{where} requires-dist"),
            RequiresDev = metadata is null ? new Dictionary<string, IReadOnlyList<LockRequirement>>()
                : ReadRequirementTable(r, r.OptionalTable(metadata, "requires-dev", where), $"{where} requires-dev"),
            Line = t.Line,
        };
    }

    private static IReadOnlyList<LockRequirement> ReadRequirements(TomlFieldReader r, TomlArray? array, string where) =>
        r.Tables(array, where).Select(d =>
        {
            string? Get(string key) => r.OptionalString(d, key, "a requirement entry");
            return new LockRequirement(
                PackageName.Normalize(r.RequireString(d, "name", "a requirement entry")),
                r.Strings(r.OptionalArray(d, "extras", "a requirement entry"), "extras").Select(PackageName.Normalize).ToList(),
                Get("specifier"), Get("marker"), Get("index"), Get("git"), Get("url"), Get("subdirectory"),
                Get("path"), Get("directory"), Get("editable"), Get("virtual"));
        }).ToList();

    private static Dictionary<string, IReadOnlyList<LockRequirement>> ReadRequirementTable(TomlFieldReader r, TomlTable? table, string where)
    {
        var result = new Dictionary<string, IReadOnlyList<LockRequirement>>(StringComparer.Ordinal);
        if (table is null) return result;
        foreach (var entry in table)
            result[PackageName.Normalize(entry.Key)] = ReadRequirements(r, entry.Value as TomlArray ?? throw r.Error(entry.Value, $"'{entry.Key}' of {where} must be an array."), $"{where} {entry.Key}");
        return result;
    }

    private static LockSource ReadSource(TomlFieldReader r, TomlTable source, string where)
    {
        foreach (var entry in source)
        {
            LockSourceKind? kind = entry.Key switch
            {
                "registry" => LockSourceKind.Registry,
                "editable" => LockSourceKind.Editable,
                "virtual" => LockSourceKind.Virtual,
                "path" => LockSourceKind.Path,
                "directory" => LockSourceKind.Directory,
                "git" => LockSourceKind.Git,
                "url" => LockSourceKind.Url,
                _ => null,
            };
            if (kind is { } k)
                return new LockSource(k, entry.Value is TomlString s ? s.Value : throw r.Error(entry.Value, $"the source of {where} must be a string."));
        }
        throw r.Error(source, $"the source of {where} is none of registry, editable, virtual, path, directory, git, url.");
    }

    private static IReadOnlyDictionary<string, IReadOnlyList<LockedDependency>> ReadDependencyTable(TomlFieldReader r, TomlTable? table, string where)
    {
        var result = new Dictionary<string, IReadOnlyList<LockedDependency>>(StringComparer.Ordinal);
        if (table is null) return result;
        foreach (var entry in table)
            result[PackageName.Normalize(entry.Key)] = ReadDependencies(r, entry.Value as TomlArray ?? throw r.Error(entry.Value, $"'{entry.Key}' of {where} must be an array."), where);
        return result;
    }

    private static IReadOnlyList<LockedDependency> ReadDependencies(TomlFieldReader r, TomlArray? array, string where)
    {
        if (array is null) return [];
        var list = new List<LockedDependency>(array.Count);
        foreach (var d in r.Tables(array, $"{where} dependencies"))
        {
            var markerText = r.OptionalString(d, "marker", "a dependency");
            Marker? marker = null;
            if (markerText is not null)
            {
                try { marker = Marker.Parse(markerText); }
                catch (UvLambdaException e) { throw new UvLambdaException(e.Code, e.Message, r.File, d["marker"].Line, d["marker"].Column); }
            }
            list.Add(new LockedDependency(
                PackageName.Normalize(r.RequireString(d, "name", "a dependency")),
                r.Strings(r.OptionalArray(d, "extra", "a dependency"), "extra").Select(PackageName.Normalize).ToList(),
                marker,
                r.OptionalString(d, "version", "a dependency"),
                r.OptionalTable(d, "source", "a dependency") is { } s ? ReadSource(r, s, where) : null,
                d.Line, d.Column));
        }
        return list;
    }

    private static LockedFile ReadFile(TomlFieldReader r, TomlTable t, string where) => new(
        r.OptionalString(t, "url", where), r.OptionalString(t, "path", where), r.OptionalString(t, "filename", where),
        r.OptionalString(t, "hash", where), r.OptionalInteger(t, "size", where));
}
