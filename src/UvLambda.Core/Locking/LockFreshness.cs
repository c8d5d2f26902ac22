using UvLambda.Core.Packaging;
using UvLambda.Core.Projects;

namespace UvLambda.Core.Locking;

/// <summary>
/// Whether pyproject.toml still says what uv.lock was solved for (like the check behind <c>uv lock --check</c>, on
/// the parts a Lambda build depends on): requires-python and the project's dependencies, compared by name and
/// specifiers.
/// </summary>
public static class LockFreshness
{
    public static IReadOnlyList<string> Differences(PyProject project, UvLock lk)
    {
        var differences = new List<string>();
        var root = project.NormalizedName is { } name ? lk.PackagesNamed(name).FirstOrDefault(p => p.Source.IsLocal) : null;
        if (root is null) return differences;

        if (lk.Members.Count <= 1 && project.RequiresPythonText is { } rp && lk.RequiresPython is { } lrp && SpecifierKey(rp) != SpecifierKey(lrp))
            differences.Add($"requires-python is '{rp}' in pyproject.toml but '{lrp}' in uv.lock");

        if (root.RequiresDist is { } locked && !project.Dynamic.Contains("dependencies"))
        {
            var wanted = project.Dependencies.Select(d => RequirementKey(d.Text)).Where(k => k is not null).ToHashSet(StringComparer.Ordinal);
            var have = locked.Select(RequirementKey).Where(k => k is not null).ToHashSet(StringComparer.Ordinal);
            // uv records optional dependencies in requires-dist too, behind `extra == '...'` markers; compare only the
            // unconditional project dependencies (RequirementKey returns null for those behind an extra).
            foreach (var missing in wanted.Except(have).Order(StringComparer.Ordinal))
                differences.Add($"dependency '{missing}' is in pyproject.toml but not in uv.lock");
            foreach (var extra in have.Except(wanted).Order(StringComparer.Ordinal))
                differences.Add($"dependency '{extra}' is in uv.lock but no longer in pyproject.toml");
        }
        return differences;
    }

    private static string SpecifierKey(string text) =>
        string.Join(",", text.Split(',').Select(s => string.Concat(s.Where(c => !char.IsWhiteSpace(c)))).Order(StringComparer.Ordinal));

    private static string? RequirementKey(string text)
    {
        Requirement r;
        try { r = Requirement.Parse(text); }
        catch (Diagnostics.UvLambdaException) { return null; }
        if (r.Marker is { } m && m.Text.Contains("extra", StringComparison.Ordinal)) return null;
        var specs = r.Specifiers.IsEmpty ? "" : SpecifierKey(r.Specifiers.ToString());
        return specs.Length == 0 ? r.NormalizedName : $"{r.NormalizedName}{specs}";
    }
}
