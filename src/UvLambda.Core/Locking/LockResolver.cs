using UvLambda.Core.Diagnostics;
using UvLambda.Core.Standards;
using UvLambda.Core.Environments;

namespace UvLambda.Core.Locking;

/// <summary>What to resolve: which project of the lock, with which extras and groups, for which target.</summary>
public sealed record ResolveOptions(string ProjectDirectory, IReadOnlyList<string> Extras, IReadOnlyList<string> Groups, TargetEnvironment Target);

/// <summary>
/// Chooses the packages that ship, the way <c>uv export --frozen --no-default-groups --no-editable</c> does for one
/// target environment: start at the project (or, for a virtual workspace root, every member), add the requested
/// extras and groups, walk the lock's edges keeping those whose marker holds for the target, then pick each package's
/// best wheel. Conflict markers (<c>extra == 'extra-N-pkg-x'</c>) are evaluated against the extras and groups
/// activated so far, counting the edge's own requested extras, as uv does.
/// </summary>
public static class LockResolver
{
    public static IReadOnlyList<ResolvedPackage> Resolve(UvLock lk, ResolveOptions options)
    {
        var walk = new Walk(lk, options);
        walk.Run();
        return walk.Emit();
    }

    /// <summary>uv's encoding of a conflict item into the <c>extra</c> marker variable.</summary>
    public static string EncodeExtra(string package, string extra) => $"extra-{package.Length}-{package}-{extra}";
    public static string EncodeGroup(string package, string group) => $"group-{package.Length}-{package}-{group}";
    public static string EncodeProject(string package) => $"project-{package.Length}-{package}";

    private enum NodeKind { Base, Extra, Group }

    private sealed class Walk(UvLock lk, ResolveOptions options)
    {
        private readonly HashSet<string> _activated = new(StringComparer.Ordinal);
        private readonly List<LockedPackage> _included = [];
        private readonly HashSet<LockedPackage> _includedSet = new(ReferenceEqualityComparer.Instance);
        private readonly HashSet<(LockedPackage, NodeKind, string)> _queued = [];
        private readonly Queue<(LockedPackage Package, NodeKind Kind, string Name)> _queue = new();
        private readonly List<LockedPackage> _roots = [];
        private bool _rootIsProject;

        private static readonly IReadOnlySet<string> NoGroups = new HashSet<string>();

        public void Run()
        {
            FindRoots();
            var extras = options.Extras.Select(PackageName.Normalize).Distinct().ToList();
            var groups = options.Groups.Select(PackageName.Normalize).Distinct().ToList();
            foreach (var extra in extras)
            {
                var owners = _roots.Where(r => r.OptionalDependencies.ContainsKey(extra) || r.ProvidesExtras?.Contains(extra) == true).ToList();
                if (owners.Count == 0)
                    throw new UvLambdaException(ErrorCodes.UnknownExtra,
                        $"LambdaExtras names '{extra}', but {RootNames()} has no such extra in uv.lock{Available(_roots.SelectMany(r => r.OptionalDependencies.Keys))}. Fix the LambdaExtras item, or add the extra to [project.optional-dependencies] and run `uv lock`.", lk.FilePath);
                foreach (var owner in owners)
                {
                    _activated.Add(EncodeExtra(owner.NormalizedName, extra));
                    Enqueue(owner, NodeKind.Extra, extra);
                }
            }
            foreach (var group in groups)
            {
                var owners = _roots.Where(r => r.DevDependencies.ContainsKey(group)).ToList();
                if (owners.Count == 0 && !lk.ManifestDependencyGroups.ContainsKey(group))
                    throw new UvLambdaException(ErrorCodes.UnknownGroup,
                        $"LambdaDependencyGroup names '{group}', but {RootNames()} has no such dependency group in uv.lock{Available(_roots.SelectMany(r => r.DevDependencies.Keys))}. Fix the LambdaDependencyGroup item, or add the group to [dependency-groups] and run `uv lock`.", lk.FilePath);
                foreach (var owner in owners)
                {
                    _activated.Add(EncodeGroup(owner.NormalizedName, group));
                    Enqueue(owner, NodeKind.Group, group);
                }
                if (lk.ManifestDependencyGroups.TryGetValue(group, out var names))
                    foreach (var name in names)
                        Include(Find(new LockedDependency(PackageName.Normalize(name), [], null, null, null, 0, 0), null));
            }
            CheckConflicts(requestedOnly: true);

            while (_queue.Count > 0)
            {
                var (package, kind, name) = _queue.Dequeue();
                var edges = kind switch
                {
                    NodeKind.Base => package.Dependencies,
                    NodeKind.Extra => package.OptionalDependencies.TryGetValue(name, out var e) ? e : [],
                    _ => package.DevDependencies.TryGetValue(name, out var g) ? g : [],
                };
                foreach (var edge in edges) Follow(package, edge);
            }
            CheckConflicts(requestedOnly: false);
        }

