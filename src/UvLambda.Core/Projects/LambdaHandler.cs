using System.Text.RegularExpressions;
using UvLambda.Core.Diagnostics;

namespace UvLambda.Core.Projects;

/// <summary>
/// A Python handler name as Lambda's runtime reads it: <c>package.module.function</c>. Lambda imports the module
/// by its dotted path from /var/task (or /opt/python), then looks the function up. Or a script handler
/// (<c>run.sh</c>, <c>bin/start.sh</c>): the path of an executable shell script in the package, which a wrapper
/// such as the Lambda Web Adapter (<c>AWS_LAMBDA_EXEC_WRAPPER=/opt/bootstrap</c>) starts instead of a function.
/// </summary>
public sealed partial class LambdaHandler
{
    private LambdaHandler(string value, string module, string function, bool isScript = false)
    {
        Value = value;
        Module = module;
        Function = function;
        IsScript = isScript;
    }

    /// <summary>A script handler: <see cref="Value"/> is the script's path in the package; Module and Function are empty.</summary>
    public bool IsScript { get; }

    public string Value { get; }
    public string Module { get; }
    public string Function { get; }

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$")]
    private static partial Regex HandlerPattern();

    [GeneratedRegex(@"^([A-Za-z0-9_][A-Za-z0-9_.-]*/)*[A-Za-z0-9_][A-Za-z0-9_.-]*\.sh$")]
    private static partial Regex ScriptPattern();

    public static LambdaHandler Parse(string value, string? file = null)
    {
        var v = value.Trim();
        if (v.Length == 0)
            throw new UvLambdaException(ErrorCodes.HandlerNotSet,
                "No LambdaHandler is set, and neither app/main.py nor lambda_function.py exists to default to. Set <LambdaHandler>module.function</LambdaHandler> in the project file.", file);
        if (ScriptPattern().IsMatch(v) && !v.Split('/').Contains(".."))
            return new LambdaHandler(v, "", "", isScript: true);
        if (!HandlerPattern().IsMatch(v))
            throw new UvLambdaException(ErrorCodes.InvalidHandler,
                $"LambdaHandler '{value}' is not of the form 'module.function' (for example app.main.handler): a dotted Python module path, then the function's name; or the path of a shell script in the package ending in .sh (run.sh).", file);
        int dot = v.LastIndexOf('.');
        return new LambdaHandler(v, v[..dot], v[(dot + 1)..]);
    }

    /// <summary>Files, relative to the package root, any of which makes the module importable.</summary>
    public IReadOnlyList<string> ModuleFileCandidates
    {
        get
        {
            var path = Module.Replace('.', '/');
            return [path + ".py", path + "/__init__.py", path + ".pyc"];
        }
    }

    /// <summary>True when the module is among the packaged files (a source, a package, or a compiled extension).</summary>
    public bool IsModuleIn(IReadOnlySet<string> packagePaths)
    {
        if (ModuleFileCandidates.Any(packagePaths.Contains)) return true;
        // Extension modules: app/main.cpython-313-x86_64-linux-gnu.so, app/main.abi3.so, app/main.so.
        var prefix = Module.Replace('.', '/') + ".";
        return packagePaths.Any(p => p.StartsWith(prefix, StringComparison.Ordinal) && p.EndsWith(".so", StringComparison.Ordinal)
                                     && p.IndexOf('/', prefix.Length) < 0);
    }

    public void EnsureModuleIn(IReadOnlySet<string> packagePaths, string? file = null)
    {
        if (IsScript)
        {
            if (packagePaths.Contains(Value)) return;
            throw new UvLambdaException(ErrorCodes.HandlerModuleMissing,
                $"LambdaHandler '{Value}' is a script, but '{Value}' is not among the packaged files. Create it in the project folder (it is then packaged by default), or add it as a LambdaSource item with PackagePath '{Value}'.", file);
        }
        if (IsModuleIn(packagePaths)) return;
        throw new UvLambdaException(ErrorCodes.HandlerModuleMissing,
            $"LambdaHandler '{Value}' needs module '{Module}', but '{ModuleFileCandidates[0]}' is not among the packaged files (Lambda would fail with \"Unable to import module '{Module}'\"). Fix LambdaHandler, or add the file as a LambdaSource item.", file);
    }

    /// <summary>
    /// Checks the handler ships, and a script handler is executable (mode 0755 in the zip): Lambda's runtime
    /// execs it, and a 0644 file fails with "permission denied" at the first invocation.
    /// </summary>
    /// <param name="packageModes">Package path → Unix permission bits of every packaged file.</param>
    public void EnsureIn(IReadOnlyDictionary<string, int> packageModes, string? file = null)
    {
        EnsureModuleIn(packageModes.Keys.ToHashSet(StringComparer.Ordinal), file);
        if (IsScript && (packageModes[Value] & 0x40) == 0)
            throw new UvLambdaException(ErrorCodes.HandlerScriptNotExecutable,
                $"LambdaHandler '{Value}' is a script, but the file is not executable, so Lambda could not start it. Run `chmod +x {Value}` (and `git update-index --chmod=+x {Value}` so clones keep the bit), then build again.", file);
    }

    public override string ToString() => Value;
}
