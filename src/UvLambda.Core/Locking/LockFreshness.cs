using UvLambda.Core.Diagnostics;
using UvLambda.Core.Standards;
using UvLambda.Core.Projects;

namespace UvLambda.Core.Locking;

/// <summary>
/// Whether uv.lock still matches the workspace's pyproject.toml files, judged the way <c>uv lock --locked</c> judges it
/// (uv's <c>Lock::satisfies</c>): the <c>[manifest] members</c>, requires-python (as a range), and for every workspace
/// member and local path dependency its requirements as uv lowers them (project dependencies and
/// optional dependencies with <c>tool.uv.sources</c> applied) against <c>[package.metadata] requires-dist</c>, its
/// extras against <c>provides-extras</c> and its dependency groups against <c>requires-dev</c>. Requirements compare
/// by normalized name, extras, specifiers, source and marker value (see <see cref="MarkerCondition"/>); a package
/// without <c>[package.metadata]</c> (uv omits it when the project had no dependencies) compares as empty.
/// Dynamic dependencies are skipped, as uv cannot read them without a build either.
/// </summary>
/// <summary>What <see cref="LockFreshness.Find"/> found: the differences, and the file and line of the first one written in a pyproject.toml (null, 0 when none is).</summary>
public sealed record LockDifferences(IReadOnlyList<string> Found, string? File, int Line, int Column);

public static class LockFreshness
{
    /// <summary>The differences for the workspace <paramref name="workspace"/> belongs to; empty when the lock is fresh.</summary>
    public static IReadOnlyList<string> Differences(UvWorkspace workspace, UvLock lk) => Find(workspace, lk).Found;

    /// <summary>
    /// The differences, and where in a pyproject.toml the first one that has a place is written (a dependency
    /// added or changed, requires-python), so the diagnostic points at that line.
    /// </summary>
    public static LockDifferences Find(UvWorkspace workspace, UvLock lk)
    {
        var check = new Check(workspace.Root, workspace.Root.IsWorkspaceRoot ? workspace.Members : [], lk, workspace.Project);
        check.Run();
        return new LockDifferences(check.Found, check.FirstAt?.File, check.FirstAt?.Line ?? 0, check.FirstAt?.Column ?? 0);
    }

    /// <summary>
    /// The differences between uv.lock and a workspace root plus its members' pyproject.toml files (messages name
    /// members other than <paramref name="current"/>).
    /// </summary>
    public static IReadOnlyList<string> Differences(PyProject root, IReadOnlyList<PyProject> members, UvLock lk, PyProject? current = null)
    {
        var check = new Check(root, members, lk, current ?? root);
        check.Run();
        return check.Found;
    }

    /// <summary>
    /// One lowered requirement: what identifies it exactly, its condition (compared by value), and how to show it.
    /// <paramref name="AlternativeKey"/>: a second accepted identity. Sources inherited from the workspace root's
    /// <c>tool.uv.sources</c> are not always applied to members in real locks (modelcontextprotocol/python-sdk records its
    /// members' <c>mcp</c> as a plain registry requirement), so a member's requirement matches with or without them.
    /// </summary>
    private sealed record Entry(string Name, string Key, MarkerCondition Condition, string Display, string? AlternativeKey = null)
    {
        /// <summary>Where a requirement from pyproject.toml is written; null for one from the lock.</summary>
        public Position? At { get; init; }
    }

    private sealed record Position(string File, int Line, int Column);

    private sealed class Check
    {
        private readonly PyProject _root;
        private readonly UvLock _lk;
        private readonly PyProject _current;
        private readonly Dictionary<string, PyProject> _packages = new(StringComparer.Ordinal);
        private readonly VersionSpecifierSet _requiresPython;
        private readonly bool _revision1;

        public List<string> Found { get; } = [];

        /// <summary>The place of the first difference that has one in a pyproject.toml.</summary>
        public Position? FirstAt { get; private set; }

