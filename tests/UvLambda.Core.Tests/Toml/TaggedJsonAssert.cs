using System.Globalization;
using System.Text.Json;
using UvLambda.Core.Toml;

namespace UvLambda.Core.Tests.Toml;

/// <summary>
/// Compares two toml-test tagged JSON documents by meaning, as toml-test does: key order is free, floats compare
/// by value (nan equals nan), date-times by their parsed value (offset date-times as instants).
/// </summary>
internal static class TaggedJsonAssert
{
    public static void Equal(string expectedJson, string actualJson)
    {
        using var expected = JsonDocument.Parse(expectedJson);
        using var actual = JsonDocument.Parse(actualJson);
        var difference = Compare(expected.RootElement, actual.RootElement, "$");
        if (difference is not null)
            Assert.Fail(difference + "\nactual JSON:\n" + actualJson);
    }

    private static string? Compare(JsonElement expected, JsonElement actual, string path)
    {
        if (expected.ValueKind != actual.ValueKind)
            return $"{path}: expected {expected.ValueKind}, got {actual.ValueKind}";
        if (expected.ValueKind == JsonValueKind.Array)
        {
            var e = expected.EnumerateArray().ToList();
            var a = actual.EnumerateArray().ToList();
            if (e.Count != a.Count)
                return $"{path}: expected {e.Count} elements, got {a.Count}";
            for (var i = 0; i < e.Count; i++)
            {
                if (Compare(e[i], a[i], $"{path}[{i}]") is { } d)
                    return d;
            }
            return null;
        }
        if (expected.ValueKind != JsonValueKind.Object)
            return $"{path}: unexpected JSON {expected.ValueKind}";
        if (IsTagged(expected))
            return IsTagged(actual) ? CompareScalar(expected, actual, path) : $"{path}: expected a scalar, got a table";

        var expectedKeys = expected.EnumerateObject().Select(p => p.Name).OrderBy(k => k, StringComparer.Ordinal).ToList();
        var actualKeys = actual.EnumerateObject().Select(p => p.Name).OrderBy(k => k, StringComparer.Ordinal).ToList();
        if (!expectedKeys.SequenceEqual(actualKeys))
            return $"{path}: expected keys [{string.Join(", ", expectedKeys)}], got [{string.Join(", ", actualKeys)}]";
        foreach (var key in expectedKeys)
        {
            if (Compare(expected.GetProperty(key), actual.GetProperty(key), $"{path}.{key}") is { } d)
                return d;
        }
        return null;
    }

    private static bool IsTagged(JsonElement e) =>
        e.ValueKind == JsonValueKind.Object
        && e.EnumerateObject().Count() == 2
        && e.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String
        && e.TryGetProperty("value", out var v) && v.ValueKind == JsonValueKind.String;

    private static string? CompareScalar(JsonElement expected, JsonElement actual, string path)
    {
        var type = expected.GetProperty("type").GetString()!;
        var actualType = actual.GetProperty("type").GetString()!;
        var e = expected.GetProperty("value").GetString()!;
        var a = actual.GetProperty("value").GetString()!;
        if (type != actualType)
            return $"{path}: expected type {type}, got {actualType} ({a})";
        var equal = type switch
        {
            "float" => FloatEquals(ParseFloat(e), ParseFloat(a)),
            "integer" => long.Parse(e, CultureInfo.InvariantCulture) == long.Parse(a, CultureInfo.InvariantCulture),
            "datetime" or "datetime-local" or "date-local" or "time-local" => DateTimeKey(e) == DateTimeKey(a),
            _ => e == a,
        };
        return equal ? null : $"{path}: expected {type} '{e}', got '{a}'";
    }

    private static double ParseFloat(string s) => s switch
    {
        "inf" or "+inf" => double.PositiveInfinity,
        "-inf" => double.NegativeInfinity,
        "nan" or "+nan" or "-nan" => double.NaN,
        _ => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture),
    };

    private static bool FloatEquals(double x, double y) => (double.IsNaN(x) && double.IsNaN(y)) || x == y;

    /// <summary>A comparable form of a date-time string, parsed with the reader itself (it accepts every RFC 3339 form toml-test writes).</summary>
    private static string DateTimeKey(string text)
    {
        var dt = (TomlDateTime)TomlDocument.Parse("v = " + text)["v"];
        if (dt.OffsetMinutes is { } offset)
        {
            // Same instant, whatever the offset: shift to UTC by whole minutes.
            var utc = new DateTime(dt.Year, dt.Month, dt.Day, dt.Hour, dt.Minute, dt.Second).AddMinutes(-offset);
            return $"{utc:yyyy-MM-ddTHH:mm:ss}.{dt.Nanosecond:D9}Z";
        }
        return $"{dt.Kind}|{dt.Year}-{dt.Month}-{dt.Day}|{dt.Hour}:{dt.Minute}:{dt.Second}.{dt.Nanosecond:D9}";
    }
}
