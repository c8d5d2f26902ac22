using System.Text.RegularExpressions;

namespace UvLambda.Core.Tests.Documentation;

/// <summary>
/// README.md is the users' front page and the NuGet readme; the reference, troubleshooting and contributor pages live
/// beside it. These tests keep the links between them and README's set-up commands from rotting.
/// </summary>
public partial class DocumentationTests
{
    private static readonly string[] Pages = ["README.md", "CONTRIBUTING.md", "docs/reference.md", "docs/troubleshooting.md", "docs/ARCHITECTURE.md"];

    [GeneratedRegex(@"\]\(([^)\s]+)\)")]
    private static partial Regex MarkdownLink();

    [GeneratedRegex(@"^#{1,6} (.+)$", RegexOptions.Multiline)]
    private static partial Regex Heading();

    private static string Read(string page) => File.ReadAllText(Path.Combine(TestPaths.RepoRoot, page));

    /// <summary>The anchor GitHub gives a heading: lowercase, punctuation dropped, spaces to hyphens.</summary>
    private static string Anchor(string heading) =>
        Regex.Replace(heading.Trim().ToLowerInvariant(), @"[^\p{L}\p{N}_\- ]", "").Replace(' ', '-');

    [Fact]
    public void Every_relative_link_between_the_pages_points_at_a_file_and_heading_that_exist()
    {
        var checkedLinks = 0;
        foreach (var page in Pages)
        {
            foreach (Match m in MarkdownLink().Matches(Read(page)))
            {
                var target = m.Groups[1].Value;
                if (target.Contains("://") || target.StartsWith("mailto:", StringComparison.Ordinal)) continue;
                var hash = target.IndexOf('#');
                var file = hash < 0 ? target : target[..hash];
                var path = file.Length == 0 ? page : Path.GetRelativePath(TestPaths.RepoRoot,
                    Path.GetFullPath(Path.Combine(TestPaths.RepoRoot, Path.GetDirectoryName(page)!, file)));
                Assert.True(File.Exists(Path.Combine(TestPaths.RepoRoot, path)), $"{page} links to {target}: no such file");
                if (hash >= 0)
                {
                    var anchors = Heading().Matches(Read(path)).Select(h => Anchor(h.Groups[1].Value)).ToHashSet();
                    Assert.True(anchors.Contains(target[(hash + 1)..]), $"{page} links to {target}: {path} has no such heading");
                }
                checkedLinks++;
            }
        }
        // README alone links to every reference section; far fewer means the link pattern stopped matching.
        Assert.True(checkedLinks >= 15, $"only {checkedLinks} relative links found");
    }

    [Fact]
    public void Readme_set_up_commands_are_the_sample_build_and_the_test_script_that_ci_runs()
    {
        var readme = Read("README.md");
        var start = readme.IndexOf("\n## Set-up commands\n", StringComparison.Ordinal);
        Assert.True(start >= 0, "README has no '## Set-up commands' section");
        var end = readme.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        var section = end < 0 ? readme[start..] : readme[start..end];
        var commands = Regex.Matches(section, "```sh\n(.*?)```", RegexOptions.Singleline).Select(m => m.Groups[1].Value).ToList();

        Assert.Equal(["dotnet build UvLambda.Build.sln -c Release && dotnet build samples/hello -c Release\n", "./test.sh\n"], commands);
        Assert.Contains("exec ./test.sh", Read(".ci/run"));
    }

    [Fact]
    public void Reference_tables_keep_their_rows_short()
    {
        // Long explanations belong in prose under the table, where they can be read.
        var rows = Read("docs/reference.md").Split('\n').Where(l => l.StartsWith("| `", StringComparison.Ordinal)).ToList();
        Assert.True(rows.Count > 80, $"only {rows.Count} table rows in docs/reference.md");
        Assert.All(rows, r => Assert.True(r.Length <= 300, $"{r.Length} characters: {r[..Math.Min(60, r.Length)]}…"));
    }
}
