using UvLambda.Core.Standards;

namespace UvLambda.Core.Tests.Standards;

public class TargetTagsTests
{
    private static readonly TargetTags Cp313X86Glibc234 = new(13, PythonPlatform.Parse("x86_64-manylinux_2_34"));
    private static readonly TargetTags Cp313X86Glibc226 = new(13, PythonPlatform.Parse("x86_64-manylinux_2_26"));
    private static readonly TargetTags Cp311ArmGlibc226 = new(11, PythonPlatform.Parse("aarch64-manylinux_2_26"));

    // The TestData files are packaging.tags.cpython_tags() + compatible_tags() for that interpreter, with
    // _manylinux.platform_tags() at that glibc (pip's vendored packaging 21.3), minus linux_* unless named.
    private static string[] Expected(string file) =>
        File.ReadAllLines(Path.Combine(TestPaths.RepoRoot, "tests", "UvLambda.Core.Tests", "Standards", "TestData", file))
            .Where(l => l.Length > 0).ToArray();

    [Theory]
    [InlineData(13, "x86_64-manylinux_2_34", false, "sys_tags_cp313_x86_64_glibc2_34.txt")]
    [InlineData(11, "aarch64-manylinux_2_26", false, "sys_tags_cp311_aarch64_glibc2_26.txt")]
    [InlineData(10, "x86_64-manylinux_2_26", false, "sys_tags_cp310_x86_64_glibc2_26.txt")]
    [InlineData(12, "x86_64-manylinux2014", true, "sys_tags_cp312_x86_64_glibc2_17_with_linux.txt")]
    public void Tag_order_is_exactly_packaging_sys_tags(int pythonMinor, string platform, bool includeLinux, string file)
    {
        var tags = new TargetTags(pythonMinor, PythonPlatform.Parse(platform), includeLinux);
        Assert.Equal(Expected(file), tags.Tags.Select(t => t.ToString()));
    }

    [Fact]
    public void Tag_order_spot_checks()
    {
        var order = Cp313X86Glibc234.Tags.Select(t => t.ToString()).ToList();
        Assert.Equal("cp313-cp313-manylinux_2_34_x86_64", order[0]);
        Assert.True(order.IndexOf("cp313-cp313-manylinux2014_x86_64") == order.IndexOf("cp313-cp313-manylinux_2_17_x86_64") + 1);
        Assert.True(order.IndexOf("cp313-cp313-manylinux2010_x86_64") == order.IndexOf("cp313-cp313-manylinux_2_12_x86_64") + 1);
        Assert.Equal("cp313-cp313-manylinux1_x86_64", order[order.IndexOf("cp313-cp313-manylinux_2_5_x86_64") + 1]);
        Assert.True(order.IndexOf("cp313-cp313-manylinux1_x86_64") < order.IndexOf("cp313-abi3-manylinux_2_34_x86_64"));
        Assert.True(order.IndexOf("cp313-abi3-manylinux1_x86_64") < order.IndexOf("cp313-none-manylinux_2_34_x86_64"));
        Assert.True(order.IndexOf("cp313-none-manylinux1_x86_64") < order.IndexOf("cp312-abi3-manylinux_2_34_x86_64"));
        Assert.True(order.IndexOf("cp32-abi3-manylinux1_x86_64") < order.IndexOf("py313-none-manylinux_2_34_x86_64"));
        Assert.Equal(["cp313-none-any", "py313-none-any", "py3-none-any", "py312-none-any"], order.Skip(order.IndexOf("cp313-none-any")).Take(4));
        Assert.Equal("py30-none-any", order[^1]);
        Assert.DoesNotContain(order, t => t.Contains("linux_x86_64") && !t.Contains("manylinux"));
        Assert.DoesNotContain(Cp311ArmGlibc226.Tags, t => t.Platform.StartsWith("manylinux2010") || t.Platform.StartsWith("manylinux1"));
    }

