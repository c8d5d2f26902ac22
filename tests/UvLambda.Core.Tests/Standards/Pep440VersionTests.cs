using UvLambda.Core.Diagnostics;
using UvLambda.Core.Standards;

namespace UvLambda.Core.Tests.Standards;

public class Pep440VersionTests
{
    // Expected values from packaging.version.Version (pip's vendored packaging 21.3).
    [Theory]
    [InlineData("v1.0", "1.0")]
    [InlineData("1.0.0-beta.1", "1.0.0b1")]
    [InlineData("V1.0", "1.0")]
    [InlineData("1.0-1", "1.0.post1")]
    [InlineData("1.0_post1", "1.0.post1")]
    [InlineData("1.0.POST1", "1.0.post1")]
    [InlineData("1.0-r1", "1.0.post1")]
    [InlineData("1.0rev2", "1.0.post2")]
    [InlineData("1.0alpha1", "1.0a1")]
    [InlineData("1.0.beta.2", "1.0b2")]
    [InlineData("1.0-c1", "1.0rc1")]
    [InlineData("1.0pre3", "1.0rc3")]
    [InlineData("1.0preview4", "1.0rc4")]
    [InlineData("1.0RC5", "1.0rc5")]
    [InlineData("1.0a", "1.0a0")]
    [InlineData("1.0-dev", "1.0.dev0")]
    [InlineData("1.0.dev", "1.0.dev0")]
    [InlineData("1.0_DEV3", "1.0.dev3")]
    [InlineData("01.002.0003", "1.2.3")]
    [InlineData("0!1.0", "1.0")]
    [InlineData("2!1.0", "2!1.0")]
    [InlineData("1.0+UBUNTU-1", "1.0+ubuntu.1")]
    [InlineData("1.0+abc_1.X", "1.0+abc.1.x")]
    [InlineData(" 1.0 ", "1.0")]
    [InlineData("1.0a.post1", "1.0a0.post1")]
    [InlineData("1.0-1.dev2", "1.0.post1.dev2")]
    [InlineData("1.0.post.dev", "1.0.post0.dev0")]
    [InlineData("1.0rc1.post2.dev3+cpu", "1.0rc1.post2.dev3+cpu")]
    [InlineData("1.0c1", "1.0rc1")]
    [InlineData("1.0-alpha.1", "1.0a1")]
    [InlineData("1.0r", "1.0.post0")]
    [InlineData("2.7.0+cu121", "2.7.0+cu121")]
    public void ToString_gives_the_normalized_spelling(string text, string normalized) =>
        Assert.Equal(normalized, Pep440Version.Parse(text).ToString());

    [Theory]
    [InlineData("")]
    [InlineData("1.0.0-SNAPSHOT")]
    [InlineData("2024-01-01")]
    [InlineData("1.0+")]
    [InlineData("1.0+a..b")]
    [InlineData("1..0")]
    [InlineData("1.0.")]
    [InlineData("a1.0")]
    [InlineData("1.0-1-1")]
    [InlineData("1.0 a1")]
    [InlineData("1.*")]
    [InlineData("1.0+cpu.")]
    public void Non_PEP_440_strings_are_rejected_with_a_coded_error(string text)
    {
        Assert.False(Pep440Version.TryParse(text, out _));
        var e = Assert.Throws<UvLambdaException>(() => Pep440Version.Parse(text));
        Assert.Equal(ErrorCodes.InvalidVersion, e.Code);
    }

    // Sorted by packaging.version.Version; one spelling per equal group.
    private static readonly string[] SortedVersions =
    [
        "0.0.1", "0.9", "1.0.dev0", "1.0.dev456", "1.0.0a0", "1.0a1", "1.0a2.dev456", "1.0a12.dev456", "1.0a12",
        "1.0b1.dev456", "1.0b2", "1.0b2.post345.dev456", "1.0b2.post345", "1.0b2-346", "1.0c1.dev456", "1.0c1",
        "1.0rc2", "1.0c3", "1.0", "1.0.post0.dev0", "1.0.post0", "1.0.post456.dev34", "1.0.post456", "1.1.dev1",
        "1.2", "1.2+123abc", "1.2+123abc456", "1.2+abc", "1.2+abc123", "1.2+abc123def", "1.2+1234.abc",
        "1.2+123456", "1.2.r32+123456", "1.2.rev33+123456", "1.2.1", "1.2.3.dev1", "1.2.3a1", "1.2.3b1",
        "1.2.3rc1", "1.2.3", "1.2.3+local", "1.2.3+local.a", "1.2.3+local.7", "1.2.3+1", "1.2.3.post1.dev1",
        "1.2.3.post1", "1.9", "1.10", "2.0", "10.0", "2024.1.1", "1!1.0b2.post345.dev456", "1!1.0",
        "1!1.0.post456", "1!1.2.rev33+123456",
    ];

    [Fact]
    public void Ordering_matches_packaging_dev_before_pre_before_final_before_post_with_locals_after_public()
    {
        var shuffled = SortedVersions.Select(Pep440Version.Parse).OrderBy(v => v.ToString().GetHashCode()).ToList();
        shuffled.Sort();
        Assert.Equal(SortedVersions.Select(v => Pep440Version.Parse(v).ToString()), shuffled.Select(v => v.ToString()));
        for (var i = 0; i + 1 < SortedVersions.Length; i++)
            Assert.True(Pep440Version.Parse(SortedVersions[i]) < Pep440Version.Parse(SortedVersions[i + 1]), $"{SortedVersions[i]} < {SortedVersions[i + 1]}");
    }

    [Theory]
    [InlineData("1.0", "1.0.0")]
    [InlineData("1.0", "1.0.0.0")]
    [InlineData("1.0a1", "1.0.0alpha1")]
    [InlineData("0!1.0", "1.0")]
    [InlineData("1.0-1", "1.0.post1")]
    [InlineData("1.0+CPU", "1.0+cpu")]
    public void Equal_versions_are_equal_and_hash_alike(string a, string b)
    {
        var x = Pep440Version.Parse(a);
        var y = Pep440Version.Parse(b);
        Assert.Equal(x, y);
        Assert.True(x == y);
        Assert.Equal(x.GetHashCode(), y.GetHashCode());
    }

    [Fact]
    public void Components_are_exposed()
    {
        var v = Pep440Version.Parse("2!1.2.3rc4.post5.dev6+ubuntu.1");
        Assert.Equal(2, v.Epoch);
        Assert.Equal([1L, 2, 3], v.Release);
        Assert.Equal(PreReleaseKind.ReleaseCandidate, v.PreKind);
        Assert.Equal(4, v.Pre);
        Assert.Equal(5, v.Post);
        Assert.Equal(6, v.Dev);
        Assert.Equal("ubuntu.1", v.Local);
        Assert.True(v.IsPreRelease);
        Assert.Equal("2!1.2.3rc4.post5.dev6", v.Public.ToString());
        Assert.Equal("2!1.2.3", v.BaseVersion.ToString());
    }

    [Theory]
    [InlineData("1.0", false)]
    [InlineData("1.0.dev1", true)]
    [InlineData("1.0a1", true)]
    [InlineData("1.0.post1", false)]
    [InlineData("1.0.post1.dev1", true)]
    public void Dev_releases_count_as_pre_releases(string text, bool pre) =>
        Assert.Equal(pre, Pep440Version.Parse(text).IsPreRelease);
}
