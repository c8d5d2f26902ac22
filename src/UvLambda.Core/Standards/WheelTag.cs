namespace UvLambda.Core.Standards;

/// <summary>One PEP 425 compatibility tag: interpreter, ABI and platform, e.g. <c>cp313-abi3-manylinux_2_17_x86_64</c>.</summary>
public readonly record struct WheelTag(string Interpreter, string Abi, string Platform)
{
    public override string ToString() => $"{Interpreter}-{Abi}-{Platform}";

    public static WheelTag Parse(string text)
    {
        var parts = text.Split('-');
        if (parts.Length != 3 || parts.Any(p => p.Length == 0))
            throw new FormatException($"'{text}' is not an interpreter-abi-platform tag.");
        return new WheelTag(parts[0], parts[1], parts[2]);
    }
}

/// <summary>
/// A wheel's optional build tag: a number then an optional string (<c>1</c>, <c>2b</c>). Ordered by the
/// number, then the string; any build tag sorts above none (as in packaging's wheel sort key).
/// </summary>
public readonly record struct BuildTag(long Number, string Suffix) : IComparable<BuildTag>
{
    public int CompareTo(BuildTag other)
    {
        var c = Number.CompareTo(other.Number);
        return c != 0 ? c : string.CompareOrdinal(Suffix, other.Suffix);
    }

    public override string ToString() => $"{Number}{Suffix}";
}
