using System.Net;

namespace UvLambda.Core.Install.Fetching;

/// <summary>
/// A netrc file (<c>NETRC</c>, else <c>~/.netrc</c>), as uv reads it for index credentials: <c>machine</c> entries
/// by host, then <c>default</c>; <c>macdef</c> bodies skipped. Tokens are whitespace-separated, quotes allowed.
/// </summary>
internal sealed class Netrc
{
    private readonly Dictionary<string, NetworkCredential> _machines;
    private readonly NetworkCredential? _default;

    private Netrc(Dictionary<string, NetworkCredential> machines, NetworkCredential? fallback)
    {
        _machines = machines;
        _default = fallback;
    }

    /// <summary>The file the environment names, or null when there is none (a missing file is no error, as in uv).</summary>
    public static Netrc? Load(IReadOnlyDictionary<string, string?> environment)
    {
        var home = IndexConfiguration.Get(environment, "HOME") ?? IndexConfiguration.Get(environment, "USERPROFILE");
        var path = IndexConfiguration.Get(environment, "NETRC") ?? (home is null ? null : Path.Combine(home, ".netrc"));
        if (path is null || !File.Exists(path)) return null;
        try
        {
            return Parse(File.ReadAllText(path));
        }
        catch (IOException)
        {
            return null;
        }
    }

    public static Netrc Parse(string text)
    {
        var machines = new Dictionary<string, NetworkCredential>(StringComparer.OrdinalIgnoreCase);
        NetworkCredential? fallback = null;
        var lines = text.Replace("\r\n", "\n").Split('\n');
        string? machine = null;
        var isDefault = false;
        string? login = null, password = null;

        void Flush()
        {
            if (machine is null && !isDefault) return;
            var credential = new NetworkCredential(login ?? "", password ?? "");
            if (isDefault) fallback ??= credential;
            else machines.TryAdd(machine!, credential);
            machine = null;
            isDefault = false;
            login = password = null;
        }

        for (var li = 0; li < lines.Length; li++)
        {
            var tokens = Tokens(lines[li]).ToList();
            for (var i = 0; i < tokens.Count; i++)
            {
                var next = i + 1 < tokens.Count ? tokens[i + 1] : null;
                switch (tokens[i])
                {
                    case "machine":
                        Flush();
                        machine = next;
                        i++;
                        break;
                    case "default":
                        Flush();
                        isDefault = true;
                        break;
                    case "login":
                        login = next;
                        i++;
                        break;
                    case "password":
                        password = next;
                        i++;
                        break;
                    case "account":
                        i++;
                        break;
                    case "macdef":
                        // A macro body runs to the next empty line.
                        while (li + 1 < lines.Length && lines[li + 1].Trim().Length > 0) li++;
                        i = tokens.Count;
                        break;
                }
            }
        }
        Flush();
        return new Netrc(machines, fallback);
    }

    /// <summary>The entry for <paramref name="host"/>, else the default entry, else null.</summary>
    public NetworkCredential? For(string host) => _machines.TryGetValue(host, out var c) ? c : _default;

    private static IEnumerable<string> Tokens(string line)
    {
        var i = 0;
        while (i < line.Length)
        {
            if (char.IsWhiteSpace(line[i])) { i++; continue; }
            if (line[i] == '#') yield break;
            if (line[i] == '"')
            {
                var end = line.IndexOf('"', i + 1);
                if (end < 0) end = line.Length;
                yield return line[(i + 1)..end];
                i = end + 1;
                continue;
            }
            var start = i;
            while (i < line.Length && !char.IsWhiteSpace(line[i])) i++;
            yield return line[start..i];
        }
    }
}
