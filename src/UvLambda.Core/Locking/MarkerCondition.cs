using UvLambda.Core.Standards;

namespace UvLambda.Core.Locking;

/// <summary>
/// A marker expression built from parsed markers (a requirement's marker, <c>extra == 'x'</c>, a source's marker and
/// its complement), compared with another by value, as uv compares the normalized marker trees it keeps: uv rewrites
/// <c>python_version</c> into <c>python_full_version</c>, reorders terms and drops what requires-python implies, so
/// two spellings of the same condition must compare equal.
/// </summary>
internal abstract class MarkerCondition
{
    public static readonly MarkerCondition True = new Constant(true);

    public abstract bool Evaluate(MarkerEnvironment environment, IReadOnlySet<string> extras, IReadOnlySet<string> groups);

    /// <summary>The parsed markers this condition is made of.</summary>
    public abstract IEnumerable<Marker> Markers();

    /// <summary>The marker text when the condition is exactly one marker (or "" for <see cref="True"/>): equal texts are equal conditions.</summary>
    public virtual string? Text => null;

    public static MarkerCondition Of(Marker? marker) => marker is null ? True : new Leaf(marker);

    public static MarkerCondition Of(string? marker) => marker is null ? True : new Leaf(Marker.Parse(marker));

    public MarkerCondition And(MarkerCondition other) =>
        ReferenceEquals(this, True) ? other : ReferenceEquals(other, True) ? this : new All([this, other]);

    public static MarkerCondition AnyOf(IReadOnlyList<MarkerCondition> conditions) => new Any(conditions);

    public MarkerCondition Not() => new Negation(this);

    /// <summary>Whether the two agree in every environment that requires-python allows (sampled at every boundary they name).</summary>
    public static bool Equivalent(MarkerCondition a, MarkerCondition b, VersionSpecifierSet requiresPython)
    {
        if (a.Text is { } ta && b.Text is { } tb && string.Equals(ta, tb, StringComparison.Ordinal)) return true;
        var space = Samples([a, b], requiresPython);
        if (space is null) return string.Equals(Canonical(a), Canonical(b), StringComparison.Ordinal);
        foreach (var (env, extras, groups) in space)
            if (a.Evaluate(env, extras, groups) != b.Evaluate(env, extras, groups)) return false;
        return true;
    }

    /// <summary>Whether some environment <paramref name="requiresPython"/> allows makes it true.</summary>
    public static bool Satisfiable(MarkerCondition c, VersionSpecifierSet requiresPython)
    {
        if (ReferenceEquals(c, True)) return true;
        var space = Samples([c], requiresPython);
        return space is null || space.Any(s => c.Evaluate(s.Environment, s.Extras, s.Groups));
    }

    private static string Canonical(MarkerCondition c) => string.Join(" & ", c.Markers().Select(m => string.Concat(m.Text.Where(ch => !char.IsWhiteSpace(ch)))).Order(StringComparer.Ordinal));

    private const int MaxSamples = 20_000;
    private const string OtherValue = "zz-none-of-these";
    private static readonly IReadOnlySet<string> NoNames = new HashSet<string>();

    /// <summary>
    /// One environment per combination of: a Python version on each side of every version boundary named (within
    /// requires-python), each string literal named per variable plus a value none of them matches, and each subset of
    /// the extras and groups named. Null when that is too many (callers then compare texts).
    /// </summary>
    private static List<(MarkerEnvironment Environment, IReadOnlySet<string> Extras, IReadOnlySet<string> Groups)>? Samples(
        IReadOnlyList<MarkerCondition> conditions, VersionSpecifierSet requiresPython)
    {
        var versions = new SortedSet<Pep440Version>();
        var strings = new Dictionary<MarkerVariable, HashSet<string>>();
        var extraNames = new SortedSet<string>(StringComparer.Ordinal);
        var groupNames = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var s in requiresPython.Specifiers)
            if (s.Version is { } v) AddAround(versions, v);
        foreach (var (variable, op, literal) in conditions.SelectMany(c => c.Markers()).SelectMany(m => m.Atoms()))
        {
            switch (variable)
            {
                case MarkerVariable.PythonVersion or MarkerVariable.PythonFullVersion or MarkerVariable.ImplementationVersion:
                    // python_version in '3.10 3.11' names each word.
                    foreach (var word in literal.Split([' ', ',', '\t'], StringSplitOptions.RemoveEmptyEntries))
                        if (Pep440Version.TryParse(word.TrimEnd('*').TrimEnd('.'), out var v)) AddAround(versions, v);
                    break;
                case MarkerVariable.Extra or MarkerVariable.Extras:
                    extraNames.Add(PackageName.Normalize(literal.Trim()));
                    break;
                case MarkerVariable.Group or MarkerVariable.DependencyGroups:
                    groupNames.Add(PackageName.Normalize(literal.Trim()));
                    break;
                default:
                    if (!strings.TryGetValue(variable, out var set)) strings[variable] = set = [OtherValue];
                    set.Add(literal);
                    if (op is MarkerOperator.In or MarkerOperator.NotIn)
                        foreach (var word in literal.Split([' ', ',', '\t'], StringSplitOptions.RemoveEmptyEntries)) set.Add(word);
                    break;
            }
        }
        var allowed = versions.Where(v => requiresPython.Contains(v, allowPreReleases: true)).ToList();
        if (allowed.Count == 0) allowed = versions.Count > 0 ? [.. versions] : [Pep440Version.Parse("3.12.0")];
        if (extraNames.Count > 10 || groupNames.Count > 10) return null;
        var extraSets = Subsets(extraNames);
        var groupSets = Subsets(groupNames);
        var stringVariables = strings.Keys.ToList();
        long total = (long)allowed.Count * extraSets.Count * groupSets.Count;
        foreach (var variable in stringVariables)
            if ((total *= strings[variable].Count) > MaxSamples) return null;

