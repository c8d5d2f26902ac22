namespace UvLambda.Core.Diagnostics;

public static partial class ErrorCodes
{
    // 31xx: container images (references, registries, layers, archives).
    public const string InvalidImageReference = "UVL3101";
    public const string BaseImagePlatformMissing = "UVL3102";
    public const string BaseImageArchitectureMismatch = "UVL3103";
    public const string RegistryUnauthorized = "UVL3104";
    public const string RegistryRequestFailed = "UVL3105";
    public const string ImageNotFound = "UVL3106";
    public const string BlobDigestMismatch = "UVL3107";
    public const string UnsupportedImageMediaType = "UVL3108";
    public const string InvalidContainerSetting = "UVL3109";
    public const string NoContainerDestination = "UVL3110";
    public const string CredentialHelperFailed = "UVL3111";
    public const string ImageNotBuilt = "UVL3112";
    public const string InvalidImageDocument = "UVL3113";
    public const string RuntimeInterfaceClientMissing = "UVL3120";
    /// <summary>-t:PublishContainer on a project whose LambdaPackageType is not Image (raised by Sdk/UvLambda.DevLoop.targets).</summary>
    public const string PublishContainerNeedsImage = "UVL3121";
}
