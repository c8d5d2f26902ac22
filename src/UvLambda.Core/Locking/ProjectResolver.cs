using UvLambda.Core.Diagnostics;
using UvLambda.Core.Projects;
using UvLambda.Core.Environments;

namespace UvLambda.Core.Locking;

public sealed record ProjectResolutionRequest(
    string ProjectDirectory,
    string? PythonVersion,
    string Architecture,
    string? PythonPlatform,
    IReadOnlyList<string> Extras,
    IReadOnlyList<string> Groups,
    bool Locked,
    TargetEnvironment? Target = null,
    string? PythonLockFile = null);

public sealed record ProjectResolution(string PythonVersion, string PythonVersionSource, string? LockPath, TargetEnvironment Target, IReadOnlyList<ResolvedPackage> Packages)
{
    /// <summary>The workspace resolution found (null for a folder without pyproject.toml).</summary>
    public UvWorkspace? Workspace { get; init; }
}

/// <summary>
/// The whole "what ships" question for one project: find its workspace and lock as uv does, settle PythonVersion,
/// check the lock still matches pyproject.toml, and resolve the package set for the Lambda target.
/// </summary>
public static class ProjectResolver
{
    public static ProjectResolution Resolve(ProjectResolutionRequest request, IBuildLog log)
    {
        var pyprojectPath = Path.Combine(request.ProjectDirectory, UvWorkspace.PyProjectFileName);
        if (!File.Exists(pyprojectPath))
        {
            // No pyproject.toml: a plain folder of Python files with no dependencies.
            WarnIfProjectAbove(request.ProjectDirectory, log);
            var version = LambdaRuntime.ValidatePythonVersion(string.IsNullOrWhiteSpace(request.PythonVersion) ? PythonVersionDefault.Fallback : request.PythonVersion!);
            if (LambdaRuntimes.DeprecationWarning(version, LambdaRuntimes.Today()) is { } deprecatedRuntime) log.Warning(ErrorCodes.RuntimeDeprecated, deprecatedRuntime);
            return new ProjectResolution(version, "default", null, request.Target ?? TargetEnvironment.ForLambda(version, request.Architecture, request.PythonPlatform), []);
        }

        var workspace = UvWorkspace.Discover(request.ProjectDirectory);
        string pythonVersion, source;
        if (string.IsNullOrWhiteSpace(request.PythonVersion))
            (pythonVersion, source) = PythonVersionDefault.Resolve(workspace);
        else
            (pythonVersion, source) = (LambdaRuntime.ValidatePythonVersion(request.PythonVersion!, workspace.Project.File), "PythonVersion");
        PythonVersionDefault.CheckAllowed(pythonVersion, workspace.Project);
        if (LambdaRuntimes.DeprecationWarning(pythonVersion, LambdaRuntimes.Today(), v => PythonVersionDefault.Allows(workspace.Project.RequiresPython, v)) is { } deprecated)
            log.Warning(ErrorCodes.RuntimeDeprecated, deprecated, workspace.Project.File);
        // Target: the Lambda runtime, unless the caller resolves for another interpreter (the host, for local runs).
        var target = request.Target ?? TargetEnvironment.ForLambda(pythonVersion, request.Architecture, request.PythonPlatform);

        // A PEP 751 lock, when there is no uv.lock or PythonLockFile names one: markers decide, no graph to walk.
        if (LockFileLocator.FindPylock(workspace, request.PythonLockFile, log) is { } pylockPath)
        {
            var pylock = PylockReader.Load(pylockPath);
            return new ProjectResolution(pythonVersion, source, pylock.FilePath, target,
                PylockResolver.Resolve(pylock, new ResolveOptions(request.ProjectDirectory, request.Extras, request.Groups, target), log, workspace.MemberDirectories)) { Workspace = workspace };
        }

        if (workspace.LockPath is null)
        {
            if (workspace.Project.HasDependencies || request.Extras.Count > 0 || request.Groups.Count > 0)
                throw new UvLambdaException(ErrorCodes.LockMissing,
                    $"'{workspace.Project.Name}' has dependencies but there is no uv.lock in '{workspace.RootDirectory}'. Run `uv lock` there and commit uv.lock.",
                    workspace.Project.File);
            return new ProjectResolution(pythonVersion, source, null, target, []) { Workspace = workspace };
        }

        var lk = UvLockReader.Load(workspace.LockPath);
        if (lk.RequiresPython is { } lockRequires && !PythonVersionDefault.Allows(Standards.VersionSpecifierSet.Parse(lockRequires), pythonVersion))
            throw new UvLambdaException(ErrorCodes.PythonVersionExcluded,
                $"PythonVersion {pythonVersion} is excluded by requires-python '{lockRequires}' in uv.lock. Set PythonVersion to a version it allows, or change requires-python and run `uv lock`.",
                lk.FilePath);

        var stale = LockFreshness.Find(workspace, lk);
        if (stale.Found.Count > 0)
        {
            var message = $"uv.lock is out of date with pyproject.toml: {string.Join("; ", stale.Found)}. Run `uv lock`.";
            // At the first difference's line in its pyproject.toml (a dependency added or changed), else the project's file.
            var (file, line, column) = stale.File is { } at ? (at, stale.Line, stale.Column) : (workspace.Project.File, 0, 0);
            if (request.Locked) throw new UvLambdaException(ErrorCodes.LockOutOfDate, message + " (UvLocked=true makes this an error.)", file, line, column);
            // Say what a build that goes on ships: a dependency only pyproject.toml names is not in the package.
            log.Warning(ErrorCodes.LockOutOfDate, message + " This build packages what uv.lock says, like `uv export --frozen`; set UvLocked=true to make this an error, like `uv export --locked`.", file, line, column);
        }

        IReadOnlyList<ResolvedPackage> packages;
        try
        {
            packages = LockResolver.Resolve(lk, new ResolveOptions(request.ProjectDirectory, request.Extras, request.Groups, target));
        }
        catch (UvLambdaException e) when (e.Code is ErrorCodes.UnknownGroup or ErrorCodes.UnknownExtra && NotYetLocked(e, request, workspace.Project) is { } name)
        {
            // The name is right; the lock is behind: say that, not "fix the item or add the group".
            var (item, table) = e.Code == ErrorCodes.UnknownGroup ? ("LambdaDependencyGroup", "[dependency-groups]") : ("LambdaExtras", "[project.optional-dependencies]");
            throw new UvLambdaException(e.Code,
                $"{item} names '{name}', which pyproject.toml defines in {table}, but uv.lock was written before it was added. Run `uv lock` (and commit uv.lock).",
                workspace.Project.File);
        }
        return new ProjectResolution(pythonVersion, source, lk.FilePath, target, packages) { Workspace = workspace };
    }

