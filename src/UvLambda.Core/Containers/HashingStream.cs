using System.Security.Cryptography;

namespace UvLambda.Core.Containers;

/// <summary>A write-only pass-through that hashes (SHA-256, optionally CRC-32) and counts what goes through it.</summary>
internal sealed class HashingStream(Stream? inner, bool crc = false) : Stream
{
    private readonly IncrementalHash _sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private uint _crc;
    private long _length;

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => _length;
    public override long Position { get => _length; set => throw new NotSupportedException(); }

    public uint Crc32 => _crc;

    public string Digest() => "sha256:" + Convert.ToHexString(_sha.GetHashAndReset()).ToLowerInvariant();

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        _sha.AppendData(buffer);
        if (crc) _crc = Archives.Crc32.Append(_crc, buffer);
        _length += buffer.Length;
        inner?.Write(buffer);
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));
    public override void WriteByte(byte value) => Write([value]);
    public override void Flush() => inner?.Flush();
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) _sha.Dispose();
        base.Dispose(disposing);
    }
}
