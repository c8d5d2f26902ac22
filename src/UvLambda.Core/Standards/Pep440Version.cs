using System.Globalization;
using System.Text;
using UvLambda.Core.Diagnostics;

namespace UvLambda.Core.Standards;

/// <summary>Which kind of pre-release a version is, in PEP 440 order.</summary>
public enum PreReleaseKind
{
    Alpha,
    Beta,
    ReleaseCandidate,
}

/// <summary>
/// A PEP 440 version: <c>[N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local]</c>, parsed from any spelling PEP 440
/// accepts (<c>v1.0</c>, <c>1.0-1</c>, <c>1.0alpha2</c>, <c>1.0.RC1</c>, <c>1.0-dev</c>...). Equality and
/// ordering follow the spec (<c>1.0 == 1.0.0</c>; dev &lt; pre &lt; final &lt; post; a local version sorts
/// after its public one), and <see cref="ToString"/> gives the normalized spelling.
/// </summary>
public sealed class Pep440Version : IComparable<Pep440Version>, IEquatable<Pep440Version>
{
    private readonly long[] _release;
    private object[]? _localSegments;
    private string? _text;

    private Pep440Version(long epoch, long[] release, PreReleaseKind? preKind, long pre, long? post, long? dev, string? local)
    {
        Epoch = epoch;
        _release = release;
        PreKind = preKind;
        Pre = preKind is null ? null : pre;
        Post = post;
        Dev = dev;
        Local = local;
    }

    public long Epoch { get; }

    /// <summary>The release numbers as written (trailing zeros kept, so <c>1.0</c> has two).</summary>
    public IReadOnlyList<long> Release => _release;

    internal ReadOnlySpan<long> ReleaseSpan => _release;

    public PreReleaseKind? PreKind { get; }

    /// <summary>The pre-release number, when <see cref="PreKind"/> is set.</summary>
    public long? Pre { get; }

    public long? Post { get; }

    public long? Dev { get; }

    /// <summary>The normalized local label (after <c>+</c>, separators as <c>.</c>, lowercase), or null.</summary>
    public string? Local { get; }

    /// <summary>Pre-releases include dev releases, as in PEP 440 and <c>packaging</c>.</summary>
    public bool IsPreRelease => PreKind is not null || Dev is not null;

    public bool IsPostRelease => Post is not null;

    public bool IsDevRelease => Dev is not null;

    /// <summary>This version without its local label.</summary>
    public Pep440Version Public => Local is null ? this : new Pep440Version(Epoch, _release, PreKind, Pre ?? 0, Post, Dev, null);

    /// <summary>Only epoch and release (<c>1.2rc1.post3+x</c> → <c>1.2</c>).</summary>
    public Pep440Version BaseVersion =>
        PreKind is null && Post is null && Dev is null && Local is null ? this : new Pep440Version(Epoch, _release, null, 0, null, null, null);

    public static Pep440Version Parse(string text) =>
        TryParse(text, out var version)
            ? version
            : throw new UvLambdaException(ErrorCodes.InvalidVersion, $"'{text}' is not a valid PEP 440 version.");

    public static bool TryParse(string? text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Pep440Version? version)
    {
        version = text is null ? null : Scan(text.AsSpan().Trim(), allowWildcard: false, out _);
        return version is not null;
    }

