namespace UvLambda.Core.Diagnostics;

/// <summary>How Core talks to whoever runs it: MSBuild tasks adapt this to TaskLoggingHelper, tests record it.</summary>
public interface IBuildLog
{
    void Info(string message);

    /// <summary>Detail shown only with higher verbosity.</summary>
    void Detail(string message);

    void Warning(string code, string message, string? file = null, int line = 0, int column = 0);
}

/// <summary>A log that drops everything, for callers that do not care.</summary>
public sealed class NullBuildLog : IBuildLog
{
    public static readonly NullBuildLog Instance = new();
    public void Info(string message) { }
    public void Detail(string message) { }
    public void Warning(string code, string message, string? file = null, int line = 0, int column = 0) { }
}
