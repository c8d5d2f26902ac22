namespace UvLambda.Core.Diagnostics;

public static partial class ErrorCodes
{
    // 24xx: workspace members, path/directory sources, packages that need a build, installing through uv.
    public const string ImportPackageNotFound = "UVL2401";
    public const string BuildRequired = "UVL2402";
    public const string BuildFailed = "UVL2403";
    public const string GitCheckoutFailed = "UVL2404";
    public const string UvInstallFailed = "UVL2405";
    public const string InvalidInstaller = "UVL2406";
    public const string UvNotFound = "UVL2407";
}
