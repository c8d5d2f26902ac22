using System.IO.Compression;
using UvLambda.Core.Archives;
using UvLambda.Core.Diagnostics;
using UvLambda.Core.Install;
using UvLambda.Core.Install.Audit;
using UvLambda.Core.Install.Fetching;
using UvLambda.Core.Install.Wheels;
using UvLambda.Core.Locking;
using UvLambda.Core.Environments;
using UvLambda.Core.FileSystem;
using UvLambda.Core.Tests.FileSystem;

namespace UvLambda.Core.Tests.Install;

/// <summary>
/// Indexed wheels: verified once, then packaged by copying their compressed entries. What lands in a zip must be
/// exactly what unpacking the wheel installs, and nothing about a wheel or its cached index is trusted unchecked.
/// </summary>
public class WheelIndexTests
{
    private static readonly DateTime Epoch = ArchiveTimestamp.ZipEpoch;

    /// <summary>A wheel with every case the copy path distinguishes: deflated, stored-by-rule, empty, executable, a rewritten script, .data schemes.</summary>
    internal static string MixedWheel(string folder)
    {
        var wheel = new TestWheel("mixed", "1.0");
        wheel.Add("mixed/__init__.py", "");
        wheel.Add("mixed/core.py", string.Concat(Enumerable.Repeat("def f(x):\n    return x * 2\n", 200)));
        wheel.Add("mixed/one.txt", "x"); // deflate makes one byte larger: stored instead
        wheel.Add("mixed/tool.sh", "#!/bin/sh\necho hi\n", TestWheel.ExecutableFile);
        wheel.Add("mixed-1.0.data/scripts/mixed-cli", "#!python\nimport mixed\n");
        wheel.Add("mixed-1.0.data/scripts/plain-cli", "#!/bin/sh\nexit 0\n");
        wheel.Add("mixed-1.0.data/purelib/extra_mod.py", "EXTRA = 1\n");
        wheel.Add("mixed-1.0.data/headers/mixed.h", "int f(void);\n");
        return wheel.Build(folder);
    }

    private static Dictionary<string, (byte[] Content, int Mode)> Unpacked(string site) =>
        Directory.EnumerateFiles(site, "*", SearchOption.AllDirectories).ToDictionary(
            f => Path.GetRelativePath(site, f).Replace('\\', '/'),
            f => (File.ReadAllBytes(f), Core.Projects.LambdaSourceFile.UnixModeOf(f)));

    private static Dictionary<string, (byte[] Content, int Mode)> Zipped(string zip)
    {
        using var archive = ZipFile.OpenRead(zip);
        return archive.Entries.Where(e => !e.FullName.EndsWith('/')).ToDictionary(e => e.FullName, e =>
        {
            using var s = e.Open();
            using var m = new MemoryStream();
            s.CopyTo(m);
            return (m.ToArray(), (e.ExternalAttributes >> 16) & 0xFFF);
        });
    }

    [Fact]
    public void An_indexed_wheel_zips_to_exactly_what_unpacking_it_installs()
    {
        using var dir = new TempDirectory();
        var wheels = new List<string> { MixedWheel(dir.Combine("wheels")) };
        // A real distribution too (this machine's python3.11 six or idna), re-packed from its RECORD.
        var site = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("python3", "-c \"import sysconfig;print(sysconfig.get_paths()['purelib'])\"") { RedirectStandardOutput = true })!;
        var purelib = site.StandardOutput.ReadToEnd().Trim();
        site.WaitForExit();
        var real = Directory.EnumerateDirectories(purelib, "*.dist-info").Select(Path.GetFileName).FirstOrDefault(d => d!.StartsWith("idna-", StringComparison.Ordinal) || d.StartsWith("six-", StringComparison.Ordinal));
        Assert.NotNull(real);
        wheels.Add(TestWheel.FromInstalled(purelib, real!).Build(dir.Combine("wheels")));

