namespace UvLambda.Core.Diagnostics;

public static partial class ErrorCodes
{
    // 24xx: workspace members, path/directory sources, packages that need a build.
    public const string ImportPackageNotFound = "UVL2401";
    public const string BuildRequired = "UVL2402";
    public const string BuildFailed = "UVL2403";
}
