using System.Diagnostics;
using UvLambda.Benchmarks;
using UvLambda.Core.Archives;
using UvLambda.Core.Locking;
using UvLambda.Core.Environments;
using UvLambda.Core.Artifacts;

if (args.Length > 0 && args[0] == "zip")
{
    ZipBench.Run(args[1..]);
    return;
}

// --layer DIR: times the image's dependencies layer (deterministic tar.gz with diff_id and digest) over DIR's files.
if (args.Length >= 2 && args[0] == "--layer")
{
    var tree = Path.GetFullPath(args[1]);
    var layerRuns = args.Length >= 4 && args[2] == "--runs" ? int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 5;
    var outDir = Path.Combine(Path.GetTempPath(), "uvlambda-bench-layer-" + Guid.NewGuid().ToString("N"));
    try
    {
        var files = UvLambda.Core.Artifacts.FunctionPackage.SiteEntries(tree).ToList();
        UvLambda.Core.Containers.LayerWriter.Write(outDir, files, "var/task", 0); // warm-up
        var times = new double[layerRuns];
        UvLambda.Core.Containers.LayerBlob? blob = null;
        for (var i = 0; i < layerRuns; i++)
        {
            var sw = Stopwatch.StartNew();
            blob = UvLambda.Core.Containers.LayerWriter.Write(outDir, UvLambda.Core.Artifacts.FunctionPackage.SiteEntries(tree).ToList(), "var/task", 0);
            times[i] = sw.Elapsed.TotalMilliseconds;
        }
        Array.Sort(times);
        Console.WriteLine($"layer files={files.Count} bytes={blob!.Size} digest={blob.Digest}");
        Console.WriteLine(FormattableString.Invariant($"median_ms={times[layerRuns / 2]:F3}"));
    }
    finally
    {
        Directory.Delete(outDir, recursive: true);
    }
    return;
}

// Times UvLockReader.Load + LockResolver.Resolve of one lock, in process and warm: a Stopwatch loop with warm-up,
// reporting the median. BenchmarkDotNet would add minutes per run for a figure this loop already pins well.
// Usage: UvLambda.Benchmarks LOCK_DIR [--runs N] [--python X.Y] [--arch x86_64|arm64]
//        UvLambda.Benchmarks make-wheels SITE_PACKAGES OUT_DIR DIST_INFO...   (repacks installed packages as wheels)
//        UvLambda.Benchmarks install WHEEL_DIR [--runs N]                      (WheelInstaller into a fresh folder)
//        UvLambda.Benchmarks LOCK_DIR --pylock FILE [--runs N]                 (PylockReader.Load + PylockResolver.Resolve instead)
if (args.Length > 0 && args[0] == "make-wheels")
{
    WheelInstallBench.MakeWheels(args[1], args[2], args[3..]);
    return;
}
if (args.Length > 0 && args[0] == "install")
{
    WheelInstallBench.Run(args[1], args.Length > 3 && args[2] == "--runs" ? int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 10);
    return;
}
var lockDir = args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal)
    ? args[0]
    : Path.Combine(AppContext.BaseDirectory, "../../../../../../shared/fixtures/real-world/pydantic__pydantic-ai");
int runs = 50;
string python = "3.13", arch = "x86_64";
string? pylock = null;
for (var i = 0; i < args.Length - 1; i++)
{
    if (args[i] == "--pylock") pylock = Path.GetFullPath(args[i + 1]);
    if (args[i] == "--runs") runs = int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture);
    if (args[i] == "--python") python = args[i + 1];
    if (args[i] == "--arch") arch = args[i + 1];
}
lockDir = Path.GetFullPath(lockDir);
var lockPath = pylock ?? Path.Combine(lockDir, "uv.lock");
var options = new ResolveOptions(lockDir, [], [], TargetEnvironment.ForLambda(python, arch));

int Once() => pylock is null
    ? LockResolver.Resolve(UvLockReader.Load(lockPath), options).Count
    : PylockResolver.Resolve(PylockReader.Load(lockPath), options).Count;

