namespace UvLambda.Core.Diagnostics;

public static partial class ErrorCodes
{
    // 11xx: TOML syntax.
    public const string TomlSyntax = "UVL1101";
}
