using System.Diagnostics;
using System.Globalization;

namespace UvLambda.Core.FileSystem;

/// <summary>
/// Names the process that owns a temp file, so a later build can tell a killed build's leftovers from a live
/// build's work: <c>PID.START</c>, START being the process's start time (on Linux its start in clock ticks since boot
/// from /proc, exact; elsewhere in whole seconds). The start time tells a reused PID from the owner.
/// </summary>
public static class TempOwner
{
    /// <summary>This process's owner token.</summary>
    public static string Current { get; } = Token(Environment.ProcessId);

    /// <summary>The token of a running process (just its PID when its start time cannot be read).</summary>
    internal static string Token(int pid) =>
        StartOf(pid) is { } start ? pid.ToString(CultureInfo.InvariantCulture) + "." + start.ToString(CultureInfo.InvariantCulture) : pid.ToString(CultureInfo.InvariantCulture);

    /// <summary>A temp file beside an output: <c>{prefix}.{owner}.{guid}.tmp</c> in <paramref name="directory"/>.</summary>
    public static string TempFile(string directory, string prefix) =>
        Path.Combine(directory, $"{prefix}.{Current}.{Guid.NewGuid():N}.tmp");

    /// <summary>
    /// Deletes the <see cref="TempFile"/>s of <paramref name="prefix"/> in <paramref name="directory"/> whose owner has
    /// certainly ended: what a build killed while writing that output left beside it (a live build's are kept).
    /// </summary>
    public static void DeleteAbandoned(string directory, string prefix)
    {
        if (!Directory.Exists(directory)) return;
        foreach (var file in Directory.EnumerateFiles(directory, prefix + ".*.tmp"))
        {
            // {prefix}.{PID.START}.{guid}.tmp: the owner is what lies between the prefix and the guid.
            var middle = Path.GetFileName(file)[(prefix.Length + 1)..^".tmp".Length];
            var dot = middle.LastIndexOf('.');
            if (dot <= 0 || !IsGone(middle[..dot])) continue;
            try { File.Delete(file); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>
    /// True when the token's process has certainly ended: no process has its PID, or the one that has it started at
    /// another time. An unreadable token is never gone (the caller falls back to the file's age).
    /// </summary>
    public static bool IsGone(string token)
    {
        var dot = token.IndexOf('.');
        if (!int.TryParse(dot < 0 ? token : token[..dot], NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid <= 0)
            return false;
        long? recorded = null;
        if (dot >= 0)
        {
            if (!long.TryParse(token[(dot + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var r)) return false;
            recorded = r;
        }
        var start = StartOf(pid);
        if (start is null) return !IsRunning(pid);
        if (recorded is null) return false;
        // /proc gives an exact value; the portable fallback is in seconds and may round either way.
        return OperatingSystem.IsLinux() ? start != recorded : Math.Abs(start.Value - recorded.Value) > 1;
    }

    private static long? StartOf(int pid)
    {
        if (OperatingSystem.IsLinux())
        {
            try
            {
                // Field 22 (starttime); the command name (field 2) may hold spaces and parentheses, so count after the last ')'.
                var stat = File.ReadAllText($"/proc/{pid}/stat");
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                return fields.Length > 19 && long.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) ? ticks : null;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return null;
            }
        }
        try
        {
            using var process = Process.GetProcessById(pid);
            return process.HasExited ? null : new DateTimeOffset(process.StartTime.ToUniversalTime()).ToUnixTimeSeconds();
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            return null;
        }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException) { return false; }
        catch (InvalidOperationException) { return false; }
    }
}
