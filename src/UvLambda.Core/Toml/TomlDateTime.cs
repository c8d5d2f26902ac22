namespace UvLambda.Core.Toml;

/// <summary>
/// One of TOML's four date/time types. Kept as validated fields plus the source text rather than a
/// <see cref="DateTimeOffset"/>: TOML offsets go to ±23:59 and fractions to any precision, which .NET types cannot
/// hold, and decoders must be able to print the value as written.
/// </summary>
public sealed class TomlDateTime : TomlValue
{
    private readonly string _source;
    private readonly int _start;
    private int _length;
    private TomlValueKind _kind;
    private string? _text;

    internal TomlDateTime(TomlValueKind kind, string source, int start, int length, int line, int column) : base(line, column)
    {
        _kind = kind;
        _source = source;
        _start = start;
        _length = length;
    }

    public override TomlValueKind Kind => _kind;

    /// <summary>Sets what the scanner found once it has read past the optional time and offset.</summary>
    internal void Complete(TomlValueKind kind, int length)
    {
        _kind = kind;
        _length = length;
    }

    /// <summary>The value exactly as written in the file (e.g. <c>1979-05-27 07:32:00z</c>).</summary>
    // Materialized on demand: lock files hold thousands of timestamps nobody prints.
    public string Text => _text ??= _source.Substring(_start, _length);

    public bool HasDate => Kind != TomlValueKind.LocalTime;
    public bool HasTime => Kind != TomlValueKind.LocalDate;

    public int Year { get; internal set; }
    public int Month { get; internal set; }
    public int Day { get; internal set; }
    public int Hour { get; internal set; }
    public int Minute { get; internal set; }
    public int Second { get; internal set; }

    /// <summary>Fractional second in nanoseconds (digits past the ninth are dropped).</summary>
    public int Nanosecond { get; internal set; }

    /// <summary>UTC offset in minutes, for <see cref="TomlValueKind.OffsetDateTime"/> only; null otherwise.</summary>
    public int? OffsetMinutes { get; internal set; }

    /// <summary>The instant; throws when the offset is beyond .NET's ±14:00 or the kind has no offset.</summary>
    public DateTimeOffset ToDateTimeOffset() =>
        OffsetMinutes is { } offset
            ? new DateTimeOffset(ToDateTime(), TimeSpan.FromMinutes(offset))
            : throw new InvalidOperationException($"A {TypeName} has no UTC offset.");

    /// <summary>The date and time without offset (unspecified kind); throws for a local time or local date.</summary>
    public DateTime ToDateTime() =>
        HasDate && HasTime
            ? new DateTime(Year, Month, Day, Hour, Minute, Second).AddTicks(Nanosecond / 100)
            : throw new InvalidOperationException($"A {TypeName} is not a date-time.");

    public DateOnly ToDateOnly() =>
        HasDate ? new DateOnly(Year, Month, Day) : throw new InvalidOperationException("A local time has no date.");

    public TimeOnly ToTimeOnly() =>
        HasTime
            ? new TimeOnly(Hour, Minute, Second).Add(TimeSpan.FromTicks(Nanosecond / 100))
            : throw new InvalidOperationException("A local date has no time.");

    public override string ToString() => Text;
}
