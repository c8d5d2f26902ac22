namespace UvLambda.Core.Diagnostics;

public static partial class ErrorCodes
{
    // 50xx: the local Python (host environment).
    public const string LocalPythonNotFound = "UVL5001";
    public const string LocalPythonVersionMismatch = "UVL5002";
    public const string LocalPythonExcluded = "UVL5003";
    public const string LocalPythonUnsupported = "UVL5004";

    // 51xx: invoking the handler (Invoke, dotnet run).
    public const string HandlerRaised = "UVL5101";
    public const string HandlerTimedOut = "UVL5102";
    public const string HandlerInitFailed = "UVL5103";
    public const string WorkerCrashed = "UVL5104";
    public const string InvalidLambdaEvent = "UVL5105";
    public const string InvalidHandlerResult = "UVL5106";

    // 52xx: the local HTTP server.
    public const string InvalidLocalRunSetting = "UVL5201";
    public const string LocalPortInUse = "UVL5202";
}