        private void Follow(LockedPackage from, LockedDependency edge)
        {
            List<string>? added = null;
            foreach (var extra in edge.Extras)
            {
                var encoded = EncodeExtra(edge.Name, extra);
                if (!_activated.Contains(encoded)) (added ??= []).Add(encoded);
            }
            if (edge.Marker is { } marker)
            {
                IReadOnlySet<string> active = _activated;
                if (added is not null) active = new HashSet<string>(_activated.Concat(added), StringComparer.Ordinal);
                if (!marker.Evaluate(options.Target.Markers, active, NoGroups)) return;
            }
            if (added is not null) _activated.UnionWith(added);
            var target = Find(edge, from);
            Include(target);
            foreach (var extra in edge.Extras) Enqueue(target, NodeKind.Extra, extra);
        }

        private void Include(LockedPackage package)
        {
            if (!_includedSet.Add(package)) return;
            _included.Add(package);
            _activated.Add(EncodeProject(package.NormalizedName));
            Enqueue(package, NodeKind.Base, "");
        }

        private void Enqueue(LockedPackage package, NodeKind kind, string name)
        {
            if (_queued.Add((package, kind, name))) _queue.Enqueue((package, kind, name));
        }

        private void FindRoots()
        {
            var projectDir = Path.TrimEndingDirectorySeparator(Path.GetFullPath(options.ProjectDirectory));
            var lockDir = Path.TrimEndingDirectorySeparator(lk.Directory);
            foreach (var p in lk.Packages)
            {
                if (p.Source.Kind is not (LockSourceKind.Editable or LockSourceKind.Virtual or LockSourceKind.Directory)) continue;
                var dir = Path.TrimEndingDirectorySeparator(Path.GetFullPath(Path.Combine(lockDir, p.Source.Value)));
                if (string.Equals(dir, projectDir, StringComparison.Ordinal)) _roots.Add(p);
            }
            if (_roots.Count == 1)
            {
                _rootIsProject = true;
                _includedSet.Add(_roots[0]);
                _activated.Add(EncodeProject(_roots[0].NormalizedName));
                Enqueue(_roots[0], NodeKind.Base, "");
                return;
            }
            if (_roots.Count == 0 && string.Equals(projectDir, lockDir, StringComparison.Ordinal) && lk.Members.Count > 0)
            {
                // A virtual workspace root (no [project]): uv exports every member.
                foreach (var member in lk.Members)
                {
                    var package = lk.PackagesNamed(member).FirstOrDefault(p => p.Source.IsLocal);
                    if (package is null) continue;
                    _roots.Add(package);
                    Include(package);
                }
                if (_roots.Count > 0) return;
            }
            throw new UvLambdaException(ErrorCodes.ProjectNotInLock,
                _roots.Count > 1
                    ? $"uv.lock has {_roots.Count} packages at '{options.ProjectDirectory}'. Run `uv lock` to rewrite it."
                    : $"uv.lock at '{lk.FilePath}' has no package for the project in '{options.ProjectDirectory}'. Run `uv lock` so the lock includes it (for a workspace member, check it is listed in [tool.uv.workspace] members).",
                lk.FilePath);
        }

        private string RootNames() => string.Join(", ", _roots.Select(r => $"'{r.Name}'"));

        private static string Available(IEnumerable<string> names)
        {
            var list = names.Distinct().Order(StringComparer.Ordinal).ToList();
            return list.Count == 0 ? " (it has none)" : $" (it has: {string.Join(", ", list)})";
        }

