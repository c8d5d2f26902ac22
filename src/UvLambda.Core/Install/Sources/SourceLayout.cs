using UvLambda.Core.Diagnostics;
using UvLambda.Core.Standards;
using UvLambda.Core.Projects;
using UvLambda.Core.Toml;

namespace UvLambda.Core.Install.Sources;

/// <summary>One import root of a source project: a package folder or a single module file, and its name in site-packages.</summary>
public sealed record ImportRoot(string SourcePath, string InstalledName, bool IsDirectory);

/// <summary>
/// Finds a pure-Python project's import packages the way its build backend would put them into a wheel, so a
/// workspace member can be installed from source without running the backend: uv_build (module-name/module-root),
/// hatchling (packages), setuptools (packages/package-dir, src or flat auto-discovery), flit (module name); else the
/// conventional <c>src/&lt;name&gt;</c>, <c>&lt;name&gt;</c> or <c>&lt;name&gt;.py</c>.
/// </summary>
public static class SourceLayout
{
    private static readonly string[] NativeSourceExtensions = [".c", ".cc", ".cpp", ".cxx", ".pyx", ".pxd", ".rs", ".f90"];
    private static readonly string[] BuildingBackends = ["maturin", "scikit_build_core", "mesonpy", "setuptools_rust", "enscons", "pybind11"];

    public static IReadOnlyList<ImportRoot> Find(PyProject project)
    {
        var dir = project.Directory;
        var module = PackageName.ToWheelFileComponent(project.Name ?? Path.GetFileName(dir)).ToLowerInvariant();
        var backend = project.BuildBackend ?? "";
        var roots = new List<ImportRoot>();

        if (backend.StartsWith("uv_build", StringComparison.Ordinal) || project.UvBuildModuleNames.Count > 0)
        {
            var moduleRoot = Path.Combine(dir, project.UvBuildModuleRoot ?? "src");
            var names = project.UvBuildModuleNames.Count > 0 ? project.UvBuildModuleNames : [module];
            foreach (var name in names)
                roots.Add(RequireModule(project, moduleRoot, name));
            return roots;
        }
        if (backend.StartsWith("hatchling", StringComparison.Ordinal) && project.HatchWheelPackages.Count > 0)
        {
            foreach (var package in project.HatchWheelPackages)
            {
                var path = Path.GetFullPath(Path.Combine(dir, package));
                if (!Directory.Exists(path) && !File.Exists(path)) throw NotFound(project, [package]);
                roots.Add(new ImportRoot(path, Path.GetFileName(Path.TrimEndingDirectorySeparator(path)), Directory.Exists(path)));
            }
            return roots;
        }
        if (backend.StartsWith("setuptools", StringComparison.Ordinal) && project.SetuptoolsPackages is TomlArray packages)
        {
            // Explicit dotted package names: only the top-level ones are roots (sub-packages come with them).
            foreach (var name in packages.OfType<TomlString>().Select(s => s.Value).Where(n => !n.Contains('.')))
            {
                var baseDir = project.SetuptoolsPackageDir.TryGetValue(name, out var own) ? Path.Combine(dir, own)
                    : project.SetuptoolsPackageDir.TryGetValue("", out var all) ? Path.Combine(dir, all, name) : Path.Combine(dir, name);
                if (!Directory.Exists(baseDir)) throw NotFound(project, [Path.GetRelativePath(dir, baseDir)]);
                roots.Add(new ImportRoot(Path.GetFullPath(baseDir), name, true));
            }
            return roots;
        }
        if (backend.StartsWith("flit", StringComparison.Ordinal) && project.FlitModuleName is { } flitName)
            module = flitName;
        if (backend.StartsWith("setuptools", StringComparison.Ordinal) && project.SetuptoolsPackageDir.TryGetValue("", out var srcDir))
            return [RequireModule(project, Path.Combine(dir, srcDir), module)];

        return [RequireModule(project, null, module)];
    }

    /// <summary>A reason the project cannot be installed by copying its sources, or null when it can.</summary>
    public static string? WhyABuildIsNeeded(PyProject project)
    {
        var backend = project.BuildBackend ?? "";
        if (BuildingBackends.Any(b => backend.StartsWith(b, StringComparison.Ordinal)))
            return $"its build backend '{backend}' compiles code";
        if (File.Exists(Path.Combine(project.Directory, "setup.py")))
            return "it has a setup.py, which may run arbitrary build steps";
        if (project.HatchWheelTarget is { } wheel && wheel.ContainsKey("hooks"))
            return "it has hatch build hooks";
        foreach (var root in Find(project).Where(r => r.IsDirectory))
            foreach (var file in Directory.EnumerateFiles(root.SourcePath, "*", SearchOption.AllDirectories))
                if (NativeSourceExtensions.Contains(Path.GetExtension(file), StringComparer.OrdinalIgnoreCase))
                    return $"it has native sources ({Path.GetRelativePath(project.Directory, file)})";
        return null;
    }

    private static ImportRoot RequireModule(PyProject project, string? moduleRoot, string name)
    {
        var relative = name.Replace('.', '/');
        var bases = moduleRoot is not null ? [moduleRoot] : new[] { Path.Combine(project.Directory, "src"), project.Directory };
        var tried = new List<string>();
        foreach (var b in bases)
        {
            var folder = Path.Combine(b, relative);
            if (Directory.Exists(folder)) return new ImportRoot(Path.GetFullPath(folder), relative, true);
            if (File.Exists(folder + ".py")) return new ImportRoot(Path.GetFullPath(folder + ".py"), relative + ".py", false);
            tried.Add(Path.GetRelativePath(project.Directory, folder));
            tried.Add(Path.GetRelativePath(project.Directory, folder) + ".py");
        }
        throw NotFound(project, tried);
    }

    private static UvLambdaException NotFound(PyProject project, IEnumerable<string> tried) => new(ErrorCodes.ImportPackageNotFound,
        $"Cannot find the import package of '{project.Name}' (looked for {string.Join(", ", tried.Select(t => t.Replace('\\', '/')))}). Set module-name/module-root in [tool.uv.build-backend], packages in [tool.hatch.build.targets.wheel], or packages/package-dir in [tool.setuptools].",
        project.File);
}
