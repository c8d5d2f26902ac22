using UvLambda.Core.Diagnostics;
using UvLambda.Core.Standards;

namespace UvLambda.Core.Tests.Standards;

public class RequirementTests
{
    [Fact]
    public void Name_extras_parenthesized_specifiers_and_marker()
    {
        var r = Requirement.Parse("Foo.Bar[Extra_One, extra2] (>=1.0,<2) ; python_version < '3.13'");
        Assert.Equal("Foo.Bar", r.Name);
        Assert.Equal("foo-bar", r.NormalizedName);
        Assert.Equal(["extra-one", "extra2"], r.Extras);
        Assert.Equal(">=1.0,<2", r.Specifiers.ToString());
        Assert.Null(r.Url);
        Assert.Equal("python_version < '3.13'", r.Marker!.ToString());
    }

    [Fact]
    public void Url_requirement_with_marker()
    {
        var r = Requirement.Parse("pip @ https://github.com/pypa/pip/archive/1.3.1.zip#sha1=da9234ee9982d4bbb3c72346a6de940a148ea686 ; sys_platform == 'linux'");
        Assert.Equal("pip", r.Name);
        Assert.Equal("https://github.com/pypa/pip/archive/1.3.1.zip#sha1=da9234ee9982d4bbb3c72346a6de940a148ea686", r.Url);
        Assert.True(r.Specifiers.IsEmpty);
        Assert.NotNull(r.Marker);
    }

    [Fact]
    public void A_URL_may_contain_a_semicolon()
    {
        var r = Requirement.Parse("name @ https://example.com/a;b.whl");
        Assert.Equal("https://example.com/a;b.whl", r.Url);
        Assert.Null(r.Marker);
    }

    [Theory]
    [InlineData("requests", "requests", "")]
    [InlineData("requests>=2.31", "requests", ">=2.31")]
    [InlineData("pydantic-ai-slim[mcp]==1.0.0", "pydantic-ai-slim", "==1.0.0")]
    [InlineData("boto3 ~= 1.34.0", "boto3", "~=1.34.0")]
    [InlineData("numpy[]", "numpy", "")]
    [InlineData("mangum>=0.17;python_version>='3.8'", "mangum", ">=0.17")]
    public void Common_pyproject_spellings(string text, string name, string specifiers)
    {
        var r = Requirement.Parse(text);
        Assert.Equal(name, r.NormalizedName);
        Assert.Equal(specifiers, r.Specifiers.ToString());
    }

    [Theory]
    [InlineData("Foo[B,a] (>=1.0 , <2) ;python_version<'3.13'", "Foo[b,a]>=1.0,<2; python_version<'3.13'")]
    [InlineData("pip @ https://x/y.whl ; os_name == 'posix'", "pip @ https://x/y.whl ; os_name == 'posix'")]
    public void ToString_is_a_normalized_spelling(string text, string expected) =>
        Assert.Equal(expected, Requirement.Parse(text).ToString());

    [Theory]
    [InlineData("", ErrorCodes.InvalidRequirement)]
    [InlineData("-foo", ErrorCodes.InvalidRequirement)]
    [InlineData("foo[bar", ErrorCodes.InvalidRequirement)]
    [InlineData("foo >= 1.0 extra", ErrorCodes.InvalidRequirement)]
    [InlineData("foo (>=1.0", ErrorCodes.InvalidRequirement)]
    [InlineData("foo @ ", ErrorCodes.InvalidRequirement)]
    [InlineData("foo ;", ErrorCodes.InvalidRequirement)]
    [InlineData("foo ; python_version <", ErrorCodes.InvalidMarker)]
    public void Invalid_requirements_are_rejected_with_a_coded_error(string text, string code)
    {
        var e = Assert.Throws<UvLambdaException>(() => Requirement.Parse(text));
        Assert.Equal(code, e.Code);
    }
}
