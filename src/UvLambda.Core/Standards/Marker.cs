using System.Collections.Concurrent;
using UvLambda.Core.Diagnostics;

namespace UvLambda.Core.Standards;

/// <summary>The variables a PEP 508 marker can name (plus the set-like ones lock files use).</summary>
public enum MarkerVariable
{
    PythonVersion,
    PythonFullVersion,
    ImplementationVersion,
    OsName,
    SysPlatform,
    PlatformRelease,
    PlatformSystem,
    PlatformVersion,
    PlatformMachine,
    PlatformPythonImplementation,
    ImplementationName,

    /// <summary><c>extra == 'x'</c>: membership of x in the active extras (uv also encodes extras and groups here).</summary>
    Extra,

    /// <summary><c>group == 'x'</c>: membership of x in the active dependency groups.</summary>
    Group,

    /// <summary>PEP 751 <c>'x' in extras</c>.</summary>
    Extras,

    /// <summary>PEP 751 <c>'x' in dependency_groups</c>.</summary>
    DependencyGroups,
}

/// <summary>The comparison operators allowed in markers.</summary>
public enum MarkerOperator
{
    Equal,
    NotEqual,
    LessThan,
    LessThanOrEqual,
    GreaterThan,
    GreaterThanOrEqual,
    Compatible,
    ArbitraryEqual,
    In,
    NotIn,
}

/// <summary>
/// A parsed PEP 508 environment marker, e.g. <c>python_full_version &lt; '3.13' and platform_machine == 'x86_64'</c>.
/// <para>
/// Comparisons on python_version, python_full_version and implementation_version use PEP 440 specifier rules
/// when both sides are versions (so <c>python_full_version &lt; '3.13'</c> is false on 3.13.0, and
/// <c>python_version == '3.13'</c> is true on 3.13); every other variable compares as an ordinal string, as uv
/// does. <c>in</c>/<c>not in</c> are substring tests.
/// </para>
/// <para>
/// Extras and groups are set membership. <c>extra == 'x'</c> and <c>'x' in extras</c> test the extras set;
/// <c>group == 'x'</c> and <c>'x' in dependency_groups</c> test the groups set. uv's lock encodes both extras and
/// groups into <c>extra</c> (<c>extra == 'extra-16-pydantic-ai-slim-mcp-tasks'</c>, <c>extra != 'group-11-pydantic-ai-dev'</c>):
/// callers put those encoded names into the extras set. Names are compared in PEP 503 normal form; the marker side
/// is normalized here, and callers pass normalized names (<see cref="PackageName.Normalize"/>).
/// </para>
/// <see cref="Parse"/> caches by text, since a lock repeats the same few markers many times.
/// </summary>
public sealed class Marker
{
    private const int CacheLimit = 8192;
    private static readonly ConcurrentDictionary<string, Marker> Cache = new(StringComparer.Ordinal);
    private static readonly IReadOnlySet<string> NoNames = new HashSet<string>();

    private readonly MarkerNode _root;

    private Marker(string text, MarkerNode root)
    {
        Text = text;
        _root = root;
    }

    /// <summary>The marker as written (trimmed).</summary>
    public string Text { get; }

    public override string ToString() => Text;

    /// <summary>Parses (or returns the cached parse of) <paramref name="text"/>; throws <see cref="ErrorCodes.InvalidMarker"/>.</summary>
    public static Marker Parse(string text)
    {
        if (Cache.TryGetValue(text, out var cached))
            return cached;
        var marker = new Marker(text.Trim(), new MarkerParser(text).ParseWhole());
        // Bounded so a long-lived build node cannot grow without limit; real locks have a few hundred markers.
        if (Cache.Count >= CacheLimit)
            Cache.Clear();
        Cache.TryAdd(text, marker);
        return marker;
    }

    public bool Evaluate(MarkerEnvironment environment, IReadOnlySet<string> extras) =>
        _root.Evaluate(new MarkerContext(environment, extras, NoNames));

    public bool Evaluate(MarkerEnvironment environment, IReadOnlySet<string> extras, IReadOnlySet<string> groups) =>
        _root.Evaluate(new MarkerContext(environment, extras, groups));

