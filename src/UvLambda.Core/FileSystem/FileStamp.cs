namespace UvLambda.Core.FileSystem;

/// <summary>
/// What can be seen of a file without reading it, to tell whether it changed since it was recorded: its length and
/// write time (UTC ticks); (-1, -1) when it does not exist.
/// </summary>
public static class FileStamp
{
    public static (long Length, long Time) Of(string path)
    {
        var info = new FileInfo(path);
        return info.Exists ? (info.Length, info.LastWriteTimeUtc.Ticks) : (-1, -1);
    }
}
