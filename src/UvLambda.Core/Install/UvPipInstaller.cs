using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using UvLambda.Core.Diagnostics;
using UvLambda.Core.FileSystem;
using UvLambda.Core.Install.Sources;
using UvLambda.Core.Install.Wheels;
using UvLambda.Core.Locking;
using UvLambda.Core.Processes;
using UvLambda.Core.Environments;

namespace UvLambda.Core.Install;

/// <summary>
/// <c>UvLambdaInstaller=uv</c>: hands installing to the real uv, as uv's AWS Lambda guide does. The resolved package
/// set is written as a requirements file (what <c>uv export --frozen --no-dev --no-editable</c> writes: pinned
/// registry packages with their hashes, local packages as paths, git and URL sources as direct references) and
/// installed with <c>uv pip install --no-installer-metadata --no-compile-bytecode --python-platform P --python X.Y
/// --target SITE -r FILE</c>. The site folder is rebuilt from scratch whenever the requirements, the command or a
/// local package's sources change, and left alone (uv not run) otherwise. Afterwards the per-package state is read
/// back from the installed <c>*.dist-info/RECORD</c> files, so the audit and packaging see the same as with the
/// native installer.
/// </summary>
public sealed class UvPipInstaller(ExternalTool uv, IBuildLog log)
{
    private const int StateVersion = 1;

    /// <summary>Find-links folders and offline mode, passed on to uv as <c>--find-links</c> and <c>--offline</c>.</summary>
    public IReadOnlyList<string> FindLinks { get; init; } = [];
    public bool Offline { get; init; }

