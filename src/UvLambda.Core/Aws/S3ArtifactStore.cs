using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using UvLambda.Core.Diagnostics;

namespace UvLambda.Core.Aws;

/// <summary>Where zips too large to send inline go before Lambda reads them.</summary>
public interface IArtifactStore
{
    /// <summary>Uploads <paramref name="content"/> under <paramref name="key"/> unless an object of the same size is there already; true when it wrote.</summary>
    Task<bool> UploadAsync(string bucket, string key, byte[] content, CancellationToken cancellationToken);
}

/// <summary>S3 through AWSSDK.S3: same credentials and region; <c>AWS_ENDPOINT_URL_S3</c>/<c>AWS_ENDPOINT_URL</c> honoured (path-style then).</summary>
public sealed class S3ArtifactStore(AwsSession session) : IArtifactStore
{
    private AmazonS3Client CreateClient()
    {
        var config = new AmazonS3Config { RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(session.Region) };
        if (session.ConfiguredEndpoint("S3") is { } endpoint)
        {
            config.ServiceURL = endpoint.ToString();
            config.AuthenticationRegion = session.Region;
            config.ForcePathStyle = true;
        }
        config.RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED;
        config.ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED;
        return new AmazonS3Client(session.Credentials.SdkCredentials, config);
    }

    public async Task<bool> UploadAsync(string bucket, string key, byte[] content, CancellationToken ct)
    {
        using var client = CreateClient();
        try
        {
            try
            {
                var head = await client.GetObjectMetadataAsync(bucket, key, ct).ConfigureAwait(false);
                if (head.ContentLength == content.Length) return false;
            }
            catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound) { }
            using var stream = new MemoryStream(content, writable: false);
            await client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, InputStream = stream, ContentType = "application/zip" }, ct).ConfigureAwait(false);
            return true;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.Forbidden || e.ErrorCode == "AccessDenied")
        {
            throw new UvLambdaException(ErrorCodes.AwsAccessDenied,
                $"Access denied for s3:PutObject on s3://{bucket}/{key}: {e.Message} Grant s3:GetObject and s3:PutObject on the bucket (LambdaS3Bucket) to the deploying identity.", inner: e);
        }
        catch (AmazonS3Exception e)
        {
            throw new UvLambdaException(ErrorCodes.AwsRequestFailed, $"s3:PutObject s3://{bucket}/{key} failed: {e.ErrorCode}: {e.Message}", inner: e);
        }
    }
}