        private LockedPackage Find(LockedDependency edge, LockedPackage? from)
        {
            var candidates = lk.PackagesNamed(edge.Name);
            IEnumerable<LockedPackage> matching = candidates;
            if (edge.Version is { } version) matching = matching.Where(p => p.Version is { } v && VersionsEqual(v, version));
            if (edge.Source is { } source) matching = matching.Where(p => p.Source == source);
            var list = matching.ToList();
            if (list.Count == 1) return list[0];
            if (list.Count == 0)
                throw new UvLambdaException(ErrorCodes.DanglingDependency,
                    $"{(from is null ? "The lock" : $"'{from.Name}'")} depends on '{edge.Name}'{(edge.Version is null ? "" : $" {edge.Version}")}, but uv.lock has no such package. The lock is damaged or was edited by hand: run `uv lock`.",
                    lk.FilePath, edge.Line, edge.Column);
            throw new UvLambdaException(ErrorCodes.AmbiguousDependency,
                $"'{from?.Name}' depends on '{edge.Name}', which uv.lock has {list.Count} times ({string.Join(", ", list.Select(p => $"{p.Version} from {p.Source}"))}), and the dependency does not say which. Run `uv lock` to rewrite the lock.",
                lk.FilePath, edge.Line, edge.Column);
        }

        private static bool VersionsEqual(string a, string b) =>
            a == b || (Pep440Version.TryParse(a, out var va) && Pep440Version.TryParse(b, out var vb) && va == vb);

        private void CheckConflicts(bool requestedOnly)
        {
            foreach (var set in lk.Conflicts)
            {
                var active = set.Where(item => _activated.Contains(
                    item.Extra is { } e ? EncodeExtra(item.Package, e) : item.Group is { } g ? EncodeGroup(item.Package, g) : EncodeProject(item.Package))).ToList();
                // Packages themselves are always "active" once included; only extras and groups conflict by request.
                if (requestedOnly) active = active.Where(i => i.Extra is not null || i.Group is not null).ToList();
                if (active.Count < 2) continue;
                throw new UvLambdaException(ErrorCodes.ConflictingExtras,
                    $"The requested extras and groups conflict, as uv.lock declares: {string.Join(" and ", active.Select(Describe))} cannot be installed together. Remove one of them from LambdaExtras / LambdaDependencyGroup.",
                    lk.FilePath);
            }
        }

        private static string Describe(ConflictItem i) =>
            i.Extra is { } e ? $"extra '{e}' of {i.Package}" : i.Group is { } g ? $"group '{g}' of {i.Package}" : $"project {i.Package}";

        public IReadOnlyList<ResolvedPackage> Emit()
        {
            var result = new List<ResolvedPackage>();
            var problems = new List<string>();
            var firstProblemLine = 0;
            var members = lk.Members.ToHashSet(StringComparer.Ordinal);
            foreach (var p in _included)
            {
                if (_rootIsProject && ReferenceEquals(p, _roots[0])) continue;
                // Virtual packages have nothing to install; their dependencies were followed.
                if (p.Source.Kind == LockSourceKind.Virtual) continue;
                var source = p.Source.Kind switch
                {
                    LockSourceKind.Registry => ResolvedSource.Registry,
                    LockSourceKind.Git => ResolvedSource.Git,
                    LockSourceKind.Url => ResolvedSource.Url,
                    LockSourceKind.Path => ResolvedSource.Path,
                    _ when members.Contains(p.NormalizedName) => ResolvedSource.Workspace,
                    _ => ResolvedSource.Directory,
                };
                string? localPath = p.Source.IsLocal ? Path.GetFullPath(Path.Combine(lk.Directory, p.Source.Value)) : null;
                LockedFile? wheel = null;
                if (p.Wheels.Count > 0)
                {
                    wheel = WheelChoice.Choose($"{p.Name} {p.Version}", p.Wheels, options.Target, out var problem);
                    if (wheel is null)
                    {
                        if (problems.Count == 0) firstProblemLine = p.Line;
                        problems.Add(problem!);
                        continue;
                    }
                }
                else if (p.Sdist is null && source is ResolvedSource.Registry)
                {
                    throw new UvLambdaException(ErrorCodes.NoDistribution,
                        $"uv.lock lists {p} from {p.Source.Value} with neither wheels nor an sdist. Run `uv lock` to refresh it.", lk.FilePath, p.Line, 1);
                }
                result.Add(new ResolvedPackage(p.Name, p.Version, source, wheel, p.Sdist, localPath, p));
            }
            if (problems.Count > 0)
                throw WheelChoice.NoCompatibleWheel(problems, options.Target, lk.FilePath, firstProblemLine);
            return result;
        }
    }
}
