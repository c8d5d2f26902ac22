using System.Text;

namespace UvLambda.Core.Tests;

/// <summary>
/// A uv.lock as uv writes it (version 1, revision 3), for tests that need a small one: a root project, its dependencies
/// and the packages they lock, with wheels by URL, path or file name and hash, sdists and markers. Packages come out
/// sorted by name, as uv sorts them. Linked into every test project that writes a lock (tests/Shared).
/// </summary>
public sealed class UvLockBuilder(string requiresPython = ">=3.11")
{
    public const string PyPi = "https://pypi.org/simple";

    private readonly List<UvLockPackage> _packages = [];
    private readonly List<string> _members = [];

    /// <summary>[manifest] members (a workspace).</summary>
    public UvLockBuilder Members(params string[] names)
    {
        _members.AddRange(names);
        return this;
    }

    /// <summary>The project itself: <c>source = { virtual = "." }</c> unless <paramref name="configure"/> says otherwise.</summary>
    public UvLockBuilder Root(string name, string version = "0.1.0", Action<UvLockPackage>? configure = null) =>
        Package(name, version, p => { p.Virtual("."); configure?.Invoke(p); });

    /// <summary>A locked package: from <see cref="PyPi"/> unless <paramref name="configure"/> gives another source.</summary>
    public UvLockBuilder Package(string name, string? version, Action<UvLockPackage>? configure = null)
    {
        var package = new UvLockPackage(name, version);
        configure?.Invoke(package);
        _packages.Add(package);
        return this;
    }

    public string ToToml()
    {
        var s = new StringBuilder();
        s.Append("version = 1\nrevision = 3\n");
        s.Append($"requires-python = {Quote(requiresPython)}\n");
        if (_members.Count > 0)
            s.Append("\n[manifest]\nmembers = [\n").Append(string.Concat(_members.Select(m => $"    {Quote(m)},\n"))).Append("]\n");
        foreach (var p in _packages.OrderBy(p => p.Name, StringComparer.Ordinal)) p.AppendTo(s);
        return s.ToString();
    }

    public override string ToString() => ToToml();

    internal static string Quote(string value) => "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

    /// <summary>An inline table of the given keys, null values left out: <c>{ name = "x", marker = "..." }</c>.</summary>
    internal static string Inline(params (string Key, object? Value)[] fields) =>
        "{ " + string.Join(", ", fields.Where(f => f.Value is not null).Select(f => $"{f.Key} = {(f.Value is string v ? Quote(v) : f.Value)}")) + " }";
}

/// <summary>One [[package]] of a <see cref="UvLockBuilder"/>.</summary>
public sealed class UvLockPackage(string name, string? version)
{
    private (string Kind, string Value) _source = ("registry", UvLockBuilder.PyPi);
    private readonly List<string> _dependencies = [];
    private readonly List<string> _wheels = [];
    private readonly List<string> _requiresDist = [];
    private string? _sdist;
    private bool _metadata;

    public string Name => name;

    public UvLockPackage Source(string kind, string value)
    {
        _source = (kind, value);
        return this;
    }

    public UvLockPackage Registry(string url = UvLockBuilder.PyPi) => Source("registry", url);
    public UvLockPackage Virtual(string path = ".") => Source("virtual", path);
    public UvLockPackage Editable(string path) => Source("editable", path);
    public UvLockPackage Path(string path) => Source("path", path);

    /// <summary>An edge in <c>dependencies</c>.</summary>
    public UvLockPackage DependsOn(string dependency, string? marker = null)
    {
        _dependencies.Add(UvLockBuilder.Inline(("name", dependency), ("marker", marker)));
        return this;
    }

    /// <summary>Writes <c>[package.metadata]</c> even with nothing in <c>requires-dist</c> (uv leaves it out then).</summary>
    public UvLockPackage WithMetadata()
    {
        _metadata = true;
        return this;
    }

    /// <summary>An entry of <c>[package.metadata] requires-dist</c> (what pyproject.toml asks for).</summary>
    public UvLockPackage Requires(string dependency, string? specifier = null, string? path = null, string? editable = null, string? marker = null)
    {
        _metadata = true;
        _requiresDist.Add(UvLockBuilder.Inline(("name", dependency), ("specifier", specifier), ("path", path), ("editable", editable), ("marker", marker)));
        return this;
    }

    /// <summary>A wheel by URL, hash (<c>sha256:…</c>) and size.</summary>
    public UvLockPackage Wheel(string url, string hash, long size)
    {
        _wheels.Add(UvLockBuilder.Inline(("url", url), ("hash", hash), ("size", size)));
        return this;
    }

    /// <summary>A wheel as PyPI serves it: files.pythonhosted.org/packages/ab/cd/rest-of-sha256/<paramref name="fileName"/>.</summary>
    public UvLockPackage PyPiWheel(string fileName, string sha256, long size) =>
        Wheel($"https://files.pythonhosted.org/packages/{sha256[..2]}/{sha256[2..4]}/{sha256[4..]}/{fileName}", "sha256:" + sha256, size);

    /// <summary>A wheel of a path source: its file name and hash only.</summary>
    public UvLockPackage WheelFile(string fileName, string hash)
    {
        _wheels.Add(UvLockBuilder.Inline(("filename", fileName), ("hash", hash)));
        return this;
    }

    public UvLockPackage Sdist(string url, string hash, long size)
    {
        _sdist = UvLockBuilder.Inline(("url", url), ("hash", hash), ("size", size));
        return this;
    }

    internal void AppendTo(StringBuilder s)
    {
        s.Append($"\n[[package]]\nname = {UvLockBuilder.Quote(name)}\n");
        if (version is not null) s.Append($"version = {UvLockBuilder.Quote(version)}\n");
        s.Append($"source = {UvLockBuilder.Inline((_source.Kind, _source.Value))}\n");
        AppendArray(s, "dependencies", _dependencies);
        if (_sdist is not null) s.Append($"sdist = {_sdist}\n");
        AppendArray(s, "wheels", _wheels);
        if (_metadata)
        {
            s.Append("\n[package.metadata]\nrequires-dist = ");
            s.Append(_requiresDist.Count switch
            {
                0 => "[]\n",
                1 => $"[{_requiresDist[0]}]\n",
                _ => "[\n" + string.Concat(_requiresDist.Select(r => $"    {r},\n")) + "]\n",
            });
        }
    }

    private static void AppendArray(StringBuilder s, string key, List<string> items)
    {
        if (items.Count > 0) s.Append($"{key} = [\n").Append(string.Concat(items.Select(i => $"    {i},\n"))).Append("]\n");
    }
}