        private void Note(Position? at) => FirstAt ??= at is { Line: > 0 } ? at : null;

        public Check(PyProject root, IReadOnlyList<PyProject> members, UvLock lk, PyProject current)
        {
            _root = root;
            _lk = lk;
            _current = current;
            foreach (var p in (root.HasProjectTable ? [root] : Enumerable.Empty<PyProject>()).Concat(members))
                if (p.HasProjectTable && p.NormalizedName is { } name) _packages.TryAdd(name, p);
            _requiresPython = lk.RequiresPython is { } rp && TryParseSpecifiers(rp) is { } set ? set : VersionSpecifierSet.Any;
            // provides-extras and empty dependency groups are recorded from lock revision 1 on.
            _revision1 = (lk.Version, lk.Revision) is var (v, r) && (v > 1 || (v == 1 && r >= 1));
        }

        public void Run()
        {
            CheckRequiresPython();
            CheckMembers();
            foreach (var (name, project) in _packages.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                var locked = _lk.PackagesNamed(name).FirstOrDefault(p => p.Source.IsLocal);
                if (locked is null)
                {
                    // The project being built without a package: LockResolver says so with its own code (UVL1306).
                    if (!ReferenceEquals(project, _current))
                        Found.Add($"workspace member '{project.Name}' has no package in uv.lock");
                    continue;
                }
                CheckPackage(project, locked, Label(project, "workspace member"));
            }
            if (!_root.HasProjectTable)
                CheckGroups(ExpectedGroups(_root, _root), _lk.ManifestDependencyGroupRequirements, "");
            CheckPathDependencies();
        }

        private string Label(PyProject project, string kind) => ReferenceEquals(project, _current) ? "" : $"{kind} '{project.Name}': ";

        private void CheckRequiresPython()
        {
            if (_lk.RequiresPython is not { } locked || TryParseSpecifiers(locked) is not { } lockedSet) return;
            // uv intersects the requires-python of every workspace member; without any, it uses the interpreter's.
            var declared = _packages.Values.Select(p => p.RequiresPythonText).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
            if (declared.Count == 0) return;
            var specifiers = declared.Select(TryParseSpecifiers).OfType<VersionSpecifierSet>().SelectMany(s => s.Specifiers).ToList();
            if (!Range.Of(specifiers).Equals(Range.Of(lockedSet.Specifiers)))
            {
                Note(new Position(_current.File, _current.RequiresPythonLine, _current.RequiresPythonColumn));
                Found.Add($"requires-python is '{string.Join("' and '", declared)}' in pyproject.toml but '{locked}' in uv.lock");
            }
        }

        private void CheckMembers()
        {
            // uv leaves [manifest] members empty for a lone project that is its own workspace.
            var expected = _packages.Count == 1 && _root.HasProjectTable ? [] : _packages.Keys.ToHashSet(StringComparer.Ordinal);
            var actual = _lk.Members.ToHashSet(StringComparer.Ordinal);
            foreach (var added in expected.Except(actual).Order(StringComparer.Ordinal))
                Found.Add($"workspace member '{_packages[added].Name}' is not in uv.lock's [manifest] members");
            foreach (var removed in actual.Except(expected).Order(StringComparer.Ordinal))
                Found.Add($"'{removed}' is a workspace member in uv.lock but no longer in the workspace");
        }

        /// <summary>Local packages in the lock that are not workspace members (<c>{ path = "../x" }</c> sources): uv checks their pyproject.toml too.</summary>
        private void CheckPathDependencies()
        {
            foreach (var locked in _lk.Packages)
            {
                if (locked.Source.Kind is not (LockSourceKind.Editable or LockSourceKind.Directory or LockSourceKind.Virtual)) continue;
                if (_packages.ContainsKey(locked.NormalizedName)) continue;
                var file = Path.Combine(Path.GetFullPath(Path.Combine(_lk.Directory, locked.Source.Value)), UvWorkspace.PyProjectFileName);
                if (!File.Exists(file)) continue;
                PyProject project;
                try { project = PyProject.Load(file); }
                catch (UvLambdaException) { continue; } // The install step reports a broken path dependency with its own code.
                if (project.NormalizedName != locked.NormalizedName) continue;
                CheckPackage(project, locked, $"path dependency '{project.Name}': ", sourcesRoot: project);
            }
        }

