namespace UvLambda.Core.Diagnostics;

public static partial class ErrorCodes
{
    // 9xxx: bugs in UvLambda itself, never a user error.
    /// <summary>An exception other than <see cref="UvLambdaException"/> escaped a task: reported as one line, stack trace at -v:d.</summary>
    public const string InternalError = "UVL9001";
}
