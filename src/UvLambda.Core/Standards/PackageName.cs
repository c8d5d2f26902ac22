namespace UvLambda.Core.Standards;

/// <summary>
/// PEP 503 project names: runs of <c>-</c>, <c>_</c>, <c>.</c> collapse to one <c>-</c> and case is ignored,
/// so <c>Foo.Bar_baz</c>, <c>foo-bar-baz</c> and <c>FOO__bar.BAZ</c> name the same project.
/// </summary>
public static class PackageName
{
    /// <summary>Compares and hashes names by their normalized form without allocating.</summary>
    public static readonly IEqualityComparer<string> Comparer = new NormalizedNameComparer();

    /// <summary>The PEP 503 normal form: lowercase, separator runs replaced by a single <c>-</c>.</summary>
    public static string Normalize(string name) => NormalizeWith(name, '-');

    /// <summary>
    /// The form wheel and dist-info names use (binary distribution format spec): normalized, with <c>_</c>
    /// for separators, e.g. <c>foo_bar</c> in <c>foo_bar-1.0.dist-info</c>.
    /// </summary>
    public static string ToWheelFileComponent(string name) => NormalizeWith(name, '_');

    /// <summary>True when both names normalize to the same PEP 503 name.</summary>
    public static bool AreEquivalent(string a, string b) => Comparer.Equals(a, b);

    /// <summary>True when <paramref name="name"/> is a valid PEP 508 name: ASCII letters/digits at both ends, <c>-_.</c> inside.</summary>
    public static bool IsValid(string name) => IsValid(name.AsSpan());

    internal static bool IsValid(ReadOnlySpan<char> name)
    {
        if (name.Length == 0 || !char.IsAsciiLetterOrDigit(name[0]) || !char.IsAsciiLetterOrDigit(name[^1]))
            return false;
        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && !IsSeparator(c))
                return false;
        }
        return true;
    }

    internal static bool IsSeparator(char c) => c is '-' or '_' or '.';

    private static string NormalizeWith(string name, char separator)
    {
        // Most names in a lock are already normal: return them as they are instead of copying.
        if (IsAlreadyNormal(name, separator))
            return name;
        return string.Create(NormalizedLength(name), (name, separator), static (span, state) =>
        {
            var n = 0;
            var previousWasSeparator = false;
            foreach (var c in state.name)
            {
                if (IsSeparator(c))
                {
                    if (!previousWasSeparator)
                        span[n++] = state.separator;
                    previousWasSeparator = true;
                }
                else
                {
                    span[n++] = char.ToLowerInvariant(c);
                    previousWasSeparator = false;
                }
            }
        });
    }

    private static bool IsAlreadyNormal(string name, char separator)
    {
        var previousWasSeparator = false;
        foreach (var c in name)
        {
            if (IsSeparator(c))
            {
                if (c != separator || previousWasSeparator)
                    return false;
                previousWasSeparator = true;
            }
            else
            {
                if (char.IsUpper(c))
                    return false;
                previousWasSeparator = false;
            }
        }
        return true;
    }

    private static int NormalizedLength(string name)
    {
        var length = 0;
        var previousWasSeparator = false;
        foreach (var c in name)
        {
            var separator = IsSeparator(c);
            if (!separator || !previousWasSeparator)
                length++;
            previousWasSeparator = separator;
        }
        return length;
    }

    private sealed class NormalizedNameComparer : IEqualityComparer<string>
    {
        public bool Equals(string? x, string? y)
        {
            if (ReferenceEquals(x, y))
                return true;
            if (x is null || y is null)
                return false;
            var i = 0;
            var j = 0;
            while (true)
            {
                var a = Next(x, ref i);
                var b = Next(y, ref j);
                if (a != b)
                    return false;
                if (a == '\0')
                    return true;
            }
        }

        public int GetHashCode(string name)
        {
            var hash = new HashCode();
            var i = 0;
            char c;
            while ((c = Next(name, ref i)) != '\0')
                hash.Add(c);
            return hash.ToHashCode();
        }

        // The next character of the normalized form, or '\0' at the end.
        private static char Next(string s, ref int i)
        {
            if (i >= s.Length)
                return '\0';
            var c = s[i++];
            if (!IsSeparator(c))
                return char.ToLowerInvariant(c);
            while (i < s.Length && IsSeparator(s[i]))
                i++;
            return '-';
        }
    }
}