        private void CheckPackage(PyProject project, LockedPackage locked, string label, PyProject? sourcesRoot = null)
        {
            sourcesRoot ??= _root;
            // uv also compares a static version; a version bump changes nothing that ships, and real projects bump it
            // without re-locking (Kludex/mangum's lock says 0.18.0 for its 0.19.0), so it is not a difference here.
            var dynamicRequirements = project.Dynamic.Contains("dependencies") || project.Dynamic.Contains("optional-dependencies");
            if (_lk.Revision >= 4 && !locked.HasMetadata)
            {
                // Lock revision 4 may omit [package.metadata] altogether; uv then compares the dependency edges. Do
                // the same by name for the unconditional dependencies.
                if (!dynamicRequirements)
                    CompareNames(project.Dependencies.Select(d => d.Requirement.NormalizedName), locked.Dependencies.Select(d => d.Name), label);
                return;
            }

            if (!dynamicRequirements)
            {
                var expected = project.Dependencies.SelectMany(d => Lower(project, sourcesRoot, d, null, null)).ToList();
                foreach (var (extra, deps) in project.OptionalDependencies)
                    expected.AddRange(deps.SelectMany(d => Lower(project, sourcesRoot, d, extra, null)));
                CompareSets(expected, locked.RequiresDist.Select(FromLock).ToList(), $"{label}dependency");

                if (_revision1)
                {
                    var wantedExtras = project.OptionalDependencies.Keys.ToHashSet(StringComparer.Ordinal);
                    var lockedExtras = (locked.ProvidesExtras ?? []).ToHashSet(StringComparer.Ordinal);
                    foreach (var e in wantedExtras.Except(lockedExtras).Order(StringComparer.Ordinal))
                        Found.Add($"{label}extra '{e}' is in pyproject.toml but not in uv.lock");
                    foreach (var e in lockedExtras.Except(wantedExtras).Order(StringComparer.Ordinal))
                        Found.Add($"{label}extra '{e}' is in uv.lock but no longer in pyproject.toml");
                }
            }
            CheckGroups(ExpectedGroups(project, sourcesRoot), locked.RequiresDev, label);
        }

        private Dictionary<string, List<Entry>> ExpectedGroups(PyProject project, PyProject sourcesRoot)
        {
            var groups = new Dictionary<string, List<Entry>>(StringComparer.Ordinal);
            foreach (var group in project.DependencyGroups.Keys)
                groups[group] = project.ResolveGroup(group).SelectMany(d => Lower(project, sourcesRoot, d, null, group)).ToList();
            return groups;
        }

        private void CheckGroups(Dictionary<string, List<Entry>> expected, IReadOnlyDictionary<string, IReadOnlyList<LockRequirement>> locked, string label)
        {
            // Before lock revision 1, uv did not record empty groups.
            var wanted = expected.Where(g => _revision1 || g.Value.Count > 0).Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
            var have = locked.Where(g => _revision1 || g.Value.Count > 0).Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
            foreach (var g in wanted.Except(have).Order(StringComparer.Ordinal))
                Found.Add($"{label}dependency group '{g}' is in pyproject.toml but not in uv.lock");
            foreach (var g in have.Except(wanted).Order(StringComparer.Ordinal))
                Found.Add($"{label}dependency group '{g}' is in uv.lock but no longer in pyproject.toml");
            foreach (var g in wanted.Intersect(have).Order(StringComparer.Ordinal))
                CompareSets(expected[g], locked[g].Select(FromLock).ToList(), $"{label}dependency group '{g}':");
        }

