using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using UvLambda.Core.Resilience;

namespace UvLambda.Core.Tests.Resilience;

/// <summary>
/// The retry policy and the waiter, once for every client: a fake clock whose waits advance it instantly and a fixed
/// random source, so no test sleeps.
/// </summary>
public class RetryPolicyTests
{
    /// <summary>A clock that only moves when the policy waits.</summary>
    private sealed class FakeClock : TimeProvider
    {
        public DateTimeOffset Now = new(2026, 11, 30, 6, 0, 0, TimeSpan.Zero);
        public readonly List<TimeSpan> Waits = [];
        public override DateTimeOffset GetUtcNow() => Now;

        public Task Sleep(TimeSpan delay, CancellationToken ct)
        {
            ct.ThrowIfCancellationRequested();
            Waits.Add(delay);
            Now += delay;
            return Task.CompletedTask;
        }
    }

    private readonly FakeClock _clock = new();

    private RetryPolicy Policy(int attempts = 4, double random = 0.5) => new()
    {
        MaxAttempts = attempts, BaseDelay = TimeSpan.FromSeconds(1), MaxDelay = TimeSpan.FromSeconds(8), MaxRetryAfter = TimeSpan.FromSeconds(30),
        Random = () => random, Sleep = _clock.Sleep, Time = _clock,
    };

    private static RetryDecision Classify(Exception e) => e switch
    {
        HttpStatusException s => Transient.OfStatus(s.Status, s.RetryAfter),
        _ => Transient.IsTransientException(e, CancellationToken.None) ? RetryDecision.Unknown() : RetryDecision.Permanent,
    };

    private sealed class HttpStatusException(int status, TimeSpan? retryAfter = null) : Exception($"HTTP {status}")
    {
        public int Status { get; } = status;
        public TimeSpan? RetryAfter { get; } = retryAfter;
    }

    /// <summary>An operation that fails with the given failures in turn, then answers "ok".</summary>
    private static Func<int, CancellationToken, Task<string>> Failing(List<int> calls, params Exception[] failures) => (n, _) =>
    {
        calls.Add(n);
        return n <= failures.Length ? Task.FromException<string>(failures[n - 1]) : Task.FromResult("ok");
    };

    [Theory]
    [InlineData(408, true)]
    [InlineData(429, true)]
    [InlineData(500, true)]
    [InlineData(502, true)]
    [InlineData(503, true)]
    [InlineData(504, true)]
    [InlineData(599, true)]
    [InlineData(501, false)]
    [InlineData(400, false)]
    [InlineData(401, false)]
    [InlineData(403, false)]
    [InlineData(404, false)]
    [InlineData(409, false)]
    [InlineData(200, false)]
    public void Transient_statuses_are_408_429_and_5xx_except_501(int status, bool transient) =>
        Assert.Equal(transient, Transient.IsTransientStatus(status));

    [Fact]
    public void Refusals_did_nothing_and_5xx_may_have_taken_effect()
    {
        Assert.Equal(Transience.Refused, Transient.OfStatus(429).Kind);
        Assert.Equal(Transience.Refused, Transient.OfStatus(408).Kind);
        Assert.Equal(Transience.Unknown, Transient.OfStatus(503).Kind);
        Assert.Equal(Transience.Permanent, Transient.OfStatus(404).Kind);
    }

