namespace UvLambda.Core.Archives;

/// <summary>
/// One file to put in an archive: where it goes (forward slashes, relative) and where its bytes come from.
/// Directories are implied by the paths; the writers add them.
/// </summary>
public sealed class ArchiveEntry
{
    private ArchiveEntry(string path, int unixMode, string? sourceFile, byte[]? content)
    {
        Path = ArchivePath.Normalize(path);
        UnixMode = unixMode;
        SourceFile = sourceFile;
        Content = content;
    }

    public static ArchiveEntry FromFile(string path, string sourceFile, int unixMode) => new(path, unixMode, sourceFile, null);

    public static ArchiveEntry FromBytes(string path, byte[] content, int unixMode) => new(path, unixMode, null, content);

    public string Path { get; }

    /// <summary>Permission bits only (e.g. 0644, 0755); the file type bits are added by the writer.</summary>
    public int UnixMode { get; }

    public string? SourceFile { get; }

    public byte[]? Content { get; }

    public byte[] ReadContent() => Content ?? File.ReadAllBytes(SourceFile!);

    public override string ToString() => Path;
}
