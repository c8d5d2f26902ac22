using UvLambda.Core.Diagnostics;

namespace UvLambda.Core.Local;

/// <summary>LambdaEvent as the project states it: inline JSON, or a file relative to the project.</summary>
public static class LambdaEventText
{
    /// <summary>Inline JSON when it looks like JSON, else a file relative to the project (empty: <c>{}</c>); neither is a coded error.</summary>
    public static string Read(string? value, string projectDirectory)
    {
        var text = (value ?? "").Trim();
        if (text.Length == 0) return "{}";
        if (text[0] is '{' or '[' or '"' || text is "null" or "true" or "false" || char.IsDigit(text[0]) || text[0] == '-')
            return text;
        var path = Path.GetFullPath(text, projectDirectory);
        if (!File.Exists(path))
            throw new UvLambdaException(ErrorCodes.InvalidLambdaEvent, $"LambdaEvent '{text}' is neither a file (looked for {path}) nor inline JSON.");
        return File.ReadAllText(path);
    }
}
