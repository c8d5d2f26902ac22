using System.Collections;

namespace UvLambda.Core.Toml;

/// <summary>
/// A TOML array: either an inline <c>[ ... ]</c> value or the tables of an array of tables (<c>[[package]]</c>).
/// Elements may be of mixed types (since TOML 1.0).
/// </summary>
public sealed class TomlArray : TomlValue, IReadOnlyList<TomlValue>
{
    private readonly List<TomlValue> _items = new();

    internal TomlArray(int line, int column, bool isArrayOfTables) : base(line, column) => IsArrayOfTables = isArrayOfTables;

    /// <summary>True when built from <c>[[name]]</c> headers; such arrays only hold tables and stay open for more.</summary>
    public bool IsArrayOfTables { get; }

    public override TomlValueKind Kind => TomlValueKind.Array;
    public int Count => _items.Count;
    public TomlValue this[int index] => _items[index];

    internal void Add(TomlValue value) => _items.Add(value);

    // A struct enumerator keeps foreach over big lock files allocation-free.
    public List<TomlValue>.Enumerator GetEnumerator() => _items.GetEnumerator();
    IEnumerator<TomlValue> IEnumerable<TomlValue>.GetEnumerator() => _items.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => _items.GetEnumerator();
}
