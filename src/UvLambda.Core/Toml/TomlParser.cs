using System.Globalization;
using System.Text;
using UvLambda.Core.Diagnostics;

namespace UvLambda.Core.Toml;

/// <summary>
/// Single-pass TOML 1.1 scanner (which accepts every valid TOML 1.0 document) and builder over a string. Hand-written (no regex, no token objects) because
/// resolving a large uv.lock must stay far below the time CPython's tomllib needs.
/// </summary>
internal sealed class TomlParser
{
    // Deep enough for any real file, shallow enough that nested arrays cannot overflow the stack.
    private const int MaxDepth = 256;

    private readonly string _s;
    private readonly string? _file;
    private readonly StringBuilder _sb = new();
    private readonly List<KeyPart> _key = new();
    private int _pos;
    private int _line = 1;
    private int _lineStart;
    private int _sectionCounter;
    private int _depth;

    private readonly record struct KeyPart(string Name, int Start, int Line, int Column);

    public TomlParser(string text, string? fileName)
    {
        _s = text;
        _file = fileName;
    }

    public TomlTable ParseDocument()
    {
        var root = new TomlTable(1, 1, TomlTableState.Header);
        if (_s.Length > 0 && _s[0] == '\uFEFF')
        {
            // The BOM is not part of the text, so columns on line 1 start after it.
            _pos = 1;
            _lineStart = 1;
        }
        var table = root;
        var section = 0;
        while (true)
        {
            SkipTrivia();
            if (_pos >= _s.Length)
                return root;
            if (_s[_pos] == '[')
            {
                table = ParseHeader(root);
                section = ++_sectionCounter;
            }
            else
            {
                ParseKeyValue(table, section);
            }
            ExpectLineEnd();
        }
    }

    // ---- structure -------------------------------------------------------------------------------------------

    private TomlTable ParseHeader(TomlTable root)
    {
        var headerStart = _pos;
        var isArray = _pos + 1 < _s.Length && _s[_pos + 1] == '[';
        _pos += isArray ? 2 : 1;
        SkipWs();
        ParseKey();
        SkipWs();
        if (isArray)
        {
            if (!(Peek(0) == ']' && Peek(1) == ']'))
                throw Error(_pos, "Expected ']]' to close the array-of-tables header.");
            _pos += 2;
        }
        else
        {
            if (Peek(0) != ']')
                throw Error(_pos, "Expected ']' to close the table header.");
            _pos++;
        }

        var table = root;
        var last = _key.Count - 1;
        for (var i = 0; i < last; i++)
        {
            var part = _key[i];
            if (!table.TryGetValue(part.Name, out var existing))
            {
                var created = new TomlTable(part.Line, part.Column, TomlTableState.Implicit);
                table.Add(part.Name, created, part.Line, part.Column);
                table = created;
            }
            else if (existing is TomlTable { IsInline: false } t)
                table = t;
            else if (existing is TomlArray { IsArrayOfTables: true } aot)
                table = (TomlTable)aot[aot.Count - 1];
            else
                throw Error(part.Start, $"Cannot define a table under '{KeyText(i)}': it is already {Describe(existing)}.");
        }

        var stem = _key[last];
        table.TryGetValue(stem.Name, out var current);
        if (isArray)
        {
            var array = current as TomlArray;
            if (current is null)
            {
                array = new TomlArray(stem.Line, stem.Column, isArrayOfTables: true);
                table.Add(stem.Name, array, stem.Line, stem.Column);
            }
            else if (array is not { IsArrayOfTables: true })
                throw Error(stem.Start, $"Cannot define '{KeyText(last)}' as an array of tables: it is already {Describe(current)}.");
            var element = new TomlTable(_line, headerStart - _lineStart + 1, TomlTableState.Header);
            array!.Add(element);
            return element;
        }

        if (current is null)
        {
            var created = new TomlTable(stem.Line, stem.Column, TomlTableState.Header);
            table.Add(stem.Name, created, stem.Line, stem.Column);
            return created;
        }
        if (current is TomlTable { State: TomlTableState.Implicit } implicitTable)
        {
            implicitTable.State = TomlTableState.Header;
            return implicitTable;
        }
        throw Error(stem.Start, $"Cannot define table '{KeyText(last)}': it is already {Describe(current)}.");
    }

