namespace UvLambda.Core.FileSystem;

/// <summary>
/// 64 bits over bytes, eight a step (FNV-style multiply, with a shift to mix high bits down): seals the files UvLambda
/// writes for itself (install state, wheel indexes) so damage or a hand edit shows. It guards against accidents, not
/// attacks, so it is fast and needs no crypto library on a no-op build.
/// </summary>
public static class Checksum64
{
    public static ulong Compute(ReadOnlySpan<byte> bytes)
    {
        ulong h = 0xcbf29ce484222325UL ^ (ulong)bytes.Length;
        var words = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ulong>(bytes);
        foreach (var w in words)
        {
            h = (h ^ w) * 0x100000001b3UL;
            h ^= h >> 29;
        }
        foreach (var b in bytes[(words.Length * 8)..])
        {
            h = (h ^ b) * 0x100000001b3UL;
            h ^= h >> 29;
        }
        return h;
    }
}