    /// <summary>Every comparison as (variable, operator, literal), for callers that compare markers by their values.</summary>
    internal IEnumerable<(MarkerVariable Variable, MarkerOperator Operator, string Literal)> Atoms() => _root.Atoms();

    internal readonly record struct MarkerContext(MarkerEnvironment Environment, IReadOnlySet<string> Extras, IReadOnlySet<string> Groups);

    internal abstract class MarkerNode
    {
        public abstract bool Evaluate(in MarkerContext context);

        public abstract IEnumerable<(MarkerVariable, MarkerOperator, string)> Atoms();
    }

    internal sealed class AndNode(MarkerNode[] operands) : MarkerNode
    {
        public override IEnumerable<(MarkerVariable, MarkerOperator, string)> Atoms() => operands.SelectMany(o => o.Atoms());

        public override bool Evaluate(in MarkerContext context)
        {
            foreach (var operand in operands)
            {
                if (!operand.Evaluate(context))
                    return false;
            }
            return true;
        }
    }

    internal sealed class OrNode(MarkerNode[] operands) : MarkerNode
    {
        public override IEnumerable<(MarkerVariable, MarkerOperator, string)> Atoms() => operands.SelectMany(o => o.Atoms());

        public override bool Evaluate(in MarkerContext context)
        {
            foreach (var operand in operands)
            {
                if (operand.Evaluate(context))
                    return true;
            }
            return false;
        }
    }

    /// <summary>One side of a comparison: a variable or a quoted string.</summary>
    internal readonly record struct Operand(MarkerVariable? Variable, string? Literal);

    internal sealed class ComparisonNode : MarkerNode
    {
        private readonly Operand _left;
        private readonly MarkerOperator _op;
        private readonly Operand _right;

        // Parsed once: the specifier "op literal" when a version variable is on the left, or the literal version
        // when it is on the right; the normalized name for extra/group membership.
        private readonly VersionSpecifier? _specifier;
        private readonly Pep440Version? _literalVersion;
        private readonly string? _memberName;
        private readonly MarkerVariable? _setVariable;

        public ComparisonNode(Operand left, MarkerOperator op, Operand right)
        {
            _left = left;
            _op = op;
            _right = right;
            if (left.Variable is { } lv && IsVersionVariable(lv) && right.Literal is { } rl && ToSpecifierOperator(op) is { } specOp)
                VersionSpecifier.TryParse(specOp + rl, out _specifier, out _);
            if (right.Variable is { } rv && IsVersionVariable(rv) && left.Literal is { } ll)
                Pep440Version.TryParse(ll, out _literalVersion);

            // extra == 'x', 'x' == extra, 'x' in extras, and the same for groups.
            (MarkerVariable? variable, string? literal) = left.Variable is { } v && IsSetVariable(v) ? (v, right.Literal)
                : right.Variable is { } w && IsSetVariable(w) ? (w, left.Literal) : ((MarkerVariable?)null, (string?)null);
            if (variable is not null && literal is not null)
            {
                _setVariable = variable;
                _memberName = PackageName.Normalize(literal.Trim());
            }
        }

        public override IEnumerable<(MarkerVariable, MarkerOperator, string)> Atoms()
        {
            if (_left.Variable is { } v && _right.Literal is { } r) yield return (v, _op, r);
            else if (_right.Variable is { } w && _left.Literal is { } l) yield return (w, _op, l);
        }

        public override bool Evaluate(in MarkerContext context)
        {
            if (_setVariable is { } setVariable)
                return EvaluateMembership(setVariable, context);
            var env = context.Environment;
            var left = _left.Literal ?? Value(_left.Variable!.Value, env);
            var right = _right.Literal ?? Value(_right.Variable!.Value, env);

            if (_left.Variable is { } lv && IsVersionVariable(lv) && _specifier is not null && EnvironmentVersion(lv, env) is { } envVersion)
                return _specifier.Contains(envVersion);
            if (_right.Variable is { } rv && IsVersionVariable(rv) && _literalVersion is not null && ToSpecifierOperator(_op) is { } specOp
                && VersionSpecifier.TryParse(specOp + right, out var reversed, out _))
                return reversed.Contains(_literalVersion);
            return CompareStrings(left, _op, right);
        }