    /// <summary>The requested group or extra the refusal names, when pyproject.toml does define it (so only the lock lacks it).</summary>
    private static string? NotYetLocked(UvLambdaException e, ProjectResolutionRequest request, PyProject project)
    {
        var (requested, defined) = e.Code == ErrorCodes.UnknownGroup
            ? (request.Groups, project.DependencyGroups.Keys)
            : (request.Extras, project.OptionalDependencies.Keys);
        var definedNames = defined.Select(Standards.PackageName.Normalize).ToHashSet(StringComparer.Ordinal);
        return requested.Select(Standards.PackageName.Normalize)
            .FirstOrDefault(n => definedNames.Contains(n) && e.Message.Contains($"names '{n}'", StringComparison.Ordinal));
    }

    /// <summary>
    /// UVL1312 when a folder without pyproject.toml sits inside a uv project (a pyproject.toml with a [project] table
    /// above it): uv run there would use that project and its dependencies, but this build ships none of them. The
    /// usual cause is a .pyproj created in a subfolder (build/, deploy/) instead of beside pyproject.toml.
    /// </summary>
    internal static void WarnIfProjectAbove(string projectDirectory, IBuildLog log)
    {
        for (var dir = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(projectDirectory))); dir is not null; dir = Path.GetDirectoryName(dir))
        {
            var above = Path.Combine(dir, UvWorkspace.PyProjectFileName);
            if (!File.Exists(above)) continue;
            PyProject project;
            try { project = PyProject.Load(above); }
            catch (UvLambdaException) { return; } // Not this build's file: its errors are not this build's to report.
            if (!project.HasProjectTable) return;
            log.Warning(ErrorCodes.PyProjectNotBeside,
                $"There is no pyproject.toml in {projectDirectory}, so this build ships no dependencies, but uv would use the project '{project.Name}' at {above}. "
                + $"Move the .pyproj beside that pyproject.toml (into {dir}), or give this folder its own pyproject.toml (`uv init --bare`) if it is a separate function.",
                above);
            return;
        }
    }
}
