using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using UvLambda.Core.Toml;

namespace UvLambda.TomlDecoder;

/// <summary>Writes a parsed document in toml-test's tagged JSON: every scalar becomes {"type": ..., "value": ...}.</summary>
public static class TaggedJson
{
    private static readonly JsonWriterOptions Options = new()
    {
        Indented = true,
        // Keep non-ASCII readable; toml-test parses the JSON anyway.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string FromTable(TomlTable table)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, Options))
            Write(writer, table);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    public static void Write(Utf8JsonWriter writer, TomlValue value)
    {
        switch (value)
        {
            case TomlTable table:
                writer.WriteStartObject();
                foreach (var entry in table.Entries)
                {
                    writer.WritePropertyName(entry.Key);
                    Write(writer, entry.Value);
                }
                writer.WriteEndObject();
                return;
            case TomlArray array:
                writer.WriteStartArray();
                foreach (var item in array)
                    Write(writer, item);
                writer.WriteEndArray();
                return;
            case TomlString s:
                WriteTagged(writer, "string", s.Value);
                return;
            case TomlInteger i:
                WriteTagged(writer, "integer", i.Value.ToString(CultureInfo.InvariantCulture));
                return;
            case TomlFloat f:
                WriteTagged(writer, "float", FormatFloat(f.Value));
                return;
            case TomlBoolean b:
                WriteTagged(writer, "bool", b.Value ? "true" : "false");
                return;
            case TomlDateTime dt:
                WriteTagged(writer, DateTimeType(dt.Kind), NormalizeDateTime(dt.Text));
                return;
            default:
                throw new ArgumentOutOfRangeException(nameof(value), value.Kind, "Unknown TOML value.");
        }
    }

    public static string DateTimeType(TomlValueKind kind) => kind switch
    {
        TomlValueKind.OffsetDateTime => "datetime",
        TomlValueKind.LocalDateTime => "datetime-local",
        TomlValueKind.LocalDate => "date-local",
        _ => "time-local",
    };

    private static string FormatFloat(double value) =>
        double.IsNaN(value) ? "nan"
        : double.IsPositiveInfinity(value) ? "inf"
        : double.IsNegativeInfinity(value) ? "-inf"
        : value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>
    /// RFC 3339 spelling: 'T' separator, upper-case 'Z' and explicit seconds (TOML 1.1 lets a file leave them out),
    /// as toml-test's fixtures write them.
    /// </summary>
    private static string NormalizeDateTime(string text)
    {
        if (text.Length > 10 && (text[10] == ' ' || text[10] == 't'))
            text = string.Concat(text.AsSpan(0, 10), "T", text.AsSpan(11));
        // The time starts at 0 (local time) or after the date's 'T'; HH:MM not followed by ':' has no seconds.
        var time = text.Length > 10 && text[10] == 'T' ? 11 : text.Length >= 5 && text[2] == ':' ? 0 : -1;
        if (time >= 0 && (text.Length == time + 5 || text[time + 5] != ':'))
            text = string.Concat(text.AsSpan(0, time + 5), ":00", text.AsSpan(time + 5));
        return text.Replace('z', 'Z');
    }

    private static void WriteTagged(Utf8JsonWriter writer, string type, string value)
    {
        writer.WriteStartObject();
        writer.WriteString("type", type);
        writer.WriteString("value", value);
        writer.WriteEndObject();
    }
}
