using UvLambda.Core.Archives;
using UvLambda.Core.Artifacts;
using UvLambda.Core.Diagnostics;
using UvLambda.Core.Install;
using UvLambda.Core.FileSystem;
using UvLambda.Core.Projects;
using UvLambda.Core.Tests.FileSystem;
using UvLambda.Core.Tests.Install;

namespace UvLambda.Core.Tests.Artifacts;

/// <summary>
/// After an app-only change, package.zip's installed-packages block is copied from the previous zip without loading
/// the install again (the block's key and the zip's stamp say it is unchanged); the zip still equals a cold build.
/// </summary>
public class AppOnlyChangeTests
{
    private static readonly LambdaHandler Handler = LambdaHandler.Parse("app.main.handler");

    private sealed class Project : IDisposable
    {
        public readonly TempDirectory Dir = new();
        public readonly IndexedInstall Install;

        public Project()
        {
            Install = new IndexedInstall(Dir);
            var wheel = WheelIndexTests.MixedWheel(Dir.Combine("wheels"));
            Install.Install(Install.Lock("mixed", "1.0", wheel));
            App(0);
        }

        public void App(int revision)
        {
            Dir.WriteFile("app/__init__.py", "");
            Dir.WriteFile("app/main.py", $"REVISION = {revision}\n\ndef handler(event, context):\n    return REVISION\n");
        }

        public ArtifactResult Build(string zip = "bin/package.zip", string obj = "obj") =>
            LambdaArtifacts.Create(new ArtifactOptions
            {
                PackagePath = Dir.Combine(zip), StateFile = Install.State, SiteDirectory = Install.Site, IntermediateDirectory = Dir.Combine(obj),
            }, [new LambdaSourceFile(Dir.Combine("app/__init__.py"), "app/__init__.py"), new LambdaSourceFile(Dir.Combine("app/main.py"), "app/main.py")], Handler, NullBuildLog.Instance);

        /// <summary>LambdaPackageType=Layer: layer.zip (the install under python/) and app.zip, under <paramref name="bin"/>.</summary>
        public ArtifactResult BuildLayer(string bin = "bin", string obj = "obj", IReadOnlyCollection<string>? workspacePackages = null) =>
            LambdaArtifacts.Create(new ArtifactOptions
            {
                PackageType = "Layer", LayerPath = Dir.Combine(bin, "layer.zip"), AppPath = Dir.Combine(bin, "app.zip"),
                StateFile = Install.State, SiteDirectory = Install.Site, IntermediateDirectory = Dir.Combine(obj),
                WorkspacePackages = workspacePackages ?? [],
            }, [new LambdaSourceFile(Dir.Combine("app/__init__.py"), "app/__init__.py"), new LambdaSourceFile(Dir.Combine("app/main.py"), "app/main.py")], Handler, NullBuildLog.Instance);

        /// <summary>Runs <paramref name="build"/> with the wheel's cached index gone: only a build that does not read the install survives it.</summary>
        public void WithoutIndex(Action build)
        {
            var index = Directory.EnumerateFiles(Dir.Combine("cache"), "*.idx", SearchOption.AllDirectories).Single();
            var saved = File.ReadAllBytes(index);
            File.Delete(index);
            try { build(); }
            finally { File.WriteAllBytes(index, saved); }
        }

        public byte[] Cold()
        {
            var cold = Build("cold/package.zip", "cold-obj");
            return File.ReadAllBytes(Dir.Combine("cold/package.zip"));
        }

        public void Dispose() => Dir.Dispose();
    }

    [Fact]
    public void An_app_change_copies_the_installed_block_without_reading_the_install_and_equals_a_cold_build()
    {
        using var p = new Project();
        p.Build();
        Assert.True(File.Exists(p.Dir.Combine("obj/package.zip.dependencies")));
        p.App(1);
        // Proof that the install is not read again: its cached index is gone, which the full path could not survive.
        ArtifactResult? result = null;
        p.WithoutIndex(() => result = p.Build());
        Assert.True(Assert.Single(result!.Zips).Zip.Written);
        Assert.Equal(p.Cold(), File.ReadAllBytes(p.Dir.Combine("bin/package.zip")));
        Assert.Contains("REVISION = 1", ReadEntry(p.Dir.Combine("bin/package.zip"), "app/main.py"));
        Assert.Equal(result.UnzippedTotal, p.Build("cold2/package.zip", "cold2-obj").UnzippedTotal);

        // The same app again: the zip on disk already holds these bytes and is left alone.
        var time = File.GetLastWriteTimeUtc(p.Dir.Combine("bin/package.zip"));
        File.SetLastWriteTimeUtc(p.Dir.Combine("app/main.py"), DateTime.UtcNow);
        Assert.False(Assert.Single(p.Build().Zips).Zip.Written);
        Assert.Equal(time, File.GetLastWriteTimeUtc(p.Dir.Combine("bin/package.zip")));
    }

