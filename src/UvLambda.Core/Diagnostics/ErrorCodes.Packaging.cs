namespace UvLambda.Core.Diagnostics;

public static partial class ErrorCodes
{
    // 12xx: Python packaging metadata (PEP 440, 508, 425, 503 and wheel file names).
    public const string InvalidVersion = "UVL1201";
    public const string InvalidVersionSpecifier = "UVL1202";
    public const string InvalidRequirement = "UVL1203";
    public const string InvalidMarker = "UVL1204";
    public const string InvalidWheelFileName = "UVL1205";
    public const string InvalidPythonPlatform = "UVL1206";
}
