using UvLambda.Core.Diagnostics;

namespace UvLambda.Core.Standards;

/// <summary>The comparison operators of PEP 440 version specifiers.</summary>
public enum VersionOperator
{
    /// <summary><c>~=</c></summary>
    Compatible,
    /// <summary><c>==</c> (with <c>.*</c>: prefix match)</summary>
    Equal,
    /// <summary><c>!=</c> (with <c>.*</c>: prefix exclusion)</summary>
    NotEqual,
    /// <summary><c>&lt;=</c></summary>
    LessThanOrEqual,
    /// <summary><c>&gt;=</c></summary>
    GreaterThanOrEqual,
    /// <summary><c>&lt;</c></summary>
    LessThan,
    /// <summary><c>&gt;</c></summary>
    GreaterThan,
    /// <summary><c>===</c>: string equality, no version semantics.</summary>
    ArbitraryEqual,
}

/// <summary>
/// One PEP 440 version specifier such as <c>&gt;=1.2</c>, <c>==1.2.*</c> or <c>~=2.2.post3</c>.
/// <see cref="Contains"/> implements the spec's matching rules only: whether pre-releases should be
/// considered at all is the caller's policy (a uv lock pins exact versions, pre-releases included).
/// </summary>
public sealed class VersionSpecifier
{
    private VersionSpecifier(VersionOperator op, Pep440Version? version, bool wildcard, string text, string? arbitrary)
    {
        Operator = op;
        Version = version;
        IsWildcard = wildcard;
        Text = text;
        ArbitraryText = arbitrary;
    }

    public VersionOperator Operator { get; }

    /// <summary>The version after the operator; null only for <c>===</c> against a non-PEP 440 string.</summary>
    public Pep440Version? Version { get; }

    /// <summary>True for <c>==X.*</c> and <c>!=X.*</c>.</summary>
    public bool IsWildcard { get; }

    /// <summary>For <c>===</c>: the string after the operator, compared as-is.</summary>
    public string? ArbitraryText { get; }

    /// <summary>The specifier's normalized spelling (<c>&gt;=1.0</c>, <c>==1.2.*</c>).</summary>
    public string Text { get; }

    public override string ToString() => Text;

    public static VersionSpecifier Parse(string text) =>
        TryParse(text, out var specifier, out var error)
            ? specifier
            : throw new UvLambdaException(ErrorCodes.InvalidVersionSpecifier, $"'{text.Trim()}' is not a valid PEP 440 version specifier: {error}");

    public static bool TryParse(string text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out VersionSpecifier? specifier) =>
        TryParse(text, out specifier, out _);

    internal static bool TryParse(string text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out VersionSpecifier? specifier, out string error) =>
        TryParse(text.AsSpan(), out specifier, out error);

    internal static bool TryParse(ReadOnlySpan<char> text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out VersionSpecifier? specifier, out string error)
    {
        specifier = null;
        var s = text.Trim();
        var (op, length) = s switch
        {
            _ when s.StartsWith("===") => (VersionOperator.ArbitraryEqual, 3),
            _ when s.StartsWith("~=") => (VersionOperator.Compatible, 2),
            _ when s.StartsWith("==") => (VersionOperator.Equal, 2),
            _ when s.StartsWith("!=") => (VersionOperator.NotEqual, 2),
            _ when s.StartsWith("<=") => (VersionOperator.LessThanOrEqual, 2),
            _ when s.StartsWith(">=") => (VersionOperator.GreaterThanOrEqual, 2),
            _ when s.StartsWith("<") => (VersionOperator.LessThan, 1),
            _ when s.StartsWith(">") => (VersionOperator.GreaterThan, 1),
            _ => ((VersionOperator)(-1), 0),
        };
        if (length == 0)
        {
            error = "it does not start with one of ~= == != <= >= < > ===";
            return false;
        }
        var versionText = s[length..].Trim();
        if (op == VersionOperator.ArbitraryEqual)
        {
            if (versionText.IsEmpty || versionText.ContainsAny(" \t,;"))
            {
                error = "=== needs a single word after it";
                return false;
            }
            var arbitrary = versionText.ToString();
            specifier = new VersionSpecifier(op, Pep440Version.Scan(versionText, false, out _), false, "===" + arbitrary, arbitrary);
            error = "";
            return true;
        }

        var allowWildcard = op is VersionOperator.Equal or VersionOperator.NotEqual;
        var version = Pep440Version.Scan(versionText, allowWildcard, out var wildcard);
        if (version is null)
        {
            error = $"'{versionText}' is not a PEP 440 version";
            return false;
        }
        if (version.Local is not null && !allowWildcard)
        {
            error = "only == and != may name a local version";
            return false;
        }
        if (wildcard && version.Local is not null)
        {
            error = "a .* prefix cannot have a local version";
            return false;
        }
        if (op == VersionOperator.Compatible && version.Release.Count < 2)
        {
            error = "~= needs at least two release numbers (~=1.0, not ~=1)";
            return false;
        }
        var opText = op switch
        {
            VersionOperator.Compatible => "~=",
            VersionOperator.Equal => "==",
            VersionOperator.NotEqual => "!=",
            VersionOperator.LessThanOrEqual => "<=",
            VersionOperator.GreaterThanOrEqual => ">=",
            VersionOperator.LessThan => "<",
            _ => ">",
        };
        specifier = new VersionSpecifier(op, version, wildcard, opText + version + (wildcard ? ".*" : ""), null);
        error = "";
        return true;
    }

