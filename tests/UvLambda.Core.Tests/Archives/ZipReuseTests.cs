using System.Text;
using UvLambda.Core.Archives;

namespace UvLambda.Core.Tests.Archives;

public class ZipReuseTests
{
    private static readonly DateTime Epoch = ArchiveTimestamp.ZipEpoch;

    private static List<ArchiveEntry> Tree(TempDirectory dir, int files, string app)
    {
        var entries = new List<ArchiveEntry>();
        for (int i = 0; i < files; i++)
        {
            var content = string.Concat(Enumerable.Range(0, 50 + i).Select(n => $"def f{n}(x):\n    return x * {n * i}\n"));
            entries.Add(ArchiveEntry.FromFile($"pkg{i % 3}/m{i}.py", dir.WriteFile($"site/pkg{i % 3}/m{i}.py", content), 0x1A4));
        }
        entries.Add(ArchiveEntry.FromBytes("empty.py", [], 0x1A4));
        entries.Add(ArchiveEntry.FromBytes("stored.bin", Random(3000, 7), 0x1ED));
        entries.Add(ArchiveEntry.FromFile("app/main.py", dir.WriteFile("app/main.py", app), 0x1A4));
        return entries;
    }

    private static byte[] Random(int length, int seed)
    {
        var b = new byte[length];
        new Random(seed).NextBytes(b);
        return b;
    }

    [Fact]
    public void An_app_only_change_reuses_every_other_entry_and_matches_a_cold_build_byte_for_byte()
    {
        using var dir = new TempDirectory();
        var reuse = new ZipReuse(dir.Combine("out.zip"), dir.Combine("out.stamp"));
        var first = DeterministicZipWriter.Write(dir.Combine("out.zip"), Tree(dir, 30, "def handler(e, c):\n    return 1\n"), Epoch, reuse: reuse);
        Assert.Equal(0, first.ReusedEntries);

        var changed = Tree(dir, 30, "def handler(e, c):\n    return 2  # changed\n");
        var second = DeterministicZipWriter.Write(dir.Combine("out.zip"), changed, Epoch, reuse: reuse);
        Assert.Equal(changed.Count - 1, second.ReusedEntries);
        Assert.True(second.Written);

        DeterministicZipWriter.Write(dir.Combine("cold.zip"), changed, Epoch);
        Assert.Equal(File.ReadAllBytes(dir.Combine("cold.zip")), File.ReadAllBytes(dir.Combine("out.zip")));
    }

    [Fact]
    public void Another_archive_renamed_onto_the_output_while_it_is_rewritten_is_not_read_the_opened_one_is()
    {
        // Two builds of one project at once (an IDE's and the CLI's): the other renames its own zip onto the path
        // after this write read the previous archive's directory and before it copies that archive's bytes.
        using var dir = new TempDirectory();
        var path = dir.Combine("out.zip");
        var reuse = new ZipReuse(path, dir.Combine("out.stamp"));
        DeterministicZipWriter.Write(path, Tree(dir, 30, "x = 1\n"), Epoch, reuse: reuse);
        var other = dir.Combine("other.zip");
        DeterministicZipWriter.Write(other, [ArchiveEntry.FromBytes("other.py", Random(5000, 3), 0x1A4)], Epoch);

        int renamed = 0;
        DeterministicZipWriter.PreviousArchiveOpenedForTests = p =>
        {
            if (renamed++ == 0) File.Move(other, p, overwrite: true);
        };
        ZipWriteResult written;
        try
        {
            written = DeterministicZipWriter.Write(path, Tree(dir, 30, "x = 2  # changed\n"), Epoch, reuse: reuse);
        }
        finally
        {
            DeterministicZipWriter.PreviousArchiveOpenedForTests = null;
        }

        Assert.Equal(1, renamed);
        Assert.True(written.ReusedEntries > 0, "the previous archive's entries were reused");
        DeterministicZipWriter.Write(dir.Combine("cold.zip"), Tree(dir, 30, "x = 2  # changed\n"), Epoch);
        Assert.Equal(File.ReadAllBytes(dir.Combine("cold.zip")), File.ReadAllBytes(path));
    }

