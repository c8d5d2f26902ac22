namespace UvLambda.Core.Diagnostics;

/// <summary>
/// Every user-facing diagnostic code. Ranges: 1xxx project/TOML/lock, 2xxx resolution/wheels/install/audit,
/// 3xxx artifacts/images, 4xxx AWS/deploy, 5xxx local run/invoke, 9xxx internal errors (bugs). docs/troubleshooting.md has an entry
/// for each (a test checks that). Each area keeps its codes in its own partial file (ErrorCodes.Toml.cs, ...).
/// </summary>
public static partial class ErrorCodes
{
    // 10xx: project configuration (properties, items).
    public const string InvalidArchitecture = "UVL1001";
    public const string InvalidPackageType = "UVL1002";
    public const string HandlerNotSet = "UVL1003";
    public const string HandlerModuleMissing = "UVL1004";
    public const string InvalidPythonVersion = "UVL1005";
    public const string InvalidHandler = "UVL1006";
    public const string InvalidSourceDateEpoch = "UVL1007";
    public const string SourceFileMissing = "UVL1008";
    public const string DuplicatePackagePath = "UVL1009";
    public const string UnsupportedMSBuild = "UVL1010"; // raised by Sdk.targets itself, before any task loads
    /// <summary>Warning: the handler's module (an app source) never defines or imports the handler's function.</summary>
    public const string HandlerFunctionNotFound = "UVL1011";
    public const string HandlerScriptNotExecutable = "UVL1020";
    public const string InvalidExternalLayer = "UVL1021";
    /// <summary>Warning: dotnet pack of a .pyproj with IsPackable=true packs nothing there (raised by Sdk/UvLambda.DevLoop.targets).</summary>
    public const string PackNotSupported = "UVL1030";
    /// <summary>dotnet test of a .pyproj with IsTestProject or IsTestingPlatformApplication true (raised by Sdk/UvLambda.DevLoop.targets).</summary>
    public const string TestNotSupported = "UVL1031";

    // 30xx: artifacts.
    public const string ArchiveTooLarge = "UVL3001";
}
