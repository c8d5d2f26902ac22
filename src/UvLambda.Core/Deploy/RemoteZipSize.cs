using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;

namespace UvLambda.Core.Deploy;

/// <summary>
/// The unzipped size of a zip behind a URL (a layer version's presigned Content.Location), read from its central
/// directory with two range requests instead of downloading the whole layer. Null when it cannot be read.
/// </summary>
public static class RemoteZipSize
{
    private const int EocdSearch = 22 + 0xFFFF;

    public static async Task<long?> UnzippedBytesAsync(HttpClient http, string url, CancellationToken ct)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")) return null;
        try
        {
            var tail = await RangeAsync(http, uri, null, EocdSearch, ct).ConfigureAwait(false);
            if (tail is null) return null;
            var (bytes, tailStart) = tail.Value;
            int eocd = -1;
            for (int i = bytes.Length - 22; i >= 0; i--)
                if (BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(i)) == 0x06054b50) { eocd = i; break; }
            if (eocd < 0) return null;
            long cdSize = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(eocd + 12));
            long cdOffset = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(eocd + 16));
            if (cdSize == 0xFFFFFFFF || cdOffset == 0xFFFFFFFF) return null; // ZIP64: not read here
            byte[] cd;
            if (cdOffset >= tailStart && cdOffset + cdSize <= tailStart + bytes.Length)
                cd = bytes.AsSpan((int)(cdOffset - tailStart), (int)cdSize).ToArray();
            else
            {
                var range = await RangeAsync(http, uri, cdOffset, cdSize, ct).ConfigureAwait(false);
                if (range is null || range.Value.Bytes.Length < cdSize) return null;
                cd = range.Value.Bytes;
            }
            long total = 0;
            for (int p = 0; p + 46 <= cd.Length;)
            {
                if (BinaryPrimitives.ReadUInt32LittleEndian(cd.AsSpan(p)) != 0x02014b50) break;
                total += BinaryPrimitives.ReadUInt32LittleEndian(cd.AsSpan(p + 24));
                p += 46 + BinaryPrimitives.ReadUInt16LittleEndian(cd.AsSpan(p + 28)) + BinaryPrimitives.ReadUInt16LittleEndian(cd.AsSpan(p + 30))
                     + BinaryPrimitives.ReadUInt16LittleEndian(cd.AsSpan(p + 32));
            }
            return total;
        }
        catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>Bytes [from, from+length) or, with from null, the last <paramref name="length"/> bytes; and where they start.</summary>
    private static async Task<(byte[] Bytes, long Start)?> RangeAsync(HttpClient http, Uri uri, long? from, long length, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.Range = from is { } f ? new RangeHeaderValue(f, f + length - 1) : new RangeHeaderValue(null, length);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.PartialContent)
        {
            var body = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
            var start = response.Content.Headers.ContentRange?.From ?? from ?? 0;
            return (body, start);
        }
        if (response.StatusCode == HttpStatusCode.OK && (response.Content.Headers.ContentLength ?? 0) <= 300L * 1024 * 1024)
        {
            // No range support: the whole file (layers are at most 250 MB unzipped, less zipped).
            var all = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
            if (from is { } f2) return f2 + length <= all.Length ? (all.AsSpan((int)f2, (int)length).ToArray(), f2) : null;
            var start = Math.Max(0, all.Length - length);
            return (all.AsSpan((int)start).ToArray(), start);
        }
        return null;
    }
}
