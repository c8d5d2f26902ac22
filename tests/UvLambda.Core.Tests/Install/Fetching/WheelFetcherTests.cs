using UvLambda.Core.FileSystem;
using System.Text;
using UvLambda.Core.Diagnostics;
using UvLambda.Core.Install.Fetching;
using static UvLambda.Core.Tests.Install.Fetching.FetchTestBed;

namespace UvLambda.Core.Tests.Install.Fetching;

public sealed class WheelFetcherTests : IDisposable
{
    private readonly FetchTestBed _bed = new();

    public void Dispose() => _bed.Dispose();

    private static Func<TestHttpRequest, TestHttpResponse> Files(Dictionary<string, byte[]> files) =>
        r => files.TryGetValue(r.Path, out var body) ? new TestHttpResponse(200, body) : TestHttpResponse.WithStatus(404);

    [Fact]
    public async Task A_long_download_reports_packages_done_of_the_total_and_bytes_as_it_goes()
    {
        var wheels = Enumerable.Range(0, 3).Select(i => RandomWheel(2000 + i)).ToList();
        using var server = new TestHttpServer(r =>
        {
            Thread.Sleep(150); // a slow network
            var i = int.Parse(r.Path[^5..^4], System.Globalization.CultureInfo.InvariantCulture);
            return new TestHttpResponse(200, wheels[i]);
        });
        var requests = wheels.Select((w, i) => Request($"pkg{i}", w, server.BaseUrl + $"files/pkg{i}-1.0-py3-none-any/{i}.whl")).ToList();
        await _bed.FetchAsync(requests, _bed.Options(parallel: 1) with { ProgressInterval = TimeSpan.FromMilliseconds(40) });

        var progress = _bed.Log.Lines.Where(l => l.StartsWith("info: Downloading: ", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(progress);
        Assert.All(progress, l => Assert.Matches(@"^info: Downloading: [0-2] of 3 packages, [\d.]+ (B|KiB) of 5\.9 KiB$", l));
        Assert.Contains(_bed.Log.Lines, l => l.StartsWith("info: Downloaded 3 packages (5.9 KiB) in ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Downloads_from_the_lock_url_verifies_caches_and_the_second_fetch_makes_no_requests()
    {
        var wheel = RandomWheel(3000);
        using var server = new TestHttpServer(Files(new() { ["/files/demo_pkg-1.0-py3-none-any.whl"] = wheel }));
        var request = Request("demo-pkg", wheel, server.BaseUrl + "files/demo_pkg-1.0-py3-none-any.whl");

        var first = await _bed.FetchAsync([request]);

        Assert.Equal(wheel, File.ReadAllBytes(first[0].CachedPath));
        Assert.Same(request, first[0].Request);
        Assert.Equal(1, server.RequestCount);
        Assert.Contains("info: Downloading demo-pkg 1.0 (2.9 KiB)", _bed.Log.Lines);
        Assert.Contains(_bed.Log.Lines, l => l.StartsWith("info: Downloaded 1 package (2.9 KiB) in ", StringComparison.Ordinal) && l.EndsWith(" s", StringComparison.Ordinal));
        Assert.Empty(_bed.TempFiles());

        var log = new RecordingLog();
        using var again = new WheelFetcher(_bed.Options(), log, environment: _bed.Environment);
        var second = await again.FetchAsync([request], CancellationToken.None);

        Assert.Equal(first[0].CachedPath, second[0].CachedPath);
        Assert.Equal(1, server.RequestCount);
        Assert.DoesNotContain(log.Lines, l => l.StartsWith("info: Download", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_hash_mismatch_is_an_error_naming_package_file_and_both_hashes_and_nothing_is_cached()
    {
        var wheel = RandomWheel();
        var served = RandomWheel();
        using var server = new TestHttpServer(_ => new TestHttpResponse(200, served));
        var request = Request("demo", wheel, server.BaseUrl + "demo-1.0-py3-none-any.whl") with { LockFile = "/w/uv.lock", LockLine = 42 };

        var e = await _bed.FetchFailsAsync([request]);

        Assert.Equal(ErrorCodes.HashMismatch, e.Code);
        Assert.Equal(("/w/uv.lock", 42), (e.File, e.Line)); // the package's entry in the lock
        Assert.Contains("demo 1.0", e.Message);
        Assert.Contains(request.FileName, e.Message);
        Assert.Contains(Sha256(wheel), e.Message);
        Assert.Contains(Sha256(served), e.Message);
        Assert.Empty(_bed.CachedFiles());
        Assert.Empty(_bed.TempFiles());
        Assert.Equal(1, server.RequestCount);
    }

    [Fact]
    public async Task A_size_mismatch_is_an_error_and_nothing_is_cached()
    {
        var wheel = RandomWheel();
        using var server = new TestHttpServer(_ => new TestHttpResponse(200, wheel));
        var request = Request("demo", wheel, server.BaseUrl + "demo.whl") with { Size = wheel.Length + 10 };

        var e = await _bed.FetchFailsAsync([request]);

        Assert.Equal(ErrorCodes.SizeMismatch, e.Code);
        Assert.Contains($"{wheel.Length} bytes", e.Message);
        Assert.Contains($"{wheel.Length + 10} bytes", e.Message);
        Assert.Empty(_bed.CachedFiles());
    }

    [Fact]
    public async Task A_body_longer_than_the_locked_size_is_a_size_mismatch_even_without_content_length_agreeing()
    {
        var wheel = RandomWheel();
        using var server = new TestHttpServer(_ => new TestHttpResponse(200, wheel));
        // Content-Length equals the lock's size claim only if the claim is right; here the lock says less.
        var request = Request("demo", wheel, server.BaseUrl + "demo.whl") with { Size = wheel.Length - 1 };

        var e = await _bed.FetchFailsAsync([request]);

        Assert.Equal(ErrorCodes.SizeMismatch, e.Code);
    }

    [Fact]
    public async Task A_truncated_download_is_retried_and_then_succeeds()
    {
        var wheel = RandomWheel(200_000);
        var calls = 0;
        using var server = new TestHttpServer(_ => Interlocked.Increment(ref calls) == 1
            ? new TestHttpResponse(200, wheel) { SendBytes = wheel.Length / 2 }
            : new TestHttpResponse(200, wheel));
        var request = Request("demo", wheel, server.BaseUrl + "demo.whl");

        var fetched = await _bed.FetchAsync([request]);

        Assert.Equal(wheel, File.ReadAllBytes(fetched[0].CachedPath));
        Assert.Equal(2, server.RequestCount);
        Assert.Contains(_bed.Log.Lines, l => l.StartsWith("detail: Retrying", StringComparison.Ordinal));
        Assert.Single(_bed.Log.Lines, l => l.StartsWith("info: Downloading demo", StringComparison.Ordinal));
        Assert.Empty(_bed.TempFiles());
    }

    [Fact]
    public async Task A_download_that_is_always_truncated_fails_after_three_attempts()
    {
        var wheel = RandomWheel(100_000);
        using var server = new TestHttpServer(_ => new TestHttpResponse(200, wheel) { SendBytes = 1000 });
        var request = Request("demo", wheel, server.BaseUrl + "demo.whl");

        var e = await _bed.FetchFailsAsync([request]);

        Assert.Equal(ErrorCodes.DownloadFailed, e.Code);
        Assert.Equal(3, server.RequestCount);
        Assert.Empty(_bed.CachedFiles());
        Assert.Empty(_bed.TempFiles());
    }

    [Fact]
    public async Task A_server_error_is_retried_and_then_succeeds()
    {
        var wheel = RandomWheel();
        var calls = 0;
        using var server = new TestHttpServer(_ => Interlocked.Increment(ref calls) == 1 ? TestHttpResponse.WithStatus(500) : new TestHttpResponse(200, wheel));

        var fetched = await _bed.FetchAsync([Request("demo", wheel, server.BaseUrl + "demo.whl")]);

        Assert.Equal(wheel, File.ReadAllBytes(fetched[0].CachedPath));
        Assert.Equal(2, server.RequestCount);
    }

    [Theory]
    [InlineData(503)]
    [InlineData(429)]
    public async Task Persistent_transient_statuses_fail_after_three_attempts_naming_the_url(int status)
    {
        var wheel = RandomWheel();
        using var server = new TestHttpServer(_ => TestHttpResponse.WithStatus(status));

        var e = await _bed.FetchFailsAsync([Request("demo", wheel, server.BaseUrl + "demo.whl")]);

        Assert.Equal(ErrorCodes.DownloadFailed, e.Code);
        Assert.Contains(server.BaseUrl + "demo.whl", e.Message);
        Assert.Contains($"HTTP {status}", e.Message);
        Assert.Equal(3, server.RequestCount);
    }

    [Fact]
    public async Task Not_found_is_an_immediate_error_naming_the_url_without_credentials()
    {
        var wheel = RandomWheel();
        using var server = new TestHttpServer(_ => TestHttpResponse.WithStatus(404));
        var url = server.BaseUrl.Replace("http://", "http://alice:s3cret@") + "demo.whl";

        var e = await _bed.FetchFailsAsync([Request("demo", wheel, url)]);

        Assert.Equal(ErrorCodes.DownloadNotFound, e.Code);
        Assert.Contains(server.BaseUrl + "demo.whl", e.Message);
        Assert.DoesNotContain("s3cret", e.Message);
        Assert.DoesNotContain("s3cret", _bed.Log.All);
        Assert.Equal(1, server.RequestCount);
    }

    [Theory]
    [InlineData(401)]
    [InlineData(403)]
    public async Task Unauthorized_is_an_immediate_error(int status)
    {
        var wheel = RandomWheel();
        using var server = new TestHttpServer(_ => TestHttpResponse.WithStatus(status));

        var e = await _bed.FetchFailsAsync([Request("demo", wheel, server.BaseUrl + "demo.whl")]);

        Assert.Equal(ErrorCodes.DownloadUnauthorized, e.Code);
        Assert.Contains("UV_INDEX_", e.Message);
        Assert.Equal(1, server.RequestCount);
    }

    [Fact]
    public async Task Offline_with_everything_in_find_links_makes_no_requests()
    {
        var a = RandomWheel();
        var b = RandomWheel();
        using var server = new TestHttpServer(_ => TestHttpResponse.WithStatus(500));
        var requests = new[] { Request("alpha", a, server.BaseUrl + "a.whl"), Request("beta", b, server.BaseUrl + "b.whl") };
        File.WriteAllBytes(Path.Combine(_bed.FindLinks, requests[0].FileName), a);
        File.WriteAllBytes(Path.Combine(_bed.FindLinks, requests[1].FileName), b);

        var fetched = await _bed.FetchAsync(requests, _bed.Options(offline: true, findLinks: [_bed.FindLinks]));

        Assert.Equal(a, File.ReadAllBytes(fetched[0].CachedPath));
        Assert.Equal(b, File.ReadAllBytes(fetched[1].CachedPath));
        Assert.Equal(0, server.RequestCount);
        Assert.DoesNotContain(_bed.Log.Lines, l => l.StartsWith("info: Download", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Offline_misses_are_one_error_listing_every_missing_file()
    {
        var present = RandomWheel();
        var missing1 = RandomWheel();
        var missing2 = RandomWheel();
        using var server = new TestHttpServer(_ => TestHttpResponse.WithStatus(500));
        var requests = new[]
        {
            Request("present", present, server.BaseUrl + "p.whl"),
            Request("missing-one", missing1, server.BaseUrl + "m1.whl", version: "2.0"),
            Request("missing-two", missing2, server.BaseUrl + "m2.whl", version: "3.1"),
        };
        File.WriteAllBytes(Path.Combine(_bed.FindLinks, requests[0].FileName), present);
        _bed.Environment["UV_OFFLINE"] = "1";
        _bed.Environment["UV_FIND_LINKS"] = _bed.FindLinks;

        var e = await _bed.FetchFailsAsync(requests);

        Assert.Equal(ErrorCodes.OfflineMissingWheels, e.Code);
        Assert.Contains("missing-one 2.0 (missing_one-2.0-py3-none-any.whl)", e.Message);
        Assert.Contains("missing-two 3.1 (missing_two-3.1-py3-none-any.whl)", e.Message);
        Assert.DoesNotContain("present", e.Message);
        Assert.Contains("PythonFindLinks", e.Message);
        Assert.Contains($"nor in a find-links folder ({Path.GetFullPath(_bed.FindLinks)})", e.Message); // the folders searched, so a wrong path shows
        Assert.Equal(0, server.RequestCount);
    }

    [Fact]
    public async Task Find_links_are_preferred_over_the_network_and_a_same_named_file_with_another_hash_is_ignored()
    {
        var good = RandomWheel();
        var other = RandomWheel();
        using var server = new TestHttpServer(Files(new() { ["/other.whl"] = other }));
        var requests = new[] { Request("good", good, server.BaseUrl + "good.whl"), Request("other", other, server.BaseUrl + "other.whl") };
        File.WriteAllBytes(Path.Combine(_bed.FindLinks, requests[0].FileName), good);
        File.WriteAllBytes(Path.Combine(_bed.FindLinks, requests[1].FileName), RandomWheel()); // stale copy

        var fetched = await _bed.FetchAsync(requests, _bed.Options(findLinks: [_bed.FindLinks]));

        Assert.Equal(good, File.ReadAllBytes(fetched[0].CachedPath));
        Assert.Equal(other, File.ReadAllBytes(fetched[1].CachedPath));
        Assert.Equal(["/other.whl"], server.Requests.Select(r => r.Path));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_find_links_file_with_another_hash_is_reported_as_UVL2101_when_the_locked_file_cannot_be_had(bool offline)
    {
        var locked = RandomWheel();
        var stale = RandomWheel();
        using var server = new TestHttpServer(_ => new TestHttpResponse(404, []));
        var request = Request("demo", locked, server.BaseUrl + "demo-1.0-py3-none-any.whl") with { LockFile = "/w/uv.lock", LockLine = 42 };
        File.WriteAllBytes(Path.Combine(_bed.FindLinks, request.FileName), stale);

        var e = await _bed.FetchFailsAsync([request], _bed.Options(offline: offline, findLinks: [_bed.FindLinks]));

        Assert.Equal(ErrorCodes.HashMismatch, e.Code);
        Assert.Equal(("/w/uv.lock", 42), (e.File, e.Line));
        Assert.Contains("demo 1.0", e.Message);
        Assert.Contains(Path.Combine(_bed.FindLinks, request.FileName), e.Message);
        Assert.Contains(Sha256(locked), e.Message);
        Assert.Contains(Sha256(stale), e.Message);
        Assert.Empty(_bed.CachedFiles());
        Assert.Empty(_bed.TempFiles());
        Assert.Equal(offline ? 0 : 1, server.RequestCount);
    }

    [Fact]
    public async Task A_missing_find_links_folder_is_a_warning_not_an_error()
    {
        var wheel = RandomWheel();
        using var server = new TestHttpServer(_ => new TestHttpResponse(200, wheel));

        await _bed.FetchAsync([Request("demo", wheel, server.BaseUrl + "demo.whl")], _bed.Options(findLinks: [Path.Combine(_bed.FindLinks, "nope")]));

        Assert.Contains(_bed.Log.Lines, l => l.StartsWith($"warning {ErrorCodes.FindLinksMissing}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task UV_INDEX_URL_overrides_the_lock_url_through_the_json_simple_api()
    {
        var wheel = RandomWheel();
        var request = Request("Demo.Pkg", wheel, "http://127.0.0.1:9/never/demo.whl");
        var json = $$$"""
            {"meta": {"api-version": "1.1"}, "name": "demo-pkg", "files": [
              {"filename": "demo_pkg-0.9-py3-none-any.whl", "url": "../../files/old.whl", "hashes": {}},
              {"filename": "{{{request.FileName}}}", "url": "../../files/demo.whl#sha256={{{Sha256(wheel)}}}", "hashes": {"sha256": "{{{Sha256(wheel)}}}"}}
            ]}
            """;
        using var server = new TestHttpServer(r => r.Path switch
        {
            "/simple/demo-pkg/" => TestHttpResponse.Text(json, "application/vnd.pypi.simple.v1+json"),
            "/files/demo.whl" => new TestHttpResponse(200, wheel),
            _ => TestHttpResponse.WithStatus(404),
        });
        _bed.Environment["UV_INDEX_URL"] = server.BaseUrl + "simple";

        var fetched = await _bed.FetchAsync([request]);

        Assert.Equal(wheel, File.ReadAllBytes(fetched[0].CachedPath));
        Assert.Equal(["/simple/demo-pkg/", "/files/demo.whl"], server.Requests.Select(r => r.Path));
        Assert.StartsWith("application/vnd.pypi.simple.v1+json", server.Requests[0].Header("Accept"));
    }

    [Fact]
    public async Task UV_DEFAULT_INDEX_overrides_the_lock_url_through_the_html_simple_api()
    {
        var wheel = RandomWheel();
        var request = Request("demo", wheel, "http://127.0.0.1:9/never/demo.whl");
        var html = $"""
            <!DOCTYPE html><html><body>
            <a href="/packages/demo-0.9.whl">demo-0.9-py3-none-any.whl</a><br/>
            <a data-requires-python="&gt;=3.8" href="../../packages/ab/demo.whl#sha256={Sha256(wheel)}">{request.FileName}</a>
            </body></html>
            """;
        using var server = new TestHttpServer(r => r.Path switch
        {
            // An index that ignores Accept and always answers HTML.
            "/simple/demo/" => TestHttpResponse.Text(html),
            "/packages/ab/demo.whl" => new TestHttpResponse(200, wheel),
            _ => TestHttpResponse.WithStatus(404),
        });
        _bed.Environment["UV_DEFAULT_INDEX"] = server.BaseUrl + "simple/";

        var fetched = await _bed.FetchAsync([request]);

        Assert.Equal(wheel, File.ReadAllBytes(fetched[0].CachedPath));
        Assert.Equal(["/simple/demo/", "/packages/ab/demo.whl"], server.Requests.Select(r => r.Path));
    }

    [Fact]
    public async Task A_default_project_index_equal_to_the_locked_registry_uses_the_lock_url()
    {
        var wheel = RandomWheel();
        using var server = new TestHttpServer(Files(new() { ["/files/demo.whl"] = wheel }));
        var request = Request("demo", wheel, server.BaseUrl + "files/demo.whl", registry: server.BaseUrl + "simple");

        await _bed.FetchAsync([request], _bed.Options(indexes: [new PackageIndex("mine", server.BaseUrl + "simple/", IsDefault: true)]));

        Assert.Equal(["/files/demo.whl"], server.Requests.Select(r => r.Path));
    }

    [Fact]
    public async Task An_index_missing_the_file_is_a_coded_error()
    {
        var wheel = RandomWheel();
        using var server = new TestHttpServer(_ => TestHttpResponse.Text("""{"meta": {"api-version": "1.0"}, "name": "demo", "files": []}""", "application/vnd.pypi.simple.v1+json"));
        _bed.Environment["UV_INDEX_URL"] = server.BaseUrl + "simple";

        var e = await _bed.FetchFailsAsync([Request("demo", wheel, "http://127.0.0.1:9/demo.whl")]);

        Assert.Equal(ErrorCodes.NotOnIndex, e.Code);
        Assert.Contains(server.BaseUrl + "simple/", e.Message);
    }

    [Fact]
    public async Task An_index_page_that_is_not_the_simple_API_is_UVL2111_naming_the_page()
    {
        var wheel = RandomWheel();
        // Says it is PEP 691 JSON, but has no "files": e.g. an index URL pointing at some other JSON API.
        using var server = new TestHttpServer(_ => TestHttpResponse.Text("""{"meta": {"api-version": "1.0"}, "name": "demo"}""", "application/vnd.pypi.simple.v1+json"));
        _bed.Environment["UV_INDEX_URL"] = server.BaseUrl + "simple";

        var e = await _bed.FetchFailsAsync([Request("demo", wheel, "http://127.0.0.1:9/demo.whl")]);

        Assert.Equal(ErrorCodes.InvalidIndexPage, e.Code);
        Assert.Contains(server.BaseUrl + "simple/demo/", e.Message);
        Assert.Contains("\"files\"", e.Message);
    }

    [Fact]
    public async Task Named_index_credentials_from_the_environment_go_only_to_that_host_and_never_into_the_log()
    {
        var privateWheel = RandomWheel();
        var publicWheel = RandomWheel();
        var redirectedWheel = RandomWheel();
        const string Expected = "Basic Ym90OnRvcC1zZWNyZXQ="; // bot:top-secret
        using var other = new TestHttpServer(Files(new() { ["/public.whl"] = publicWheel, ["/moved.whl"] = redirectedWheel }));
        using var corp = new TestHttpServer(r =>
        {
            if (r.Header("Authorization") != Expected)
                return TestHttpResponse.WithStatus(401);
            return r.Path switch
            {
                "/files/private.whl" => new TestHttpResponse(200, privateWheel),
                "/files/redirect.whl" => new TestHttpResponse(302, []) { Headers = new Dictionary<string, string> { ["Location"] = other.BaseUrl + "moved.whl" } },
                _ => TestHttpResponse.WithStatus(404),
            };
        });
        _bed.Environment["UV_INDEX_CORP_PYPI_USERNAME"] = "bot";
        _bed.Environment["UV_INDEX_CORP_PYPI_PASSWORD"] = "top-secret";
        var indexes = new[] { new PackageIndex("corp.pypi", corp.BaseUrl + "simple", IsDefault: false) };
        var requests = new[]
        {
            Request("private", privateWheel, corp.BaseUrl + "files/private.whl", registry: corp.BaseUrl + "simple"),
            Request("public", publicWheel, other.BaseUrl + "public.whl"),
            Request("redirected", redirectedWheel, corp.BaseUrl + "files/redirect.whl", registry: corp.BaseUrl + "simple"),
        };

        var fetched = await _bed.FetchAsync(requests, _bed.Options(indexes: indexes, parallel: 1));

        Assert.Equal(privateWheel, File.ReadAllBytes(fetched[0].CachedPath));
        Assert.Equal(redirectedWheel, File.ReadAllBytes(fetched[2].CachedPath));
        Assert.All(corp.Requests, r => Assert.Equal(Expected, r.Header("Authorization")));
        Assert.Equal(2, other.RequestCount);
        Assert.All(other.Requests, r => Assert.Null(r.Header("Authorization")));
        Assert.DoesNotContain("top-secret", _bed.Log.All);
    }

    [Fact]
    public async Task Credentials_in_an_index_url_are_sent_but_never_shown()
    {
        var wheel = RandomWheel();
        using var server = new TestHttpServer(r => r.Header("Authorization") == "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("user:p@ss"))
            ? TestHttpResponse.WithStatus(403)
            : TestHttpResponse.WithStatus(500));
        _bed.Environment["UV_INDEX_URL"] = server.BaseUrl.Replace("http://", "http://user:p%40ss@") + "simple";

        var e = await _bed.FetchFailsAsync([Request("demo", wheel, "http://127.0.0.1:9/demo.whl")]);

        Assert.Equal(ErrorCodes.DownloadUnauthorized, e.Code);
        Assert.Contains(server.BaseUrl + "simple/demo/", e.Message);
        Assert.DoesNotContain("p%40ss", e.Message);
        Assert.DoesNotContain("p@ss", e.Message);
        Assert.DoesNotContain("p%40ss", _bed.Log.All);
    }

    [Fact]
    public async Task UV_INDEX_pointing_a_named_index_elsewhere_looks_the_file_up_there()
    {
        var wheel = RandomWheel();
        using var mirror = new TestHttpServer(r => r.Path switch
        {
            "/mirror/demo/" => TestHttpResponse.Text($"<a href=\"/dl/demo.whl\">demo-1.0-py3-none-any.whl</a>"),
            "/dl/demo.whl" => new TestHttpResponse(200, wheel),
            _ => TestHttpResponse.WithStatus(404),
        });
        var indexes = new[] { new PackageIndex("corp", "https://corp.example/simple", IsDefault: false) };
        _bed.Environment["UV_INDEX"] = "corp=" + mirror.BaseUrl + "mirror";

        var fetched = await _bed.FetchAsync([Request("demo", wheel, "https://corp.example/files/demo.whl", registry: "https://corp.example/simple/")], _bed.Options(indexes: indexes));

        Assert.Equal(wheel, File.ReadAllBytes(fetched[0].CachedPath));
        Assert.Equal(2, mirror.RequestCount);
    }

    [Fact]
    public async Task Find_links_pages_over_http_are_searched_before_the_lock_url()
    {
        var wheel = RandomWheel();
        using var server = new TestHttpServer(r => r.Path switch
        {
            "/links/" => TestHttpResponse.Text("<a href=\"wheels/demo-1.0-py3-none-any.whl\">demo-1.0-py3-none-any.whl</a>"),
            "/links/wheels/demo-1.0-py3-none-any.whl" => new TestHttpResponse(200, wheel),
            _ => TestHttpResponse.WithStatus(404),
        });
        _bed.Environment["UV_FIND_LINKS"] = server.BaseUrl + "links/";

        var fetched = await _bed.FetchAsync([Request("demo", wheel, server.BaseUrl + "lock/demo.whl")]);

        Assert.Equal(wheel, File.ReadAllBytes(fetched[0].CachedPath));
        Assert.Equal(0, server.CountFor("/lock/demo.whl"));
    }

    [Fact]
    public async Task Two_fetchers_sharing_a_cache_fetch_the_same_file_at_once_and_one_valid_entry_remains()
    {
        var wheel = RandomWheel(300_000);
        using var server = new TestHttpServer(_ => new TestHttpResponse(200, wheel));
        var request = Request("demo", wheel, server.BaseUrl + "demo.whl");

        // Separate fetchers and caches on one root, as two builds would have; a barrier starts them together.
        using var barrier = new Barrier(2);
        var tasks = Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
        {
            using var fetcher = new WheelFetcher(_bed.Options(), new RecordingLog(), environment: _bed.Environment);
            barrier.SignalAndWait(TimeSpan.FromSeconds(30));
            return await fetcher.FetchAsync([request], CancellationToken.None);
        })).ToArray();
        var results = await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromMinutes(1));

        Assert.All(results, r => Assert.Equal(wheel, File.ReadAllBytes(r[0].CachedPath)));
        Assert.Single(_bed.CachedFiles());
        Assert.Empty(_bed.TempFiles());
        Assert.NotNull(new ContentCache(_bed.CacheRoot).TryGet(request.Sha256));
    }

    [Fact]
    public async Task A_stale_temp_file_is_harmless_and_swept_while_a_live_builds_one_is_left_alone()
    {
        var wheel = RandomWheel();
        using var server = new TestHttpServer(_ => new TestHttpResponse(200, wheel));
        var tempDir = new ContentCache(_bed.CacheRoot).TempDirectory;
        Directory.CreateDirectory(tempDir);
        var stale = Path.Combine(tempDir, "999-0000-demo-1.0-py3-none-any.whl.part");
        File.WriteAllBytes(stale, wheel[..100]);
        File.SetLastWriteTimeUtc(stale, DateTime.UtcNow.AddDays(-2));
        // Named for a live owner (this process), as a concurrent build's download would be.
        var fresh = TempOwner.TempFile(tempDir, "demo-1.0-py3-none-any.whl");
        File.WriteAllBytes(fresh, wheel[..100]);

        var fetched = await _bed.FetchAsync([Request("demo", wheel, server.BaseUrl + "demo.whl")]);

        Assert.Equal(wheel, File.ReadAllBytes(fetched[0].CachedPath));
        Assert.False(File.Exists(stale));
        Assert.True(File.Exists(fresh));
    }

    [Fact]
    public async Task Downloads_run_in_parallel_bounded_and_duplicates_are_fetched_once()
    {
        var wheels = Enumerable.Range(0, 6).Select(_ => RandomWheel(20_000)).ToArray();
        var inFlight = 0;
        var maxInFlight = 0;
        using var server = new TestHttpServer(r =>
        {
            var now = Interlocked.Increment(ref inFlight);
            InterlockedMax(ref maxInFlight, now);
            try
            {
                Thread.Sleep(20); // let requests overlap so the bound is exercised
                return new TestHttpResponse(200, wheels[int.Parse(r.Path.Trim('/').Split('.')[0])]);
            }
            finally { Interlocked.Decrement(ref inFlight); }
        });
        var requests = wheels.Select((w, i) => Request($"pkg{i}", w, $"{server.BaseUrl}{i}.whl")).ToList();
        requests.Add(requests[0] with { PackageName = "pkg0-again" });

        var fetched = await _bed.FetchAsync(requests, _bed.Options(parallel: 2));

        Assert.Equal(7, fetched.Count);
        for (var i = 0; i < wheels.Length; i++)
            Assert.Equal(wheels[i], File.ReadAllBytes(fetched[i].CachedPath));
        Assert.Equal(fetched[0].CachedPath, fetched[6].CachedPath);
        Assert.Equal(6, server.RequestCount);
        Assert.InRange(maxInFlight, 1, 2);
        Assert.Contains(_bed.Log.Lines, l => l.StartsWith("info: Downloaded 6 packages (117.2 KiB) in ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_lock_without_a_usable_hash_is_a_coded_error()
    {
        var e = await _bed.FetchFailsAsync([new WheelRequest("demo", "1.0", "demo-1.0-py3-none-any.whl", "http://127.0.0.1:9/x.whl", "", null, null)]);

        Assert.Equal(ErrorCodes.InvalidWheelHash, e.Code);
    }

    [Fact]
    public async Task A_missing_url_without_an_index_is_a_coded_error()
    {
        var e = await _bed.FetchFailsAsync([Request("demo", RandomWheel(), url: null)]);

        Assert.Equal(ErrorCodes.NoDownloadUrl, e.Code);
    }

    [Fact]
    public async Task A_file_url_is_copied_and_verified()
    {
        var wheel = RandomWheel();
        var source = Path.Combine(_bed.FindLinks, "elsewhere.whl");
        File.WriteAllBytes(source, wheel);

        var fetched = await _bed.FetchAsync([Request("demo", wheel, new Uri(source).AbsoluteUri)]);

        Assert.Equal(wheel, File.ReadAllBytes(fetched[0].CachedPath));
        Assert.True(File.Exists(source));
    }

    [Fact]
    public async Task Offline_a_local_wheel_file_is_read_from_its_path_and_verified_while_remote_misses_still_fail()
    {
        var wheel = RandomWheel();
        var local = Path.Combine(_bed.FindLinks, "..", "foo-1.0-py3-none-any.whl");
        File.WriteAllBytes(local, wheel);
        using var server = new TestHttpServer(_ => TestHttpResponse.WithStatus(500));
        // A path source (source = { path = "wheels/foo-1.0-py3-none-any.whl" }) becomes a file URL with no registry.
        var request = Request("foo", wheel, new Uri(Path.GetFullPath(local)).AbsoluteUri, registry: null);

        var fetched = await _bed.FetchAsync([request], _bed.Options(offline: true));
        Assert.Equal(wheel, File.ReadAllBytes(fetched[0].CachedPath));
        Assert.Equal(Sha256(wheel), Path.GetFileName(fetched[0].CachedPath));

        // Its hash is checked as for any download.
        File.WriteAllBytes(local, RandomWheel());
        var bad = Request("bar", wheel, new Uri(Path.GetFullPath(local)).AbsoluteUri, registry: null);
        Assert.Equal(ErrorCodes.HashMismatch, (await _bed.FetchFailsAsync([bad with { Sha256 = Sha256(RandomWheel()) }], _bed.Options(offline: true))).Code);

        // A remote file is still no download offline; only it is listed.
        var remote = RandomWheel();
        var e = await _bed.FetchFailsAsync([Request("remote", remote, server.BaseUrl + "r.whl"), request], _bed.Options(offline: true));
        Assert.Equal(ErrorCodes.OfflineMissingWheels, e.Code);
        Assert.Contains("remote 1.0", e.Message);
        Assert.DoesNotContain("foo", e.Message);
        Assert.Equal(0, server.RequestCount);
    }

    [Fact]
    public async Task A_real_wheel_is_served_verified_and_readable_as_a_zip()
    {
        var pip = Directory.Exists("/usr/share/python-wheels") ? Directory.GetFiles("/usr/share/python-wheels", "pip-*.whl").FirstOrDefault() : null;
        if (pip is null)
            return; // only Debian-family machines ship these; the other tests cover the logic
        var bytes = File.ReadAllBytes(pip);
        var fileName = Path.GetFileName(pip);
        using var server = new TestHttpServer(r => r.Path switch
        {
            "/simple/pip/" => TestHttpResponse.Text($"<a href=\"../../packages/{fileName}#sha256={Sha256(bytes)}\">{fileName}</a>"),
            var p when p == "/packages/" + fileName => new TestHttpResponse(200, bytes),
            _ => TestHttpResponse.WithStatus(404),
        });
        _bed.Environment["UV_INDEX_URL"] = server.BaseUrl + "simple";
        var version = fileName.Split('-')[1];
        var request = new WheelRequest("pip", version, fileName, "https://files.pythonhosted.org/packages/x/" + fileName, Sha256(bytes).ToUpperInvariant(), bytes.Length, "https://pypi.org/simple");

        var fetched = await _bed.FetchAsync([request]);

        using var zip = System.IO.Compression.ZipFile.OpenRead(fetched[0].CachedPath);
        Assert.Contains(zip.Entries, e => e.FullName == $"pip-{version}.dist-info/RECORD");
        Assert.Contains($"info: Downloading pip {version} ({ByteSize.Format(bytes.Length)})", _bed.Log.Lines);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
