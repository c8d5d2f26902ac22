using UvLambda.Core.Diagnostics;

namespace UvLambda.Core.Projects;

/// <summary>
/// Where a project's uv.lock is, found the way uv finds it: the nearest enclosing <c>[tool.uv.workspace]</c> root
/// that includes the project owns the lock; otherwise the project is its own root.
/// </summary>
public sealed class UvWorkspace
{
    public const string LockFileName = "uv.lock";
    public const string PyProjectFileName = "pyproject.toml";

    private UvWorkspace(PyProject project, PyProject root, IReadOnlyList<string> members)
    {
        Project = project;
        Root = root;
        MemberDirectories = members;
        var lockPath = Path.Combine(RootDirectory, LockFileName);
        LockPath = File.Exists(lockPath) ? lockPath : null;
    }

    /// <summary>The project's own pyproject.toml.</summary>
    public PyProject Project { get; }

    /// <summary>The workspace root's pyproject.toml (the project's own when it is the root or stands alone).</summary>
    public PyProject Root { get; }

    public string ProjectDirectory => Project.Directory;
    public string RootDirectory => Root.Directory;

    /// <summary>The root's uv.lock, or null when there is none yet.</summary>
    public string? LockPath { get; }

    /// <summary>True when the project is the workspace root or a standalone project (not a member of another root).</summary>
    public bool IsRoot => ReferenceEquals(Project, Root);

    public bool IsMember => !IsRoot;

    /// <summary>True when the root declares a workspace but no <c>[project]</c>: it only groups members.</summary>
    public bool IsVirtualRoot => Root.IsWorkspaceRoot && !Root.HasProjectTable;

    /// <summary>
    /// Full paths of the folders the root's <c>members</c> globs name that hold a pyproject.toml and are not
    /// <c>exclude</c>d, sorted. The root itself is not listed. Empty for a standalone project.
    /// </summary>
    public IReadOnlyList<string> MemberDirectories { get; }

    private IReadOnlyList<PyProject>? _members;

    /// <summary>
    /// The pyproject.toml of every member folder (<see cref="MemberDirectories"/>; the root not included), loaded once;
    /// the project's own is the instance already loaded.
    /// </summary>
    public IReadOnlyList<PyProject> Members => _members ??= MemberDirectories
        .Select(d => string.Equals(d, ProjectDirectory, StringComparison.Ordinal) ? Project : PyProject.Load(Path.Combine(d, PyProjectFileName)))
        .ToList();

    /// <summary>Finds the workspace of the project whose pyproject.toml is in <paramref name="projectDirectory"/>.</summary>
    public static UvWorkspace Discover(string projectDirectory)
    {
        var projectDir = Path.TrimEndingDirectorySeparator(Path.GetFullPath(projectDirectory));
        var projectFile = Path.Combine(projectDir, PyProjectFileName);
        if (!File.Exists(projectFile))
            throw new UvLambdaException(ErrorCodes.MalformedPyProject,
                $"There is no {PyProjectFileName} in {projectDir}. Create one (`uv init`) beside the project file.");
        var project = PyProject.Load(projectFile);
        if (project.IsWorkspaceRoot)
            return new UvWorkspace(project, project, ExpandMembers(project));

        for (var dir = Path.GetDirectoryName(projectDir); dir is not null; dir = Path.GetDirectoryName(dir))
        {
            var candidate = Path.Combine(dir, PyProjectFileName);
            if (!File.Exists(candidate)) continue;
            var root = PyProject.Load(candidate);
            if (root.IsWorkspaceRoot)
            {
                // As uv: the nearest workspace root decides; if it does not include the project, the project stands alone.
                return Includes(root, projectDir)
                    ? new UvWorkspace(project, root, ExpandMembers(root))
                    : new UvWorkspace(project, project, []);
            }
            // Any other pyproject.toml ends the search, as in uv: ours is then e.g. the example or test project of
            // the enclosing one, and whatever workspace that one belongs to is not ours.
            return new UvWorkspace(project, project, []);
        }
        return new UvWorkspace(project, project, []);
    }

    /// <summary>
    /// Fails with <see cref="ErrorCodes.LockMissing"/> when there is no lock but the project has dependencies to
    /// install. A project without dependencies needs no lock.
    /// </summary>
    public void RequireLockIfNeeded()
    {
        if (LockPath is not null || !Project.HasDependencies) return;
        throw new UvLambdaException(ErrorCodes.LockMissing,
            $"{Project.Name ?? ProjectDirectory} has dependencies but there is no {LockFileName} in {RootDirectory}; run `uv lock` in {RootDirectory}.",
            Project.File);
    }

    private static bool Includes(PyProject root, string projectDir)
    {
        var relative = Path.GetRelativePath(root.Directory, projectDir);
        return root.WorkspaceMembers.Any(g => new WorkspaceGlob(g).Matches(relative))
            && !root.WorkspaceExclude.Any(g => new WorkspaceGlob(g).Matches(relative));
    }

    private static IReadOnlyList<string> ExpandMembers(PyProject root)
    {
        var excludes = root.WorkspaceExclude.Select(g => new WorkspaceGlob(g)).ToList();
        var rootDir = root.Directory;
        return root.WorkspaceMembers
            .SelectMany(g => new WorkspaceGlob(g).ExpandDirectories(rootDir))
            .Select(d => Path.TrimEndingDirectorySeparator(d))
            .Where(d => !string.Equals(d, rootDir, StringComparison.Ordinal))
            .Where(d => File.Exists(Path.Combine(d, PyProjectFileName)))
            .Where(d => !excludes.Any(e => e.Matches(Path.GetRelativePath(rootDir, d))))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();
    }
}
