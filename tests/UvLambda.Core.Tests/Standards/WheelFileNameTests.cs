using UvLambda.Core.Diagnostics;
using UvLambda.Core.Standards;

namespace UvLambda.Core.Tests.Standards;

public class WheelFileNameTests
{
    [Fact]
    public void Compressed_tag_sets_expand_to_every_combination()
    {
        var w = WheelFileName.Parse("pydantic_core-2.27.2-cp313-cp313-manylinux_2_17_x86_64.manylinux2014_x86_64.whl");
        Assert.Equal("pydantic_core", w.Name);
        Assert.Equal("pydantic-core", w.NormalizedName);
        Assert.Equal(Pep440Version.Parse("2.27.2"), w.Version);
        Assert.Null(w.BuildTag);
        Assert.Equal(
            ["cp313-cp313-manylinux_2_17_x86_64", "cp313-cp313-manylinux2014_x86_64"],
            w.Tags.Select(t => t.ToString()));
    }

    [Fact]
    public void Python_and_abi_sets_multiply()
    {
        var w = WheelFileName.Parse("six-1.16.0-py2.py3-none-any.whl");
        Assert.Equal(["py2-none-any", "py3-none-any"], w.Tags.Select(t => t.ToString()));
        var x = WheelFileName.Parse("foo-1.0-cp312.cp313-abi3.none-linux_x86_64.manylinux1_x86_64.whl");
        Assert.Equal(8, x.Tags.Count());
    }

    [Fact]
    public void Build_tags_are_number_then_string()
    {
        var w = WheelFileName.Parse("foo-1.0-2b-py3-none-any.whl");
        Assert.Equal(new BuildTag(2, "b"), w.BuildTag);
        Assert.True(new BuildTag(10, "") .CompareTo(new BuildTag(9, "z")) > 0);
        Assert.True(new BuildTag(2, "b").CompareTo(new BuildTag(2, "a")) > 0);
        Assert.True(new BuildTag(2, "").CompareTo(new BuildTag(2, "a")) < 0);
    }

    [Fact]
    public void A_path_or_url_is_cut_to_its_file_name()
    {
        var w = WheelFileName.Parse("https://files.pythonhosted.org/packages/aa/bb/orjson-3.10.0-cp312-cp312-manylinux_2_17_aarch64.manylinux2014_aarch64.whl");
        Assert.Equal("orjson-3.10.0-cp312-cp312-manylinux_2_17_aarch64.manylinux2014_aarch64.whl", w.FileName);
    }

    [Fact]
    public void Percent_encoded_local_versions_in_urls_are_decoded()
    {
        var w = WheelFileName.Parse("https://download.pytorch.org/whl/cpu/torch-2.9.1%2Bcpu-cp310-cp310-manylinux_2_28_aarch64.whl");
        Assert.Equal("torch-2.9.1+cpu-cp310-cp310-manylinux_2_28_aarch64.whl", w.FileName);
        Assert.Equal("cpu", w.Version.Local);
    }

    [Theory]
    [InlineData("foo-1.0-py3-none-any.tar.gz")]
    [InlineData("foo-1.0-py3-none.whl")]
    [InlineData("foo-1.0-x-y-py3-none-any.whl")]
    [InlineData("foo-1.0-abc-py3-none-any.whl")]
    [InlineData("foo-not.a.version!-py3-none-any.whl")]
    [InlineData("foo__bar-1.0-py3-none-any.whl")]
    [InlineData("foo-1.0-py3-none-.whl")]
    [InlineData("foo-1.0-py3..py2-none-any.whl")]
    public void Malformed_names_are_rejected_with_a_coded_error(string fileName)
    {
        Assert.False(WheelFileName.TryParse(fileName, out _));
        var e = Assert.Throws<UvLambdaException>(() => WheelFileName.Parse(fileName));
        Assert.Equal(ErrorCodes.InvalidWheelFileName, e.Code);
    }

    [Fact]
    public void Distinct_platforms_list_what_exists_for_error_messages()
    {
        var wheels = new[]
        {
            "cryptography-49.0.0-cp311-abi3-manylinux_2_28_x86_64.whl",
            "cryptography-49.0.0-cp311-abi3-macosx_11_0_arm64.whl",
            "cryptography-49.0.0-cp314-cp314t-manylinux_2_28_x86_64.whl",
        }.Select(WheelFileName.Parse);
        Assert.Equal(["manylinux_2_28_x86_64", "macosx_11_0_arm64"], WheelFileName.DistinctPlatforms(wheels));
    }
}
