using System.Text.RegularExpressions;
using UvLambda.Core.Diagnostics;
using UvLambda.Core.Standards;

namespace UvLambda.Core.Projects;

/// <summary>A default PythonVersion and where it came from (for build messages).</summary>
public sealed record PythonVersionChoice(string PythonVersion, string Source);

/// <summary>
/// The PythonVersion a project gets when it sets none: its <c>.python-version</c> (as uv reads it: the project's
/// folder, then the workspace root's), else the oldest Lambda runtime <c>requires-python</c> allows that is not
/// deprecated (by the SDK's runtime calendar, <see cref="LambdaRuntimes"/>), else 3.13.
/// </summary>
public static partial class PythonVersionDefault
{
    public const string PythonVersionFileName = ".python-version";
    public const string Fallback = "3.13";

    // "3.12", "3.12.4", "cpython-3.12", "cpython@3.12", "3.12t"...: the first X.Y in the request is the minor version.
    [GeneratedRegex(@"^(?:(?:cpython|python|py)[-@]?)?(?<minor>3\.\d+)(?:\.\d+)?", RegexOptions.IgnoreCase)]
    private static partial Regex VersionRequest();

    /// <summary>Picks the default; <paramref name="workspaceRootDirectory"/> may be null or the project folder itself.</summary>
    public static PythonVersionChoice Resolve(string projectDirectory, string? workspaceRootDirectory, VersionSpecifierSet requiresPython,
        string? requiresPythonText = null, string? pyprojectFile = null, int requiresPythonLine = 0, int requiresPythonColumn = 0)
    {
        foreach (var dir in new[] { projectDirectory, workspaceRootDirectory })
        {
            if (dir is null) continue;
            var file = Path.Combine(dir, PythonVersionFileName);
            if (File.Exists(file))
                return new PythonVersionChoice(ReadPythonVersionFile(file), file);
        }
        if (!requiresPython.IsEmpty)
            return new PythonVersionChoice(LowestAllowed(requiresPython, requiresPythonText, pyprojectFile, requiresPythonLine, requiresPythonColumn), $"requires-python '{requiresPythonText ?? requiresPython.ToString()}'");
        return new PythonVersionChoice(Fallback, "default");
    }

    public static PythonVersionChoice Resolve(UvWorkspace workspace) =>
        Resolve(workspace.ProjectDirectory, workspace.RootDirectory, workspace.Project.RequiresPython, workspace.Project.RequiresPythonText, workspace.Project.File,
            workspace.Project.RequiresPythonLine, workspace.Project.RequiresPythonColumn);

    /// <summary>
    /// The major.minor of the first version line of a .python-version file (blank lines and '#' comments skipped),
    /// which must be a Lambda runtime (<see cref="ErrorCodes.InvalidPythonVersion"/> otherwise).
    /// </summary>
    public static string ReadPythonVersionFile(string file)
    {
        var lines = File.ReadAllLines(file);
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var match = VersionRequest().Match(line);
            var minor = match.Success ? match.Groups["minor"].Value : null;
            if (minor is null || !LambdaRuntime.PythonVersions.Contains(minor))
                throw new UvLambdaException(ErrorCodes.InvalidPythonVersion,
                    $"{PythonVersionFileName} asks for Python '{line}', which is not a Lambda Python runtime{(minor is null ? "" : LambdaRuntime.PythonVersionHint(minor))}. Use one of: {string.Join(", ", LambdaRuntime.PythonVersions)}, or set PythonVersion in the project.",
                    file, i + 1, 1);
            return minor;
        }
        throw new UvLambdaException(ErrorCodes.InvalidPythonVersion,
            $"{PythonVersionFileName} names no Python version. Write one of {string.Join(", ", LambdaRuntime.PythonVersions)} in it, or delete it.", file);
    }

    /// <summary>
    /// The oldest Lambda runtime <paramref name="requiresPython"/> allows that is not deprecated on
    /// <see cref="LambdaRuntimes.AsOf"/> — the calendar's date compiled into this SDK, not the wall clock, so a given
    /// SDK always picks the same default; the oldest allowed when every allowed one is deprecated
    /// (<see cref="ErrorCodes.PythonVersionExcluded"/> if none is allowed).
    /// </summary>
    public static string LowestAllowed(VersionSpecifierSet requiresPython, string? requiresPythonText = null, string? file = null, int line = 0, int column = 0)
    {
        var allowed = LambdaRuntime.PythonVersions.Where(v => Allows(requiresPython, v)).ToList();
        if (allowed.FirstOrDefault(v => !LambdaRuntimes.IsDeprecated(v, LambdaRuntimes.AsOf)) is { } supported) return supported;
        if (allowed.Count > 0) return allowed[0];
        throw new UvLambdaException(ErrorCodes.PythonVersionExcluded,
            $"No Lambda Python runtime ({string.Join(", ", LambdaRuntime.PythonVersions)}) satisfies requires-python '{requiresPythonText ?? requiresPython.ToString()}'. Change requires-python to allow one of them.",
            file, line, column);
    }

    /// <summary>
    /// Whether a runtime's minor version is allowed: some patch release of it must satisfy every specifier
    /// (so <c>&gt;=3.12.4</c> allows 3.12, like Lambda's runtime that is always a late patch).
    /// </summary>
    public static bool Allows(VersionSpecifierSet requiresPython, string minorVersion)
    {
        if (requiresPython.IsEmpty) return true;
        // Boundaries appear only at patches the specifiers name, so checking those and the ends of the range is enough.
        var candidates = new SortedSet<long> { 0, 99 };
        foreach (var specifier in requiresPython.Specifiers)
        {
            if (specifier.Version is { } v && v.Release.Count >= 3 && $"{v.Release[0]}.{v.Release[1]}" == minorVersion)
            {
                candidates.Add(v.Release[2]);
                candidates.Add(v.Release[2] + 1);
                if (v.Release[2] > 0) candidates.Add(v.Release[2] - 1);
            }
        }
        return candidates.Any(patch => requiresPython.Contains(Pep440Version.Parse($"{minorVersion}.{patch}")));
    }

    /// <summary>
    /// Fails with <see cref="ErrorCodes.PythonVersionExcluded"/> when the chosen PythonVersion is outside requires-python.
    /// </summary>
    public static void CheckAllowed(string pythonVersion, VersionSpecifierSet requiresPython, string? requiresPythonText = null, string? file = null, int line = 0, int column = 0)
    {
        if (Allows(requiresPython, pythonVersion)) return;
        var text = requiresPythonText ?? requiresPython.ToString();
        var fix = LambdaRuntime.PythonVersions.FirstOrDefault(v => Allows(requiresPython, v));
        var advice = fix is null ? "change requires-python to allow a Lambda runtime" : $"set PythonVersion to {fix} or change requires-python";
        throw new UvLambdaException(ErrorCodes.PythonVersionExcluded,
            $"PythonVersion {pythonVersion} is excluded by requires-python '{text}' in {Path.GetFileName(file) ?? "pyproject.toml"}; {advice}.", file, line, column);
    }

    public static void CheckAllowed(string pythonVersion, PyProject project) =>
        CheckAllowed(pythonVersion, project.RequiresPython, project.RequiresPythonText, project.File, project.RequiresPythonLine, project.RequiresPythonColumn);
}