    public InstallResult Install(IReadOnlyList<ResolvedPackage> packages, string siteDirectory, string stateFile, string requirementsFile, TargetEnvironment target, CancellationToken cancellationToken = default)
    {
        var stopwatch = Stopwatch.StartNew();
        var site = Path.GetFullPath(siteDirectory);
        var requirements = Requirements(packages, target);
        string[] arguments =
        [
            "pip", "install", "--no-installer-metadata", "--no-compile-bytecode",
            "--python-platform", target.Platform.ToString(), "--python", target.PythonVersion,
            "--target", site, "-r", Path.GetFullPath(requirementsFile),
            .. Offline ? new[] { "--offline" } : [],
            .. FindLinks.SelectMany(f => new[] { "--find-links", f }),
        ];

        // The key covers what uv is asked to do and the sources of local packages, whose paths alone say nothing.
        var key = new StringBuilder(requirements).Append('\n').AppendJoin('\0', arguments);
        foreach (var p in packages.Where(p => p.LocalPath is { } l && Directory.Exists(l)).OrderBy(p => p.Name, StringComparer.Ordinal))
            key.Append('\n').Append(p.Name).Append(' ').Append(UvWheelBuilder.Fingerprint(p.LocalPath!, p.Version));
        var stateTarget = "uv pip install " + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key.ToString()))).ToLowerInvariant();

        var previous = LoadState(stateFile);
        if (previous is { Version: StateVersion } && previous.Target == stateTarget && Directory.Exists(site) && File.Exists(requirementsFile))
            return new InstallResult(0, 0, previous.Packages.Count, false, []);

        // Start over: the old state goes first, so a failed install never leaves a state that claims the old files.
        if (File.Exists(stateFile)) File.Delete(stateFile);
        if (Directory.Exists(site)) Directory.Delete(site, recursive: true);
        Directory.CreateDirectory(site);
        AtomicFile.WriteAllText(requirementsFile, requirements);

        log.Info($"Installing {packages.Count} package(s) with uv pip install ({uv.Path})");
        var result = uv.Run(arguments, Path.GetDirectoryName(Path.GetFullPath(requirementsFile)), cancellationToken);
        if (result.ExitCode != 0)
            throw new UvLambdaException(ErrorCodes.UvInstallFailed,
                $"`uv {string.Join(' ', arguments)}` failed (exit code {result.ExitCode}):{Environment.NewLine}{result.Tail()}", requirementsFile);

        var state = new InstallState { Version = StateVersion, Target = stateTarget };
        var installed = new List<InstalledPackage>();
        foreach (var (name, version, files) in ReadRecords(site))
        {
            state.Packages[Standards.PackageName.Normalize(name)] = new InstalledState { Key = stateTarget, Version = version, Files = files.ToList() };
            installed.Add(new InstalledPackage(name, version, files));
        }
        AtomicFile.WriteAllText(stateFile, JsonSerializer.Serialize(state, InstallStateJson.Default.InstallState));
        log.Info($"Installed {installed.Count} package(s) with uv in {stopwatch.Elapsed.TotalSeconds:0.0} s");
        return new InstallResult(installed.Count, previous?.Packages.Count ?? 0, 0, true, installed);
    }

    /// <summary>The requirements file uv installs from, like <c>uv export --frozen --no-dev --no-editable</c>'s output.</summary>
    public static string Requirements(IReadOnlyList<ResolvedPackage> packages, TargetEnvironment target)
    {
        var sb = new StringBuilder();
        sb.Append("# Written by UvLambda from uv.lock for ").Append(target).Append(" (like `uv export --frozen --no-dev --no-editable`).\n");
        foreach (var p in packages.OrderBy(p => Standards.PackageName.Normalize(p.Name), StringComparer.Ordinal))
        {
            var name = Standards.PackageName.Normalize(p.Name);
            switch (p.Locked.Source.Kind)
            {
                case LockSourceKind.Git:
                    var (url, commit, subdirectory) = UvWheelBuilder.ParseGitSource(p.Locked.Source.Value);
                    sb.Append(name).Append(" @ git+").Append(url).Append('@').Append(commit);
                    if (subdirectory is not null) sb.Append("#subdirectory=").Append(subdirectory);
                    sb.Append('\n');
                    break;
                case LockSourceKind.Url:
                    sb.Append(name).Append(" @ ").Append(p.Locked.Source.Value);
                    AppendHashes(sb, p);
                    break;
                case LockSourceKind.Registry when p.Version is not null:
                    sb.Append(name).Append("==").Append(p.Version);
                    AppendHashes(sb, p);
                    break;
                default:
                    // Workspace members, directory and path sources: by absolute path (the file lives in obj/).
                    sb.Append(p.LocalPath ?? p.Locked.Source.Value).Append('\n');
                    break;
            }
        }
        return sb.ToString();
    }

    private static void AppendHashes(StringBuilder sb, ResolvedPackage p)
    {
        var hashes = p.Locked.Wheels.Select(w => w.Sha256).Append(p.Sdist?.Sha256).Append(p.Wheel?.Sha256)
            .OfType<string>().Select(h => h.ToLowerInvariant()).Distinct().Order(StringComparer.Ordinal).ToList();
        foreach (var h in hashes) sb.Append(" \\\n    --hash=sha256:").Append(h);
        sb.Append('\n');
    }

    /// <summary>Every <c>*.dist-info</c> in the folder: its name and version (METADATA) and the files its RECORD lists that exist.</summary>
    public static IReadOnlyList<(string Name, string Version, IReadOnlyList<string> Files)> ReadRecords(string site)
    {
        var result = new List<(string, string, IReadOnlyList<string>)>();
        foreach (var distInfo in Directory.EnumerateDirectories(site, "*.dist-info").Order(StringComparer.Ordinal))
        {
            var folder = Path.GetFileName(distInfo);
            var stem = folder[..^".dist-info".Length];
            var dash = stem.IndexOf('-');
            string name = dash > 0 ? stem[..dash] : stem, version = dash > 0 ? stem[(dash + 1)..] : "";
            var metadata = Path.Combine(distInfo, "METADATA");
            if (File.Exists(metadata))
                foreach (var line in File.ReadLines(metadata).TakeWhile(l => l.Length > 0))
                {
                    if (line.StartsWith("Name:", StringComparison.OrdinalIgnoreCase)) name = line[5..].Trim();
                    else if (line.StartsWith("Version:", StringComparison.OrdinalIgnoreCase)) version = line[8..].Trim();
                }
            var files = new SortedSet<string>(StringComparer.Ordinal);
            var record = Path.Combine(distInfo, "RECORD");
            if (File.Exists(record) && WheelRecord.TryParse(File.ReadAllText(record), out _) is { } rows)
            {
                foreach (var row in rows)
                {
                    var path = row.Path.Replace('\\', '/');
                    if (path.StartsWith("../", StringComparison.Ordinal) || path.StartsWith('/') || path.Contains("/../", StringComparison.Ordinal)) continue;
                    if (File.Exists(Path.Combine(site, path))) files.Add(path);
                }
            }
            // Files in the dist-info that RECORD does not list (uv's own additions) belong to the package too.
            foreach (var file in Directory.EnumerateFiles(distInfo, "*", SearchOption.AllDirectories))
                files.Add(Path.GetRelativePath(site, file).Replace('\\', '/'));
            result.Add((name, version, files.ToList()));
        }
        return result;
    }

    private static InstallState? LoadState(string stateFile)
    {
        try
        {
            return File.Exists(stateFile) ? JsonSerializer.Deserialize(File.ReadAllText(stateFile), InstallStateJson.Default.InstallState) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
