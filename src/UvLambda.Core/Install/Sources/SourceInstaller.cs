using System.Security.Cryptography;
using System.Text;
using UvLambda.Core.FileSystem;
using UvLambda.Core.Install.Wheels;
using UvLambda.Core.Standards;
using UvLambda.Core.Projects;

namespace UvLambda.Core.Install.Sources;

/// <summary>
/// Installs a pure-Python workspace member or path/directory dependency from its sources, as its wheel would
/// install (what <c>uv export --no-editable</c> + <c>uv pip install --target</c> produce): the import packages plus a
/// dist-info with METADATA and RECORD, so importlib.metadata finds it.
/// </summary>
public static class SourceInstaller
{
    /// <summary>A fingerprint of everything that lands in the target: changes whenever a source file or the metadata does.</summary>
    public static string Fingerprint(PyProject project, string? version)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(Encoding.UTF8.GetBytes($"{project.Name}\n{version}\n"));
        sha.AppendData(File.ReadAllBytes(project.File));
        foreach (var (source, relative) in Files(project))
        {
            sha.AppendData(Encoding.UTF8.GetBytes("\n" + relative + "\n"));
            sha.AppendData(File.ReadAllBytes(source));
        }
        return Convert.ToHexString(sha.GetHashAndReset()).ToLowerInvariant();
    }

    public static InstalledPackage Install(PyProject project, string? lockedVersion, string targetDirectory)
    {
        var version = lockedVersion ?? project.Version ?? "0.0.0";
        var written = new List<(string Relative, byte[] Content)>();
        foreach (var (source, relative) in Files(project))
            written.Add((relative, File.ReadAllBytes(source)));

        var distInfo = $"{PackageName.ToWheelFileComponent(project.Name!)}-{version}.dist-info";
        written.Add(($"{distInfo}/METADATA", Encoding.UTF8.GetBytes(Metadata(project, version))));
        var rows = written.Select(w => new WheelRecordRow(w.Relative, "sha256", WheelRecord.EncodeDigest(SHA256.HashData(w.Content)), w.Content.Length))
            .Append(new WheelRecordRow($"{distInfo}/RECORD", null, null, null));
        written.Add(($"{distInfo}/RECORD", Encoding.UTF8.GetBytes(WheelRecord.Format(rows))));

        foreach (var (relative, content) in written)
            AtomicFile.WriteAllBytes(Path.Combine(targetDirectory, relative), content);
        return new InstalledPackage(project.Name!, version, written.Select(w => w.Relative).Order(StringComparer.Ordinal).ToList());
    }

    /// <summary>The files of the import roots (no byte-code caches), with their paths in the target.</summary>
    private static IEnumerable<(string Source, string Relative)> Files(PyProject project)
    {
        var files = new List<(string, string)>();
        foreach (var root in SourceLayout.Find(project))
        {
            if (!root.IsDirectory)
            {
                files.Add((root.SourcePath, root.InstalledName));
                continue;
            }
            foreach (var file in Directory.EnumerateFiles(root.SourcePath, "*", SearchOption.AllDirectories))
            {
                var relative = Path.GetRelativePath(root.SourcePath, file).Replace('\\', '/');
                if (relative.Split('/').Any(s => s == "__pycache__") || relative.EndsWith(".pyc", StringComparison.Ordinal)) continue;
                files.Add((file, root.InstalledName + "/" + relative));
            }
        }
        return files.OrderBy(f => f.Item2, StringComparer.Ordinal);
    }

    private static string Metadata(PyProject project, string version)
    {
        var sb = new StringBuilder();
        sb.Append("Metadata-Version: 2.3\n");
        sb.Append("Name: ").Append(project.Name).Append('\n');
        sb.Append("Version: ").Append(version).Append('\n');
        if (project.RequiresPythonText is { } rp) sb.Append("Requires-Python: ").Append(rp).Append('\n');
        foreach (var d in project.Dependencies) sb.Append("Requires-Dist: ").Append(d.Text).Append('\n');
        foreach (var (extra, deps) in project.OptionalDependencies)
        {
            sb.Append("Provides-Extra: ").Append(extra).Append('\n');
            foreach (var d in deps)
                sb.Append("Requires-Dist: ").Append(d.Requirement.Marker is null ? $"{d.Text} ; extra == '{extra}'" : $"{d.Text.Split(';')[0].Trim()} ; ({d.Requirement.Marker.Text}) and extra == '{extra}'").Append('\n');
        }
        return sb.ToString();
    }
}
