namespace UvLambda.Core.Standards;

/// <summary>
/// The wheel tags a CPython X.Y interpreter on a manylinux target accepts, in priority order, exactly as
/// <c>packaging.tags.sys_tags()</c> lists them (<c>cpython_tags</c> then <c>compatible_tags</c>):
/// <list type="number">
/// <item><c>cpXY-cpXY-{platform}</c>, <c>cpXY-abi3-{platform}</c>, <c>cpXY-none-{platform}</c>;</item>
/// <item><c>cp3W-abi3-{platform}</c> for W from Y-1 down to 2;</item>
/// <item><c>{py3Y, py3, py3(Y-1), ..., py30}-none-{platform}</c>;</item>
/// <item><c>cpXY-none-any</c>, then <c>{py3Y, py3, ..., py30}-none-any</c>.</item>
/// </list>
/// Platforms run from <c>manylinux_2_G</c> down to <c>manylinux_2_17</c> (x86_64: down to <c>manylinux_2_5</c>), each
/// legacy alias right after its glibc (<c>manylinux2014</c> = 2.17, <c>manylinux2010</c> = 2.12, <c>manylinux1</c> = 2.5),
/// then <c>linux_{arch}</c> only when asked for: a <c>linux_*</c> wheel is built for one machine and must never reach Lambda.
/// musllinux, macOS, Windows and free-threaded (<c>cp313t</c>) tags are never accepted.
/// </summary>
public sealed class TargetTags
{
    private readonly Dictionary<WheelTag, int> _rank;

    // Most wheels in a lock are for other platforms (macOS, Windows, musllinux...): one lookup turns them away.
    private readonly HashSet<string> _platforms;

    public TargetTags(int pythonMinor, PythonPlatform platform, bool includeLinuxPlatform = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(pythonMinor);
        PythonMinor = pythonMinor;
        Platform = platform;
        var platforms = PlatformTags(platform, includeLinuxPlatform);
        var tags = new List<WheelTag>(platforms.Count * (3 * pythonMinor + 6) + pythonMinor + 3);
        var cp = $"cp3{pythonMinor}";

        foreach (var abi in new[] { cp, "abi3", "none" })
            foreach (var p in platforms)
                tags.Add(new WheelTag(cp, abi, p));
        for (var minor = pythonMinor - 1; minor >= 2; minor--)
            foreach (var p in platforms)
                tags.Add(new WheelTag($"cp3{minor}", "abi3", p));

        var pythons = new List<string> { $"py3{pythonMinor}", "py3" };
        for (var minor = pythonMinor - 1; minor >= 0; minor--)
            pythons.Add($"py3{minor}");
        foreach (var py in pythons)
            foreach (var p in platforms)
                tags.Add(new WheelTag(py, "none", p));
        tags.Add(new WheelTag(cp, "none", "any"));
        foreach (var py in pythons)
            tags.Add(new WheelTag(py, "none", "any"));

        Tags = tags;
        _platforms = new HashSet<string>(platforms, StringComparer.Ordinal) { "any" };
        _rank = new Dictionary<WheelTag, int>(tags.Count);
        for (var k = 0; k < tags.Count; k++)
            _rank.TryAdd(tags[k], k);
    }

    /// <summary>The target for a Lambda runtime: <c>linux_*</c> platforms excluded.</summary>
    public static TargetTags ForLambda(int pythonMinor, PythonPlatform platform) => new(pythonMinor, platform);

    /// <summary>CPython 3.<see cref="PythonMinor"/>.</summary>
    public int PythonMinor { get; }

    public PythonPlatform Platform { get; }

    /// <summary>Every accepted tag, best first.</summary>
    public IReadOnlyList<WheelTag> Tags { get; }

    public override string ToString() => $"CPython 3.{PythonMinor} on {Platform.ManylinuxTag}";

    /// <summary>The platform tags in priority order (best first).</summary>
    public static IReadOnlyList<string> PlatformTags(PythonPlatform platform, bool includeLinuxPlatform)
    {
        var arch = platform.Machine;
        var oldest = platform.Architecture == LinuxArchitecture.X86_64 ? 5 : 17;
        var result = new List<string>();
        // glibc keeps compatibility within a major version; Lambda only has glibc 2.
        for (var minor = platform.GlibcMinor; minor >= oldest; minor--)
        {
            result.Add($"manylinux_2_{minor}_{arch}");
            var legacy = minor switch { 17 => "manylinux2014", 12 => "manylinux2010", 5 => "manylinux1", _ => null };
            if (legacy is not null)
                result.Add($"{legacy}_{arch}");
        }
        if (includeLinuxPlatform)
            result.Add($"linux_{arch}");
        return result;
    }

