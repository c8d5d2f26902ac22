using System.Text;

namespace UvLambda.Core.Install.Wheels;

/// <summary>One row of a RECORD file: path, optional <c>algo=digest</c>, optional size.</summary>
public sealed record WheelRecordRow(string Path, string? HashAlgorithm, string? Digest, long? Size);

/// <summary>
/// RECORD files (PEP 376/427): CSV as Python's <c>csv</c> module writes it (comma, <c>"</c> quoting with doubled
/// quotes), rows of path, <c>sha256=urlsafe-base64-without-padding</c> and size.
/// </summary>
public static class WheelRecord
{
    /// <summary>Parses RECORD text; returns null with a reason when a row is malformed.</summary>
    public static IReadOnlyList<WheelRecordRow>? TryParse(string text, out string error)
    {
        var rows = new List<WheelRecordRow>();
        var lineNumber = 0;
        foreach (var fields in ReadCsv(text))
        {
            lineNumber++;
            if (fields.Count == 1 && fields[0].Length == 0)
                continue;
            if (fields.Count is < 1 or > 3 || fields[0].Length == 0)
            {
                error = $"row {lineNumber} does not have the form path,hash,size";
                return null;
            }
            string? algorithm = null, digest = null;
            long? size = null;
            var hash = fields.Count > 1 ? fields[1] : "";
            if (hash.Length > 0)
            {
                var eq = hash.IndexOf('=');
                if (eq <= 0)
                {
                    error = $"row {lineNumber} has hash '{hash}', not algorithm=digest";
                    return null;
                }
                algorithm = hash[..eq];
                digest = hash[(eq + 1)..].TrimEnd('=');
            }
            var sizeText = fields.Count > 2 ? fields[2] : "";
            if (sizeText.Length > 0)
            {
                if (!long.TryParse(sizeText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var parsed))
                {
                    error = $"row {lineNumber} has size '{sizeText}', not a number";
                    return null;
                }
                size = parsed;
            }
            rows.Add(new WheelRecordRow(fields[0], algorithm, digest, size));
        }
        error = "";
        return rows;
    }

    /// <summary>RECORD text for the given rows, in the given order, with '\n' line ends.</summary>
    public static string Format(IEnumerable<WheelRecordRow> rows)
    {
        var text = new StringBuilder();
        foreach (var row in rows)
        {
            AppendField(text, row.Path);
            text.Append(',');
            if (row.HashAlgorithm is not null)
                text.Append(row.HashAlgorithm).Append('=').Append(row.Digest);
            text.Append(',');
            if (row.Size is { } size)
                text.Append(size.ToString(System.Globalization.CultureInfo.InvariantCulture));
            text.Append('\n');
        }
        return text.ToString();
    }

    /// <summary>A digest in RECORD's spelling: urlsafe base64 without '=' padding.</summary>
    public static string EncodeDigest(ReadOnlySpan<byte> digest) =>
        Convert.ToBase64String(digest).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static void AppendField(StringBuilder text, string field)
    {
        if (field.AsSpan().IndexOfAny(",\"\r\n") < 0)
        {
            text.Append(field);
            return;
        }
        text.Append('"').Append(field.Replace("\"", "\"\"")).Append('"');
    }

    private static IEnumerable<List<string>> ReadCsv(string text)
    {
        var i = 0;
        while (i < text.Length)
        {
            var fields = new List<string>();
            var field = new StringBuilder();
            var quoted = false;
            while (i < text.Length)
            {
                var c = text[i++];
                if (quoted)
                {
                    if (c == '"')
                    {
                        if (i < text.Length && text[i] == '"')
                        {
                            field.Append('"');
                            i++;
                        }
                        else
                            quoted = false;
                    }
                    else
                        field.Append(c);
                }
                else if (c == '"')
                    quoted = true;
                else if (c == ',')
                {
                    fields.Add(field.ToString());
                    field.Clear();
                }
                else if (c == '\r' || c == '\n')
                {
                    if (c == '\r' && i < text.Length && text[i] == '\n')
                        i++;
                    break;
                }
                else
                    field.Append(c);
            }
            fields.Add(field.ToString());
            yield return fields;
        }
    }
}