    /// <summary>Whether <paramref name="candidate"/> satisfies this specifier under PEP 440's matching rules.</summary>
    public bool Contains(Pep440Version candidate)
    {
        if (Operator == VersionOperator.ArbitraryEqual)
            return string.Equals(candidate.ToString(), ArbitraryText, StringComparison.OrdinalIgnoreCase);
        var spec = Version!;
        switch (Operator)
        {
            case VersionOperator.Equal:
                return IsWildcard ? MatchesPrefix(candidate, spec) : MatchesExactly(candidate, spec);
            case VersionOperator.NotEqual:
                return IsWildcard ? !MatchesPrefix(candidate, spec) : !MatchesExactly(candidate, spec);
            case VersionOperator.Compatible:
                // ~=X.Y.Z means >=X.Y.Z, ==X.Y.*
                return candidate.Public >= spec && MatchesRelease(candidate, spec.ReleaseSpan[..^1], spec.Epoch);
            case VersionOperator.LessThanOrEqual:
                return candidate.Public <= spec;
            case VersionOperator.GreaterThanOrEqual:
                return candidate.Public >= spec;
            case VersionOperator.LessThan:
                // <V excludes pre-releases of V itself unless V is one (<1.7 must not match 1.7rc1).
                if (!(candidate < spec))
                    return false;
                return spec.IsPreRelease || !candidate.IsPreRelease || !SameBase(candidate, spec);
            case VersionOperator.GreaterThan:
                // >V excludes post-releases of V unless V is one (>1.7 must not match 1.7.post1),
                // and local versions of V (>1.7 must not match 1.7+local).
                if (!(candidate > spec))
                    return false;
                if (!spec.IsPostRelease && candidate.IsPostRelease && SameBase(candidate, spec))
                    return false;
                return candidate.Local is null || !SameBase(candidate, spec);
            default:
                return false;
        }
    }

    private static bool SameBase(Pep440Version a, Pep440Version b) =>
        a.Epoch == b.Epoch && Pep440Version.CompareRelease(a.ReleaseSpan, b.ReleaseSpan) == 0;

    // A specifier without a local label ignores the candidate's local label (==1.0 matches 1.0+cpu).
    private static bool MatchesExactly(Pep440Version candidate, Pep440Version spec) =>
        spec.Local is null ? candidate.Public.Equals(spec) : candidate.Equals(spec);

    // ==X.Y.*: the candidate's (zero-padded) release starts with X.Y; if the prefix names a pre- or
    // post-release, the candidate's release must equal it and those parts must match too.
    private static bool MatchesPrefix(Pep440Version candidate, Pep440Version prefix)
    {
        if (prefix.PreKind is null && prefix.Post is null)
            return MatchesRelease(candidate, prefix.ReleaseSpan, prefix.Epoch);
        if (candidate.Epoch != prefix.Epoch || Pep440Version.CompareRelease(candidate.ReleaseSpan, prefix.ReleaseSpan) != 0)
            return false;
        if (candidate.PreKind != prefix.PreKind || candidate.Pre != prefix.Pre)
            return false;
        return prefix.Post is null || candidate.Post == prefix.Post;
    }

    private static bool MatchesRelease(Pep440Version candidate, ReadOnlySpan<long> prefix, long epoch)
    {
        if (candidate.Epoch != epoch)
            return false;
        var release = candidate.ReleaseSpan;
        for (var k = 0; k < prefix.Length; k++)
        {
            if ((k < release.Length ? release[k] : 0) != prefix[k])
                return false;
        }
        return true;
    }
}
