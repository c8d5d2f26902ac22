using System.Collections;

namespace UvLambda.Core.Processes;

/// <summary>
/// A snapshot of this process's environment variables. Core takes environments as dictionaries (so tests and callers
/// decide what a child process or a lookup sees); this is what callers pass when they have nothing else.
/// </summary>
public static class ProcessEnvironment
{
    public static Dictionary<string, string?> Current()
    {
        var result = new Dictionary<string, string?>(OperatingSystem.IsWindows() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
            result[(string)entry.Key] = entry.Value as string;
        return result;
    }
}
