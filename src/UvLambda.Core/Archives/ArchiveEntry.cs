namespace UvLambda.Core.Archives;

/// <summary>
/// One file to put in an archive: where it goes (forward slashes, relative) and where its bytes come from: a file,
/// bytes in memory, or an entry of another zip (a wheel), whose compressed bytes a zip writer copies as they are.
/// Directories are implied by the paths; the writers add them.
/// </summary>
public sealed class ArchiveEntry
{
    private ArchiveEntry(string path, int unixMode, string? sourceFile, byte[]? content, ZipEntrySource? zipSource)
    {
        Path = ArchivePath.Normalize(path);
        UnixMode = unixMode;
        SourceFile = sourceFile;
        Content = content;
        ZipSource = zipSource;
    }

    public static ArchiveEntry FromFile(string path, string sourceFile, int unixMode) => new(path, unixMode, sourceFile, null, null);

    public static ArchiveEntry FromBytes(string path, byte[] content, int unixMode) => new(path, unixMode, null, content, null);

    public static ArchiveEntry FromZipEntry(string path, ZipEntrySource source, int unixMode) => new(path, unixMode, null, null, source);

    public string Path { get; }

    /// <summary>Permission bits only (e.g. 0644, 0755); the file type bits are added by the writer.</summary>
    public int UnixMode { get; }

    public string? SourceFile { get; }

    public byte[]? Content { get; }

    public ZipEntrySource? ZipSource { get; }

    /// <summary>The size of the content, without reading it.</summary>
    public long Length => Content?.LongLength ?? ZipSource?.UncompressedSize ?? new FileInfo(SourceFile!).Length;

    /// <summary>Where the bytes come from, for messages.</summary>
    public string Origin => SourceFile ?? (ZipSource is { } z ? $"{z.ArchivePath} (zip entry)" : "(generated)");

    public byte[] ReadContent() => Content ?? ZipSource?.ReadContent() ?? File.ReadAllBytes(SourceFile!);

    /// <summary>The same bytes at another path.</summary>
    public ArchiveEntry WithPath(string path) => new(path, UnixMode, SourceFile, Content, ZipSource);

    public override string ToString() => Path;
}
