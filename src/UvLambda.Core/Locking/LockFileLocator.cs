using UvLambda.Core.Diagnostics;
using UvLambda.Core.Projects;

namespace UvLambda.Core.Locking;

/// <summary>
/// Which lock file a project resolves from. uv.lock (found as uv finds it, see <see cref="UvWorkspace"/>) wins; without
/// one, a PEP 751 <c>pylock.toml</c> in the project's folder, then in the workspace root, else the only
/// <c>pylock.&lt;name&gt;.toml</c> there. The <c>PythonLockFile</c> property names one explicitly (relative to the project).
/// </summary>
public static class LockFileLocator
{
    /// <summary>
    /// The pylock.toml to read, or null when uv.lock is to be used (or there is no lock at all). Logs, once per call,
    /// which file was chosen when both kinds are present.
    /// </summary>
    public static string? FindPylock(UvWorkspace workspace, string? pythonLockFile, IBuildLog log)
    {
        if (!string.IsNullOrWhiteSpace(pythonLockFile))
        {
            var path = Path.GetFullPath(Path.Combine(workspace.ProjectDirectory, pythonLockFile.Trim()));
            var name = Path.GetFileName(path);
            if (name != UvWorkspace.LockFileName && !PylockReader.IsPylockFileName(name))
                throw new UvLambdaException(ErrorCodes.LockFileChoice,
                    $"PythonLockFile is '{pythonLockFile}', which is neither uv.lock nor a PEP 751 lock file name (pylock.toml or pylock.<name>.toml). Name one of those.",
                    workspace.Project.File);
            if (!File.Exists(path))
                throw new UvLambdaException(ErrorCodes.LockFileChoice,
                    $"PythonLockFile is '{pythonLockFile}', but there is no file at {path}. Fix the property (it is relative to the project folder), or create the lock.",
                    workspace.Project.File);
            if (name == UvWorkspace.LockFileName)
            {
                if (workspace.LockPath is null || !string.Equals(Path.GetFullPath(workspace.LockPath), path, StringComparison.Ordinal))
                    throw new UvLambdaException(ErrorCodes.LockFileChoice,
                        $"PythonLockFile is '{pythonLockFile}', but the project's uv.lock is {(workspace.LockPath is null ? "not there" : $"at {workspace.LockPath}")}: uv reads the workspace root's uv.lock only. Point PythonLockFile at that file or at a pylock.toml.",
                        workspace.Project.File);
                return null;
            }
            return path;
        }

        var candidates = Candidates(workspace);
        if (workspace.LockPath is not null)
        {
            if (candidates.Count > 0)
                log.Info($"Using {workspace.LockPath}; {string.Join(", ", candidates.Select(Path.GetFileName).Distinct())} beside it {(candidates.Count == 1 ? "is" : "are")} not read (set PythonLockFile to use one).");
            return null;
        }
        foreach (var dir in Folders(workspace))
        {
            var inDir = candidates.Where(c => string.Equals(Path.GetDirectoryName(c), dir, StringComparison.Ordinal)).ToList();
            var plain = inDir.FirstOrDefault(c => Path.GetFileName(c) == "pylock.toml");
            if (plain is not null) return plain;
            if (inDir.Count == 1) return inDir[0];
            if (inDir.Count > 1)
                throw new UvLambdaException(ErrorCodes.LockFileChoice,
                    $"{dir} has several lock files ({string.Join(", ", inDir.Select(Path.GetFileName))}) and no uv.lock or pylock.toml. Set PythonLockFile to the one to build from.",
                    workspace.Project.File);
        }
        return null;
    }

    private static IEnumerable<string> Folders(UvWorkspace workspace) =>
        new[] { workspace.ProjectDirectory, workspace.RootDirectory }.Select(d => Path.TrimEndingDirectorySeparator(Path.GetFullPath(d))).Distinct(StringComparer.Ordinal);

    private static List<string> Candidates(UvWorkspace workspace) =>
        Folders(workspace)
            .SelectMany(d => Directory.EnumerateFiles(d, "pylock*.toml"))
            .Where(f => PylockReader.IsPylockFileName(Path.GetFileName(f)))
            .Order(StringComparer.Ordinal)
            .ToList();
}
