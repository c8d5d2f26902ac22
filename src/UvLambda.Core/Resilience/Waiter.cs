namespace UvLambda.Core.Resilience;

/// <summary>
/// Polls until a state is reached (a Lambda function no longer Pending or updating), bounded by <see cref="Timeout"/>.
/// Not a retry: every poll succeeds, the state just is not there yet. Polls grow from <see cref="InitialDelay"/> by
/// <see cref="Growth"/> up to <see cref="MaxDelay"/>, ±20% so parallel deploys do not poll in step; the last wait is cut
/// to the deadline. Clock, waits and random source are injectable like <see cref="RetryPolicy"/>'s.
/// </summary>
public sealed record Waiter
{
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(10);
    public TimeSpan InitialDelay { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(5);
    public double Growth { get; init; } = 1.5;
    public Func<double> Random { get; init; } = System.Random.Shared.NextDouble;
    public Func<TimeSpan, CancellationToken, Task> Sleep { get; init; } = Task.Delay;
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>The wait after poll <paramref name="poll"/> (1-based), before the deadline cut.</summary>
    public TimeSpan PollDelay(int poll)
    {
        var ms = Math.Min(MaxDelay.TotalMilliseconds, InitialDelay.TotalMilliseconds * Math.Pow(Growth, Math.Clamp(poll - 1, 0, 60)));
        return TimeSpan.FromMilliseconds(Math.Max(0, ms) * (0.8 + Math.Clamp(Random(), 0, 1) * 0.4));
    }

    /// <summary>
    /// Polls until <paramref name="isDone"/> holds and returns that poll's value. A poll may throw (a Failed state is
    /// the caller's error). Past the deadline the last value goes to <paramref name="timedOut"/>, whose exception is thrown.
    /// </summary>
    public async Task<T> UntilAsync<T>(Func<CancellationToken, Task<T>> poll, Func<T, bool> isDone, Func<T, Exception> timedOut,
        CancellationToken cancellationToken, Action<T>? onWait = null)
    {
        var deadline = Time.GetUtcNow() + Timeout;
        for (var n = 1; ; n++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var value = await poll(cancellationToken).ConfigureAwait(false);
            if (isDone(value)) return value;
            var left = deadline - Time.GetUtcNow();
            if (left <= TimeSpan.Zero) throw timedOut(value);
            onWait?.Invoke(value);
            var delay = PollDelay(n);
            await Sleep(delay < left ? delay : left, cancellationToken).ConfigureAwait(false);
        }
    }
}
