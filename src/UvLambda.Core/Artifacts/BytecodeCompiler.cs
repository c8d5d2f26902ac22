using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using UvLambda.Core.Diagnostics;
using UvLambda.Core.Environments;
using UvLambda.Core.Archives;
using UvLambda.Core.FileSystem;

namespace UvLambda.Core.Artifacts;

/// <summary>
/// Compiles .py files to PEP 552 unchecked-hash .pyc with a local CPython of the runtime's minor version (marshal
/// formats differ between minor versions), at <c>dir/__pycache__/name.cpython-3X.pyc</c> where the import system looks.
/// Unchecked-hash pycs are never revalidated against the source (Lambda's /var/task is read-only anyway) and carry no
/// time stamp, so they are reproducible; PYTHONHASHSEED=0 keeps set/frozenset constants in a fixed order.
/// Results are cached by content (source bytes, path recorded in the code object, interpreter version), so only
/// changed files are compiled again.
/// </summary>
public sealed class BytecodeCompiler
{
    private const string Script = """
        import json, os, py_compile, sys
        failed = []
        for src, dfile, out, tmp in json.load(sys.stdin):
            try:
                py_compile.compile(src, cfile=tmp, dfile=dfile, doraise=True, invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
                os.replace(tmp, out)
            except (py_compile.PyCompileError, SyntaxError, ValueError, UnicodeError):
                failed.append(dfile)
                if os.path.exists(tmp):
                    os.remove(tmp)
        print(json.dumps(failed))
        """;

    private readonly string _python;
    private readonly string _cacheDirectory;

    private BytecodeCompiler(string python, string version, string cacheDirectory)
    {
        _python = python;
        Version = version;
        _cacheDirectory = Path.Combine(cacheDirectory, CacheTag);
    }

    /// <summary>"3.11".</summary>
    public string Version { get; }

    /// <summary>"cpython-311", as sys.implementation.cache_tag.</summary>
    public string CacheTag => "cpython-" + Version.Replace(".", "", StringComparison.Ordinal);

    /// <summary>
    /// The interpreter to compile with: <paramref name="localPython"/> when set (it must be <paramref name="pythonVersion"/>),
    /// else <c>python3.X</c> on PATH. None that fits is <see cref="ErrorCodes.BytecodePythonNotFound"/>, naming what was looked for.
    /// </summary>
    public static BytecodeCompiler Find(string pythonVersion, string? localPython, string cacheDirectory, string? projectFile = null)
    {
        var candidates = new List<string>();
        if (!string.IsNullOrWhiteSpace(localPython)) candidates.Add(localPython!);
        else candidates.AddRange(Environments.HostPythonLocator.VersionedCandidates(pythonVersion));
        var looked = string.IsNullOrWhiteSpace(localPython)
            ? $"'python{pythonVersion}' on PATH and in pyenv"
            : $"LambdaLocalPython '{localPython}'";
        var found = new List<string>();
        foreach (var candidate in candidates)
        {
            var version = VersionOf(candidate);
            if (version == pythonVersion) return new BytecodeCompiler(candidate, version, cacheDirectory);
            found.Add(version is null ? $"'{candidate}' does not run" : $"'{candidate}' is Python {version}");
        }
        throw new UvLambdaException(ErrorCodes.BytecodePythonNotFound,
            $"LambdaCompileBytecode needs a local CPython {pythonVersion} (bytecode is specific to the minor version); looked for {looked}" +
            (found.Count > 0 ? ": " + string.Join("; ", found) : ", and found none") +
            $". Install Python {pythonVersion} (e.g. `uv python install {pythonVersion}`) and set LambdaLocalPython to its path, or set LambdaCompileBytecode=false.",
            projectFile);
    }

    private static string? VersionOf(string python)
    {
        try
        {
            var info = Environments.HostPythonLocator.Query(python);
            var minor = string.Join('.', info.Version.Split('.').Take(2));
            return info.Implementation == "cpython" ? minor : $"{minor} ({info.Implementation})";
        }
        catch (UvLambdaException)
        {
            return null;
        }
    }

