using UvLambda.Core.Standards;

namespace UvLambda.Core.Tests.Standards;

public class PackageNameTests
{
    [Theory]
    [InlineData("Foo.Bar_baz", "foo-bar-baz")]
    [InlineData("FOO__bar..BAZ", "foo-bar-baz")]
    [InlineData("foo-bar", "foo-bar")]
    [InlineData("PyYAML", "pyyaml")]
    [InlineData("zope.interface", "zope-interface")]
    [InlineData("a-_.b", "a-b")]
    public void Normalize_lowercases_and_collapses_separator_runs(string name, string expected) =>
        Assert.Equal(expected, PackageName.Normalize(name));

    [Fact]
    public void Normalize_returns_an_already_normal_name_without_copying()
    {
        var name = "pydantic-core";
        Assert.Same(name, PackageName.Normalize(name));
    }

    [Theory]
    [InlineData("pydantic-core", "pydantic_core")]
    [InlineData("Zope.Interface", "zope_interface")]
    [InlineData("typing_extensions", "typing_extensions")]
    public void Wheel_file_component_uses_underscores(string name, string expected) =>
        Assert.Equal(expected, PackageName.ToWheelFileComponent(name));

    [Theory]
    [InlineData("Foo.Bar_baz", "foo-bar-baz", true)]
    [InlineData("pydantic_core", "Pydantic-Core", true)]
    [InlineData("foo", "foo-", false)]
    [InlineData("foobar", "foo-bar", false)]
    public void Equivalence_and_hashing_follow_the_normal_form(string a, string b, bool equal)
    {
        Assert.Equal(equal, PackageName.AreEquivalent(a, b));
        if (equal)
            Assert.Equal(PackageName.Comparer.GetHashCode(a), PackageName.Comparer.GetHashCode(b));
        var set = new HashSet<string>(PackageName.Comparer) { a };
        Assert.Equal(equal, set.Contains(b));
    }

    [Theory]
    [InlineData("requests", true)]
    [InlineData("zope.interface", true)]
    [InlineData("a", true)]
    [InlineData("-foo", false)]
    [InlineData("foo_", false)]
    [InlineData("foo bar", false)]
    [InlineData("", false)]
    public void Valid_names_start_and_end_with_a_letter_or_digit(string name, bool valid) =>
        Assert.Equal(valid, PackageName.IsValid(name));
}
