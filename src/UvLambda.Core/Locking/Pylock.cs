using UvLambda.Core.Diagnostics;
using UvLambda.Core.Standards;
using UvLambda.Core.Toml;

namespace UvLambda.Core.Locking;

/// <summary>A wheel, sdist or archive of a pylock.toml package: where it is and what it hashes to.</summary>
public sealed record PylockFileEntry(string? Name, string? Url, string? Path, long? Size, string Sha256, int Line, int Column)
{
    /// <summary>The same file in the uv.lock model (hash as <c>sha256:…</c>), so fetching and verifying are shared.</summary>
    public LockedFile ToLockedFile() => new(Url, Path, Name, "sha256:" + Sha256, Size);
}

/// <summary><c>[packages.vcs]</c>: only git is installable (the commit is what gets checked out).</summary>
public sealed record PylockVcs(string Type, string? Url, string? Path, string CommitId, string? Subdirectory, int Line, int Column);

/// <summary><c>[packages.directory]</c>: a local source tree, relative to the lock file's folder.</summary>
public sealed record PylockDirectory(string Path, bool Editable, string? Subdirectory, int Line, int Column);

/// <summary>One <c>[[packages]]</c> entry of a pylock.toml; exactly one source kind is set.</summary>
public sealed class PylockPackage
{
    public required string Name { get; init; }
    public required string NormalizedName { get; init; }
    public string? Version { get; init; }
    /// <summary>Null when the entry always applies.</summary>
    public Marker? Marker { get; init; }
    public VersionSpecifierSet? RequiresPython { get; init; }
    public string? RequiresPythonText { get; init; }
    /// <summary>The index the files come from (<c>index = "https://…/simple"</c>), used to pick credentials.</summary>
    public string? Index { get; init; }
    public PylockVcs? Vcs { get; init; }
    public PylockDirectory? Directory { get; init; }
    public PylockFileEntry? Archive { get; init; }
    public PylockFileEntry? Sdist { get; init; }
    public required IReadOnlyList<PylockFileEntry> Wheels { get; init; }
    public int Line { get; init; }
    public int Column { get; init; }

    public override string ToString() => Version is null ? Name : $"{Name} {Version}";
}

/// <summary>A PEP 751 lock file (<c>pylock.toml</c> or <c>pylock.&lt;name&gt;.toml</c>), lock-version 1.x.</summary>
public sealed class PylockFile
{
    public required string FilePath { get; init; }
    public string Directory => System.IO.Path.GetDirectoryName(FilePath)!;
    public string FileName => System.IO.Path.GetFileName(FilePath);
    public required string LockVersion { get; init; }
    /// <summary>The minor part of <see cref="LockVersion"/> (0 when it has none).</summary>
    public int LockVersionMinor { get; init; }
    public int LockVersionLine { get; init; }
    public VersionSpecifierSet? RequiresPython { get; init; }
    public string? RequiresPythonText { get; init; }
    /// <summary>Markers of the environments the lock supports; empty: any.</summary>
    public required IReadOnlyList<Marker> Environments { get; init; }
    /// <summary>Extras and dependency groups the lock can install, in PEP 503 normal form.</summary>
    public required IReadOnlyList<string> Extras { get; init; }
    public required IReadOnlyList<string> DependencyGroups { get; init; }
    public required IReadOnlyList<string> DefaultGroups { get; init; }
    public string? CreatedBy { get; init; }
    public required IReadOnlyList<PylockPackage> Packages { get; init; }
    /// <summary>Position of <c>environments</c>, for the error when none holds.</summary>
    public int EnvironmentsLine { get; init; }
}

/// <summary>Reads a pylock.toml into <see cref="PylockFile"/>; every shape error is coded and at its line and column.</summary>
public static class PylockReader
{
    public const int SupportedMajorVersion = 1;
    public const int SupportedMinorVersion = 0;

    /// <summary>True for <c>pylock.toml</c> and <c>pylock.&lt;name&gt;.toml</c> (PEP 751: the name has no dot).</summary>
    public static bool IsPylockFileName(string fileName)
    {
        if (fileName == "pylock.toml") return true;
        if (!fileName.StartsWith("pylock.", StringComparison.Ordinal) || !fileName.EndsWith(".toml", StringComparison.Ordinal)) return false;
        var name = fileName["pylock.".Length..^".toml".Length];
        return name.Length > 0 && !name.Contains('.') && !name.Contains('/') && !name.Contains('\\');
    }

    public static PylockFile Load(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        return Read(TomlDocument.Load(full), full);
    }

