using System.Security.Cryptography;
using System.Text;
using UvLambda.Core.Archives;
using UvLambda.Core.Containers;
using UvLambda.Core.Tests.Install;

namespace UvLambda.Core.Tests.Containers;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public class LayerWriterTests
{
    private static List<ArchiveEntry> Files(TempDirectory dir)
    {
        var script = dir.WriteFile("src/bin/tool", "#!/bin/sh\necho hi\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var longName = string.Join("/", Enumerable.Repeat("a-rather-long-directory-name", 8)) + "/module_with_a_long_name.py";
        return
        [
            ArchiveEntry.FromFile("pkg/__init__.py", dir.WriteFile("src/pkg/__init__.py", "VALUE = 42\n"), 0x1A4),
            ArchiveEntry.FromFile("bin/tool", script, 0x1ED),
            ArchiveEntry.FromBytes("pkg/data/empty.txt", [], 0x1A4),
            ArchiveEntry.FromBytes(longName, Encoding.UTF8.GetBytes("X = 1\n"), 0x1A4),
            ArchiveEntry.FromBytes("pkg/ünïcode.py", Encoding.UTF8.GetBytes("Y = 2\n"), 0x1A4),
        ];
    }

    [Fact]
    public void Same_files_give_the_same_bytes_whatever_the_mtimes_and_folders()
    {
        using var a = new TempDirectory();
        using var b = new TempDirectory();
        var first = LayerWriter.Write(a.Combine("out"), Files(a), "var/task", 0);
        var filesB = Files(b);
        foreach (var f in filesB.Where(f => f.SourceFile is not null)) File.SetLastWriteTimeUtc(f.SourceFile!, DateTime.UtcNow.AddHours(3));
        var second = LayerWriter.Write(b.Combine("out"), filesB.AsEnumerable().Reverse().ToList(), "var/task", 0);
        Assert.Equal(first.Digest, second.Digest);
        Assert.Equal(first.DiffId, second.DiffId);
        Assert.Equal(File.ReadAllBytes(first.Path), File.ReadAllBytes(second.Path));
        Assert.Equal(first.Digest, Digests.OfFile(first.Path));
        Assert.Equal(Digests.Hex(first.Digest), Path.GetFileName(first.Path));
        Assert.NotEqual(first.Digest, LayerWriter.Write(a.Combine("out2"), Files(a), "var/task", 1700000000).Digest);
    }

    [Fact]
    public void Gnu_tar_and_gzip_read_it_with_sorted_entries_root_owner_fixed_mtime_and_modes()
    {
        using var dir = new TempDirectory();
        var layer = LayerWriter.Write(dir.Combine("out"), Files(dir), "var/task", 0);
        var (exit, output, error) = ToolProcess.Run("tar", "--numeric-owner", "--full-time", "-tvzf", layer.Path);
        Assert.True(exit == 0, error);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var names = lines.Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[^1]).ToList();
        Assert.Equal("var/", names[0]);
        Assert.Contains("var/task/bin/tool", names);
        Assert.Contains("var/task/pkg/ünïcode.py", names);
        Assert.Contains(names, n => n.EndsWith("/module_with_a_long_name.py") && n.Length > 200);
        Assert.Equal(names.OrderBy(n => n, StringComparer.Ordinal), names);
        Assert.All(lines, l => Assert.Contains(" 0/0 ", l));
        Assert.All(lines, l => Assert.Contains("1970-01-01 00:00:00", l));
        Assert.StartsWith("-rwxr-xr-x", lines.Single(l => l.EndsWith("var/task/bin/tool")));
        Assert.StartsWith("-rw-r--r--", lines.Single(l => l.EndsWith("var/task/pkg/__init__.py")));
        Assert.StartsWith("drwxr-xr-x", lines.Single(l => l.EndsWith("var/task/pkg/")));

        // diff_id is the sha256 of the uncompressed tar, as gzip -d gives it.
        var gunzip = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("gzip", ["-dc", layer.Path]) { RedirectStandardOutput = true })!;
        var tarHash = "sha256:" + Convert.ToHexString(SHA256.HashData(gunzip.StandardOutput.BaseStream)).ToLowerInvariant();
        gunzip.WaitForExit();
        Assert.Equal(layer.DiffId, tarHash);
        var bytes = File.ReadAllBytes(layer.Path);
        Assert.Equal(new byte[] { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff }, bytes[..10]);
    }
}