// Warm-up: JIT (tiered up), file cache, allocator.
var count = 0;
var warm = Stopwatch.StartNew();
while (warm.Elapsed < TimeSpan.FromSeconds(2) || count == 0) count = Once();

var samples = new double[runs];
for (var i = 0; i < runs; i++)
{
    var sw = Stopwatch.StartNew();
    Once();
    samples[i] = sw.Elapsed.TotalMilliseconds;
}
Array.Sort(samples);
var median = runs % 2 == 1 ? samples[runs / 2] : (samples[runs / 2 - 1] + samples[runs / 2]) / 2;
Console.WriteLine($"lock={lockPath} target=CPython {python} {arch} packages={count} runs={runs} min_ms={samples[0]:F3} max_ms={samples[^1]:F3}");
Console.WriteLine(FormattableString.Invariant($"median_ms={median:F3}"));

/// <summary>
/// DeterministicZipWriter on a tree (in process, JIT warmed on another output): a cold write (every entry deflated, in
/// parallel), and the inner loop (one app file changed, the rest reused from the previous zip).
/// Usage: UvLambda.Benchmarks zip TREE OUT_DIR [--runs N]
/// </summary>
internal static class ZipBench
{
    public static void Run(string[] args)
    {
        var tree = Path.GetFullPath(args[0]);
        var outDir = Path.GetFullPath(args[1]);
        int runs = args.Length > 3 && args[2] == "--runs" ? int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 5;
        Directory.CreateDirectory(outDir);
        var appFile = Path.Combine(tree, "app", "main.py");
        var entries = Directory.EnumerateFiles(tree, "*", SearchOption.AllDirectories)
            .Select(f => ArchiveEntry.FromFile(Path.GetRelativePath(tree, f).Replace('\\', '/'), f, 0x1A4)).ToList();
        var epoch = ArchiveTimestamp.ZipEpoch;
        DeterministicZipWriter.Write(Path.Combine(outDir, "warm.zip"), entries, epoch); // JIT, page cache

        var cold = new double[runs];
        ZipWriteResult coldResult = null!;
        for (int i = 0; i < runs; i++)
        {
            var sw = Stopwatch.StartNew();
            coldResult = DeterministicZipWriter.Write(Path.Combine(outDir, "cold.zip"), entries, epoch);
            cold[i] = sw.Elapsed.TotalMilliseconds;
        }

        var reuse = new ZipReuse(Path.Combine(outDir, "inc.zip"), Path.Combine(outDir, "inc.stamp"));
        DeterministicZipWriter.Write(reuse.PreviousArchive, entries, epoch, reuse: reuse);
        var inc = new double[runs];
        int reused = 0;
        for (int i = 0; i < runs; i++)
        {
            File.AppendAllText(appFile, $"\nCHANGE_{i} = {i}\n");
            var sw = Stopwatch.StartNew();
            reused = DeterministicZipWriter.Write(reuse.PreviousArchive, entries, epoch, reuse: reuse).ReusedEntries;
            inc[i] = sw.Elapsed.TotalMilliseconds;
        }
        // The incremental result must be what a cold build writes.
        DeterministicZipWriter.Write(Path.Combine(outDir, "check.zip"), entries, epoch);
        bool identical = File.ReadAllBytes(Path.Combine(outDir, "check.zip")).AsSpan().SequenceEqual(File.ReadAllBytes(reuse.PreviousArchive));
        Console.WriteLine($"files={entries.Count} bytes={coldResult.UncompressedBytes} zip_bytes={coldResult.ArchiveBytes} reused={reused} identical={identical}");
        Console.WriteLine(FormattableString.Invariant($"cold_ms={Median(cold):F1} incremental_ms={Median(inc):F1} zip_bytes={coldResult.ArchiveBytes}"));
    }

    private static double Median(double[] s)
    {
        var a = s.OrderBy(x => x).ToArray();
        return a.Length % 2 == 1 ? a[a.Length / 2] : (a[a.Length / 2 - 1] + a[a.Length / 2]) / 2;
    }
}
