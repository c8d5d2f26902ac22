using UvLambda.Core.Diagnostics;
using UvLambda.Core.Projects;

namespace UvLambda.Core.Tests.Projects;

public class ExternalLayersTests
{
    private static string Arn(int i) => $"arn:aws:lambda:us-east-1:753240598075:layer:Layer{i}:{i}";

    [Fact]
    public void Layer_version_arns_are_kept_in_order()
    {
        Assert.Equal([Arn(2), Arn(1)], ExternalLayers.Validate([Arn(2), " " + Arn(1) + " "], "Zip", null));
        Assert.Empty(ExternalLayers.Validate([], "Image", null));
    }

    [Theory]
    [InlineData("LambdaAdapterLayerX86")]
    [InlineData("arn:aws:lambda:us-east-1:753240598075:layer:LambdaAdapterLayerX86")]
    [InlineData("arn:aws:lambda:us-east-1:753240598075:function:f:1")]
    public void Anything_but_a_layer_version_arn_is_UVL1021(string value) =>
        Assert.Equal(ErrorCodes.InvalidExternalLayer, Assert.Throws<UvLambdaException>(() => ExternalLayers.Validate([value], "Zip", null)).Code);

    [Fact]
    public void Images_take_no_layers_and_duplicates_are_refused()
    {
        Assert.Equal(ErrorCodes.InvalidExternalLayer, Assert.Throws<UvLambdaException>(() => ExternalLayers.Validate([Arn(1)], "Image", null)).Code);
        Assert.Equal(ErrorCodes.InvalidExternalLayer, Assert.Throws<UvLambdaException>(() => ExternalLayers.Validate([Arn(1), Arn(1)], "Zip", null)).Code);
    }

    [Theory]
    [InlineData("Zip", null, 5, true)]
    [InlineData("Zip", null, 6, false)]
    [InlineData("Layer", null, 4, true)]
    [InlineData("Layer", null, 5, false)]
    [InlineData("Layer", "Local", 3, true)]
    [InlineData("Layer", "Local", 4, false)]
    public void Five_layers_in_all_including_the_projects_own(string packageType, string? split, int external, bool ok)
    {
        var arns = Enumerable.Range(1, external).Select(Arn).ToList();
        if (ok) Assert.Equal(external, ExternalLayers.Validate(arns, packageType, split).Count);
        else Assert.Equal(ErrorCodes.TooManyLayers, Assert.Throws<UvLambdaException>(() => ExternalLayers.Validate(arns, packageType, split)).Code);
    }

    [Fact]
    public void LambdaLayerSplit_is_None_or_Local_and_Local_needs_Layer()
    {
        Assert.False(ExternalLayers.SplitLocal(""));
        Assert.False(ExternalLayers.SplitLocal("None"));
        Assert.True(ExternalLayers.SplitLocal("local"));
        Assert.Equal(ErrorCodes.InvalidArtifactSetting, Assert.Throws<UvLambdaException>(() => ExternalLayers.SplitLocal("Everything")).Code);
        Assert.Equal(ErrorCodes.InvalidArtifactSetting, Assert.Throws<UvLambdaException>(() => ExternalLayers.Validate([], "Zip", "Local")).Code);
    }
}
