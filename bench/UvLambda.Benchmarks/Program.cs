using System.Diagnostics;
using UvLambda.Core.Locking;

// --layer DIR: times the image's dependencies layer (deterministic tar.gz with diff_id and digest) over DIR's files.
if (args.Length >= 2 && args[0] == "--layer")
{
    var tree = Path.GetFullPath(args[1]);
    var layerRuns = args.Length >= 4 && args[2] == "--runs" ? int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 5;
    var outDir = Path.Combine(Path.GetTempPath(), "uvlambda-bench-layer-" + Guid.NewGuid().ToString("N"));
    try
    {
        var files = UvLambda.Core.Archives.FunctionPackage.SiteEntries(tree).ToList();
        UvLambda.Core.Containers.LayerWriter.Write(outDir, files, "var/task", 0); // warm-up
        var times = new double[layerRuns];
        UvLambda.Core.Containers.LayerBlob? blob = null;
        for (var i = 0; i < layerRuns; i++)
        {
            var sw = Stopwatch.StartNew();
            blob = UvLambda.Core.Containers.LayerWriter.Write(outDir, UvLambda.Core.Archives.FunctionPackage.SiteEntries(tree).ToList(), "var/task", 0);
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
var lockDir = args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal)
    ? args[0]
    : Path.Combine(AppContext.BaseDirectory, "../../../../../../shared/fixtures/real-world/pydantic__pydantic-ai");
int runs = 50;
string python = "3.13", arch = "x86_64";
for (var i = 0; i < args.Length - 1; i++)
{
    if (args[i] == "--runs") runs = int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture);
    if (args[i] == "--python") python = args[i + 1];
    if (args[i] == "--arch") arch = args[i + 1];
}
lockDir = Path.GetFullPath(lockDir);
var lockPath = Path.Combine(lockDir, "uv.lock");
var options = new ResolveOptions(lockDir, [], [], TargetEnvironment.ForLambda(python, arch));

int Once() => LockResolver.Resolve(UvLockReader.Load(lockPath), options).Count;

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
