using System.Text;
using UvLambda.Core.Diagnostics;

namespace UvLambda.Core.Toml;

/// <summary>
/// Entry point of the TOML 1.1 reader (which reads TOML 1.0 as well). Errors are <see cref="UvLambdaException"/>s with code
/// <see cref="ErrorCodes.TomlSyntax"/> and the exact line and column, so builds can point at the problem.
/// </summary>
public static class TomlDocument
{
    // TOML must be valid UTF-8; a replacement character would silently hide corrupt files.
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Parses TOML text and returns the root table.</summary>
    /// <param name="fileName">Reported in errors; not read.</param>
    public static TomlTable Parse(string text, string? fileName = null) => new TomlParser(text, fileName).ParseDocument();

    /// <summary>Parses UTF-8 bytes (a leading BOM is allowed), rejecting invalid UTF-8 at its position.</summary>
    public static TomlTable Parse(ReadOnlySpan<byte> utf8, string? fileName = null) => Parse(Decode(utf8, fileName), fileName);

    /// <summary>Reads and parses a file.</summary>
    public static TomlTable Load(string path) => Parse(File.ReadAllBytes(path), path);

    private static string Decode(ReadOnlySpan<byte> utf8, string? fileName)
    {
        try
        {
            return StrictUtf8.GetString(utf8);
        }
        catch (DecoderFallbackException)
        {
            // Rare path: find the first bad byte to report where it is.
            var pos = 0;
            var line = 1;
            var lineStart = 0;
            while (pos < utf8.Length)
            {
                if (System.Text.Rune.DecodeFromUtf8(utf8.Slice(pos), out _, out var consumed) != System.Buffers.OperationStatus.Done)
                    break;
                if (utf8[pos] == (byte)'\n')
                {
                    line++;
                    lineStart = pos + 1;
                }
                pos += consumed;
            }
            var column = Encoding.UTF8.GetCharCount(utf8.Slice(lineStart, pos - lineStart)) + 1;
            throw new UvLambdaException(ErrorCodes.TomlSyntax, $"Invalid UTF-8 byte 0x{utf8[Math.Min(pos, utf8.Length - 1)]:X2}; TOML files must be UTF-8.",
                fileName, line, column);
        }
    }
}
