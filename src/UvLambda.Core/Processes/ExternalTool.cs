using System.Diagnostics;
using System.Text;

namespace UvLambda.Core.Processes;

/// <summary>The outcome of running an <see cref="ExternalTool"/>: exit code and the combined output (bounded).</summary>
public sealed record ToolResult(int ExitCode, string Output)
{
    /// <summary>The last <paramref name="maxChars"/> characters of the output, trimmed: the end of a build log is where the error is.</summary>
    public string Tail(int maxChars = 4000)
    {
        var text = Output.Trim();
        return text.Length <= maxChars ? text : "…" + text[^maxChars..];
    }
}

/// <summary>
/// A command-line tool (uv, git) found on a given PATH and run with a given environment, so callers (and tests)
/// decide what the child sees instead of the build process's own variables.
/// </summary>
public sealed class ExternalTool
{
    private const int MaxOutputChars = 1 << 20;

    private ExternalTool(string path, IReadOnlyDictionary<string, string?> environment)
    {
        Path = path;
        Environment = environment;
    }

    public string Path { get; }
    public IReadOnlyDictionary<string, string?> Environment { get; }

    /// <summary>
    /// <paramref name="explicitPath"/> when given (it must exist), else the first <paramref name="command"/> on the
    /// environment's PATH; null when there is none.
    /// </summary>
    public static ExternalTool? Find(string command, IReadOnlyDictionary<string, string?> environment, string? explicitPath = null)
    {
        if (!string.IsNullOrWhiteSpace(explicitPath))
            return File.Exists(explicitPath) ? new ExternalTool(System.IO.Path.GetFullPath(explicitPath), environment) : null;
        return OnPath(command, environment).FirstOrDefault() is { } found ? new ExternalTool(found, environment) : null;
    }

    /// <summary>Every <paramref name="command"/> on the environment's PATH, in PATH order.</summary>
    public static IEnumerable<string> OnPath(string command, IReadOnlyDictionary<string, string?> environment)
    {
        var path = environment.TryGetValue("PATH", out var p) ? p ?? "" : "";
        var extensions = OperatingSystem.IsWindows() ? new[] { ".exe", ".cmd", "" } : new[] { "" };
        foreach (var dir in path.Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            foreach (var ext in extensions)
            {
                var candidate = System.IO.Path.Combine(dir, command + ext);
                if (File.Exists(candidate)) yield return candidate;
            }
    }

    /// <summary>Runs the tool to completion with exactly <see cref="Environment"/>; stdout and stderr are interleaved into one bounded text.</summary>
    public ToolResult Run(IEnumerable<string> arguments, string? workingDirectory = null, CancellationToken cancellationToken = default)
    {
        var psi = new ProcessStartInfo(Path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? System.Environment.CurrentDirectory,
        };
        foreach (var a in arguments) psi.ArgumentList.Add(a);
        psi.Environment.Clear();
        foreach (var (key, value) in Environment)
            if (value is not null) psi.Environment[key] = value;

        var output = new StringBuilder();
        void Append(string? line)
        {
            if (line is null) return;
            lock (output)
            {
                if (output.Length < MaxOutputChars) output.Append(line).Append('\n');
            }
        }
        using var process = new Process { StartInfo = psi };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using (cancellationToken.Register(() => { try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { } }))
            process.WaitForExit();
        cancellationToken.ThrowIfCancellationRequested();
        lock (output) return new ToolResult(process.ExitCode, output.ToString());
    }

    public override string ToString() => Path;
}
