using System.Globalization;

namespace UvLambda.Core.Diagnostics;

/// <summary>
/// Sizes as people read them in build output: binary units (KiB, MiB, like uv prints them), the one convention of
/// every UvLambda message. Where a limit is at stake the exact byte count follows (<see cref="WithBytes"/>).
/// </summary>
public static class ByteSize
{
    public static string Format(long bytes) => bytes switch
    {
        < 1024 => bytes.ToString(CultureInfo.InvariantCulture) + " B",
        < 1024 * 1024 => (bytes / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) + " KiB",
        _ => (bytes / (1024.0 * 1024)).ToString("0.0", CultureInfo.InvariantCulture) + " MiB",
    };

    /// <summary>"56.3 MiB (59,057,586 bytes)": for sizes compared with a limit.</summary>
    public static string WithBytes(long bytes) => bytes < 1024
        ? Format(bytes)
        : $"{Format(bytes)} ({bytes.ToString("N0", CultureInfo.InvariantCulture)} bytes)";
}
