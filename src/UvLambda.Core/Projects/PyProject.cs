using UvLambda.Core.Diagnostics;
using UvLambda.Core.Standards;
using UvLambda.Core.Toml;

namespace UvLambda.Core.Projects;

/// <summary>A dependency as written in pyproject.toml, parsed, with where it was written.</summary>
public sealed record PyProjectDependency(string Text, Requirement Requirement, int Line, int Column);

/// <summary>One entry of a <c>[dependency-groups]</c> list: a requirement or <c>{ include-group = "name" }</c>.</summary>
public sealed record DependencyGroupEntry(PyProjectDependency? Dependency, string? IncludeGroup, int Line, int Column);

/// <summary>A <c>[[tool.uv.index]]</c> entry.</summary>
public sealed record UvIndex(string? Name, string Url, bool Default, bool Explicit);

/// <summary>
/// One <c>[tool.uv.sources]</c> entry, kept raw (path, editable, workspace, git, url, index, marker, extra, group...):
/// the install step interprets it, this only checks it is a table.
/// </summary>
public sealed record UvSource(TomlTable Table)
{
    public string? Path => Table.GetString("path");
    public string? Git => Table.GetString("git");
    public string? Url => Table.GetString("url");
    public string? Index => Table.GetString("index");
    public string? Marker => Table.GetString("marker");
    public bool? Editable => Table.TryGetBoolean("editable", out var b) ? b : null;
    public bool Workspace => Table.TryGetBoolean("workspace", out var b) && b;
}

/// <summary>
/// The parts of a pyproject.toml UvLambda needs: PEP 621 <c>[project]</c>, PEP 735 <c>[dependency-groups]</c>,
/// <c>[tool.uv]</c>, <c>[build-system]</c> and the build backends' package-layout settings (raw).
/// Values of the wrong shape are <see cref="ErrorCodes.MalformedPyProject"/> at their position.
/// </summary>
public sealed class PyProject
{
    private PyProject(string file) => File = file;

    public string File { get; }

