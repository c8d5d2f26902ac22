using System.Globalization;
using UvLambda.Core.Diagnostics;

namespace UvLambda.Core.Standards;

/// <summary>
/// A wheel file name, <c>{name}-{version}(-{build})?-{python}-{abi}-{platform}.whl</c>, where each tag part may be
/// a <c>.</c>-separated set (PEP 425 compressed tag sets), e.g.
/// <c>pydantic_core-2.27.2-cp313-cp313-manylinux_2_17_x86_64.manylinux2014_x86_64.whl</c>.
/// </summary>
public sealed class WheelFileName
{
    private WheelFileName(string fileName, string name, Pep440Version version, BuildTag? buildTag,
        string[] pythonTags, string[] abiTags, string[] platformTags)
    {
        FileName = fileName;
        Name = name;
        NormalizedName = PackageName.Normalize(name);
        Version = version;
        BuildTag = buildTag;
        PythonTagArray = pythonTags;
        AbiTagArray = abiTags;
        PlatformTagArray = platformTags;
    }

    // Arrays for the ranking loop: foreach over IReadOnlyList<T> would box an enumerator per wheel.
    internal string[] PythonTagArray { get; }
    internal string[] AbiTagArray { get; }
    internal string[] PlatformTagArray { get; }

    public string FileName { get; }

    /// <summary>The distribution name as it appears in the file name (escaped, e.g. <c>pydantic_core</c>).</summary>
    public string Name { get; }

    /// <summary>The PEP 503 name (<c>pydantic-core</c>).</summary>
    public string NormalizedName { get; }

    public Pep440Version Version { get; }

    public BuildTag? BuildTag { get; }

    public IReadOnlyList<string> PythonTags => PythonTagArray;

    public IReadOnlyList<string> AbiTags => AbiTagArray;

    public IReadOnlyList<string> PlatformTags => PlatformTagArray;

    /// <summary>Every tag the compressed sets expand to (python × abi × platform).</summary>
    public IEnumerable<WheelTag> Tags
    {
        get
        {
            foreach (var python in PythonTags)
                foreach (var abi in AbiTags)
                    foreach (var platform in PlatformTags)
                        yield return new WheelTag(python, abi, platform);
        }
    }

    public override string ToString() => FileName;

    /// <summary>Parses a file name (a path or URL is cut down to its last segment, percent-escapes decoded).</summary>
    public static WheelFileName Parse(string fileName) =>
        TryParse(fileName, out var wheel, out var error)
            ? wheel
            : throw new UvLambdaException(ErrorCodes.InvalidWheelFileName, $"'{fileName}' is not a valid wheel file name: {error}.");

    public static bool TryParse(string fileName, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out WheelFileName? wheel) =>
        TryParse(fileName, out wheel, out _);

    private static bool TryParse(string fileName, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out WheelFileName? wheel, out string error)
    {
        wheel = null;
        var file = fileName[(fileName.LastIndexOf('/') + 1)..];
        // Index URLs percent-encode the local-version '+' (torch-2.9.1%2Bcpu-...); '%' never occurs in a real wheel name.
        if (file.Contains('%'))
            file = Uri.UnescapeDataString(file);
        if (!file.EndsWith(".whl", StringComparison.OrdinalIgnoreCase))
        {
            error = "it does not end in .whl";
            return false;
        }
        var parts = file[..^4].Split('-');
        if (parts.Length is not (5 or 6))
        {
            error = "it needs name-version(-build)-python-abi-platform";
            return false;
        }
        var name = parts[0];
        // The name is escaped with '_' for '-', so it may hold letters, digits, '_' and '.' only.
        if (name.Length == 0 || name.Contains("__", StringComparison.Ordinal)
            || !name.All(c => char.IsLetterOrDigit(c) || c is '_' or '.'))
        {
            error = $"'{name}' is not a valid distribution name";
            return false;
        }
        if (!Pep440Version.TryParse(parts[1], out var version))
        {
            error = $"'{parts[1]}' is not a PEP 440 version";
            return false;
        }
        BuildTag? buildTag = null;
        if (parts.Length == 6)
        {
            var build = parts[2];
            var digits = 0;
            while (digits < build.Length && char.IsAsciiDigit(build[digits]))
                digits++;
            if (digits == 0 || !long.TryParse(build.AsSpan(0, digits), NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            {
                error = $"build tag '{build}' does not start with a number";
                return false;
            }
            buildTag = new BuildTag(number, build[digits..]);
        }
        var python = SplitTagSet(parts[^3]);
        var abi = SplitTagSet(parts[^2]);
        var platform = SplitTagSet(parts[^1]);
        if (python is null || abi is null || platform is null)
        {
            error = "a python, abi or platform tag is empty";
            return false;
        }
        wheel = new WheelFileName(file, name, version, buildTag, python, abi, platform);
        error = "";
        return true;
    }

    private static string[]? SplitTagSet(string part)
    {
        var tags = part.ToLowerInvariant().Split('.');
        return tags.Any(t => t.Length == 0) ? null : tags;
    }

    /// <summary>
    /// The distinct platform tags of some wheels, in first-seen order, for messages such as
    /// "wheels exist for: manylinux_2_28_x86_64, macosx_11_0_arm64".
    /// </summary>
    public static IReadOnlyList<string> DistinctPlatforms(IEnumerable<WheelFileName> wheels)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<string>();
        foreach (var wheel in wheels)
            foreach (var platform in wheel.PlatformTags)
                if (seen.Add(platform))
                    result.Add(platform);
        return result;
    }
}