    /// <summary>
    /// Compiles each (source file, path it has on sys.path) pair; returns archive path of the source → cached .pyc file.
    /// Files Python cannot compile (e.g. Python 2 leftovers in a package's data) get no .pyc and ship as source only, as pip does.
    /// </summary>
    public IReadOnlyDictionary<string, string> Compile(IReadOnlyList<(string SourceFile, string ImportPath)> files, IBuildLog log)
    {
        Directory.CreateDirectory(_cacheDirectory);
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var missing = new List<(string Source, string ImportPath, string Out)>();
        var keys = new string[files.Count];
        Parallel.For(0, files.Count, i =>
        {
            var (source, importPath) = files[i];
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            sha.AppendData(File.ReadAllBytes(source));
            sha.AppendData(Encoding.UTF8.GetBytes("\0" + importPath + "\0" + Version));
            keys[i] = Convert.ToHexString(sha.GetHashAndReset()).ToLowerInvariant();
        });
        for (int i = 0; i < files.Count; i++)
        {
            var pyc = Path.Combine(_cacheDirectory, keys[i] + ".pyc");
            if (File.Exists(pyc)) result[files[i].ImportPath] = pyc;
            else if (!File.Exists(pyc + ".failed")) missing.Add((files[i].SourceFile, files[i].ImportPath, pyc));
        }
        if (missing.Count > 0)
        {
            // Each .pyc is written to a temp named for this process, then renamed: builds compiling the same file at
            // once never share a temp, and what a killed compile left is recognised and removed here.
            TempOwner.DeleteAbandoned(_cacheDirectory);
            var sw = Stopwatch.StartNew();
            int chunks = Math.Max(1, Math.Min(Environment.ProcessorCount, missing.Count / 200));
            var failures = new List<string>[chunks];
            Parallel.For(0, chunks, c =>
            {
                var jobs = missing.Where((_, i) => i % chunks == c).Select(m => new[] { m.Source, m.ImportPath, m.Out, TempOwner.TempFile(_cacheDirectory, "." + Path.GetFileName(m.Out)) }).ToList();
                var (exit, output, error) = Run(_python, ["-I", "-B", "-c", Script], JsonSerializer.Serialize(jobs));
                if (exit != 0)
                    throw new UvLambdaException(ErrorCodes.BytecodeCompileFailed, $"Compiling bytecode with '{_python}' failed (exit code {exit}): {error.Trim()}");
                failures[c] = JsonSerializer.Deserialize<List<string>>(output.Trim().Split('\n')[^1]) ?? [];
            });
            foreach (var m in missing)
            {
                if (File.Exists(m.Out)) result[m.ImportPath] = m.Out;
                else File.WriteAllText(m.Out + ".failed", "");
            }
            var failed = failures.SelectMany(f => f).ToList();
            log.Detail($"Compiled {missing.Count - failed.Count} .py file(s) to bytecode with Python {Version} in {sw.Elapsed.TotalSeconds:0.0} s" +
                (failed.Count > 0 ? $"; {failed.Count} could not be compiled and ship as source only: {string.Join(", ", failed.Take(5))}" : ""));
        }
        return result;
    }

    /// <summary>Where a module's .pyc goes: <c>a/b.py</c> → <c>a/__pycache__/b.cpython-311.pyc</c>.</summary>
    public string PycPath(string sourcePath)
    {
        int slash = sourcePath.LastIndexOf('/');
        var dir = slash < 0 ? "" : sourcePath[..(slash + 1)];
        var name = sourcePath[(slash + 1)..^3];
        return $"{dir}__pycache__/{name}.{CacheTag}.pyc";
    }

    private static (int Exit, string Output, string Error) Run(string file, string[] args, string? stdin)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardInput = stdin is not null,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["PYTHONHASHSEED"] = "0";
        psi.Environment["PYTHONUTF8"] = "1";
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            try
            {
                p.StandardInput.Write(stdin);
                p.StandardInput.Close();
            }
            catch (IOException)
            {
                // The interpreter exited before reading its input (a broken pipe): its exit code and stderr, read
                // below, say why, and the caller reports that (UVL3006) rather than the pipe.
            }
        }
        var stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout, stderr.Result);
    }
}
