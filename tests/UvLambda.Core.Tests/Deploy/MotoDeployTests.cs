using UvLambda.Core.Aws;
using UvLambda.Core.Aws.Ecr;
using UvLambda.Core.Aws.Lambda;
using UvLambda.Core.Deploy;
using UvLambda.Core.Tests.Aws;

namespace UvLambda.Core.Tests.Deploy;

/// <summary>
/// What every deploy test class against moto shares: a deployer that talks through the recording, fault-injecting
/// proxy with fast retries, a zip function's settings, a client that reads straight from moto, and a clean proxy
/// (and temp folder) after each test.
/// </summary>
public abstract class MotoDeployTests(AwsFixture aws) : IDisposable
{
    protected AwsFixture Aws { get; } = aws;
    protected TempDirectory Temp { get; } = new();
    protected RecordingLog Log { get; } = new();

    public virtual void Dispose()
    {
        Aws.Proxy.ClearRules();
        Temp.Dispose();
        GC.SuppressFinalize(this);
    }

    protected static string Unique(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..8];

    protected LambdaDeployer Deployer(IImagePusher? pusher = null, DeployOptions? options = null)
    {
        var session = Aws.Session();
        return new LambdaDeployer(new LambdaRestClient(session, AwsFixture.FastRetry, log: Log), new EcrClient(session, AwsFixture.FastRetry, log: Log),
            new S3ArtifactStore(session), Log, options ?? AwsFixture.FastOptions, pusher);
    }

    /// <summary>A zip function's settings; each call writes its zip to a file of its own.</summary>
    protected DeploySettings Zip(string name, string body = "def lambda_handler(e, c):\n    return 1\n") => new()
    {
        FunctionName = name,
        PackagePath = TestZips.Write(Temp.Combine(name, Guid.NewGuid().ToString("N") + ".zip"), body),
        Handler = "lambda_function.lambda_handler",
        PythonVersion = "3.12",
        Role = Aws.CreateRole("deploy-tests-role"),
    };

    protected async Task<DeployResult> Deploy(DeploySettings s, IImagePusher? pusher = null, DeployOptions? options = null)
    {
        s.Validate();
        return await Deployer(pusher, options).DeployAsync(s);
    }

    /// <summary>Reads straight from moto, past the proxy and its faults.</summary>
    protected LambdaRestClient Moto => new(Aws.Session(Aws.Moto.Url));

    protected static Func<ProxiedRequest, bool> Is(string method, string pathSuffix) =>
        r => r.Method == method && r.PathOnly.EndsWith(pathSuffix, StringComparison.Ordinal);
}
