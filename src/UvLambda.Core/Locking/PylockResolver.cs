using UvLambda.Core.Diagnostics;
using UvLambda.Core.Standards;
using UvLambda.Core.Projects;
using UvLambda.Core.Environments;

namespace UvLambda.Core.Locking;

/// <summary>
/// Installs from a pylock.toml the way PEP 751 says an installer does: the requested extras (none by default) and
/// dependency groups (the lock's <c>default-groups</c> unless some are requested) feed the <c>extras</c> and
/// <c>dependency_groups</c> markers; each <c>[[packages]]</c> entry whose marker holds for the target is installed,
/// with no graph walk. The entries become <see cref="ResolvedPackage"/>s, so fetching, building, auditing and
/// packaging are the same as for uv.lock. An entry for the project's own folder is the project: it is not installed.
/// </summary>
public static class PylockResolver
{
    /// <param name="workspaceMembers">Full paths of the workspace's member folders: a directory entry there is a member (Source=workspace).</param>
    public static IReadOnlyList<ResolvedPackage> Resolve(PylockFile lk, ResolveOptions options, IBuildLog? log = null, IReadOnlyCollection<string>? workspaceMembers = null)
    {
        var target = options.Target;
        // PEP 751: a newer minor version is read, with a warning (the file may say things this reader ignores).
        if (lk.LockVersionMinor > PylockReader.SupportedMinorVersion)
            log?.Warning(ErrorCodes.NewerPylockVersion,
                $"{lk.FileName} has lock-version {lk.LockVersion}, newer than the {PylockReader.SupportedMajorVersion}.{PylockReader.SupportedMinorVersion} UvLambda reads; fields added since are ignored. Update UvLambda if the build differs from what the lock intends.",
                lk.FilePath, lk.LockVersionLine, 1);
        var extras = Requested(options.Extras, lk.Extras, lk, "extra", "LambdaExtras", ErrorCodes.UnknownExtra);
        var groups = options.Groups.Count > 0
            ? Requested(options.Groups, lk.DependencyGroups, lk, "dependency group", "LambdaDependencyGroup", ErrorCodes.UnknownGroup)
            : lk.DefaultGroups.ToHashSet(StringComparer.Ordinal);

        if (lk.RequiresPython is { } requires && !PythonVersionDefault.Allows(requires, target.PythonVersion))
            throw new UvLambdaException(ErrorCodes.PythonVersionExcluded,
                $"PythonVersion {target.PythonVersion} is excluded by requires-python '{lk.RequiresPythonText}' in {lk.FileName}. Set PythonVersion to a version it allows, or re-create the lock for it.",
                lk.FilePath);
        if (lk.Environments.Count > 0 && !lk.Environments.Any(m => m.Evaluate(target.Markers, extras, groups)))
            throw new UvLambdaException(ErrorCodes.PylockEnvironmentMismatch,
                $"{lk.FileName} supports only the environments {string.Join(" | ", lk.Environments.Select(m => $"'{m.Text}'"))}, and {target} is none of them. Re-create the lock with an environment that matches Lambda's Linux (e.g. `sys_platform == 'linux'`), or change PythonVersion / LambdaArchitecture.",
                lk.FilePath, lk.EnvironmentsLine, 1);

        var projectDir = Path.TrimEndingDirectorySeparator(Path.GetFullPath(options.ProjectDirectory));
        var chosen = new Dictionary<string, PylockPackage>(StringComparer.Ordinal);
        var result = new List<ResolvedPackage>();
        var problems = new List<string>();
        foreach (var p in lk.Packages)
        {
            if (p.Marker is { } marker && !marker.Evaluate(target.Markers, extras, groups)) continue;
            if (chosen.TryGetValue(p.NormalizedName, out var first))
                throw new UvLambdaException(ErrorCodes.PylockAmbiguousPackage,
                    $"{lk.FileName} has two entries for '{p.Name}' that both apply to {target} (lines {first.Line} and {p.Line}{Describe(first, p)}). Their markers must exclude each other: re-create the lock.",
                    lk.FilePath, p.Line, p.Column);
            chosen.Add(p.NormalizedName, p);
            if (p.RequiresPython is { } packageRequires && !PythonVersionDefault.Allows(packageRequires, target.PythonVersion))
                throw new UvLambdaException(ErrorCodes.PythonVersionExcluded,
                    $"{p} in {lk.FileName} requires Python '{p.RequiresPythonText}', which excludes PythonVersion {target.PythonVersion}. Set PythonVersion to a version it allows, or re-create the lock for it.",
                    lk.FilePath, p.Line, p.Column);
            if (ToResolved(lk, p, projectDir, target, problems) is { } resolved)
                result.Add(resolved.Source == ResolvedSource.Directory && workspaceMembers?.Contains(resolved.LocalPath!) == true
                    ? resolved with { Source = ResolvedSource.Workspace } : resolved);
        }
        if (problems.Count > 0)
            throw WheelChoice.NoCompatibleWheel(problems, target, lk.FilePath);
        return result;
    }

