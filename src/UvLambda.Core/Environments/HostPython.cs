using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using UvLambda.Core.Diagnostics;
using UvLambda.Core.FileSystem;
using UvLambda.Core.Standards;

namespace UvLambda.Core.Environments;

/// <summary>What a local interpreter says about itself: enough to evaluate markers and choose wheels for it.</summary>
public sealed record HostPythonInfo
{
    public string Executable { get; init; } = "";
    public string Version { get; init; } = "";
    public string FullVersion { get; init; } = "";
    public string Implementation { get; init; } = "";
    public string ImplementationVersion { get; init; } = "";
    public string Machine { get; init; } = "";
    public string SysPlatform { get; init; } = "";
    public string OsName { get; init; } = "";
    public string PlatformSystem { get; init; } = "";
    public string PlatformRelease { get; init; } = "";
    public string PlatformVersion { get; init; } = "";
    public string PlatformPythonImplementation { get; init; } = "";
    /// <summary><c>glibc 2.36</c> (os.confstr), or null on a non-glibc system.</summary>
    public string? Libc { get; init; }
    public bool FreeThreaded { get; init; }
}

/// <summary>A local interpreter found for running the function: the command to start it and what it reported.</summary>
public sealed record HostPython(string Path, HostPythonInfo Info)
{
    public int Minor => int.Parse(Info.Version.Split('.')[1], CultureInfo.InvariantCulture);

    /// <summary>X.Y.</summary>
    public string MinorVersion => string.Join('.', Info.Version.Split('.').Take(2));

    /// <summary>The glibc platform of the host, or null when it is not glibc Linux on x86_64/aarch64.</summary>
    public PythonPlatform? Platform
    {
        get
        {
            LinuxArchitecture? arch = Info.Machine switch { "x86_64" or "amd64" => LinuxArchitecture.X86_64, "aarch64" or "arm64" => LinuxArchitecture.Aarch64, _ => null };
            if (arch is null || Info.SysPlatform != "linux" || Info.Libc is not { } libc || !libc.StartsWith("glibc ", StringComparison.Ordinal)) return null;
            var parts = libc["glibc ".Length..].Split('.');
            return parts.Length >= 2 && int.TryParse(parts[0], CultureInfo.InvariantCulture, out var major) && int.TryParse(parts[1], CultureInfo.InvariantCulture, out var minor)
                ? new PythonPlatform(arch.Value, major, minor) : null;
        }
    }

    /// <summary>The markers of this interpreter, as packaging.markers.default_environment() gives them.</summary>
    public MarkerEnvironment Markers => new()
    {
        PythonVersion = MinorVersion,
        PythonFullVersion = Info.FullVersion,
        ImplementationVersion = Info.ImplementationVersion,
        OsName = Info.OsName,
        SysPlatform = Info.SysPlatform,
        PlatformRelease = Info.PlatformRelease,
        PlatformSystem = Info.PlatformSystem,
        PlatformVersion = Info.PlatformVersion,
        PlatformMachine = Info.Machine,
        PlatformPythonImplementation = Info.PlatformPythonImplementation,
        ImplementationName = Info.Implementation,
    };

    public override string ToString() => $"{Info.PlatformPythonImplementation} {Info.FullVersion} ({Path})";
}

public sealed record HostPythonRequest(
    string? ExplicitPython,
    string PythonVersion,
    string? RequiresPython,
    string WorkingDirectory,
    string? CacheFile,
    IReadOnlyDictionary<string, string?>? Environment = null);

