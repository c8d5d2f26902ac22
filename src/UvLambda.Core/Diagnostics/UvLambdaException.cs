namespace UvLambda.Core.Diagnostics;

/// <summary>
/// An error the user can cause and fix. Tasks turn it into an MSBuild error with its code and position,
/// never a stack trace. Anything else that escapes Core is a bug.
/// </summary>
public sealed class UvLambdaException : Exception
{
    public UvLambdaException(string code, string message, string? file = null, int line = 0, int column = 0, Exception? inner = null)
        : base(message, inner)
    {
        Code = code;
        File = file;
        Line = line;
        Column = column;
    }

    /// <summary>The error code, <c>UVL</c> + 4 digits (see <see cref="ErrorCodes"/>).</summary>
    public string Code { get; }

    /// <summary>The file the error is in, when known.</summary>
    public string? File { get; }

    /// <summary>1-based line, or 0 when unknown.</summary>
    public int Line { get; }

    /// <summary>1-based column, or 0 when unknown.</summary>
    public int Column { get; }

    public UvLambdaException WithFile(string file) =>
        File is null ? new UvLambdaException(Code, Message, file, Line, Column, InnerException) : this;
}
