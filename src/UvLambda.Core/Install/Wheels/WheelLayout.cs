using System.IO.Compression;
using UvLambda.Core.Diagnostics;

namespace UvLambda.Core.Install.Wheels;

/// <summary>What happens to one file entry of a wheel.</summary>
internal enum WheelFileKind
{
    /// <summary>Copied as it is.</summary>
    Regular,

    /// <summary>From <c>.data/scripts</c>: goes to <c>bin/</c>, executable, <c>#!python</c> rewritten.</summary>
    Script,

    /// <summary>The dist-info RECORD: read for checking, then written anew.</summary>
    Record,

    /// <summary>Checked but not installed: installer metadata (<c>--no-installer-metadata</c>) and RECORD signatures.</summary>
    Dropped,
}

internal sealed record WheelFile(ZipArchiveEntry Entry, string Path, string Destination, WheelFileKind Kind);

/// <summary>
/// The structure of a wheel as read from its central directory: every entry's path checked for safety, the one
/// <c>.dist-info</c> folder found, and each file mapped to where it installs in a <c>--target</c> folder.
/// </summary>
internal sealed class WheelLayout
{
    private const int SymlinkFileType = 0xA000; // S_IFLNK
    private const int FileTypeMask = 0xF000; // S_IFMT

    // Installer-owned metadata that `uv pip install --no-installer-metadata` does not write.
    private static readonly HashSet<string> DroppedDistInfoFiles = new(StringComparer.Ordinal)
    {
        "INSTALLER", "REQUESTED", "direct_url.json",
        // Signatures sign the wheel's RECORD, which the install rewrites.
        "RECORD.jws", "RECORD.p7s",
    };

    private WheelLayout(string wheelName, string distInfo, IReadOnlyList<WheelFile> files)
    {
        WheelName = wheelName;
        DistInfo = distInfo;
        Files = files;
    }

    public string WheelName { get; }

    /// <summary>The dist-info folder, e.g. <c>pip-23.0.1.dist-info</c>.</summary>
    public string DistInfo { get; }

    public string RecordPath => DistInfo + "/RECORD";

    /// <summary>Every file entry in zip order (directories left out).</summary>
    public IReadOnlyList<WheelFile> Files { get; }

    /// <summary>Every path an install writes, relative to the target, sorted (ordinal).</summary>
    public IReadOnlyList<string> InstalledPaths()
    {
        var paths = Files.Where(f => f.Kind != WheelFileKind.Dropped).Select(f => f.Destination).ToList();
        paths.Sort(StringComparer.Ordinal);
        return paths;
    }

    public static WheelLayout Read(ZipArchive zip, string wheelName)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var all = ReadEntries(zip, wheelName);
        var entries = new List<(ZipArchiveEntry Entry, string Path)>(all.Count);
        foreach (var entry in all)
        {
            var path = entry.FullName;
            if (!seen.Add(path))
                throw new UvLambdaException(ErrorCodes.DuplicateWheelEntry,
                    $"Wheel '{wheelName}' holds entry '{path}' twice; nothing was installed.");
            var isDirectory = path.EndsWith('/');
            CheckPath(wheelName, path, isDirectory);
            if (((entry.ExternalAttributes >> 16) & FileTypeMask) == SymlinkFileType)
                throw new UvLambdaException(ErrorCodes.WheelSymlink,
                    $"Wheel '{wheelName}' holds entry '{path}' as a symbolic link, which wheels may not contain; nothing was installed.");
            if (!isDirectory)
                entries.Add((entry, path));
        }

        var distInfos = entries.Select(e => TopFolder(e.Path)).Where(t => t?.EndsWith(".dist-info", StringComparison.Ordinal) == true)
            .Distinct(StringComparer.Ordinal).ToList();
        if (distInfos.Count != 1)
            throw new UvLambdaException(ErrorCodes.InvalidWheelMetadata, distInfos.Count == 0
                ? $"Wheel '{wheelName}' has no .dist-info folder; nothing was installed."
                : $"Wheel '{wheelName}' has several .dist-info folders ({string.Join(", ", distInfos)}); nothing was installed.");
        var distInfo = distInfos[0]!;
        var stem = distInfo[..^".dist-info".Length];
        var dataPrefix = stem + ".data/";
        var dash = stem.IndexOf('-');
        var distributionName = dash > 0 ? stem[..dash] : stem;