    /// <summary>
    /// Scans a version; with <paramref name="allowWildcard"/> a trailing <c>.*</c> is accepted (and reported)
    /// for the <c>==</c>/<c>!=</c> prefix-match specifiers. Returns null when the text is not a version.
    /// </summary>
    internal static Pep440Version? Scan(ReadOnlySpan<char> s, bool allowWildcard, out bool wildcard)
    {
        wildcard = false;
        var i = 0;
        if (i < s.Length && (s[i] == 'v' || s[i] == 'V'))
            i++;
        if (!TryNumber(s, ref i, out var first))
            return null;
        long epoch = 0;
        if (i < s.Length && s[i] == '!')
        {
            epoch = first;
            i++;
            if (!TryNumber(s, ref i, out first))
                return null;
        }

        Span<long> releaseBuffer = stackalloc long[16];
        var releaseList = new List<long>(0);
        var count = 0;
        releaseBuffer[count++] = first;
        while (i + 1 < s.Length && s[i] == '.' && char.IsAsciiDigit(s[i + 1]))
        {
            i++;
            TryNumber(s, ref i, out var n);
            if (count < releaseBuffer.Length)
                releaseBuffer[count++] = n;
            else
            {
                if (releaseList.Count == 0)
                    releaseList.AddRange(releaseBuffer.ToArray());
                releaseList.Add(n);
                count++;
            }
        }
        var release = releaseList.Count > 0 ? releaseList.ToArray() : releaseBuffer[..count].ToArray();

        PreReleaseKind? preKind = null;
        long pre = 0;
        long? post = null;
        long? dev = null;
        string? local = null;

        // Pre-release: [-_.]? (alpha|a|beta|b|preview|pre|c|rc) [-_.]? N?
        var j = SkipSeparator(s, i);
        if (TryLabel(s, ref j, out var label, "alpha", "a", "beta", "b", "preview", "pre", "c", "rc"))
        {
            preKind = label switch
            {
                "alpha" or "a" => PreReleaseKind.Alpha,
                "beta" or "b" => PreReleaseKind.Beta,
                _ => PreReleaseKind.ReleaseCandidate,
            };
            pre = OptionalNumber(s, ref j) ?? 0;
            i = j;
        }

        // Post-release: -N (implicit) | [-_.]? (post|rev|r) [-_.]? N?
        if (i + 1 < s.Length && s[i] == '-' && char.IsAsciiDigit(s[i + 1]))
        {
            i++;
            TryNumber(s, ref i, out var n);
            post = n;
        }
        else
        {
            j = SkipSeparator(s, i);
            if (TryLabel(s, ref j, out _, "post", "rev", "r"))
            {
                post = OptionalNumber(s, ref j) ?? 0;
                i = j;
            }
        }

        // Dev release: [-_.]? dev [-_.]? N?
        j = SkipSeparator(s, i);
        if (TryLabel(s, ref j, out _, "dev"))
        {
            dev = OptionalNumber(s, ref j) ?? 0;
            i = j;
        }

        if (i < s.Length && s[i] == '+')
        {
            i++;
            var start = i;
            // [a-z0-9]+ ([-_.] [a-z0-9]+)*
            while (true)
            {
                var segmentStart = i;
                while (i < s.Length && char.IsAsciiLetterOrDigit(s[i]))
                    i++;
                if (i == segmentStart)
                    return null;
                if (i + 1 < s.Length && PackageName.IsSeparator(s[i]))
                    i++;
                else
                    break;
            }
            local = NormalizeLocal(s[start..i]);
        }
        else if (allowWildcard && dev is null && i + 2 == s.Length && s[i] == '.' && s[i + 1] == '*')
        {
            wildcard = true;
            i += 2;
        }

        return i == s.Length ? new Pep440Version(epoch, release, preKind, pre, post, dev, local) : null;
    }

    private static int SkipSeparator(ReadOnlySpan<char> s, int i) =>
        i < s.Length && PackageName.IsSeparator(s[i]) ? i + 1 : i;

    private static bool TryNumber(ReadOnlySpan<char> s, ref int i, out long value)
    {
        var start = i;
        while (i < s.Length && char.IsAsciiDigit(s[i]))
            i++;
        // Numbers beyond long are not versions anyone publishes; treating them as invalid keeps parsing simple.
        return long.TryParse(s[start..i], NumberStyles.None, CultureInfo.InvariantCulture, out value) && i > start;
    }

    // [-_.]? N?  — the separator is only consumed when a number follows it, so "1.0a.post1" still parses.
    private static long? OptionalNumber(ReadOnlySpan<char> s, ref int i)
    {
        var j = i;
        if (j < s.Length && PackageName.IsSeparator(s[j]))
            j++;
        if (j < s.Length && char.IsAsciiDigit(s[j]) && TryNumber(s, ref j, out var n))
        {
            i = j;
            return n;
        }
        return null;
    }

    // Tries the labels in order, like the PEP's regex alternation (so "alpha" wins over "a", "rc" is reached after "c" fails).
    private static bool TryLabel(ReadOnlySpan<char> s, ref int i, out string label, params string[] labels)
    {
        foreach (var candidate in labels)
        {
            if (s.Length - i >= candidate.Length && s.Slice(i, candidate.Length).Equals(candidate, StringComparison.OrdinalIgnoreCase))
            {
                i += candidate.Length;
                label = candidate;
                return true;
            }
        }
        label = "";
        return false;
    }

    private static string NormalizeLocal(ReadOnlySpan<char> local)
    {
        Span<char> buffer = local.Length <= 256 ? stackalloc char[local.Length] : new char[local.Length];
        for (var k = 0; k < local.Length; k++)
            buffer[k] = PackageName.IsSeparator(local[k]) ? '.' : char.ToLowerInvariant(local[k]);
        return new string(buffer);
    }

