using UvLambda.Core.FileSystem;
using System.Security.Cryptography;
using System.Text;
using UvLambda.Core.Diagnostics;
using UvLambda.Core.Locking;
using UvLambda.Core.Processes;
using UvLambda.Core.Environments;

namespace UvLambda.Core.Install.Sources;

/// <summary>
/// Builds wheels for packages UvLambda cannot install itself (members with native code or build hooks, sdist-only
/// registry packages, git sources) by running <c>uv build --wheel --python X.Y --out-dir … SRC</c>, and keeps each
/// result in the content cache (<c>&lt;cache&gt;/built/&lt;key&gt;/</c>) keyed by what was built (a source-tree
/// fingerprint, the sdist's sha256 or the locked git commit) and the target, so the next build reuses it.
/// The wheel is built for this machine's CPU by the interpreter uv picks for <c>PythonVersion</c>: native code only
/// fits Lambda when the build machine has the same architecture (the audit checks the result).
/// </summary>
public sealed class UvWheelBuilder
{
    private static readonly string[] SkippedFolders = ["__pycache__", "build", "dist", "target", "node_modules", "venv"];

    private readonly ExternalTool? _uv;
    private readonly IReadOnlyDictionary<string, string?> _environment;
    private readonly IBuildLog _log;
    private readonly string _root;

    public UvWheelBuilder(string cacheRoot, IBuildLog log, IReadOnlyDictionary<string, string?>? environment = null, string? uvPath = null)
    {
        _environment = environment ?? Processes.ProcessEnvironment.Current();
        _uv = ExternalTool.Find("uv", _environment, uvPath);
        UvPath = string.IsNullOrWhiteSpace(uvPath) ? null : uvPath;
        _log = log;
        _root = Path.Combine(Path.GetFullPath(cacheRoot), "built");
    }

    /// <summary>The UvPath the build named, or null when uv is looked up on PATH.</summary>
    public string? UvPath { get; }

    /// <summary>Whether <c>uv</c> was found; without it only cached builds can be used.</summary>
    public bool HasUv => _uv is not null;

    /// <summary>The cached wheel built for <paramref name="key"/> (see <see cref="CacheKey"/>), or null.</summary>
    public string? TryCached(string key)
    {
        var folder = Path.Combine(_root, key);
        if (!Directory.Exists(folder)) return null;
        var wheels = Directory.GetFiles(folder, "*.whl");
        return wheels.Length == 1 ? wheels[0] : null;
    }