        var files = new List<WheelFile>(entries.Count);
        var destinations = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (entry, path) in entries)
        {
            var (destination, kind) = Map(wheelName, path, distInfo, dataPrefix, distributionName);
            if (kind != WheelFileKind.Dropped && !destinations.TryAdd(destination, path))
                throw new UvLambdaException(ErrorCodes.DuplicateWheelEntry,
                    $"Wheel '{wheelName}' has entries '{destinations[destination]}' and '{path}' that both install to '{destination}'; nothing was installed.");
            files.Add(new WheelFile(entry, path, destination, kind));
        }
        return new WheelLayout(wheelName, distInfo, files);
    }

    // The central directory is parsed on first access to Entries: counts, sizes and extra fields that lie throw there.
    private static IReadOnlyList<ZipArchiveEntry> ReadEntries(ZipArchive zip, string wheelName)
    {
        try
        {
            return zip.Entries;
        }
        catch (Exception e) when (WheelInstaller.IsMalformedZip(e))
        {
            throw WheelInstaller.Unreadable(wheelName, e);
        }
    }

    private static (string Destination, WheelFileKind Kind) Map(string wheelName, string path, string distInfo, string dataPrefix, string distributionName)
    {
        if (path.Length > distInfo.Length && path.StartsWith(distInfo, StringComparison.Ordinal) && path[distInfo.Length] == '/')
        {
            var inner = path[(distInfo.Length + 1)..];
            if (inner == "RECORD")
                return (path, WheelFileKind.Record);
            return (path, DroppedDistInfoFiles.Contains(inner) ? WheelFileKind.Dropped : WheelFileKind.Regular);
        }
        if (!path.StartsWith(dataPrefix, StringComparison.Ordinal))
            return (path, WheelFileKind.Regular);

        var rest = path[dataPrefix.Length..];
        var slash = rest.IndexOf('/');
        var scheme = slash < 0 ? rest : rest[..slash];
        var inside = slash < 0 ? "" : rest[(slash + 1)..];
        if (inside.Length == 0)
            throw new UvLambdaException(ErrorCodes.InvalidWheelMetadata,
                $"Wheel '{wheelName}' has file '{path}' directly in its .data folder, outside any scheme folder; nothing was installed.");
        return scheme switch
        {
            // A --target folder is both purelib and platlib, and the data scheme's root.
            "purelib" or "platlib" or "data" => (inside, WheelFileKind.Regular),
            "scripts" => ("bin/" + inside, WheelFileKind.Script),
            "headers" => ($"include/{distributionName}/{inside}", WheelFileKind.Regular),
            _ => throw new UvLambdaException(ErrorCodes.InvalidWheelMetadata,
                $"Wheel '{wheelName}' has entry '{path}' in unknown .data scheme '{scheme}' (expected purelib, platlib, scripts, headers or data); nothing was installed."),
        };
    }

    private static string? TopFolder(string path)
    {
        var slash = path.IndexOf('/');
        return slash > 0 ? path[..slash] : null;
    }

    // Zip-slip and friends: only plain relative paths may reach the file system.
    private static void CheckPath(string wheelName, string path, bool isDirectory)
    {
        string? problem = null;
        if (path.Length == 0)
            problem = "is empty";
        else if (path.Contains('\\'))
            problem = "contains a backslash";
        else if (path.Contains('\0'))
            problem = "contains a NUL character";
        else if (path[0] == '/')
            problem = "is absolute";
        else if (path.Length > 1 && path[1] == ':')
            problem = "starts with a drive letter";
        else
        {
            var segments = path.Split('/');
            var count = isDirectory ? segments.Length - 1 : segments.Length;
            for (var i = 0; i < count && problem is null; i++)
            {
                problem = segments[i] switch
                {
                    ".." => "has a '..' segment",
                    "." => "has a '.' segment",
                    "" => "has an empty segment",
                    _ => null,
                };
            }
        }
        if (problem is not null)
            throw new UvLambdaException(ErrorCodes.UnsafeWheelPath,
                $"Wheel '{wheelName}' has entry '{path}', whose path {problem}; nothing was installed.");
    }
}
