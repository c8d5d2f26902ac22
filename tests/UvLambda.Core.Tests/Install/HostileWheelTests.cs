using System.Globalization;
using System.Security.Cryptography;
using UvLambda.Core.Diagnostics;
using UvLambda.Core.Install.Wheels;
using Xunit.Abstractions;

namespace UvLambda.Core.Tests.Install;

/// <summary>
/// Structural fuzzing of the wheel reader: real wheels (re-packed from this machine's Python) damaged where a zip reader
/// trusts the file. Each install must either succeed with exactly the pristine wheel's tree or fail with a UVL code
/// (never the internal-error code) leaving the target untouched; any other exception is a bug.
/// Seeded: UVLAMBDA_FUZZ_SEED replays a run, UVLAMBDA_FUZZ_COUNT sets the variants per wheel.
/// </summary>
public class HostileWheelTests(ITestOutputHelper output)
{
    private const int DefaultSeed = 20_2611;
    private const int DefaultCount = 150;

    public static int Seed => int.TryParse(Environment.GetEnvironmentVariable("UVLAMBDA_FUZZ_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) ? s : DefaultSeed;
    public static int Count => int.TryParse(Environment.GetEnvironmentVariable("UVLAMBDA_FUZZ_COUNT"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var c) ? c : DefaultCount;

    [Theory]
    [InlineData("typing_extensions")]
    [InlineData("pydantic")]
    [InlineData("small")]
    public void Every_structurally_damaged_wheel_installs_intact_or_fails_with_a_coded_error(string package)
    {
        using var temp = new TempDirectory();
        var (wheel, name, version) = Pristine(temp, package);
        var pristine = File.ReadAllBytes(wheel);
        var expected = InstallTree(WheelInstaller.Install(wheel, temp.Combine("pristine"), name, version), temp.Combine("pristine"));
        var seed = Seed + package.Sum(c => (int)c); // string.GetHashCode is randomized per process
        output.WriteLine($"seed {seed} (UVLAMBDA_FUZZ_SEED={Seed}), {Count} variants of {Path.GetFileName(wheel)}");
        var rng = new Random(seed);

        var variants = ZipMutator.KnownCrashes(pristine).Select(v => (v.Name, v.Bytes))
            .Concat(Enumerable.Range(0, Count).Select(_ => ZipMutator.Mutate(pristine, rng)));
        var outcomes = Run(temp, Path.GetFileName(wheel), name, version, expected, variants);

        output.WriteLine(string.Join("\n", outcomes.GroupBy(o => o.Outcome).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key}: {g.Count()}")));
        var bugs = outcomes.Where(o => o.Bug is not null).Select(o => $"{o.Variant}: {o.Bug}").ToList();
        Assert.True(bugs.Count == 0, $"seed {seed}: {bugs.Count} variant(s) not handled:\n" + string.Join("\n", bugs.Take(20)));
        Assert.Equal(Count + 4, outcomes.Count);
        // The fuzzing must reach the reader's failure paths, not only harmless bytes.
        Assert.Contains(outcomes, o => o.Outcome == ErrorCodes.UnreadableWheel);
    }

    [Fact]
    public void The_central_directory_damage_that_crashed_the_build_is_UVL2208_naming_the_wheel()
    {
        using var temp = new TempDirectory();
        var (wheel, name, version) = Pristine(temp, "typing_extensions");
        foreach (var (variant, bytes) in ZipMutator.KnownCrashes(File.ReadAllBytes(wheel)))
        {
            var damaged = temp.Combine(variant, Path.GetFileName(wheel));
            Directory.CreateDirectory(Path.GetDirectoryName(damaged)!);
            File.WriteAllBytes(damaged, bytes);
            var target = temp.Combine(variant, "python");
            var e = Assert.Throws<UvLambdaException>(() =>
            {
                WheelInstaller.PlannedFiles(damaged);
                WheelInstaller.Install(damaged, target, name, version);
            });
            Assert.Equal(ErrorCodes.UnreadableWheel, e.Code);
            Assert.Contains(Path.GetFileName(wheel), e.Message, StringComparison.Ordinal);
            Assert.Contains("index or mirror", e.Message, StringComparison.Ordinal);
            Assert.False(Directory.Exists(target));
        }
    }

    internal static (string Wheel, string Name, string Version) Pristine(TempDirectory temp, string package)
    {
        if (package == "small")
        {
            // Two names differing only in case: distinct files on Linux (Lambda), so a valid install keeps both.
            var small = new TestWheel("small", "1.0").Add("small/__init__.py", "X = 1\n").Add("small/data.txt", new string('x', 3000)).Add("small/Data.txt", "y")
                .Add("small-1.0.data/scripts/tool", "#!python\nprint(1)\n", TestWheel.ExecutableFile);
            return (small.Build(temp.Combine("wheels")), "small", "1.0");
        }
        var (sitePackages, distInfo) = ToolProcess.PythonDistribution(package);
        var wheel = TestWheel.FromInstalled(sitePackages, distInfo);
        return (wheel.Build(temp.Combine("wheels")), wheel.Name, wheel.Version);
    }

    private sealed record Result(string Variant, string Outcome, string? Bug);

    private static List<Result> Run(TempDirectory temp, string wheelName, string name, string version, Dictionary<string, string> expected, IEnumerable<(string Name, byte[] Bytes)> variants)
    {
        var results = new List<Result>();
        var n = 0;
        foreach (var (variant, bytes) in variants)
        {
            var dir = temp.Combine("v" + n++.ToString(CultureInfo.InvariantCulture));
            Directory.CreateDirectory(dir);
            var path = Path.Combine(dir, wheelName);
            File.WriteAllBytes(path, bytes);
            var target = Path.Combine(dir, "python");
            try
            {
                WheelInstaller.PlannedFiles(path);
                var installed = WheelInstaller.Install(path, target, name, version);
                var tree = InstallTree(installed, target);
                var same = tree.Count == expected.Count && tree.All(t => expected.TryGetValue(t.Key, out var h) && h == t.Value);
                results.Add(new Result(variant, "installed", same ? null : "installed a tree that differs from the pristine wheel's"));
            }
            catch (UvLambdaException e)
            {
                string? bug = null;
                if (!e.Code.StartsWith("UVL", StringComparison.Ordinal) || e.Code == ErrorCodes.InternalError)
                    bug = $"code {e.Code}: {e.Message}";
                else if (!e.Message.Contains(wheelName, StringComparison.Ordinal))
                    bug = $"{e.Code} does not name the wheel: {e.Message}";
                else if (Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any())
                    bug = $"{e.Code} left files in the target";
                else if (Directory.EnumerateFileSystemEntries(dir, ".uvlambda-*").Any())
                    bug = $"{e.Code} left a staging folder";
                results.Add(new Result(variant, e.Code, bug));
            }
            catch (Exception e)
            {
                results.Add(new Result(variant, e.GetType().Name, $"unexpected {e.GetType().FullName}: {e.Message}"));
            }
            Directory.Delete(dir, recursive: true);
        }
        return results;
    }

    // Path -> sha256 of every installed file, checked against the installed RECORD on the way.
    private static Dictionary<string, string> InstallTree(InstalledPackage installed, string target)
    {
        var tree = Directory.EnumerateFiles(target, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(target, f).Replace('\\', '/'), f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f))), StringComparer.Ordinal);
        Assert.Equal(installed.Files.Order(StringComparer.Ordinal), tree.Keys.Order(StringComparer.Ordinal));
        var record = installed.Files.Single(f => f.EndsWith(".dist-info/RECORD", StringComparison.Ordinal));
        var rows = WheelRecord.TryParse(File.ReadAllText(Path.Combine(target, record)), out var error) ?? throw new InvalidOperationException(error);
        foreach (var row in rows.Where(r => r.HashAlgorithm is not null))
            Assert.Equal(row.Digest, WheelRecord.EncodeDigest(SHA256.HashData(File.ReadAllBytes(Path.Combine(target, row.Path)))));
        Assert.Equal(tree.Count, rows.Count);
        return tree;
    }
}