        foreach (var wheel in wheels)
        {
            var name = Core.Standards.WheelFileName.Parse(Path.GetFileName(wheel));
            var target = dir.Combine("site-" + name.Name);
            WheelInstaller.Install(wheel, target, name.Name, name.Version.ToString());
            var index = WheelInstaller.Index(wheel, name.Name, name.Version.ToString());
            Assert.True(index.Copyable);
            var zip = dir.Combine(name.Name + ".zip");
            DeterministicZipWriter.Write(zip, index.Entries(wheel).Select(e => e.Entry).ToList(), Epoch);

            var expected = Unpacked(target);
            var actual = Zipped(zip);
            Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
            foreach (var (path, (content, mode)) in expected)
            {
                Assert.True(content.AsSpan().SequenceEqual(actual[path].Content), $"{name.Name}: {path} differs");
                Assert.Equal(mode, actual[path].Mode);
            }
            // CPython's zipfile checks every CRC.
            var check = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("python3", $"-c \"import zipfile,sys; sys.exit(zipfile.ZipFile(sys.argv[1]).testzip() or 0)\" {zip}"))!;
            check.WaitForExit();
            Assert.Equal(0, check.ExitCode);
        }
        var mixed = Zipped(dir.Combine("mixed.zip"));
        Assert.Equal("#!/usr/bin/env python3\nimport mixed\n", System.Text.Encoding.UTF8.GetString(mixed["bin/mixed-cli"].Content));
        Assert.Equal(0x1ED, mixed["bin/plain-cli"].Mode);
        Assert.Equal(0x1ED, mixed["mixed/tool.sh"].Mode);
        Assert.Equal(0x1A4, mixed["mixed/core.py"].Mode);
    }

    [Fact]
    public void Compressed_entries_are_copied_from_the_wheel_as_they_are()
    {
        using var dir = new TempDirectory();
        var wheel = MixedWheel(dir.Combine("wheels"));
        var index = WheelInstaller.Index(wheel, "mixed", "1.0");
        var result = DeterministicZipWriter.Write(dir.Combine("out.zip"), index.Entries(wheel).Select(e => e.Entry).ToList(), Epoch);
        // Deflated entries no larger than their content are copied; the RECORD, the rewritten script, the grown and the empty entry are not.
        Assert.Equal(index.Files.Count(f => f.Generated is null && f.Size > 0 && f.Method == 8 && f.CompressedSize <= f.Size), result.CopiedEntries);
        Assert.True(result.CopiedEntries >= 2, $"copied {result.CopiedEntries}");
        var core = index.Files.Single(f => f.Path == "mixed/core.py");
        using var archive = ZipFile.OpenRead(dir.Combine("out.zip"));
        Assert.Equal(core.CompressedSize, archive.GetEntry("mixed/core.py")!.CompressedLength);
        var one = archive.GetEntry("mixed/one.txt")!;
        Assert.Equal(one.Length, one.CompressedLength);
    }

    [Fact]
    public void A_wheel_whose_content_does_not_match_its_record_is_not_indexed()
    {
        using var dir = new TempDirectory();
        var wheel = new TestWheel("bad", "1.0");
        wheel.Add("bad/__init__.py", "x = 1\n");
        wheel.EditRecord = rows => rows[0][1] = "sha256=" + new string('A', 43);
        var path = wheel.Build(dir.Path);
        var e = Assert.Throws<UvLambdaException>(() => WheelIndexCache.GetOrBuild(dir.Combine("cache"), new string('a', 64), path, Path.GetFileName(path), "bad", "1.0", WheelInstaller.ZipUnpackedLimit));
        Assert.Equal(ErrorCodes.WheelRecordMismatch, e.Code);
        Assert.False(File.Exists(WheelIndexCache.PathFor(dir.Combine("cache"), new string('a', 64))));
    }

    [Fact]
    public void A_damaged_or_edited_cached_index_is_rebuilt_not_trusted()
    {
        using var dir = new TempDirectory();
        var wheel = MixedWheel(dir.Path);
        var sha = new string('b', 64);
        var (_, indexPath) = WheelIndexCache.GetOrBuild(dir.Combine("cache"), sha, wheel, Path.GetFileName(wheel), "mixed", "1.0", WheelInstaller.ZipUnpackedLimit);
        Assert.NotNull(WheelIndexCache.TryLoad(indexPath, wheel));
        var original = File.ReadAllBytes(indexPath);
        var edited = (byte[])original.Clone();
        var at = edited.AsSpan().IndexOf("mixed/core.py"u8);
        Assert.True(at > 0);
        edited[at + "mixed/core.p".Length] = (byte)'z'; // mixed/core.pz
        File.WriteAllBytes(indexPath, edited);
        Assert.Null(WheelIndexCache.TryLoad(indexPath, wheel));
        var (rebuilt, _) = WheelIndexCache.GetOrBuild(dir.Combine("cache"), sha, wheel, Path.GetFileName(wheel), "mixed", "1.0", WheelInstaller.ZipUnpackedLimit);
        Assert.Contains(rebuilt.Files, f => f.Path == "mixed/core.py");
        Assert.Equal(original, File.ReadAllBytes(indexPath));
        // Cut short: not an index either.
        File.WriteAllBytes(indexPath, original[..^3]);
        Assert.Null(WheelIndexCache.TryLoad(indexPath, wheel));
        File.WriteAllBytes(indexPath, original);
        // An index is only for a file of the size it recorded.
        File.AppendAllText(wheel, "\n");
        Assert.Null(WheelIndexCache.TryLoad(indexPath, wheel));
    }

    [Fact]
    public void An_index_over_the_unpack_limit_is_refused_from_the_cache_too()
    {
        using var dir = new TempDirectory();
        var wheel = MixedWheel(dir.Path);
        var sha = new string('c', 64);
        var (index, _) = WheelIndexCache.GetOrBuild(dir.Combine("cache"), sha, wheel, Path.GetFileName(wheel), "mixed", "1.0", WheelInstaller.ImageUnpackedLimit);
        var e = Assert.Throws<UvLambdaException>(() => WheelIndexCache.GetOrBuild(dir.Combine("cache"), sha, wheel, Path.GetFileName(wheel), "mixed", "1.0", index.UnpackedBytes - 1));
        Assert.Equal(ErrorCodes.WheelTooLarge, e.Code);
        var fresh = Assert.Throws<UvLambdaException>(() => WheelInstaller.Index(wheel, "mixed", "1.0", maxUnpackedBytes: 100));
        Assert.Equal(ErrorCodes.WheelTooLarge, fresh.Code);
    }

    [Fact]
    public void Elf_facts_are_read_when_indexing_so_the_audit_needs_no_unpacked_file()
    {
        using var dir = new TempDirectory();
        var wheel = new TestWheel("fast", "1.0");
        wheel.Add("fast/_speedups.so", TestElf.Build(true, false, TestElf.X86_64, ("libc.so.6", ["GLIBC_2.17", "GLIBC_2.34"])), TestWheel.ExecutableFile);
        wheel.Add("fast/__init__.py", "");
        var path = wheel.Build(dir.Combine("wheels"));
        var fixture = new IndexedInstall(dir);
        fixture.Install(fixture.Lock("fast", "1.0", path));
        var files = InstalledSet.Load(fixture.State, fixture.Site);
        var so = Assert.Single(files, f => f.Entry.Path == "fast/_speedups.so");
        Assert.True(so.ElfKnown);
        Assert.NotNull(so.Entry.ZipSource);
        var violation = Assert.Single(ElfAudit.Check(files, "x86_64", new Version(2, 26), "python3.11"));
        Assert.Equal("needs GLIBC_2.34 but Lambda's python3.11 runtime has glibc 2.26", violation.Problem);
        Assert.Equal("fast", violation.Package);
        // The audit's own view reads each index's header only, and finds the same.
        var fromHeader = Assert.Single(ElfAudit.Check(InstalledSet.ForAudit(fixture.State, fixture.Site), "x86_64", new Version(2, 26), "python3.11"));
        Assert.Equal(violation, fromHeader);
        Assert.Empty(ElfAudit.Check(InstalledSet.ForAudit(fixture.State, fixture.Site), "x86_64", new Version(2, 34), "python3.11"));
    }

    [Fact]
    public void A_state_damaged_with_its_write_time_put_back_is_reported_and_deleted_not_read_as_nothing_installed()
    {
        // The install step was skipped as up to date (write times only): packaging must not ship without the dependencies.
        using var dir = new TempDirectory();
        var wheel = new TestWheel("alpha", "1.0");
        wheel.Add("alpha/__init__.py", "A = 1\n");
        var fixture = new IndexedInstall(dir);
        fixture.Install(fixture.Lock("alpha", "1.0", wheel.Build(dir.Combine("wheels"))));
        Assert.Contains(InstalledSet.Load(fixture.State, fixture.Site), f => f.Entry.Path == "alpha/__init__.py");

        var time = File.GetLastWriteTimeUtc(fixture.State);
        var text = File.ReadAllText(fixture.State);
        File.WriteAllText(fixture.State, text[..(text.Length / 2)]);
        File.SetLastWriteTimeUtc(fixture.State, time);

        var e = Assert.Throws<UvLambdaException>(() => InstalledSet.Load(fixture.State, fixture.Site));
        Assert.Equal(ErrorCodes.InstallStateDamaged, e.Code);
        Assert.Contains("build again", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(fixture.State)); // so the next build's install step runs

        // The next install starts over and packaging sees the package again.
        fixture.Install(fixture.Lock("alpha", "1.0", wheel.Build(dir.Combine("wheels"))));
        Assert.Contains(InstalledSet.Load(fixture.State, fixture.Site), f => f.Entry.Path == "alpha/__init__.py");
    }

    [Fact]
    public void Of_two_wheels_installing_one_path_the_later_package_ships_and_a_site_file_wins_over_both()
    {
        using var dir = new TempDirectory();
        var alpha = new TestWheel("alpha", "1.0");
        alpha.Add("shared/x.py", "alpha");
        alpha.Add("alpha/__init__.py", "");
        var beta = new TestWheel("beta", "1.0");
        beta.Add("shared/x.py", "beta");
        beta.Add("shared/y.py", "beta y");
        var fixture = new IndexedInstall(dir);
        // Locked in the other order: the package name decides, as unpacking in name order would.
        fixture.Install(fixture.Lock("beta", "1.0", beta.Build(dir.Combine("wheels"))), fixture.Lock("alpha", "1.0", alpha.Build(dir.Combine("wheels"))));

        var files = InstalledSet.Load(fixture.State, fixture.Site);
        Assert.Equal(files.Select(f => f.Entry.Path).Order(StringComparer.Ordinal), files.Select(f => f.Entry.Path));
        Assert.Equal(files.Count, files.Select(f => f.Entry.Path).Distinct().Count());
        var x = Assert.Single(files, f => f.Entry.Path == "shared/x.py");
        Assert.Equal("beta", x.Package);
        Assert.Equal("beta"u8.ToArray(), x.Entry.ReadContent());
        Assert.Contains(files, f => f.Entry.Path == "alpha/__init__.py" && f.Package == "alpha");

        Directory.CreateDirectory(Path.Combine(fixture.Site, "shared"));
        File.WriteAllText(Path.Combine(fixture.Site, "shared", "x.py"), "site");
        files = InstalledSet.Load(fixture.State, fixture.Site);
        x = Assert.Single(files, f => f.Entry.Path == "shared/x.py");
        Assert.Null(x.Entry.ZipSource);
        Assert.Equal("site"u8.ToArray(), x.Entry.ReadContent());
        Assert.Single(files, f => f.Entry.Path == "shared/y.py");
    }

    [Fact]
    public void A_listed_wheel_file_needed_on_disk_is_unpacked_from_its_index_loaded_again()
    {
        using var dir = new TempDirectory();
        var fixture = new IndexedInstall(dir);
        fixture.Install(fixture.Lock("mixed", "1.0", MixedWheel(dir.Combine("wheels"))));
        var files = InstalledSet.Load(fixture.State, fixture.Site);
        var core = Assert.Single(files, f => f.Entry.Path == "mixed/core.py");
        var onDisk = core.PathOnDisk();
        Assert.StartsWith(dir.Combine("cache"), onDisk);
        Assert.Equal(core.Entry.ReadContent(), File.ReadAllBytes(onDisk));

        // The listing keeps no index: one gone since then (a cache clean) is a coded error when a file is needed.
        files = InstalledSet.Load(fixture.State, fixture.Site);
        File.Delete(Directory.EnumerateFiles(dir.Combine("cache"), "*.idx", SearchOption.AllDirectories).Single());
        var e = Assert.Throws<UvLambdaException>(() => files.Single(f => f.Entry.Path == "mixed/core.py").PathOnDisk());
        Assert.Equal(ErrorCodes.WheelInstallFailed, e.Code);
    }

    [Fact]
    public void An_indexed_install_writes_nothing_to_the_site_folder_and_reinstalls_when_its_index_is_gone()
    {
        using var dir = new TempDirectory();
        var path = MixedWheel(dir.Combine("wheels"));
        var fixture = new IndexedInstall(dir);
        var package = fixture.Lock("mixed", "1.0", path);
        Assert.Equal(1, fixture.Install(package).Installed);
        Assert.False(Directory.Exists(fixture.Site) && Directory.EnumerateFiles(fixture.Site, "*", SearchOption.AllDirectories).Any());
        var files = InstalledSet.Load(fixture.State, fixture.Site);
        Assert.Contains(files, f => f.Entry.Path == "mixed/core.py" && f.Entry.ZipSource is not null && f.Package == "mixed");
        Assert.Contains(files, f => f.Entry.Path == "mixed-1.0.dist-info/RECORD" && f.Entry.Content is not null);

        // Nothing changed: nothing installed, nothing fetched.
        Assert.Equal(0, fixture.Install(package).Installed);
        Assert.Single(fixture.Fetcher.Requested);

        // The cached index disappeared (a cache clean): the next build notices and indexes the wheel again.
        var index = Directory.EnumerateFiles(dir.Combine("cache"), "*.idx", SearchOption.AllDirectories).Single();
        File.Delete(index);
        Assert.Equal(1, fixture.Install(package).Installed);
        Assert.True(File.Exists(index));
    }

    [Fact]
    public void Unpacking_into_the_cache_sweeps_what_a_killed_unpack_left_in_its_shard_and_keeps_a_live_ones()
    {
        if (OperatingSystem.IsWindows()) return; // ReusedOwner needs the start time in clock ticks or seconds
        using var dir = new TempDirectory();
        var wheel = MixedWheel(dir.Combine("wheels"));
        var sha = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(wheel))).ToLowerInvariant();
        var (index, indexPath) = WheelIndexCache.GetOrBuild(dir.Combine("cache"), sha, wheel, Path.GetFileName(wheel), "mixed", "1.0", WheelInstaller.ZipUnpackedLimit);
        var shard = Path.GetDirectoryName(indexPath)!;
        var unpacked = Path.GetFileName(Path.ChangeExtension(indexPath, ".unpacked"));
        // A build killed while unpacking this wheel (its temp folder and the wheel's staging folder), and one unpacking it now.
        string[] dead = [Folder(unpacked, TempOwnerTests.DeadOwner()), Folder(WheelInstaller.StagingPrefix, TempOwnerTests.ReusedOwner())];
        string[] live = [Folder(unpacked, TempOwner.Current), Folder(WheelInstaller.StagingPrefix, TempOwner.Current)];

        var root = UnpackedWheels.Ensure(indexPath, wheel, index);

        Assert.Equal(Path.Combine(shard, unpacked), root);
        Assert.All(dead, d => Assert.False(Directory.Exists(d), d));
        Assert.All(live, d => Assert.True(Directory.Exists(d), d));
        string Folder(string prefix, string owner)
        {
            var path = Path.Combine(shard, TempOwnerTests.Name(prefix, owner));
            Directory.CreateDirectory(Path.Combine(path, "mixed"));
            File.WriteAllText(Path.Combine(path, "mixed", "half.py"), "trunc");
            return path;
        }
    }
}
