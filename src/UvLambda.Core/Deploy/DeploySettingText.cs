using System.Globalization;
using UvLambda.Core.Diagnostics;

namespace UvLambda.Core.Deploy;

/// <summary>
/// Deploy settings as MSBuild passes them (strings, items) read into <see cref="DeploySettings"/> values, with the
/// coded error naming the property for anything malformed (whole numbers, booleans, decimals, ;-lists, duplicate keys).
/// </summary>
public sealed class DeploySettingText(string? projectFile)
{
    public static string? Empty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    public static List<string> List(string? value) =>
        (value ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();

    public int? Number(string? value, string property)
    {
        if (Empty(value) is not { } text) return null;
        if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)) return n;
        throw new UvLambdaException(ErrorCodes.DeployInvalidSetting, $"{property} '{text}' is not a whole number.", projectFile);
    }

    public bool Bool(string? value, string property) => Empty(value)?.ToLowerInvariant() switch
    {
        null or "false" => false,
        "true" => true,
        var text => throw new UvLambdaException(ErrorCodes.DeployInvalidSetting, $"{property} '{text}' is not true or false.", projectFile),
    };

    public double? Decimal(string? value, string property)
    {
        if (Empty(value) is not { } text) return null;
        if (double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n)) return n;
        throw new UvLambdaException(ErrorCodes.DeployInvalidSetting, $"{property} '{text}' is not a number.", projectFile);
    }

    /// <summary>LambdaTag items (key, Value): each key once.</summary>
    public Dictionary<string, string> Tags(IEnumerable<(string Key, string Value)> items)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in items)
            if (!tags.TryAdd(key.Trim(), value))
                throw new UvLambdaException(ErrorCodes.DeployInvalidTag, $"LambdaTag '{key}' is declared twice. Keep one item per key.", projectFile);
        return tags;
    }

    /// <summary>LambdaEnvironmentVariable items (name, Value): each name once; none declared is null (left as deployed).</summary>
    public Dictionary<string, string>? EnvironmentVariables(IReadOnlyCollection<(string Name, string Value)> items)
    {
        if (items.Count == 0) return null;
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in items)
            if (!environment.TryAdd(name, value))
                throw new UvLambdaException(ErrorCodes.DeployInvalidEnvironmentVariable,
                    $"LambdaEnvironmentVariable '{name}' is defined twice. Keep one item per name.", projectFile);
        return environment;
    }
}
