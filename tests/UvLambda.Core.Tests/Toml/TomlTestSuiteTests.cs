using System.Diagnostics;
using UvLambda.Core.Diagnostics;
using UvLambda.Core.Toml;
using UvLambda.TomlDecoder;

namespace UvLambda.Core.Tests.Toml;

/// <summary>
/// The official toml-test suite, read from ../shared: every case its files-toml-1.1.0 list names, and the invalid
/// cases of its files-toml-1.0.0 list that TOML 1.1 did not make valid.
/// </summary>
public class TomlTestSuiteTests
{
    private static string SuiteDir => Path.Combine(TestPaths.SharedFixtures, "toml-test", "tests");

    private static string[] List(string version) => File.ReadAllLines(Path.Combine(SuiteDir, "files-toml-" + version));

    private static IEnumerable<string> Cases(string version, string prefix) =>
        List(version)
            .Where(l => l.StartsWith(prefix, StringComparison.Ordinal) && l.EndsWith(".toml", StringComparison.Ordinal))
            .Select(l => l[prefix.Length..^".toml".Length]);

    /// <summary>
    /// 1.0-invalid cases that 1.1 made valid: the 1.1 list drops them although it still tests their folder. A folder
    /// the 1.1 list has no case in at all (spec-1.0.0, replaced by spec-1.1.0) was renamed, not made valid.
    /// </summary>
    private static HashSet<string> MadeValidBy11()
    {
        var invalid11 = Cases("1.1.0", "invalid/").ToHashSet(StringComparer.Ordinal);
        var folders11 = invalid11.Select(Folder).ToHashSet(StringComparer.Ordinal);
        return Cases("1.0.0", "invalid/")
            .Where(c => !invalid11.Contains(c) && folders11.Contains(Folder(c)))
            .ToHashSet(StringComparer.Ordinal);

        static string Folder(string name) => name.Contains('/') ? name[..name.LastIndexOf('/')] : "";
    }

    private static IEnumerable<string> Invalid10StillInvalid()
    {
        var excluded = MadeValidBy11();
        return Cases("1.0.0", "invalid/").Where(c => !excluded.Contains(c));
    }

    public static TheoryData<string> ValidCases() => new(Cases("1.1.0", "valid/"));
    public static TheoryData<string> InvalidCases() => new(Cases("1.1.0", "invalid/"));
    public static TheoryData<string> Invalid10Cases() => new(Invalid10StillInvalid());

    [Theory]
    [MemberData(nameof(ValidCases))]
    public void Valid(string name)
    {
        var path = Path.Combine(SuiteDir, "valid", name);
        var root = TomlDocument.Parse(File.ReadAllBytes(path + ".toml"), name + ".toml");
        TaggedJsonAssert.Equal(File.ReadAllText(path + ".json"), TaggedJson.FromTable(root));
    }

    [Theory]
    [MemberData(nameof(InvalidCases))]
    public void Invalid(string name) => AssertRejected(name);

    [Theory]
    [MemberData(nameof(Invalid10Cases))]
    public void Invalid_in_1_0_and_still_in_1_1(string name) => AssertRejected(name);

    private static void AssertRejected(string name)
    {
        var bytes = File.ReadAllBytes(Path.Combine(SuiteDir, "invalid", name + ".toml"));
        var error = Assert.Throws<UvLambdaException>(() => TomlDocument.Parse(bytes, name + ".toml"));
        Assert.Equal(ErrorCodes.TomlSyntax, error.Code);
        Assert.Equal(name + ".toml", error.File);
        Assert.True(error.Line >= 1, $"line {error.Line}");
        Assert.True(error.Column >= 1, $"column {error.Column}");
    }

    [Fact]
    public void The_suite_has_the_expected_number_of_cases()
    {
        // Guards against a broken list path silently turning the theories into zero cases.
        Assert.Equal(Cases("1.1.0", "valid/").Count(), ValidCases().Count);
        Assert.Equal(Cases("1.1.0", "invalid/").Count(), InvalidCases().Count);
        Assert.Equal(220, ValidCases().Count);
        Assert.Equal(492, InvalidCases().Count);
        Assert.Equal(210, Cases("1.0.0", "valid/").Count());
        Assert.Equal(499, Cases("1.0.0", "invalid/").Count());
    }

    [Fact]
    public void Only_the_1_0_invalid_cases_that_1_1_made_valid_are_excluded()
    {
        var excluded = MadeValidBy11().Order(StringComparer.Ordinal).ToArray();
        // Inline-table newlines and trailing commas, \x escapes, optional seconds: the 1.1 changelog's relaxations.
        Assert.Equal(
            new[]
            {
                "datetime/no-secs", "inline-table/linebreak-01", "inline-table/linebreak-02", "inline-table/linebreak-03",
                "inline-table/linebreak-04", "inline-table/trailing-comma", "local-datetime/no-secs", "local-time/no-secs",
                "string/basic-byte-escapes",
            },
            excluded);
        Assert.Equal(Cases("1.0.0", "invalid/").Count() - excluded.Length, Invalid10Cases().Count);
        Assert.Equal(490, Invalid10Cases().Count);
        // Each excluded case really is TOML 1.1 now.
        foreach (var name in excluded)
            TomlDocument.Parse(File.ReadAllBytes(Path.Combine(SuiteDir, "invalid", name + ".toml")), name + ".toml");
    }

    [Fact]
    public void Decoder_process_passes_the_1_1_suite()
    {
        // One process per case is slow, so the decoder runs the valid cases the 1.1 list adds to the 1.0 list.
        var valid10 = Cases("1.0.0", "valid/").ToHashSet(StringComparer.Ordinal);
        var added = Cases("1.1.0", "valid/").Where(c => !valid10.Contains(c)).ToArray();
        Assert.Equal(58, added.Length);
        foreach (var name in added)
        {
            var path = Path.Combine(SuiteDir, "valid", name);
            var (exit, stdout, stderr) = RunDecoder(File.ReadAllBytes(path + ".toml"));
            Assert.True(exit == 0, name + ": " + stderr);
            TaggedJsonAssert.Equal(File.ReadAllText(path + ".json"), stdout);
        }
    }

    [Fact]
    public void Decoder_process_prints_tagged_json_for_valid_toml()
    {
        var (exit, stdout, stderr) = RunDecoder(File.ReadAllBytes(Path.Combine(SuiteDir, "valid", "spec-1.0.0", "table-7.toml")));
        Assert.True(exit == 0, stderr);
        TaggedJsonAssert.Equal(File.ReadAllText(Path.Combine(SuiteDir, "valid", "spec-1.0.0", "table-7.json")), stdout);
    }

    [Fact]
    public void Decoder_process_reports_line_and_column_for_invalid_toml()
    {
        var (exit, stdout, stderr) = RunDecoder("a = 1\nb = \"ok\"\nc = [1,,2]\n"u8.ToArray());
        Assert.Equal(1, exit);
        Assert.Equal("", stdout);
        Assert.StartsWith("3:8: ", stderr);
    }

    private static (int Exit, string Stdout, string Stderr) RunDecoder(byte[] input)
    {
        // The decoder's project reference copies it next to the tests.
        var dll = Path.Combine(AppContext.BaseDirectory, "TomlDecoder.dll");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(dll);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardInput.BaseStream.Write(input);
        process.StandardInput.Close();
        Assert.True(process.WaitForExit(60_000), "decoder did not exit");
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