/// <summary>
/// Finds the interpreter that runs the function locally: <c>LambdaLocalPython</c>, else <c>python3.X</c> for
/// PythonVersion (on PATH, then pyenv's versions), else <c>python3</c> with a warning. Each candidate is asked once
/// about itself; the answer is cached by the interpreter's path and modification time.
/// </summary>
public static class HostPythonLocator
{
    internal const string QueryScript = """
        import json, os, platform, sys, sysconfig
        try:
            libc = os.confstr("CS_GNU_LIBC_VERSION")
        except (AttributeError, ValueError, OSError):
            libc = None
        impl = sys.implementation
        iv = "{0.major}.{0.minor}.{0.micro}".format(impl.version)
        if impl.version.releaselevel != "final":
            iv += impl.version.releaselevel[0] + str(impl.version.serial)
        print(json.dumps({
            "executable": sys.executable,
            "version": "%d.%d.%d" % sys.version_info[:3],
            "full_version": platform.python_version(),
            "implementation": impl.name,
            "implementation_version": iv,
            "machine": platform.machine(),
            "sys_platform": sys.platform,
            "os_name": os.name,
            "platform_system": platform.system(),
            "platform_release": platform.release(),
            "platform_version": platform.version(),
            "platform_python_implementation": platform.python_implementation(),
            "libc": libc,
            "free_threaded": bool(sysconfig.get_config_var("Py_GIL_DISABLED")),
        }))
        """;

    public static HostPython Find(HostPythonRequest request, IBuildLog log)
    {
        var env = request.Environment ?? CurrentEnvironment();
        var cache = new QueryCache(request.CacheFile);
        HostPython? found = null;
        if (!string.IsNullOrWhiteSpace(request.ExplicitPython))
        {
            var explicitPath = request.ExplicitPython!.Trim();
            var path = explicitPath.Contains('/') || explicitPath.Contains('\\')
                ? System.IO.Path.GetFullPath(explicitPath, request.WorkingDirectory)
                : OnPath(explicitPath, env).FirstOrDefault();
            if (path is null || !File.Exists(path))
                throw new UvLambdaException(ErrorCodes.LocalPythonNotFound,
                    $"LambdaLocalPython '{explicitPath}' was not found. Set it to a Python {request.PythonVersion} interpreter's path or command name.");
            var (info, error) = cache.Query(path);
            if (info is null)
                throw new UvLambdaException(ErrorCodes.LocalPythonNotFound, $"LambdaLocalPython '{explicitPath}' did not run: {error}");
            found = new HostPython(path, info);
            if (found.MinorVersion != request.PythonVersion)
                log.Warning(ErrorCodes.LocalPythonVersionMismatch,
                    $"LambdaLocalPython '{explicitPath}' is Python {found.Info.FullVersion}, but the function runs on Python {request.PythonVersion} in Lambda; behaviour may differ.");
        }
        else
        {
            var versioned = $"python{request.PythonVersion}";
            foreach (var candidate in VersionedCandidates(request.PythonVersion, env))
            {
                var (info, _) = cache.Query(candidate);
                if (info is not null && new HostPython(candidate, info).MinorVersion == request.PythonVersion)
                {
                    found = new HostPython(candidate, info);
                    break;
                }
            }
            if (found is null)
            {
                foreach (var candidate in OnPath("python3", env))
                {
                    var (info, _) = cache.Query(candidate);
                    if (info is null) continue;
                    found = new HostPython(candidate, info);
                    if (found.MinorVersion != request.PythonVersion)
                        log.Warning(ErrorCodes.LocalPythonVersionMismatch,
                            $"No {versioned} was found; running with python3, which is Python {found.Info.FullVersion}, while the function runs on Python {request.PythonVersion} in Lambda. Install Python {request.PythonVersion} or set LambdaLocalPython.");
                    break;
                }
            }
            if (found is null)
                throw new UvLambdaException(ErrorCodes.LocalPythonNotFound,
                    $"No Python interpreter was found to run the function locally (looked for {versioned} and python3 on PATH). Install Python {request.PythonVersion} or set LambdaLocalPython to an interpreter's path.");
        }
        cache.Save();

        if (!string.IsNullOrWhiteSpace(request.RequiresPython))
        {
            var set = VersionSpecifierSet.Parse(request.RequiresPython!);
            if (!set.Contains(Pep440Version.Parse(found.Info.Version), allowPreReleases: true))
                throw new UvLambdaException(ErrorCodes.LocalPythonExcluded,
                    $"The local Python {found} is excluded by requires-python '{request.RequiresPython}'. Install a Python it allows (the function runs on {request.PythonVersion}) and set LambdaLocalPython to it.");
        }
        return found;
    }

    /// <summary>Interpreters named for one minor version: <c>python3.X</c> on PATH, then pyenv's installs of it.</summary>
    public static IEnumerable<string> VersionedCandidates(string pythonVersion, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var env = environment ?? CurrentEnvironment();
        return OnPath($"python{pythonVersion}", env).Concat(InPyenv(pythonVersion, env));
    }

