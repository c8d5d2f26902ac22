using System.Text.Json;

namespace UvLambda.Core.Tests.Install;

/// <summary>
/// A recording stand-in for uv (which cannot be installed here): a python3 script named <c>uv</c> in its own bin
/// folder, put first on the PATH of the environment a test hands to the code under test (never the test process's).
/// It appends its arguments as a JSON line to <see cref="LogFile"/> and behaves like uv for what UvLambda runs:
/// <c>uv build --wheel --out-dir D SRC</c> writes a py3-none-any wheel of SRC's project (a folder or an sdist; each
/// <c>.c</c> file "compiles" to a module with <c>BUILT = True</c>), and <c>uv pip install … --target T -r R</c>
/// unpacks the requirements' wheels from <c>UV_STANDIN_WHEELS</c> (pinned ones) or builds them (paths) into T.
/// <c>UV_STANDIN_FAIL</c> makes it print that text on stderr and exit 1.
/// </summary>
public sealed class UvStandIn
{
    private const string Script = """
        #!/usr/bin/env python3
        import base64, hashlib, json, os, re, sys, tarfile, tempfile, tomllib, zipfile

        args = sys.argv[1:]
        log = os.environ.get("UV_STANDIN_LOG")
        if log:
            with open(log, "a") as f:
                f.write(json.dumps(args) + "\n")
        if os.environ.get("UV_STANDIN_FAIL"):
            sys.stderr.write(os.environ["UV_STANDIN_FAIL"] + "\n")
            sys.exit(1)

        def opt(name):
            return args[args.index(name) + 1]

        def build_wheel(src, out):
            if os.path.isfile(src):
                tmp = tempfile.mkdtemp()
                with tarfile.open(src) as t:
                    t.extractall(tmp)
                entries = os.listdir(tmp)
                src = os.path.join(tmp, entries[0]) if len(entries) == 1 else tmp
            with open(os.path.join(src, "pyproject.toml"), "rb") as f:
                project = tomllib.load(f)["project"]
            name, version = project["name"], project.get("version", "0.0.0")
            dist = re.sub(r"[-_.]+", "_", name).lower()
            files = {}
            for base in (os.path.join(src, "src"), src):
                root = os.path.join(base, dist)
                if not os.path.isdir(root):
                    continue
                for dirpath, dirs, names in os.walk(root):
                    dirs[:] = sorted(d for d in dirs if d != "__pycache__")
                    for n in sorted(names):
                        full = os.path.join(dirpath, n)
                        rel = os.path.relpath(full, base).replace(os.sep, "/")
                        if n.endswith(".c"):
                            files[rel[:-2] + ".py"] = b"BUILT = True\n"
                        else:
                            with open(full, "rb") as f:
                                files[rel] = f.read()
                break
            di = f"{dist}-{version}.dist-info"
            files[f"{di}/METADATA"] = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n".encode()
            files[f"{di}/WHEEL"] = b"Wheel-Version: 1.0\nGenerator: uv-standin\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
            digest = lambda d: base64.urlsafe_b64encode(hashlib.sha256(d).digest()).rstrip(b"=").decode()
            files[f"{di}/RECORD"] = ("".join(f"{p},sha256={digest(d)},{len(d)}\n" for p, d in files.items()) + f"{di}/RECORD,,\n").encode()
            os.makedirs(out, exist_ok=True)
            path = os.path.join(out, f"{dist}-{version}-py3-none-any.whl")
            with zipfile.ZipFile(path, "w") as z:
                for p, d in files.items():
                    z.writestr(p, d)
            return path

        if args[:2] == ["build", "--wheel"]:
            print(f"Building wheel from {args[-1]}")
            print("Successfully built " + os.path.basename(build_wheel(args[-1], opt("--out-dir"))))
        elif args[:2] == ["pip", "install"]:
            target = opt("--target")
            with open(opt("-r")) as f:
                lines = f.read().replace("\\\n", " ").splitlines()
            wheels = os.environ.get("UV_STANDIN_WHEELS", "")
            for line in lines:
                if not line.strip() or line.startswith("#"):
                    continue
                spec = line.split()[0]
                if "==" in spec:
                    name, version = spec.split("==")
                    stem = re.sub(r"[-_.]+", "_", name).lower()
                    found = [w for w in os.listdir(wheels) if w.lower().startswith(f"{stem}-{version}-") and w.endswith(".whl")] if wheels else []
                    if not found:
                        sys.stderr.write(f"error: no wheel for {spec}\n")
                        sys.exit(2)
                    wheel = os.path.join(wheels, found[0])
                else:
                    wheel = build_wheel(spec, tempfile.mkdtemp())
                with zipfile.ZipFile(wheel) as z:
                    z.extractall(target)
            print(f"Installed {len([l for l in lines if l.strip() and not l.startswith('#')])} packages")
        else:
            sys.stderr.write("uv stand-in: unsupported command " + " ".join(args) + "\n")
            sys.exit(2)
        """;

    public UvStandIn(string folder)
    {
        Bin = Path.Combine(folder, "uv-standin-bin");
        Directory.CreateDirectory(Bin);
        var uv = Path.Combine(Bin, "uv");
        File.WriteAllText(uv, Script.Replace("\r\n", "\n"));
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(uv, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        LogFile = Path.Combine(folder, "uv-calls.jsonl");
    }

    public string Bin { get; }
    public string LogFile { get; }

    /// <summary>Only the variables to set (for a child process's overrides): PATH with the stand-in first, the log, the options.</summary>
    public Dictionary<string, string?> Overrides(string? wheels = null, string? fail = null) => new()
    {
        ["PATH"] = Bin + Path.PathSeparator + System.Environment.GetEnvironmentVariable("PATH"),
        ["UV_STANDIN_LOG"] = LogFile,
        ["UV_STANDIN_WHEELS"] = wheels,
        ["UV_STANDIN_FAIL"] = fail,
    };

    /// <summary>This process's environment with <see cref="Overrides"/> applied: what a Core component under test gets.</summary>
    public Dictionary<string, string?> Environment(string? wheels = null, string? fail = null) => WithOverrides(Overrides(wheels, fail));

    /// <summary>This process's environment with PATH holding no uv at all.</summary>
    public static Dictionary<string, string?> WithoutUv(string emptyFolder) => WithOverrides(new() { ["PATH"] = emptyFolder });

    private static Dictionary<string, string?> WithOverrides(Dictionary<string, string?> overrides)
    {
        var env = Core.Processes.ProcessEnvironment.Current();
        foreach (var (k, v) in overrides)
        {
            if (v is null) env.Remove(k);
            else env[k] = v;
        }
        return env;
    }

    /// <summary>Every recorded command line, in order.</summary>
    public List<string[]> Calls =>
        File.Exists(LogFile) ? File.ReadAllLines(LogFile).Select(l => JsonSerializer.Deserialize<string[]>(l)!).ToList() : [];
}
