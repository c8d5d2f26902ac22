using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using UvLambda.Core.Diagnostics;

namespace UvLambda.Build.Tasks;

/// <summary>Adapts Core's log to MSBuild's: info at normal importance, detail at low.</summary>
internal sealed class TaskBuildLog(TaskLoggingHelper log) : IBuildLog
{
    public void Info(string message) => log.LogMessage(MessageImportance.High, message);

    public void Detail(string message) => log.LogMessage(MessageImportance.Low, message);

    public void Warning(string code, string message, string? file = null, int line = 0, int column = 0) =>
        log.LogWarning(null, code, null, file, line, column, 0, 0, message);
}
