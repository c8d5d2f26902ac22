using UvLambda.Core.Diagnostics;

namespace UvLambda.Core.Standards;

/// <summary>
/// A PEP 508 dependency specification: <c>name[extra1,extra2] (&gt;=1.0,&lt;2) ; marker</c> or
/// <c>name[extras] @ url ; marker</c>.
/// </summary>
public sealed class Requirement
{
    private Requirement(string name, IReadOnlyList<string> extras, VersionSpecifierSet specifiers, string? url, Marker? marker)
    {
        Name = name;
        NormalizedName = PackageName.Normalize(name);
        Extras = extras;
        Specifiers = specifiers;
        Url = url;
        Marker = marker;
    }

    /// <summary>The name as written.</summary>
    public string Name { get; }

    public string NormalizedName { get; }

    /// <summary>Requested extras, normalized, in the order written.</summary>
    public IReadOnlyList<string> Extras { get; }

    /// <summary>Version constraints; empty for URL requirements and bare names.</summary>
    public VersionSpecifierSet Specifiers { get; }

    /// <summary>The direct reference after <c>@</c>, if any.</summary>
    public string? Url { get; }

    public Marker? Marker { get; }

    public static Requirement Parse(string text)
    {
        var s = text.AsSpan();
        var i = 0;
        SkipWhitespace(s, ref i);
        var nameStart = i;
        while (i < s.Length && (char.IsAsciiLetterOrDigit(s[i]) || PackageName.IsSeparator(s[i])))
            i++;
        var name = s[nameStart..i];
        if (!PackageName.IsValid(name))
            throw Error(text, name.IsEmpty ? "it does not start with a package name" : $"'{name}' is not a valid package name");
        SkipWhitespace(s, ref i);

        IReadOnlyList<string> extras = [];
        if (i < s.Length && s[i] == '[')
        {
            var close = s[i..].IndexOf(']');
            if (close < 0)
                throw Error(text, "'[' without ']'");
            var list = new List<string>();
            var content = s.Slice(i + 1, close - 1).Trim();
            // "name[]" names no extras.
            foreach (var part in content.IsEmpty ? [] : content.ToString().Split(','))
            {
                var extra = part.Trim();
                if (!PackageName.IsValid(extra))
                    throw Error(text, $"'{extra}' is not a valid extra name");
                list.Add(PackageName.Normalize(extra));
            }
            extras = list;
            i += close + 1;
            SkipWhitespace(s, ref i);
        }

        string? url = null;
        var specifiers = VersionSpecifierSet.Any;
        if (i < s.Length && s[i] == '@')
        {
            i++;
            SkipWhitespace(s, ref i);
            var urlStart = i;
            // A URL may contain ';', so the marker separator after a URL must follow whitespace.
            while (i < s.Length && !char.IsWhiteSpace(s[i]))
                i++;
            if (i == urlStart)
                throw Error(text, "'@' without a URL");
            url = s[urlStart..i].ToString();
            SkipWhitespace(s, ref i);
        }
        else
        {
            var end = s[i..].IndexOf(';');
            var specText = (end < 0 ? s[i..] : s.Slice(i, end)).Trim();
            if (specText.Length > 0 && specText[0] == '(')
            {
                if (specText[^1] != ')')
                    throw Error(text, "'(' without ')'");
                specText = specText[1..^1];
            }
            if (!specText.Trim().IsEmpty)
            {
                try
                {
                    specifiers = VersionSpecifierSet.Parse(specText.ToString());
                }
                catch (UvLambdaException e)
                {
                    throw new UvLambdaException(ErrorCodes.InvalidRequirement, $"'{text.Trim()}' is not a valid PEP 508 requirement: {e.Message}");
                }
            }
            i = end < 0 ? s.Length : i + end;
        }

        Marker? marker = null;
        if (i < s.Length)
        {
            if (s[i] != ';')
                throw Error(text, $"unexpected '{s[i..]}'");
            var markerText = s[(i + 1)..].Trim().ToString();
            if (markerText.Length == 0)
                throw Error(text, "';' without a marker");
            marker = Marker.Parse(markerText);
        }
        return new Requirement(name.ToString(), extras, specifiers, url, marker);
    }

    private static void SkipWhitespace(ReadOnlySpan<char> s, ref int i)
    {
        while (i < s.Length && char.IsWhiteSpace(s[i]))
            i++;
    }

    private static UvLambdaException Error(string text, string reason) =>
        new(ErrorCodes.InvalidRequirement, $"'{text.Trim()}' is not a valid PEP 508 requirement: {reason}.");

    public override string ToString()
    {
        var extras = Extras.Count > 0 ? $"[{string.Join(",", Extras)}]" : "";
        var version = Url is not null ? $" @ {Url}" : Specifiers.ToString();
        var marker = Marker is not null ? $"{(Url is not null ? " " : "")}; {Marker}" : "";
        return $"{Name}{extras}{version}{marker}";
    }
}
