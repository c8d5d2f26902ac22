using System.Globalization;
using System.Text;
using UvLambda.Core.Diagnostics;
using UvLambda.Core.Projects;

namespace UvLambda.Core.Locking;

/// <summary>One resolved package as the build shows it (the PythonPackage item): identity and metadata, all text.</summary>
public sealed record ResolvedPackageRow(string Id, string Name, string Version, string Source, string Wheel, string Url, string Sha256, string Size, string LocalPath)
{
    public static ResolvedPackageRow From(ResolvedPackage p) => new(
        Standards.PackageName.Normalize(p.Name), p.Name, p.Version ?? "", p.SourceName, p.Wheel?.Name ?? "",
        p.Wheel?.Url ?? (p.Wheel is null ? p.Locked.Source.Value : ""), p.Wheel?.Sha256 ?? "",
        p.Wheel?.Size?.ToString(CultureInfo.InvariantCulture) ?? "", p.LocalPath ?? "");
}

/// <summary>What ResolvePythonPackages returns, and what it logged on the way (replayed when it comes from the cache).</summary>
public sealed record ResolutionSummary(string PythonVersion, string PythonVersionSource, string? LockPath, string Platform, string Target,
    IReadOnlyList<ResolvedPackageRow> Packages, IReadOnlyList<LoggedLine> Log);

/// <summary>A log call: Info, Detail or Warning (with its code and place).</summary>
public sealed record LoggedLine(char Kind, string Message, string? Code = null, string? File = null, int Line = 0, int Column = 0);

/// <summary>
/// Resolution on every build (IDEs and every target after Build read its items) costs a TOML parse of the lock and a
/// graph walk; this file in obj/ remembers the result for the common shape, a project that is its own workspace root
/// with no member and no package from sources. It is keyed by the request, the day (runtime deprecation warnings
/// depend on the date), the Core build, and the stamps (size, write time) of every file resolution reads or whose
/// appearance would change it: the project's pyproject.toml, uv.lock, .python-version and pylock*.toml, and a
/// pyproject.toml in any folder above (uv's workspace discovery). Any difference resolves again.
/// </summary>
public static class ResolutionCache
{
    private const string Magic = "uvlambda-resolution-v1";

    /// <summary>Resolves through the cache file (null: no cache), replaying the logged lines of a hit into <paramref name="log"/>.</summary>
    public static ResolutionSummary Resolve(ProjectResolutionRequest request, string? cacheFile, IBuildLog log)
    {
        var key = cacheFile is null || request.Target is not null ? null : Key(request);
        if (key is not null && Read(cacheFile!, key) is { } hit)
        {
            foreach (var line in hit.Log) Replay(line, log);
            return hit;
        }
        var recording = new RecordingLog(log);
        var result = ProjectResolver.Resolve(request, recording);
        var summary = new ResolutionSummary(result.PythonVersion, result.PythonVersionSource, result.LockPath, result.Target.Platform.ToString(),
            result.Target.ToString(), result.Packages.Select(ResolvedPackageRow.From).ToList(), recording.Lines);
        if (key is not null)
        {
            if (Cacheable(result, summary)) Write(cacheFile!, key, summary);
            else if (File.Exists(cacheFile)) File.Delete(cacheFile!);
        }
        return summary;
    }

    /// <summary>Own workspace root (no [tool.uv.workspace], no folder above making it a member) and nothing from sources.</summary>
    private static bool Cacheable(ProjectResolution result, ResolutionSummary summary)
    {
        if (summary.Packages.Any(p => p.LocalPath.Length > 0)) return false;
        // No pyproject.toml: nothing was discovered, and the key stamps its absence.
        if (result.Workspace is not { } workspace) return true;
        return workspace.IsRoot && workspace.MemberDirectories.All(d => PathsEqual(d, workspace.ProjectDirectory));
    }

    private static bool PathsEqual(string a, string b) =>
        string.Equals(Path.TrimEndingDirectorySeparator(Path.GetFullPath(a)), Path.TrimEndingDirectorySeparator(Path.GetFullPath(b)), StringComparison.Ordinal);

    internal static string Key(ProjectResolutionRequest r)
    {
        var key = new StringBuilder();
        key.Append(typeof(ResolutionCache).Assembly.ManifestModule.ModuleVersionId.ToString("N")).Append('|')
            .Append(DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).Append('|')
            .Append(r.ProjectDirectory).Append('|').Append(r.PythonVersion).Append('|').Append(r.Architecture).Append('|')
            .Append(r.PythonPlatform).Append('|').Append(string.Join(',', r.Extras)).Append('|').Append(string.Join(',', r.Groups)).Append('|')
            .Append(r.Locked).Append('|').Append(r.PythonLockFile);
        var dir = Path.TrimEndingDirectorySeparator(Path.GetFullPath(r.ProjectDirectory));
        foreach (var name in new[] { UvWorkspace.PyProjectFileName, UvWorkspace.LockFileName, PythonVersionDefault.PythonVersionFileName })
            Stamp(key, Path.Combine(dir, name));
        if (Directory.Exists(dir))
        {
            var pylocks = Directory.GetFiles(dir, "pylock*.toml");
            Array.Sort(pylocks, StringComparer.Ordinal);
            foreach (var pylock in pylocks) Stamp(key, pylock);
        }
        if (!string.IsNullOrWhiteSpace(r.PythonLockFile)) Stamp(key, Path.GetFullPath(Path.Combine(dir, r.PythonLockFile.Trim())));
        for (var up = Path.GetDirectoryName(dir); up is not null; up = Path.GetDirectoryName(up))
            Stamp(key, Path.Combine(up, UvWorkspace.PyProjectFileName));
        return key.ToString();
    }

