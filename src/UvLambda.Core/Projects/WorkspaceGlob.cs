using System.Text;
using System.Text.RegularExpressions;

namespace UvLambda.Core.Projects;

/// <summary>
/// A <c>tool.uv.workspace</c> members/exclude glob, relative to the workspace root, with the syntax of the Rust
/// glob crate uv uses: <c>?</c> one character, <c>*</c> any run within one folder name, <c>**</c> as a whole
/// component any number of folders (including none), <c>[abc]</c>, <c>[a-z]</c>, <c>[!abc]</c>.
/// </summary>
public sealed class WorkspaceGlob
{
    private readonly Regex _regex;

    public WorkspaceGlob(string pattern)
    {
        Pattern = pattern;
        _regex = new Regex("^" + ToRegex(Normalize(pattern)) + "$", RegexOptions.CultureInvariant);
    }

    public string Pattern { get; }

    /// <summary>Whether a path relative to the workspace root ('/' or '\' separated) matches.</summary>
    public bool Matches(string relativePath) => _regex.IsMatch(Normalize(relativePath));

    /// <summary>
    /// The folders under <paramref name="root"/> the glob matches, as full paths, sorted. Only descends as far as the
    /// pattern can reach (unbounded only below a <c>**</c>).
    /// </summary>
    public IEnumerable<string> ExpandDirectories(string root)
    {
        var components = Normalize(Pattern).Split('/');
        // The literal leading components need no listing.
        var start = 0;
        var baseDir = root;
        while (start < components.Length && components[start].IndexOfAny(['*', '?', '[']) < 0)
            baseDir = Path.Combine(baseDir, components[start++]);
        if (!Directory.Exists(baseDir))
            return [];
        if (start == components.Length)
            return [Path.GetFullPath(baseDir)];
        var unbounded = components.Skip(start).Contains("**");
        var maxDepth = unbounded ? int.MaxValue : components.Length - start;
        var found = new List<string>();
        Walk(baseDir, 1, maxDepth, dir =>
        {
            if (Matches(Path.GetRelativePath(root, dir)))
                found.Add(Path.GetFullPath(dir));
        });
        found.Sort(StringComparer.Ordinal);
        return found;
    }

    private static void Walk(string dir, int depth, int maxDepth, Action<string> visit)
    {
        foreach (var child in Directory.EnumerateDirectories(dir))
        {
            // A symlinked folder could loop under '**'; uv's glob does not follow them either for '**'.
            if (new DirectoryInfo(child).LinkTarget is not null && maxDepth == int.MaxValue) continue;
            visit(child);
            if (depth < maxDepth)
                Walk(child, depth + 1, maxDepth, visit);
        }
    }

    /// <summary>'/' separators, no leading "./", no trailing '/'.</summary>
    internal static string Normalize(string path)
    {
        var p = path.Replace('\\', '/');
        while (p.StartsWith("./", StringComparison.Ordinal)) p = p[2..];
        p = p.Replace("/./", "/");
        return p.TrimEnd('/') is { Length: > 0 } trimmed ? trimmed : ".";
    }

    private static string ToRegex(string pattern)
    {
        var sb = new StringBuilder();
        var components = pattern.Split('/');
        for (var c = 0; c < components.Length; c++)
        {
            var component = components[c];
            var last = c == components.Length - 1;
            if (component == "**")
            {
                // Zero or more whole folders; a trailing "a/**" also matches "a" itself, as in the glob crate.
                if (!last)
                    sb.Append("(?:[^/]+/)*");
                else if (c == 0)
                    sb.Append(".*");
                else
                {
                    sb.Length -= 1; // the '/' written after the previous component
                    sb.Append("(?:/.*)?");
                }
                continue;
            }
            for (var i = 0; i < component.Length; i++)
            {
                var ch = component[i];
                switch (ch)
                {
                    case '*':
                        sb.Append("[^/]*");
                        break;
                    case '?':
                        sb.Append("[^/]");
                        break;
                    case '[':
                        var close = component.IndexOf(']', i + 2 <= component.Length ? i + 2 : i + 1);
                        if (close < 0)
                        {
                            sb.Append(@"\[");
                            break;
                        }
                        var body = component[(i + 1)..close];
                        var negate = body.StartsWith('!');
                        if (negate) body = body[1..];
                        sb.Append(negate ? "[^/" : "[").Append(body.Replace(@"\", @"\\").Replace("[", @"\[").Replace("^", @"\^")).Append(']');
                        i = close;
                        break;
                    default:
                        sb.Append(Regex.Escape(ch.ToString()));
                        break;
                }
            }
            if (!last) sb.Append('/');
        }
        return sb.ToString();
    }
}