    [Fact]
    public void A_changed_install_or_a_zip_changed_since_takes_the_full_path_and_still_equals_a_cold_build()
    {
        using var p = new Project();
        p.Build();
        // The zip was touched by something else: its stamp no longer matches, so nothing of it is trusted.
        File.SetLastWriteTimeUtc(p.Dir.Combine("bin/package.zip"), new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        p.App(2);
        // The full path reads the install, so with its index gone it fails: proof the shortcut was not taken.
        p.WithoutIndex(() => Assert.Throws<UvLambdaException>(() => p.Build()));
        p.Build();
        Assert.Equal(p.Cold(), File.ReadAllBytes(p.Dir.Combine("bin/package.zip")));

        // Another install state (a package added, removed or repaired): another key, the full path.
        File.AppendAllText(p.Install.State, " ");
        p.WithoutIndex(() => Assert.Throws<UvLambdaException>(() => p.Build()));
    }

    [Fact]
    public void A_damaged_summary_is_ignored()
    {
        using var p = new Project();
        p.Build();
        var summary = p.Dir.Combine("obj/package.zip.dependencies");
        var lines = File.ReadAllLines(summary);
        File.WriteAllLines(summary, lines.Take(lines.Length - 3));
        p.App(3);
        p.WithoutIndex(() => Assert.Throws<UvLambdaException>(() => p.Build()));
        p.Build();
        Assert.Equal(p.Cold(), File.ReadAllBytes(p.Dir.Combine("bin/package.zip")));
    }

    [Fact]
    public void A_layer_build_after_an_app_change_leaves_layer_zip_unread_and_both_zips_equal_a_cold_build()
    {
        using var p = new Project();
        p.BuildLayer();
        Assert.True(File.Exists(p.Dir.Combine("obj/layer.zip.dependencies")));
        var layerTime = File.GetLastWriteTimeUtc(p.Dir.Combine("bin/layer.zip"));
        p.App(1);
        // The install is not read again: its cached index is gone, which the full path could not survive.
        ArtifactResult? result = null;
        p.WithoutIndex(() => result = p.BuildLayer());
        Assert.Equal([p.Dir.Combine("bin/layer.zip"), p.Dir.Combine("bin/app.zip")], result!.Zips.Select(z => z.Path));
        Assert.False(result.Zips[0].Zip.Written);
        Assert.True(result.Zips[1].Zip.Written);
        Assert.Equal(layerTime, File.GetLastWriteTimeUtc(p.Dir.Combine("bin/layer.zip")));
        Assert.Contains("REVISION = 1", ReadEntry(p.Dir.Combine("bin/app.zip"), "app/main.py"));

        // What it reports and writes is what a cold build reports and writes.
        var cold = p.BuildLayer("cold", "cold-obj");
        Assert.Equal(cold.UnzippedTotal, result.UnzippedTotal);
        Assert.Equal(cold.PackageSizes, result.PackageSizes);
        Assert.Equal(cold.Zips.Select(z => (z.Zip.FileCount, z.Zip.DirectoryCount, z.Zip.UncompressedBytes, z.Zip.ArchiveBytes)),
            result.Zips.Select(z => (z.Zip.FileCount, z.Zip.DirectoryCount, z.Zip.UncompressedBytes, z.Zip.ArchiveBytes)));
        // The log line says what a build that compared every entry says: every file of layer.zip reused.
        Assert.Equal(result.Zips[0].Zip.FileCount, result.Zips[0].Zip.ReusedEntries);
        foreach (var zip in new[] { "layer.zip", "app.zip" })
            Assert.Equal(File.ReadAllBytes(p.Dir.Combine("cold", zip)), File.ReadAllBytes(p.Dir.Combine("bin", zip)));
    }

    [Fact]
    public void A_layer_zip_changed_since_or_another_install_takes_the_full_layer_path()
    {
        using var p = new Project();
        p.BuildLayer();
        File.SetLastWriteTimeUtc(p.Dir.Combine("bin/layer.zip"), new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        p.App(2);
        p.WithoutIndex(() => Assert.Throws<UvLambdaException>(() => p.BuildLayer()));
        p.BuildLayer();
        p.BuildLayer("cold", "cold-obj");
        Assert.Equal(File.ReadAllBytes(p.Dir.Combine("cold/layer.zip")), File.ReadAllBytes(p.Dir.Combine("bin/layer.zip")));

        // Another state, still whole (sealed again: a damaged one is refused outright, UVL3007).
        var state = File.ReadAllText(p.Install.State);
        var json = PackageInstaller.Unseal(state)!;
        var end = json.LastIndexOf('}');
        File.WriteAllText(p.Install.State, PackageInstaller.Seal(json[..end] + " " + json[end..]));
        p.WithoutIndex(() => Assert.Throws<UvLambdaException>(() => p.BuildLayer()));
        // A workspace member with the app: app.zip holds installed files too, so the shortcut is not taken.
        File.WriteAllText(p.Install.State, state);
        p.WithoutIndex(() => Assert.Throws<UvLambdaException>(() => p.BuildLayer(workspacePackages: ["mixed"])));
    }

    [Fact]
    public void A_zip_build_removes_what_a_killed_layer_build_left_beside_layer_zip()
    {
        if (!OperatingSystem.IsLinux()) return; // the owner's start time comes from /proc
        using var p = new Project();
        // A Layer build killed while writing layer.zip (this PID with another start time: certainly gone), then Layer -> Zip.
        var leftover = p.Dir.WriteFile($"bin/.layer.zip.{Environment.ProcessId}.1.{Guid.NewGuid():N}.tmp", "half a layer");
        CreateZipInBin(p);
        Assert.False(File.Exists(leftover));
        Assert.Equal(["package.zip"], Directory.EnumerateFiles(p.Dir.Combine("bin")).Select(f => Path.GetFileName(f)));
    }

    [Fact]
    public void A_zip_build_removes_a_killed_builds_temp_beside_the_zip_it_writes_and_keeps_a_live_builds()
    {
        if (OperatingSystem.IsWindows()) return; // the owner's start time must differ by more than the seconds fallback's rounding
        using var p = new Project();
        // Killed while writing package.zip (a PID since reused, and one freed); a concurrent build writing it now.
        var reused = p.Dir.WriteFile("bin/" + TempOwnerTests.Name(".package.zip", TempOwnerTests.ReusedOwner()), "half a zip");
        var dead = p.Dir.WriteFile("bin/" + TempOwnerTests.Name(".package.zip", TempOwnerTests.DeadOwner()), "half a zip");
        var live = p.Dir.WriteFile("bin/" + TempOwnerTests.Name(".package.zip", TempOwner.Current), "a zip being written");
        CreateZipInBin(p);
        Assert.False(File.Exists(reused));
        Assert.False(File.Exists(dead));
        // Nothing else: the writer's own temp file was renamed into package.zip.
        string[] expected = ["package.zip", Path.GetFileName(live)];
        Assert.Equal(expected.Order(StringComparer.Ordinal), Directory.EnumerateFiles(p.Dir.Combine("bin")).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal));
    }

    /// <summary>A Zip build whose outputs (package.zip written; layer.zip and app.zip not) are all in bin/.</summary>
    private static void CreateZipInBin(Project p) =>
        LambdaArtifacts.Create(new ArtifactOptions
        {
            PackagePath = p.Dir.Combine("bin/package.zip"), LayerPath = p.Dir.Combine("bin/layer.zip"), AppPath = p.Dir.Combine("bin/app.zip"),
            StateFile = p.Install.State, SiteDirectory = p.Install.Site, IntermediateDirectory = p.Dir.Combine("obj"),
        }, [new LambdaSourceFile(p.Dir.Combine("app/__init__.py"), "app/__init__.py"), new LambdaSourceFile(p.Dir.Combine("app/main.py"), "app/main.py")], Handler, NullBuildLog.Instance);

    private static string ReadEntry(string zip, string entry)
    {
        using var archive = System.IO.Compression.ZipFile.OpenRead(zip);
        using var reader = new StreamReader(archive.GetEntry(entry)!.Open());
        return reader.ReadToEnd();
    }
}