    [Fact]
    public void An_archive_changed_after_it_was_written_is_not_reused_even_when_its_central_directory_still_matches()
    {
        using var dir = new TempDirectory();
        var path = dir.Combine("out.zip");
        var reuse = new ZipReuse(path, dir.Combine("out.stamp"));
        var entries = Tree(dir, 20, "x = 1\n");
        DeterministicZipWriter.Write(path, entries, Epoch, reuse: reuse);
        DeterministicZipWriter.Write(dir.Combine("cold.zip"), entries, Epoch);
        var cold = File.ReadAllBytes(dir.Combine("cold.zip"));
        Assert.Equal(cold, File.ReadAllBytes(path));

        // A byte of an entry's compressed data changed by hand: same size, same central directory, a later write time.
        var damaged = File.ReadAllBytes(path);
        var first = ZipDirectory.TryParse(damaged)!.Entries.First(e => e.CompressedSize > 100);
        damaged[first.DataOffset + 10] ^= 0xFF;
        Thread.Sleep(50);
        File.WriteAllBytes(path, damaged);

        var result = DeterministicZipWriter.Write(path, entries, Epoch, reuse: reuse);
        Assert.True(result.Written);
        Assert.Equal(0, result.ReusedEntries);
        Assert.Equal(cold, File.ReadAllBytes(path));
        // Written by the writer again: trusted again.
        Assert.Equal(entries.Count, DeterministicZipWriter.Write(path, entries, Epoch, reuse: reuse).ReusedEntries);
    }

    [Fact]
    public void Same_size_same_path_different_content_is_compressed_again()
    {
        using var dir = new TempDirectory();
        var reuse = new ZipReuse(dir.Combine("out.zip"), dir.Combine("out.stamp"));
        DeterministicZipWriter.Write(dir.Combine("out.zip"), [ArchiveEntry.FromBytes("a.py", Encoding.UTF8.GetBytes(new string('a', 500) + "x"), 0x1A4)], Epoch, reuse: reuse);
        var entries = new[] { ArchiveEntry.FromBytes("a.py", Encoding.UTF8.GetBytes(new string('a', 500) + "y"), 0x1A4) };
        var result = DeterministicZipWriter.Write(dir.Combine("out.zip"), entries, Epoch, reuse: reuse);
        Assert.Equal(0, result.ReusedEntries);
        DeterministicZipWriter.Write(dir.Combine("cold.zip"), entries, Epoch);
        Assert.Equal(File.ReadAllBytes(dir.Combine("cold.zip")), File.ReadAllBytes(dir.Combine("out.zip")));
    }

    [Fact]
    public void Nothing_changed_leaves_the_file_alone_and_a_mode_or_time_change_rewrites_it()
    {
        using var dir = new TempDirectory();
        var reuse = new ZipReuse(dir.Combine("out.zip"), dir.Combine("out.stamp"));
        var entries = Tree(dir, 5, "x = 1\n");
        DeterministicZipWriter.Write(dir.Combine("out.zip"), entries, Epoch, reuse: reuse);
        var before = File.ReadAllBytes(dir.Combine("out.zip"));
        var written = File.GetLastWriteTimeUtc(dir.Combine("out.zip"));
        Thread.Sleep(50); // a rewrite now would have a later write time
        Assert.False(DeterministicZipWriter.Write(dir.Combine("out.zip"), entries, Epoch, reuse: reuse).Written);
        Assert.Equal(written, File.GetLastWriteTimeUtc(dir.Combine("out.zip")));

        var later = new DateTime(2020, 5, 5, 0, 0, 0, DateTimeKind.Utc);
        var retimed = DeterministicZipWriter.Write(dir.Combine("out.zip"), entries, later, reuse: reuse);
        Assert.True(retimed.Written);
        Assert.Equal(entries.Count, retimed.ReusedEntries);
        DeterministicZipWriter.Write(dir.Combine("cold.zip"), entries, later);
        Assert.Equal(File.ReadAllBytes(dir.Combine("cold.zip")), File.ReadAllBytes(dir.Combine("out.zip")));
        Assert.NotEqual(before, File.ReadAllBytes(dir.Combine("out.zip")));
    }

