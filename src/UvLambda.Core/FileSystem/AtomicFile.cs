namespace UvLambda.Core.FileSystem;

/// <summary>
/// Writes a file so readers only ever see the old or the new whole file: write a temp file in the same folder
/// (same volume, so the rename is atomic), then rename over the target. A killed build leaves only a temp file,
/// which nothing trusts.
/// </summary>
public static class AtomicFile
{
    public static void Write(string path, Action<FileStream> write)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
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
}
