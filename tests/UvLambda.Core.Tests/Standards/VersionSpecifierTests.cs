using UvLambda.Core.Diagnostics;
using UvLambda.Core.Standards;

namespace UvLambda.Core.Tests.Standards;

public class VersionSpecifierTests
{
    // Expected values from packaging.specifiers.Specifier(spec, prereleases=True).contains(version),
    // i.e. the PEP 440 matching rules without the pre-release filtering policy.
    [Theory]
    [InlineData("==1.2.*", "1.2", true)]
    [InlineData("==1.2.*", "1.2.0", true)]
    [InlineData("==1.2.*", "1.2.3", true)]
    [InlineData("==1.2.*", "1.2.3a1", true)]
    [InlineData("==1.2.*", "1.2.3.post1", true)]
    [InlineData("==1.2.*", "1.2+cpu", true)]
    [InlineData("==1.2.*", "1.3", false)]
    [InlineData("==1.2.*", "1.20", false)]
    [InlineData("==1.2.*", "1", false)]
    [InlineData("==1.2.*", "1.1.9", false)]
    [InlineData("==1.2.*", "1!1.2", false)]
    [InlineData("==1.2.0.*", "1.2", true)]
    [InlineData("==1.2.0.*", "1.2.0.5", true)]
    [InlineData("==1.2.0.*", "1.2.1", false)]
    [InlineData("!=1.2.*", "1.2.5", false)]
    [InlineData("!=1.2.*", "1.3", true)]
    [InlineData("!=1.2.*", "1.1", true)]
    [InlineData("==1.2", "1.2", true)]
    [InlineData("==1.2", "1.2.0", true)]
    [InlineData("==1.2", "1.2+cpu", true)]
    [InlineData("==1.2", "1.2.post1", false)]
    [InlineData("==1.2", "1.2rc1", false)]
    [InlineData("==1.2+cpu", "1.2+cpu", true)]
    [InlineData("==1.2+cpu", "1.2", false)]
    [InlineData("==1.2+cpu", "1.2+gpu", false)]
    [InlineData("!=1.2", "1.2+cpu", false)]
    [InlineData("!=1.2", "1.2.1", true)]
    [InlineData("~=2.2", "2.2", true)]
    [InlineData("~=2.2", "2.3", true)]
    [InlineData("~=2.2", "2.9.9", true)]
    [InlineData("~=2.2", "3.0", false)]
    [InlineData("~=2.2", "2.1", false)]
    [InlineData("~=2.2", "2.2.post1", true)]
    [InlineData("~=2.2", "3.0a1", false)]
    [InlineData("~=1.4.5", "1.4.5", true)]
    [InlineData("~=1.4.5", "1.4.9", true)]
    [InlineData("~=1.4.5", "1.5.0", false)]
    [InlineData("~=1.4.5", "1.4.4", false)]
    [InlineData("~=2.2.post3", "2.2.post3", true)]
    [InlineData("~=2.2.post3", "2.2.post2", false)]
    [InlineData("~=2.2.post3", "2.3", true)]
    [InlineData("~=2.2.post3", "3.0", false)]
    [InlineData("~=1.4.5a4", "1.4.5a4", true)]
    [InlineData("~=1.4.5a4", "1.4.5", true)]
    [InlineData("~=1.4.5a4", "1.4.6", true)]
    [InlineData("~=1.4.5a4", "1.5", false)]
    [InlineData(">1.7", "1.7.1", true)]
    [InlineData(">1.7", "1.7", false)]
    [InlineData(">1.7", "1.7.post1", false)]
    [InlineData(">1.7", "1.7+local", false)]
    [InlineData(">1.7", "1.8.dev1", true)]
    [InlineData(">1.7", "1.7.0.post1", false)]
    [InlineData(">1.7", "1.7.1a1", true)]
    [InlineData(">1.7.post2", "1.7.post3", true)]
    [InlineData(">1.7.post2", "1.7.post2", false)]
    [InlineData(">1.7.post2", "1.8", true)]
    [InlineData("<1.7", "1.6", true)]
    [InlineData("<1.7", "1.7rc1", false)]
    [InlineData("<1.7", "1.7.dev1", false)]
    [InlineData("<1.7", "1.7", false)]
    [InlineData("<1.7", "1.6.9+local", true)]
    [InlineData("<1.7", "1.6rc1", true)]
    [InlineData("<1.7rc2", "1.7rc1", true)]
    [InlineData("<1.7rc2", "1.7.dev1", true)]
    [InlineData("<1.7rc2", "1.7rc2", false)]
    [InlineData("<=1.7", "1.7", true)]
    [InlineData("<=1.7", "1.7+local", true)]
    [InlineData("<=1.7", "1.7.post1", false)]
    [InlineData("<=1.7", "1.7rc1", true)]
    [InlineData(">=1.7", "1.7", true)]
    [InlineData(">=1.7", "1.7+local", true)]
    [InlineData(">=1.7", "1.7rc1", false)]
    [InlineData(">=1.7", "1.7.post1", true)]
    [InlineData(">=1.7", "1.6.9", false)]
    [InlineData(">=1.0.dev0", "1.0.dev0", true)]
    [InlineData(">=1.0.dev0", "1.0a1", true)]
    [InlineData(">=1.0.dev0", "0.9", false)]
    [InlineData("===1.0", "1.0", true)]
    [InlineData("===1.0", "1.0.0", false)]
    [InlineData("===1.0", "1.0+local", false)]
    [InlineData("===foobar", "1.0", false)]
    [InlineData("<2!1.0", "1!9.0", true)]
    [InlineData("<2!1.0", "2!0.5", true)]
    [InlineData("<2!1.0", "2!1.0", false)]
    public void Contains_follows_PEP_440_matching(string specifier, string version, bool expected) =>
        Assert.Equal(expected, VersionSpecifier.Parse(specifier).Contains(Pep440Version.Parse(version)));

