using UvLambda.Core.Diagnostics;

namespace UvLambda.Core.Toml;

/// <summary>
/// Typed reads of a TOML document's fields that fail with one coded error at the offending value's position
/// (e.g. <c>uv.lock(12,9): error UVL1302: 'version' must be a string</c>).
/// </summary>
public sealed class TomlFieldReader(string file, string errorCode)
{
    public string File { get; } = file;

    public UvLambdaException Error(TomlValue at, string message) => new(errorCode, message, File, at.Line, at.Column);

    public string RequireString(TomlTable table, string key, string where)
    {
        if (!table.TryGetValue(key, out var value))
            throw Error(table, $"{where} has no '{key}'.");
        return value as TomlString is { } s ? s.Value : throw Error(value, $"'{key}' of {where} must be a string, not {value.TypeName}.");
    }

    public string? OptionalString(TomlTable table, string key, string where)
    {
        if (!table.TryGetValue(key, out var value)) return null;
        return value is TomlString s ? s.Value : throw Error(value, $"'{key}' of {where} must be a string, not {value.TypeName}.");
    }

    public long? OptionalInteger(TomlTable table, string key, string where)
    {
        if (!table.TryGetValue(key, out var value)) return null;
        return value is TomlInteger i ? i.Value : throw Error(value, $"'{key}' of {where} must be an integer, not {value.TypeName}.");
    }

    public bool? OptionalBoolean(TomlTable table, string key, string where)
    {
        if (!table.TryGetValue(key, out var value)) return null;
        return value is TomlBoolean b ? b.Value : throw Error(value, $"'{key}' of {where} must be true or false, not {value.TypeName}.");
    }

    public TomlTable? OptionalTable(TomlTable table, string key, string where)
    {
        if (!table.TryGetValue(key, out var value)) return null;
        return value as TomlTable ?? throw Error(value, $"'{key}' of {where} must be a table, not {value.TypeName}.");
    }

    public TomlArray? OptionalArray(TomlTable table, string key, string where)
    {
        if (!table.TryGetValue(key, out var value)) return null;
        return value as TomlArray ?? throw Error(value, $"'{key}' of {where} must be an array, not {value.TypeName}.");
    }

    /// <summary>The tables of an array (of tables or of inline tables).</summary>
    public IEnumerable<TomlTable> Tables(TomlArray? array, string where)
    {
        if (array is null) yield break;
        foreach (var item in array)
            yield return item as TomlTable ?? throw Error(item, $"each entry of {where} must be a table, not {item.TypeName}.");
    }

    public IReadOnlyList<string> Strings(TomlArray? array, string where)
    {
        if (array is null) return [];
        var result = new List<string>(array.Count);
        foreach (var item in array)
            result.Add(item is TomlString s ? s.Value : throw Error(item, $"each entry of {where} must be a string, not {item.TypeName}."));
        return result;
    }
}
