using UvLambda.Core.Locking;
using UvLambda.Core.Projects;

namespace UvLambda.Core.Tests.Locking;

/// <summary>
/// No false positives: every real project's pyproject.toml files are fresh against the uv.lock uv wrote for them
/// (../shared/fixtures/real-world, see SOURCES.md), and so are the repository's samples.
/// </summary>
public class LockFreshnessRealWorldTests
{
    /// <summary>Every folder holding both a pyproject.toml and a uv.lock, with the workspace members it has.</summary>
    private static IEnumerable<string> LockFolders(string under) =>
        Directory.EnumerateFiles(under, "uv.lock", SearchOption.AllDirectories)
            .Select(f => Path.GetDirectoryName(f)!)
            .Where(d => File.Exists(Path.Combine(d, "pyproject.toml")) && !d.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !d.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
            .Order(StringComparer.Ordinal);

    /// <summary>Checks the lock from its root and from every member; returns how many (lock, project) pairs were judged.</summary>
    private static int AssertFresh(string folder)
    {
        var lk = UvLockReader.Load(Path.Combine(folder, "uv.lock"));
        var root = UvWorkspace.Discover(folder);
        var checkedCount = 0;
        foreach (var dir in new[] { folder }.Concat(root.MemberDirectories))
        {
            var workspace = UvWorkspace.Discover(dir);
            // A member folder under another project's folder is its own workspace for UvWorkspace (as for uv): not this lock's.
            if (workspace.LockPath != Path.Combine(folder, "uv.lock")) continue;
            var differences = LockFreshness.Differences(workspace, lk);
            Assert.True(differences.Count == 0, $"{dir}: {string.Join(" | ", differences)}");
            checkedCount++;
        }
        return checkedCount;
    }

    [Fact]
    public void Every_real_world_pyproject_is_fresh_against_its_own_lock()
    {
        var folders = LockFolders(Path.Combine(TestPaths.SharedFixtures, "real-world")).ToList();
        var failures = new List<string>();
        var pairs = 0;
        foreach (var folder in folders)
        {
            try { pairs += AssertFresh(folder); }
            catch (Xunit.Sdk.XunitException e) { failures.Add(e.Message); }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        // 10 fixtures with a lock, judged from the root and from each member that belongs to it (24 pairs in all).
        Assert.True(folders.Count >= 10, $"only {folders.Count} real-world locks found");
        Assert.True(pairs >= 24, $"only {pairs} project/lock pairs judged");
    }

    [Fact]
    public void Every_sample_is_fresh_against_its_lock()
    {
        var folders = LockFolders(Path.Combine(TestPaths.RepoRoot, "samples")).ToList();
        Assert.True(folders.Count >= 3, $"only {folders.Count} sample locks found");
        foreach (var folder in folders) AssertFresh(folder);
    }
}
