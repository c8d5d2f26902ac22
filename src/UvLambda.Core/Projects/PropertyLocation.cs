using System.Text.RegularExpressions;
using UvLambda.Core.Diagnostics;

namespace UvLambda.Core.Projects;

/// <summary>
/// Where a project file sets the property a settings error is about, so the error reads <c>fn.pyproj(5,6): error
/// UVL1001</c> and an IDE jumps to it. Only the project file itself is searched (a value from Directory.Build.props
/// or <c>-p:</c> keeps the file without a line), and only an element whose text is the refused value.
/// </summary>
public static class PropertyLocation
{
    private static readonly Dictionary<string, string> PropertyOf = new(StringComparer.Ordinal)
    {
        [ErrorCodes.InvalidArchitecture] = "LambdaArchitecture",
        [ErrorCodes.InvalidPackageType] = "LambdaPackageType",
        [ErrorCodes.InvalidPythonVersion] = "PythonVersion",
        [ErrorCodes.InvalidHandler] = "LambdaHandler",
        [ErrorCodes.HandlerModuleMissing] = "LambdaHandler",
        [ErrorCodes.HandlerNotSet] = "LambdaHandler",
    };

    /// <summary><paramref name="e"/> at the line that sets <paramref name="value"/>, or <paramref name="e"/> as it is.</summary>
    public static UvLambdaException Locate(UvLambdaException e, string? projectFile, string value)
    {
        if (e.Line != 0 || projectFile is null || e.File != projectFile || !PropertyOf.TryGetValue(e.Code, out var property)) return e;
        string[] lines;
        try { lines = File.ReadAllLines(projectFile); }
        catch (IOException) { return e; }
        catch (UnauthorizedAccessException) { return e; }
        var element = new Regex($@"<{property}(?:\s[^>]*)?>\s*{Regex.Escape(value.Trim())}\s*</{property}>");
        for (var i = 0; i < lines.Length; i++)
            if (element.Match(lines[i]) is { Success: true } m)
                return new UvLambdaException(e.Code, e.Message, e.File, i + 1, m.Index + 1, e.InnerException);
        return e;
    }
}
