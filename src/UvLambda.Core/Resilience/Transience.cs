using System.Net.Http.Headers;

namespace UvLambda.Core.Resilience;

/// <summary>Whether a failure is worth another attempt, and whether the failed attempt may have taken effect.</summary>
public enum Transience
{
    /// <summary>Final: another attempt gets the same answer (a 4xx, a bad setting, a hash mismatch).</summary>
    Permanent,

    /// <summary>Refused without effect (throttled, busy, a conflicting update in progress): safe to send again, even a write that is not idempotent.</summary>
    Refused,

    /// <summary>
    /// No usable answer (a reset, a timeout, a 5xx): the request may have taken effect, so only an idempotent
    /// operation is sent again; any other write must be checked first.
    /// </summary>
    Unknown,
}

/// <summary>What a classifier says about one failure; <see cref="RetryAfter"/> is the server's own wait, if it gave one.</summary>
public readonly record struct RetryDecision(Transience Kind, TimeSpan? RetryAfter = null)
{
    public static RetryDecision Permanent => new(Transience.Permanent);
    public static RetryDecision Refused(TimeSpan? retryAfter = null) => new(Transience.Refused, retryAfter);
    public static RetryDecision Unknown(TimeSpan? retryAfter = null) => new(Transience.Unknown, retryAfter);

    public bool IsTransient => Kind != Transience.Permanent;
}

/// <summary>
/// A write that is not idempotent got no usable answer: it may or may not have taken effect. The caller reads whether
/// it did before writing again (<see cref="RetryPolicy.CheckThenWriteAsync{T}"/>).
/// </summary>
public class OutcomeUnknownException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The failures every client treats alike: which HTTP statuses, exceptions and service error codes are transient.</summary>
public static class Transient
{
    /// <summary>408, 429 and 5xx except 501 (Not Implemented, which no retry changes).</summary>
    public static bool IsTransientStatus(int status) => status is 408 or 429 || (status is >= 500 and <= 599 && status != 501);

    /// <summary>Statuses that say the server did nothing with the request (timeout waiting for it, throttling).</summary>
    public static bool IsRefusalStatus(int status) => status is 408 or 429;

    /// <summary>
    /// A connection refused, reset or cut short, or a timeout: not <paramref name="cancellationToken"/> firing, which is the
    /// caller giving up and never retried.
    /// </summary>
    public static bool IsTransientException(Exception e, CancellationToken cancellationToken) => e switch
    {
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        HttpRequestException or IOException => true,
        _ => false,
    };

    /// <summary>HTTP statuses (by <see cref="IsTransientStatus"/>): a refusal (408/429) or an unknown outcome (5xx), with the server's Retry-After.</summary>
    public static RetryDecision OfStatus(int status, TimeSpan? retryAfter = null) =>
        !IsTransientStatus(status) ? RetryDecision.Permanent
        : IsRefusalStatus(status) ? RetryDecision.Refused(retryAfter)
        : RetryDecision.Unknown(retryAfter);

    private static readonly HashSet<string> TransientCodes = new(StringComparer.Ordinal)
    {
        // Throttling: the request was refused, not run.
        "TooManyRequestsException", "ThrottlingException", "Throttling", "ThrottledException", "RequestLimitExceeded",
        "ProvisionedThroughputExceededException", "RequestThrottled", "RequestThrottledException", "SlowDown", "EC2ThrottledException",
        // Busy: Lambda's "an update is in progress", a request still being processed.
        "ResourceConflictException", "PriorRequestNotComplete",
        "RequestTimeout", "RequestTimeoutException",
        // Service-side failures, also answered with a 5xx.
        "ServiceException", "InternalFailure", "ServiceUnavailable", "ServiceUnavailableException",
    };

    /// <summary>AWS error codes worth another attempt: throttling, busy, and the service's own failures.</summary>
    public static bool IsTransientErrorCode(string code) => TransientCodes.Contains(code);

    /// <summary>
    /// Retry-After as a wait from <paramref name="now"/>: seconds, or an HTTP-date (a date already past is no wait).
    /// Null when there is none. Callers cap it (<see cref="RetryPolicy.MaxRetryAfter"/>).
    /// </summary>
    public static TimeSpan? RetryAfter(RetryConditionHeaderValue? header, DateTimeOffset now)
    {
        if (header?.Delta is { } delta) return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        if (header?.Date is { } date) return date > now ? date - now : TimeSpan.Zero;
        return null;
    }
}