        private void CompareNames(IEnumerable<string> expected, IEnumerable<string> actual, string label)
        {
            var wanted = expected.ToHashSet(StringComparer.Ordinal);
            var have = actual.ToHashSet(StringComparer.Ordinal);
            foreach (var n in wanted.Except(have).Order(StringComparer.Ordinal))
                Found.Add($"{label}dependency '{n}' is in pyproject.toml but not in uv.lock");
            foreach (var n in have.Except(wanted).Order(StringComparer.Ordinal))
                Found.Add($"{label}dependency '{n}' is in uv.lock but no longer in pyproject.toml");
        }

        /// <summary>Set comparison (uv compares BTreeSets: duplicates and order do not matter).</summary>
        private void CompareSets(List<Entry> expected, List<Entry> actual, string section)
        {
            var missing = expected.Where(e => !actual.Any(a => Same(e, a))).ToList();
            var extra = actual.Where(a => !expected.Any(e => Same(e, a))).ToList();
            foreach (var name in missing.Select(m => m.Name).Concat(extra.Select(x => x.Name)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
            {
                Note(missing.FirstOrDefault(x => x.Name == name)?.At);
                var m = missing.Where(x => x.Name == name).Select(x => x.Display).Distinct(StringComparer.Ordinal).ToList();
                var x = extra.Where(x => x.Name == name).Select(x => x.Display).Distinct(StringComparer.Ordinal).ToList();
                if (m.Count == 1 && x.Count == 1)
                {
                    Found.Add($"{section} '{name}' is '{m[0]}' in pyproject.toml but '{x[0]}' in uv.lock");
                    continue;
                }
                foreach (var d in m) Found.Add($"{section} '{d}' is in pyproject.toml but not in uv.lock");
                foreach (var d in x) Found.Add($"{section} '{d}' is in uv.lock but no longer in pyproject.toml");
            }
        }

        private bool Same(Entry a, Entry b) =>
            a.Name == b.Name && (a.Key == b.Key || a.AlternativeKey == b.Key || (b.AlternativeKey is not null && b.AlternativeKey == a.Key))
            && MarkerCondition.Equivalent(a.Condition, b.Condition, _requiresPython);

        private Entry FromLock(LockRequirement q)
        {
            string source;
            var spec = "";
            if (q.Git is { } git) source = GitKey(git, null, null, null, null);
            else if (q.Url is { } url) source = $"url:{url.Split('#')[0]}|{q.Subdirectory}";
            else if (q.Path is { } path) source = "path:" + Absolute(_lk.Directory, path);
            else if (q.Editable is { } editable) source = "editable:" + Absolute(_lk.Directory, editable);
            else if ((q.Directory ?? q.Virtual) is { } directory) source = "directory:" + Absolute(_lk.Directory, directory);
            else
            {
                source = q.Index is { } index ? "index:" + index.TrimEnd('/') : "";
                spec = SpecifierKey(q.Specifier);
            }
            MarkerCondition condition;
            try { condition = MarkerCondition.Of(q.Marker); }
            catch (UvLambdaException) { condition = MarkerCondition.True; }
            return new Entry(q.Name, $"{q.Name}[{string.Join(",", q.Extras.Order(StringComparer.Ordinal))}]{spec}|{source}", condition, q.ToString());
        }

        /// <summary>
        /// The requirement as uv lowers it: one entry per applicable <c>tool.uv.sources</c> entry (its marker and the
        /// requirement's), plus a registry entry for the environments no source marker covers; entries whose marker can
        /// never be true are dropped.
        /// </summary>
        private IEnumerable<Entry> Lower(PyProject project, PyProject sourcesRoot, PyProjectDependency d, string? extra, string? group)
        {
            var r = d.Requirement;
            var condition = MarkerCondition.Of(r.Marker);
            if (extra is not null) condition = condition.And(MarkerCondition.Of($"extra == '{extra}'"));
            var extras = string.Join(",", r.Extras.Order(StringComparer.Ordinal));
            var display = d.Text + (extra is null ? "" : $" (extra '{extra}')");

            var sources = SourcesFor(project, r.NormalizedName, sourcesRoot)
                .Where(s => (s.Source.Table.GetString("extra") is not { } e || PackageName.Normalize(e) == extra)
                    && (s.Source.Table.GetString("group") is not { } g || PackageName.Normalize(g) == group))
                .ToList();
            var result = new List<Entry>();
            if (sources.Count == 0)
            {
                var key = r.Url is { } url ? DirectUrlKey(url) : "";
                var spec = r.Url is null ? SpecifierKey(r.Specifiers.ToString()) : "";
                result.Add(new Entry(r.NormalizedName, $"{r.NormalizedName}[{extras}]{spec}|{key}", condition, display));
            }
            else
            {
                var covered = new List<MarkerCondition>();
                var plain = $"{r.NormalizedName}[{extras}]{SpecifierKey(r.Specifiers.ToString())}|";
                foreach (var (source, baseDir) in sources)
                {
                    var sourceMarker = MarkerCondition.Of(source.Marker);
                    covered.Add(sourceMarker);
                    var (key, spec) = SourceKey(project, r, source, baseDir);
                    var inherited = !string.Equals(baseDir, project.Directory, StringComparison.Ordinal);
                    result.Add(new Entry(r.NormalizedName, $"{r.NormalizedName}[{extras}]{spec}|{key}", sourceMarker.And(condition), $"{display} ({Describe(source)})",
                        inherited ? plain : null));
                }
                var remaining = MarkerCondition.AnyOf(covered).Not().And(condition);
                result.Add(new Entry(r.NormalizedName, $"{r.NormalizedName}[{extras}]{SpecifierKey(r.Specifiers.ToString())}|", remaining, display));
            }
            var at = new Position(project.File, d.Line, d.Column);
            for (var i = 0; i < result.Count; i++) result[i] = result[i] with { At = at };
            // uv drops a lowered requirement whose marker is false everywhere (a source marker contradicting the
            // requirement's, or sources covering every environment): not merely outside requires-python.
            return result.Count == 1 ? result : result.Where(e => MarkerCondition.Satisfiable(e.Condition, VersionSpecifierSet.Any));
        }

        private static string Describe(UvSource s)
        {
            var parts = new List<string>();
            foreach (var e in s.Table.Entries) parts.Add($"{e.Key} = {e.Value}");
            return string.Join(", ", parts);
        }

        /// <summary>The project's own sources for a name, else the workspace root's (paths then relative to the root).</summary>
        private IEnumerable<(UvSource Source, string BaseDirectory)> SourcesFor(PyProject project, string name, PyProject? sourcesRoot = null)
        {
            if (project.Sources.TryGetValue(name, out var own)) return own.Select(s => (s, project.Directory));
            sourcesRoot ??= _root;
            if (!ReferenceEquals(sourcesRoot, project) && sourcesRoot.Sources.TryGetValue(name, out var shared)) return shared.Select(s => (s, sourcesRoot.Directory));
            return [];
        }

        private (string Key, string Spec) SourceKey(PyProject project, Requirement r, UvSource s, string baseDir)
        {
            if (s.Git is { } git)
                return (GitKey(git, s.Table.GetString("rev") is { } rev ? ("rev", rev) : s.Table.GetString("tag") is { } tag ? ("tag", tag) : s.Table.GetString("branch") is { } branch ? ("branch", branch) : null,
                    s.Table.GetString("subdirectory"), s.Table.GetString("path"), s.Table.TryGetBoolean("lfs", out var lfs) && lfs ? "true" : null), "");
            if (s.Url is { } url) return ($"url:{url}|{s.Table.GetString("subdirectory")}", "");
            if (s.Path is { } path)
            {
                var full = Absolute(baseDir, path);
                var isDirectory = Directory.Exists(full) || !File.Exists(full) && Path.GetExtension(full).Length == 0;
                return (!isDirectory ? "path:" + full : s.Editable == true ? "editable:" + full : "directory:" + full, "");
            }
            if (s.Workspace)
            {
                if (!_packages.TryGetValue(r.NormalizedName, out var member)) return ("workspace:" + r.NormalizedName, "");
                var editable = (member.UvPackage ?? true) && s.Editable != false;
                return ((editable ? "editable:" : "directory:") + Path.TrimEndingDirectorySeparator(member.Directory), "");
            }
            if (s.Index is { } indexName)
            {
                var index = project.Indexes.Concat(_root.Indexes).FirstOrDefault(i => i.Name == indexName);
                return (index is null ? "index-name:" + indexName : "index:" + index.Url.TrimEnd('/'), SpecifierKey(r.Specifiers.ToString()));
            }
            return ("", SpecifierKey(r.Specifiers.ToString()));
        }

        /// <summary>A PEP 508 direct reference (<c>name @ git+https://...@ref</c>, <c>@ https://...whl</c>, <c>@ file:///...</c>).</summary>
        private static string DirectUrlKey(string url)
        {
            if (url.StartsWith("git+", StringComparison.OrdinalIgnoreCase))
            {
                var rest = url[4..];
                var h = rest.IndexOf('#');
                var fragment = h >= 0 ? rest[(h + 1)..] : "";
                rest = h >= 0 ? rest[..h] : rest;
                var scheme = rest.IndexOf("://", StringComparison.Ordinal);
                var pathStart = scheme >= 0 ? rest.IndexOf('/', scheme + 3) : -1;
                (string, string)? reference = null;
                if (pathStart >= 0 && rest.LastIndexOf('@') is var at && at > pathStart)
                {
                    reference = ("rev", rest[(at + 1)..]);
                    rest = rest[..at];
                }
                var parts = fragment.Split('&', StringSplitOptions.RemoveEmptyEntries).Select(f => f.Split('=', 2)).Where(f => f.Length == 2).ToDictionary(f => f[0], f => f[1]);
                return GitKey(rest, reference, parts.GetValueOrDefault("subdirectory"), parts.GetValueOrDefault("path"), parts.GetValueOrDefault("lfs"));
            }
            if (url.StartsWith("file:", StringComparison.OrdinalIgnoreCase) && Uri.TryCreate(url, UriKind.Absolute, out var file))
            {
                var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(file.LocalPath));
                return (Directory.Exists(full) ? "directory:" : "path:") + full;
            }
            var sub = url.IndexOf("#subdirectory=", StringComparison.Ordinal);
            var subdirectory = sub >= 0 ? url[(sub + 14)..].Split('&')[0] : null;
            return $"url:{url.Split('#')[0]}|{subdirectory}";
        }

        /// <summary>
        /// A git source as uv writes it in requires-dist: the repository URL, then the requested reference,
        /// subdirectory, path and lfs in the query, and the resolved commit (ignored here) in the fragment.
        /// </summary>
        private static string GitKey(string url, (string Kind, string Value)? reference, string? subdirectory, string? path, string? lfs)
        {
            if (url.StartsWith("git+", StringComparison.OrdinalIgnoreCase)) url = url[4..];
            url = url.Split('#')[0];
            var q = url.IndexOf('?');
            var query = q >= 0 ? url[(q + 1)..] : "";
            url = (q >= 0 ? url[..q] : url).TrimEnd('/');
            foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                var kv = pair.Split('=', 2);
                var value = kv.Length == 2 ? Uri.UnescapeDataString(kv[1]) : "";
                switch (kv[0])
                {
                    case "rev" or "tag" or "branch": reference ??= (kv[0], value); break;
                    case "subdirectory": subdirectory ??= value; break;
                    case "path": path ??= value; break;
                    case "lfs": lfs ??= value; break;
                }
            }
            return $"git:{url}|{reference?.Kind}={reference?.Value}|{subdirectory}|{path}|{(lfs == "true" ? "lfs" : "")}";
        }

