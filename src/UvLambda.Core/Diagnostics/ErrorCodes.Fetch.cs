namespace UvLambda.Core.Diagnostics;

public static partial class ErrorCodes
{
    // 21xx: downloading wheels and the content cache.
    public const string HashMismatch = "UVL2101";
    public const string SizeMismatch = "UVL2102";
    public const string DownloadFailed = "UVL2103";
    public const string DownloadNotFound = "UVL2104";
    public const string DownloadUnauthorized = "UVL2105";
    public const string OfflineMissingWheels = "UVL2106";
    public const string NotOnIndex = "UVL2107";
    public const string NoDownloadUrl = "UVL2108";
    public const string FindLinksMissing = "UVL2109";
    public const string InvalidWheelHash = "UVL2110";
    public const string InvalidIndexPage = "UVL2111";
}
