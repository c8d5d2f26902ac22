using System.Reflection;
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
}