    public static PylockFile Parse(string text, string path) => Read(TomlDocument.Parse(text, path), System.IO.Path.GetFullPath(path));

    private static PylockFile Read(TomlTable root, string path)
    {
        var fileName = System.IO.Path.GetFileName(path);
        var r = new TomlFieldReader(path, ErrorCodes.MalformedPylock);
        var version = r.OptionalString(root, "lock-version", fileName)
            ?? throw r.Error(root, $"{fileName} has no 'lock-version'; it is not a PEP 751 lock file. Re-create it with a tool that writes pylock.toml (e.g. `uv export --format pylock.toml`).");
        root.TryGetValue("lock-version", out var versionValue);
        var dot = version.IndexOf('.');
        if (!int.TryParse(dot < 0 ? version : version[..dot], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var major)
            || major != SupportedMajorVersion)
            throw new UvLambdaException(ErrorCodes.UnsupportedPylockVersion,
                $"{fileName} has lock-version '{version}'; UvLambda reads lock-version {SupportedMajorVersion}.x (PEP 751). Re-create the lock with a tool that writes lock-version 1.0, or update UvLambda.",
                path, versionValue!.Line, versionValue.Column);

        var minorText = dot < 0 ? "0" : version[(dot + 1)..];
        if (!int.TryParse(minorText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var minor))
            throw r.Error(versionValue!, $"lock-version '{version}' of {fileName} is not MAJOR.MINOR.");

        var (requires, requiresText) = RequiresPython(r, root, fileName);
        var environments = new List<Marker>();
        var environmentsArray = r.OptionalArray(root, "environments", fileName);
        foreach (var item in environmentsArray ?? Enumerable.Empty<TomlValue>())
            environments.Add(ParseMarker(r, item as TomlString ?? throw r.Error(item, $"each entry of 'environments' must be a string, not {item.TypeName}."), fileName));

        var packages = new List<PylockPackage>();
        foreach (var table in r.Tables(r.OptionalArray(root, "packages", fileName), "[[packages]]"))
            packages.Add(ReadPackage(r, table, fileName));

        return new PylockFile
        {
            FilePath = path,
            LockVersion = version,
            LockVersionMinor = minor,
            LockVersionLine = versionValue!.Line,
            RequiresPython = requires,
            RequiresPythonText = requiresText,
            Environments = environments,
            EnvironmentsLine = environmentsArray?.Line ?? 0,
            Extras = Names(r, root, "extras", fileName),
            DependencyGroups = Names(r, root, "dependency-groups", fileName),
            DefaultGroups = Names(r, root, "default-groups", fileName),
            CreatedBy = r.OptionalString(root, "created-by", fileName),
            Packages = packages,
        };
    }

    private static IReadOnlyList<string> Names(TomlFieldReader r, TomlTable table, string key, string where) =>
        r.Strings(r.OptionalArray(table, key, where), $"'{key}'").Select(PackageName.Normalize).ToList();

    private static (VersionSpecifierSet?, string?) RequiresPython(TomlFieldReader r, TomlTable table, string where)
    {
        if (r.OptionalString(table, "requires-python", where) is not { } text) return (null, null);
        try
        {
            return (VersionSpecifierSet.Parse(text), text);
        }
        catch (UvLambdaException e)
        {
            throw r.Error(table["requires-python"], $"'requires-python' of {where} is not a version specifier: {e.Message}");
        }
    }

    private static Marker ParseMarker(TomlFieldReader r, TomlString value, string where)
    {
        try
        {
            return Marker.Parse(value.Value);
        }
        catch (UvLambdaException e) when (e.Code == ErrorCodes.InvalidMarker)
        {
            throw new UvLambdaException(ErrorCodes.PylockInvalidMarker,
                $"The marker of {where} does not parse: {e.Message} Fix the marker, or re-create the lock file.", r.File, value.Line, value.Column);
        }
    }

