using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;
using Amazon.Runtime.Credentials;
using UvLambda.Core.Diagnostics;

namespace UvLambda.Core.Aws;

/// <summary>Where credentials come from: AWSSDK.Core's resolution in production, fixed values in tests.</summary>
public interface ICredentialSource
{
    Task<AwsCredentials> GetAsync(CancellationToken cancellationToken);

    /// <summary>The AWSSDK.Core credentials, for AWSSDK clients (S3).</summary>
    AWSCredentials SdkCredentials { get; }
}

/// <summary>
/// Credentials, region and endpoint overrides for one deploy. Credentials and region are resolved by AWSSDK.Core's
/// standard chains (environment, shared config and credentials files with profiles, SSO, assume-role, credential
/// process, web identity, container and instance metadata); endpoints from <c>AWS_ENDPOINT_URL_&lt;SERVICE&gt;</c>
/// and <c>AWS_ENDPOINT_URL</c> as the AWS SDKs define them.
/// </summary>
public sealed class AwsSession
{
    public AwsSession(ICredentialSource credentials, string region, Func<string, string?>? environment = null)
    {
        Credentials = credentials;
        Region = region;
        _environment = environment ?? Environment.GetEnvironmentVariable;
    }

    private readonly Func<string, string?> _environment;

    public ICredentialSource Credentials { get; }
    public string Region { get; }

    /// <summary>
    /// Resolves credentials and region. <paramref name="profile"/> (the <c>AWSProfile</c> property) wins over
    /// <c>AWS_PROFILE</c>; <paramref name="region"/> (<c>AWSRegion</c>) over <c>AWS_REGION</c>/<c>AWS_DEFAULT_REGION</c>
    /// and the profile's region. Nothing here is logged.
    /// </summary>
    public static AwsSession Resolve(string? profile, string? region, Func<string, string?>? environment = null)
    {
        AWSCredentials credentials;
        RegionEndpoint? profileRegion = null;
        var env = environment ?? Environment.GetEnvironmentVariable;
        var profileSetting = "AWSProfile";
        // AWS_PROFILE names a profile the default chain would use after keys in the environment; looked up here
        // instead, a missing one is named (with the files searched) rather than reported as no credentials at all.
        if (string.IsNullOrEmpty(profile) && string.IsNullOrEmpty(env("AWS_ACCESS_KEY_ID")) && env("AWS_PROFILE") is { Length: > 0 } envProfile)
        {
            profile = envProfile.Trim();
            profileSetting = "AWS_PROFILE";
        }
        if (!string.IsNullOrEmpty(profile))
        {
            var chain = new CredentialProfileStoreChain();
            if (!chain.TryGetProfile(profile, out var found))
                throw new UvLambdaException(ErrorCodes.AwsProfileNotFound,
                    $"AWS profile '{profile}' ({profileSetting}) was not found in {ProfileFiles(env)}. Run 'aws configure --profile {profile}' or 'aws configure sso', or fix {profileSetting}.");
            profileRegion = found.Region;
            try
            {
                credentials = AWSCredentialsFactory.GetAWSCredentials(found, chain);
            }
            catch (Exception e) when (e is not UvLambdaException)
            {
                throw new UvLambdaException(ErrorCodes.AwsCredentialsNotFound,
                    $"AWS profile '{profile}' has no usable credentials: {e.Message}", inner: e);
            }
        }
        else
        {
            try
            {
                credentials = new DefaultAWSCredentialsIdentityResolver().ResolveIdentity(null);
            }
            catch (Exception e)
            {
                throw new UvLambdaException(ErrorCodes.AwsCredentialsNotFound,
                    "No AWS credentials found (environment variables, AWS_PROFILE or the default profile, SSO, container or instance metadata). " +
                    "Run 'aws configure' or 'aws sso login', set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or set AWSProfile.", inner: e);
            }
        }

        var resolvedRegion = !string.IsNullOrEmpty(region) ? region : profileRegion?.SystemName;
        if (string.IsNullOrEmpty(resolvedRegion))
        {
            try { resolvedRegion = FallbackRegionFactory.GetRegionEndpoint()?.SystemName; }
            catch (Exception) { resolvedRegion = null; }
        }
        if (string.IsNullOrEmpty(resolvedRegion))
            throw new UvLambdaException(ErrorCodes.AwsRegionNotSet,
                "No AWS region set. Set AWSRegion (-p:AWSRegion=us-east-1), AWS_REGION, or region in the profile.");
        return new AwsSession(new SdkCredentialSource(credentials), resolvedRegion, environment);
    }

