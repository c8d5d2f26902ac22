namespace UvLambda.Core.Diagnostics;

public static partial class ErrorCodes
{
    // 30xx: artifacts (function zip, layer + app zips), their size and bytecode. ArchiveTooLarge (UVL3001) is in ErrorCodes.cs.
    public const string UnzippedSizeLimitExceeded = "UVL3002";
    public const string ZipTooLargeForDirectUpload = "UVL3003";
    public const string InvalidArtifactSetting = "UVL3004";
    public const string BytecodePythonNotFound = "UVL3005";
    public const string BytecodeCompileFailed = "UVL3006";
    public const string InstallStateDamaged = "UVL3007";
    public const string TooManyLayers = "UVL3020";
}
