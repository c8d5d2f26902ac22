namespace UvLambda.Core.Diagnostics;

public static partial class ErrorCodes
{
    // 13xx: pyproject.toml, uv.lock and workspaces.
    public const string UnsupportedLockVersion = "UVL1301";
    public const string MalformedLock = "UVL1302";
    public const string DanglingDependency = "UVL1303";
    public const string LockMissing = "UVL1304";
    public const string MalformedPyProject = "UVL1305";
    public const string ProjectNotInLock = "UVL1306";
    public const string LockOutOfDate = "UVL1307";
    public const string PythonVersionExcluded = "UVL1308";
    public const string UnknownExtra = "UVL1309";
    public const string UnknownGroup = "UVL1310";
    public const string AmbiguousDependency = "UVL1311";
    /// <summary>Warning: no pyproject.toml beside the .pyproj, but a uv project above it whose dependencies would not ship.</summary>
    public const string PyProjectNotBeside = "UVL1312";
    // pylock.toml (PEP 751).
    public const string UnsupportedPylockVersion = "UVL1320";
    public const string MalformedPylock = "UVL1321";
    public const string PylockNoArtifact = "UVL1322";
    public const string PylockMissingHash = "UVL1323";
    public const string PylockInvalidMarker = "UVL1324";
    public const string PylockAmbiguousPackage = "UVL1325";
    public const string PylockEnvironmentMismatch = "UVL1326";
    public const string LockFileChoice = "UVL1327";
    public const string NewerPylockVersion = "UVL1328";

    // 20xx: resolving the Lambda package set.
    public const string NoCompatibleWheel = "UVL2001";
    public const string ConflictingExtras = "UVL2002";
    public const string NoDistribution = "UVL2003";
}
