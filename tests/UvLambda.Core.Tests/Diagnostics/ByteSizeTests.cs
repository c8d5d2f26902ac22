using System.Text.RegularExpressions;
using UvLambda.Core.Diagnostics;

namespace UvLambda.Core.Tests.Diagnostics;

public class ByteSizeTests
{
    [Theory]
    [InlineData(512, "512 B", "512 B")]
    [InlineData(2048, "2.0 KiB", "2.0 KiB (2,048 bytes)")]
    [InlineData(59_057_586, "56.3 MiB", "56.3 MiB (59,057,586 bytes)")]
    [InlineData(52_428_800, "50.0 MiB", "50.0 MiB (52,428,800 bytes)")]
    public void Sizes_use_binary_units_and_limits_add_the_exact_bytes(long bytes, string formatted, string withBytes)
    {
        Assert.Equal(formatted, ByteSize.Format(bytes));
        Assert.Equal(withBytes, ByteSize.WithBytes(bytes));
    }

    /// <summary>No message builds its own "MB" from a byte count: every size goes through ByteSize.</summary>
    [Fact]
    public void No_source_file_formats_megabytes_by_hand()
    {
        var core = Path.Combine(TestPaths.RepoRoot, "src");
        var files = Directory.EnumerateFiles(core, "*.cs", SearchOption.AllDirectories).Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}")).ToList();
        Assert.NotEmpty(files);
        var handMade = new Regex(@"(1024\.0|1_000_000\.0|1e6)[^;]*\bMB\b|\{[^}]*(1024|1_000_000)[^}]*\}\s*MB\b");
        Assert.DoesNotContain(files, f => File.ReadAllLines(f).Any(l => handMade.IsMatch(l)));
    }
}
