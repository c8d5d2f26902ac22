using System.Diagnostics;
using System.IO.Compression;
using UvLambda.Core.Install.Wheels;
using UvLambda.Core.Standards;
using UvLambda.Core.Tests.Install;

namespace UvLambda.Benchmarks;

/// <summary>
/// WheelInstaller.Install of a set of wheels into a fresh folder, wheels in parallel on every core as
/// PackageInstaller installs downloaded wheels, in process and warm (the build runs it inside MSBuild). The peers (pip --target, unzip) are timed by bench/run.
/// </summary>
internal static class WheelInstallBench
{
    /// <summary>Repacks installed distributions (their RECORD's files) into py3-none-any wheels with TestWheel.</summary>
    public static void MakeWheels(string sitePackages, string outDir, IEnumerable<string> distInfos)
    {
        Directory.CreateDirectory(outDir);
        foreach (var distInfo in distInfos)
        {
            var path = TestWheel.FromInstalled(sitePackages, distInfo).Build(outDir);
            Console.WriteLine(path);
        }
    }

    public static void Run(string wheelDir, int runs)
    {
        var wheels = Directory.GetFiles(wheelDir, "*.whl").Order(StringComparer.Ordinal).ToArray();
        var scratch = Path.Combine(Path.GetTempPath(), "uvlambda-bench-install-" + Guid.NewGuid().ToString("N")[..8]);
        long files = 0, bytes = 0;
        foreach (var w in wheels)
        {
            using var zip = ZipFile.OpenRead(w);
            files += zip.Entries.Count;
            bytes += new FileInfo(w).Length;
        }

        var cpu = new List<double>();
        double Once(int i)
        {
            var target = Path.Combine(scratch, "t" + i, "site");
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var sw = Stopwatch.StartNew();
            Parallel.ForEach(wheels, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, w =>
                WheelInstaller.Install(w, target, WheelFileName.Parse(Path.GetFileName(w)).Name, null));
            var ms = sw.Elapsed.TotalMilliseconds;
            if (i >= 0) cpu.Add((Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMilliseconds);
            Directory.Delete(Path.Combine(scratch, "t" + i), recursive: true);
            return ms;
        }

        try
        {
            for (var i = 0; i < 2; i++) Once(-1 - i); // warm-up: JIT, page cache
            var samples = Enumerable.Range(0, runs).Select(Once).Order().ToArray();
            var median = runs % 2 == 1 ? samples[runs / 2] : (samples[runs / 2 - 1] + samples[runs / 2]) / 2;
            Console.WriteLine(FormattableString.Invariant($"wheels={wheels.Length} entries={files} bytes={bytes} runs={runs} min_ms={samples[0]:F1} max_ms={samples[^1]:F1}"));
            Console.WriteLine(FormattableString.Invariant($"median_ms={median:F3}"));
            // CPU time (user + system) is the steadier figure on a shared, loaded machine.
            var cpuSorted = cpu.Order().ToArray();
            Console.WriteLine(FormattableString.Invariant($"cpu_median_ms={cpuSorted[cpuSorted.Length / 2]:F3}"));
        }
        finally
        {
            if (Directory.Exists(scratch)) Directory.Delete(scratch, recursive: true);
        }
    }
}
