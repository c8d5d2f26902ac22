using UvLambda.Core.Archives;

namespace UvLambda.Core.Tests.Archives;

public class ExcludeGlobTests
{
    [Theory]
    [InlineData("**/tests/**", "numpy/tests/test_a.py", true)]
    [InlineData("**/tests/**", "tests/conftest.py", true)]
    [InlineData("**/tests/**", "numpy/testing/x.py", false)]
    [InlineData("*.pyi", "pkg/sub/x.pyi", true)]
    [InlineData("*.pyi", "pkg/sub/x.py", false)]
    [InlineData("pkg/*.txt", "pkg/a.txt", true)]
    [InlineData("pkg/*.txt", "pkg/sub/a.txt", false)]
    [InlineData("botocore/data/", "botocore/data/ec2/2016/service-2.json", true)]
    [InlineData("m?.py", "a/m1.py", true)]
    [InlineData("**/*.so", "a/b/c.cpython-311-x86_64-linux-gnu.so", true)]
    public void Patterns_match_like_gitignore_globs(string pattern, string path, bool excluded) =>
        Assert.Equal(excluded, new ExcludeGlob([pattern]).IsExcluded(path));

    [Fact]
    public void Dist_info_stays_unless_a_pattern_names_it()
    {
        Assert.False(new ExcludeGlob(["**/LICENSE*", "**/*.txt"]).IsExcluded("requests-2.32.0.dist-info/LICENSE"));
        Assert.True(new ExcludeGlob(["**/LICENSE*"]).IsExcluded("requests/LICENSE"));
        Assert.True(new ExcludeGlob(["*.dist-info/RECORD"]).IsExcluded("requests-2.32.0.dist-info/RECORD"));
    }
}
