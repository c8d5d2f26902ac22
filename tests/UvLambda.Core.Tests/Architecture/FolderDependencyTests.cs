using System.Text.RegularExpressions;

namespace UvLambda.Core.Tests.Architecture;

/// <summary>
/// Core's folders depend on each other in one direction (format primitives at the bottom, Lambda composition above),
/// read from the sources: a <c>using UvLambda.Core.X</c> or a name qualified by a top-level folder X is an edge.
/// </summary>
public class FolderDependencyTests
{
    private static readonly string CoreRoot = Path.Combine(TestPaths.RepoRoot, "src", "UvLambda.Core");

    /// <summary>Folder → the folders it uses, with one file that shows each use.</summary>
    private static Dictionary<string, Dictionary<string, string>> Graph()
    {
        var folders = Directory.GetDirectories(CoreRoot).Select(Path.GetFileName).Where(f => f is not ("bin" or "obj")).Select(f => f!).ToList();
        var graph = folders.ToDictionary(f => f, _ => new Dictionary<string, string>(StringComparer.Ordinal), StringComparer.Ordinal);
        var patterns = folders.ToDictionary(f => f, f => new Regex($@"(?:using UvLambda\.Core\.{f}\b)|(?:(?<![\w.])(?:UvLambda\.)?(?:Core\.)?{f}\.[A-Z])"), StringComparer.Ordinal);
        foreach (var folder in folders)
        {
            foreach (var file in Directory.EnumerateFiles(Path.Combine(CoreRoot, folder), "*.cs", SearchOption.AllDirectories))
            {
                // Code only: comments may name anything.
                var code = Regex.Replace(Regex.Replace(File.ReadAllText(file), @"/\*.*?\*/", "", RegexOptions.Singleline), @"//.*", "");
                foreach (var other in folders)
                    if (other != folder && patterns[other].IsMatch(code))
                        graph[folder].TryAdd(other, Path.GetRelativePath(CoreRoot, file));
            }
        }
        return graph;
    }

    /// <summary>A cycle as "A → B → A", or null.</summary>
    internal static string? FindCycle(IReadOnlyDictionary<string, Dictionary<string, string>> graph)
    {
        var state = new Dictionary<string, int>(StringComparer.Ordinal); // 1 on the path, 2 done
        var path = new List<string>();
        string? Visit(string node)
        {
            state[node] = 1;
            path.Add(node);
            foreach (var next in graph.TryGetValue(node, out var edges) ? edges.Keys.Order(StringComparer.Ordinal).ToList() : [])
            {
                if (state.GetValueOrDefault(next) == 1)
                    return string.Join(" → ", path.SkipWhile(p => p != next).Append(next));
                if (state.GetValueOrDefault(next) == 0 && Visit(next) is { } found) return found;
            }
            path.RemoveAt(path.Count - 1);
            state[node] = 2;
            return null;
        }
        foreach (var node in graph.Keys.Order(StringComparer.Ordinal))
            if (state.GetValueOrDefault(node) == 0 && Visit(node) is { } cycle) return cycle;
        return null;
    }

    [Fact]
    public void Core_folders_depend_on_each_other_in_one_direction()
    {
        var graph = Graph();
        Assert.True(graph.Count >= 15, $"found only {graph.Count} folders under {CoreRoot}");
        Assert.True(graph.Sum(g => g.Value.Count) >= 30, "found too few dependencies: the scan is broken");
        var cycle = FindCycle(graph);
        Assert.True(cycle is null, $"Core folders form a cycle: {cycle}. Files: " +
            (cycle is null ? "" : string.Join(", ", cycle.Split(" → ").Zip(cycle.Split(" → ").Skip(1)).Select(e => graph[e.First][e.Second]))));
    }

    [Fact]
    public void Archives_are_format_primitives_that_know_nothing_of_lambda_projects_or_installs()
    {
        var archives = Graph()["Archives"].Keys.Order(StringComparer.Ordinal).ToList();
        Assert.Empty(archives.Except(["Diagnostics", "FileSystem"]));
        // The Lambda composition sits above both the formats and the install.
        var artifacts = Graph()["Artifacts"];
        Assert.Contains("Archives", artifacts.Keys);
        Assert.Contains("Install", artifacts.Keys);
    }

    [Fact]
    public void The_cycle_finder_finds_a_planted_cycle()
    {
        var edges = new Dictionary<string, Dictionary<string, string>>
        {
            ["A"] = new() { ["B"] = "a.cs" },
            ["B"] = new() { ["C"] = "b.cs" },
            ["C"] = new() { ["A"] = "c.cs" },
            ["D"] = new() { ["A"] = "d.cs" },
        };
        Assert.Equal("A → B → C → A", FindCycle(edges));
        edges["C"].Clear();
        Assert.Null(FindCycle(edges));
    }
}
