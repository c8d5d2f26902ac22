using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using UvLambda.Core.Diagnostics;
using UvLambda.Core.FileSystem;
using UvLambda.Core.Install.Fetching;
using UvLambda.Core.Install.Sources;
using UvLambda.Core.Install.Wheels;
using UvLambda.Core.Locking;
using UvLambda.Core.Projects;
using UvLambda.Core.Environments;

namespace UvLambda.Core.Install;

public sealed record InstallResult(int Installed, int Removed, int Unchanged, bool Changed, IReadOnlyList<InstalledPackage> Packages);

/// <summary>
/// Brings a --target-style folder to exactly the resolved package set, incrementally: per-package state records what
/// each package wrote and from what (wheel hash or source fingerprint); a changed package is removed and reinstalled,
/// a removed one disappears, and a build with nothing changed touches nothing (not even the state file). Before a
/// package is written its planned files are recorded as pending, so a build killed mid-install is cleaned up by the next.
/// The installed tree is not trusted either: every build compares it with the stamps (size, write time, mode) recorded
/// for each file (<see cref="InstalledTree"/>), so an incremental build equals a clean one whatever happened to obj/.
/// </summary>
public sealed class PackageInstaller(IWheelFetcher fetcher, IBuildLog log, UvWheelBuilder? builder = null)
{
    private const int StateVersion = 3;

    /// <summary>The most one wheel may inflate to (UVL2210 beyond): Lambda's unzipped limit for the package type.</summary>
    public long MaxUnpackedBytes { get; init; } = WheelInstaller.ImageUnpackedLimit;

    /// <summary>
    /// Set (the content cache's root) to index wheels instead of unpacking them: a wheel is verified once and described
    /// by a <see cref="WheelIndex"/> in the cache, and packaging copies its compressed entries. Null: wheels are unpacked
    /// into the site folder (local runs, which import from it).
    /// </summary>
    public string? IndexCacheRoot { get; init; }

    /// <summary>The lock the packages come from: errors about one package point at its [[package]] entry there.</summary>
    public string? LockFile { get; init; }

    /// <summary>A package's error at its entry in the lock (its source, a URL or path, is no file to point at).</summary>
    private UvLambdaException AtLock(ResolvedPackage package, string code, string message) =>
        new(code, message, LockFile, LockFile is null ? 0 : package.Locked.Line);

    /// <summary>How a package gets into the target.</summary>
    private enum Method { Source, Wheel, BuildDirectory, BuildSdist, BuildGit, Unbuildable }

    /// <summary>A package, its state key (changes whenever what lands in the target would) and how it is installed.</summary>
    private sealed record Plan(ResolvedPackage Package, string Key, Method Method, PyProject? Project = null, string? Why = null);

