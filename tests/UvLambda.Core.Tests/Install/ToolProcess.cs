using System.Diagnostics;

namespace UvLambda.Core.Tests.Install;

/// <summary>Runs a tool on this machine (python3, readelf) for cross-checks; fails the test if it cannot start.</summary>
internal static class ToolProcess
{
    public static (int ExitCode, string Output, string Error) Run(string fileName, params string[] arguments)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output, error.Result);
    }

    /// <summary>python3's site-packages (platlib), where the tests find real extension modules and dist-infos.</summary>
    public static string PythonSitePackages { get; } = Lazy();

    private static string Lazy()
    {
        var (exit, output, error) = Run("python3", "-c", "import sysconfig; print(sysconfig.get_paths()['platlib'])");
        Assert.True(exit == 0, error);
        return output.Trim();
    }

    /// <summary>
    /// Where python3 has <paramref name="distribution"/> installed: its site-packages folder and dist-info folder name.
    /// The tests need a python3 with orjson and cffi (binary wheels) installed.
    /// </summary>
    public static (string SitePackages, string DistInfo) PythonDistribution(string distribution)
    {
        var (exit, output, error) = Run("python3", "-c",
            $"import importlib.metadata as m, os; p = str(m.distribution('{distribution}')._path); print(os.path.dirname(p)); print(os.path.basename(p))");
        Assert.True(exit == 0, $"python3 has no '{distribution}' installed (pip install {distribution}): {error}");
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return (lines[0], lines[1]);
    }

    /// <summary>
    /// Runs python3 with <paramref name="directory"/> first on sys.path and without site-packages (-S, so only the
    /// installed copies can import and no .pth hooks interfere); returns stdout, asserting success.
    /// </summary>
    public static string PythonWithPath(string directory, string code)
    {
        var (exit, output, error) = Run("python3", "-S", "-c", $"import sys; sys.path.insert(0, {PythonString(directory)}); {code}");
        Assert.True(exit == 0, $"python3 failed ({exit}): {error}");
        return output.Trim();
    }

    private static string PythonString(string s) => "'" + s.Replace("\\", "\\\\").Replace("'", "\\'") + "'";
}