    /// <summary>The cache key of a build: what was built (its identity, e.g. <c>sdist:SHA</c>) for which target.</summary>
    public static string CacheKey(string identity, TargetEnvironment target) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(identity + "\n" + target))).ToLowerInvariant()[..32];

    /// <summary>
    /// A fingerprint of a source tree that needs a real build: every file except VCS folders, virtual environments,
    /// byte-code and build output (<c>build/</c>, <c>dist/</c>, <c>*.egg-info</c>, Rust's <c>target/</c>), which a
    /// build itself writes into the tree.
    /// </summary>
    public static string Fingerprint(string directory, string? version)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(Encoding.UTF8.GetBytes(version + "\n"));
        foreach (var (file, relative) in SourceFiles(directory).OrderBy(f => f.Relative, StringComparer.Ordinal))
        {
            sha.AppendData(Encoding.UTF8.GetBytes("\n" + relative + "\n"));
            sha.AppendData(File.ReadAllBytes(file));
        }
        return Convert.ToHexString(sha.GetHashAndReset()).ToLowerInvariant();
    }

    private static IEnumerable<(string File, string Relative)> SourceFiles(string root)
    {
        var pending = new Stack<string>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            var dir = pending.Pop();
            foreach (var sub in Directory.EnumerateDirectories(dir))
            {
                var name = Path.GetFileName(sub);
                if (name.StartsWith('.') || SkippedFolders.Contains(name, StringComparer.Ordinal) || name.EndsWith(".egg-info", StringComparison.Ordinal)) continue;
                if (File.Exists(Path.Combine(sub, "pyvenv.cfg"))) continue;
                pending.Push(sub);
            }
            foreach (var file in Directory.EnumerateFiles(dir))
            {
                if (file.EndsWith(".pyc", StringComparison.Ordinal)) continue;
                yield return (file, Path.GetRelativePath(root, file).Replace('\\', '/'));
            }
        }
    }

    /// <summary>UVL2402 for a package that must be built when uv is missing: names the package, why, and the fix.</summary>
    /// <param name="uvPath">The UvPath property when set: then that file is what is missing, not uv on PATH.</param>
    public static UvLambdaException UvMissing(ResolvedPackage package, string why, string? file, string? uvPath = null) =>
        new(ErrorCodes.BuildRequired,
            $"'{package.Name}'{(package.Version is null ? "" : " " + package.Version)} must be built ({why}), and "
            + (uvPath is null
                ? "`uv` is not on PATH. Install uv (https://docs.astral.sh/uv/getting-started/installation/) so UvLambda can run `uv build --wheel`"
                : $"UvPath is '{uvPath}', where there is no file. Point UvPath at the uv executable (or clear it to use uv from PATH) so UvLambda can run `uv build --wheel`")
            + ", or lock a version that publishes wheels for the target.",
            file);

    /// <summary>Builds a wheel from a project folder (a workspace member or directory source).</summary>
    public string BuildDirectory(ResolvedPackage package, string directory, string key, TargetEnvironment target, CancellationToken cancellationToken = default) =>
        Build(package, key, target, _ => directory, cancellationToken);

    /// <summary>Builds a wheel from a verified sdist (<paramref name="sdistPath"/> may be a hash-named cache entry).</summary>
    public string BuildSdist(ResolvedPackage package, string sdistPath, string sdistFileName, string key, TargetEnvironment target, CancellationToken cancellationToken = default) =>
        Build(package, key, target, work =>
        {
            // uv recognises an sdist by its file name, which a cache entry does not have.
            var named = Path.Combine(work, Path.GetFileName(sdistFileName));
            File.Copy(sdistPath, named);
            return named;
        }, cancellationToken);

    /// <summary>
    /// Builds a wheel from a git source: <c>git clone</c> of the repository, checkout of the locked commit (and its
    /// submodules), then <c>uv build</c> of the locked subdirectory. The clone is temporary; the wheel is cached by
    /// the commit, so a locked git source is cloned once per machine and target.
    /// </summary>
    public string BuildGit(ResolvedPackage package, string key, TargetEnvironment target, CancellationToken cancellationToken = default) =>
        Build(package, key, target, work => Checkout(package, Path.Combine(work, "src"), cancellationToken), cancellationToken);

    /// <summary>Splits uv.lock's git source (<c>https://host/repo?subdirectory=x&amp;rev=y#COMMIT</c>) into URL, commit and subdirectory.</summary>
    public static (string Url, string Commit, string? Subdirectory) ParseGitSource(string value)
    {
        var hash = value.LastIndexOf('#');
        var commit = hash >= 0 ? value[(hash + 1)..] : "";
        var rest = hash >= 0 ? value[..hash] : value;
        string? subdirectory = null;
        var question = rest.IndexOf('?');
        if (question >= 0)
        {
            foreach (var pair in rest[(question + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                var eq = pair.IndexOf('=');
                if (eq > 0 && pair[..eq] == "subdirectory") subdirectory = Uri.UnescapeDataString(pair[(eq + 1)..]);
            }
            rest = rest[..question];
        }
        if (rest.StartsWith("git+", StringComparison.Ordinal)) rest = rest[4..];
        return (rest, commit, subdirectory);
    }

    private string Checkout(ResolvedPackage package, string into, CancellationToken cancellationToken)
    {
        var (url, commit, subdirectory) = ParseGitSource(package.Locked.Source.Value);
        if (commit.Length == 0)
            throw new UvLambdaException(ErrorCodes.GitCheckoutFailed,
                $"uv.lock records no commit for the git source of '{package.Name}' ({package.Locked.Source.Value}). Run `uv lock` to pin it.");
        var git = ExternalTool.Find("git", _environment)
            ?? throw new UvLambdaException(ErrorCodes.GitCheckoutFailed,
                $"'{package.Name}' comes from git ({url} at {commit}) and must be checked out to be built, but `git` is not on PATH. Install git, or lock a registry version with wheels.");
        void Git(params string[] args)
        {
            var result = git.Run(args, null, cancellationToken);
            if (result.ExitCode != 0)
                throw new UvLambdaException(ErrorCodes.GitCheckoutFailed,
                    $"`git {string.Join(' ', args.Select(a => a == url ? RedactUrl(url) : a))}` failed for '{package.Name}' (exit code {result.ExitCode}):{Environment.NewLine}{result.Tail()}");
        }
        _log.Info($"Cloning {package.Name} from {RedactUrl(url)} at {commit[..Math.Min(12, commit.Length)]}");
        Git("clone", "--quiet", "--no-checkout", url, into);
        Git("-C", into, "checkout", "--quiet", commit);
        if (File.Exists(Path.Combine(into, ".gitmodules")))
            Git("-C", into, "submodule", "update", "--init", "--recursive", "--quiet");
        return subdirectory is null ? into : Path.Combine(into, subdirectory);
    }

    private static string RedactUrl(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) ? Fetching.IndexConfiguration.Redact(uri) : url;

    private string Build(ResolvedPackage package, string key, TargetEnvironment target, Func<string, string> source, CancellationToken cancellationToken)
    {
        if (TryCached(key) is { } cached) return cached;
        if (_uv is null) throw UvMissing(package, "it has no wheel", null, UvPath);
        // Named for its owner (PID and start time), so the folder of a build killed during `uv build` is recognised and
        // swept. tmp/ holds nothing else and may be shared with builds in other PID namespaces: the cache's age rule too.
        var tmp = Path.Combine(_root, "tmp");
        TempOwner.DeleteAbandoned(tmp, staleAfter: TempOwner.SharedCacheStaleAge);
        var temp = TempOwner.TempDirectory(tmp, "build");
        Directory.CreateDirectory(temp);
        try
        {
            var src = source(temp);
            var outDir = Path.Combine(temp, "out");
            Directory.CreateDirectory(outDir);
            string[] args = ["build", "--wheel", "--python", target.PythonVersion, "--out-dir", outDir, src];
            _log.Info($"Building {package.Name}{(package.Version is null ? "" : " " + package.Version)} with uv build --wheel");
            var result = _uv.Run(args, src is { } s && Directory.Exists(s) ? s : temp, cancellationToken);
            var wheels = Directory.GetFiles(outDir, "*.whl");
            if (result.ExitCode != 0 || wheels.Length != 1)
                throw new UvLambdaException(ErrorCodes.BuildFailed,
                    $"`uv build --wheel` failed for '{package.Name}'{(package.Version is null ? "" : " " + package.Version)} "
                    + (result.ExitCode != 0 ? $"(exit code {result.ExitCode})" : $"(it produced {wheels.Length} wheels, expected one)")
                    + $":{Environment.NewLine}{result.Tail()}");
            _log.Detail($"Built {Path.GetFileName(wheels[0])}");

            // Publish by renaming a complete folder: readers see the whole entry or none.
            var staged = Path.Combine(temp, "entry");
            Directory.CreateDirectory(staged);
            File.Move(wheels[0], Path.Combine(staged, Path.GetFileName(wheels[0])));
            var final = Path.Combine(_root, key);
            try { Directory.Move(staged, final); }
            catch (IOException) when (TryCached(key) is not null) { } // another build got there first
            return TryCached(key) ?? throw new IOException($"The built wheel for {package.Name} could not be stored in {final}.");
        }
        finally
        {
            try { Directory.Delete(temp, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
