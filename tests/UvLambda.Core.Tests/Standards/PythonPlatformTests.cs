using UvLambda.Core.Diagnostics;
using UvLambda.Core.Standards;

namespace UvLambda.Core.Tests.Standards;

public class PythonPlatformTests
{
    [Theory]
    [InlineData("x86_64-manylinux2014", LinuxArchitecture.X86_64, 17, "x86_64-manylinux_2_17")]
    [InlineData("aarch64-manylinux2014", LinuxArchitecture.Aarch64, 17, "aarch64-manylinux_2_17")]
    [InlineData("aarch64-manylinux_2_28", LinuxArchitecture.Aarch64, 28, "aarch64-manylinux_2_28")]
    [InlineData("x86_64-manylinux_2_34", LinuxArchitecture.X86_64, 34, "x86_64-manylinux_2_34")]
    public void Uv_manylinux_platforms_parse(string text, LinuxArchitecture arch, int glibcMinor, string canonical)
    {
        var p = PythonPlatform.Parse(text);
        Assert.Equal(arch, p.Architecture);
        Assert.Equal(2, p.GlibcMajor);
        Assert.Equal(glibcMinor, p.GlibcMinor);
        Assert.Equal(canonical, p.ToString());
    }

    [Theory]
    [InlineData("linux")]
    [InlineData("x86_64-unknown-linux-gnu")]
    [InlineData("x86_64-manylinux_2_5")]
    [InlineData("x86_64-manylinux2010")]
    [InlineData("arm64-manylinux_2_34")]
    [InlineData("x86_64-musllinux_1_2")]
    [InlineData("aarch64-apple-darwin")]
    [InlineData("windows")]
    [InlineData("x86_64-manylinux_2_x")]
    public void Other_platforms_are_rejected_listing_the_valid_forms(string text)
    {
        var e = Assert.Throws<UvLambdaException>(() => PythonPlatform.Parse(text));
        Assert.Equal(ErrorCodes.InvalidPythonPlatform, e.Code);
        Assert.Contains("x86_64-manylinux_2_NN", e.Message);
        Assert.Contains("aarch64-manylinux2014", e.Message);
    }

    [Theory]
    [InlineData(10, 26)]
    [InlineData(11, 26)]
    [InlineData(12, 34)]
    [InlineData(13, 34)]
    [InlineData(14, 34)]
    public void Lambda_runtimes_use_the_glibc_of_their_Amazon_Linux(int pythonMinor, int glibcMinor) =>
        Assert.Equal(glibcMinor, PythonPlatform.ForLambdaRuntime(LinuxArchitecture.Aarch64, pythonMinor).GlibcMinor);
}
