using UvLambda.Core.Diagnostics;

namespace UvLambda.Core.Standards;

/// <summary>A comma-separated list of <see cref="VersionSpecifier"/>s, all of which must hold; empty matches everything.</summary>
public sealed class VersionSpecifierSet
{
    public static readonly VersionSpecifierSet Any = new([]);

    public VersionSpecifierSet(IReadOnlyList<VersionSpecifier> specifiers) => Specifiers = specifiers;

    public IReadOnlyList<VersionSpecifier> Specifiers { get; }

    public bool IsEmpty => Specifiers.Count == 0;

    /// <summary>True when a specifier names a pre-release, which PEP 440 takes as opting in to pre-releases.</summary>
    public bool MentionsPreRelease => Specifiers.Any(s => s.Version?.IsPreRelease == true);

    public static VersionSpecifierSet Parse(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
            return Any;
        var parts = text.Split(',');
        var specifiers = new VersionSpecifier[parts.Length];
        for (var k = 0; k < parts.Length; k++)
        {
            if (!VersionSpecifier.TryParse(parts[k], out var specifier, out var error))
                throw new UvLambdaException(ErrorCodes.InvalidVersionSpecifier,
                    $"'{text.Trim()}' is not a valid PEP 440 version specifier list: '{parts[k].Trim()}': {error}");
            specifiers[k] = specifier;
        }
        return new VersionSpecifierSet(specifiers);
    }

    /// <summary>Whether every specifier matches; see <see cref="VersionSpecifier.Contains"/> about pre-releases.</summary>
    public bool Contains(Pep440Version version)
    {
        foreach (var specifier in Specifiers)
        {
            if (!specifier.Contains(version))
                return false;
        }
        return true;
    }

    /// <summary>
    /// PEP 440's default policy on top of matching: pre-releases are excluded unless
    /// <paramref name="allowPreReleases"/> or a specifier itself names a pre-release.
    /// </summary>
    public bool Contains(Pep440Version version, bool allowPreReleases) =>
        (allowPreReleases || !version.IsPreRelease || MentionsPreRelease) && Contains(version);

    public override string ToString() => string.Join(",", Specifiers.Select(s => s.Text));
}