    /// <summary>The tag's position in <see cref="Tags"/> (lower is better), or null when not accepted.</summary>
    public int? Rank(WheelTag tag) => _rank.TryGetValue(tag, out var rank) ? rank : null;

    /// <summary>The best rank among the wheel's expanded tags, or null when none is accepted.</summary>
    public int? Rank(WheelFileName wheel)
    {
        var best = int.MaxValue;
        foreach (var platform in wheel.PlatformTagArray)
        {
            if (!_platforms.Contains(platform))
                continue;
            foreach (var python in wheel.PythonTagArray)
                foreach (var abi in wheel.AbiTagArray)
                    if (_rank.TryGetValue(new WheelTag(python, abi, platform), out var rank) && rank < best)
                        best = rank;
        }
        return best == int.MaxValue ? null : best;
    }

    public bool IsCompatible(WheelFileName wheel) => Rank(wheel) is not null;

    /// <summary>The best wheel: lowest rank, then the highest build tag (any build tag beats none). Null if none fits.</summary>
    public WheelFileName? SelectBest(IEnumerable<WheelFileName> wheels) => SelectBest(wheels, w => w);

    /// <summary>As <see cref="SelectBest(IEnumerable{WheelFileName})"/>, for candidates that carry a wheel file name (lock entries with URL and hash).</summary>
    public T? SelectBest<T>(IEnumerable<T> candidates, Func<T, WheelFileName> wheelOf) where T : class
    {
        T? best = null;
        var bestRank = int.MaxValue;
        BuildTag? bestBuild = null;
        foreach (var candidate in candidates)
        {
            var wheel = wheelOf(candidate);
            if (Rank(wheel) is not { } rank)
                continue;
            if (best is null || rank < bestRank || (rank == bestRank && CompareBuild(wheel.BuildTag, bestBuild) > 0))
            {
                best = candidate;
                bestRank = rank;
                bestBuild = wheel.BuildTag;
            }
        }
        return best;
    }

    private static int CompareBuild(BuildTag? a, BuildTag? b) =>
        a is null ? (b is null ? 0 : -1) : b is null ? 1 : a.Value.CompareTo(b.Value);

    /// <summary>
    /// Why a wheel does not fit, for error messages (e.g. "needs glibc 2.28, the target has 2.26").
    /// Returns null when it fits.
    /// </summary>
    public string? ExplainIncompatibility(WheelFileName wheel)
    {
        if (IsCompatible(wheel))
            return null;
        var cp = $"cp3{PythonMinor}";
        var abis = wheel.AbiTags;
        if (abis.Any(a => a.StartsWith("cp", StringComparison.Ordinal) && a.EndsWith('t')))
            return $"it is built for free-threaded CPython ({string.Join(", ", abis)}), which Lambda does not run";
        var acceptedPlatforms = PlatformTags(Platform, includeLinuxPlatform: false);
        var platformFits = wheel.PlatformTags.Any(p => p == "any" || acceptedPlatforms.Contains(p));
        if (!platformFits)
        {
            var newer = wheel.PlatformTags.Select(ManylinuxGlibcMinor).Where(m => m > Platform.GlibcMinor).ToList();
            if (newer.Count > 0 && wheel.PlatformTags.Any(p => p.EndsWith("_" + Platform.Machine, StringComparison.Ordinal) && !p.StartsWith("linux_", StringComparison.Ordinal) && !p.StartsWith("musllinux", StringComparison.Ordinal)))
                return $"it needs glibc 2.{newer.Min()} ({string.Join(".", wheel.PlatformTags)}), the target has {Platform.GlibcMajor}.{Platform.GlibcMinor}";
            return $"it is built for {string.Join(", ", wheel.PlatformTags)}, not {Platform.ManylinuxTag}";
        }
        return $"it is built for {string.Join(".", wheel.PythonTags)}-{string.Join(".", abis)}, not CPython 3.{PythonMinor} ({cp})";
    }

    // manylinux_2_28_x86_64 → 28; legacy names map to their glibc; anything else → -1.
    private static int ManylinuxGlibcMinor(string platform)
    {
        if (platform.StartsWith("manylinux2014_", StringComparison.Ordinal))
            return 17;
        if (platform.StartsWith("manylinux2010_", StringComparison.Ordinal))
            return 12;
        if (platform.StartsWith("manylinux1_", StringComparison.Ordinal))
            return 5;
        if (!platform.StartsWith("manylinux_2_", StringComparison.Ordinal))
            return -1;
        var rest = platform.AsSpan("manylinux_2_".Length);
        var end = rest.IndexOf('_');
        return end > 0 && int.TryParse(rest[..end], out var minor) ? minor : -1;
    }
}