        private static string Absolute(string baseDirectory, string path) =>
            Path.TrimEndingDirectorySeparator(Path.GetFullPath(Path.Combine(baseDirectory, path)));
    }

    /// <summary>Specifiers in a canonical order and spelling: <c>&gt;=2.0, &lt;3</c> and <c>&lt;3.0,&gt;=2</c> are the same.</summary>
    private static string SpecifierKey(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return "";
        if (TryParseSpecifiers(text) is not { } set) return string.Concat(text.Where(c => !char.IsWhiteSpace(c)));
        return string.Join(",", set.Specifiers.Select(s => s.Version is { } v && !s.IsWildcard && s.Operator != VersionOperator.ArbitraryEqual
            ? $"{s.Operator}:{Canonical(v)}" : $"{s.Operator}:{s.Text}").Order(StringComparer.Ordinal));
    }

    /// <summary>The normalized version without trailing zero release segments (PEP 440: 2.0 == 2).</summary>
    private static string Canonical(Pep440Version v)
    {
        var text = v.ToString();
        var epoch = v.Epoch != 0 ? $"{v.Epoch}!" : "";
        var release = string.Join(".", v.Release);
        var rest = text.StartsWith(epoch + release, StringComparison.Ordinal) ? text[(epoch + release).Length..] : text;
        var trimmed = v.Release.ToList();
        while (trimmed.Count > 1 && trimmed[^1] == 0) trimmed.RemoveAt(trimmed.Count - 1);
        return epoch + string.Join(".", trimmed) + rest;
    }

