using System.Text;
using System.Text.RegularExpressions;

namespace UvLambda.Core.Archives;

/// <summary>
/// LambdaExclude patterns over package paths (forward slashes, relative to the installed tree or the app root):
/// <c>**</c> any number of folders, <c>*</c> and <c>?</c> within one name, a trailing <c>/</c> a whole folder, and a
/// pattern without <c>/</c> matching a name in any folder (as .gitignore does). A <c>*.dist-info</c> folder is only
/// removed by a pattern that names <c>.dist-info</c>: importlib.metadata lookups break without it.
/// </summary>
public sealed class ExcludeGlob
{
    private readonly List<(Regex Regex, bool MayRemoveMetadata)> _patterns = [];

    public ExcludeGlob(IEnumerable<string> patterns)
    {
        foreach (var raw in patterns)
        {
            var p = raw.Trim().Replace('\\', '/');
            while (p.StartsWith("./", StringComparison.Ordinal)) p = p[2..];
            if (p.Length == 0) continue;
            if (p.EndsWith('/')) p += "**";
            if (!p.Contains('/')) p = "**/" + p;
            _patterns.Add((new Regex("^" + Translate(p) + "$", RegexOptions.CultureInvariant), p.Contains(".dist-info", StringComparison.Ordinal)));
        }
    }

    public bool IsEmpty => _patterns.Count == 0;

    public bool IsExcluded(string path)
    {
        if (_patterns.Count == 0) return false;
        bool metadata = path.Contains(".dist-info/", StringComparison.Ordinal);
        foreach (var (regex, mayRemoveMetadata) in _patterns)
            if ((!metadata || mayRemoveMetadata) && regex.IsMatch(path)) return true;
        return false;
    }

    private static string Translate(string glob)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < glob.Length; i++)
        {
            char c = glob[i];
            if (c == '*' && i + 1 < glob.Length && glob[i + 1] == '*')
            {
                bool startOfSegment = i == 0 || glob[i - 1] == '/';
                bool followedBySlash = i + 2 < glob.Length && glob[i + 2] == '/';
                if (startOfSegment && followedBySlash) { sb.Append("(?:[^/]*/)*"); i += 2; }   // "**/": zero or more folders
                else if (startOfSegment && i + 2 == glob.Length) { sb.Append(".*"); i += 1; } // trailing "**": everything below
                else { sb.Append(".*"); i += 1; }
            }
            else if (c == '*') sb.Append("[^/]*");
            else if (c == '?') sb.Append("[^/]");
            else sb.Append(Regex.Escape(c.ToString()));
        }
        return sb.ToString();
    }
}
