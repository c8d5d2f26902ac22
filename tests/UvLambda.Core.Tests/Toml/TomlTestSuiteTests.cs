using System.Diagnostics;
using UvLambda.Core.Diagnostics;
using UvLambda.Core.Toml;
using UvLambda.TomlDecoder;

namespace UvLambda.Core.Tests.Toml;

/// <summary>The official toml-test suite (the cases its files-toml-1.0.0 list names), read from ../shared.</summary>
public class TomlTestSuiteTests
{
    private static string SuiteDir => Path.Combine(TestPaths.SharedFixtures, "toml-test", "tests");

    private static IEnumerable<string> Cases(string prefix) =>
        File.ReadAllLines(Path.Combine(SuiteDir, "files-toml-1.0.0"))
            .Where(l => l.StartsWith(prefix, StringComparison.Ordinal) && l.EndsWith(".toml", StringComparison.Ordinal))
            .Select(l => l[prefix.Length..^".toml".Length]);

    public static TheoryData<string> ValidCases() => new(Cases("valid/"));
    public static TheoryData<string> InvalidCases() => new(Cases("invalid/"));

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
    public void Invalid(string name)
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
        Assert.Equal(210, Cases("valid/").Count());
        Assert.Equal(499, Cases("invalid/").Count());
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