    [Fact]
    public void Dependencies_written_first_survive_an_app_change_as_one_copied_block_equal_to_a_cold_write()
    {
        using var dir = new TempDirectory();
        var reuse = new ZipReuse(dir.Combine("out.zip"), dir.Combine("out.stamp"));
        List<IReadOnlyList<ArchiveEntry>> Blocks(string app)
        {
            var tree = Tree(dir, 40, app);
            return [tree.Where(e => !e.Path.StartsWith("app/", StringComparison.Ordinal)).ToList(), tree.Where(e => e.Path.StartsWith("app/", StringComparison.Ordinal)).ToList()];
        }
        DeterministicZipWriter.Write(dir.Combine("out.zip"), Blocks("x = 1\n"), Epoch, reuse: reuse);
        var changed = Blocks("x = 2  # the app changed\n");
        var result = DeterministicZipWriter.Write(dir.Combine("out.zip"), changed, Epoch, reuse: reuse);
        Assert.True(result.Written);
        // Every dependency (and its directories) came from the previous archive; the app file was compressed anew.
        Assert.Equal(changed[0].Count, result.ReusedEntries);
        DeterministicZipWriter.Write(dir.Combine("cold.zip"), changed, Epoch);
        Assert.Equal(File.ReadAllBytes(dir.Combine("cold.zip")), File.ReadAllBytes(dir.Combine("out.zip")));
        // Dependencies first: the app's directory entry and file come last.
        using var zip = System.IO.Compression.ZipFile.OpenRead(dir.Combine("out.zip"));
        Assert.Equal(["app/", "app/main.py"], zip.Entries.TakeLast(2).Select(e => e.FullName));
    }

    [Fact]
    public void Bytes_from_another_compressor_stamp_are_never_reused()
    {
        using var dir = new TempDirectory();
        var reuse = new ZipReuse(dir.Combine("out.zip"), dir.Combine("out.stamp"));
        var entries = Tree(dir, 5, "x = 1\n");
        DeterministicZipWriter.Write(dir.Combine("out.zip"), entries, Epoch, reuse: reuse);
        File.WriteAllText(dir.Combine("out.stamp"), "writer=0;level=Fastest");
        Assert.Equal(0, DeterministicZipWriter.Write(dir.Combine("out.zip"), entries, Epoch, reuse: reuse).ReusedEntries);
        Assert.StartsWith(DeterministicZipWriter.CompressorStamp(System.IO.Compression.CompressionLevel.Optimal) + "\n", File.ReadAllText(dir.Combine("out.stamp")));
    }

    [Fact]
    public void A_damaged_previous_zip_is_ignored()
    {
        using var dir = new TempDirectory();
        var reuse = new ZipReuse(dir.Combine("out.zip"), dir.Combine("out.stamp"));
        var entries = Tree(dir, 5, "x = 1\n");
        DeterministicZipWriter.Write(dir.Combine("out.zip"), entries, Epoch, reuse: reuse);
        var bytes = File.ReadAllBytes(dir.Combine("out.zip"));
        File.WriteAllBytes(dir.Combine("out.zip"), bytes[..(bytes.Length / 2)]);
        Assert.Equal(0, DeterministicZipWriter.Write(dir.Combine("out.zip"), entries, Epoch, reuse: reuse).ReusedEntries);
        Assert.Equal(bytes, File.ReadAllBytes(dir.Combine("out.zip")));
    }
}
