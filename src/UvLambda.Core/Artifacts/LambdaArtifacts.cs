using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using UvLambda.Core.Diagnostics;
using UvLambda.Core.FileSystem;
using UvLambda.Core.Install;
using UvLambda.Core.Projects;
using UvLambda.Core.Archives;

namespace UvLambda.Core.Artifacts;

/// <summary>What to build: the package type's zips, trimming, bytecode, and the size budget.</summary>
public sealed record ArtifactOptions
{
    /// <summary>"Zip": one flat function zip at <see cref="PackagePath"/>. "Layer": dependencies under python/ at
    /// <see cref="LayerPath"/>, the app at <see cref="AppPath"/>.</summary>
    public string PackageType { get; init; } = "Zip";
    public string? PackagePath { get; init; }
    public string? LayerPath { get; init; }
    public string? AppPath { get; init; }
    public string? SiteDirectory { get; init; }
    /// <summary>install-state.json, to attribute installed files to packages (for the size table and workspace members).</summary>
    public string? StateFile { get; init; }
    /// <summary>Normalized names of workspace members and directory sources (installed from source).</summary>
    public IReadOnlyCollection<string> WorkspacePackages { get; init; } = [];
    /// <summary>"App" (default) or "Layer": where workspace members go when PackageType is Layer.</summary>
    public string WorkspaceIn { get; init; } = "App";
    /// <summary>LambdaLayerSplit=Local (Layer only): a second layer zip here for <see cref="LocalPackages"/>, so
    /// third-party and in-house code version independently.</summary>
    public string? LocalLayerPath { get; init; }
    /// <summary>Normalized names of in-house packages: path sources (local wheels), workspace members, directory sources.</summary>
    public IReadOnlyCollection<string> LocalPackages { get; init; } = [];
    public IReadOnlyList<string> Excludes { get; init; } = [];
    /// <summary>Set to compile bytecode: the runtime's Python version ("3.13").</summary>
    public string? BytecodePythonVersion { get; init; }
    public string? LocalPython { get; init; }
    /// <summary>Where compiled bytecode and compressor stamps are kept (obj/&lt;cfg&gt;/uvlambda).</summary>
    public string? IntermediateDirectory { get; init; }
    /// <summary>Bytes reserved for layers attached from elsewhere, counted against Lambda's unzipped limit.</summary>
    public long LayerSizeBudget { get; init; }
    public string? SizeReportPath { get; init; }
    public DateTime Timestamp { get; init; } = ArchiveTimestamp.ZipEpoch;
    public bool ReuseCompressedEntries { get; init; } = true;
    /// <summary>Tests lower it to exercise the warning without writing 50 MB.</summary>
    internal long DirectUploadLimitBytes { get; init; } = LambdaArtifacts.DirectUploadLimit;

}

public sealed record ArtifactResult(IReadOnlyList<(string Path, ZipWriteResult Zip)> Zips, long UnzippedTotal, IReadOnlyList<(string Package, long Bytes, int Files)> PackageSizes)
{
    public long UncompressedBytes => Zips.Sum(z => z.Zip.UncompressedBytes);
}

/// <summary>
/// Builds a function's deployment artifacts from the app's files and the installed dependencies: the package type's
/// zips (deterministic, reusing unchanged compressed entries), LambdaExclude trimming, optional bytecode, and Lambda's
/// size limits checked before anything is written.
/// </summary>
public static class LambdaArtifacts
{
    /// <summary>Lambda: function plus all its layers, unzipped.</summary>
    public const long UnzippedLimit = 262_144_000;
    /// <summary>Lambda: a zip uploaded directly (larger ones go through S3).</summary>
    public const long DirectUploadLimit = 52_428_800;
    public const string AppPackageName = "(app)";

    /// <summary>One file to ship: its path in the zip, where its bytes come from, its package, and the path it is imported by.</summary>
    private sealed record Item(string Path, ArchiveEntry Source, string Package, string? ImportPath, InstalledFile? Installed = null)
    {
        public int Mode => Source.UnixMode;
        public ArchiveEntry ToEntry() => Source.Path == Path ? Source : Source.WithPath(Path);
    }

