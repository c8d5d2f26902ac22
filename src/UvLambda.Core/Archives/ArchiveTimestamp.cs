using System.Globalization;
using UvLambda.Core.Diagnostics;

namespace UvLambda.Core.Archives;

/// <summary>
/// The one time stamp every entry gets: SOURCE_DATE_EPOCH (reproducible-builds.org) when set, else 1980-01-01,
/// the earliest time zip can store. Clamped into zip's range, because SOURCE_DATE_EPOCH=0 is common.
/// </summary>
public static class ArchiveTimestamp
{
    public static readonly DateTime ZipEpoch = new(1980, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime ZipMax = new(2107, 12, 31, 23, 59, 58, DateTimeKind.Utc);

    public static DateTime FromSourceDateEpoch(string? sourceDateEpoch)
    {
        if (string.IsNullOrWhiteSpace(sourceDateEpoch)) return ZipEpoch;
        if (!long.TryParse(sourceDateEpoch.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
            throw new UvLambdaException(ErrorCodes.InvalidSourceDateEpoch,
                $"SOURCE_DATE_EPOCH '{sourceDateEpoch}' is not a whole number of seconds since 1970-01-01. Unset it, or set it to e.g. the last commit's time (git log -1 --format=%ct).");
        var t = DateTime.UnixEpoch.AddSeconds(Math.Min(seconds, 253402300799L));
        return t < ZipEpoch ? ZipEpoch : t > ZipMax ? ZipMax : t;
    }

    /// <summary>MS-DOS date and time words as zip stores them (2-second resolution, no time zone).</summary>
    public static (ushort Time, ushort Date) ToDos(DateTime t) =>
        ((ushort)((t.Hour << 11) | (t.Minute << 5) | (t.Second / 2)),
         (ushort)(((t.Year - 1980) << 9) | (t.Month << 5) | t.Day));
}
