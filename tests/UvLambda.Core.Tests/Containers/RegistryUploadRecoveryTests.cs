using System.Net;
using System.Security.Cryptography;
using UvLambda.Core.Containers;

namespace UvLambda.Core.Tests.Containers;

/// <summary>
/// A PATCH appends to an upload, so it is not resent blindly: after a lost answer (or a 5xx) the client reads the
/// upload's status and sends only what the registry does not hold, or, when it cannot tell, the whole blob in a new
/// session. Against the real registry on 127.0.0.1.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public class RegistryUploadRecoveryTests
{
    public enum Fault
    {
        /// <summary>The PATCH reaches the registry; its answer is lost.</summary>
        AnswerLost,
        /// <summary>The PATCH never leaves; the connection fails.</summary>
        NeverSent,
        /// <summary>The PATCH reaches the registry; a 503 comes back instead of its answer.</summary>
        ServerErrorAfterWrite,
        /// <summary>The second PATCH and every one after it never leave.</summary>
        NeverSentAgain,
    }

    /// <summary>Spoils the second PATCH as told; counts PATCHes and upload-status GETs.</summary>
    private sealed class FaultyPatch(Fault fault) : DelegatingHandler(new SocketsHttpHandler())
    {
        public int Patches;
        public int StatusReads;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Method == HttpMethod.Get && request.RequestUri!.AbsolutePath.Contains("/blobs/uploads/", StringComparison.Ordinal))
                Interlocked.Increment(ref StatusReads);
            if (request.Method != HttpMethod.Patch)
                return await base.SendAsync(request, cancellationToken);
            var patch = Interlocked.Increment(ref Patches);
            if (patch != 2 && !(fault == Fault.NeverSentAgain && patch > 2))
                return await base.SendAsync(request, cancellationToken);
            if (fault is Fault.NeverSent or Fault.NeverSentAgain) throw new HttpRequestException("connection reset (test)");
            using var answer = await base.SendAsync(request, cancellationToken);
            Assert.Equal(HttpStatusCode.Accepted, answer.StatusCode);
            if (fault == Fault.AnswerLost) throw new HttpRequestException("connection reset after the request was sent (test)");
            return new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) { RequestMessage = request };
        }
    }

    [Theory]
    // Never sent: the status says the chunk is missing, only it is sent again (4 PATCHes). Sent but unanswered: the
    // registry will not give the status of a session whose state token is stale, so the blob goes again whole in a
    // new session (2 + 3 PATCHes), never appended twice.
    [InlineData(Fault.NeverSent, 4)]
    [InlineData(Fault.AnswerLost, 5)]
    [InlineData(Fault.ServerErrorAfterWrite, 5)]
    public async Task A_spoiled_PATCH_is_checked_not_resent_blindly_and_the_blob_arrives_intact(Fault fault, int patches)
    {
        using var registry = new LocalRegistry();
        using var handler = new FaultyPatch(fault);
        var log = new RecordingLog();
        using var client = new RegistryClient(registry.Host, new CredentialChain([]),
            ContainerTestSupport.FastRetries with { ChunkedUpload = true, ChunkSize = RegistryClientOptions.MinimumChunkSize }, log, handler);
        var blob = RandomNumberGenerator.GetBytes((11 << 20) + 123); // three chunks: 5 MiB, 5 MiB, 1 MiB + 123 bytes
        var digest = "sha256:" + Convert.ToHexString(SHA256.HashData(blob)).ToLowerInvariant();

        await client.UploadBlobAsync("recovery", digest, blob.Length, () => new MemoryStream(blob));

        Assert.Equal(patches, handler.Patches);
        Assert.Equal(1, handler.StatusReads);
        Assert.Contains(log.Messages, m => m.Contains("checking how much of it arrived", StringComparison.Ordinal));
        Assert.Equal(blob, await client.GetBlobAsync("recovery", digest));
    }

    [Fact]
    public async Task A_PATCH_that_keeps_failing_ends_in_a_coded_error_after_the_attempts()
    {
        using var registry = new LocalRegistry();
        using var handler = new FaultyPatch(Fault.NeverSentAgain);
        using var client = new RegistryClient(registry.Host, new CredentialChain([]),
            ContainerTestSupport.FastRetries with { ChunkedUpload = true, ChunkSize = RegistryClientOptions.MinimumChunkSize, Attempts = 3 }, new RecordingLog(), handler);
        var blob = RandomNumberGenerator.GetBytes((5 << 20) + 1);
        var digest = "sha256:" + Convert.ToHexString(SHA256.HashData(blob)).ToLowerInvariant();

        var e = await Assert.ThrowsAsync<UvLambda.Core.Diagnostics.UvLambdaException>(() => client.UploadBlobAsync("recovery", digest, blob.Length, () => new MemoryStream(blob)));

        Assert.Equal(UvLambda.Core.Diagnostics.ErrorCodes.RegistryRequestFailed, e.Code);
        // The first chunk, then the second written 3 times, each time after reading that nothing of it arrived.
        Assert.Equal(1 + 3, handler.Patches);
        Assert.Equal(3, handler.StatusReads);
        Assert.False(await client.BlobExistsAsync("recovery", digest));
    }
}