    private static VersionSpecifierSet? TryParseSpecifiers(string text)
    {
        try { return VersionSpecifierSet.Parse(text); }
        catch (UvLambdaException) { return null; }
    }

    /// <summary>The bounding range of a requires-python (uv compares <c>RequiresPython::range</c>, not the text).</summary>
    private readonly record struct Range(Pep440Version? Lower, bool LowerInclusive, Pep440Version? Upper, bool UpperInclusive)
    {
        public static Range Of(IEnumerable<VersionSpecifier> specifiers)
        {
            var range = new Range(null, false, null, false);
            foreach (var s in specifiers)
            {
                if (s.Version is not { } v) continue;
                switch (s.Operator)
                {
                    case VersionOperator.GreaterThanOrEqual: range = range.Raise(v, true); break;
                    case VersionOperator.GreaterThan: range = range.Raise(v, false); break;
                    case VersionOperator.LessThanOrEqual: range = range.Cap(v, true); break;
                    case VersionOperator.LessThan: range = range.Cap(v, false); break;
                    case VersionOperator.Equal when s.IsWildcard:
                        range = range.Raise(v, true).Cap(Bump(v.Release, v.Release.Count - 1), false);
                        break;
                    case VersionOperator.Equal or VersionOperator.ArbitraryEqual: range = range.Raise(v, true).Cap(v, true); break;
                    case VersionOperator.Compatible:
                        range = range.Raise(v, true).Cap(Bump(v.Release, Math.Max(v.Release.Count - 2, 0)), false);
                        break;
                }
            }
            return range;
        }

        private static Pep440Version Bump(IReadOnlyList<long> release, int index)
        {
            var parts = release.Take(index + 1).ToArray();
            parts[index]++;
            return Pep440Version.Parse(string.Join(".", parts));
        }

        private Range Raise(Pep440Version v, bool inclusive) =>
            Lower is null || v > Lower || (v == Lower && !inclusive) ? this with { Lower = v, LowerInclusive = inclusive } : this;

        private Range Cap(Pep440Version v, bool inclusive) =>
            Upper is null || v < Upper || (v == Upper && !inclusive) ? this with { Upper = v, UpperInclusive = inclusive } : this;

        public bool Equals(Range other) =>
            LowerInclusive == other.LowerInclusive && UpperInclusive == other.UpperInclusive && Lower == other.Lower && Upper == other.Upper;

        public override int GetHashCode() => 0;
    }
}
