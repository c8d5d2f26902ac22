using System.Diagnostics;
using System.Text.Json;
using UvLambda.Core.Toml;
using UvLambda.TomlDecoder;

namespace UvLambda.Core.Tests.Toml;

/// <summary>
/// Every real-world uv.lock and pyproject.toml in ../shared parses to exactly what CPython's tomllib gives
/// (one python3 run converts them all to tagged JSON).
/// </summary>
public class RealWorldTomlTests
{
    private static string RealWorldDir => Path.Combine(TestPaths.SharedFixtures, "real-world");

    private static readonly Lazy<Dictionary<string, string>> TomllibJson = new(RunTomllib);

    public static TheoryData<string> Files() => new(FilePaths());

    private static List<string> FilePaths() =>
        Directory.EnumerateFiles(RealWorldDir, "*", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f) is "uv.lock" or "pyproject.toml")
            .Select(f => Path.GetRelativePath(RealWorldDir, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
            .ToList();

    [Theory]
    [MemberData(nameof(Files))]
    public void Parses_like_tomllib(string file)
    {
        var root = TomlDocument.Load(Path.Combine(RealWorldDir, file));
        TaggedJsonAssert.Equal(TomllibJson.Value[file], TaggedJson.FromTable(root));
    }

    [Fact]
    public void Largest_lock_file_has_every_package_and_wheel()
    {
        var path = Path.Combine(RealWorldDir, "pydantic__pydantic-ai", "uv.lock");
        var lines = File.ReadAllLines(path);
        var root = TomlDocument.Load(path);

        Assert.True(root.TryGetArray("package", out var packages));
        Assert.Equal(lines.Count(l => l == "[[package]]"), packages.Count);
        var wheels = 0;
        foreach (var package in packages)
        {
            var table = Assert.IsType<TomlTable>(package);
            Assert.NotNull(table.GetString("name"));
            if (table.TryGetArray("wheels", out var list))
                wheels += list.Count;
        }
        Assert.Equal(lines.Sum(l => CountOf(l, "{ url = \"") + CountOf(l, "{ path = \"")) - SdistCount(lines), wheels);
    }

    private static int SdistCount(string[] lines) => lines.Count(l => l.StartsWith("sdist = {", StringComparison.Ordinal));

    private static int CountOf(string line, string what)
    {
        var n = 0;
        for (var i = line.IndexOf(what, StringComparison.Ordinal); i >= 0; i = line.IndexOf(what, i + 1, StringComparison.Ordinal))
            n++;
        return n;
    }

    private static Dictionary<string, string> RunTomllib()
    {
        const string script = """
            import datetime, json, math, sys, tomllib
            def tag(v):
                if isinstance(v, dict): return {k: tag(x) for k, x in v.items()}
                if isinstance(v, list): return [tag(x) for x in v]
                if isinstance(v, bool): return {"type": "bool", "value": "true" if v else "false"}
                if isinstance(v, int): return {"type": "integer", "value": str(v)}
                if isinstance(v, float): return {"type": "float", "value": "nan" if math.isnan(v) else repr(v)}
                if isinstance(v, str): return {"type": "string", "value": v}
                if isinstance(v, datetime.datetime):
                    return {"type": "datetime" if v.tzinfo else "datetime-local", "value": v.isoformat()}
                if isinstance(v, datetime.date): return {"type": "date-local", "value": v.isoformat()}
                if isinstance(v, datetime.time): return {"type": "time-local", "value": v.isoformat()}
                raise TypeError(type(v))
            root = sys.argv[1]
            out = {}
            for rel in sys.stdin.read().split("\n"):
                if rel:
                    with open(root + "/" + rel, "rb") as f:
                        out[rel] = json.dumps(tag(tomllib.load(f)))
            print(json.dumps(out))
            """;
        var start = new ProcessStartInfo("python3")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(RealWorldDir);
        using var process = Process.Start(start)
            ?? throw new InvalidOperationException("python3 (3.11+, for tomllib) is needed to check real-world files.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardInput.Write(string.Join("\n", FilePaths()));
        process.StandardInput.Close();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException("python3 tomllib failed: " + stderr.Result);
        return JsonSerializer.Deserialize<Dictionary<string, string>>(stdout.Result)!;
    }
}
