using System.Net.Http.Headers;
using System.Runtime.ExceptionServices;

namespace UvLambda.Core.Resilience;

/// <summary>One retry, for logs: the attempt that failed, the wait before the next, and why.</summary>
public readonly record struct RetryEvent(int Attempt, int MaxAttempts, TimeSpan Delay, Exception? Failure, RetryDecision Decision);

/// <summary>
/// The one retry policy of every remote client (AWS APIs, registries, package indexes, the deployer): a bounded number
/// of attempts, exponential backoff with full jitter (a random wait up to base·2^(attempt-1), capped), the server's
/// Retry-After when it gives one (capped, so a long one cannot stall a build), and cancellation honoured at every wait.
/// What is transient is the caller's classifier's word (<see cref="Transient"/> has the shared rules); a write that is
/// not idempotent is never resent after an unknown outcome: the caller gets an <see cref="OutcomeUnknownException"/>,
/// or uses <see cref="CheckThenWriteAsync{T}"/> to read before writing again. The clock, the waits and the random
/// source are injectable, so tests run instantly.
/// </summary>
public sealed record RetryPolicy
{
    /// <summary>Attempts in all, the first included (at least 1).</summary>
    public int MaxAttempts { get; init; } = 4;

    /// <summary>The first retry waits up to this; each next one up to twice the previous ceiling.</summary>
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Cap of the backoff ceiling.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Cap of a server's Retry-After: longer ones are cut to this and the attempts run out instead.</summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Uniform in [0, 1): the jitter.</summary>
    public Func<double> Random { get; init; } = System.Random.Shared.NextDouble;

    /// <summary>The wait between attempts; throws when the token is cancelled.</summary>
    public Func<TimeSpan, CancellationToken, Task> Sleep { get; init; } = Task.Delay;

    /// <summary>The clock HTTP-date Retry-After values are read against.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    private int Attempts => Math.Max(1, MaxAttempts);

    /// <summary>Full jitter: uniform in [0, min(MaxDelay, BaseDelay·2^(attempt-1))), after failed attempt <paramref name="attempt"/> (1-based).</summary>
    public TimeSpan Backoff(int attempt)
    {
        var ceiling = Math.Min(MaxDelay.TotalMilliseconds, BaseDelay.TotalMilliseconds * Math.Pow(2, Math.Clamp(attempt - 1, 0, 30)));
        return TimeSpan.FromMilliseconds(Math.Max(0, ceiling) * Math.Clamp(Random(), 0, 1));
    }

    /// <summary>The wait after failed attempt <paramref name="attempt"/>: the server's Retry-After (capped) when given, else <see cref="Backoff"/>.</summary>
    public TimeSpan DelayAfter(int attempt, TimeSpan? retryAfter) =>
        retryAfter is { } wait ? (wait < TimeSpan.Zero ? TimeSpan.Zero : wait > MaxRetryAfter ? MaxRetryAfter : wait) : Backoff(attempt);

    /// <summary>A response's Retry-After (seconds or HTTP-date) as a wait from now, uncapped; null when absent.</summary>
    public TimeSpan? RetryAfter(HttpResponseHeaders headers) => Transient.RetryAfter(headers.RetryAfter, Time.GetUtcNow());

    /// <summary>
    /// Runs <paramref name="attempt"/> (given its 1-based number) until it succeeds, fails for good, or
    /// <see cref="MaxAttempts"/> run out. A thrown failure is retried when <paramref name="classify"/> calls it transient;
    /// when it is <see cref="Transience.Unknown"/> and the operation is not <paramref name="idempotent"/>, it is not
    /// retried but thrown as <paramref name="outcomeUnknown"/>'s exception (an <see cref="OutcomeUnknownException"/> by
    /// default). A result <paramref name="classifyResult"/> calls transient (a 503 response) is disposed and retried
    /// under the same rules, and returned as it is once the attempts run out. After the last attempt a thrown failure goes
    /// through <paramref name="exhausted"/> (given the failure and the attempts made), else is rethrown. Cancelling
    /// <paramref name="cancellationToken"/> stops at once: its exception is never classified, and waits end with it.
    /// </summary>
    public async Task<T> ExecuteAsync<T>(Func<int, CancellationToken, Task<T>> attempt, Func<Exception, RetryDecision> classify,
        CancellationToken cancellationToken, bool idempotent = true, Func<T, RetryDecision>? classifyResult = null,
        Func<Exception, int, Exception>? exhausted = null, Func<Exception, Exception>? outcomeUnknown = null, Action<RetryEvent>? onRetry = null)
    {
        for (var n = 1; ; n++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            T result;
            try
            {
                result = await attempt(n, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (!(e is OperationCanceledException && cancellationToken.IsCancellationRequested))
            {
                var decision = classify(e);
                if (!decision.IsTransient) throw;
                if (decision.Kind == Transience.Unknown && !idempotent)
                    throw outcomeUnknown?.Invoke(e) ?? new OutcomeUnknownException($"no usable answer ({e.Message}); it may or may not have taken effect", e);
                if (n >= Attempts)
                {
                    var final = exhausted?.Invoke(e, n) ?? e;
                    if (ReferenceEquals(final, e)) ExceptionDispatchInfo.Capture(e).Throw();
                    throw final;
                }
                await WaitAsync(n, decision, e, onRetry, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (classifyResult?.Invoke(result) is { IsTransient: true } answer && n < Attempts && (idempotent || answer.Kind == Transience.Refused))
            {
                (result as IDisposable)?.Dispose();
                await WaitAsync(n, answer, null, onRetry, cancellationToken).ConfigureAwait(false);
                continue;
            }
            return result;
        }
    }

    private async Task WaitAsync(int attempt, RetryDecision decision, Exception? failure, Action<RetryEvent>? onRetry, CancellationToken cancellationToken)
    {
        var delay = DelayAfter(attempt, decision.RetryAfter);
        onRetry?.Invoke(new RetryEvent(attempt, Attempts, delay, failure, decision));
        await Sleep(delay, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A write that is not idempotent (a create, a publish): when its outcome is unknown, waits (backoff, so the write
    /// can become visible), then <paramref name="check"/> reads whether it took effect (its result is returned with
    /// FromCheck true) and the write is sent again only when it did not, up to <see cref="MaxAttempts"/> writes. Any
    /// other failure of the write is the caller's.
    /// </summary>
    public async Task<(T Value, bool FromCheck)> CheckThenWriteAsync<T>(Func<CancellationToken, Task<T>> write, Func<CancellationToken, Task<T?>> check,
        CancellationToken cancellationToken, Action<OutcomeUnknownException, int>? onUnknown = null) where T : class
    {
        for (var n = 1; ; n++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                return (await write(cancellationToken).ConfigureAwait(false), false);
            }
            catch (OutcomeUnknownException e)
            {
                onUnknown?.Invoke(e, n);
                await Sleep(Backoff(n), cancellationToken).ConfigureAwait(false);
                if (await check(cancellationToken).ConfigureAwait(false) is { } done) return (done, true);
                if (n >= Attempts) throw;
            }
        }
    }
}
