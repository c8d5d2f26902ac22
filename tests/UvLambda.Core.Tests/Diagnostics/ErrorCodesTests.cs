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
    public void Every_code_has_a_troubleshooting_entry_in_the_readme()
    {
        var readme = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "README.md"));
        Assert.All(AllCodes(), c => Assert.Contains($"`{c}`", readme));
    }
}
