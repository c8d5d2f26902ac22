using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace UvLambda.Core.Toml;

/// <summary>One key of a table: its name, value and where the key itself was written.</summary>
public readonly record struct TomlEntry(string Key, TomlValue Value, int Line, int Column);

/// <summary>
/// A TOML table: string keys in the order they were written. Lookups are by ordinal key. The root of a document,
/// <c>[headers]</c>, dotted keys, inline tables and the elements of <c>[[arrays]]</c> are all tables.
/// </summary>
public sealed class TomlTable : TomlValue, IReadOnlyDictionary<string, TomlValue>
{
    // Most tables in a uv.lock are small inline tables ({ name = "x" }); scanning a few entries beats hashing,
    // so the dictionary is only built once a table grows past this.
    private const int IndexThreshold = 8;

    private TomlEntry[] _entries = Array.Empty<TomlEntry>();
    private int _count;
    private Dictionary<string, int>? _index;

    internal TomlTable(int line, int column, TomlTableState state) : base(line, column) => State = state;

    /// <summary>How the table came to be; drives TOML's rules about what may define or extend it later.</summary>
    internal TomlTableState State { get; set; }

    /// <summary>The section (header or inline table) in which dotted keys created it; dotted keys may only extend it there.</summary>
    internal int Section { get; set; }

    public override TomlValueKind Kind => TomlValueKind.Table;
    public int Count => _count;

    /// <summary>True for <c>{ ... }</c> tables, which TOML freezes once written.</summary>
    public bool IsInline => State == TomlTableState.Inline;

    /// <summary>The entries in document order, with key positions.</summary>
    public ReadOnlySpan<TomlEntry> Entries => _entries.AsSpan(0, _count);

    public IEnumerable<string> Keys
    {
        get
        {
            for (var i = 0; i < _count; i++)
                yield return _entries[i].Key;
        }
    }

    public IEnumerable<TomlValue> Values
    {
        get
        {
            for (var i = 0; i < _count; i++)
                yield return _entries[i].Value;
        }
    }

    /// <summary>The value of <paramref name="key"/>; throws <see cref="KeyNotFoundException"/> when absent.</summary>
    public TomlValue this[string key] =>
        TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"The table has no key '{key}'.");

    public bool ContainsKey(string key) => IndexOf(key) >= 0;

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out TomlValue value)
    {
        var i = IndexOf(key);
        if (i < 0)
        {
            value = null;
            return false;
        }
        value = _entries[i].Value;
        return true;
    }

    /// <summary>The entry (value and key position) for <paramref name="key"/>.</summary>
    public bool TryGetEntry(string key, out TomlEntry entry)
    {
        var i = IndexOf(key);
        entry = i < 0 ? default : _entries[i];
        return i >= 0;
    }

    /// <summary>The string at <paramref name="key"/>, or null when the key is absent or holds another type.</summary>
    public string? GetString(string key) => TryGetValue(key, out var v) && v is TomlString s ? s.Value : null;

    public bool TryGetString(string key, [NotNullWhen(true)] out string? value)
    {
        value = GetString(key);
        return value is not null;
    }

    public bool TryGetInteger(string key, out long value)
    {
        var found = TryGetValue(key, out var v) && v is TomlInteger;
        value = found ? ((TomlInteger)v!).Value : 0;
        return found;
    }

    public bool TryGetBoolean(string key, out bool value)
    {
        var found = TryGetValue(key, out var v) && v is TomlBoolean;
        value = found && ((TomlBoolean)v!).Value;
        return found;
    }

    public bool TryGetTable(string key, [NotNullWhen(true)] out TomlTable? value)
    {
        value = TryGetValue(key, out var v) ? v as TomlTable : null;
        return value is not null;
    }

    public bool TryGetArray(string key, [NotNullWhen(true)] out TomlArray? value)
    {
        value = TryGetValue(key, out var v) ? v as TomlArray : null;
        return value is not null;
    }

    public Enumerator GetEnumerator() => new(this);
    IEnumerator<KeyValuePair<string, TomlValue>> IEnumerable<KeyValuePair<string, TomlValue>>.GetEnumerator() => GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    internal void Add(string key, TomlValue value, int line, int column)
    {
        if (_count == _entries.Length)
            Array.Resize(ref _entries, _count == 0 ? 4 : _count * 2);
        _entries[_count] = new TomlEntry(key, value, line, column);
        if (_index is not null)
            _index.Add(key, _count);
        else if (_count == IndexThreshold)
        {
            _index = new Dictionary<string, int>(_count * 2, StringComparer.Ordinal);
            for (var i = 0; i <= _count; i++)
                _index.Add(_entries[i].Key, i);
        }
        _count++;
    }

    private int IndexOf(string key)
    {
        if (_index is not null)
            return _index.TryGetValue(key, out var i) ? i : -1;
        for (var i = 0; i < _count; i++)
        {
            if (string.Equals(_entries[i].Key, key, StringComparison.Ordinal))
                return i;
        }
        return -1;
    }

    /// <summary>Allocation-free enumeration of key/value pairs in document order.</summary>
    public struct Enumerator : IEnumerator<KeyValuePair<string, TomlValue>>
    {
        private readonly TomlTable _table;
        private int _i;

        internal Enumerator(TomlTable table)
        {
            _table = table;
            _i = -1;
        }

        public readonly KeyValuePair<string, TomlValue> Current
        {
            get
            {
                ref readonly var e = ref _table._entries[_i];
                return new KeyValuePair<string, TomlValue>(e.Key, e.Value);
            }
        }

        readonly object IEnumerator.Current => Current;
        public bool MoveNext() => ++_i < _table._count;
        public void Reset() => _i = -1;
        public readonly void Dispose() { }
    }
}

/// <summary>How a table was created, for TOML's redefinition rules.</summary>
internal enum TomlTableState
{
    /// <summary>Created as a parent by a header such as <c>[a.b.c]</c> (for <c>a</c>, <c>a.b</c>); <c>[a]</c> may still define it.</summary>
    Implicit,

    /// <summary>Defined by its own <c>[header]</c> or as an element of <c>[[array]]</c>.</summary>
    Header,

    /// <summary>Created by dotted keys (<c>a.b = 1</c>); only dotted keys of the same section may extend it.</summary>
    Dotted,

    /// <summary>Written as <c>{ ... }</c>; frozen.</summary>
    Inline,
}