    // Compiled optimized at once: it loops over every installed file in its one call per build (see DeterministicZipWriter).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static ArtifactResult Create(ArtifactOptions options, IReadOnlyList<LambdaSourceFile> appFiles, LambdaHandler handler, IBuildLog log, string? projectFile = null,
        CancellationToken cancellationToken = default)
    {
        bool layer = options.PackageType.Equals("Layer", StringComparison.OrdinalIgnoreCase);
        if (!layer && !options.PackageType.Equals("Zip", StringComparison.OrdinalIgnoreCase))
            throw new UvLambdaException(ErrorCodes.InvalidArtifactSetting, $"LambdaPackageType '{options.PackageType}' has no zip artifacts; use Zip or Layer.", projectFile);
        bool workspaceInLayer = options.WorkspaceIn.Equals("Layer", StringComparison.OrdinalIgnoreCase);
        if (!workspaceInLayer && !options.WorkspaceIn.Equals("App", StringComparison.OrdinalIgnoreCase))
            throw new UvLambdaException(ErrorCodes.InvalidArtifactSetting, $"LambdaWorkspaceIn '{options.WorkspaceIn}' is not App or Layer.", projectFile);

        // A build killed while writing any of the zips this project can have left a temp file beside it, also one this
        // build does not write (another package type now): swept here, one listing per output folder (the writer does not).
        foreach (var folder in new[] { options.PackagePath, options.LayerPath, options.AppPath, options.LocalLayerPath }
                     .OfType<string>().Select(o => Path.GetDirectoryName(Path.GetFullPath(o))!).Distinct(StringComparer.Ordinal))
            TempOwner.DeleteAbandoned(folder);

        // package.zip after an app-only change: the installed packages' block as it was, without loading the install.
        string? dependencyKey = !layer && options.ReuseCompressedEntries && options.IntermediateDirectory is not null && options.PackagePath is not null
            && options.BytecodePythonVersion is not { Length: > 0 } ? DependencyBlock.KeyFor(options, options.PackagePath) : null;
        if (dependencyKey is not null && AppOnly(options, appFiles, handler, log, projectFile, dependencyKey, cancellationToken) is { } appOnly)
            return appOnly;
        // layer.zip likewise, when it would be written again as it is: only app.zip is written (its app files only:
        // no workspace member or local package goes with the app, no second layer, no bytecode).
        string? layerKey = layer && options.ReuseCompressedEntries && options.IntermediateDirectory is not null && options.LayerPath is not null
            && options.LocalLayerPath is null && options.BytecodePythonVersion is not { Length: > 0 } && options.WorkspacePackages.Count == 0
            && options.LocalPackages.Count == 0 ? DependencyBlock.KeyFor(options, options.LayerPath) : null;
        if (layerKey is not null && LayerUnchanged(options, appFiles, handler, log, projectFile, layerKey, cancellationToken) is { } appOnlyLayer)
            return appOnlyLayer;

        bool splitLocal = layer && options.LocalLayerPath is not null;
        var excludes = new ExcludeGlob(options.Excludes);
        // Installed packages first and the app's own files last in each zip: an app-only change then keeps the
        // dependencies' bytes, at the start of the zip, as they were (one block copy).
        var app = new List<Item>();
        var appInstalled = new List<Item>();
        var dependencies = new List<Item>();
        var localLayer = new List<Item>();
        app.AddRange(AppItems(appFiles, excludes));
        int excluded = appFiles.Count - app.Count;
        bool bytecode = options.BytecodePythonVersion is { Length: > 0 };
        if (options.StateFile is not null || options.SiteDirectory is not null)
        {
            var workspace = options.WorkspacePackages.Select(Standards.PackageName.Normalize).ToHashSet(StringComparer.Ordinal);
            var local = options.LocalPackages.Select(Standards.PackageName.Normalize).ToHashSet(StringComparer.Ordinal);
            foreach (var installed in InstalledSet.Load(options.StateFile, options.SiteDirectory))
            {
                var entry = installed.Entry;
                if (excludes.IsExcluded(entry.Path)) { excluded++; continue; }
                var package = installed.Package;
                bool toLocal = splitLocal && local.Contains(package);
                bool toApp = layer && !toLocal && workspace.Contains(package) && !workspaceInLayer;
                var target = !layer ? dependencies : toApp ? appInstalled : toLocal ? localLayer : dependencies;
                var path = layer && !toApp ? "python/" + entry.Path : entry.Path;
                // The installed file itself is kept only for bytecode (its file on disk); otherwise its entry is all that is
                // needed, and 28k installed-file records need not outlive this loop.
                target.Add(new Item(path, entry, package, entry.Path, bytecode ? installed : null));
            }
        }
        if (excluded > 0) log.Detail($"LambdaExclude removed {excluded} file(s)");

        if (options.BytecodePythonVersion is { Length: > 0 } version)
        {
            var compiler = BytecodeCompiler.Find(version, options.LocalPython, Path.Combine(options.IntermediateDirectory ?? Path.Combine(Path.GetTempPath(), "uvlambda"), "bytecode"), projectFile);
            var lists = new[] { dependencies, localLayer, appInstalled, app };
            var sources = lists.SelectMany(l => l).Where(i => i.Path.EndsWith(".py", StringComparison.Ordinal)).ToList();
            cancellationToken.ThrowIfCancellationRequested();
            var pycs = compiler.Compile(sources.Select(i => (i.Installed?.PathOnDisk() ?? i.Source.SourceFile ?? throw new InvalidOperationException(i.Path), i.ImportPath!)).ToList(), log);
            foreach (var list in lists)
            {
                var added = list.Where(i => i.Path.EndsWith(".py", StringComparison.Ordinal) && pycs.ContainsKey(i.ImportPath!))
                    .Select(i => { var pyc = compiler.PycPath(i.Path); return new Item(pyc, ArchiveEntry.FromFile(pyc, pycs[i.ImportPath!], 0x1A4), i.Package, null); }).ToList();
                list.AddRange(added);
            }
        }

        // The handler's module must be importable: from the function root, or (Layer) from python/ on /opt.
        var importable = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var i in app.Concat(appInstalled).Concat(layer ? [] : dependencies)) importable.TryAdd(i.Path, i.Mode);
        // A script handler runs from the function root (/var/task); a module may also come from a layer's python/.
        if (!handler.IsScript && layer)
            foreach (var i in dependencies.Concat(localLayer)) if (i.ImportPath is { } p) importable.TryAdd(p, i.Mode);
        handler.EnsureIn(importable, projectFile);

        var sizes = Sizes(app.Concat(appInstalled).Concat(dependencies).Concat(localLayer));
        var (total, table) = CheckSizes(sizes, options, projectFile);

        var zips = new List<(string, ZipWriteResult)>();
        if (layer)
        {
            // An empty layer would be published and attached for nothing: write none (an earlier build's is
            // removed by the SDK's incremental clean) and say so once.
            var layerPath = Require(options.LayerPath, "LayerPath");
            if (dependencies.Count > 0)
            {
                var written = Write(layerPath, [dependencies], options, cancellationToken);
                zips.Add((layerPath, written));
                if (layerKey is not null && written.Blocks.Count == 1) RecordDependencyBlock(layerKey, layerPath, dependencies, written.Blocks[0], options);
            }
            else log.Info($"{Path.GetFileName(layerPath)}: no third-party packages to ship in a layer; none is written or published.");
            if (splitLocal)
            {
                if (localLayer.Count > 0) zips.Add((options.LocalLayerPath!, Write(options.LocalLayerPath!, [localLayer], options, cancellationToken)));
                else log.Info($"{Path.GetFileName(options.LocalLayerPath!)}: no in-house packages (local wheels, workspace members) to ship in a layer; none is written or published.");
            }
            zips.Add((Require(options.AppPath, "AppPath"), Write(Require(options.AppPath, "AppPath"), [appInstalled, app], options, cancellationToken)));
        }
        else
        {
            var packagePath = Require(options.PackagePath, "PackagePath");
            var written = Write(packagePath, [dependencies, app], options, cancellationToken);
            zips.Add((packagePath, written));
            if (dependencyKey is not null && written.Blocks.Count == 2) RecordDependencyBlock(dependencyKey, packagePath, dependencies, written.Blocks[0], options);
        }
        return Finish(zips, total, sizes, table, options, log, projectFile);
    }

    /// <summary>
    /// package.zip when the installed packages' block is what the previous build wrote (<see cref="DependencyBlock"/>):
    /// that block is copied from the previous zip as it is and only the app's files are written. Null: take the full path.
    /// </summary>
    private static ArtifactResult? AppOnly(ArtifactOptions options, IReadOnlyList<LambdaSourceFile> appFiles, LambdaHandler handler, IBuildLog log, string? projectFile, string key,
        CancellationToken cancellationToken)
    {
        var packagePath = options.PackagePath!;
        if (UnchangedBlock(options, appFiles, handler, projectFile, packagePath, key) is not var (block, app, sizes, total, table)) return null;
        var prefix = new ZipPrefix(Path.GetFullPath(packagePath), block.End.Entries, block.End.Bytes, block.End.CentralBytes, block.NameSet, block.Files, block.Directories, block.UncompressedBytes);
        if (DeterministicZipWriter.WriteAfterPrefix(packagePath, prefix, app.Select(i => i.ToEntry()).ToList(), options.Timestamp, reuse: Reuse(packagePath, options), cancellationToken: cancellationToken) is not { } written)
            return null;
        var (length, time) = DependencyBlock.Stamp(packagePath);
        (block with { ZipLength = length, ZipTime = time }).Write(DependencyBlock.PathFor(options.IntermediateDirectory!, packagePath));
        return Finish([(packagePath, written)], total, sizes, table, options, log, projectFile);
    }

    /// <summary>
    /// What both shortcuts start from: <paramref name="zipPath"/>'s recorded dependency block when its key is
    /// <paramref name="key"/> and the zip has the size and write time recorded after it was written; the app's items,
    /// the handler among them (one among the installed packages, or missing, takes the full path, which knows their
    /// modes and says what is missing); and the sizes, checked against Lambda's limit. Null: take the full path.
    /// </summary>
    private static (DependencyBlock Block, List<Item> App, List<(string Package, long Bytes, int Files)> Sizes, long Total, StringBuilder Table)? UnchangedBlock(
        ArtifactOptions options, IReadOnlyList<LambdaSourceFile> appFiles, LambdaHandler handler, string? projectFile, string zipPath, string key)
    {
        if (DependencyBlock.TryRead(DependencyBlock.PathFor(options.IntermediateDirectory!, zipPath)) is not { } block || block.Key != key) return null;
        if (DependencyBlock.Stamp(zipPath) != (block.ZipLength, block.ZipTime)) return null;

        var app = AppItems(appFiles, new ExcludeGlob(options.Excludes));
        var importable = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var i in app) importable.TryAdd(i.Path, i.Mode);
        if (handler.IsScript ? !importable.ContainsKey(handler.Value) : !handler.IsModuleIn(importable.Keys.ToHashSet(StringComparer.Ordinal))) return null;
        handler.EnsureIn(importable, projectFile);

        var sizes = block.Sizes.Concat(Sizes(app)).OrderByDescending(s => s.Bytes).ThenBy(s => s.Package, StringComparer.Ordinal).ToList();
        var (total, table) = CheckSizes(sizes, options, projectFile);
        return (block, app, sizes, total, table);
    }

    /// <summary>Records the installed packages' block of a zip just written (<see cref="DependencyBlock"/>): the writer has
    /// checked that no two paths are equal.</summary>
    private static void RecordDependencyBlock(string key, string zipPath, List<Item> dependencies, ZipBlockEnd end, ArtifactOptions options)
    {
        var paths = dependencies.ConvertAll(i => i.Path);
        var directories = ArchivePath.ParentDirectories(paths);
        var names = new List<string>(paths.Count + directories.Count);
        names.AddRange(paths);
        foreach (var d in directories) names.Add(d + "/");
        int files = paths.Count;
        var (length, time) = DependencyBlock.Stamp(zipPath);
        var dependencySizes = Sizes(dependencies);
        new DependencyBlock(key, length, time, end, files, names.Count - files, dependencySizes.Sum(p => p.Bytes), dependencySizes, names)
            .Write(DependencyBlock.PathFor(options.IntermediateDirectory!, zipPath));
    }

    /// <summary>
    /// Layer: layer.zip is what the previous build wrote for the same install and settings (<see cref="DependencyBlock"/>,
    /// and the file has the size and write time recorded then), so it is left as it is, unread, and only app.zip is
    /// written. Null: take the full path (also when the handler is not in the app, which the full path checks).
    /// </summary>
    private static ArtifactResult? LayerUnchanged(ArtifactOptions options, IReadOnlyList<LambdaSourceFile> appFiles, LambdaHandler handler, IBuildLog log, string? projectFile, string key,
        CancellationToken cancellationToken)
    {
        var layerPath = options.LayerPath!;
        if (UnchangedBlock(options, appFiles, handler, projectFile, layerPath, key) is not var (block, app, sizes, total, table)) return null;
        var layerZip = new ZipWriteResult(block.Files, block.Directories, block.UncompressedBytes, block.ZipLength, ReusedEntries: block.Files, Written: false);
        var appPath = Require(options.AppPath, "AppPath");
        var appZip = Write(appPath, [[], app], options, cancellationToken);
        return Finish([(layerPath, layerZip), (appPath, appZip)], total, sizes, table, options, log, projectFile);
    }

    private static (long Total, StringBuilder Table) CheckSizes(List<(string Package, long Bytes, int Files)> sizes, ArtifactOptions options, string? projectFile)
    {
        long total = sizes.Sum(s => s.Bytes) + options.LayerSizeBudget;
        var table = SizeTable(sizes, options.LayerSizeBudget, total);
        if (total > UnzippedLimit)
        {
            throw new UvLambdaException(ErrorCodes.UnzippedSizeLimitExceeded,
                $"The function would be {ByteSize.Format(total)} unzipped ({total.ToString("N0", CultureInfo.InvariantCulture)} bytes" +
                (options.LayerSizeBudget > 0 ? $", including LambdaLayerSizeBudget {options.LayerSizeBudget.ToString("N0", CultureInfo.InvariantCulture)}" : "") +
                $"); Lambda allows {ByteSize.WithBytes(UnzippedLimit)} for the function and all its layers. Largest packages: " +
                string.Join(", ", sizes.Take(10).Select(s => $"{s.Package} {ByteSize.Format(s.Bytes)}")) +
                ". Trim them with LambdaExclude items (e.g. **/tests/**), drop dependencies, or deploy as a container image.", projectFile);
        }
        return (total, table);
    }

    private static ArtifactResult Finish(List<(string, ZipWriteResult)> zips, long total, List<(string Package, long Bytes, int Files)> sizes, StringBuilder table,
        ArtifactOptions options, IBuildLog log, string? projectFile)
    {
        foreach (var (path, zip) in zips)
        {
            log.Info($"{Path.GetFileName(path)}: {zip.FileCount} files, {ByteSize.Format(zip.UncompressedBytes)} unzipped, {ByteSize.Format(zip.ArchiveBytes)} zipped" +
                (zip.ReusedEntries > 0 ? $" ({zip.ReusedEntries} reused{(zip.Written ? "" : ", unchanged")})" : "") +
                (zip.CopiedEntries > 0 ? $" ({zip.CopiedEntries} copied compressed from wheels)" : "") + $" -> {path}");
            if (zip.ArchiveBytes > options.DirectUploadLimitBytes)
                log.Warning(ErrorCodes.ZipTooLargeForDirectUpload,
                    $"{Path.GetFileName(path)} is {ByteSize.WithBytes(zip.ArchiveBytes)}, over the {ByteSize.WithBytes(options.DirectUploadLimitBytes)} Lambda accepts in a direct upload: deploy it through S3.",
                    projectFile);
        }
        if (options.SizeReportPath is { } report)
        {
            var text = table.ToString();
            if (!File.Exists(report) || File.ReadAllText(report) != text) AtomicFile.WriteAllText(report, text);
            log.Info($"Lambda size report ({report}):\n{text.TrimEnd()}");
        }
        return new ArtifactResult(zips, total, sizes);
    }

    private static string Require(string? path, string name) =>
        path ?? throw new ArgumentException($"{name} is required for this package type");

    private static ZipWriteResult Write(string path, List<Item>[] blocks, ArtifactOptions options, CancellationToken cancellationToken)
    {
        var entries = blocks.Select(b => (IReadOnlyList<ArchiveEntry>)b.Select(i => i.ToEntry()).ToList()).ToList();
        return DeterministicZipWriter.Write(path, entries, options.Timestamp, reuse: Reuse(path, options), cancellationToken: cancellationToken);
    }

    /// <summary>Reuse of a zip's previous compressed bytes, with its compressor stamp in obj/ (none without obj/ or when turned off).</summary>
    private static ZipReuse? Reuse(string zipPath, ArtifactOptions options) =>
        options.ReuseCompressedEntries && options.IntermediateDirectory is not null
            ? new ZipReuse(zipPath, Path.Combine(options.IntermediateDirectory, Path.GetFileName(zipPath) + ".compressor"))
            : null;

    /// <summary>The app's files that ship: LambdaExclude applied.</summary>
    private static List<Item> AppItems(IReadOnlyList<LambdaSourceFile> appFiles, ExcludeGlob excludes) =>
        appFiles.Where(f => !excludes.IsExcluded(f.PackagePath)).Select(f => new Item(f.PackagePath, f.ToArchiveEntry(), AppPackageName, f.PackagePath)).ToList();

    // One pass, compiled optimized at once: it runs over every installed file (see DeterministicZipWriter).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static List<(string Package, long Bytes, int Files)> Sizes(IEnumerable<Item> items)
    {
        var byPackage = new Dictionary<string, (long Bytes, int Files)>(StringComparer.Ordinal);
        foreach (var i in items)
        {
            var (bytes, files) = byPackage.GetValueOrDefault(i.Package);
            byPackage[i.Package] = (bytes + i.Source.Length, files + 1);
        }
        return byPackage.Select(p => (p.Key, p.Value.Bytes, p.Value.Files))
            .OrderByDescending(s => s.Bytes).ThenBy(s => s.Key, StringComparer.Ordinal).ToList();
    }

    private static StringBuilder SizeTable(List<(string Package, long Bytes, int Files)> sizes, long layerBudget, long total)
    {
        var sb = new StringBuilder();
        int width = Math.Max(24, sizes.Select(s => s.Package.Length).DefaultIfEmpty(0).Max());
        sb.Append(CultureInfo.InvariantCulture, $"{"package".PadRight(width)} {"files",7} {"bytes",14} {"share",7}\n");
        foreach (var (package, bytes, files) in sizes)
            sb.Append(CultureInfo.InvariantCulture, $"{package.PadRight(width)} {files,7} {bytes,14:N0} {Share(bytes, total),7}\n");
        if (layerBudget > 0)
            sb.Append(CultureInfo.InvariantCulture, $"{"(LambdaLayerSizeBudget)".PadRight(width)} {"",7} {layerBudget,14:N0} {Share(layerBudget, total),7}\n");
        sb.Append(CultureInfo.InvariantCulture, $"{"total unzipped".PadRight(width)} {sizes.Sum(s => s.Files),7} {total,14:N0} {Share(total, UnzippedLimit),7} of Lambda's {UnzippedLimit:N0}\n");
        return sb;
    }

    private static string Share(long part, long whole) => whole == 0 ? "" : (100.0 * part / whole).ToString("0.0", CultureInfo.InvariantCulture) + "%";

}
