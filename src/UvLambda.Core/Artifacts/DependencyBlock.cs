using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using UvLambda.Core.Archives;
using UvLambda.Core.FileSystem;

namespace UvLambda.Core.Artifacts;

/// <summary>
/// What package.zip's first block (the installed packages) was when it was last written, beside the zip's compressor
/// stamp in obj/: the key of everything that determines that block (the install state, which the install step checks
/// against the site folder, the cache's indexes and wheels on every build; the trimming and layout settings; the
/// time stamp; the compressor), where the block ends, its sizes by package, and its paths. When the key is the same and
/// package.zip is as this build's predecessor left it (size and write time), an app-only change copies that block
/// without loading the install's 28k entries again. Anything else, or a damaged file, means the full path.
/// </summary>
internal sealed record DependencyBlock(string Key, long ZipLength, long ZipTime, ZipBlockEnd End, int Files, int Directories, long UncompressedBytes,
    IReadOnlyList<(string Package, long Bytes, int Files)> Sizes, IReadOnlyCollection<string> Names)
{
    /// <summary>The paths as a set, to test names against (what <see cref="TryRead"/> reads is one already).</summary>
    public IReadOnlySet<string> NameSet => Names as IReadOnlySet<string> ?? Names.ToHashSet(StringComparer.Ordinal);

    private const string Header = "uvlambda-dependency-block 1";

    public static string PathFor(string intermediateDirectory, string zipPath) =>
        Path.Combine(intermediateDirectory, Path.GetFileName(zipPath) + ".dependencies");

    /// <summary>The key for these settings and this install state; null when the state is missing.</summary>
    public static string? KeyFor(ArtifactOptions options, string zipPath)
    {
        if (options.StateFile is not { } state || !File.Exists(state)) return null;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Add(string s) => hash.AppendData(Encoding.UTF8.GetBytes(s + "\n"));
        Add(Header);
        hash.AppendData(File.ReadAllBytes(state));
        Add(Path.GetFullPath(state));
        Add(options.SiteDirectory is { } site ? Path.GetFullPath(site) : "");
        Add(Path.GetFullPath(zipPath));
        Add(options.PackageType + "|" + options.WorkspaceIn + "|" + options.LocalLayerPath);
        Add(string.Join('\u0001', options.Excludes));
        Add(string.Join('\u0001', options.WorkspacePackages.Order(StringComparer.Ordinal)));
        Add(string.Join('\u0001', options.LocalPackages.Order(StringComparer.Ordinal)));
        Add(options.Timestamp.Ticks.ToString(CultureInfo.InvariantCulture));
        Add(DeterministicZipWriter.CompressorStamp(System.IO.Compression.CompressionLevel.Optimal));
        return Convert.ToHexString(hash.GetHashAndReset());
    }

    public static DependencyBlock? TryRead(string path)
    {
        try
        {
            if (!File.Exists(path)) return null;
            var lines = File.ReadAllLines(path);
            if (lines.Length < 5 || lines[0] != Header || lines[^1] != "end") return null;
            var key = lines[1];
            var zip = lines[2].Split(' ');
            var end = lines[3].Split(' ');
            var sizes = new List<(string, long, int)>();
            var names = new HashSet<string>(StringComparer.Ordinal);
            for (int i = 4; i < lines.Length - 1; i++)
            {
                var line = lines[i];
                if (line.StartsWith("size\t", StringComparison.Ordinal))
                {
                    var parts = line.Split('\t');
                    sizes.Add((parts[1], long.Parse(parts[2], CultureInfo.InvariantCulture), int.Parse(parts[3], CultureInfo.InvariantCulture)));
                }
                else if (line.StartsWith("path\t", StringComparison.Ordinal)) names.Add(line[5..]);
                else return null;
            }
            long L(string s) => long.Parse(s, CultureInfo.InvariantCulture);
            var block = new DependencyBlock(key, L(zip[0]), L(zip[1]), new ZipBlockEnd((int)L(end[0]), L(end[1]), L(end[2])), (int)L(end[3]), (int)L(end[4]), L(end[5]), sizes, names);
            return block.Names.Count == block.End.Entries ? block : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or OverflowException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>Written through a buffered writer: the paths of 28k entries would be 4 MB of text, then its UTF-8 copy.</summary>
    public void Write(string path)
    {
        var names = Names.ToArray();
        Array.Sort(names, StringComparer.Ordinal);
        AtomicFile.Write(path, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (stream) =>
        {
            using var text = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
            text.Write(Header); text.Write('\n'); text.Write(Key); text.Write('\n');
            text.Write(string.Create(CultureInfo.InvariantCulture, $"{ZipLength} {ZipTime}\n"));
            text.Write(string.Create(CultureInfo.InvariantCulture, $"{End.Entries} {End.Bytes} {End.CentralBytes} {Files} {Directories} {UncompressedBytes}\n"));
            foreach (var (package, bytes, files) in Sizes) text.Write(string.Create(CultureInfo.InvariantCulture, $"size\t{package}\t{bytes}\t{files}\n"));
            foreach (var name in names)
            {
                text.Write("path\t");
                text.Write(name);
                text.Write('\n');
            }
            text.Write("end\n");
        });
    }

    /// <summary>The zip as it is on disk now: length and write time.</summary>
    public static (long Length, long Time) Stamp(string zipPath) => FileSystem.FileStamp.Of(zipPath);
}