    public InstallResult Install(IReadOnlyList<ResolvedPackage> packages, string lockDirectory, string siteDirectory, string stateFile, TargetEnvironment target, CancellationToken cancellationToken = default)
    {
        var stopwatch = Stopwatch.StartNew();
        var state = LoadState(stateFile, sealedOnly: true);
        // Indexed installs name the index format: after an upgrade that changes it, nothing indexed before is trusted.
        var targetKey = target.ToString() + (IndexCacheRoot is null ? "" : $";indexed-v{WheelIndex.FormatVersion}");
        bool changed = false;
        if (state.Target != targetKey || state.Version != StateVersion)
        {
            // Another runtime or architecture (or the uv installer's folder): nothing installed before can be trusted to fit.
            if (Directory.Exists(siteDirectory)) Directory.Delete(siteDirectory, recursive: true);
            state = new InstallState { Version = StateVersion, Target = targetKey };
            changed = true;
        }
        foreach (var (_, files) in state.Pending)
            DeleteFiles(siteDirectory, files, keep: OwnedFiles(state, except: null));
        if (state.Pending.Count > 0)
        {
            // A killed build may also have left the wheel's staging folder beside the site folder.
            DeleteAbandonedStaging(siteDirectory);
            state.Pending.Clear();
            changed = true;
        }

        // Damaged packages leave the state here, so the plan below installs them again like new ones.
        var check = InstalledTree.Check(state, siteDirectory);
        if (check.Changed)
        {
            changed = true;
            foreach (var name in check.Damaged)
            {
                var files = state.Packages[name].Files;
                state.Packages.Remove(name);
                DeleteFiles(siteDirectory, files, keep: OwnedFiles(state, except: null));
            }
            if (check.Damaged.Count > 0)
                log.Info($"Reinstalling {check.Damaged.Count} package(s) whose files in {siteDirectory} were changed or removed: {string.Join(", ", check.Damaged)}");
            if (check.Strays > 0)
                log.Info($"Removed {check.Strays} file(s) from {siteDirectory} that no package installed");
        }

        var desired = packages.ToDictionary(p => Core.Standards.PackageName.Normalize(p.Name), PlanFor, StringComparer.Ordinal);
        int removed = 0;
        foreach (var name in state.Packages.Keys.ToList())
        {
            if (desired.TryGetValue(name, out var want) && want.Key == state.Packages[name].Key) continue;
            var files = state.Packages[name].Files;
            state.Packages.Remove(name);
            DeleteFiles(siteDirectory, files, keep: OwnedFiles(state, except: null));
            removed++;
            changed = true;
        }

        var toInstall = desired.Where(d => !state.Packages.ContainsKey(d.Key)).Select(d => d.Value).OrderBy(d => d.Package.Name, StringComparer.Ordinal).ToList();

        // Builds: a wheel built before (same source, same target) comes from the cache; the rest need uv.
        var built = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var plan in toInstall.Where(p => p.Method is Method.BuildDirectory or Method.BuildSdist or Method.BuildGit))
        {
            if (builder?.TryCached(UvWheelBuilder.CacheKey(plan.Key, target)) is { } wheel) built[plan.Package.Name] = wheel;
            else if (builder is not { HasUv: true })
                throw plan.Project?.File is { } pyproject ? UvWheelBuilder.UvMissing(plan.Package, plan.Why!, pyproject, builder?.UvPath)
                    : AtLock(plan.Package, ErrorCodes.BuildRequired, UvWheelBuilder.UvMissing(plan.Package, plan.Why!, null, builder?.UvPath).Message);
        }
        if (toInstall.FirstOrDefault(p => p.Method == Method.Unbuildable) is { } unbuildable)
            throw AtLock(unbuildable.Package, ErrorCodes.BuildRequired,
                $"'{unbuildable.Package.Name}' {unbuildable.Package.Version} has no wheel to install and nothing to build it from (it comes from {unbuildable.Package.SourceName}, and uv.lock records no sdist with a hash). Run `uv lock` to refresh it, or lock a version that publishes wheels.");

        var requests = new List<WheelRequest>();
        foreach (var plan in toInstall)
        {
            var at = (File: LockFile, Line: LockFile is null ? 0 : plan.Package.Locked.Line);
            if (plan.Method == Method.Wheel && WheelRequest.For(plan.Package, lockDirectory) is { } w) requests.Add(w with { LockFile = at.File, LockLine = at.Line });
            else if (plan.Method == Method.BuildSdist && !built.ContainsKey(plan.Package.Name) && WheelRequest.ForSdist(plan.Package, lockDirectory) is { } s)
                requests.Add(s with { LockFile = at.File, LockLine = at.Line });
        }
        var fetched = requests.Count == 0 ? [] : fetcher.FetchAsync(requests, cancellationToken).GetAwaiter().GetResult();
        // Cache entries are named by hash: the file's name (its tags, name and version) comes from the request.
        var downloads = fetched.ToDictionary(f => f.Request.PackageName, f => (Path: f.CachedPath, f.Request.FileName), StringComparer.Ordinal);

        long bytes = 0;
        var installed = new List<InstalledPackage>();

