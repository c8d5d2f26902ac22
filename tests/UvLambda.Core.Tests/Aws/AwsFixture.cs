using System.IO.Compression;
using System.Text;
using UvLambda.Core.Aws;
using UvLambda.Core.Deploy;
using UvLambda.Core.Diagnostics;
using UvLambda.Core.Resilience;

namespace UvLambda.Core.Tests.Aws;

/// <summary>moto plus a recording, fault-injecting proxy in front of it, shared by the AWS tests of a collection.</summary>
public sealed class AwsFixture : IDisposable
{
    public const string AccountRolePrefix = "arn:aws:iam::123456789012:role/";

    public AwsFixture()
    {
        Moto = new MotoServer();
        Proxy = new FaultProxy(Moto.Url);
    }

    public MotoServer Moto { get; }
    public FaultProxy Proxy { get; }

    public static readonly AwsCredentials Credentials = new("testing", "testing-secret", "testing-session-token");

    /// <summary>A session whose every service endpoint is the proxy (as AWS_ENDPOINT_URL would make it).</summary>
    public AwsSession Session(string? directTo = null) =>
        new(new StaticCredentialSource(Credentials), "us-east-1", name => name == "AWS_ENDPOINT_URL" ? (directTo ?? Proxy.Url) : null);

    public static DeployOptions FastOptions => new()
    {
        PollInitialDelay = TimeSpan.FromMilliseconds(20), PollMaxDelay = TimeSpan.FromMilliseconds(100), WaitTimeout = TimeSpan.FromSeconds(20),
    };

    public static RetryPolicy FastRetry => new() { MaxAttempts = 5, BaseDelay = TimeSpan.FromMilliseconds(10), MaxDelay = TimeSpan.FromMilliseconds(50) };

    /// <summary>Creates an IAM role in moto with a signed IAM query call (straight to moto: not counted by the proxy).</summary>
    public string CreateRole(string name)
    {
        var client = new AwsServiceClient(Session(Moto.Url), "iam", "IAM", "iam");
        const string trust = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}""";
        var form = $"Action=CreateRole&Version=2010-05-08&RoleName={SigV4Signer.UriEncode(name)}&AssumeRolePolicyDocument={SigV4Signer.UriEncode(trust)}";
        try
        {
            client.SendAsync("CreateRole", HttpMethod.Post, "/", Encoding.UTF8.GetBytes(form), "application/x-www-form-urlencoded; charset=utf-8", null, default).GetAwaiter().GetResult();
        }
        catch (AwsServiceException e) when (e.ErrorCode == "EntityAlreadyExists") { }
        return AccountRolePrefix + name;
    }

    public void Dispose()
    {
        Proxy.Dispose();
        Moto.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class AwsCollection : ICollectionFixture<AwsFixture>
{
    public const string Name = "moto";
}

/// <summary>A log that keeps every line, for assertions on what deploy printed.</summary>
public sealed class RecordingLog : IBuildLog
{
    public List<string> Lines { get; } = [];
    public void Info(string message) { lock (Lines) Lines.Add(message); }
    public void Detail(string message) { lock (Lines) Lines.Add("detail: " + message); }
    public void Warning(string code, string message, string? file = null, int line = 0, int column = 0) { lock (Lines) Lines.Add($"warning {code}: {message}"); }
    public string Text { get { lock (Lines) return string.Join('\n', Lines); } }
}

public static class TestZips
{
    /// <summary>A zip with one Python module; the content varies with <paramref name="body"/>.</summary>
    public static string Write(string path, string body, string module = "lambda_function.py")
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.Delete(path);
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            var entry = zip.CreateEntry(module);
            entry.LastWriteTime = new DateTimeOffset(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);
            using var w = new StreamWriter(entry.Open());
            w.Write(body);
        }
        return path;
    }
}
