using System.Diagnostics;
using System.Reflection;
using System.Text;
using UvLambda.Core.Tests;

namespace UvLambda.EndToEnd.Tests;

/// <summary>
/// A workspace for end-to-end builds: a NuGet.config that knows only the freshly packed SDK, and a packages
/// folder that no earlier run has filled.
/// </summary>
public sealed class PackedSdk : IDisposable
{
    private static string Metadata(string key) =>
        typeof(PackedSdk).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;

    public static string RepoRoot => Metadata("RepoRoot");
    public static string Version => Metadata("UvLambdaVersion");

    private readonly TempDirectory _root = new();

    public PackedSdk()
    {
        var feed = Path.Combine(RepoRoot, "artifacts", "packages");
        var nupkg = Path.Combine(feed, $"UvLambda.Sdk.{Version}.nupkg");
        if (!File.Exists(nupkg)) throw new InvalidOperationException($"{nupkg} is missing: build UvLambda.Build.sln first");
        PackagesFolder = _root.Combine("nuget-packages");
        _root.WriteFile("NuGet.config", $"""
            <configuration>
              <config><add key="globalPackagesFolder" value="{PackagesFolder}" /></config>
              <packageSources><clear /><add key="sdk" value="{feed}" /></packageSources>
            </configuration>
            """);
    }

    public string Root => _root.Path;
    public string PackagesFolder { get; }

    /// <summary>Copies a sample (without its build output) into a new folder of this workspace.</summary>
    public string CopySample(string sample, string? name = null)
    {
        var source = Path.Combine(RepoRoot, "samples", sample);
        var target = _root.Combine(name ?? sample + "-" + Guid.NewGuid().ToString("N")[..8]);
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(source, file);
            var top = relative.Split(Path.DirectorySeparatorChar)[0];
            if (top is "bin" or "obj") continue;
            var dest = Path.Combine(target, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(dest)!);
            File.Copy(file, dest);
        }
        return target;
    }

    public ProcessResult Dotnet(string workingDirectory, params string[] args) => Run("dotnet", workingDirectory, args);

    public ProcessResult Run(string fileName, string workingDirectory, params string[] args) => Run(fileName, workingDirectory, null, args);

    /// <summary>Runs a program with extra environment variables (null values remove a variable).</summary>
    public ProcessResult Run(string fileName, string workingDirectory, IReadOnlyDictionary<string, string?>? environment, params string[] args)
    {
        var psi = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        // The test host runs inside `dotnet test`, whose MSBuild variables would leak into the child build.
        foreach (var v in new[] { "MSBuildExtensionsPath", "MSBUILD_EXE_PATH", "MSBuildSDKsPath", "MSBuildLoadMicrosoftTargetsReadOnly", "DOTNET_HOST_PATH" })
            psi.Environment.Remove(v);
        psi.Environment["NUGET_PACKAGES"] = PackagesFolder;
        psi.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        psi.Environment["DOTNET_CLI_UI_LANGUAGE"] = "en";
        psi.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        psi.Environment.Remove("SOURCE_DATE_EPOCH");
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null) psi.Environment.Remove(name);
            else psi.Environment[name] = value;
        }
        using var p = Process.Start(psi)!;
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        p.OutputDataReceived += (_, e) => { if (e.Data != null) lock (stdout) stdout.AppendLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (stderr) stderr.AppendLine(e.Data); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', args)} did not finish in 5 minutes");
        }
        p.WaitForExit();
        return new ProcessResult(p.ExitCode, stdout.ToString(), stderr.ToString());
    }

    public void Dispose() => _root.Dispose();
}

public sealed record ProcessResult(int ExitCode, string StandardOutput, string StandardError)
{
    public string Output => StandardOutput + StandardError;

    public ProcessResult EnsureSuccess()
    {
        if (ExitCode != 0) throw new Xunit.Sdk.XunitException($"exit code {ExitCode}\n{Output}");
        return this;
    }
}

[CollectionDefinition(Name)]
public sealed class PackedSdkCollection : ICollectionFixture<PackedSdk>
{
    public const string Name = "packed SDK";
}
