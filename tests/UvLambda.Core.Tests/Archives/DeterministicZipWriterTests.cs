using System.IO.Compression;
using System.Text;
using UvLambda.Core.Archives;
using UvLambda.Core.Diagnostics;

namespace UvLambda.Core.Tests.Archives;

public class DeterministicZipWriterTests
{
    private static ArchiveEntry Text(string path, string content, int mode = 0x1A4) =>
        ArchiveEntry.FromBytes(path, Encoding.UTF8.GetBytes(content), mode);

    private static readonly DateTime Epoch = ArchiveTimestamp.ZipEpoch;

    [Fact]
    public void The_writer_leaves_only_its_output_and_no_temp_file_and_touches_no_other_file()
    {
        // Sweeping what killed builds left beside outputs is the caller's (LambdaArtifacts sweeps every output's folder once).
        using var dir = new TempDirectory();
        var other = dir.WriteFile($".q.zip.{Environment.ProcessId}.1.{Guid.NewGuid():N}.tmp", "another output's");
        DeterministicZipWriter.Write(dir.Combine("p.zip"), [Text("app/main.py", "1")], Epoch);
        string[] expected = ["p.zip", Path.GetFileName(other)];
        Assert.Equal(expected.Order(StringComparer.Ordinal), Directory.EnumerateFiles(dir.Path).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Same_entries_in_any_order_give_identical_bytes()
    {
        using var dir = new TempDirectory();
        var entries = new[] { Text("b/x.py", "x"), Text("a.py", "print(1)\n" + new string('z', 5000)), Text("b/c/d.py", "") };
        DeterministicZipWriter.Write(dir.Combine("one.zip"), entries, Epoch);
        DeterministicZipWriter.Write(dir.Combine("two.zip"), entries.Reverse().ToArray(), Epoch);
        Assert.Equal(File.ReadAllBytes(dir.Combine("one.zip")), File.ReadAllBytes(dir.Combine("two.zip")));
    }

    [Fact]
    public void Entries_are_sorted_with_explicit_directories_first_in_their_folder()
    {
        using var dir = new TempDirectory();
        DeterministicZipWriter.Write(dir.Combine("p.zip"), [Text("z.py", "1"), Text("app/main.py", "2"), Text("app/sub/x.py", "3")], Epoch);
        using var zip = ZipFile.OpenRead(dir.Combine("p.zip"));
        Assert.Equal(["app/", "app/main.py", "app/sub/", "app/sub/x.py", "z.py"], zip.Entries.Select(e => e.FullName));
    }

    [Fact]
    public void Unix_modes_are_stored_for_files_directories_and_executables()
    {
        using var dir = new TempDirectory();
        DeterministicZipWriter.Write(dir.Combine("p.zip"), [Text("run.sh", "#!/bin/sh\n", 0x1ED), Text("app/a.py", "")], Epoch);
        using var zip = ZipFile.OpenRead(dir.Combine("p.zip"));
        var modes = zip.Entries.ToDictionary(e => e.FullName, e => Convert.ToString((e.ExternalAttributes >> 16) & 0xFFFF, 8));
        Assert.Equal("40755", modes["app/"]);
        Assert.Equal("100644", modes["app/a.py"]);
        Assert.Equal("100755", modes["run.sh"]);
    }

    [Fact]
    public void Every_entry_gets_the_fixed_timestamp()
    {
        using var dir = new TempDirectory();
        var when = ArchiveTimestamp.FromSourceDateEpoch("1700000000"); // 2023-11-14T22:13:20Z
        DeterministicZipWriter.Write(dir.Combine("p.zip"), [Text("a/b.py", "x")], when);
        using var zip = ZipFile.OpenRead(dir.Combine("p.zip"));
        Assert.All(zip.Entries, e => Assert.Equal(new DateTime(2023, 11, 14, 22, 13, 20), e.LastWriteTime.DateTime));
    }

    [Fact]
    public void Contents_round_trip_through_the_BCL_reader()
    {
        using var dir = new TempDirectory();
        var big = string.Concat(Enumerable.Range(0, 20_000).Select(i => $"line {i}\n"));
        var random = new byte[4096];
        new Random(1).NextBytes(random);
        DeterministicZipWriter.Write(dir.Combine("p.zip"),
            [Text("big.txt", big), ArchiveEntry.FromBytes("noise.bin", random, 0x1A4), Text("empty.py", ""), Text("ünï/cödé.py", "ok")], Epoch);
        using var zip = ZipFile.OpenRead(dir.Combine("p.zip"));
        string Read(string name) { using var r = new StreamReader(zip.GetEntry(name)!.Open()); return r.ReadToEnd(); }
        Assert.Equal(big, Read("big.txt"));
        Assert.Equal("", Read("empty.py"));
        Assert.Equal("ok", Read("ünï/cödé.py"));
        using var ms = new MemoryStream();
        zip.GetEntry("noise.bin")!.Open().CopyTo(ms);
        Assert.Equal(random, ms.ToArray());
    }

    [Fact]
    public void Two_entries_at_one_path_are_an_error()
    {
        using var dir = new TempDirectory();
        var e = Assert.Throws<UvLambdaException>(() =>
            DeterministicZipWriter.Write(dir.Combine("p.zip"), [Text("a.py", "1"), Text("a.py", "2")], Epoch));
        Assert.Equal(ErrorCodes.DuplicatePackagePath, e.Code);
    }

    [Fact]
    public void A_file_of_a_later_block_at_an_earlier_block_s_path_is_an_error_naming_both()
    {
        using var dir = new TempDirectory();
        var first = ArchiveEntry.FromFile("pkg/a.py", dir.Combine("first.py"), 0x1A4);
        var second = ArchiveEntry.FromFile("pkg/a.py", dir.Combine("second.py"), 0x1A4);
        var e = Assert.Throws<UvLambdaException>(() =>
            DeterministicZipWriter.Write(dir.Combine("p.zip"), [[Text("pkg/b.py", "1"), first, Text("z.py", "2")], [Text("app.py", "3"), second]], Epoch));
        Assert.Equal(ErrorCodes.DuplicatePackagePath, e.Code);
        Assert.Contains($"'{dir.Combine("first.py")}' and '{dir.Combine("second.py")}'", e.Message);
        Assert.False(File.Exists(dir.Combine("p.zip")));
    }

    [Fact]
    public void A_name_longer_than_the_header_buffer_round_trips()
    {
        using var dir = new TempDirectory();
        var name = string.Join('/', Enumerable.Range(0, 60).Select(i => $"földer{i:D3}")) + "/m.py"; // over 512 UTF-8 bytes
        Assert.True(Encoding.UTF8.GetByteCount(name) > 512);
        DeterministicZipWriter.Write(dir.Combine("p.zip"), [Text(name, "long"), Text("a.py", "short")], Epoch);
        using var zip = ZipFile.OpenRead(dir.Combine("p.zip"));
        using var r = new StreamReader(zip.GetEntry(name)!.Open());
        Assert.Equal("long", r.ReadToEnd());
        Assert.Equal(62, zip.Entries.Count); // 60 folders, two files
    }

    [Fact]
    public void Copying_many_wheel_entries_allocates_little_per_entry_and_never_a_whole_entry()
    {
        using var dir = new TempDirectory();
        // A wheel-like zip: 12,000 small deflated modules in 120 folders, and four 1 MiB entries that deflate made
        // larger (stored when copied, so inflated on the way).
        const int Modules = 12_000;
        var source = dir.Combine("source.zip");
        using (var zip = ZipFile.Open(source, ZipArchiveMode.Create))
        {
            for (int i = 0; i < Modules; i++)
            {
                using var w = new StreamWriter(zip.CreateEntry($"pkg{i % 120}/module_{i}.py", CompressionLevel.Optimal).Open());
                w.Write($"VALUE = {i}\n" + new string('#', 200));
            }
            var noise = new byte[1 << 20];
            for (int i = 0; i < 4; i++)
            {
                new Random(i).NextBytes(noise);
                using var s = zip.CreateEntry($"data/noise{i}.bin", CompressionLevel.Optimal).Open();
                s.Write(noise);
            }
        }
        var entries = ZipEntryLocator.TryLocate(source)!.Select(p => ArchiveEntry.FromZipEntry(p.Key, p.Value, 0x1A4)).ToList();
        Assert.Equal(4, entries.Count(e => e.ZipSource!.CompressedSize > e.ZipSource.UncompressedSize));
        DeterministicZipWriter.Write(dir.Combine("first.zip"), entries, Epoch); // first use: JIT, static state

        long before = GC.GetAllocatedBytesForCurrentThread();
        DeterministicZipWriter.Write(dir.Combine("p.zip"), entries, Epoch);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(File.ReadAllBytes(dir.Combine("first.zip")), File.ReadAllBytes(dir.Combine("p.zip")));
        using (var zip = ZipFile.OpenRead(dir.Combine("p.zip")))
        {
            var noise = zip.GetEntry("data/noise3.bin")!;
            Assert.Equal(1 << 20, noise.Length);
            Assert.Equal(noise.Length, noise.CompressedLength); // stored
        }
        // One plan record per entry (~80 bytes) and the folder names. Holding each name's bytes, the central directory
        // and each stored entry whole took over 16 MB here; a cold build of 28k entries paid that many times over.
        Assert.True(allocated < (Modules + 124) * 250L, $"writing {Modules + 4} copied entries allocated {allocated:N0} bytes on the writing thread");
    }

    [Fact]
    public void Writing_replaces_the_output_without_leaving_temp_files()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.Combine("p.zip"), "old");
        DeterministicZipWriter.Write(dir.Combine("p.zip"), [Text("a.py", "1")], Epoch);
        Assert.Equal(["p.zip"], Directory.GetFiles(dir.Path).Select(Path.GetFileName));
        Assert.Equal((byte)'P', File.ReadAllBytes(dir.Combine("p.zip"))[0]);
    }
}