    // Cases where packaging 21.3's string-splitting prefix match disagrees with PEP 440 (and uv):
    // 1.0a1 is 1.0.0a1, whose release starts with 1.0.
    [Theory]
    [InlineData("==1.0.*", "1a1", true)]
    [InlineData("==1.2a1.*", "1.2.0a1.post1", true)]
    [InlineData("==1.2a1.*", "1.2a2", false)]
    [InlineData("==1.2.post1.*", "1.2.post1.dev3", true)]
    [InlineData("==1.2.post1.*", "1.2a1.post1", false)]
    [InlineData("==1!1.2.*", "1!1.2.3", true)]
    public void Prefix_match_compares_zero_padded_releases(string specifier, string version, bool expected) =>
        Assert.Equal(expected, VersionSpecifier.Parse(specifier).Contains(Pep440Version.Parse(version)));

    [Theory]
    [InlineData(">=1.0", ">=1.0")]
    [InlineData(" == 1.2.* ", "==1.2.*")]
    [InlineData("~=2.2.POST3", "~=2.2.post3")]
    [InlineData("!=v1.0-1", "!=1.0.post1")]
    [InlineData("===foobar", "===foobar")]
    public void Specifiers_print_normalized(string text, string expected) =>
        Assert.Equal(expected, VersionSpecifier.Parse(text).ToString());

    [Theory]
    [InlineData("=>1.0")]
    [InlineData("1.0")]
    [InlineData("~=1")]
    [InlineData(">=1.0+local")]
    [InlineData("<1.0.*")]
    [InlineData("==1.0.dev1.*")]
    [InlineData("==1.0+cpu.*")]
    [InlineData(">=")]
    [InlineData("==1.0 2.0")]
    public void Invalid_specifiers_are_rejected_with_a_coded_error(string text)
    {
        var e = Assert.Throws<UvLambdaException>(() => VersionSpecifier.Parse(text));
        Assert.Equal(ErrorCodes.InvalidVersionSpecifier, e.Code);
    }

    [Theory]
    [InlineData(">=1.0,<2", "1.5", true)]
    [InlineData(">=1.0,<2", "2.0", false)]
    [InlineData(">=1.0, !=1.3.*, <2", "1.3.4", false)]
    [InlineData("", "0.1", true)]
    [InlineData(">=2.27.2,<2.28", "2.27.2", true)]
    public void Sets_require_every_specifier(string text, string version, bool expected) =>
        Assert.Equal(expected, VersionSpecifierSet.Parse(text).Contains(Pep440Version.Parse(version)));

    [Theory]
    [InlineData(">=1.0", "2.0b1", false, false)]
    [InlineData(">=1.0", "2.0b1", true, true)]
    [InlineData(">=2.0b1", "2.0b2", false, true)]
    public void Pre_release_policy_is_opt_in(string text, string version, bool allow, bool expected) =>
        Assert.Equal(expected, VersionSpecifierSet.Parse(text).Contains(Pep440Version.Parse(version), allow));

    [Fact]
    public void A_bad_entry_in_a_set_is_a_coded_error()
    {
        var e = Assert.Throws<UvLambdaException>(() => VersionSpecifierSet.Parse(">=1.0,,<2"));
        Assert.Equal(ErrorCodes.InvalidVersionSpecifier, e.Code);
    }
}
