using System.Text;
using UvLambda.Core.Diagnostics;
using UvLambda.Core.Standards;
using UvLambda.Core.Environments;

namespace UvLambda.Core.Locking;

/// <summary>The best wheel of a locked package for the target, shared by the uv.lock and pylock.toml resolvers.</summary>
internal static class WheelChoice
{
    /// <summary>The best-ranked wheel the target accepts, or null with <paramref name="problem"/> saying what exists instead.</summary>
    public static LockedFile? Choose(string display, IReadOnlyList<LockedFile> wheels, TargetEnvironment target, out string? problem)
    {
        var parsed = new List<Tuple<LockedFile, WheelFileName>>();
        foreach (var w in wheels)
            if (WheelFileName.TryParse(w.Name, out var name)) parsed.Add(Tuple.Create(w, name));
        var best = target.Tags.SelectBest(parsed, x => x.Item2);
        problem = best is null ? NoWheelMessage(display, parsed.Select(x => x.Item2).ToList(), target) : null;
        return best?.Item1;
    }

    /// <param name="line">The first such package's line in the lock (0: unknown).</param>
    public static UvLambdaException NoCompatibleWheel(IReadOnlyList<string> problems, TargetEnvironment target, string lockPath, int line = 0) =>
        new(ErrorCodes.NoCompatibleWheel,
            $"No wheel in {Path.GetFileName(lockPath)} fits {target} for {problems.Count} package(s):{Environment.NewLine}{string.Join(Environment.NewLine, problems)}{Environment.NewLine}" +
            $"Use another PythonVersion, LambdaArchitecture or PythonPlatform, or lock versions that publish such wheels (`uv lock --upgrade-package NAME`; "
            + $"with `required-environments = [\"sys_platform == 'linux' and platform_machine == '{target.Markers.PlatformMachine}'\"]` under [tool.uv] in pyproject.toml, `uv lock` picks only versions that have them). "
            + "UvLambda never falls back to building the sdist.",
            lockPath, line);

    private static string NoWheelMessage(string display, IReadOnlyList<WheelFileName> wheels, TargetEnvironment target)
    {
        var sb = new StringBuilder($"  {display}: wheels exist for {string.Join(", ", WheelFileName.DistinctPlatforms(wheels))}");
        var nearest = wheels.Select(w => target.Tags.ExplainIncompatibility(w)).FirstOrDefault(r => r is not null);
        if (nearest is not null) sb.Append($" ({nearest})");
        return sb.ToString();
    }
}