    /// <summary>The folder holding the pyproject.toml.</summary>
    public string Directory => System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(File))!;

    /// <summary>Whether there is a <c>[project]</c> table (a workspace root without one is "virtual").</summary>
    public bool HasProjectTable { get; private set; }

    public string? Name { get; private set; }
    public string? NormalizedName => Name is null ? null : PackageName.Normalize(Name);
    public string? Version { get; private set; }

    /// <summary><c>requires-python</c> as written, or null when absent.</summary>
    public string? RequiresPythonText { get; private set; }

    /// <summary>Where <c>requires-python</c> is written (0 when absent), for errors about the range itself.</summary>
    public int RequiresPythonLine { get; private set; }
    public int RequiresPythonColumn { get; private set; }

    /// <summary><c>requires-python</c> parsed; <see cref="VersionSpecifierSet.Any"/> when absent.</summary>
    public VersionSpecifierSet RequiresPython { get; private set; } = VersionSpecifierSet.Any;

    public IReadOnlyList<PyProjectDependency> Dependencies { get; private set; } = [];

    /// <summary>Extra name (normalized) → its dependencies.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<PyProjectDependency>> OptionalDependencies { get; private set; } =
        new Dictionary<string, IReadOnlyList<PyProjectDependency>>();

    public IReadOnlyList<string> Dynamic { get; private set; } = [];

    /// <summary>
    /// Group name (normalized) → entries, from <c>[dependency-groups]</c>; legacy <c>tool.uv.dev-dependencies</c>
    /// are merged into group "dev" as uv does.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<DependencyGroupEntry>> DependencyGroups { get; private set; } =
        new Dictionary<string, IReadOnlyList<DependencyGroupEntry>>();

    /// <summary>Whether <c>[tool.uv]</c> exists at all.</summary>
    public bool HasToolUv { get; private set; }

    /// <summary><c>tool.uv.package</c>; null when not set (uv then decides by whether a build-system is declared).</summary>
    public bool? UvPackage { get; private set; }

    /// <summary><c>tool.uv.default-groups</c> (normalized); null when not set (uv's default is <c>["dev"]</c>).</summary>
    public IReadOnlyList<string>? DefaultGroups { get; private set; }

    /// <summary>True when <c>default-groups = "all"</c>.</summary>
    public bool DefaultGroupsAll { get; private set; }

    /// <summary>Package name (normalized) → its sources (an array of sources is allowed, split by marker/extra/group).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<UvSource>> Sources { get; private set; } =
        new Dictionary<string, IReadOnlyList<UvSource>>();

    public IReadOnlyList<UvIndex> Indexes { get; private set; } = [];

    /// <summary>Whether <c>[tool.uv.workspace]</c> exists, i.e. this file is a workspace root.</summary>
    public bool IsWorkspaceRoot { get; private set; }

    public IReadOnlyList<string> WorkspaceMembers { get; private set; } = [];
    public IReadOnlyList<string> WorkspaceExclude { get; private set; } = [];

    public IReadOnlyList<string> BuildSystemRequires { get; private set; } = [];
    public string? BuildBackend { get; private set; }

    /// <summary>Whether <c>[build-system]</c> exists.</summary>
    public bool HasBuildSystem { get; private set; }

    /// <summary><c>module-name</c> of uv's build backend: a string or a list of strings (namespace packages).</summary>
    public IReadOnlyList<string> UvBuildModuleNames { get; private set; } = [];

    public string? UvBuildModuleRoot { get; private set; }

    /// <summary><c>[tool.hatch.build.targets.wheel]</c> as written (packages, include, only-include, sources...).</summary>
    public TomlTable? HatchWheelTarget { get; private set; }

    public IReadOnlyList<string> HatchWheelPackages { get; private set; } = [];

    /// <summary><c>tool.setuptools.packages</c> raw: a list of names or a <c>{ find = { ... } }</c> table.</summary>
    public TomlValue? SetuptoolsPackages { get; private set; }

    public IReadOnlyDictionary<string, string> SetuptoolsPackageDir { get; private set; } = new Dictionary<string, string>();

    public string? FlitModuleName { get; private set; }

    /// <summary>Whether anything would be installed besides the project itself (dependencies or sources to resolve).</summary>
    public bool HasDependencies => Dependencies.Count > 0;

    public static PyProject Load(string path) => Parse(TomlDocument.Load(path), path);

    public static PyProject Parse(string text, string file) => Parse(TomlDocument.Parse(text, file), file);

    public static PyProject Parse(TomlTable root, string file)
    {
        var reader = new TomlFieldReader(file, ErrorCodes.MalformedPyProject);
        var p = new PyProject(file);
        p.ReadProject(reader, root);
        p.ReadDependencyGroups(reader, root);
        var tool = reader.OptionalTable(root, "tool", "pyproject.toml");
        p.ReadToolUv(reader, tool);
        p.ReadBuildSystem(reader, root);
        p.ReadBackendLayouts(reader, tool);
        return p;
    }

    /// <summary>
    /// The requirements of a dependency group with <c>include-group</c>s expanded (depth first, in order).
    /// Unknown group → <see cref="ErrorCodes.UnknownGroup"/>; an include cycle or an unknown included group →
    /// <see cref="ErrorCodes.MalformedPyProject"/> at the include.
    /// </summary>
    public IReadOnlyList<PyProjectDependency> ResolveGroup(string name)
    {
        var normalized = PackageName.Normalize(name);
        if (!DependencyGroups.ContainsKey(normalized))
            throw new UvLambdaException(ErrorCodes.UnknownGroup,
                $"Dependency group '{name}' is not defined in {File}. Defined groups: {(DependencyGroups.Count == 0 ? "none" : string.Join(", ", DependencyGroups.Keys))}.",
                File);
        var result = new List<PyProjectDependency>();
        Expand(normalized, [], result);
        return result;
    }

    private void Expand(string group, List<string> stack, List<PyProjectDependency> into)
    {
        stack.Add(group);
        foreach (var entry in DependencyGroups[group])
        {
            if (entry.Dependency is not null)
            {
                into.Add(entry.Dependency);
                continue;
            }
            var included = PackageName.Normalize(entry.IncludeGroup!);
            if (!DependencyGroups.ContainsKey(included))
                throw new UvLambdaException(ErrorCodes.MalformedPyProject,
                    $"Dependency group '{group}' includes group '{entry.IncludeGroup}', which is not defined.", File, entry.Line, entry.Column);
            if (stack.Contains(included))
                throw new UvLambdaException(ErrorCodes.MalformedPyProject,
                    $"Dependency groups include each other in a cycle: {string.Join(" -> ", stack)} -> {included}.", File, entry.Line, entry.Column);
            Expand(included, stack, into);
        }
        stack.RemoveAt(stack.Count - 1);
    }

    private void ReadProject(TomlFieldReader reader, TomlTable root)
    {
        var project = reader.OptionalTable(root, "project", "pyproject.toml");
        if (project is null) return;
        HasProjectTable = true;
        Name = reader.OptionalString(project, "name", "[project]");
        if (Name is not null && !PackageName.IsValid(Name))
            throw reader.Error(project["name"], $"'{Name}' is not a valid project name (letters, digits, '.', '-', '_'; starting and ending with a letter or digit).");
        Version = reader.OptionalString(project, "version", "[project]");
        RequiresPythonText = reader.OptionalString(project, "requires-python", "[project]");
        if (RequiresPythonText is not null)
        {
            (RequiresPythonLine, RequiresPythonColumn) = (project["requires-python"].Line, project["requires-python"].Column);
            try
            {
                RequiresPython = VersionSpecifierSet.Parse(RequiresPythonText);
            }
            catch (UvLambdaException e)
            {
                var at = project["requires-python"];
                throw new UvLambdaException(e.Code, $"requires-python: {e.Message}", File, at.Line, at.Column);
            }
        }
        Dependencies = ReadRequirements(reader, reader.OptionalArray(project, "dependencies", "[project]"), "project.dependencies");
        Dynamic = reader.Strings(reader.OptionalArray(project, "dynamic", "[project]"), "project.dynamic");

        var optional = reader.OptionalTable(project, "optional-dependencies", "[project]");
        if (optional is not null)
        {
            var extras = new Dictionary<string, IReadOnlyList<PyProjectDependency>>();
            foreach (var entry in optional.Entries)
            {
                var where = $"project.optional-dependencies.{entry.Key}";
                var array = entry.Value as TomlArray ?? throw reader.Error(entry.Value, $"'{where}' must be an array of requirements, not {entry.Value.TypeName}.");
                if (!extras.TryAdd(PackageName.Normalize(entry.Key), ReadRequirements(reader, array, where)))
                    throw new UvLambdaException(ErrorCodes.MalformedPyProject, $"Extra '{entry.Key}' is defined twice (names compare normalized).", File, entry.Line, entry.Column);
            }
            OptionalDependencies = extras;
        }
    }

    private void ReadDependencyGroups(TomlFieldReader reader, TomlTable root)
    {
        var groups = new Dictionary<string, IReadOnlyList<DependencyGroupEntry>>();
        var table = reader.OptionalTable(root, "dependency-groups", "pyproject.toml");
        if (table is not null)
        {
            foreach (var entry in table.Entries)
            {
                var where = $"dependency-groups.{entry.Key}";
                var array = entry.Value as TomlArray ?? throw reader.Error(entry.Value, $"'{where}' must be an array, not {entry.Value.TypeName}.");
                var entries = new List<DependencyGroupEntry>();
                foreach (var item in array)
                {
                    if (item is TomlString s)
                        entries.Add(new DependencyGroupEntry(ParseRequirement(s), null, s.Line, s.Column));
                    else if (item is TomlTable t && t.Count == 1 && t.ContainsKey("include-group"))
                        entries.Add(new DependencyGroupEntry(null, reader.RequireString(t, "include-group", where), t.Line, t.Column));
                    else
                        throw reader.Error(item, $"each entry of '{where}' must be a requirement string or {{ include-group = \"name\" }}, not {item.TypeName}.");
                }
                if (!groups.TryAdd(PackageName.Normalize(entry.Key), entries))
                    throw new UvLambdaException(ErrorCodes.MalformedPyProject, $"Dependency group '{entry.Key}' is defined twice (names compare normalized).", File, entry.Line, entry.Column);
            }
        }
        DependencyGroups = groups;
    }

    private void ReadToolUv(TomlFieldReader reader, TomlTable? tool)
    {
        var uv = tool is null ? null : reader.OptionalTable(tool, "uv", "[tool]");
        if (uv is null) return;
        HasToolUv = true;
        UvPackage = reader.OptionalBoolean(uv, "package", "[tool.uv]");

        if (uv.TryGetValue("default-groups", out var defaults))
        {
            if (defaults is TomlString { Value: "all" })
                DefaultGroupsAll = true;
            else if (defaults is TomlArray array)
                DefaultGroups = reader.Strings(array, "tool.uv.default-groups").Select(PackageName.Normalize).ToList();
            else
                throw reader.Error(defaults, $"'default-groups' of [tool.uv] must be a list of group names or \"all\", not {(defaults is TomlString ? $"\"{defaults}\"" : defaults.TypeName)}.");
        }

        var dev = reader.OptionalArray(uv, "dev-dependencies", "[tool.uv]");
        if (dev is not null)
        {
            // uv treats legacy dev-dependencies as extra entries of the "dev" group.
            var groups = DependencyGroups.ToDictionary(kv => kv.Key, kv => kv.Value);
            var devEntries = ReadRequirements(reader, dev, "tool.uv.dev-dependencies")
                .Select(d => new DependencyGroupEntry(d, null, d.Line, d.Column));
            groups["dev"] = [.. groups.GetValueOrDefault("dev", []), .. devEntries];
            DependencyGroups = groups;
        }

        var sources = reader.OptionalTable(uv, "sources", "[tool.uv]");
        if (sources is not null)
        {
            var result = new Dictionary<string, IReadOnlyList<UvSource>>();
            foreach (var entry in sources.Entries)
            {
                var where = $"tool.uv.sources.{entry.Key}";
                IReadOnlyList<UvSource> list = entry.Value switch
                {
                    TomlTable t => [new UvSource(t)],
                    TomlArray a => reader.Tables(a, where).Select(t => new UvSource(t)).ToList(),
                    _ => throw reader.Error(entry.Value, $"'{where}' must be a table (or an array of tables), not {entry.Value.TypeName}."),
                };
                result[PackageName.Normalize(entry.Key)] = list;
            }
            Sources = result;
        }

        Indexes = reader.Tables(reader.OptionalArray(uv, "index", "[tool.uv]"), "tool.uv.index")
            .Select(t => new UvIndex(
                reader.OptionalString(t, "name", "[[tool.uv.index]]"),
                reader.RequireString(t, "url", "[[tool.uv.index]]"),
                reader.OptionalBoolean(t, "default", "[[tool.uv.index]]") ?? false,
                reader.OptionalBoolean(t, "explicit", "[[tool.uv.index]]") ?? false))
            .ToList();

        var workspace = reader.OptionalTable(uv, "workspace", "[tool.uv]");
        if (workspace is not null)
        {
            IsWorkspaceRoot = true;
            WorkspaceMembers = reader.Strings(reader.OptionalArray(workspace, "members", "[tool.uv.workspace]"), "tool.uv.workspace.members");
            WorkspaceExclude = reader.Strings(reader.OptionalArray(workspace, "exclude", "[tool.uv.workspace]"), "tool.uv.workspace.exclude");
        }

        var buildBackend = reader.OptionalTable(uv, "build-backend", "[tool.uv]");
        if (buildBackend is not null)
            ReadUvBuildBackend(reader, buildBackend, "[tool.uv.build-backend]");
    }

    private void ReadBuildSystem(TomlFieldReader reader, TomlTable root)
    {
        var build = reader.OptionalTable(root, "build-system", "pyproject.toml");
        if (build is null) return;
        HasBuildSystem = true;
        BuildSystemRequires = reader.Strings(reader.OptionalArray(build, "requires", "[build-system]"), "build-system.requires");
        BuildBackend = reader.OptionalString(build, "build-backend", "[build-system]");
    }

    private void ReadBackendLayouts(TomlFieldReader reader, TomlTable? tool)
    {
        if (tool is null) return;
        var uvBuild = reader.OptionalTable(tool, "uv-build", "[tool]");
        if (uvBuild is not null)
            ReadUvBuildBackend(reader, uvBuild, "[tool.uv-build]");

        var hatch = reader.OptionalTable(tool, "hatch", "[tool]");
        var hatchBuild = hatch is null ? null : reader.OptionalTable(hatch, "build", "[tool.hatch]");
        var targets = hatchBuild is null ? null : reader.OptionalTable(hatchBuild, "targets", "[tool.hatch.build]");
        HatchWheelTarget = targets is null ? null : reader.OptionalTable(targets, "wheel", "[tool.hatch.build.targets]");
        if (HatchWheelTarget is not null)
            HatchWheelPackages = reader.Strings(reader.OptionalArray(HatchWheelTarget, "packages", "[tool.hatch.build.targets.wheel]"), "tool.hatch.build.targets.wheel.packages");

        var setuptools = reader.OptionalTable(tool, "setuptools", "[tool]");
        if (setuptools is not null)
        {
            if (setuptools.TryGetValue("packages", out var packages))
            {
                if (packages is TomlArray array)
                    reader.Strings(array, "tool.setuptools.packages");
                else if (packages is not TomlTable)
                    throw reader.Error(packages, $"'packages' of [tool.setuptools] must be a list of package names or {{ find = {{ ... }} }}, not {packages.TypeName}.");
                SetuptoolsPackages = packages;
            }
            var packageDir = reader.OptionalTable(setuptools, "package-dir", "[tool.setuptools]");
            if (packageDir is not null)
            {
                var dirs = new Dictionary<string, string>();
                foreach (var entry in packageDir.Entries)
                    dirs[entry.Key] = entry.Value is TomlString s ? s.Value : throw reader.Error(entry.Value, $"'tool.setuptools.package-dir.{entry.Key}' must be a string, not {entry.Value.TypeName}.");
                SetuptoolsPackageDir = dirs;
            }
        }

        var flit = reader.OptionalTable(tool, "flit", "[tool]");
        var flitModule = flit is null ? null : reader.OptionalTable(flit, "module", "[tool.flit]");
        if (flitModule is not null)
            FlitModuleName = reader.OptionalString(flitModule, "name", "[tool.flit.module]");
    }

    private void ReadUvBuildBackend(TomlFieldReader reader, TomlTable table, string where)
    {
        if (table.TryGetValue("module-name", out var moduleName))
        {
            UvBuildModuleNames = moduleName switch
            {
                TomlString s => [s.Value],
                TomlArray a => reader.Strings(a, $"{where} module-name"),
                _ => throw reader.Error(moduleName, $"'module-name' of {where} must be a string or a list of strings, not {moduleName.TypeName}."),
            };
        }
        UvBuildModuleRoot = reader.OptionalString(table, "module-root", where) ?? UvBuildModuleRoot;
    }

    private IReadOnlyList<PyProjectDependency> ReadRequirements(TomlFieldReader reader, TomlArray? array, string where)
    {
        if (array is null) return [];
        var result = new List<PyProjectDependency>(array.Count);
        foreach (var item in array)
            result.Add(item is TomlString s ? ParseRequirement(s) : throw reader.Error(item, $"each entry of '{where}' must be a requirement string, not {item.TypeName}."));
        return result;
    }

    private PyProjectDependency ParseRequirement(TomlString s)
    {
        try
        {
            return new PyProjectDependency(s.Value, Requirement.Parse(s.Value), s.Line, s.Column);
        }
        catch (UvLambdaException e)
        {
            // Keep the requirement's own code (UVL1203, UVL1204...) but point at the string in pyproject.toml.
            throw new UvLambdaException(e.Code, e.Message, File, s.Line, s.Column, e);
        }
    }
}