    [Theory]
    [InlineData("cryptography-49.0.0-cp311-abi3-manylinux_2_34_x86_64.whl", true)]
    [InlineData("pydantic_core-2.27.2-cp39-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", true)]
    [InlineData("pydantic_core-2.27.2-cp313-cp313-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", true)]
    [InlineData("pydantic_core-2.27.2-cp313-cp313-musllinux_1_1_x86_64.whl", false)]
    [InlineData("cryptography-49.0.0-cp314-cp314t-manylinux_2_34_x86_64.whl", false)]
    [InlineData("foo-1.0-cp313-cp313t-manylinux_2_17_x86_64.whl", false)]
    [InlineData("pydantic_core-2.27.2-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", false)]
    [InlineData("pydantic_core-2.27.2-cp313-cp313-manylinux_2_17_aarch64.manylinux2014_aarch64.whl", false)]
    [InlineData("pydantic_core-2.27.2-cp313-cp313-macosx_11_0_arm64.whl", false)]
    [InlineData("pydantic_core-2.27.2-cp313-cp313-win_amd64.whl", false)]
    [InlineData("foo-1.0-cp313-cp313-linux_x86_64.whl", false)]
    [InlineData("six-1.16.0-py2.py3-none-any.whl", true)]
    [InlineData("foo-1.0-py2-none-any.whl", false)]
    [InlineData("foo-1.0-cp314-abi3-manylinux_2_17_x86_64.whl", false)]
    [InlineData("markupsafe-2.1.5-cp313-cp313-manylinux1_x86_64.whl", true)]
    [InlineData("numpy-1.21.0-cp313-cp313-manylinux2010_x86_64.whl", true)]
    public void Compatibility_for_cp313_x86_64_glibc_2_34(string wheel, bool compatible) =>
        Assert.Equal(compatible, Cp313X86Glibc234.IsCompatible(WheelFileName.Parse(wheel)));

    [Fact]
    public void Manylinux_2_28_only_wheel_is_refused_at_glibc_2_26_and_accepted_at_2_34()
    {
        var wheel = WheelFileName.Parse("cryptography-49.0.0-cp311-abi3-manylinux_2_28_x86_64.whl");
        Assert.Null(Cp313X86Glibc226.Rank(wheel));
        Assert.NotNull(Cp313X86Glibc234.Rank(wheel));
        Assert.Contains("glibc 2.28", Cp313X86Glibc226.ExplainIncompatibility(wheel));
        Assert.Null(Cp313X86Glibc234.ExplainIncompatibility(wheel));
    }

    [Fact]
    public void Legacy_manylinux1_and_2010_only_count_on_x86_64()
    {
        Assert.True(Cp313X86Glibc226.IsCompatible(WheelFileName.Parse("foo-1.0-cp313-cp313-manylinux1_x86_64.whl")));
        Assert.True(Cp313X86Glibc226.IsCompatible(WheelFileName.Parse("foo-1.0-cp313-cp313-manylinux2010_x86_64.whl")));
        var arm = new TargetTags(13, PythonPlatform.Parse("aarch64-manylinux_2_34"));
        Assert.True(arm.IsCompatible(WheelFileName.Parse("foo-1.0-cp313-cp313-manylinux2014_aarch64.whl")));
        Assert.False(arm.IsCompatible(WheelFileName.Parse("foo-1.0-cp313-cp313-manylinux2010_aarch64.whl")));
        Assert.False(arm.IsCompatible(WheelFileName.Parse("foo-1.0-cp313-cp313-manylinux_2_12_aarch64.whl")));
    }

    [Fact]
    public void Linux_platform_tag_only_when_asked_for()
    {
        var wheel = WheelFileName.Parse("foo-1.0-cp313-cp313-linux_x86_64.whl");
        Assert.False(TargetTags.ForLambda(13, PythonPlatform.Parse("x86_64-manylinux_2_34")).IsCompatible(wheel));
        Assert.True(new TargetTags(13, PythonPlatform.Parse("x86_64-manylinux_2_34"), includeLinuxPlatform: true).IsCompatible(wheel));
    }

