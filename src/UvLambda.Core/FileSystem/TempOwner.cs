using System.Diagnostics;
using System.Globalization;

namespace UvLambda.Core.FileSystem;

/// <summary>
/// Names temp files and folders for the process that owns them, so a later build can tell a killed build's leftovers
/// from a live build's work. The one format, for files and folders alike: <c>{prefix}.{PID}.{START}.{guid}.tmp</c>,
/// START being the process's start time (on Linux its start in clock ticks since boot from /proc, exact; elsewhere in
/// whole seconds; 0 when it cannot be read). The start time tells a reused PID from the owner. The owner always takes
/// two fields and the guid one, so the name parses from its end whatever the prefix holds (dots included).
/// Names from before this format (<c>PID-GUID-hint.part</c> downloads, <c>PID.START-GUID</c> build folders,
/// <c>.uvlambda-wheel-PID.START-GUID.tmp</c>, PID-only <c>.x.PID.GUID.tmp</c>) have no parser: in the shared cache's
/// temp folders the one-day age rule takes them; the others only development builds ever wrote, in obj/ and bin/.
/// </summary>
public static class TempOwner
{
    /// <summary>
    /// The <c>staleAfter</c> of the shared cache's temp folders (downloads, blobs, `uv build` folders): no build writes
    /// one temp that long, and a dead writer in another PID namespace may carry a PID a live process has here.
    /// </summary>
    public static readonly TimeSpan SharedCacheStaleAge = TimeSpan.FromDays(1);

    /// <summary>This process's owner token, <c>PID.START</c>.</summary>
    public static string Current { get; } = Token(Environment.ProcessId);

    /// <summary>The token of a running process (START 0 when its start time cannot be read).</summary>
    internal static string Token(int pid) =>
        pid.ToString(CultureInfo.InvariantCulture) + "." + (StartOf(pid) ?? 0).ToString(CultureInfo.InvariantCulture);

    /// <summary>A fresh temp file path in <paramref name="directory"/>: <c>{prefix}.{PID}.{START}.{guid}.tmp</c> (not created).</summary>
    public static string TempFile(string directory, string prefix) => Name(directory, prefix);

    /// <summary>A fresh temp folder path in <paramref name="parent"/>, named as <see cref="TempFile"/> names files (not created).</summary>
    public static string TempDirectory(string parent, string prefix) => Name(parent, prefix);

    private static string Name(string directory, string prefix) =>
        Path.Combine(directory, $"{prefix}.{Current}.{Guid.NewGuid():N}.tmp");

    /// <summary>
    /// Reads a name made by <see cref="TempFile"/> or <see cref="TempDirectory"/>: its prefix and its owner's PID and
    /// start time. False for any other name (the guid must be 32 hex digits, PID and START decimal).
    /// </summary>
    public static bool TryParse(string name, out string prefix, out int pid, out long start)
    {
        prefix = "";
        pid = 0;
        start = 0;
        if (!name.EndsWith(".tmp", StringComparison.Ordinal)) return false;
        var rest = name.AsSpan(0, name.Length - ".tmp".Length);
        var dot = rest.LastIndexOf('.');
        if (dot < 0 || rest.Length - dot - 1 != 32 || !IsHex(rest[(dot + 1)..])) return false;
        rest = rest[..dot];
        dot = rest.LastIndexOf('.');
        if (dot < 0 || !long.TryParse(rest[(dot + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out start)) return false;
        rest = rest[..dot];
        dot = rest.LastIndexOf('.');
        if (dot < 0 || !int.TryParse(rest[(dot + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out pid) || pid <= 0) return false;
        prefix = rest[..dot].ToString();
        return true;
    }

    private static bool IsHex(ReadOnlySpan<char> s)
    {
        foreach (var c in s)
            if (!char.IsAsciiHexDigit(c)) return false;
        return true;
    }

    /// <summary>
    /// Deletes what killed builds left in <paramref name="directory"/>: the temp files and folders named by
    /// <see cref="TempFile"/>/<see cref="TempDirectory"/> (of <paramref name="prefix"/> only, when given) whose owner
    /// has certainly ended. A live build's are kept, and so is a file a writer still holds locked (writers open their
    /// temp file with FileShare.None, which .NET makes an flock on Unix): a live build in another PID namespace (a
    /// shared cache) may carry a PID that looks gone from here. One listing of the folder. Returns how many went.
    /// </summary>
    /// <param name="staleAfter">
    /// Only for a folder that holds nothing but temps (a shared cache's): anything in it older than this goes too,
    /// whatever its name. That covers a dead writer whose PID a process of this namespace now has, and the names
    /// earlier versions gave their temps there, so no second parser is kept for them.
    /// </param>
    public static int DeleteAbandoned(string directory, string? prefix = null, TimeSpan? staleAfter = null)
    {
        if (!Directory.Exists(directory)) return 0;
        DateTime? cutoff = staleAfter is { } age ? DateTime.UtcNow - age : null;
        int deleted = 0;
        try
        {
            foreach (var entry in new DirectoryInfo(directory).EnumerateFileSystemInfos(cutoff is null ? "*.tmp" : "*"))
            {
                bool ours = TryParse(entry.Name, out var p, out var pid, out var start) && (prefix is null || p == prefix);
                if (prefix is not null && !ours) continue;
                bool abandoned = (ours && IsGone(pid, start)) || (cutoff is not null && entry.LastWriteTimeUtc < cutoff);
                if (abandoned && Delete(entry)) deleted++;
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return deleted;
    }

    private static bool Delete(FileSystemInfo entry)
    {
        try
        {
            if (entry is DirectoryInfo && (entry.Attributes & FileAttributes.ReparsePoint) == 0)
            {
                Directory.Delete(entry.FullName, recursive: true);
                return true;
            }
            // Exclusive open fails while anyone holds the file; deleting through the handle leaves no gap for a new writer.
            if (entry is FileInfo)
            {
                using var probe = new FileStream(entry.FullName, FileMode.Open, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
                return true;
            }
            File.Delete(entry.FullName); // a link: removed, never followed
            return true;
        }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }

    /// <summary>
    /// True when the owner has certainly ended: no process has its PID, or the one that has it started at another
    /// time. With no recorded start (0) only a PID no process has is gone.
    /// </summary>
    internal static bool IsGone(int pid, long recordedStart)
    {
        var start = StartOf(pid);
        if (start is null) return !IsRunning(pid);
        if (recordedStart == 0) return false;
        // /proc gives an exact value; the portable fallback is in seconds and may round either way.
        return OperatingSystem.IsLinux() ? start != recordedStart : Math.Abs(start.Value - recordedStart) > 1;
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
