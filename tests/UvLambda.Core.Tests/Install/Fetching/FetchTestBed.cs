using System.Collections.Concurrent;
using System.Security.Cryptography;
using UvLambda.Core.Diagnostics;
using UvLambda.Core.Install.Fetching;

namespace UvLambda.Core.Tests.Install.Fetching;

/// <summary>Everything a fetch test needs: a temp folder holding the cache and find-links, a recording log, fake wheels.</summary>
public sealed class FetchTestBed : IDisposable
{
    private readonly TempDirectory _temp = new();

    public FetchTestBed()
    {
        CacheRoot = _temp.Combine("cache");
        FindLinks = _temp.Combine("find-links");
        Directory.CreateDirectory(FindLinks);
    }

    public string CacheRoot { get; }
    public string FindLinks { get; }
    public RecordingLog Log { get; } = new();
    public Dictionary<string, string?> Environment { get; } = new();

    public FetchOptions Options(bool offline = false, IReadOnlyList<PackageIndex>? indexes = null, IReadOnlyList<string>? findLinks = null, int parallel = 4) =>
        new(CacheRoot, findLinks ?? [], offline, indexes ?? [], parallel) { RetryDelay = TimeSpan.FromMilliseconds(1), NetworkTimeout = TimeSpan.FromSeconds(20) };

    public WheelFetcher Fetcher(FetchOptions? options = null) => new(options ?? Options(), Log, environment: Environment);

    /// <summary>Fetches with a generous safety timeout so a bug cannot hang the test run.</summary>
    public async Task<IReadOnlyList<FetchedWheel>> FetchAsync(IReadOnlyList<WheelRequest> requests, FetchOptions? options = null)
    {
        using var fetcher = Fetcher(options);
        using var safety = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        return await fetcher.FetchAsync(requests, safety.Token);
    }

    public async Task<UvLambdaException> FetchFailsAsync(IReadOnlyList<WheelRequest> requests, FetchOptions? options = null) =>
        await Assert.ThrowsAsync<UvLambdaException>(() => FetchAsync(requests, options));

    /// <summary>Files in the cache's entry folders (not temp files).</summary>
    public string[] CachedFiles()
    {
        var dir = Path.Combine(CacheRoot, "wheels", "sha256");
        return Directory.Exists(dir) ? Directory.GetFiles(dir, "*", SearchOption.AllDirectories) : [];
    }

    public string[] TempFiles()
    {
        var dir = new ContentCache(CacheRoot).TempDirectory;
        return Directory.Exists(dir) ? Directory.GetFiles(dir) : [];
    }

    public void Dispose() => _temp.Dispose();

    public static byte[] RandomWheel(int size = 5000)
    {
        var bytes = new byte[size];
        Random.Shared.NextBytes(bytes);
        return bytes;
    }

    public static string Sha256(byte[] bytes) => Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant();

    public static WheelRequest Request(string name, byte[] content, string? url, string? registry = "https://pypi.org/simple", string version = "1.0") =>
        new(name, version, $"{name.Replace('-', '_')}-{version}-py3-none-any.whl", url, Sha256(content), content.Length, registry);
}

public sealed class RecordingLog : IBuildLog
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyList<string> Lines => _lines.ToArray();
    public string All => string.Join("\n", _lines);

    public void Info(string message) => _lines.Enqueue("info: " + message);
    public void Detail(string message) => _lines.Enqueue("detail: " + message);
    public void Warning(string code, string message, string? file = null, int line = 0, int column = 0) => _lines.Enqueue($"warning {code}: {message}");
}
