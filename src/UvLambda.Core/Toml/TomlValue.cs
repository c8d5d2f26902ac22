using System.Globalization;

namespace UvLambda.Core.Toml;

/// <summary>What a <see cref="TomlValue"/> is, for switches that do not want type tests.</summary>
public enum TomlValueKind
{
    String,
    Integer,
    Float,
    Boolean,
    OffsetDateTime,
    LocalDateTime,
    LocalDate,
    LocalTime,
    Array,
    Table,
}

/// <summary>
/// Any TOML value. Every value knows where it starts (1-based line and column) so callers can report
/// <c>pyproject.toml(12,5): error ...</c> for a value of the wrong shape, not just for syntax errors.
/// </summary>
public abstract class TomlValue
{
    private protected TomlValue(int line, int column)
    {
        Line = line;
        Column = column;
    }

    /// <summary>1-based line where the value starts (for tables: the key or header that created them).</summary>
    public int Line { get; }

    /// <summary>1-based column (in UTF-16 code units) where the value starts.</summary>
    public int Column { get; }

    public abstract TomlValueKind Kind { get; }

    /// <summary>The TOML name of the type ("string", "integer", "table", ...), for error messages.</summary>
    public string TypeName => Kind switch
    {
        TomlValueKind.String => "string",
        TomlValueKind.Integer => "integer",
        TomlValueKind.Float => "float",
        TomlValueKind.Boolean => "boolean",
        TomlValueKind.OffsetDateTime => "offset date-time",
        TomlValueKind.LocalDateTime => "local date-time",
        TomlValueKind.LocalDate => "local date",
        TomlValueKind.LocalTime => "local time",
        TomlValueKind.Array => "array",
        _ => "table",
    };
}

public sealed class TomlString : TomlValue
{
    internal TomlString(string value, int line, int column) : base(line, column) => Value = value;

    /// <summary>The decoded text (escapes resolved, CRLF in multi-line strings normalized to LF).</summary>
    public string Value { get; }

    public override TomlValueKind Kind => TomlValueKind.String;
    public override string ToString() => Value;
}

public sealed class TomlInteger : TomlValue
{
    internal TomlInteger(long value, int line, int column) : base(line, column) => Value = value;

    public long Value { get; }

    public override TomlValueKind Kind => TomlValueKind.Integer;
    public override string ToString() => Value.ToString(CultureInfo.InvariantCulture);
}

public sealed class TomlFloat : TomlValue
{
    internal TomlFloat(double value, int line, int column) : base(line, column) => Value = value;

    /// <summary>The value; TOML's <c>inf</c>, <c>-inf</c> and <c>nan</c> map to the IEEE values.</summary>
    public double Value { get; }

    public override TomlValueKind Kind => TomlValueKind.Float;
    public override string ToString() => Value.ToString("R", CultureInfo.InvariantCulture);
}

public sealed class TomlBoolean : TomlValue
{
    internal TomlBoolean(bool value, int line, int column) : base(line, column) => Value = value;

    public bool Value { get; }

    public override TomlValueKind Kind => TomlValueKind.Boolean;
    public override string ToString() => Value ? "true" : "false";
}