        var result = new List<(MarkerEnvironment, IReadOnlySet<string>, IReadOnlySet<string>)>((int)total);
        var assignment = new string[stringVariables.Count];
        void Fill(int index)
        {
            if (index < stringVariables.Count)
            {
                foreach (var value in strings[stringVariables[index]])
                {
                    assignment[index] = value;
                    Fill(index + 1);
                }
                return;
            }
            string Value(MarkerVariable variable)
            {
                var i = stringVariables.IndexOf(variable);
                return i < 0 ? OtherValue : assignment[i];
            }
            foreach (var version in allowed)
            {
                var release = version.Release;
                var full = $"{release[0]}.{(release.Count > 1 ? release[1] : 0)}.{(release.Count > 2 ? release[2] : 0)}";
                var env = new MarkerEnvironment
                {
                    PythonVersion = $"{release[0]}.{(release.Count > 1 ? release[1] : 0)}",
                    PythonFullVersion = full,
                    ImplementationVersion = full,
                    OsName = Value(MarkerVariable.OsName),
                    SysPlatform = Value(MarkerVariable.SysPlatform),
                    PlatformRelease = Value(MarkerVariable.PlatformRelease),
                    PlatformSystem = Value(MarkerVariable.PlatformSystem),
                    PlatformVersion = Value(MarkerVariable.PlatformVersion),
                    PlatformMachine = Value(MarkerVariable.PlatformMachine),
                    PlatformPythonImplementation = Value(MarkerVariable.PlatformPythonImplementation),
                    ImplementationName = Value(MarkerVariable.ImplementationName),
                };
                foreach (var extras in extraSets)
                    foreach (var groups in groupSets)
                        result.Add((env, extras, groups));
            }
        }
        Fill(0);
        return result;
    }

    /// <summary>The version and its neighbours at patch and minor level, so both sides of a boundary get a sample.</summary>
    private static void AddAround(SortedSet<Pep440Version> versions, Pep440Version v)
    {
        var r = v.Release;
        long major = r[0], minor = r.Count > 1 ? r[1] : 0, patch = r.Count > 2 ? r[2] : 0;
        void Add(long a, long b, long c)
        {
            if (b >= 0 && c >= 0) versions.Add(Pep440Version.Parse($"{a}.{b}.{c}"));
        }
        Add(major, minor, patch);
        Add(major, minor, patch + 1);
        if (patch > 0) Add(major, minor, patch - 1);
        Add(major, minor, 99);
        Add(major, minor + 1, 0);
        Add(major, minor - 1, 99);
    }

    private static List<IReadOnlySet<string>> Subsets(SortedSet<string> names)
    {
        var list = names.ToList();
        var result = new List<IReadOnlySet<string>>(1 << list.Count);
        for (var mask = 0; mask < 1 << list.Count; mask++)
            result.Add(mask == 0 ? NoNames : list.Where((_, i) => (mask & (1 << i)) != 0).ToHashSet(StringComparer.Ordinal));
        return result;
    }

    private sealed class Constant(bool value) : MarkerCondition
    {
        public override bool Evaluate(MarkerEnvironment environment, IReadOnlySet<string> extras, IReadOnlySet<string> groups) => value;
        public override IEnumerable<Marker> Markers() => [];
        public override string? Text => value ? "" : null;
    }

    private sealed class Leaf(Marker marker) : MarkerCondition
    {
        public override bool Evaluate(MarkerEnvironment environment, IReadOnlySet<string> extras, IReadOnlySet<string> groups) => marker.Evaluate(environment, extras, groups);
        public override IEnumerable<Marker> Markers() => [marker];
        public override string? Text => marker.Text;
    }

    private sealed class All(IReadOnlyList<MarkerCondition> parts) : MarkerCondition
    {
        public override bool Evaluate(MarkerEnvironment environment, IReadOnlySet<string> extras, IReadOnlySet<string> groups) => parts.All(p => p.Evaluate(environment, extras, groups));
        public override IEnumerable<Marker> Markers() => parts.SelectMany(p => p.Markers());
    }

    private sealed class Any(IReadOnlyList<MarkerCondition> parts) : MarkerCondition
    {
        public override bool Evaluate(MarkerEnvironment environment, IReadOnlySet<string> extras, IReadOnlySet<string> groups) => parts.Any(p => p.Evaluate(environment, extras, groups));
        public override IEnumerable<Marker> Markers() => parts.SelectMany(p => p.Markers());
    }

    private sealed class Negation(MarkerCondition inner) : MarkerCondition
    {
        public override bool Evaluate(MarkerEnvironment environment, IReadOnlySet<string> extras, IReadOnlySet<string> groups) => !inner.Evaluate(environment, extras, groups);
        public override IEnumerable<Marker> Markers() => inner.Markers();
    }
}