    private static string Describe(PylockPackage a, PylockPackage b) =>
        a.Marker is null && b.Marker is null ? ", neither has a marker" : $": {a.Marker?.Text ?? "no marker"} / {b.Marker?.Text ?? "no marker"}";

    private static HashSet<string> Requested(IReadOnlyList<string> requested, IReadOnlyList<string> available, PylockFile lk, string what, string property, string code)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in requested.Select(PackageName.Normalize))
        {
            if (!available.Contains(name))
                throw new UvLambdaException(code,
                    $"{property} names '{name}', but {lk.FileName} has no such {what} ({(available.Count == 0 ? "it lists none" : "it lists: " + string.Join(", ", available))}). Fix the {property} item, or re-create the lock with it.",
                    lk.FilePath);
            set.Add(name);
        }
        return set;
    }

    private static ResolvedPackage? ToResolved(PylockFile lk, PylockPackage p, string projectDir, TargetEnvironment target, List<string> problems)
    {
        string Full(string path) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(Path.Combine(lk.Directory, path)));
        var display = p.ToString();
        LockSource source;
        ResolvedSource kind;
        LockedFile? wheel = null, sdist = null;
        IReadOnlyList<LockedFile> wheels = [];
        string? localPath = null;

        if (p.Directory is { } d)
        {
            var dir = Full(d.Subdirectory is null ? d.Path : Path.Combine(d.Path, d.Subdirectory));
            // The project itself ships as the app's sources, not as a package.
            if (string.Equals(dir, projectDir, StringComparison.Ordinal)) return null;
            (source, kind, localPath) = (new LockSource(LockSourceKind.Directory, d.Path), ResolvedSource.Directory, dir);
        }
        else if (p.Vcs is { } v)
        {
            var url = v.Url ?? new Uri(Full(v.Path!)).AbsoluteUri;
            var value = url + (v.Subdirectory is null ? "" : "?subdirectory=" + Uri.EscapeDataString(v.Subdirectory)) + "#" + v.CommitId;
            (source, kind) = (new LockSource(LockSourceKind.Git, value), ResolvedSource.Git);
        }
        else if (p.Archive is { } a)
        {
            var file = a.ToLockedFile();
            (source, kind) = a.Url is { } url ? (new LockSource(LockSourceKind.Url, url), ResolvedSource.Url) : (new LockSource(LockSourceKind.Path, a.Path!), ResolvedSource.Path);
            if (a.Path is { } path) localPath = Full(path);
            if (file.Name.EndsWith(".whl", StringComparison.OrdinalIgnoreCase)) wheels = [file];
            else sdist = file;
        }
        else
        {
            wheels = p.Wheels.Select(w => w.ToLockedFile()).ToList();
            sdist = p.Sdist?.ToLockedFile();
            // Set below, from the file actually chosen: without an index, that file is the source.
            (source, kind) = (new LockSource(LockSourceKind.Registry, p.Index ?? ""), ResolvedSource.Registry);
        }

        if (wheels.Count > 0)
        {
            // As for uv.lock: wheels that exist but do not fit are an error, never a reason to build the sdist.
            wheel = WheelChoice.Choose(display, wheels, target, out var problem);
            if (wheel is null)
            {
                problems.Add(problem!);
                return null;
            }
        }
        if (p.Directory is null && p.Vcs is null && p.Archive is null && p.Index is null)
        {
            // uv pip (UvLambdaInstaller=uv) installs a url source by its URL and a path source by its full path.
            var file = wheel ?? sdist!;
            (source, kind) = file.Url is { } url ? (new LockSource(LockSourceKind.Url, url), ResolvedSource.Url)
                : (new LockSource(LockSourceKind.Path, file.Path!), ResolvedSource.Path);
            if (file.Url is null) localPath = Full(file.Path!);
        }

        // PEP 751 lets an entry leave out its version; the wheel's file name still has it (fetching names it).
        var version = p.Version ?? (wheel is not null && WheelFileName.TryParse(wheel.Name, out var parsed) ? parsed.Version.ToString() : null);
        var locked = new LockedPackage
        {
            Name = p.Name,
            NormalizedName = p.NormalizedName,
            Version = version,
            Source = source,
            Dependencies = [],
            OptionalDependencies = new Dictionary<string, IReadOnlyList<LockedDependency>>(),
            DevDependencies = new Dictionary<string, IReadOnlyList<LockedDependency>>(),
            Sdist = sdist,
            Wheels = wheels,
            Line = p.Line,
        };
        return new ResolvedPackage(p.Name, version, kind, wheel, sdist, localPath, locked);
    }
}
