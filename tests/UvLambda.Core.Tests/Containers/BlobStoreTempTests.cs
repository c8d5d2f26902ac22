using UvLambda.Core.Containers;
using UvLambda.Core.FileSystem;
using UvLambda.Core.Tests.FileSystem;

namespace UvLambda.Core.Tests.Containers;

public class BlobStoreTempTests
{
    [Fact]
    public void Adding_a_blob_sweeps_what_killed_downloads_left_by_the_caches_rules_and_keeps_a_live_ones()
    {
        if (OperatingSystem.IsWindows()) return; // ReusedOwner needs the start time in clock ticks or seconds
        using var dir = new TempDirectory();
        var store = new BlobStore(dir.Path);
        var tmp = Path.Combine(store.Root, "tmp");
        var dead = dir.WriteFile(Path.Combine(tmp, TempOwnerTests.Name("blob", TempOwnerTests.DeadOwner())), "half a layer");
        var reused = dir.WriteFile(Path.Combine(tmp, TempOwnerTests.Name("blob", TempOwnerTests.ReusedOwner())), "half a layer");
        var live = dir.WriteFile(Path.Combine(tmp, TempOwnerTests.Name("blob", TempOwner.Current)), "a layer being downloaded");
        // Named as before the one format: only the age rule takes them.
        var legacyOld = dir.WriteFile(Path.Combine(tmp, $"{Environment.ProcessId}-{Guid.NewGuid():N}.part"), "old");
        File.SetLastWriteTimeUtc(legacyOld, DateTime.UtcNow.AddHours(-25));
        var legacyFresh = dir.WriteFile(Path.Combine(tmp, $"{Environment.ProcessId}-{Guid.NewGuid():N}.part"), "fresh");

        var content = "{}"u8.ToArray();
        var digest = Digests.Of(content);
        store.AddBytes(digest, content);

        Assert.Equal(content, store.TryGetBytes(digest));
        string[] expected = [live, legacyFresh];
        Assert.Equal(expected.Order(StringComparer.Ordinal), Directory.GetFiles(tmp).Order(StringComparer.Ordinal));
        Assert.False(File.Exists(dead) || File.Exists(reused) || File.Exists(legacyOld));
    }
}