        // Downloaded wheels unpack in parallel: each stages into its own folder and only renames into the site, so
        // they do not interfere. All their planned files are recorded as pending first, in one state write.
        var parallel = toInstall.Where(p => p.Method == Method.Wheel && downloads.ContainsKey(p.Package.Name)).ToList();
        if (parallel.Count > 0 && IndexCacheRoot is { } cacheRoot)
        {
            // Indexed, not unpacked: nothing reaches the site folder, so nothing is pending either.
            var indexed = new (WheelIndex Index, string Path)[parallel.Count];
            try
            {
                Parallel.For(0, parallel.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken }, i =>
                {
                    var wheel = downloads[parallel[i].Package.Name];
                    indexed[i] = WheelIndexCache.GetOrBuild(cacheRoot, parallel[i].Package.Wheel!.Sha256!, wheel.Path, wheel.FileName!, parallel[i].Package.Name, parallel[i].Package.Version, MaxUnpackedBytes, withFiles: false);
                });
            }
            catch (AggregateException e) when (e.InnerExceptions.FirstOrDefault(x => x is UvLambdaException or OperationCanceledException) is { } first)
            {
                // Report the package's own coded error, not the aggregate.
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(first).Throw();
            }
            for (int i = 0; i < parallel.Count; i++)
            {
                var wheel = downloads[parallel[i].Package.Name];
                state.Packages[PackageName(parallel[i])] = IndexedState(parallel[i].Key, parallel[i].Package.Version, wheel.Path, indexed[i].Path);
                installed.Add(new InstalledPackage(indexed[i].Index.Name, indexed[i].Index.Version, []));
                bytes += new FileInfo(wheel.Path).Length;
            }
            changed = true;
        }
        else if (parallel.Count > 0)
        {
            foreach (var plan in parallel)
            {
                var wheel = downloads[plan.Package.Name];
                state.Pending[PackageName(plan)] = WheelInstaller.PlannedFiles(wheel.Path, wheel.FileName).ToList();
            }
            SaveState(stateFile, state);
            var results = new InstalledPackage?[parallel.Count];
            try
            {
                Parallel.For(0, parallel.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken }, i =>
                {
                    var wheel = downloads[parallel[i].Package.Name];
                    results[i] = WheelInstaller.Install(wheel.Path, siteDirectory, parallel[i].Package.Name, parallel[i].Package.Version, wheel.FileName, MaxUnpackedBytes);
                });
            }
            catch (Exception e)
            {
                // Take the whole batch out again, so a failed build leaves neither files nor pending records behind.
                RollBack(siteDirectory, stateFile, state, parallel.Select((p, i) => (PackageName(p), results[i]?.Files)));
                // Report the package's own coded error, not the aggregate.
                if (e is AggregateException a && a.InnerExceptions.FirstOrDefault(x => x is UvLambdaException) is { } first)
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(first).Throw();
                throw;
            }
            for (int i = 0; i < parallel.Count; i++)
            {
                var name = PackageName(parallel[i]);
                state.Pending.Remove(name);
                state.Packages[name] = new InstalledState { Key = parallel[i].Key, Version = parallel[i].Package.Version, Files = results[i]!.Files.ToList(), Stamps = InstalledTree.Stamps(siteDirectory, results[i]!.Files) };
                installed.Add(results[i]!);
                bytes += new FileInfo(downloads[parallel[i].Package.Name].Path).Length;
            }
            changed = true;
        }

        foreach (var plan in toInstall.Except(parallel))
        {
            var package = plan.Package;
            var name = Core.Standards.PackageName.Normalize(package.Name);
            InstalledPackage result;
            try
            {
                if (plan.Method == Method.Source)
                {
                    state.Pending[name] = [];
                    SaveState(stateFile, state);
                    result = SourceInstaller.Install(plan.Project!, package.Version, siteDirectory);
                }
                else
                {
                    (string Path, string? FileName) wheel;
                    if (plan.Method == Method.Wheel && downloads.TryGetValue(package.Name, out var fetchedWheel))
                        wheel = fetchedWheel;
                    else if (built.TryGetValue(package.Name, out var cachedBuild))
                        wheel = (cachedBuild, null);
                    else
                    {
                        var key = UvWheelBuilder.CacheKey(plan.Key, target);
                        var path = plan.Method switch
                        {
                            Method.BuildDirectory => builder!.BuildDirectory(package, plan.Project!.Directory, key, target, cancellationToken),
                            Method.BuildSdist when downloads.TryGetValue(package.Name, out var sdist) => builder!.BuildSdist(package, sdist.Path, sdist.FileName, key, target, cancellationToken),
                            Method.BuildGit => builder!.BuildGit(package, key, target, cancellationToken),
                            _ => throw AtLock(package, ErrorCodes.BuildRequired,
                                $"'{package.Name}' {package.Version} has no wheel to install (it comes from {package.SourceName}) and must be built. Install uv so UvLambda can run `uv build --wheel`, or lock a version that publishes wheels."),
                        };
                        wheel = (path, null);
                    }
                    if (IndexCacheRoot is { } root)
                    {
                        var sha = plan.Package.Wheel?.Sha256 is { Length: 64 } locked && downloads.ContainsKey(package.Name) ? locked : HashFile(wheel.Path);
                        var (index, indexPath) = WheelIndexCache.GetOrBuild(root, sha, wheel.Path, wheel.FileName ?? Path.GetFileName(wheel.Path), package.Name, package.Version, MaxUnpackedBytes, withFiles: false);
                        state.Packages[name] = IndexedState(plan.Key, package.Version, wheel.Path, indexPath);
                        installed.Add(new InstalledPackage(index.Name, index.Version, []));
                        bytes += new FileInfo(wheel.Path).Length;
                        changed = true;
                        continue;
                    }
                    state.Pending[name] = WheelInstaller.PlannedFiles(wheel.Path, wheel.FileName).ToList();
                    SaveState(stateFile, state);
                    // A built wheel must be the locked package (a dynamic version is not checked).
                    result = WheelInstaller.Install(wheel.Path, siteDirectory, package.Name, package.Version, wheel.FileName, MaxUnpackedBytes);
                    bytes += new FileInfo(wheel.Path).Length;
                }
            }
            catch (Exception) when (state.Pending.ContainsKey(name))
            {
                RollBack(siteDirectory, stateFile, state, [(name, null)]);
                throw;
            }
            state.Pending.Remove(name);
            state.Packages[name] = new InstalledState { Key = plan.Key, Version = package.Version, Files = result.Files.ToList(), Stamps = InstalledTree.Stamps(siteDirectory, result.Files) };
            installed.Add(result);
            changed = true;
        }
        // Two packages may install one path: whichever wrote last, every owner's stamp must be the file's.
        if (installed.Count > 0) InstalledTree.RestampShared(state, siteDirectory);
        // Last, after every file and folder change of this build.
        if (changed) InstalledTree.StampFolders(state, siteDirectory);
        if (changed) SaveState(stateFile, state);
        if (installed.Count > 0)
            log.Info($"Installed {installed.Count} package(s) ({ByteSize.Format(bytes)}) in {stopwatch.Elapsed.TotalSeconds:0.0} s");
        return new InstallResult(installed.Count, removed, desired.Count - installed.Count, changed, installed);
    }

    private static string PackageName(Plan plan) => Core.Standards.PackageName.Normalize(plan.Package.Name);

    private static InstalledState IndexedState(string key, string? version, string wheelPath, string indexPath) => new()
    {
        Key = key, Version = version, Wheel = Path.GetFullPath(wheelPath), Index = indexPath, Files = [], Stamps = [],
        WheelStamp = InstalledTree.Stat(wheelPath), IndexStamp = InstalledTree.Stat(indexPath),
    };

    private static string HashFile(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(stream)).ToLowerInvariant();
    }

    /// <summary>The packages whose wheels were indexed rather than unpacked: name, the wheel and its index.</summary>
    internal static IReadOnlyList<(string Package, string Wheel, string Index)> IndexedPackages(string stateFile) =>
        LoadInstalled(stateFile).Packages.Where(p => p.Value.Index is not null).Select(p => (p.Key, p.Value.Wheel!, p.Value.Index!)).ToList();

    /// <summary>
    /// The cache files an install rests on when every package was indexed (each wheel and its index), sorted; null
    /// when some package was unpacked into the site folder (source installs, <c>uv pip install</c>) or there is no
    /// state. The build skips the install step while none of these changed (see UvLambda.Python.targets).
    /// </summary>
    public static IReadOnlyList<string>? CacheFilesWhenAllIndexed(string stateFile)
    {
        if (!File.Exists(stateFile)) return null;
        var state = LoadState(stateFile);
        if (state.Pending.Count > 0 || state.Packages.Values.Any(p => p.Index is null || p.Wheel is null)) return null;
        return state.Packages.Values.SelectMany(p => new[] { p.Wheel!, p.Index! }).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>Every installed file by package, from the state file (for the audit and the size report).</summary>
    public static IReadOnlyList<(string Package, string RelativePath)> InstalledFiles(string stateFile) =>
        LoadInstalled(stateFile).Packages.SelectMany(p => p.Value.Files.Select(f => (p.Key, f))).ToList();

    private static Plan PlanFor(ResolvedPackage p)
    {
        if (p.Source is ResolvedSource.Workspace or ResolvedSource.Directory && p.LocalPath is { } local)
        {
            var project = PyProject.Load(Path.Combine(local, UvWorkspace.PyProjectFileName));
            if (SourceLayout.WhyABuildIsNeeded(project) is { } why)
                return new Plan(p, "build:" + UvWheelBuilder.Fingerprint(project.Directory, p.Version), Method.BuildDirectory, project, $"it cannot be installed by copying its sources: {why}");
            return new Plan(p, "source:" + SourceInstaller.Fingerprint(project, p.Version), Method.Source, project);
        }
        if (p.Wheel is { } w) return new Plan(p, "wheel:" + (w.Sha256 ?? w.Name), Method.Wheel);
        if (p.Source == ResolvedSource.Git)
            return new Plan(p, "git:" + p.Locked.Source.Value, Method.BuildGit, Why: "it comes from git and has no wheel");
        if (p.Sdist is { Sha256: { } sha })
            return new Plan(p, "sdist:" + sha.ToLowerInvariant(), Method.BuildSdist, Why: $"it comes from {p.SourceName} as an sdist only");
        return new Plan(p, "none:" + p.Name + p.Version, Method.Unbuildable);
    }

    /// <summary>Removes WheelInstaller's staging folders beside the site whose owner process is gone.</summary>
    /// <remarks>
    /// Folders named as before <see cref="TempOwner"/>'s one format (<c>.uvlambda-wheel-PID.START-GUID.tmp</c>) are not
    /// recognised: only development builds ever wrote them, and obj/ goes with <c>dotnet clean</c>.
    /// </remarks>
    private static void DeleteAbandonedStaging(string siteDirectory)
    {
        if (Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(siteDirectory))) is { } parent)
            TempOwner.DeleteAbandoned(parent, WheelInstaller.StagingPrefix);
    }

    /// <summary>After a failed install: removes what the failed packages planned or wrote (unless another package owns it) and their pending records.</summary>
    private static void RollBack(string siteDirectory, string stateFile, InstallState state, IEnumerable<(string Name, IReadOnlyList<string>? Written)> packages)
    {
        foreach (var (name, written) in packages)
        {
            var files = (state.Pending.TryGetValue(name, out var planned) ? planned : []).Concat(written ?? []).ToList();
            state.Pending.Remove(name);
            DeleteFiles(siteDirectory, files, keep: OwnedFiles(state, except: null));
        }
        SaveState(stateFile, state);
    }

    private static HashSet<string> OwnedFiles(InstallState state, string? except) =>
        state.Packages.Where(p => p.Key != except).SelectMany(p => p.Value.Files).ToHashSet(StringComparer.Ordinal);

    private static void DeleteFiles(string root, IEnumerable<string> files, HashSet<string> keep)
    {
        var dirs = new HashSet<string>(StringComparer.Ordinal);
        foreach (var f in files)
        {
            if (keep.Contains(f)) continue;
            var full = Path.Combine(root, f);
            if (File.Exists(full)) File.Delete(full);
            for (var d = Path.GetDirectoryName(f); !string.IsNullOrEmpty(d); d = Path.GetDirectoryName(d)) dirs.Add(d);
        }
        // Deepest first, so emptied parents go too.
        foreach (var d in dirs.OrderByDescending(d => d.Length))
        {
            var full = Path.Combine(root, d);
            if (Directory.Exists(full) && !Directory.EnumerateFileSystemEntries(full).Any()) Directory.Delete(full);
        }
    }

    /// <summary>The state as recorded; <paramref name="sealedOnly"/> returns an empty state for one whose checksum does not match (edited by hand or damaged).</summary>
    private static InstallState LoadState(string stateFile, bool sealedOnly = false)
    {
        try
        {
            if (!File.Exists(stateFile)) return new InstallState();
            var text = File.ReadAllText(stateFile);
            var json = sealedOnly ? Unseal(text) : text;
            // Unreadable or untrusted: start over, as if nothing were installed.
            return json is null ? new InstallState() : JsonSerializer.Deserialize(json, InstallStateJson.Default.InstallState) ?? new InstallState();
        }
        catch (JsonException)
        {
            return new InstallState();
        }
    }

    /// <summary>
    /// The state as packaging, the audit and images read it, after the install step ran or was skipped as up to date.
    /// Skipped, it was judged by write times only: a state damaged since (cut short, edited) with its write time put
    /// back would read as nothing installed and ship a package without its dependencies. So a state that is not what
    /// was written (sealed by the native installer, plain JSON by uv's) is deleted, which makes the next build's
    /// install step run, and reported (UVL3007).
    /// </summary>
    private static InstallState LoadInstalled(string stateFile)
    {
        if (!File.Exists(stateFile)) return new InstallState();
        var text = File.ReadAllText(stateFile);
        var json = text.StartsWith(SealPrefix, StringComparison.Ordinal) ? Unseal(text) : text;
        InstallState? state = null;
        try
        {
            if (json is not null) state = JsonSerializer.Deserialize(json, InstallStateJson.Default.InstallState);
        }
        catch (JsonException)
        {
        }
        if (state is not null) return state;
        File.Delete(stateFile);
        throw new UvLambdaException(ErrorCodes.InstallStateDamaged,
            $"'{stateFile}' (what the install step installed) is damaged, and its write time did not show it, so the install step was skipped. It was deleted: build again, and the dependencies are installed anew.");
    }

    private static void SaveState(string stateFile, InstallState state) =>
        AtomicFile.WriteAllText(stateFile, Seal(JsonSerializer.Serialize(state, InstallStateJson.Default.InstallState)));

    private const string SealPrefix = "{\n  \"checksum\": \"";

    /// <summary>
    /// The state's JSON with a first property holding a checksum of the JSON without it: any edit shows, and the check
    /// costs one pass over the text rather than a second serialization. Still plain JSON for other readers. The
    /// checksum guards against hand edits and damage, not attacks, so it is a fast non-cryptographic one (a no-op
    /// build should not pay for loading the crypto library).
    /// </summary>
    internal static string Seal(string json) => SealPrefix + Checksum(json) + "\"," + json[1..];

    /// <summary>The JSON <see cref="Seal"/> sealed, or null when the text is not sealed or was changed since.</summary>
    internal static string? Unseal(string text)
    {
        const int Digits = 16;
        if (!text.StartsWith(SealPrefix, StringComparison.Ordinal) || text.Length < SealPrefix.Length + Digits + 2
            || text[SealPrefix.Length + Digits] != '"' || text[SealPrefix.Length + Digits + 1] != ',')
            return null;
        var json = "{" + text[(SealPrefix.Length + Digits + 2)..];
        return string.CompareOrdinal(text, SealPrefix.Length, Checksum(json), 0, Digits) == 0 ? json : null;
    }

    /// <summary><see cref="Checksum64"/> over the UTF-16 text, as 16 hex digits.</summary>
    private static string Checksum(string text) =>
        Checksum64.Compute(System.Runtime.InteropServices.MemoryMarshal.AsBytes(text.AsSpan())).ToString("x16", System.Globalization.CultureInfo.InvariantCulture);
}

