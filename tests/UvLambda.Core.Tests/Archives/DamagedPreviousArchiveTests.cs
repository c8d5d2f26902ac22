using UvLambda.Core.Archives;
using UvLambda.Core.Tests.Install;
using Xunit.Abstractions;

namespace UvLambda.Core.Tests.Archives;

/// <summary>
/// A damaged previous package.zip/layer.zip is simply rebuilt: ZipDirectory never throws on it, and a rebuild that reuses
/// from it comes out byte for byte as a cold build. Seeded like <see cref="HostileWheelTests"/> (UVLAMBDA_FUZZ_SEED).
/// </summary>
public class DamagedPreviousArchiveTests(ITestOutputHelper output)
{
    private static readonly DateTime Epoch = ArchiveTimestamp.ZipEpoch;

    private static List<ArchiveEntry> Tree(int files)
    {
        var entries = new List<ArchiveEntry>();
        for (int i = 0; i < files; i++)
            entries.Add(ArchiveEntry.FromBytes($"pkg{i % 3}/m{i}.py",
                System.Text.Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 40 + i).Select(n => $"def f{n}(x):\n    return x * {n * i}\n"))), 0x1A4));
        var random = new byte[2000];
        new Random(3).NextBytes(random);
        entries.Add(ArchiveEntry.FromBytes("stored.bin", random, 0x1ED));
        entries.Add(ArchiveEntry.FromBytes("empty.py", [], 0x1A4));
        return entries;
    }

    [Fact]
    public void A_structurally_damaged_previous_archive_is_never_an_error_and_the_rebuild_equals_a_cold_build()
    {
        using var dir = new TempDirectory();
        var entries = Tree(20);
        DeterministicZipWriter.Write(dir.Combine("cold.zip"), entries, Epoch);
        var cold = File.ReadAllBytes(dir.Combine("cold.zip"));
        var seed = HostileWheelTests.Seed;
        output.WriteLine($"seed {seed} (UVLAMBDA_FUZZ_SEED), {HostileWheelTests.Count * 2} variants");
        var rng = new Random(seed);
        var path = dir.Combine("out.zip");
        var reuse = new ZipReuse(path, dir.Combine("out.stamp"));
        DeterministicZipWriter.Write(path, entries, Epoch, reuse: reuse);

        int rejected = 0;
        var variants = ZipMutator.KnownCrashes(cold).Concat(Enumerable.Range(0, HostileWheelTests.Count * 2).Select(_ => ZipMutator.Mutate(cold, rng)));
        foreach (var (variant, bytes) in variants)
        {
            var parsed = ZipDirectory.TryParse(bytes);
            if (parsed is null)
                rejected++;
            else
                foreach (var e in parsed.Entries)
                    _ = parsed.ReadData(e).Length; // every entry's data lies inside the file

            File.WriteAllBytes(path, bytes);
            DeterministicZipWriter.Write(path, entries, Epoch, reuse: reuse);
            Assert.True(cold.AsSpan().SequenceEqual(File.ReadAllBytes(path)), $"seed {seed}, {variant}: the rebuild differs from a cold build");
        }
        output.WriteLine($"rejected by ZipDirectory: {rejected}");
        Assert.True(rejected > 0, "no variant was rejected: the mutations missed the structures");
    }

    [Fact]
    public void A_previous_archive_that_is_not_a_zip_or_unreadable_yields_null()
    {
        using var dir = new TempDirectory();
        Assert.Null(ZipDirectory.TryParse([]));
        Assert.Null(ZipDirectory.TryParse(new byte[21]));
        Assert.Null(ZipDirectory.TryParse("PK\u0005\u0006"u8.ToArray()));
        Assert.Null(ZipDirectory.TryRead(dir.Combine("missing.zip")));
        Directory.CreateDirectory(dir.Combine("a-folder.zip"));
        Assert.Null(ZipDirectory.TryRead(dir.Combine("a-folder.zip")));
    }
}
