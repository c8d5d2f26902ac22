using System.Globalization;
using UvLambda.Core.Diagnostics;

namespace UvLambda.Core.Projects;

/// <summary>One Python runtime's place in Lambda's deprecation schedule (null dates: none announced).</summary>
public sealed record RuntimeSchedule(string PythonVersion, DateOnly? Deprecated, DateOnly? CreateBlocked, DateOnly? UpdateBlocked)
{
    public string Runtime => "python" + PythonVersion;
    public bool IsDeprecatedOn(DateOnly day) => Deprecated is { } d && day >= d;
    public bool IsCreateBlockedOn(DateOnly day) => CreateBlocked is { } d && day >= d;
    public bool IsUpdateBlockedOn(DateOnly day) => UpdateBlocked is { } d && day >= d;

    public string Dates() =>
        $"deprecated {Format(Deprecated)}, function creation blocked from {Format(CreateBlocked)}, updates blocked from {Format(UpdateBlocked)}";

    private static string Format(DateOnly? d) => d?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "(not announced)";
}

/// <summary>
/// Lambda's deprecation calendar for the Python runtimes, as published on
/// https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html (and the Python table of
/// https://docs.aws.amazon.com/lambda/latest/dg/lambda-python.html). It ships with the SDK: a new SDK version brings
/// new dates. <see cref="AsOf"/> is the day the table was taken; the PythonVersion default treats as deprecated what
/// is deprecated on that day (not on the wall clock), so a given SDK version always picks the same default.
/// </summary>
public static class LambdaRuntimes
{
    /// <summary>The day this table was taken from AWS's page.</summary>
    public static readonly DateOnly AsOf = new(2026, 11, 30);

    public static readonly IReadOnlyList<RuntimeSchedule> Schedule =
    [
        new("3.9", new(2025, 12, 15), new(2026, 2, 3), new(2026, 3, 9)),
        new("3.10", new(2026, 10, 31), new(2027, 2, 1), new(2027, 3, 3)),
        new("3.11", new(2027, 6, 30), new(2027, 7, 31), new(2027, 8, 31)),
        new("3.12", new(2028, 10, 31), new(2028, 11, 30), new(2029, 1, 10)),
        new("3.13", new(2029, 6, 30), new(2029, 7, 31), new(2029, 8, 31)),
        new("3.14", null, null, null),
    ];

    /// <summary>Today in UTC; tests pass their own day instead.</summary>
    public static DateOnly Today() => DateOnly.FromDateTime(DateTime.UtcNow);

    public static RuntimeSchedule? Find(string pythonVersion) => Schedule.FirstOrDefault(s => s.PythonVersion == pythonVersion.Trim());

    public static bool IsDeprecated(string pythonVersion, DateOnly day) => Find(pythonVersion)?.IsDeprecatedOn(day) == true;

    /// <summary>Whether <paramref name="pythonVersion"/> (3.N) is <paramref name="minimum"/> or later.</summary>
    public static bool AtLeast(string pythonVersion, string minimum) => Minor(pythonVersion) >= Minor(minimum);

    private static int Minor(string version)
    {
        var parts = version.Trim().Split('.');
        return parts.Length >= 2 && parts[0] == "3" && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var m) ? m : -1;
    }

    /// <summary>
    /// The deprecation warning for a build (null when the runtime is supported on <paramref name="day"/>), naming the
    /// newest runtime <paramref name="allows"/> (requires-python) accepts that is still supported.
    /// </summary>
    public static string? DeprecationWarning(string pythonVersion, DateOnly day, Func<string, bool>? allows = null)
    {
        if (Find(pythonVersion) is not { } s || !s.IsDeprecatedOn(day)) return null;
        var newest = LambdaRuntime.PythonVersions.Where(v => !IsDeprecated(v, day) && (allows?.Invoke(v) ?? true)).LastOrDefault();
        return $"PythonVersion {pythonVersion}: Lambda's {s.Runtime} runtime is deprecated ({s.Dates()}). " +
            (newest is null ? "requires-python allows no supported runtime: widen requires-python and move to a supported one."
                : $"Move to python{newest}, the newest runtime requires-python allows: set <PythonVersion>{newest}</PythonVersion> (or .python-version).");
    }

    /// <summary>A deploy that Lambda would refuse on <paramref name="day"/>: an error before any write.</summary>
    public static void CheckDeploy(string pythonVersion, bool creating, DateOnly day, string functionName, string? file = null)
    {
        if (Find(pythonVersion) is not { } s) return;
        var blocked = creating ? s.IsCreateBlockedOn(day) : s.IsUpdateBlockedOn(day);
        if (!blocked) return;
        var newest = LambdaRuntime.PythonVersions.LastOrDefault(v => !IsDeprecated(v, day)) ?? LambdaRuntime.PythonVersions[^1];
        throw new UvLambdaException(ErrorCodes.DeployRuntimeBlocked,
            $"Lambda no longer allows {(creating ? "creating" : "updating")} functions on {s.Runtime} ({s.Dates()}); deploying '{functionName}' would fail. " +
            $"Set PythonVersion to a supported runtime (e.g. {newest}) and publish again.", file);
    }
}