internal sealed class InstallState
{
    public int Version { get; set; }
    public string Target { get; set; } = "";
    public SortedDictionary<string, InstalledState> Packages { get; set; } = new(StringComparer.Ordinal);
    public SortedDictionary<string, List<string>> Pending { get; set; } = new(StringComparer.Ordinal);
    /// <summary>Every folder holding installed files ("" the site itself), sorted; <see cref="FolderTimes"/> has their write times.</summary>
    public List<string>? Folders { get; set; }

    /// <summary>The folders' write times when last installed, packed (8 bytes each, base64): a file added or removed changes its folder's.</summary>
    public string? FolderTimes { get; set; }
}

internal sealed class InstalledState
{
    public string Key { get; set; } = "";
    public string? Version { get; set; }
    /// <summary>Indexed (not unpacked) packages: the wheel in the content cache and its <see cref="WheelIndex"/>, each
    /// with its stamp when installed, so a build notices either changing under it (a cache clean, an edit) without reading them.</summary>
    public string? Wheel { get; set; }
    public string? Index { get; set; }
    public FileStamp? WheelStamp { get; set; }
    public FileStamp? IndexStamp { get; set; }
    public List<string> Files { get; set; } = [];

    private List<FileStamp>? _stamps;
    private string? _stampData;

    /// <summary>Per file of <see cref="Files"/> (same order): size, write time, mode, as installed. Null: unknown (the package is reinstalled).</summary>
    [JsonIgnore]
    public List<FileStamp>? Stamps
    {
        get => _stamps ??= FileStamp.Unpack(_stampData, Files.Count);
        set { _stamps = value; _stampData = null; }
    }

    /// <summary>The stamps packed (20 bytes a file, base64): a large tree's state stays small and quick to read on every build.</summary>
    [JsonPropertyName("stamps")]
    public string? StampData
    {
        get => _stamps is { } stamps ? FileStamp.Pack(stamps) : _stampData;
        set { _stampData = value; _stamps = null; }
    }
}

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(InstallState))]
internal sealed partial class InstallStateJson : JsonSerializerContext;
