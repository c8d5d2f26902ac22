using System.Text.RegularExpressions;
using UvLambda.Core.Diagnostics;

namespace UvLambda.Core.Projects;

/// <summary>
/// LambdaLayer items (layer version ARNs attached from elsewhere, such as the Lambda Web Adapter's) and the layers
/// the project makes itself, checked against Lambda's rules before anything is built.
/// </summary>
public static partial class ExternalLayers
{
    /// <summary>Lambda: at most 5 layers per function.</summary>
    public const int MaxLayers = 5;

    [GeneratedRegex(@"^arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:\d{12}:layer:[a-zA-Z0-9_-]{1,140}:[0-9]+$", RegexOptions.CultureInvariant)]
    private static partial Regex LayerVersionArnPattern();

    public static bool IsLayerVersionArn(string value) => LayerVersionArnPattern().IsMatch(value);

    /// <summary>"None" (or empty) or "Local": whether path wheels and workspace members get a layer of their own.</summary>
    public static bool SplitLocal(string? layerSplit, string? projectFile = null) => (layerSplit ?? "").Trim().ToLowerInvariant() switch
    {
        "" or "none" => false,
        "local" => true,
        _ => throw new UvLambdaException(ErrorCodes.InvalidArtifactSetting,
            $"LambdaLayerSplit '{layerSplit}' is not None or Local.", projectFile),
    };

    /// <summary>How many layers the project publishes itself for a package type.</summary>
    public static int OwnLayerCount(string packageType, bool splitLocal) =>
        packageType.Equals("Layer", StringComparison.OrdinalIgnoreCase) ? (splitLocal ? 2 : 1) : 0;

    /// <summary>Checks the ARNs and the total count; returns the ARNs in order, trimmed. <paramref name="ownLayers"/>:
    /// the project's own layers when known (else the most the package type can have).</summary>
    public static IReadOnlyList<string> Validate(IEnumerable<string> arns, string packageType, string? layerSplit, string? projectFile = null, int? ownLayers = null)
    {
        var split = SplitLocal(layerSplit, projectFile);
        if (split && !packageType.Equals("Layer", StringComparison.OrdinalIgnoreCase))
            throw new UvLambdaException(ErrorCodes.InvalidArtifactSetting,
                $"LambdaLayerSplit=Local needs LambdaPackageType=Layer (this project is {packageType}).", projectFile);
        var list = new List<string>();
        foreach (var raw in arns)
        {
            var arn = raw.Trim();
            if (arn.Length == 0) continue;
            if (!IsLayerVersionArn(arn))
                throw new UvLambdaException(ErrorCodes.InvalidExternalLayer,
                    $"LambdaLayer '{arn}' is not a layer version ARN (arn:aws:lambda:REGION:ACCOUNT:layer:NAME:VERSION, e.g. arn:aws:lambda:us-east-1:753240598075:layer:LambdaAdapterLayerX86:25).", projectFile);
            if (list.Contains(arn, StringComparer.Ordinal))
                throw new UvLambdaException(ErrorCodes.InvalidExternalLayer, $"LambdaLayer '{arn}' is listed twice. Keep one item.", projectFile);
            list.Add(arn);
        }
        if (list.Count > 0 && packageType.Equals("Image", StringComparison.OrdinalIgnoreCase))
            throw new UvLambdaException(ErrorCodes.InvalidExternalLayer,
                "LambdaLayer items cannot be used with LambdaPackageType=Image: Lambda attaches no layers to image functions. Copy the layer's content into the image (for the Lambda Web Adapter, its /opt/extensions/lambda-adapter) or deploy as Zip or Layer.", projectFile);
        var own = ownLayers ?? OwnLayerCount(packageType, split);
        if (own + list.Count > MaxLayers)
            throw new UvLambdaException(ErrorCodes.TooManyLayers,
                $"The function would have {own + list.Count} layers ({own} of this project's, {list.Count} LambdaLayer item(s)); Lambda allows {MaxLayers}. Remove LambdaLayer items" +
                (split ? ", or drop LambdaLayerSplit=Local" : "") + ".", projectFile);
        return list;
    }
}