    /// <summary>Parses <c>key = value</c> into <paramref name="table"/>; <paramref name="section"/> scopes dotted-key tables.</summary>
    private void ParseKeyValue(TomlTable table, int section)
    {
        ParseKey();
        var last = _key.Count - 1;
        for (var i = 0; i < last; i++)
        {
            var part = _key[i];
            if (!table.TryGetValue(part.Name, out var existing))
            {
                var created = new TomlTable(part.Line, part.Column, TomlTableState.Dotted) { Section = section };
                table.Add(part.Name, created, part.Line, part.Column);
                table = created;
            }
            else if (existing is TomlTable t
                     && (t.State == TomlTableState.Implicit || (t.State == TomlTableState.Dotted && t.Section == section)))
            {
                // A header's implicit parent becomes dotted-defined here, so no later header may define it.
                t.State = TomlTableState.Dotted;
                t.Section = section;
                table = t;
            }
            else
                throw Error(part.Start, $"Cannot add keys to '{KeyText(i)}' with a dotted key: it is already {Describe(existing)}.");
        }

        var stem = _key[last];
        SkipWs();
        if (Peek(0) != '=')
            throw Error(_pos, "Expected '=' after the key.");
        _pos++;
        SkipWs();
        var value = ParseValue();
        if (table.ContainsKey(stem.Name))
            throw Error(stem.Start, $"Key '{stem.Name}' is already defined.");
        table.Add(stem.Name, value, stem.Line, stem.Column);
    }

    /// <summary>Parses a possibly dotted key into <see cref="_key"/>; leaves the position after its last part.</summary>
    private void ParseKey()
    {
        _key.Clear();
        while (true)
        {
            var start = _pos;
            var column = start - _lineStart + 1;
            var c = Peek(0);
            string name;
            if (c == '"')
            {
                if (Peek(1) == '"' && Peek(2) == '"')
                    throw Error(start, "A multi-line string cannot be a key.");
                name = ParseBasicString();
            }
            else if (c == '\'')
            {
                if (Peek(1) == '\'' && Peek(2) == '\'')
                    throw Error(start, "A multi-line string cannot be a key.");
                name = ParseLiteralString();
            }
            else
            {
                while (_pos < _s.Length && IsBareKeyChar(_s[_pos]))
                    _pos++;
                if (_pos == start)
                    throw Error(start, _pos >= _s.Length || IsNewlineStart(_s[_pos]) ? "Expected a key." : $"Invalid character {Show(_s[_pos])} in a key; bare keys may only use A-Z a-z 0-9 _ -, quote any other key.");
                name = _s.Substring(start, _pos - start);
            }
            _key.Add(new KeyPart(name, start, _line, column));
            SkipWs();
            if (Peek(0) != '.')
                return;
            _pos++;
            SkipWs();
        }
    }

    private TomlValue ParseValue()
    {
        var start = _pos;
        var line = _line;
        var column = start - _lineStart + 1;
        if (_pos >= _s.Length)
            throw Error(start, "Expected a value.");
        var c = _s[_pos];
        switch (c)
        {
            case '"':
                return new TomlString(
                    Peek(1) == '"' && Peek(2) == '"' ? ParseMultilineBasicString() : ParseBasicString(), line, column);
            case '\'':
                return new TomlString(
                    Peek(1) == '\'' && Peek(2) == '\'' ? ParseMultilineLiteralString() : ParseLiteralString(), line, column);
            case '[':
                return ParseArray(line, column);
            case '{':
                return ParseInlineTable(line, column);
            case 't':
                if (string.CompareOrdinal(_s, _pos, "true", 0, 4) == 0)
                {
                    _pos += 4;
                    return new TomlBoolean(true, line, column);
                }
                break;
            case 'f':
                if (string.CompareOrdinal(_s, _pos, "false", 0, 5) == 0)
                {
                    _pos += 5;
                    return new TomlBoolean(false, line, column);
                }
                break;
            default:
                if (IsDigit(c) || c == '+' || c == '-'
                    || string.CompareOrdinal(_s, _pos, "inf", 0, 3) == 0 || string.CompareOrdinal(_s, _pos, "nan", 0, 3) == 0)
                    return ParseNumberOrDateTime(line, column);
                break;
        }
        if (IsNewlineStart(c) || c == '#')
            throw Error(start, "Expected a value.");
        if (IsBareKeyChar(c))
        {
            // Show the whole word: `name = foo` or `flag = True` are the usual mistakes.
            var end = start;
            while (end < _s.Length && IsBareKeyChar(_s[end]))
                end++;
            throw Error(start, $"Invalid value '{_s.Substring(start, end - start)}': strings need quotes, booleans are lower-case true or false.");
        }
        throw Error(start, $"Invalid value starting with {Show(c)}.");
    }