    [Theory]
    [InlineData("foo-1.0-cp313-cp313-macosx_11_0_arm64.whl", "built for macosx_11_0_arm64")]
    [InlineData("foo-1.0-cp313-cp313-musllinux_1_2_x86_64.whl", "built for musllinux_1_2_x86_64")]
    [InlineData("foo-1.0-cp312-cp312-manylinux_2_17_x86_64.whl", "not CPython 3.13")]
    public void Incompatibility_is_explained(string wheel, string reason) =>
        Assert.Contains(reason, Cp313X86Glibc234.ExplainIncompatibility(WheelFileName.Parse(wheel)));

    [Fact]
    public void Free_threaded_wheels_are_explained()
    {
        var wheel = WheelFileName.Parse("foo-1.0-cp313-cp313t-manylinux_2_17_x86_64.whl");
        Assert.Contains("free-threaded", Cp313X86Glibc234.ExplainIncompatibility(wheel));
    }

    [Fact]
    public void Best_wheel_prefers_specific_abi_then_newest_glibc_then_build_tag()
    {
        var wheels = new[]
        {
            "cryptography-49.0.0-cp311-abi3-manylinux2014_x86_64.manylinux_2_17_x86_64.whl",
            "cryptography-49.0.0-cp311-abi3-manylinux_2_28_x86_64.whl",
            "cryptography-49.0.0-cp311-abi3-manylinux_2_34_x86_64.whl",
            "cryptography-49.0.0-cp311-abi3-musllinux_1_2_x86_64.whl",
            "cryptography-49.0.0-cp314-cp314t-manylinux_2_34_x86_64.whl",
            "cryptography-49.0.0-cp311-abi3-macosx_11_0_arm64.whl",
        }.Select(WheelFileName.Parse).ToList();
        Assert.Equal("cryptography-49.0.0-cp311-abi3-manylinux_2_34_x86_64.whl", Cp313X86Glibc234.SelectBest(wheels)!.FileName);
        Assert.Equal("cryptography-49.0.0-cp311-abi3-manylinux2014_x86_64.manylinux_2_17_x86_64.whl", Cp313X86Glibc226.SelectBest(wheels)!.FileName);

        var specific = new[]
        {
            "pydantic_core-2.27.2-cp39-abi3-manylinux_2_34_x86_64.whl",
            "pydantic_core-2.27.2-cp313-cp313-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
            "pydantic_core-2.27.2-py3-none-any.whl",
        }.Select(WheelFileName.Parse);
        Assert.Equal("pydantic_core-2.27.2-cp313-cp313-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", Cp313X86Glibc234.SelectBest(specific)!.FileName);

        var builds = new[] { "foo-1.0-py3-none-any.whl", "foo-1.0-2-py3-none-any.whl", "foo-1.0-10-py3-none-any.whl", "foo-1.0-9z-py3-none-any.whl" }
            .Select(WheelFileName.Parse);
        Assert.Equal("foo-1.0-10-py3-none-any.whl", Cp313X86Glibc234.SelectBest(builds)!.FileName);
    }

    [Fact]
    public void Best_wheel_is_null_when_nothing_fits()
    {
        var wheels = new[] { "foo-1.0-cp313-cp313-macosx_11_0_arm64.whl", "foo-1.0-cp313-cp313-win_amd64.whl" }.Select(WheelFileName.Parse).ToList();
        Assert.Null(Cp313X86Glibc234.SelectBest(wheels));
        Assert.Equal(["macosx_11_0_arm64", "win_amd64"], WheelFileName.DistinctPlatforms(wheels));
    }

    [Fact]
    public void Best_candidate_keeps_the_caller_type()
    {
        var candidates = new[] { ("a", "foo-1.0-cp313-cp313-manylinux_2_17_x86_64.whl"), ("b", "foo-1.0-cp313-cp313-manylinux_2_28_x86_64.whl") }
            .Select(c => new Candidate(c.Item1, WheelFileName.Parse(c.Item2)));
        Assert.Equal("b", Cp313X86Glibc234.SelectBest(candidates, c => c.Wheel)!.Url);
    }

    private sealed record Candidate(string Url, WheelFileName Wheel);
}
