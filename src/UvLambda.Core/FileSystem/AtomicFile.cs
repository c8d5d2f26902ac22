using System.Collections.Concurrent;

namespace UvLambda.Core.FileSystem;

/// <summary>
/// Writes a file so readers only ever see the old or the new whole file: write a temp file in the same folder
/// (same volume, so the rename is atomic), then rename over the target. A killed build leaves only a temp file,
/// which nothing trusts and a later write into that folder deletes (<see cref="TempOwner"/>).
/// </summary>
public static class AtomicFile
{
    /// <summary>How long a folder counts as swept (by this process) after a write swept it.</summary>
    internal static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(10);

    // Folder -> when this process last swept it (Environment.TickCount64). Some callers write many files into one
    // folder in a row (the install state once per package, a source package's files): one listing per folder and
    // interval, not one per write. Timed rather than once per process, as an MSBuild node outlives builds.
    private static readonly ConcurrentDictionary<string, long> Swept = new(StringComparer.Ordinal);

    public static void Write(string path, Action<FileStream> write)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
        SweepAbandoned(dir);
        var temp = TempOwner.TempFile(dir, "." + Path.GetFileName(full));
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: false);
            }
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        var copy = bytes.ToArray();
        Write(path, s => s.Write(copy));
    }

    public static void WriteAllText(string path, string text) =>
        WriteAllBytes(path, new System.Text.UTF8Encoding(false).GetBytes(text));

    /// <summary>
    /// What builds killed mid-write left in <paramref name="directory"/> (install-state.json's temp in obj/, …) goes,
    /// unless this process swept that folder within <see cref="SweepInterval"/>.
    /// </summary>
    private static void SweepAbandoned(string directory)
    {
        var now = Environment.TickCount64;
        var interval = (long)SweepInterval.TotalMilliseconds;
        if (Swept.TryGetValue(directory, out var last) && now - last < interval) return;
        Swept[directory] = now;
        // Bounded in a long-lived process: folders not swept lately are forgotten.
        if (Swept.Count > 256)
            foreach (var (folder, at) in Swept)
                if (now - at >= interval) Swept.TryRemove(folder, out _);
        TempOwner.DeleteAbandoned(directory);
    }
}