    /// <summary>The shared config and credentials files the AWS SDKs read (AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/).</summary>
    public static string ProfileFiles(Func<string, string?> environment)
    {
        var home = environment("HOME") ?? environment("USERPROFILE") ?? "~";
        var config = environment("AWS_CONFIG_FILE") is { Length: > 0 } c ? c : Path.Combine(home, ".aws", "config");
        var credentials = environment("AWS_SHARED_CREDENTIALS_FILE") is { Length: > 0 } f ? f : Path.Combine(home, ".aws", "credentials");
        return $"{config} ({(File.Exists(config) ? "exists" : "missing")}) and {credentials} ({(File.Exists(credentials) ? "exists" : "missing")})";
    }

    /// <summary>
    /// The endpoint to call for a service: <c>AWS_ENDPOINT_URL_&lt;ID&gt;</c> (service id upper-cased, spaces as
    /// underscores), then <c>AWS_ENDPOINT_URL</c>, both ignored when <c>AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true</c>;
    /// else the service's regional endpoint.
    /// </summary>
    public Uri Endpoint(string serviceId, string endpointPrefix) => ConfiguredEndpoint(serviceId) ?? DefaultEndpoint(endpointPrefix);

    /// <summary>The configured endpoint override for a service, if any.</summary>
    public Uri? ConfiguredEndpoint(string serviceId)
    {
        if (string.Equals(_environment("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"), "true", StringComparison.OrdinalIgnoreCase)) return null;
        foreach (var name in new[] { "AWS_ENDPOINT_URL_" + serviceId.ToUpperInvariant().Replace(' ', '_'), "AWS_ENDPOINT_URL" })
        {
            var value = _environment(name);
            if (string.IsNullOrWhiteSpace(value)) continue;
            if (!Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
                throw new UvLambdaException(ErrorCodes.AwsInvalidEndpoint, $"{name}='{value}' is not an http(s) URL. Fix or unset it.");
            return uri;
        }
        return null;
    }

    private Uri DefaultEndpoint(string endpointPrefix)
    {
        var suffix = Region.StartsWith("cn-", StringComparison.Ordinal) ? "amazonaws.com.cn" : "amazonaws.com";
        var host = endpointPrefix == "iam" ? (suffix == "amazonaws.com" ? "iam.amazonaws.com" : $"iam.{Region}.{suffix}") : $"{endpointPrefix}.{Region}.{suffix}";
        return new Uri($"https://{host}/");
    }
}

/// <summary>Credentials from AWSSDK.Core (refreshing ones are asked each time: SSO and assume-role expire).</summary>
public sealed class SdkCredentialSource(AWSCredentials credentials) : ICredentialSource
{
    public AWSCredentials SdkCredentials => credentials;

    public async Task<AwsCredentials> GetAsync(CancellationToken cancellationToken)
    {
        ImmutableCredentials c;
        try
        {
            // AWSSDK's resolvers take no token (SSO, IMDS and assume-role can take seconds): stop waiting on cancel.
            c = await credentials.GetCredentialsAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw new UvLambdaException(ErrorCodes.AwsCredentialsNotFound,
                $"Could not get AWS credentials ({credentials.GetType().Name}): {e.Message}. For SSO run 'aws sso login'.", inner: e);
        }
        return new AwsCredentials(c.AccessKey, c.SecretKey, c.UseToken ? c.Token : null);
    }
}

/// <summary>Fixed credentials (tests, or callers that resolved them already).</summary>
public sealed class StaticCredentialSource(AwsCredentials credentials) : ICredentialSource
{
    public AWSCredentials SdkCredentials { get; } = credentials.SessionToken is { } token
        ? new SessionAWSCredentials(credentials.AccessKeyId, credentials.SecretAccessKey, token)
        : new BasicAWSCredentials(credentials.AccessKeyId, credentials.SecretAccessKey);

    public Task<AwsCredentials> GetAsync(CancellationToken cancellationToken) => Task.FromResult(credentials);
}