    /// <summary>Asks one interpreter about itself (no cache).</summary>
    public static HostPythonInfo Query(string path)
    {
        var (info, error) = RunQuery(path);
        return info ?? throw new UvLambdaException(ErrorCodes.LocalPythonNotFound, $"'{path}' did not run: {error}");
    }

    private static (HostPythonInfo? Info, string? Error) RunQuery(string path)
    {
        try
        {
            var psi = new ProcessStartInfo(path) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            psi.ArgumentList.Add("-I");
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add(QueryScript);
            using var p = Process.Start(psi)!;
            var stderr = p.StandardError.ReadToEndAsync();
            var stdout = p.StandardOutput.ReadToEnd();
            if (!p.WaitForExit(30_000))
            {
                p.Kill(entireProcessTree: true);
                return (null, "it did not answer within 30 s");
            }
            if (p.ExitCode != 0)
                return (null, $"exit code {p.ExitCode}: {stderr.Result.Trim()}");
            var info = JsonSerializer.Deserialize(stdout, HostPythonJson.Default.HostPythonInfo);
            return info is null || info.Version.Length == 0 ? (null, "it printed no version") : (info, null);
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or JsonException or IOException)
        {
            return (null, e.Message);
        }
    }

    private static Dictionary<string, string?> CurrentEnvironment() => Processes.ProcessEnvironment.Current();

    private static IEnumerable<string> OnPath(string command, IReadOnlyDictionary<string, string?> env) =>
        Processes.ExternalTool.OnPath(command, env);

    // pyenv keeps every installed version under $PYENV_ROOT/versions even when its shims answer for another one.
    private static IEnumerable<string> InPyenv(string pythonVersion, IReadOnlyDictionary<string, string?> env)
    {
        var root = env.TryGetValue("PYENV_ROOT", out var r) && !string.IsNullOrEmpty(r) ? r
            : env.TryGetValue("HOME", out var home) && !string.IsNullOrEmpty(home) ? System.IO.Path.Combine(home, ".pyenv") : null;
        var versions = root is null ? null : System.IO.Path.Combine(root, "versions");
        if (versions is null || !Directory.Exists(versions)) yield break;
        foreach (var dir in Directory.EnumerateDirectories(versions, pythonVersion + ".*").Order(StringComparer.Ordinal).Reverse())
        {
            var candidate = System.IO.Path.Combine(dir, "bin", "python" + pythonVersion);
            if (File.Exists(candidate)) yield return candidate;
        }
    }

    /// <summary>Answers keyed by path, modification time and size, kept in obj/ so a build asks each interpreter once.</summary>
    private sealed class QueryCache(string? file)
    {
        private readonly Dictionary<string, HostPythonInfo> _entries = Load(file);
        private bool _changed;

        public (HostPythonInfo? Info, string? Error) Query(string path)
        {
            string key;
            try
            {
                var fi = new FileInfo(path);
                key = $"{fi.FullName}|{fi.LastWriteTimeUtc.Ticks}|{fi.Length}";
            }
            catch (IOException) { return RunQuery(path); }
            if (_entries.TryGetValue(key, out var cached)) return (cached, null);
            var (info, error) = RunQuery(path);
            if (info is not null)
            {
                _entries[key] = info;
                _changed = true;
            }
            return (info, error);
        }

        public void Save()
        {
            if (_changed && file is not null)
                AtomicFile.WriteAllText(file, JsonSerializer.Serialize(_entries, HostPythonJson.Default.DictionaryStringHostPythonInfo));
        }

        private static Dictionary<string, HostPythonInfo> Load(string? file)
        {
            try
            {
                return file is not null && File.Exists(file)
                    ? JsonSerializer.Deserialize(File.ReadAllText(file), HostPythonJson.Default.DictionaryStringHostPythonInfo) ?? []
                    : [];
            }
            catch (JsonException) { return []; }
        }
    }
}

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(HostPythonInfo))]
[JsonSerializable(typeof(Dictionary<string, HostPythonInfo>))]
internal sealed partial class HostPythonJson : JsonSerializerContext;
