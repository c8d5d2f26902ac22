using UvLambda.Core.Diagnostics;

namespace UvLambda.Core.Standards;

/// <summary>
/// Recursive descent over PEP 508's marker grammar:
/// <c>or_expr := and_expr ('or' and_expr)*; and_expr := atom ('and' atom)*; atom := '(' or_expr ')' | value op value</c>.
/// </summary>
internal sealed class MarkerParser(string text)
{
    private int _pos;

    public Marker.MarkerNode ParseWhole()
    {
        var node = ParseOr();
        SkipWhitespace();
        if (_pos < text.Length)
            throw Error(text[_pos] == ')' ? "unmatched ')'" : "expected 'and', 'or' or the end of the marker");
        return node;
    }

    private Marker.MarkerNode ParseOr()
    {
        var first = ParseAnd();
        List<Marker.MarkerNode>? operands = null;
        while (TryKeyword("or"))
            (operands ??= [first]).Add(ParseAnd());
        return operands is null ? first : new Marker.OrNode([.. operands]);
    }

    private Marker.MarkerNode ParseAnd()
    {
        var first = ParseAtom();
        List<Marker.MarkerNode>? operands = null;
        while (TryKeyword("and"))
            (operands ??= [first]).Add(ParseAtom());
        return operands is null ? first : new Marker.AndNode([.. operands]);
    }

    private Marker.MarkerNode ParseAtom()
    {
        SkipWhitespace();
        if (_pos < text.Length && text[_pos] == '(')
        {
            _pos++;
            var inner = ParseOr();
            SkipWhitespace();
            if (_pos >= text.Length || text[_pos] != ')')
                throw Error("expected ')'");
            _pos++;
            return inner;
        }
        var left = ParseOperand();
        var op = ParseOperator();
        var right = ParseOperand();
        if (left.Literal is not null && right.Literal is not null)
            throw Error("a comparison needs a marker variable on one side");
        return new Marker.ComparisonNode(left, op, right);
    }

    private Marker.Operand ParseOperand()
    {
        SkipWhitespace();
        if (_pos >= text.Length)
            throw Error("expected a marker variable or a quoted string");
        var c = text[_pos];
        if (c is '\'' or '"')
        {
            var end = text.IndexOf(c, _pos + 1);
            if (end < 0)
                throw Error("unterminated string");
            var literal = text.Substring(_pos + 1, end - _pos - 1);
            _pos = end + 1;
            return new Marker.Operand(null, literal);
        }
        var start = _pos;
        while (_pos < text.Length && (char.IsAsciiLetterOrDigit(text[_pos]) || text[_pos] is '_' or '.'))
            _pos++;
        var name = text.AsSpan(start, _pos - start);
        var variable = ToVariable(name);
        if (variable is null)
        {
            _pos = start;
            throw Error(name.IsEmpty ? "expected a marker variable or a quoted string" : $"unknown marker variable '{name}'");
        }
        return new Marker.Operand(variable, null);
    }

    private static MarkerVariable? ToVariable(ReadOnlySpan<char> name) => name switch
    {
        "python_version" => MarkerVariable.PythonVersion,
        "python_full_version" => MarkerVariable.PythonFullVersion,
        "implementation_version" => MarkerVariable.ImplementationVersion,
        "os_name" or "os.name" => MarkerVariable.OsName,
        "sys_platform" or "sys.platform" => MarkerVariable.SysPlatform,
        "platform_release" or "platform.release" => MarkerVariable.PlatformRelease,
        "platform_system" or "platform.system" => MarkerVariable.PlatformSystem,
        "platform_version" or "platform.version" => MarkerVariable.PlatformVersion,
        "platform_machine" or "platform.machine" => MarkerVariable.PlatformMachine,
        // The dotted and python_implementation spellings are PEP 345 leftovers that packaging still accepts.
        "platform_python_implementation" or "platform.python_implementation" or "python_implementation" => MarkerVariable.PlatformPythonImplementation,
        "implementation_name" => MarkerVariable.ImplementationName,
        "extra" => MarkerVariable.Extra,
        "group" => MarkerVariable.Group,
        "extras" => MarkerVariable.Extras,
        "dependency_groups" => MarkerVariable.DependencyGroups,
        _ => null,
    };

    private MarkerOperator ParseOperator()
    {
        SkipWhitespace();
        var rest = text.AsSpan(_pos);
        (MarkerOperator op, int length) = rest switch
        {
            _ when rest.StartsWith("===") => (MarkerOperator.ArbitraryEqual, 3),
            _ when rest.StartsWith("==") => (MarkerOperator.Equal, 2),
            _ when rest.StartsWith("!=") => (MarkerOperator.NotEqual, 2),
            _ when rest.StartsWith("<=") => (MarkerOperator.LessThanOrEqual, 2),
            _ when rest.StartsWith(">=") => (MarkerOperator.GreaterThanOrEqual, 2),
            _ when rest.StartsWith("~=") => (MarkerOperator.Compatible, 2),
            _ when rest.StartsWith("<") => (MarkerOperator.LessThan, 1),
            _ when rest.StartsWith(">") => (MarkerOperator.GreaterThan, 1),
            _ => ((MarkerOperator)(-1), 0),
        };
        if (length > 0)
        {
            _pos += length;
            return op;
        }
        if (TryKeyword("in"))
            return MarkerOperator.In;
        if (TryKeyword("not"))
        {
            if (!TryKeyword("in"))
                throw Error("expected 'in' after 'not'");
            return MarkerOperator.NotIn;
        }
        throw Error("expected an operator (==, !=, <, <=, >, >=, ~=, ===, in, not in)");
    }

    // A keyword must end at a non-name character, so "order" is not "or" + "der".
    private bool TryKeyword(string keyword)
    {
        SkipWhitespace();
        if (string.CompareOrdinal(text, _pos, keyword, 0, keyword.Length) != 0)
            return false;
        var end = _pos + keyword.Length;
        if (end < text.Length && (char.IsAsciiLetterOrDigit(text[end]) || text[end] is '_' or '.'))
            return false;
        _pos = end;
        return true;
    }

    private void SkipWhitespace()
    {
        while (_pos < text.Length && char.IsWhiteSpace(text[_pos]))
            _pos++;
    }

    private UvLambdaException Error(string reason) =>
        new(ErrorCodes.InvalidMarker, $"'{text.Trim()}' is not a valid PEP 508 marker: {reason} (at column {_pos + 1}).");
}