    private TomlArray ParseArray(int line, int column)
    {
        var open = _pos;
        EnterNested(open);
        _pos++;
        var array = new TomlArray(line, column, isArrayOfTables: false);
        while (true)
        {
            SkipTrivia();
            if (_pos >= _s.Length)
                throw Error(open, "Unterminated array: expected ']'.");
            if (_s[_pos] == ']')
                break;
            var elementLine = _line;
            var atLineStart = _pos == _lineStart;
            try
            {
                array.Add(ParseValue());
            }
            catch (UvLambdaException e) when (atLineStart && elementLine > line && e.Code == ErrorCodes.TomlSyntax)
            {
                // A value at the start of a later line (a [table] header, a key = value) is where an array left open
                // by a missing ']' runs into the next statement: say so, not only what that line fails as.
                throw new UvLambdaException(e.Code,
                    $"{e.Message} The array opened at line {line}, column {column} is not closed: is a ']' missing before line {elementLine}?", e.File, e.Line, e.Column);
            }
            SkipTrivia();
            if (_pos >= _s.Length)
                throw Error(open, "Unterminated array: expected ']'.");
            if (_s[_pos] == ',')
            {
                _pos++;
                continue;
            }
            if (_s[_pos] == ']')
                break;
            throw Error(_pos, $"Expected ',' or ']' in an array, found {Show(_s[_pos])}."
                + (_pos == _lineStart && _line > line ? $" The array opened at line {line}, column {column} is not closed: is a ']' missing before line {_line}?" : ""));
        }
        _pos++;
        _depth--;
        return array;
    }

    private TomlTable ParseInlineTable(int line, int column)
    {
        var open = _pos;
        EnterNested(open);
        _pos++;
        var table = new TomlTable(line, column, TomlTableState.Dotted);
        // TOML 1.1: newlines and comments may sit anywhere between the braces except inside a key/value pair,
        // and the last pair may have a trailing comma; an empty table still takes no comma.
        SkipTrivia();
        if (Peek(0) == '}')
        {
            _pos++;
        }
        else
        {
            // Its own section: dotted keys inside may extend each other, but nothing outside may.
            var section = ++_sectionCounter;
            while (true)
            {
                if (_pos >= _s.Length)
                    throw Error(open, "Unterminated inline table: expected '}'.");
                ParseKeyValue(table, section);
                SkipTrivia();
                var c = Peek(0);
                if (c == ',')
                {
                    _pos++;
                    SkipTrivia();
                    if (Peek(0) == '}')
                    {
                        _pos++;
                        break;
                    }
                    continue;
                }
                if (c == '}')
                {
                    _pos++;
                    break;
                }
                if (_pos >= _s.Length)
                    throw Error(open, "Unterminated inline table: expected '}'.");
                throw Error(_pos, $"Expected ',' or '}}' in an inline table, found {Show(c)}.");
            }
        }
        table.State = TomlTableState.Inline;
        _depth--;
        return table;
    }

    private void EnterNested(int pos)
    {
        if (++_depth > MaxDepth)
            throw Error(pos, $"Arrays and inline tables are nested more than {MaxDepth} deep.");
    }

    // ---- strings ---------------------------------------------------------------------------------------------

    private string ParseBasicString()
    {
        var open = _pos;
        var start = ++_pos;
        // Fast path: most strings have no escapes and become one substring.
        while (true)
        {
            if (_pos >= _s.Length)
                throw Error(open, "Unterminated string.");
            var c = _s[_pos];
            if (c == '"')
            {
                var value = _s.Substring(start, _pos - start);
                _pos++;
                return value;
            }
            if (c == '\\')
                break;
            CheckStringChar(c, multiline: false);
            _pos++;
        }

        _sb.Clear();
        _sb.Append(_s, start, _pos - start);
        while (true)
        {
            if (_pos >= _s.Length)
                throw Error(open, "Unterminated string.");
            var c = _s[_pos];
            if (c == '"')
            {
                _pos++;
                return _sb.ToString();
            }
            if (c == '\\')
            {
                AppendEscape();
                continue;
            }
            CheckStringChar(c, multiline: false);
            _sb.Append(c);
            _pos++;
        }
    }

