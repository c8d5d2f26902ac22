using System.Globalization;
using Microsoft.Build.Framework;
using UvLambda.Core.Install;
using UvLambda.Core.Install.Fetching;
using UvLambda.Core.Local;
using UvLambda.Core.Locking;
using UvLambda.Core.Projects;
using UvLambda.Core.Environments;

namespace UvLambda.Build.Tasks;

/// <summary>
/// Readies the function to run on this machine: finds the local Python, installs the locked dependencies for it
/// (its own tags) into the host site folder with the same installer and cache as the Lambda install, writes the
/// worker script and the run settings (local-run.json) that Invoke and `dotnet run` use.
/// </summary>
public sealed class PrepareLocalRun : UvLambdaTask
{
    [Required] public string ProjectDirectory { get; set; } = "";
    [Required] public string PythonVersion { get; set; } = "";
    [Required] public string Architecture { get; set; } = "";
    public ITaskItem[]? Extras { get; set; }
    public ITaskItem[]? DependencyGroups { get; set; }
    public string? LocalPython { get; set; }

    /// <summary>uv for packages that need a build (UvPath; else uv on PATH).</summary>
    public string? UvPath { get; set; }
    /// <summary>The lock to build from (uv.lock or a PEP 751 pylock file), relative to the project; empty: found as uv.lock, then pylock.toml.</summary>
    public string? PythonLockFile { get; set; }
    [Required] public string IntermediateDirectory { get; set; } = "";
    [Required] public string SiteDirectory { get; set; } = "";
    [Required] public string StateFile { get; set; } = "";
    public string? CacheDirectory { get; set; }
    public string? FindLinks { get; set; }
    public bool Offline { get; set; }
    /// <summary>Empty: UVL1003 here, where a handler is first needed (resolving a bare uv project needs none).</summary>
    public string Handler { get; set; } = "";
    [Required] public string FunctionName { get; set; } = "";
    public string? Timeout { get; set; }
    public string? MemorySize { get; set; }
    public string? Region { get; set; }
    public string? Port { get; set; }
    public string? EventFormat { get; set; }
    /// <summary>Extra environment variables for the function (identity: name; metadata Value).</summary>
    public ITaskItem[]? FunctionEnvironment { get; set; }

    [Output] public string LocalRunFile { get; private set; } = "";
    [Output] public string LocalPythonPath { get; private set; } = "";

    /// <summary>The function's variables then the local ones, in item order: a later item of the same name replaces an earlier one.</summary>
    private SortedDictionary<string, string> FunctionEnvironmentInOrder()
    {
        var env = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in FunctionEnvironment ?? [])
            env[item.ItemSpec] = item.GetMetadata("Value");
        return env;
    }

    private protected override void ExecuteCore()
    {
        var environment = Core.Processes.ProcessEnvironment.Current();
        var workspace = File.Exists(Path.Combine(ProjectDirectory, UvWorkspace.PyProjectFileName)) ? UvWorkspace.Discover(ProjectDirectory) : null;
        var python = HostPythonLocator.Find(new HostPythonRequest(LocalPython, PythonVersion, workspace?.Project.RequiresPythonText, ProjectDirectory,
            Path.Combine(IntermediateDirectory, "host-python.json"), environment), BuildLog);
        BuildLog.Detail($"Local Python: {python}");
        LocalPythonPath = python.Path;

        var settings = new LocalFunction
        {
            Python = python.Path,
            WorkerScript = Path.Combine(IntermediateDirectory, "uvlambda_worker.py"),
            AppDirectory = Path.GetFullPath(ProjectDirectory),
            SiteDirectory = Path.GetFullPath(SiteDirectory),
            Handler = LambdaHandler.Parse(Handler, ProjectFile).Value,
            FunctionName = FunctionName,
            PythonVersion = PythonVersion,
            TimeoutSeconds = Number(Timeout, 3, "LambdaTimeout"),
            MemoryMb = Number(MemorySize, 128, "LambdaMemorySize"),
            Region = string.IsNullOrWhiteSpace(Region) ? environment.GetValueOrDefault("AWS_REGION") ?? environment.GetValueOrDefault("AWS_DEFAULT_REGION") ?? "us-east-1" : Region!,
            Port = Number(Port, 8000, "LambdaLocalPort"),
            EventFormat = string.IsNullOrWhiteSpace(EventFormat) ? "2.0" : EventFormat!.Trim(),
            Environment = FunctionEnvironmentInOrder(),
        };
        settings.Validate();

        var install = new HostInstallSettings
        {
            ProjectDirectory = Path.GetFullPath(ProjectDirectory),
            PythonVersion = PythonVersion,
            Architecture = Architecture,
            Extras = (Extras ?? []).Select(i => i.ItemSpec).ToList(),
            Groups = (DependencyGroups ?? []).Select(i => i.ItemSpec).ToList(),
            StateFile = Path.GetFullPath(StateFile),
            CacheDirectory = CacheDirectory,
            FindLinks = FindLinks,
            Offline = Offline,
            UvPath = UvPath,
            PythonLockFile = string.IsNullOrEmpty(PythonLockFile) ? null : PythonLockFile,
        };
        var lockFile = HostInstall.Run(install, python, settings.SiteDirectory, environment, BuildLog, CancellationToken);
        CancellationToken.ThrowIfCancellationRequested();
        settings = settings with { Install = install with { LockFile = lockFile } };

        LocalFunction.WriteWorkerScript(settings.WorkerScript);
        LocalRunFile = Path.Combine(IntermediateDirectory, "local-run.json");
        settings.Save(LocalRunFile);
    }

    private static int Number(string? text, int fallback, string property)
    {
        if (string.IsNullOrWhiteSpace(text)) return fallback;
        return int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n
            : throw new Core.Diagnostics.UvLambdaException(Core.Diagnostics.ErrorCodes.InvalidLocalRunSetting, $"{property} '{text}' is not a whole number.");
    }
}
