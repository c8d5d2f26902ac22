using System.Text.Json;
using System.Text.Json.Serialization;
using UvLambda.Core.Diagnostics;
using UvLambda.Core.FileSystem;

namespace UvLambda.Core.Local;

/// <summary>
/// Everything needed to run the function locally: the interpreter, where the app and its host-installed
/// dependencies are, and the Lambda settings. The build writes it to obj/ (local-run.json) for <c>dotnet run</c>.
/// </summary>
public sealed record LocalFunction
{
    public string Python { get; init; } = "";
    public string WorkerScript { get; init; } = "";
    public string AppDirectory { get; init; } = "";
    public string SiteDirectory { get; init; } = "";
    public string Handler { get; init; } = "";
    public string FunctionName { get; init; } = "function";
    public string PythonVersion { get; init; } = "";
    public int TimeoutSeconds { get; init; } = 3;
    public int MemoryMb { get; init; } = 128;
    public string Region { get; init; } = "us-east-1";
    public string AccountId { get; init; } = "123456789012";
    public int Port { get; init; } = 8000;
    public string EventFormat { get; init; } = "2.0";
    public SortedDictionary<string, string> Environment { get; init; } = new(StringComparer.Ordinal);

    /// <summary>How the host site was installed, so a running server can redo it when the lock changes.</summary>
    public HostInstallSettings? Install { get; init; }

    public string FunctionArn => $"arn:aws:lambda:{Region}:{AccountId}:function:{FunctionName}";

    public static LocalFunction Load(string path)
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(path), LocalFunctionJson.Default.LocalFunction)
                ?? throw new JsonException("empty");
        }
        catch (Exception e) when (e is JsonException or IOException)
        {
            throw new UvLambdaException(ErrorCodes.InvalidLocalRunSetting, $"'{path}' cannot be read ({e.Message}). Build the project again.", path);
        }
    }

    /// <summary>Writes the settings, only when they changed.</summary>
    public void Save(string path)
    {
        var text = JsonSerializer.Serialize(this, LocalFunctionJson.Default.LocalFunction);
        if (!File.Exists(path) || File.ReadAllText(path) != text) AtomicFile.WriteAllText(path, text);
    }

    /// <summary>The worker script shipped inside UvLambda.Core, written to <paramref name="path"/> when it differs.</summary>
    public static void WriteWorkerScript(string path)
    {
        using var stream = typeof(LocalFunction).Assembly.GetManifestResourceStream("UvLambda.Core.Local.uvlambda_worker.py")!;
        using var reader = new StreamReader(stream);
        var text = reader.ReadToEnd();
        if (!File.Exists(path) || File.ReadAllText(path) != text) AtomicFile.WriteAllText(path, text);
    }

    /// <summary>Checks the settings a user can set, with coded errors.</summary>
    public void Validate()
    {
        if (TimeoutSeconds is < 1 or > 900)
            throw new UvLambdaException(ErrorCodes.InvalidLocalRunSetting, $"LambdaTimeout {TimeoutSeconds} is not between 1 and 900 seconds (Lambda's limits).");
        if (MemoryMb is < 128 or > 10240)
            throw new UvLambdaException(ErrorCodes.InvalidLocalRunSetting, $"LambdaMemorySize {MemoryMb} is not between 128 and 10240 MB (Lambda's limits).");
        if (Port is < 0 or > 65535)
            throw new UvLambdaException(ErrorCodes.InvalidLocalRunSetting, $"LambdaLocalPort {Port} is not a TCP port (0-65535).");
        if (EventFormat is not ("1.0" or "2.0"))
            throw new UvLambdaException(ErrorCodes.InvalidLocalRunSetting, $"LambdaLocalEventFormat '{EventFormat}' is not 2.0 (HTTP API) or 1.0 (REST API).");
    }
}

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(LocalFunction))]
internal sealed partial class LocalFunctionJson : JsonSerializerContext;
