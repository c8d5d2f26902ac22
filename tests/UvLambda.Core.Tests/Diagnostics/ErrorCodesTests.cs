using System.Reflection;
using System.Text.RegularExpressions;
using UvLambda.Core.Diagnostics;

namespace UvLambda.Core.Tests.Diagnostics;

public class ErrorCodesTests
{
    private static IEnumerable<string> AllCodes() =>
        typeof(ErrorCodes).GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (string)f.GetValue(null)!);

    [Fact]
    public void Codes_are_UVL_plus_four_digits_and_unique()
    {
        var codes = AllCodes().ToList();
        Assert.All(codes, c => Assert.Matches("^UVL[1-59][0-9]{3}$", c));
        Assert.Equal(codes.Count, codes.Distinct().Count());
    }

    [Fact]
    public void Every_code_has_an_entry_in_docs_troubleshooting()
    {
        // An entry is a list item that starts with the code, not a mention of it in another code's entry.
        var entries = File.ReadAllLines(Path.Combine(TestPaths.RepoRoot, "docs", "troubleshooting.md"))
            .Select(l => System.Text.RegularExpressions.Regex.Match(l, "^- `(UVL[0-9]{4})`"))
            .Where(m => m.Success).Select(m => m.Groups[1].Value).ToHashSet();
        var codes = AllCodes().ToList();
        Assert.NotEmpty(codes);
        Assert.All(codes, c => Assert.Contains(c, entries));
    }

    /// <summary>
    /// Every code is produced and asserted by some test: its constant (<c>ErrorCodes.Name</c>) or its literal (<c>UVLnnnn</c>)
    /// appears in code (not in a comment, not in a DoesNotContain) in a test source file. A code no test names is either
    /// untested or dead; add a test that triggers it, or remove it (and its entry in docs/troubleshooting.md).
    /// </summary>
    [Fact]
    public void Every_code_is_asserted_by_some_test()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "UvLambda.Build.sln"))) root = root.Parent;
        Assert.True(root is not null, $"no folder above {AppContext.BaseDirectory} holds UvLambda.Build.sln");
        var tests = Path.Combine(root!.FullName, "tests");
        var sep = Path.DirectorySeparatorChar;
        var files = Directory.EnumerateFiles(tests, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{sep}bin{sep}") && !f.Contains($"{sep}obj{sep}") && Path.GetFileName(f) != $"{nameof(ErrorCodesTests)}.cs")
            .ToList();
        Assert.True(files.Count > 50, $"only {files.Count} test source files under {tests}");
        var code = string.Join("\n", files.SelectMany(File.ReadLines)
            .Select(l => l.TrimStart())
            .Where(l => !l.StartsWith("//", StringComparison.Ordinal) && !l.Contains("DoesNotContain", StringComparison.Ordinal))
            .Select(l => l.IndexOf(" // ", StringComparison.Ordinal) is var c and >= 0 ? l[..c] : l));

        var fields = typeof(ErrorCodes).GetFields(BindingFlags.Public | BindingFlags.Static);
        Assert.True(fields.Length > 100, $"only {fields.Length} codes in ErrorCodes");
        var untested = fields
            .Where(f => !Regex.IsMatch(code, $@"\bErrorCodes\.{f.Name}\b|\b{(string)f.GetValue(null)!}\b"))
            .Select(f => $"{f.GetValue(null)} ({f.Name})")
            .ToList();
        Assert.True(untested.Count == 0, "No test asserts these codes: " + string.Join(", ", untested));
    }
}