        private bool EvaluateMembership(MarkerVariable variable, in MarkerContext context)
        {
            var set = variable is MarkerVariable.Extra or MarkerVariable.Extras ? context.Extras : context.Groups;
            var contains = set.Contains(_memberName!);
            var setOnRight = _right.Variable == variable;
            return (_op, variable) switch
            {
                (MarkerOperator.Equal, MarkerVariable.Extra or MarkerVariable.Group) => contains,
                (MarkerOperator.NotEqual, MarkerVariable.Extra or MarkerVariable.Group) => !contains,
                (MarkerOperator.In, MarkerVariable.Extras or MarkerVariable.DependencyGroups) when setOnRight => contains,
                (MarkerOperator.NotIn, MarkerVariable.Extras or MarkerVariable.DependencyGroups) when setOnRight => !contains,
                // Anything else (extra > 'x') has no meaning; packaging would raise, uv evaluates it as false.
                _ => false,
            };
        }

        private static bool CompareStrings(string left, MarkerOperator op, string right) => op switch
        {
            MarkerOperator.Equal or MarkerOperator.ArbitraryEqual => string.Equals(left, right, StringComparison.Ordinal),
            MarkerOperator.NotEqual => !string.Equals(left, right, StringComparison.Ordinal),
            MarkerOperator.LessThan => string.CompareOrdinal(left, right) < 0,
            MarkerOperator.LessThanOrEqual => string.CompareOrdinal(left, right) <= 0,
            MarkerOperator.GreaterThan => string.CompareOrdinal(left, right) > 0,
            MarkerOperator.GreaterThanOrEqual => string.CompareOrdinal(left, right) >= 0,
            MarkerOperator.In => right.Contains(left, StringComparison.Ordinal),
            MarkerOperator.NotIn => !right.Contains(left, StringComparison.Ordinal),
            // ~= has no string meaning.
            _ => false,
        };

        private static string? ToSpecifierOperator(MarkerOperator op) => op switch
        {
            MarkerOperator.Equal => "==",
            MarkerOperator.NotEqual => "!=",
            MarkerOperator.LessThan => "<",
            MarkerOperator.LessThanOrEqual => "<=",
            MarkerOperator.GreaterThan => ">",
            MarkerOperator.GreaterThanOrEqual => ">=",
            MarkerOperator.Compatible => "~=",
            MarkerOperator.ArbitraryEqual => "===",
            _ => null,
        };

        private static Pep440Version? EnvironmentVersion(MarkerVariable variable, MarkerEnvironment env) => variable switch
        {
            MarkerVariable.PythonVersion => env.ParsedPythonVersion,
            MarkerVariable.PythonFullVersion => env.ParsedPythonFullVersion,
            _ => env.ParsedImplementationVersion,
        };

        private static string Value(MarkerVariable variable, MarkerEnvironment env) => variable switch
        {
            MarkerVariable.PythonVersion => env.PythonVersion,
            MarkerVariable.PythonFullVersion => env.PythonFullVersion,
            MarkerVariable.ImplementationVersion => env.ImplementationVersion,
            MarkerVariable.OsName => env.OsName,
            MarkerVariable.SysPlatform => env.SysPlatform,
            MarkerVariable.PlatformRelease => env.PlatformRelease,
            MarkerVariable.PlatformSystem => env.PlatformSystem,
            MarkerVariable.PlatformVersion => env.PlatformVersion,
            MarkerVariable.PlatformMachine => env.PlatformMachine,
            MarkerVariable.PlatformPythonImplementation => env.PlatformPythonImplementation,
            MarkerVariable.ImplementationName => env.ImplementationName,
            // Set variables compared with each other ("extra == extra"): no defined value.
            _ => "",
        };
    }

    internal static bool IsVersionVariable(MarkerVariable v) =>
        v is MarkerVariable.PythonVersion or MarkerVariable.PythonFullVersion or MarkerVariable.ImplementationVersion;

    internal static bool IsSetVariable(MarkerVariable v) =>
        v is MarkerVariable.Extra or MarkerVariable.Group or MarkerVariable.Extras or MarkerVariable.DependencyGroups;
}