    private static void Stamp(StringBuilder key, string path)
    {
        var info = new FileInfo(path);
        key.Append('\n').Append(path).Append('=');
        if (info.Exists) key.Append(info.Length.ToString(CultureInfo.InvariantCulture)).Append(',').Append(info.LastWriteTimeUtc.Ticks.ToString(CultureInfo.InvariantCulture));
        else key.Append('-');
    }

    private static void Replay(LoggedLine line, IBuildLog log)
    {
        switch (line.Kind)
        {
            case 'W': log.Warning(line.Code!, line.Message, line.File, line.Line, line.Column); break;
            case 'I': log.Info(line.Message); break;
            default: log.Detail(line.Message); break;
        }
    }

    // ---- the file: a magic line, the key (escaped, one line), then one tab-separated record per line ----

    private static ResolutionSummary? Read(string path, string key)
    {
        string[] lines;
        try { lines = File.ReadAllLines(path); }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
        if (lines.Length < 3 || lines[0] != Magic || lines[1] != Escape(key)) return null;
        string? version = null, source = null, lockPath = null, platform = null, target = null;
        var packages = new List<ResolvedPackageRow>();
        var log = new List<LoggedLine>();
        var complete = false;
        for (var i = 2; i < lines.Length; i++)
        {
            var f = lines[i].Split('\t');
            for (var j = 0; j < f.Length; j++) f[j] = Unescape(f[j]);
            switch (f[0])
            {
                case "python" when f.Length == 6: (version, source, lockPath, platform, target) = (f[1], f[2], f[3].Length == 0 ? null : f[3], f[4], f[5]); break;
                case "package" when f.Length == 10: packages.Add(new ResolvedPackageRow(f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9])); break;
                case "log" when f.Length == 7: log.Add(new LoggedLine(f[1][0], f[2], f[3].Length == 0 ? null : f[3], f[4].Length == 0 ? null : f[4], int.Parse(f[5], CultureInfo.InvariantCulture), int.Parse(f[6], CultureInfo.InvariantCulture))); break;
                case "end" when f.Length == 2 && f[1] == packages.Count.ToString(CultureInfo.InvariantCulture): complete = true; break;
                default: return null;
            }
        }
        // A truncated or hand-edited file is not trusted: resolve again.
        return complete && version is not null ? new ResolutionSummary(version, source!, lockPath, platform!, target!, packages, log) : null;
    }

    private static void Write(string path, string key, ResolutionSummary s)
    {
        var text = new StringBuilder();
        text.Append(Magic).Append('\n').Append(Escape(key)).Append('\n');
        Line(text, "python", s.PythonVersion, s.PythonVersionSource, s.LockPath ?? "", s.Platform, s.Target);
        foreach (var p in s.Packages) Line(text, "package", p.Id, p.Name, p.Version, p.Source, p.Wheel, p.Url, p.Sha256, p.Size, p.LocalPath);
        foreach (var l in s.Log)
            Line(text, "log", l.Kind.ToString(), l.Message, l.Code ?? "", l.File ?? "", l.Line.ToString(CultureInfo.InvariantCulture), l.Column.ToString(CultureInfo.InvariantCulture));
        Line(text, "end", s.Packages.Count.ToString(CultureInfo.InvariantCulture));
        FileSystem.AtomicFile.WriteAllText(path, text.ToString());
    }

    private static void Line(StringBuilder text, params string[] fields)
    {
        for (var i = 0; i < fields.Length; i++) text.Append(i == 0 ? "" : "\t").Append(Escape(fields[i]));
        text.Append('\n');
    }

    private static string Escape(string s) => s.Replace("\\", "\\\\").Replace("\t", "\\t").Replace("\n", "\\n").Replace("\r", "\\r");

    private static string Unescape(string s)
    {
        if (!s.Contains('\\')) return s;
        var b = new StringBuilder(s.Length);
        for (var i = 0; i < s.Length; i++)
        {
            if (s[i] != '\\' || i + 1 == s.Length) { b.Append(s[i]); continue; }
            b.Append(s[++i] switch { 't' => '\t', 'n' => '\n', 'r' => '\r', var c => c });
        }
        return b.ToString();
    }

    /// <summary>Forwards every call and keeps it, so a cache hit says what the resolution said.</summary>
    private sealed class RecordingLog(IBuildLog inner) : IBuildLog
    {
        public List<LoggedLine> Lines { get; } = [];
        public void Info(string message) { Lines.Add(new LoggedLine('I', message)); inner.Info(message); }
        public void Detail(string message) { Lines.Add(new LoggedLine('D', message)); inner.Detail(message); }
        public void Warning(string code, string message, string? file = null, int line = 0, int column = 0)
        {
            Lines.Add(new LoggedLine('W', message, code, file, line, column));
            inner.Warning(code, message, file, line, column);
        }
    }
}