    private string ParseMultilineBasicString()
    {
        var open = _pos;
        _pos += 3;
        SkipNewlineAfterOpening();
        _sb.Clear();
        while (true)
        {
            if (_pos >= _s.Length)
                throw Error(open, "Unterminated multi-line string.");
            var c = _s[_pos];
            if (c == '"')
            {
                if (TryCloseMultiline('"'))
                    return _sb.ToString();
                continue;
            }
            if (c == '\\')
            {
                if (IsLineEndingBackslash())
                    continue;
                AppendEscape();
                continue;
            }
            if (IsNewlineStart(c))
            {
                ConsumeNewline();
                _sb.Append('\n');
                continue;
            }
            CheckStringChar(c, multiline: true);
            _sb.Append(c);
            _pos++;
        }
    }

    private string ParseLiteralString()
    {
        var open = _pos;
        var start = ++_pos;
        while (true)
        {
            if (_pos >= _s.Length)
                throw Error(open, "Unterminated string.");
            var c = _s[_pos];
            if (c == '\'')
            {
                var value = _s.Substring(start, _pos - start);
                _pos++;
                return value;
            }
            CheckStringChar(c, multiline: false);
            _pos++;
        }
    }

    private string ParseMultilineLiteralString()
    {
        var open = _pos;
        _pos += 3;
        SkipNewlineAfterOpening();
        _sb.Clear();
        while (true)
        {
            if (_pos >= _s.Length)
                throw Error(open, "Unterminated multi-line string.");
            var c = _s[_pos];
            if (c == '\'')
            {
                if (TryCloseMultiline('\''))
                    return _sb.ToString();
                continue;
            }
            if (IsNewlineStart(c))
            {
                ConsumeNewline();
                _sb.Append('\n');
                continue;
            }
            CheckStringChar(c, multiline: true);
            _sb.Append(c);
            _pos++;
        }
    }

    private void SkipNewlineAfterOpening()
    {
        if (_pos < _s.Length && IsNewlineStart(_s[_pos]))
            ConsumeNewline();
    }

    /// <summary>At a run of quotes in a multi-line string: closes it (up to two quotes may end the content) or appends them.</summary>
    private bool TryCloseMultiline(char quote)
    {
        var run = 0;
        while (_pos + run < _s.Length && _s[_pos + run] == quote)
            run++;
        if (run < 3)
        {
            _sb.Append(quote, run);
            _pos += run;
            return false;
        }
        if (run > 5)
            throw Error(_pos + 5, "Too many quotes at the end of a multi-line string.");
        _sb.Append(quote, run - 3);
        _pos += run;
        return true;
    }

    /// <summary>A backslash followed by optional whitespace and a newline trims all whitespace up to the next content.</summary>
    private bool IsLineEndingBackslash()
    {
        var p = _pos + 1;
        while (p < _s.Length && (_s[p] == ' ' || _s[p] == '\t'))
            p++;
        if (p >= _s.Length || !IsNewlineStart(_s[p]))
            return false;
        _pos = p;
        while (_pos < _s.Length)
        {
            var c = _s[_pos];
            if (c == ' ' || c == '\t')
                _pos++;
            else if (IsNewlineStart(c))
                ConsumeNewline();
            else
                break;
        }
        return true;
    }

