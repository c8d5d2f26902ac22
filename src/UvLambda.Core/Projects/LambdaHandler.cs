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
            throw new UvLambdaException(ErrorCodes.InvalidHandler, Correct(v) is { } fix
                ? $"LambdaHandler '{value}' is not of the form 'module.function' ({fix.Why}): write '{fix.Handler}'."
                : $"LambdaHandler '{value}' is not of the form 'module.function' (for example app.main.handler): a dotted Python module path, then the function's name; or the path of a shell script in the package ending in .sh (run.sh).", file);
        int dot = v.LastIndexOf('.');
        return new LambdaHandler(v, v[..dot], v[(dot + 1)..]);
    }

    /// <summary>
    /// The handler a malformed value most likely means, and why: a file path (app/main.py.handler), an entry-point
    /// reference (app.main:handler) or a function name with a dash. Null when no such rewrite gives a valid handler.
    /// </summary>
    internal static (string Handler, string Why)? Correct(string value)
    {
        var why = new List<string>();
        var v = value.Replace('\\', '/');
        if (v.Contains(':'))
        {
            v = v.Replace(':', '.');
            why.Add("Lambda separates the function with a dot, not the ':' of an entry point");
        }
        if (v.Contains('/') || v.Contains(".py."))
        {
            v = PyBeforeFunction().Replace(v, "").Replace('/', '.').TrimStart('.');
            why.Add("the module is a dotted import path, without slashes or .py");
        }
        var dot = v.LastIndexOf('.');
        if (dot > 0 && v[(dot + 1)..].Contains('-'))
        {
            v = v[..dot] + "." + v[(dot + 1)..].Replace('-', '_');
            why.Add("a Python function name cannot contain '-'");
        }
        return why.Count > 0 && HandlerPattern().IsMatch(v) ? (v, string.Join("; ", why)) : null;
    }

    [GeneratedRegex(@"\.py(?=\.[^./]+$)")]
    private static partial Regex PyBeforeFunction();

    /// <summary>
    /// The packaged module <paramref name="wanted"/> most likely means: one or two edits away (a typo), else the only
    /// packaged module with the same last name (main for app/main.py); null when there is none or no single one.
    /// </summary>
    private static string? NearModule(string wanted, IReadOnlySet<string> packagePaths)
    {
        string? best = null;
        var bestDistance = 3;
        var sameLast = new List<string>();
        var last = "." + wanted[(wanted.LastIndexOf('.') + 1)..];
        foreach (var path in packagePaths)
        {
            if (!path.EndsWith(".py", StringComparison.Ordinal)) continue;
            var module = (path.EndsWith("/__init__.py", StringComparison.Ordinal) ? path[..^12] : path[..^3]).Replace('/', '.');
            if (module.EndsWith(last, StringComparison.Ordinal)) sameLast.Add(module);
            if (Math.Abs(module.Length - wanted.Length) >= bestDistance) continue;
            var d = EditDistance(module, wanted, bestDistance);
            if (d < bestDistance || (d == bestDistance && best is not null && string.CompareOrdinal(module, best) < 0))
                (best, bestDistance) = (module, d);
        }
        return best ?? (sameLast.Count == 1 ? sameLast[0] : null);
    }

    /// <summary>Levenshtein distance, or <paramref name="limit"/> when it is at least that.</summary>
    private static int EditDistance(string a, string b, int limit)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) previous[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            var rowMin = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
                rowMin = Math.Min(rowMin, current[j]);
            }
            if (rowMin >= limit) return limit;
            (previous, current) = (current, previous);
        }
        return Math.Min(previous[b.Length], limit);
    }

    /// <summary>
    /// <see cref="Parse(string, string?)"/> for a package whose app sources are known: an empty handler is UVL1003
    /// naming what could be the handler (functions taking (event, context), else the packaged modules), or saying
    /// that no .py file is packaged at all (a .pyproj away from its code).
    /// </summary>
    public static LambdaHandler Parse(string value, IReadOnlyList<LambdaSourceFile> sources, string? file = null)
    {
        if (!string.IsNullOrWhiteSpace(value)) return Parse(value, file);
        var modules = sources
            .Where(s => s.PackagePath.EndsWith(".py", StringComparison.Ordinal))
            .Select(s => (Source: s, Module: (s.PackagePath.EndsWith("/__init__.py", StringComparison.Ordinal) ? s.PackagePath[..^12] : s.PackagePath[..^3]).Replace('/', '.')))
            .Where(m => HandlerPattern().IsMatch(m.Module + ".f"))
            .OrderBy(m => m.Module.Count(c => c == '.')).ThenBy(m => m.Module, StringComparer.Ordinal)
            .ToList();
        string hint;
        if (!sources.Any(s => s.PackagePath.EndsWith(".py", StringComparison.Ordinal)))
            hint = " No .py file is packaged at all: the LambdaSource items (by default every .py under the project's folder) found none. A .pyproj belongs in the folder of pyproject.toml and the code.";
        else
        {
            var handlers = new List<string>();
            foreach (var (source, module) in modules.Take(200))
            {
                string text;
                try { text = File.ReadAllText(source.FullPath); }
                catch (IOException) { continue; }
                catch (UnauthorizedAccessException) { continue; }
                handlers.AddRange(HandlerLike().Matches(text).Select(m => $"{module}.{m.Groups[1].Value}"));
                if (handlers.Count >= 5) break;
            }
            hint = handlers.Count == 1 ? $" {handlers[0]} takes (event, context): set <LambdaHandler>{handlers[0]}</LambdaHandler> if Lambda is to call it."
                : handlers.Count > 1 ? $" Functions taking (event, context): {string.Join(", ", handlers.Take(5))}; set LambdaHandler to the one Lambda calls (<LambdaHandler>{handlers[0]}</LambdaHandler>)."
                : $" Packaged modules: {string.Join(", ", modules.Take(8).Select(m => m.Module))}{(modules.Count > 8 ? ", ..." : "")}; set <LambdaHandler>module.function</LambdaHandler> to the function Lambda calls.";
        }
        throw new UvLambdaException(ErrorCodes.HandlerNotSet,
            "No LambdaHandler is set, and neither app/main.py nor lambda_function.py exists to default to." + hint, file);
    }

    [GeneratedRegex(@"^(?:async[ \t]+)?def[ \t]+([A-Za-z_][A-Za-z0-9_]*)[ \t]*\([ \t]*_?event\b[^,)]*,[ \t]*_?context\b", RegexOptions.Multiline)]
    private static partial Regex HandlerLike();

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

    /// <summary>
    /// A UVL1004 from packaging, with the reason when the module's file is in the project folder after all: the
    /// default LambdaSource glob leaves it out (tests/, test/, hidden folders, venvs...). Other errors come back as they are.
    /// </summary>
    public UvLambdaException ExplainUnpackaged(UvLambdaException e, string projectDirectory)
    {
        if (e.Code != ErrorCodes.HandlerModuleMissing) return e;
        var onDisk = (IsScript ? [Value] : ModuleFileCandidates.Take(2)).FirstOrDefault(c => File.Exists(Path.Combine(projectDirectory, c)));
        if (onDisk is null) return e;
        return new UvLambdaException(e.Code,
            e.Message + $" {onDisk} is in the project folder but not packaged: DefaultLambdaSourceExcludes leaves out tests/, test/, hidden folders, __pycache__, venv/, env/ and build output. Move the module out of there, or add it as a LambdaSource item.",
            e.File, e.Line, e.Column, e.InnerException);
    }

    private static bool IsModuleInFor(string module, IReadOnlySet<string> packagePaths) =>
        new LambdaHandler(module + ".f", module, "f").IsModuleIn(packagePaths);

    public void EnsureModuleIn(IReadOnlySet<string> packagePaths, string? file = null)
    {
        if (IsScript)
        {
            if (packagePaths.Contains(Value)) return;
            throw new UvLambdaException(ErrorCodes.HandlerModuleMissing,
                $"LambdaHandler '{Value}' is a script, but '{Value}' is not among the packaged files. Create it in the project folder (it is then packaged by default), or add it as a LambdaSource item with PackagePath '{Value}'.", file);
        }
        if (IsModuleIn(packagePaths)) return;
        // main.py.handler: the file name where the module name belongs. Else a packaged module one typo away.
        var withPy = Module.EndsWith(".py", StringComparison.Ordinal) && Module.Length > 3;
        var wanted = withPy ? Module[..^3] : Module;
        var meant = IsModuleInFor(wanted, packagePaths) ? wanted : NearModule(wanted, packagePaths);
        var hint = meant is null ? ""
            : $" Did you mean '{meant}.{Function}'? Module '{meant}' is packaged{(withPy ? " (a module is named without .py)" : "")}.";
        throw new UvLambdaException(ErrorCodes.HandlerModuleMissing,
            $"LambdaHandler '{Value}' needs module '{Module}', but '{ModuleFileCandidates[0]}' is not among the packaged files (Lambda would fail with \"Unable to import module '{Module}'\").{hint} Fix LambdaHandler, or add the file as a LambdaSource item.", file);
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

    /// <summary>
    /// Warns (UVL1011) when the handler's module is an app source that never mentions the function's name: Lambda
    /// would import it and fail with "Handler 'x' missing on module". Only a name absent from the whole text counts
    /// (a def, an assignment, an import or a decorator all mention it), and a module with <c>import *</c>, a module
    /// <c>__getattr__</c> or <c>globals()</c> is not judged; a module from a dependency or a .so is not read.
    /// </summary>
    public void WarnIfFunctionMissing(IReadOnlyList<LambdaSourceFile> sources, IBuildLog log)
    {
        if (IsScript) return;
        var source = sources.FirstOrDefault(s => s.PackagePath == ModuleFileCandidates[0] || s.PackagePath == ModuleFileCandidates[1]);
        if (source is null) return;
        string text;
        try { text = File.ReadAllText(source.FullPath); }
        catch (IOException) { return; }
        catch (UnauthorizedAccessException) { return; }
        if (Regex.IsMatch(text, $@"(?<![A-Za-z0-9_]){Regex.Escape(Function)}(?![A-Za-z0-9_])") || Dynamic().IsMatch(text)) return;
        var defined = TopLevelFunction().Matches(text).Select(m => m.Groups[1].Value).Where(n => !n.StartsWith('_')).Distinct(StringComparer.Ordinal).ToList();
        var near = defined.Select(n => (Name: n, Distance: EditDistance(n, Function, 4))).Where(x => x.Distance < 4).OrderBy(x => x.Distance).ThenBy(x => x.Name, StringComparer.Ordinal).FirstOrDefault().Name;
        var hint = near is not null ? $" Did you mean '{Module}.{near}'?"
            : defined.Count > 0 ? $" Functions defined there: {string.Join(", ", defined.Take(10))}."
            : "";
        log.Warning(ErrorCodes.HandlerFunctionNotFound,
            $"LambdaHandler '{Value}' names function '{Function}', but {source.PackagePath} never defines or imports '{Function}' (Lambda would fail with \"Handler '{Function}' missing on module '{Module}'\").{hint} Fix LambdaHandler or the function's name.",
            source.FullPath);
    }

    [GeneratedRegex(@"^(?:async[ \t]+)?def[ \t]+([A-Za-z_][A-Za-z0-9_]*)", RegexOptions.Multiline)]
    private static partial Regex TopLevelFunction();

    [GeneratedRegex(@"\bimport[ \t]+\*|\bdef[ \t]+__getattr__\b|\bglobals[ \t]*\(|\bsetattr[ \t]*\(")]
    private static partial Regex Dynamic();

    public override string ToString() => Value;
}
