using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using UvLambda.Core.Install.Wheels;

namespace UvLambda.Core.Tests.Install;

/// <summary>
/// Builds wheel zips for tests: valid by default (WHEEL, METADATA and a RECORD with correct hashes are added unless
/// given), and bendable into bad ones (edit RECORD, duplicate or symlink entries, unsafe paths).
/// </summary>
internal sealed class TestWheel
{
    public const int RegularFile = 0b1_000_000_110_100_100; // S_IFREG | 0644
    public const int ExecutableFile = 0b1_000_000_111_101_101; // S_IFREG | 0755
    public const int Symlink = 0b1_010_000_111_111_111; // S_IFLNK | 0777

    private readonly List<(string Path, byte[] Content, int Mode)> _entries = [];

    public TestWheel(string name, string version)
    {
        Name = name;
        Version = version;
    }

    public string Name { get; }
    public string Version { get; }
    public string DistInfo => $"{Name}-{Version}.dist-info";
    public string DataDir => $"{Name}-{Version}.data";

    /// <summary>The file name the wheel is saved under; override to make a name mismatch.</summary>
    public string? FileName { get; set; }

    public string WheelText { get; set; } = "Wheel-Version: 1.0\nGenerator: uvlambda-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n";

    public string? MetadataText { get; set; }

    public bool WithRecord { get; set; } = true;

    /// <summary>Rewrites the generated RECORD rows (path, hash, size) before it is written.</summary>
    public Action<List<string[]>>? EditRecord { get; set; }

    /// <summary>Entries written into the zip but left out of RECORD.</summary>
    public HashSet<string> Unrecorded { get; } = new(StringComparer.Ordinal);

    public TestWheel Add(string path, string content, int mode = RegularFile) => Add(path, Encoding.UTF8.GetBytes(content), mode);

    public TestWheel Add(string path, byte[] content, int mode = RegularFile)
    {
        _entries.Add((path, content, mode));
        return this;
    }

    /// <summary>A wheel with the files a site-packages dist-info's RECORD lists (installer files and caches left out).</summary>
    public static TestWheel FromInstalled(string sitePackages, string distInfo)
    {
        var stem = distInfo[..^".dist-info".Length];
        var dash = stem.IndexOf('-');
        var wheel = new TestWheel(stem[..dash], stem[(dash + 1)..]);
        foreach (var line in File.ReadAllLines(Path.Combine(sitePackages, distInfo, "RECORD")))
        {
            var path = line.StartsWith('"') ? line[1..line.IndexOf('"', 1)] : line[..line.IndexOf(',')];
            var full = Path.Combine(sitePackages, path);
            if (path.StartsWith("../", StringComparison.Ordinal) || path.Contains("__pycache__") || !File.Exists(full))
                continue;
            if (path.StartsWith(distInfo + "/", StringComparison.Ordinal) && path[(distInfo.Length + 1)..] is "RECORD" or "INSTALLER" or "REQUESTED" or "direct_url.json")
                continue;
            var mode = !OperatingSystem.IsWindows() && (File.GetUnixFileMode(full) & UnixFileMode.UserExecute) != 0 ? ExecutableFile : RegularFile;
            wheel.Add(path, File.ReadAllBytes(full), mode);
        }
        return wheel;
    }

    public string Build(string directory)
    {
        var entries = new List<(string Path, byte[] Content, int Mode)>(_entries);
        if (!entries.Any(e => e.Path == DistInfo + "/WHEEL"))
            entries.Add((DistInfo + "/WHEEL", Encoding.UTF8.GetBytes(WheelText), RegularFile));
        if (!entries.Any(e => e.Path == DistInfo + "/METADATA"))
            entries.Add((DistInfo + "/METADATA", Encoding.UTF8.GetBytes(MetadataText ?? $"Metadata-Version: 2.1\nName: {Name}\nVersion: {Version}\n\nA test package.\n"), RegularFile));
        if (WithRecord)
        {
            var rows = entries.Where(e => !Unrecorded.Contains(e.Path) && (e.Mode & 0xF000) != 0xA000)
                .Select(e => new[] { e.Path, "sha256=" + WheelRecord.EncodeDigest(SHA256.HashData(e.Content)), e.Content.Length.ToString() })
                .ToList();
            rows.Add([DistInfo + "/RECORD", "", ""]);
            EditRecord?.Invoke(rows);
            var record = string.Concat(rows.Select(r => string.Join(',', r.Select(Quote)) + "\n"));
            entries.Add((DistInfo + "/RECORD", Encoding.UTF8.GetBytes(record), RegularFile));
        }

        Directory.CreateDirectory(directory);
        var path = System.IO.Path.Combine(directory, FileName ?? $"{Name}-{Version}-py3-none-any.whl");
        using var zip = new ZipArchive(File.Create(path), ZipArchiveMode.Create);
        foreach (var (entryPath, content, mode) in entries)
        {
            var entry = zip.CreateEntry(entryPath, CompressionLevel.Fastest);
            entry.ExternalAttributes = mode << 16;
            using var stream = entry.Open();
            stream.Write(content);
        }
        return path;
    }

    /// <summary>
    /// A valid wheel whose one data entry, <c>NAME/zeros.bin</c>, inflates to <paramref name="inflatedBytes"/> zero bytes
    /// (a decompression bomb: about a thousandth of that on disk). Written streaming, so the test never holds it.
    /// </summary>
    public static string BuildBomb(string directory, string name, string version, long inflatedBytes)
    {
        Directory.CreateDirectory(directory);
        var path = System.IO.Path.Combine(directory, $"{name}-{version}-py3-none-any.whl");
        var distInfo = $"{name}-{version}.dist-info";
        var rows = new List<string>();
        using var zip = new ZipArchive(File.Create(path), ZipArchiveMode.Create);
        void Small(string entryPath, string text)
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            var entry = zip.CreateEntry(entryPath, CompressionLevel.Fastest);
            entry.ExternalAttributes = RegularFile << 16;
            using (var stream = entry.Open()) stream.Write(bytes);
            rows.Add($"{entryPath},sha256={WheelRecord.EncodeDigest(SHA256.HashData(bytes))},{bytes.Length}");
        }
        Small($"{name}/__init__.py", "");
        var big = zip.CreateEntry($"{name}/zeros.bin", CompressionLevel.Optimal);
        big.ExternalAttributes = RegularFile << 16;
        using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
        {
            using (var stream = big.Open())
            {
                var chunk = new byte[1 << 20];
                for (long written = 0; written < inflatedBytes; written += chunk.Length)
                {
                    var n = (int)Math.Min(chunk.Length, inflatedBytes - written);
                    stream.Write(chunk, 0, n);
                    hash.AppendData(chunk, 0, n);
                }
            }
            rows.Add($"{name}/zeros.bin,sha256={WheelRecord.EncodeDigest(hash.GetHashAndReset())},{inflatedBytes}");
        }
        Small(distInfo + "/WHEEL", "Wheel-Version: 1.0\nGenerator: uvlambda-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n");
        Small(distInfo + "/METADATA", $"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n");
        var record = zip.CreateEntry(distInfo + "/RECORD");
        using (var stream = record.Open()) stream.Write(Encoding.UTF8.GetBytes(string.Concat(rows.Select(r => r + "\n")) + distInfo + "/RECORD,,\n"));
        return path;
    }

    private static string Quote(string field) =>
        field.Contains(',') || field.Contains('"') ? "\"" + field.Replace("\"", "\"\"") + "\"" : field;
}
