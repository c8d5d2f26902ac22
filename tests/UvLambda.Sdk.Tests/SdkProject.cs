using System.Reflection;
using Microsoft.Build.Evaluation;
using Microsoft.Build.Execution;
using Microsoft.Build.Framework;
using Microsoft.Build.Logging;
using UvLambda.Core.Tests;

namespace UvLambda.Sdk.Tests;

/// <summary>A .pyproj in a temp folder that imports the repository's Sdk/ as the package would.</summary>
public sealed class SdkProject : IDisposable
{
    private static string Metadata(string key) =>
        typeof(SdkProject).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;

    public static string SdkDirectory => Path.Combine(Metadata("RepoRoot"), "Sdk");
    public static string TasksAssembly => Metadata("TasksAssembly");

    private static readonly object BuildLock = new();
    private readonly TempDirectory _dir = new();

    public SdkProject(string body = "", params (string Path, string Content)[] files)
    {
        foreach (var (path, content) in files) _dir.WriteFile(path, content);
        ProjectPath = _dir.WriteFile("func.pyproj", $"""
            <Project>
              <Import Project="{SdkDirectory}/Sdk.props" />
              {body}
              <Import Project="{SdkDirectory}/Sdk.targets" />
            </Project>
            """);
    }

    public string Directory => _dir.Path;
    public string ProjectPath { get; }

    public string WriteFile(string path, string content) => _dir.WriteFile(path, content);

    public Project Evaluate(IDictionary<string, string>? properties = null)
    {
        using var collection = new ProjectCollection(GlobalProperties(properties));
        return collection.LoadProject(ProjectPath);
    }

    public (bool Success, List<BuildErrorEventArgs> Errors, ProjectInstance Instance) Build(string target = "Build", IDictionary<string, string>? properties = null)
    {
        var errors = new List<BuildErrorEventArgs>();
        var logger = new ErrorLogger(errors);
        using var collection = new ProjectCollection(GlobalProperties(properties));
        var instance = new ProjectInstance(ProjectPath, GlobalProperties(properties), null, collection);
        bool ok;
        // MSBuild runs one in-process build at a time; test classes run in parallel.
        lock (BuildLock) ok = instance.Build([target], [logger]);
        return (ok, errors, instance);
    }

    /// <summary>Builds the targets in order and returns each one's outputs (its Returns items).</summary>
    public (bool Success, List<BuildErrorEventArgs> Errors, IDictionary<string, TargetResult> Outputs) BuildTargets(string[] targets, IDictionary<string, string>? properties = null)
    {
        var errors = new List<BuildErrorEventArgs>();
        using var collection = new ProjectCollection(GlobalProperties(properties));
        var instance = new ProjectInstance(ProjectPath, GlobalProperties(properties), null, collection);
        bool ok;
        IDictionary<string, TargetResult> outputs;
        lock (BuildLock) ok = instance.Build(targets, [new ErrorLogger(errors)], out outputs);
        return (ok, errors, outputs);
    }

    private static Dictionary<string, string> GlobalProperties(IDictionary<string, string>? extra)
    {
        var p = new Dictionary<string, string> { ["UvLambdaTasksAssembly"] = TasksAssembly };
        foreach (var (k, v) in extra ?? new Dictionary<string, string>()) p[k] = v;
        return p;
    }

    public void Dispose() => _dir.Dispose();

    private sealed class ErrorLogger(List<BuildErrorEventArgs> errors) : ILogger
    {
        public LoggerVerbosity Verbosity { get; set; } = LoggerVerbosity.Quiet;
        public string? Parameters { get; set; }
        public void Initialize(IEventSource eventSource) => eventSource.ErrorRaised += (_, e) => errors.Add(e);
        public void Shutdown() { }
    }
}