    private static PylockPackage ReadPackage(TomlFieldReader r, TomlTable t, string fileName)
    {
        var name = r.RequireString(t, "name", "a [[packages]] entry");
        var where = $"package '{name}'";
        Marker? marker = null;
        if (t.TryGetValue("marker", out var markerValue))
            marker = ParseMarker(r, markerValue as TomlString ?? throw r.Error(markerValue, $"'marker' of {where} must be a string, not {markerValue.TypeName}."), where);
        var (requires, requiresText) = RequiresPython(r, t, where);

        var vcs = r.OptionalTable(t, "vcs", where) is { } v ? ReadVcs(r, v, where) : null;
        var directory = r.OptionalTable(t, "directory", where) is { } d
            ? new PylockDirectory(r.RequireString(d, "path", $"[packages.directory] of {where}"), r.OptionalBoolean(d, "editable", where) ?? false,
                r.OptionalString(d, "subdirectory", where), d.Line, d.Column)
            : null;
        var archive = r.OptionalTable(t, "archive", where) is { } a ? ReadFile(r, a, $"the archive of {where}") : null;
        var sdist = r.OptionalTable(t, "sdist", where) is { } s ? ReadFile(r, s, $"the sdist of {where}") : null;
        var wheels = r.Tables(r.OptionalArray(t, "wheels", where), $"{where} wheels").Select(w => ReadFile(r, w, $"a wheel of {where}")).ToList();

        // PEP 751: vcs, directory and archive each stand alone; sdist and wheels may be combined.
        var kinds = new List<string>();
        if (vcs is not null) kinds.Add("vcs");
        if (directory is not null) kinds.Add("directory");
        if (archive is not null) kinds.Add("archive");
        if (sdist is not null || wheels.Count > 0) kinds.Add("sdist/wheels");
        if (kinds.Count == 0)
            throw new UvLambdaException(ErrorCodes.PylockNoArtifact,
                $"{where} in {fileName} has no artifact: no wheels, sdist, archive, directory or vcs. The lock is incomplete: re-create it.", r.File, t.Line, t.Column);
        if (kinds.Count > 1)
            throw r.Error(t, $"{where} has {string.Join(" and ", kinds)}; PEP 751 allows only one source kind per entry (sdist and wheels may go together).");
        if (archive?.Subdirectory is not null)
            throw r.Error(t, $"The archive of {where} names a subdirectory; UvLambda installs archives that hold one project at their top. Use a wheel or an sdist.");

        return new PylockPackage
        {
            Name = name,
            NormalizedName = PackageName.Normalize(name),
            Version = r.OptionalString(t, "version", where),
            Marker = marker,
            RequiresPython = requires,
            RequiresPythonText = requiresText,
            Index = r.OptionalString(t, "index", where),
            Vcs = vcs,
            Directory = directory,
            Archive = archive?.Entry,
            Sdist = sdist?.Entry,
            Wheels = wheels.Select(w => w.Entry).ToList(),
            Line = t.Line,
            Column = t.Column,
        };
    }

    private static PylockVcs ReadVcs(TomlFieldReader r, TomlTable v, string where)
    {
        var type = r.RequireString(v, "type", $"[packages.vcs] of {where}");
        if (type != "git")
            throw r.Error(v["type"], $"{where} comes from a '{type}' repository; UvLambda installs vcs sources from git only. Lock a registry version or a git source.");
        var url = r.OptionalString(v, "url", where);
        var path = r.OptionalString(v, "path", where);
        if (url is null && path is null)
            throw r.Error(v, $"[packages.vcs] of {where} has neither 'url' nor 'path'.");
        return new PylockVcs(type, url, path, r.RequireString(v, "commit-id", $"[packages.vcs] of {where}"), r.OptionalString(v, "subdirectory", where), v.Line, v.Column);
    }

    private sealed record FileRead(PylockFileEntry Entry, string? Subdirectory);

    private static FileRead ReadFile(TomlFieldReader r, TomlTable f, string what)
    {
        var url = r.OptionalString(f, "url", what);
        var path = r.OptionalString(f, "path", what);
        if (url is null && path is null)
            throw r.Error(f, $"{what} has neither 'url' nor 'path'.");
        var hashes = r.OptionalTable(f, "hashes", what);
        string? sha256 = null;
        if (hashes is not null && hashes.TryGetValue("sha256", out var hash))
            sha256 = hash is TomlString s && s.Value.Length == 64 && s.Value.All(char.IsAsciiHexDigit)
                ? s.Value.ToLowerInvariant()
                : throw r.Error(hash, $"The sha256 hash of {what} must be 64 hex digits.");
        if (sha256 is null)
            throw new UvLambdaException(ErrorCodes.PylockMissingHash,
                $"{Capitalize(what)} has no sha256 in 'hashes'{(hashes is null || hashes.Count == 0 ? "" : $" (it has: {string.Join(", ", hashes.Keys)})")}; UvLambda verifies every file by sha256. Re-create the lock with sha256 hashes.",
                r.File, (hashes ?? f).Line, (hashes ?? f).Column);
        var size = r.OptionalInteger(f, "size", what);
        return new FileRead(new PylockFileEntry(r.OptionalString(f, "name", what), url, path, size, sha256, f.Line, f.Column), r.OptionalString(f, "subdirectory", what));
    }

    private static string Capitalize(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];
}