    private void AppendEscape()
    {
        var at = _pos;
        if (_pos + 1 >= _s.Length)
            throw Error(at, "Unterminated string.");
        var c = _s[_pos + 1];
        _pos += 2;
        switch (c)
        {
            case 'b': _sb.Append('\b'); return;
            case 't': _sb.Append('\t'); return;
            case 'n': _sb.Append('\n'); return;
            case 'f': _sb.Append('\f'); return;
            case 'r': _sb.Append('\r'); return;
            case '"': _sb.Append('"'); return;
            case '\\': _sb.Append('\\'); return;
            case 'e': _sb.Append('\u001B'); return;
            case 'x':
                // TOML 1.1: exactly two hex digits, so only code points up to U+00FF.
                var hi = _pos < _s.Length ? HexValue(_s[_pos]) : -1;
                var lo = _pos + 1 < _s.Length ? HexValue(_s[_pos + 1]) : -1;
                if (hi < 0 || lo < 0)
                    throw Error(at, "Invalid escape: '\\x' needs 2 hex digits.");
                _sb.Append((char)((hi << 4) | lo));
                _pos += 2;
                return;
            case 'u':
            case 'U':
                var digits = c == 'u' ? 4 : 8;
                var code = 0;
                for (var i = 0; i < digits; i++)
                {
                    var d = _pos + i < _s.Length ? HexValue(_s[_pos + i]) : -1;
                    if (d < 0)
                        throw Error(at, $"Invalid escape: '\\{c}' needs {digits} hex digits.");
                    code = unchecked((code << 4) | d);
                }
                // 8 hex digits can exceed int range; a negative or huge code is not a scalar value either way.
                if (code < 0 || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF))
                    throw Error(at, $"Invalid escape: {_s.Substring(at, digits + 2)} is not a Unicode scalar value.");
                _pos += digits;
                if (code < 0x10000)
                    _sb.Append((char)code);
                else
                {
                    code -= 0x10000;
                    _sb.Append((char)(0xD800 + (code >> 10))).Append((char)(0xDC00 + (code & 0x3FF)));
                }
                return;
            default:
                throw Error(at, $"Invalid escape sequence '\\{(c < 0x20 || c == 0x7F ? $"U+{(int)c:X4}" : c.ToString())}'.");
        }
    }

    private void CheckStringChar(char c, bool multiline)
    {
        if (c >= 0x20 && c != 0x7F && !char.IsSurrogate(c))
            return;
        if (c == '\t')
            return;
        if (char.IsSurrogate(c))
        {
            CheckSurrogatePair(c);
            return;
        }
        if (!multiline && IsNewlineStart(c))
            throw Error(_pos, "A single-line string cannot contain a newline.");
        throw Error(_pos, $"Control character U+{(int)c:X4} is not allowed in a string; use an escape.");
    }

    /// <summary>Valid UTF-8 never decodes to a lone surrogate; a string handed to us directly might hold one.</summary>
    private void CheckSurrogatePair(char c)
    {
        if (char.IsHighSurrogate(c) && _pos + 1 < _s.Length && char.IsLowSurrogate(_s[_pos + 1]))
            return;
        // The low half of a pair whose high half was just checked.
        if (char.IsLowSurrogate(c) && _pos > 0 && char.IsHighSurrogate(_s[_pos - 1]))
            return;
        throw Error(_pos, $"Unpaired surrogate U+{(int)c:X4}.");
    }

    // ---- numbers and dates -----------------------------------------------------------------------------------

    private TomlValue ParseNumberOrDateTime(int line, int column)
    {
        var start = _pos;
        if (HasDigits(start, 4) && Peek(4) == '-')
            return ParseDateTime(line, column);
        if (HasDigits(start, 2) && Peek(2) == ':')
            return ParseLocalTime(line, column);

        while (_pos < _s.Length && IsNumberChar(_s[_pos]))
            _pos++;
        var token = _s.AsSpan(start, _pos - start);

        var sign = token.Length > 0 && (token[0] == '+' || token[0] == '-') ? 1 : 0;
        var body = token.Slice(sign);
        if (body.SequenceEqual("inf"))
            return new TomlFloat(token[0] == '-' ? double.NegativeInfinity : double.PositiveInfinity, line, column);
        if (body.SequenceEqual("nan"))
            return new TomlFloat(double.NaN, line, column);

        if (body.Length > 1 && body[0] == '0' && (body[1] == 'x' || body[1] == 'o' || body[1] == 'b'))
        {
            if (sign == 1)
                throw Error(start, "Hexadecimal, octal and binary integers cannot have a sign.");
            return new TomlInteger(ParseRadixInteger(body.Slice(2), body[1] == 'x' ? 16 : body[1] == 'o' ? 8 : 2, start), line, column);
        }

        // Decimal integer or float: int-part, optional fraction, optional exponent.
        var i = sign;
        if (i >= token.Length || !IsDigit(token[i]))
            throw Error(start, InvalidNumber(token));
        if (token[i] == '0' && i + 1 < token.Length && (IsDigit(token[i + 1]) || token[i + 1] == '_'))
            throw Error(start, $"Leading zeros are not allowed in '{token.ToString()}'.");
        if (!ScanDecimalDigits(token, ref i))
            throw Error(start, InvalidNumber(token));
        var isFloat = false;
        if (i < token.Length && token[i] == '.')
        {
            isFloat = true;
            i++;
            if (!ScanDecimalDigits(token, ref i))
                throw Error(start, InvalidNumber(token));
        }
        if (i < token.Length && (token[i] == 'e' || token[i] == 'E'))
        {
            isFloat = true;
            i++;
            if (i < token.Length && (token[i] == '+' || token[i] == '-'))
                i++;
            if (!ScanDecimalDigits(token, ref i))
                throw Error(start, InvalidNumber(token));
        }
        if (i != token.Length)
            throw Error(start, InvalidNumber(token));

        return isFloat
            ? new TomlFloat(ParseFloat(token), line, column)
            : new TomlInteger(ParseDecimalInteger(token, start), line, column);
    }

    private static string InvalidNumber(ReadOnlySpan<char> token) =>
        token.Length == 0 ? "Expected a value." : $"Invalid number '{token.ToString()}'.";

    /// <summary>Digits with single underscores only between digits; advances <paramref name="i"/> past them.</summary>
    private static bool ScanDecimalDigits(ReadOnlySpan<char> token, ref int i)
    {
        if (i >= token.Length || !IsDigit(token[i]))
            return false;
        i++;
        while (i < token.Length)
        {
            if (IsDigit(token[i]))
                i++;
            else if (token[i] == '_' && i + 1 < token.Length && IsDigit(token[i + 1]))
                i += 2;
            else if (token[i] == '_')
                return false;
            else
                break;
        }
        return true;
    }

    private long ParseDecimalInteger(ReadOnlySpan<char> token, int start)
    {
        var negative = token[0] == '-';
        ulong value = 0;
        foreach (var c in token)
        {
            if (!IsDigit(c))
                continue;
            if (value > (ulong.MaxValue - 9) / 10)
                throw Error(start, $"Integer '{token.ToString()}' does not fit in 64 bits.");
            value = value * 10 + (ulong)(c - '0');
        }
        var limit = negative ? (ulong)long.MaxValue + 1 : long.MaxValue;
        if (value > limit)
            throw Error(start, $"Integer '{token.ToString()}' does not fit in 64 bits.");
        return negative ? unchecked(-(long)value) : (long)value;
    }

    private long ParseRadixInteger(ReadOnlySpan<char> digits, int radix, int start)
    {
        var shift = radix == 16 ? 4 : radix == 8 ? 3 : 1;
        ulong value = 0;
        var expectDigit = true;
        foreach (var c in digits)
        {
            if (c == '_')
            {
                if (expectDigit)
                    throw Error(start, "Underscores must sit between digits.");
                expectDigit = true;
                continue;
            }
            var d = HexValue(c);
            if (d < 0 || d >= radix)
                throw Error(start, $"Invalid digit {Show(c)} in a base-{radix} integer.");
            if (value >> (63 - shift) != 0)
                throw Error(start, "Integer does not fit in 64 bits.");
            value = (value << shift) | (uint)d;
            expectDigit = false;
        }
        if (expectDigit)
            throw Error(start, digits.Length == 0 ? "Expected digits after the integer prefix." : "Underscores must sit between digits.");
        return (long)value;
    }

    private static double ParseFloat(ReadOnlySpan<char> token)
    {
        Span<char> buffer = token.Length <= 128 ? stackalloc char[token.Length] : new char[token.Length];
        var n = 0;
        foreach (var c in token)
        {
            if (c != '_')
                buffer[n++] = c;
        }
        return double.Parse(buffer.Slice(0, n), NumberStyles.Float, CultureInfo.InvariantCulture);
    }

    private TomlDateTime ParseDateTime(int line, int column)
    {
        var start = _pos;
        var year = Digits(start, 4);
        var month = Peek(4) == '-' && HasDigits(start + 5, 2) ? Digits(start + 5, 2) : -1;
        var day = Peek(7) == '-' && HasDigits(start + 8, 2) ? Digits(start + 8, 2) : -1;
        if (month < 0 || day < 0)
            throw Error(start, "Invalid date: expected YYYY-MM-DD.");
        if (month < 1 || month > 12)
            throw Error(start + 5, $"Invalid month {month:00}.");
        if (day < 1 || day > DaysInMonth(year, month))
            throw Error(start + 8, $"Invalid day {day:00} for {year:0000}-{month:00}.");
        _pos = start + 10;

        var kind = TomlValueKind.LocalDate;
        var dt = new TomlDateTime(kind, _s, start, 0, line, column) { Year = year, Month = month, Day = day };
        var sep = Peek(0);
        if (sep == 'T' || sep == 't' || (sep == ' ' && IsDigit(Peek(1))))
        {
            _pos++;
            ParseTime(dt);
            kind = TomlValueKind.LocalDateTime;
            var c = Peek(0);
            if (c == 'Z' || c == 'z')
            {
                _pos++;
                dt.OffsetMinutes = 0;
                kind = TomlValueKind.OffsetDateTime;
            }
            else if (c == '+' || c == '-')
            {
                var offsetStart = _pos;
                if (!(HasDigits(_pos + 1, 2) && Peek(3) == ':' && HasDigits(_pos + 4, 2)))
                    throw Error(offsetStart, "Invalid UTC offset: expected +HH:MM or -HH:MM.");
                var hours = Digits(_pos + 1, 2);
                var minutes = Digits(_pos + 4, 2);
                if (hours > 23 || minutes > 59)
                    throw Error(offsetStart, "Invalid UTC offset: hours must be 00-23 and minutes 00-59.");
                dt.OffsetMinutes = (c == '-' ? -1 : 1) * (hours * 60 + minutes);
                _pos += 6;
                kind = TomlValueKind.OffsetDateTime;
            }
        }
        return Finish(dt, kind, start);
    }

    private TomlDateTime ParseLocalTime(int line, int column)
    {
        var start = _pos;
        var dt = new TomlDateTime(TomlValueKind.LocalTime, _s, start, 0, line, column);
        ParseTime(dt);
        return Finish(dt, TomlValueKind.LocalTime, start);
    }

    private TomlDateTime Finish(TomlDateTime parsed, TomlValueKind kind, int start)
    {
        if (_pos < _s.Length && (IsBareKeyChar(_s[_pos]) || _s[_pos] == '.' || _s[_pos] == ':' || _s[_pos] == '+'))
            throw Error(_pos, $"Unexpected {Show(_s[_pos])} after a date or time.");
        parsed.Complete(kind, _pos - start);
        return parsed;
    }

    private void ParseTime(TomlDateTime dt)
    {
        var p = _pos;
        if (!(HasDigits(p, 2) && Peek(2) == ':' && HasDigits(p + 3, 2)))
            throw Error(p, "Invalid time: expected HH:MM or HH:MM:SS.");
        dt.Hour = Digits(p, 2);
        dt.Minute = Digits(p + 3, 2);
        if (dt.Hour > 23)
            throw Error(p, $"Invalid hour {dt.Hour:00}.");
        if (dt.Minute > 59)
            throw Error(p + 3, $"Invalid minute {dt.Minute:00}.");
        _pos = p + 5;
        // TOML 1.1 makes seconds optional (then 0); a fraction still needs them.
        if (Peek(0) != ':')
            return;
        if (!HasDigits(p + 6, 2))
            throw Error(p, "Invalid time: expected HH:MM or HH:MM:SS.");
        // Leap second 60 is rejected like Python's tomllib does: neither .NET nor Python can represent it.
        dt.Second = Digits(p + 6, 2);
        if (dt.Second > 59)
            throw Error(p + 6, $"Invalid second {dt.Second:00}.");
        _pos = p + 8;
        if (Peek(0) == '.')
        {
            _pos++;
            var fractionStart = _pos;
            var nanos = 0;
            while (_pos < _s.Length && IsDigit(_s[_pos]))
            {
                if (_pos - fractionStart < 9)
                    nanos = nanos * 10 + (_s[_pos] - '0');
                _pos++;
            }
            var count = _pos - fractionStart;
            if (count == 0)
                throw Error(fractionStart - 1, "Expected digits after the decimal point in a time.");
            for (var i = count; i < 9; i++)
                nanos *= 10;
            dt.Nanosecond = nanos;
        }
    }

    private static int DaysInMonth(int year, int month) => month switch
    {
        2 => year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28,
        4 or 6 or 9 or 11 => 30,
        _ => 31,
    };

    private bool HasDigits(int p, int count)
    {
        if (p + count > _s.Length)
            return false;
        for (var i = 0; i < count; i++)
        {
            if (!IsDigit(_s[p + i]))
                return false;
        }
        return true;
    }

    private int Digits(int p, int count)
    {
        var value = 0;
        for (var i = 0; i < count; i++)
            value = value * 10 + (_s[p + i] - '0');
        return value;
    }

    // ---- whitespace, comments, newlines ----------------------------------------------------------------------

    private void SkipWs()
    {
        while (_pos < _s.Length && (_s[_pos] == ' ' || _s[_pos] == '\t'))
            _pos++;
    }

    /// <summary>Skips whitespace, newlines and comments (between expressions and inside arrays).</summary>
    private void SkipTrivia()
    {
        while (_pos < _s.Length)
        {
            var c = _s[_pos];
            if (c == ' ' || c == '\t')
                _pos++;
            else if (IsNewlineStart(c))
                ConsumeNewline();
            else if (c == '#')
                SkipComment();
            else
                return;
        }
    }

    private void SkipComment()
    {
        _pos++;
        while (_pos < _s.Length)
        {
            var c = _s[_pos];
            if (c == '\n' || (c == '\r' && Peek(1) == '\n'))
                return;
            if (c < 0x20 && c != '\t' || c == 0x7F)
                throw Error(_pos, $"Control character U+{(int)c:X4} is not allowed in a comment.");
            if (char.IsSurrogate(c))
                CheckSurrogatePair(c);
            _pos++;
        }
    }

    /// <summary>After a key/value pair or header only a comment may follow on the same line.</summary>
    private void ExpectLineEnd()
    {
        SkipWs();
        if (_pos < _s.Length && _s[_pos] == '#')
            SkipComment();
        if (_pos >= _s.Length)
            return;
        if (!IsNewlineStart(_s[_pos]))
            throw Error(_pos, $"Expected a newline, found {Show(_s[_pos])}.");
        ConsumeNewline();
    }

    /// <summary>Consumes LF or CRLF at the position and starts a new line; a lone CR is an error.</summary>
    private void ConsumeNewline()
    {
        if (_s[_pos] == '\r')
        {
            if (Peek(1) != '\n')
                throw Error(_pos, "A carriage return must be followed by a line feed.");
            _pos++;
        }
        _pos++;
        _line++;
        _lineStart = _pos;
    }

    // ---- small lexical helpers -------------------------------------------------------------------------------

    private char Peek(int offset) => _pos + offset < _s.Length ? _s[_pos + offset] : '\0';

    private static bool IsDigit(char c) => (uint)(c - '0') <= 9;

    private static bool IsNewlineStart(char c) => c == '\n' || c == '\r';

    private static bool IsBareKeyChar(char c) =>
        (uint)((c | 0x20) - 'a') <= 'z' - 'a' || IsDigit(c) || c == '_' || c == '-';

    private static bool IsNumberChar(char c) => IsBareKeyChar(c) || c == '.' || c == '+';

    private static int HexValue(char c)
    {
        if (IsDigit(c))
            return c - '0';
        var lower = (char)(c | 0x20);
        return lower >= 'a' && lower <= 'f' ? lower - 'a' + 10 : -1;
    }

    private static string Show(char c) =>
        c < 0x20 || c == 0x7F || char.IsSurrogate(c) || c == '\uFEFF' ? $"U+{(int)c:X4}" : $"'{c}'";

    private string KeyText(int lastPart)
    {
        var sb = new StringBuilder();
        for (var i = 0; i <= lastPart; i++)
        {
            if (i > 0)
                sb.Append('.');
            var name = _key[i].Name;
            var bare = name.Length > 0;
            foreach (var c in name)
                bare &= IsBareKeyChar(c);
            sb.Append(bare ? name : "\"" + name.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"");
        }
        return sb.ToString();
    }

    private static string Describe(TomlValue value) => value switch
    {
        TomlTable { State: TomlTableState.Inline } => "an inline table",
        TomlTable { State: TomlTableState.Dotted } => "a table defined by dotted keys",
        TomlTable => "a table",
        TomlArray { IsArrayOfTables: true } => "an array of tables",
        TomlArray => "an array value",
        _ => $"a {value.TypeName} value",
    };

    /// <summary>The error at <paramref name="pos"/>; line and column are recomputed from the text so any position works.</summary>
    private UvLambdaException Error(int pos, string message)
    {
        pos = Math.Min(pos, _s.Length);
        var line = 1;
        var lineStart = _s.Length > 0 && _s[0] == '\uFEFF' ? 1 : 0;
        for (var i = 0; i < pos; i++)
        {
            if (_s[i] == '\n')
            {
                line++;
                lineStart = i + 1;
            }
        }
        return new UvLambdaException(ErrorCodes.TomlSyntax, message, _file, line, pos - lineStart + 1);
    }
}
