namespace UvLambda.Core.Diagnostics;

public static partial class ErrorCodes
{
    // 22xx: installing wheels into the package folder.
    public const string UnsafeWheelPath = "UVL2201";
    public const string WheelSymlink = "UVL2202";
    public const string DuplicateWheelEntry = "UVL2203";
    public const string WheelRecordMismatch = "UVL2204";
    public const string InvalidWheelMetadata = "UVL2205";
    public const string UnsupportedWheelVersion = "UVL2206";
    public const string WheelNameMismatch = "UVL2207";
    public const string UnreadableWheel = "UVL2208";
    public const string WheelInstallFailed = "UVL2209";
    public const string WheelTooLarge = "UVL2210";

    // 23xx: the ELF audit of installed native code.
    public const string ElfAuditFailed = "UVL2301";
}
