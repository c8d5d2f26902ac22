using UvLambda.Core.Projects;

namespace UvLambda.Core.Tests.Projects;

public class WorkspaceGlobTests
{
    [Theory]
    [InlineData("packages/*", "packages/a", true)]
    [InlineData("packages/*", "packages/a/b", false)]
    [InlineData("packages/*", "packages", false)]
    [InlineData("./packages/*/", "packages/a", true)]
    [InlineData("packages/*", "packages\\a", true)]
    [InlineData("lib?", "lib1", true)]
    [InlineData("lib?", "lib12", false)]
    [InlineData("lib?", "lib/", false)]
    [InlineData("**", "a/b/c", true)]
    [InlineData("libs/**", "libs", true)]
    [InlineData("libs/**", "libs/a/b", true)]
    [InlineData("libs/**/pkg", "libs/pkg", true)]
    [InlineData("libs/**/pkg", "libs/a/b/pkg", true)]
    [InlineData("libs/**/pkg", "libs/a/b/pkg2", false)]
    [InlineData("p/[ab]*", "p/alpha", true)]
    [InlineData("p/[!ab]*", "p/alpha", false)]
    [InlineData("p/[!ab]*", "p/gamma", true)]
    [InlineData("p/[a-c]", "p/b", true)]
    [InlineData("p/[a-c]", "p/d", false)]
    [InlineData("a.b", "aXb", false)]
    [InlineData("common", "common", true)]
    [InlineData("common", "Common", false)]
    public void Globs_match_like_the_glob_crate(string pattern, string path, bool expected) =>
        Assert.Equal(expected, new WorkspaceGlob(pattern).Matches(path));

    [Fact]
    public void Expansion_stays_at_the_pattern_depth()
    {
        using var t = new TempDirectory();
        t.WriteFile("p/a/x.txt", "");
        t.WriteFile("p/a/deep/x.txt", "");
        t.WriteFile("p/b/x.txt", "");
        Assert.Equal([t.Combine("p", "a"), t.Combine("p", "b")], new WorkspaceGlob("p/*").ExpandDirectories(t.Path));
        Assert.Equal([t.Combine("p", "a"), t.Combine("p", "a", "deep"), t.Combine("p", "b")], new WorkspaceGlob("p/**").ExpandDirectories(t.Path).Where(d => d != t.Combine("p")));
        Assert.Empty(new WorkspaceGlob("missing/*").ExpandDirectories(t.Path));
    }
}
