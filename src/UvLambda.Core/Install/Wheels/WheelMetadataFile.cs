namespace UvLambda.Core.Install.Wheels;

/// <summary>
/// The email-header files of a dist-info folder (<c>WHEEL</c>, <c>METADATA</c>): <c>Key: value</c> lines up to the
/// first blank line; continuation lines (starting with whitespace) belong to the previous value.
/// </summary>
public static class WheelMetadataFile
{
    /// <summary>The first value of <paramref name="key"/> (case-insensitive), or null.</summary>
    public static string? GetHeader(string text, string key)
    {
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length == 0)
                break;
            if (line[0] is ' ' or '\t')
                continue;
            var colon = line.IndexOf(':');
            if (colon > 0 && line.AsSpan(0, colon).Trim().Equals(key, StringComparison.OrdinalIgnoreCase))
                return line[(colon + 1)..].Trim();
        }
        return null;
    }
}