    public override string ToString() => _text ??= Format();

    private string Format()
    {
        var sb = new StringBuilder();
        if (Epoch != 0)
            sb.Append(Epoch).Append('!');
        for (var k = 0; k < _release.Length; k++)
        {
            if (k > 0)
                sb.Append('.');
            sb.Append(_release[k]);
        }
        if (PreKind is { } kind)
            sb.Append(kind switch { PreReleaseKind.Alpha => "a", PreReleaseKind.Beta => "b", _ => "rc" }).Append(Pre);
        if (Post is { } post)
            sb.Append(".post").Append(post);
        if (Dev is { } dev)
            sb.Append(".dev").Append(dev);
        if (Local is not null)
            sb.Append('+').Append(Local);
        return sb.ToString();
    }

    public int CompareTo(Pep440Version? other)
    {
        if (other is null)
            return 1;
        if (ReferenceEquals(this, other))
            return 0;
        var c = Epoch.CompareTo(other.Epoch);
        if (c != 0)
            return c;
        c = CompareRelease(_release, other._release);
        if (c != 0)
            return c;
        c = PreRank().CompareTo(other.PreRank());
        if (c != 0)
            return c;
        // Post: absent sorts before any post number.
        c = (Post ?? -1).CompareTo(other.Post ?? -1);
        if (c != 0)
            return c;
        // Dev: absent sorts after any dev number.
        c = (Dev ?? long.MaxValue).CompareTo(other.Dev ?? long.MaxValue);
        if (c != 0)
            return c;
        return CompareLocal(other);
    }

    /// <summary>Release numbers compared as if the shorter were padded with zeros.</summary>
    internal static int CompareRelease(ReadOnlySpan<long> a, ReadOnlySpan<long> b)
    {
        var n = Math.Max(a.Length, b.Length);
        for (var k = 0; k < n; k++)
        {
            var x = k < a.Length ? a[k] : 0;
            var y = k < b.Length ? b[k] : 0;
            if (x != y)
                return x.CompareTo(y);
        }
        return 0;
    }

    // (kind, number) folded into one sortable pair. A bare dev release (1.0.dev1) sorts before any pre-release
    // of the same release; a final or post release after all of them.
    private (int Kind, long Number) PreRank()
    {
        if (PreKind is { } kind)
            return ((int)kind, Pre ?? 0);
        if (Post is null && Dev is not null)
            return (-1, 0);
        return (int.MaxValue, 0);
    }

    private int CompareLocal(Pep440Version other)
    {
        if (Local is null || other.Local is null)
            return (Local is null ? 0 : 1) - (other.Local is null ? 0 : 1);
        var a = LocalSegments();
        var b = other.LocalSegments();
        for (var k = 0; k < Math.Min(a.Length, b.Length); k++)
        {
            var c = (a[k], b[k]) switch
            {
                // Numeric segments sort above alphanumeric ones; alphanumeric ones compare as strings.
                (long x, long y) => x.CompareTo(y),
                (long, string) => 1,
                (string, long) => -1,
                (string x, string y) => string.CompareOrdinal(x, y),
                _ => 0,
            };
            if (c != 0)
                return c;
        }
        return a.Length.CompareTo(b.Length);
    }

    private object[] LocalSegments() =>
        _localSegments ??= Local!.Split('.')
            .Select(p => long.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? (object)n : p)
            .ToArray();

    public bool Equals(Pep440Version? other) => other is not null && CompareTo(other) == 0;

    public override bool Equals(object? obj) => obj is Pep440Version other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Epoch);
        // Trailing zeros do not change equality, so they must not change the hash.
        var length = _release.Length;
        while (length > 1 && _release[length - 1] == 0)
            length--;
        for (var k = 0; k < length; k++)
            hash.Add(_release[k]);
        hash.Add(PreKind);
        hash.Add(Pre);
        hash.Add(Post);
        hash.Add(Dev);
        hash.Add(Local);
        return hash.ToHashCode();
    }

    public static bool operator ==(Pep440Version? a, Pep440Version? b) => a is null ? b is null : a.Equals(b);
    public static bool operator !=(Pep440Version? a, Pep440Version? b) => !(a == b);
    public static bool operator <(Pep440Version a, Pep440Version b) => a.CompareTo(b) < 0;
    public static bool operator >(Pep440Version a, Pep440Version b) => a.CompareTo(b) > 0;
    public static bool operator <=(Pep440Version a, Pep440Version b) => a.CompareTo(b) <= 0;
    public static bool operator >=(Pep440Version a, Pep440Version b) => a.CompareTo(b) >= 0;
}
