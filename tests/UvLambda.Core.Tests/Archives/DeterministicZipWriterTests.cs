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
    public void Writing_replaces_the_output_without_leaving_temp_files()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.Combine("p.zip"), "old");
        DeterministicZipWriter.Write(dir.Combine("p.zip"), [Text("a.py", "1")], Epoch);
        Assert.Equal(["p.zip"], Directory.GetFiles(dir.Path).Select(Path.GetFileName));
        Assert.Equal((byte)'P', File.ReadAllBytes(dir.Combine("p.zip"))[0]);
    }
}
