using UvLambda.Core.Install.Fetching;
using static UvLambda.Core.Tests.Install.Fetching.FetchTestBed;

namespace UvLambda.Core.Tests.Install.Fetching;

public sealed class ContentCacheTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Add_moves_a_verified_file_to_its_hash_path_and_TryGet_finds_it()
    {
        var cache = new ContentCache(_temp.Combine("cache"));
        var bytes = RandomWheel();
        var hash = Sha256(bytes);
        var source = _temp.Combine("demo.whl");
        File.WriteAllBytes(source, bytes);

        Assert.Null(cache.TryGet(hash));
        var path = cache.Add(source, hash.ToUpperInvariant());

        Assert.Equal(Path.Combine(cache.Root, "wheels", "sha256", hash[..2], hash), path);
        Assert.Equal(path, cache.TryGet(hash));
        Assert.Equal(bytes, File.ReadAllBytes(path));
    }

    [Fact]
    public void Add_refuses_a_file_whose_hash_differs()
    {
        var cache = new ContentCache(_temp.Combine("cache"));
        var source = _temp.Combine("demo.whl");
        File.WriteAllBytes(source, RandomWheel());

        Assert.Throws<InvalidDataException>(() => cache.Add(source, Sha256(RandomWheel())));
        Assert.False(Directory.Exists(Path.Combine(cache.Root, "wheels", "sha256")) && Directory.EnumerateFiles(Path.Combine(cache.Root, "wheels", "sha256"), "*", SearchOption.AllDirectories).Any());
    }

    [Fact]
    public void Adding_the_same_hash_twice_keeps_one_entry()
    {
        var cache = new ContentCache(_temp.Combine("cache"));
        var bytes = RandomWheel();
        var hash = Sha256(bytes);
        for (var i = 0; i < 2; i++)
        {
            var temp = cache.NewTempPath("demo.whl");
            File.WriteAllBytes(temp, bytes);
            cache.Add(temp, hash);
            Assert.False(File.Exists(temp));
        }

        Assert.Single(Directory.GetFiles(Path.Combine(cache.Root, "wheels", "sha256"), "*", SearchOption.AllDirectories));
    }

    [Fact]
    public void A_corrupted_entry_is_a_miss_and_is_removed()
    {
        var cache = new ContentCache(_temp.Combine("cache"));
        var bytes = RandomWheel();
        var hash = Sha256(bytes);
        var path = cache.PathFor(hash);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes[..10]);

        Assert.Null(cache.TryGet(hash));
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void Temp_paths_are_unique_and_inside_the_cache()
    {
        var cache = new ContentCache(_temp.Combine("cache"));
        var a = cache.NewTempPath("demo.whl");
        var b = cache.NewTempPath("demo.whl");

        Assert.NotEqual(a, b);
        Assert.Equal(cache.TempDirectory, Path.GetDirectoryName(a));
        Assert.Contains(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), Path.GetFileName(a));
    }

    [Fact]
    public void DefaultRoot_follows_the_platform_conventions()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Equal(Path.Combine(@"C:\Local", "uvlambda"), ContentCache.DefaultRoot(new Dictionary<string, string?> { ["LOCALAPPDATA"] = @"C:\Local" }));
            return;
        }
        Assert.Equal("/xdg/uvlambda", ContentCache.DefaultRoot(new Dictionary<string, string?> { ["XDG_CACHE_HOME"] = "/xdg", ["HOME"] = "/home/u" }));
        Assert.Equal("/home/u/.cache/uvlambda", ContentCache.DefaultRoot(new Dictionary<string, string?> { ["XDG_CACHE_HOME"] = "relative", ["HOME"] = "/home/u" }));
        Assert.Equal("/home/u/.cache/uvlambda", ContentCache.DefaultRoot(new Dictionary<string, string?> { ["HOME"] = "/home/u" }));
    }
}
