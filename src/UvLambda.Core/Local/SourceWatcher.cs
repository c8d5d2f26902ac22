namespace UvLambda.Core.Local;

/// <summary>A change seen since the last look: the first path, and whether a dependency file (lock, pyproject) changed.</summary>
public sealed record SourceChange(string Path, bool Dependencies);

/// <summary>
/// Watches a local function's folder so `dotnet run` can reload like `uvicorn --reload`: any file of the app
/// changing means the warm worker must be restarted; uv.lock, pyproject.toml or .python-version changing means the
/// host install must be redone first. Build output, hidden folders, bytecode and editor backups are ignored.
/// Changes are collected as they happen and taken at the next request, so a burst of saves is one reload.
/// </summary>
public sealed class SourceWatcher : IDisposable
{
    private static readonly HashSet<string> DependencyNames = new(StringComparer.Ordinal) { "uv.lock", "pyproject.toml", ".python-version" };
    private static readonly HashSet<string> IgnoredFolders = new(StringComparer.Ordinal) { "bin", "obj", "__pycache__", "node_modules", "venv", "env" };

    private readonly string _root;
    private readonly HashSet<string> _dependencyFiles;
    private readonly List<FileSystemWatcher> _watchers = [];
    private readonly object _gate = new();
    private SourceChange? _pending;

    /// <param name="root">The app folder, watched recursively.</param>
    /// <param name="dependencyFiles">Dependency files outside it too (a workspace's uv.lock above the project), by full path.</param>
    public SourceWatcher(string root, IEnumerable<string> dependencyFiles)
    {
        _root = Path.GetFullPath(root);
        _dependencyFiles = new HashSet<string>(dependencyFiles.Select(Path.GetFullPath), StringComparer.Ordinal);
        // The root alone, then each top-level folder that is not ignored: inotify watches every folder under a
        // recursive watch, and obj/ (the host site) or a .venv can hold thousands.
        Add(new FileSystemWatcher(_root) { IncludeSubdirectories = false });
        foreach (var folder in Directory.EnumerateDirectories(_root))
            WatchFolder(folder);
        foreach (var folder in _dependencyFiles.Select(Path.GetDirectoryName).OfType<string>().Distinct(StringComparer.Ordinal)
                     .Where(d => !IsUnder(d, _root) && Directory.Exists(d)))
            Add(new FileSystemWatcher(folder) { IncludeSubdirectories = false });
    }

    private void WatchFolder(string folder)
    {
        if (Classify(Path.Combine(folder, "x")) is null) return;
        lock (_watchers)
            if (_watchers.Any(w => w.Path == folder)) return;
        Add(new FileSystemWatcher(folder) { IncludeSubdirectories = true });
    }

    /// <summary>Set when the operating system could not keep up (or watch at all): the caller should reload to be safe.</summary>
    public string? Failure { get; private set; }

    private void Add(FileSystemWatcher watcher)
    {
        watcher.NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size;
        watcher.Changed += (_, e) => Seen(e.FullPath);
        watcher.Created += (_, e) =>
        {
            Seen(e.FullPath);
            if (Path.GetDirectoryName(e.FullPath) == _root && Directory.Exists(e.FullPath)) WatchFolder(e.FullPath);
        };
        watcher.Deleted += (_, e) => Seen(e.FullPath);
        watcher.Renamed += (_, e) =>
        {
            Seen(e.OldFullPath);
            Seen(e.FullPath);
        };
        watcher.Error += (_, e) =>
        {
            lock (_gate)
            {
                Failure = e.GetException().Message;
                _pending = new SourceChange(_root, true);
            }
        };
        watcher.EnableRaisingEvents = true;
        lock (_watchers) _watchers.Add(watcher);
    }

    /// <summary>Whether a change to <paramref name="fullPath"/> matters, and whether it is a dependency file.</summary>
    public bool? Classify(string fullPath)
    {
        if (_dependencyFiles.Contains(fullPath)) return true;
        if (!IsUnder(fullPath, _root)) return null;
        var relative = Path.GetRelativePath(_root, fullPath);
        var parts = relative.Split(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
        if (parts.Any(p => p.StartsWith('.') && p != ".python-version")) return null;
        if (parts.Length > 1 && parts[..^1].Any(IgnoredFolders.Contains)) return null;
        if (parts.Length == 1 && IgnoredFolders.Contains(parts[0])) return null;
        var name = parts[^1];
        if (name.EndsWith(".pyc", StringComparison.Ordinal) || name.EndsWith(".pyo", StringComparison.Ordinal) || name.EndsWith('~')
            || name.EndsWith(".swp", StringComparison.Ordinal) || name.EndsWith(".swx", StringComparison.Ordinal) || name == "4913")
            return null;
        return parts.Length == 1 && DependencyNames.Contains(name);
    }

    private void Seen(string fullPath)
    {
        if (Classify(fullPath) is not { } dependency) return;
        lock (_gate)
            _pending = _pending is null ? new SourceChange(fullPath, dependency) : _pending with { Dependencies = _pending.Dependencies || dependency };
    }

    /// <summary>The change collected since the last call, or null.</summary>
    public SourceChange? TakeChange()
    {
        lock (_gate)
        {
            var change = _pending;
            _pending = null;
            return change;
        }
    }

    private static bool IsUnder(string path, string folder) =>
        path.StartsWith(folder.EndsWith(Path.DirectorySeparatorChar) ? folder : folder + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    public void Dispose()
    {
        lock (_watchers)
            foreach (var w in _watchers) w.Dispose();
    }
}