    [Fact]
    public void Resets_and_timeouts_are_transient_but_the_callers_cancellation_is_not()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.True(Transient.IsTransientException(new HttpRequestException("reset"), CancellationToken.None));
        Assert.True(Transient.IsTransientException(new IOException("connection reset by peer"), CancellationToken.None));
        Assert.True(Transient.IsTransientException(new TaskCanceledException("timeout"), CancellationToken.None));
        Assert.False(Transient.IsTransientException(new TaskCanceledException("cancelled"), cancelled.Token));
        Assert.False(Transient.IsTransientException(new InvalidOperationException(), CancellationToken.None));
    }

    [Theory]
    [InlineData("ThrottlingException", true)]
    [InlineData("TooManyRequestsException", true)]
    [InlineData("RequestLimitExceeded", true)]
    [InlineData("SlowDown", true)]
    [InlineData("ResourceConflictException", true)]
    [InlineData("ServiceUnavailableException", true)]
    [InlineData("AccessDeniedException", false)]
    [InlineData("InvalidParameterValueException", false)]
    [InlineData("ResourceNotFoundException", false)]
    public void Throttling_and_busy_error_codes_are_transient(string code, bool transient) =>
        Assert.Equal(transient, Transient.IsTransientErrorCode(code));

    [Fact]
    public async Task A_transient_failure_is_retried_until_it_succeeds()
    {
        var calls = new List<int>();
        var result = await Policy().ExecuteAsync(Failing(calls, new HttpStatusException(503), new HttpRequestException("reset")), Classify, default);
        Assert.Equal("ok", result);
        Assert.Equal([1, 2, 3], calls);
        Assert.Equal(2, _clock.Waits.Count);
    }

    [Fact]
    public async Task A_permanent_failure_is_thrown_at_once()
    {
        var calls = new List<int>();
        var e = await Assert.ThrowsAsync<HttpStatusException>(() => Policy().ExecuteAsync(Failing(calls, new HttpStatusException(404)), Classify, default));
        Assert.Equal(404, e.Status);
        Assert.Equal([1], calls);
        Assert.Empty(_clock.Waits);
    }

    [Fact]
    public async Task Attempts_are_limited_and_the_last_failure_goes_through_exhausted()
    {
        var calls = new List<int>();
        var failures = Enumerable.Range(0, 10).Select(_ => (Exception)new HttpStatusException(500)).ToArray();
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => Policy(attempts: 3).ExecuteAsync(Failing(calls, failures), Classify, default,
            exhausted: (last, n) => new InvalidOperationException($"gave up after {n}: {last.Message}")));
        Assert.Equal("gave up after 3: HTTP 500", e.Message);
        Assert.Equal([1, 2, 3], calls);
        Assert.Equal(2, _clock.Waits.Count);
    }

    [Fact]
    public async Task Without_exhausted_the_last_failure_itself_is_rethrown()
    {
        var calls = new List<int>();
        var e = await Assert.ThrowsAsync<HttpStatusException>(() => Policy(attempts: 2).ExecuteAsync(
            Failing(calls, new HttpStatusException(502), new HttpStatusException(503)), Classify, default));
        Assert.Equal(503, e.Status);
        Assert.Equal([1, 2], calls);
    }

    [Fact]
    public async Task Backoff_doubles_from_the_base_up_to_the_cap()
    {
        // Random 0.999…: each wait is just under its ceiling, 1, 2, 4, 8, 8 s (capped).
        var calls = new List<int>();
        var failures = Enumerable.Range(0, 5).Select(_ => (Exception)new HttpStatusException(503)).ToArray();
        await Policy(attempts: 6, random: 0.999999).ExecuteAsync(Failing(calls, failures), Classify, default);
        Assert.Equal([1, 2, 4, 8, 8], _clock.Waits.Select(w => Math.Round(w.TotalSeconds)).ToArray());
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.25)]
    [InlineData(0.75)]
    [InlineData(0.999999)]
    public void Full_jitter_stays_between_zero_and_the_ceiling(double random)
    {
        var policy = Policy(random: random);
        for (var attempt = 1; attempt <= 8; attempt++)
        {
            var ceiling = Math.Min(8, Math.Pow(2, attempt - 1));
            var delay = policy.Backoff(attempt).TotalSeconds;
            Assert.InRange(delay, 0, ceiling);
            Assert.Equal(random * ceiling, delay, 3);
        }
    }

    [Fact]
    public void Real_jitter_spreads_over_the_whole_range()
    {
        var policy = new RetryPolicy { BaseDelay = TimeSpan.FromSeconds(1), MaxDelay = TimeSpan.FromSeconds(8) };
        var delays = Enumerable.Range(0, 2000).Select(_ => policy.Backoff(3).TotalSeconds).ToList();
        Assert.All(delays, d => Assert.InRange(d, 0, 4));
        Assert.Contains(delays, d => d < 1);
        Assert.Contains(delays, d => d > 3);
    }

    [Fact]
    public async Task Retry_after_in_seconds_is_honoured_instead_of_the_backoff()
    {
        var calls = new List<int>();
        await Policy(random: 0).ExecuteAsync(Failing(calls, new HttpStatusException(429, TimeSpan.FromSeconds(7))), Classify, default);
        Assert.Equal([TimeSpan.FromSeconds(7)], _clock.Waits);
    }

    [Fact]
    public async Task A_long_retry_after_is_capped()
    {
        var calls = new List<int>();
        await Policy().ExecuteAsync(Failing(calls, new HttpStatusException(503, TimeSpan.FromHours(1))), Classify, default);
        Assert.Equal([TimeSpan.FromSeconds(30)], _clock.Waits);
    }

    [Fact]
    public void Retry_after_is_read_as_seconds_or_as_an_http_date_against_the_clock()
    {
        var policy = Policy();
        using var seconds = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        seconds.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(12));
        Assert.Equal(TimeSpan.FromSeconds(12), policy.RetryAfter(seconds.Headers));

        using var date = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
        date.Headers.TryAddWithoutValidation("Retry-After", _clock.Now.AddSeconds(90).ToString("R"));
        Assert.Equal(TimeSpan.FromSeconds(90), policy.RetryAfter(date.Headers));

        using var past = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
        past.Headers.TryAddWithoutValidation("Retry-After", _clock.Now.AddMinutes(-5).ToString("R"));
        Assert.Equal(TimeSpan.Zero, policy.RetryAfter(past.Headers));

        using var none = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
        Assert.Null(policy.RetryAfter(none.Headers));
    }

    [Fact]
    public async Task A_transient_result_is_retried_and_the_last_one_returned_when_attempts_run_out()
    {
        var answers = new List<TrackedResponse>();
        var response = await Policy(attempts: 3).ExecuteAsync<HttpResponseMessage>((n, _) =>
        {
            var r = new TrackedResponse(HttpStatusCode.ServiceUnavailable);
            answers.Add(r);
            return Task.FromResult<HttpResponseMessage>(r);
        }, Classify, default, classifyResult: r => Transient.OfStatus((int)r.StatusCode));
        Assert.Equal(3, answers.Count);
        Assert.Same(answers[^1], response);
        Assert.Equal(2, _clock.Waits.Count);
        // The ones retried were disposed, the one returned is the caller's.
        Assert.Equal([true, true, false], answers.Select(a => a.Disposed).ToArray());
        response.Dispose();
    }

    private sealed class TrackedResponse(HttpStatusCode status) : HttpResponseMessage(status)
    {
        public bool Disposed;

        protected override void Dispose(bool disposing)
        {
            Disposed = true;
            base.Dispose(disposing);
        }
    }

    [Fact]
    public async Task Cancellation_stops_a_wait_promptly_and_is_never_retried()
    {
        using var cts = new CancellationTokenSource();
        var calls = 0;
        // Real waits here: a 1-minute backoff must end when the token is cancelled, not when it elapses.
        var policy = new RetryPolicy { MaxAttempts = 5, BaseDelay = TimeSpan.FromMinutes(1), MaxDelay = TimeSpan.FromMinutes(1), Random = () => 1 };
        var stopwatch = Stopwatch.StartNew();
        var run = policy.ExecuteAsync<string>((_, _) =>
        {
            calls++;
            cts.CancelAfter(TimeSpan.FromMilliseconds(50));
            throw new HttpRequestException("reset");
        }, Classify, cts.Token);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10), $"took {stopwatch.Elapsed}");
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task The_callers_cancellation_from_inside_an_attempt_is_not_classified_as_a_timeout()
    {
        using var cts = new CancellationTokenSource();
        var calls = 0;
        var classified = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Policy().ExecuteAsync<string>((_, ct) =>
        {
            calls++;
            cts.Cancel();
            ct.ThrowIfCancellationRequested();
            return Task.FromResult("unreached");
        }, e => { classified++; return Classify(e); }, cts.Token));
        Assert.Equal(1, calls);
        Assert.Equal(0, classified);
        Assert.Empty(_clock.Waits);
    }

    [Fact]
    public async Task A_non_idempotent_write_is_not_resent_after_an_unknown_outcome()
    {
        var calls = new List<int>();
        var e = await Assert.ThrowsAsync<OutcomeUnknownException>(() => Policy().ExecuteAsync(
            Failing(calls, new HttpRequestException("connection reset")), Classify, default, idempotent: false));
        Assert.Equal([1], calls);
        Assert.IsType<HttpRequestException>(e.InnerException);
        Assert.Empty(_clock.Waits);

        // The caller's own exception type (AwsOutcomeUnknownException) comes from the factory, for a 5xx too.
        calls.Clear();
        var custom = await Assert.ThrowsAsync<CustomOutcomeUnknown>(() => Policy().ExecuteAsync(
            Failing(calls, new HttpStatusException(500)), Classify, default, idempotent: false, outcomeUnknown: inner => new CustomOutcomeUnknown(inner)));
        Assert.Equal([1], calls);
    }

    private sealed class CustomOutcomeUnknown(Exception inner) : OutcomeUnknownException("lost", inner);

    [Fact]
    public async Task A_non_idempotent_write_is_resent_after_a_refusal_which_did_nothing()
    {
        var calls = new List<int>();
        var result = await Policy().ExecuteAsync(Failing(calls, new HttpStatusException(429), new HttpStatusException(408)), Classify, default, idempotent: false);
        Assert.Equal("ok", result);
        Assert.Equal([1, 2, 3], calls);
    }

    [Fact]
    public async Task Check_then_write_reads_after_a_lost_answer_and_does_not_write_again_when_it_took_effect()
    {
        var writes = 0;
        var checks = 0;
        var (value, fromCheck) = await Policy().CheckThenWriteAsync(
            _ => { writes++; throw new OutcomeUnknownException("lost"); },
            _ => { checks++; return Task.FromResult<string?>("created"); }, default);
        Assert.Equal(("created", true), (value, fromCheck));
        Assert.Equal(1, writes);
        Assert.Equal(1, checks);
        Assert.Single(_clock.Waits);
    }

    [Fact]
    public async Task Check_then_write_writes_again_only_when_the_check_finds_nothing_and_is_bounded()
    {
        var writes = 0;
        var checks = 0;
        var (value, fromCheck) = await Policy().CheckThenWriteAsync(
            _ => ++writes < 3 ? throw new OutcomeUnknownException("lost") : Task.FromResult("written"),
            _ => { checks++; return Task.FromResult<string?>(null); }, default);
        Assert.Equal(("written", false), (value, fromCheck));
        Assert.Equal((3, 2), (writes, checks));

        writes = checks = 0;
        await Assert.ThrowsAsync<OutcomeUnknownException>(() => Policy(attempts: 3).CheckThenWriteAsync<string>(
            _ => { writes++; throw new OutcomeUnknownException("lost"); },
            _ => { checks++; return Task.FromResult<string?>(null); }, default));
        Assert.Equal((3, 3), (writes, checks));
    }

    [Fact]
    public async Task Check_then_write_leaves_other_failures_to_the_caller()
    {
        var writes = 0;
        await Assert.ThrowsAsync<InvalidOperationException>(() => Policy().CheckThenWriteAsync<string>(
            _ => { writes++; throw new InvalidOperationException("already exists"); }, _ => Task.FromResult<string?>("x"), default));
        Assert.Equal(1, writes);
    }

    private Waiter Waiter(TimeSpan timeout) => new()
    {
        Timeout = timeout, InitialDelay = TimeSpan.FromSeconds(1), MaxDelay = TimeSpan.FromSeconds(5), Random = () => 0.5, Sleep = _clock.Sleep, Time = _clock,
    };

    [Fact]
    public async Task A_waiter_polls_until_the_state_is_reached()
    {
        var states = new Queue<string>(["Pending", "Pending", "InProgress", "Active"]);
        var waited = new List<string>();
        var state = await Waiter(TimeSpan.FromMinutes(1)).UntilAsync(_ => Task.FromResult(states.Dequeue()), s => s == "Active",
            s => new TimeoutException(s), default, waited.Add);
        Assert.Equal("Active", state);
        Assert.Equal(["Pending", "Pending", "InProgress"], waited);
        // 1 s growing by 1.5 (random 0.5 is the middle of ±20%).
        Assert.Equal([1.0, 1.5, 2.25], _clock.Waits.Select(w => Math.Round(w.TotalSeconds, 3)).ToArray());
    }

    [Fact]
    public async Task A_waiter_gives_up_at_its_deadline_with_the_last_state()
    {
        var polls = 0;
        var e = await Assert.ThrowsAsync<TimeoutException>(() => Waiter(TimeSpan.FromSeconds(20)).UntilAsync(
            _ => Task.FromResult(++polls), _ => false, n => new TimeoutException($"still busy after poll {n}"), default));
        Assert.Equal($"still busy after poll {polls}", e.Message);
        // Bounded: waits of 1, 1.5, 2.25, 3.375, 5, 5 then the 1.875 s left, never past the deadline.
        Assert.Equal(TimeSpan.FromSeconds(20), _clock.Waits.Aggregate(TimeSpan.Zero, (a, b) => a + b));
        Assert.Equal(8, polls);
    }

    [Fact]
    public void Waiter_jitter_is_within_20_percent()
    {
        Assert.Equal(0.8, (Waiter(TimeSpan.FromMinutes(1)) with { Random = () => 0 }).PollDelay(1).TotalSeconds, 3);
        Assert.Equal(1.2, (Waiter(TimeSpan.FromMinutes(1)) with { Random = () => 1 }).PollDelay(1).TotalSeconds, 3);
        Assert.Equal(5 * 1.2, (Waiter(TimeSpan.FromMinutes(1)) with { Random = () => 1 }).PollDelay(20).TotalSeconds, 3);
    }
}
