using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using UvLambda.Core.Tests.Aws;

namespace UvLambda.EndToEnd.Tests;

/// <summary>
/// `dotnet publish -p:DeployTarget=Lambda` of samples/hello against moto (started here, on 127.0.0.1), through the
/// recording proxy: AWS_ENDPOINT_URL points at it, credentials are fake, the role is created with the aws CLI.
/// </summary>
[Collection(PackedSdkCollection.Name)]
public sealed class DeployTests(PackedSdk sdk) : IDisposable
{
    private const string Secret = "s3cr3t-NEVER-PRINTED-abc123";
    private const string Token = "t0ken-NEVER-PRINTED-xyz789";

    private readonly MotoServer _moto = new();
    private FaultProxy? _proxy;
    private FaultProxy Proxy => _proxy ??= new FaultProxy(_moto.Url);

    public void Dispose()
    {
        _proxy?.Dispose();
        _moto.Dispose();
    }

    private Dictionary<string, string?> AwsEnvironment() => new()
    {
        ["AWS_ENDPOINT_URL"] = Proxy.Url,
        ["AWS_ACCESS_KEY_ID"] = "testing",
        ["AWS_SECRET_ACCESS_KEY"] = Secret,
        ["AWS_SESSION_TOKEN"] = Token,
        ["AWS_REGION"] = "us-east-1",
        ["AWS_DEFAULT_REGION"] = "us-east-1",
        ["AWS_CONFIG_FILE"] = "/nonexistent/aws-config",
        ["AWS_SHARED_CREDENTIALS_FILE"] = "/nonexistent/aws-credentials",
        ["AWS_EC2_METADATA_DISABLED"] = "true",
    };

    private ProcessResult Aws(params string[] args)
    {
        var env = AwsEnvironment();
        env["AWS_ENDPOINT_URL"] = _moto.Url;
        return sdk.Run(env, "aws", sdk.Root, [.. args, "--output", "json"]);
    }

    private string CreateRole()
    {
        const string trust = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}""";
        var r = Aws("iam", "create-role", "--role-name", "hello-role", "--assume-role-policy-document", trust);
        Assert.True(r.ExitCode == 0, "aws iam create-role failed (is the aws CLI on PATH?):\n" + r.Output);
        return JsonNode.Parse(r.StandardOutput)!["Role"]!["Arn"]!.GetValue<string>();
    }

    private ProcessResult Publish(string project, params string[] args) =>
        sdk.Run(AwsEnvironment(), "dotnet", project, ["publish", "-p:DeployTarget=Lambda", .. args]);

    [Fact]
    public void Publish_without_credentials_is_UVL4001_and_without_a_region_UVL4002_before_any_AWS_request()
    {
        var project = sdk.CopySample("hello");
        // Nothing the AWS SDK's default chains could find: no keys, profile files, container or instance metadata.
        var env = AwsEnvironment();
        foreach (var name in new[] { "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
            "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN",
            "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI" })
            env[name] = null;
        Proxy.ClearRequests();

        var noCredentials = sdk.Run(env, "dotnet", project, ["publish", "-p:DeployTarget=Lambda", "-p:AWSRegion=us-east-1"]);
        Assert.NotEqual(0, noCredentials.ExitCode);
        Assert.Contains("error UVL4001", noCredentials.Output);

        env["AWS_ACCESS_KEY_ID"] = "testing";
        env["AWS_SECRET_ACCESS_KEY"] = Secret;
        var noRegion = sdk.Run(env, "dotnet", project, ["publish", "-p:DeployTarget=Lambda"]);
        Assert.NotEqual(0, noRegion.ExitCode);
        Assert.Contains("error UVL4002", noRegion.Output);
        Assert.Contains("AWSRegion", noRegion.Output);
        Assert.DoesNotContain(Secret, noRegion.Output);
        Assert.Empty(Proxy.Requests);
    }

    [Fact]
    public void Dotnet_publish_creates_the_function_then_a_second_publish_writes_nothing()
    {
        var project = sdk.CopySample("hello");
        var pyproj = Path.Combine(project, "hello.pyproj");
        File.WriteAllText(pyproj, File.ReadAllText(pyproj).Replace("</Project>",
            "  <ItemGroup>\n    <LambdaEnvironmentVariable Include=\"GREETING\" Value=\"hi\" />\n  </ItemGroup>\n</Project>"));

        var missingRole = Publish(project);
        Assert.NotEqual(0, missingRole.ExitCode);
        Assert.Contains("UVL4010", missingRole.Output);

        var role = CreateRole();
        var first = Publish(project, $"-p:LambdaRole={role}", "-p:LambdaMemorySize=256", "-p:LambdaFunctionUrl=NONE", "-bl:first.binlog").EnsureSuccess();
        Assert.Contains("created function arn:aws:lambda:us-east-1:123456789012:function:hello", first.Output);
        Assert.Contains("function URL (NONE): http", first.Output);

        var fn = JsonNode.Parse(Aws("lambda", "get-function", "--function-name", "hello").EnsureSuccess().StandardOutput)!["Configuration"]!;
        Assert.Equal("python3.13", fn["Runtime"]!.GetValue<string>());
        Assert.Equal("app.main.handler", fn["Handler"]!.GetValue<string>());
        Assert.Equal(256, fn["MemorySize"]!.GetValue<int>());
        Assert.Equal("hi", fn["Environment"]!["Variables"]!["GREETING"]!.GetValue<string>());
        var zip = File.ReadAllBytes(Path.Combine(project, "bin", "Debug", "package.zip"));
        Assert.Equal(Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(zip)), fn["CodeSha256"]!.GetValue<string>());

        Proxy.ClearRequests();
        // The role by name: completed with the caller's account (sts:GetCallerIdentity, a read), it is the same role.
        var roleName = role[(role.IndexOf(":role/", StringComparison.Ordinal) + ":role/".Length)..];
        // At diagnostic verbosity too: the secret checks below cover everything MSBuild and the task print.
        var second = Publish(project, $"-p:LambdaRole={roleName}", "-p:LambdaMemorySize=256", "-p:LambdaFunctionUrl=NONE", "-v:diag").EnsureSuccess();
        Assert.Empty(Proxy.Writes);
        Assert.NotEmpty(Proxy.Requests);
        Assert.Contains("code unchanged", second.Output);
        Assert.Contains("configuration unchanged, skipped", second.Output);
        Assert.Contains("Task Parameter:", second.Output); // it did run at diagnostic verbosity

        File.AppendAllText(Path.Combine(project, "app", "main.py"), "\n# changed\n");
        Proxy.ClearRequests();
        var third = Publish(project, $"-p:LambdaRole={role}", "-p:LambdaMemorySize=512", "-p:LambdaFunctionUrl=NONE").EnsureSuccess();
        Assert.Contains("updated code", third.Output);
        Assert.Contains("MemorySize 256 → 512", third.Output);
        Assert.Equal(["PUT /2015-03-31/functions/hello/code", "PUT /2015-03-31/functions/hello/configuration"], Proxy.Writes.Select(w => w.ToString()));

        // Secrets: never in the output, never in the binary log.
        foreach (var output in new[] { first.Output, second.Output, third.Output })
        {
            Assert.DoesNotContain(Secret, output);
            Assert.DoesNotContain(Token, output);
        }
        var binlog = Decompress(Path.Combine(project, "first.binlog"));
        Assert.Contains("DeployLambda", binlog);
        Assert.DoesNotContain(Secret, binlog);
        Assert.DoesNotContain(Token, binlog);
    }

    [Fact]
    public void Publish_without_DeployTarget_only_builds_and_an_unknown_target_is_an_error()
    {
        var project = sdk.CopySample("hello");
        var built = sdk.Run(AwsEnvironment(), "dotnet", project, ["publish"]).EnsureSuccess();
        Assert.True(File.Exists(Path.Combine(project, "bin", "Release", "package.zip")) || File.Exists(Path.Combine(project, "bin", "Debug", "package.zip")), built.Output);
        Assert.Empty(Proxy.Requests);
        var bad = sdk.Run(AwsEnvironment(), "dotnet", project, ["publish", "-p:DeployTarget=Azure"]);
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("UVL4018", bad.Output);
    }

    [Fact]
    public void Credentials_and_region_come_from_the_AWSProfile_profile()
    {
        var project = sdk.CopySample("hello");
        var role = CreateRole();
        var aws = Path.Combine(sdk.Root, "aws-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(aws);
        File.WriteAllText(Path.Combine(aws, "credentials"), $"[deployer]\naws_access_key_id = profilekey\naws_secret_access_key = {Secret}\n");
        File.WriteAllText(Path.Combine(aws, "config"), "[profile deployer]\nregion = eu-west-1\n");
        var env = AwsEnvironment();
        env["AWS_SHARED_CREDENTIALS_FILE"] = Path.Combine(aws, "credentials");
        env["AWS_CONFIG_FILE"] = Path.Combine(aws, "config");
        foreach (var name in new[] { "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION", "AWS_DEFAULT_REGION" }) env[name] = null;

        var missing = sdk.Run(env, "dotnet", project, ["publish", "-p:DeployTarget=Lambda", "-p:AWSProfile=nobody", $"-p:LambdaRole={role}"]);
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("UVL4003", missing.Output);

        var result = sdk.Run(env, "dotnet", project, ["publish", "-p:DeployTarget=Lambda", "-p:AWSProfile=deployer", $"-p:LambdaRole={role}", "-p:LambdaFunctionName=hello-profile"]).EnsureSuccess();
        Assert.Contains("created function arn:aws:lambda:eu-west-1:123456789012:function:hello-profile", result.Output);
        Assert.DoesNotContain(Secret, result.Output);
        Assert.Contains(Proxy.Requests, r => r.Path.Contains("/functions/hello-profile"));
    }

    private List<string> Layers(string function) =>
        JsonNode.Parse(Aws("lambda", "get-function", "--function-name", function).EnsureSuccess().StandardOutput)!["Configuration"]!["Layers"] is JsonArray layers
            ? layers.Select(l => l!["Arn"]!.GetValue<string>()).ToList() : [];

    [Fact]
    public void Switching_Layer_to_Zip_leaves_exactly_the_declared_LambdaLayer_items()
    {
        var project = sdk.CopySample("hello");
        var role = CreateRole();
        const string name = "hello-layers";
        var layered = Publish(project, $"-p:LambdaRole={role}", "-p:LambdaPackageType=Layer", $"-p:LambdaFunctionName={name}").EnsureSuccess();
        // hello has no third-party packages: its build may make a dependency layer, or none (then none is published).
        var published = System.Text.RegularExpressions.Regex.Match(layered.Output, $@"published layer {name}-dependencies version \d+ \((arn:[^)]+)\)");
        if (published.Success) Assert.Equal([published.Groups[1].Value], Layers(name));
        else
        {
            Assert.Contains("no dependency layer", layered.Output);
            Assert.Empty(Layers(name));
        }

        // Zip: the project's dependency layer is detached (configuration updated, not "unchanged, skipped").
        Publish(project, $"-p:LambdaRole={role}", "-p:LambdaPackageType=Zip", $"-p:LambdaFunctionName={name}").EnsureSuccess();
        Assert.Empty(Layers(name));

        // One LambdaLayer item: exactly it.
        var zip = Path.Combine(sdk.Root, $"external-{Guid.NewGuid():N}.zip");
        using (var archive = ZipFile.Open(zip, ZipArchiveMode.Create))
        using (var writer = new StreamWriter(archive.CreateEntry("python/external.py").Open()))
            writer.Write("X = 1\n");
        var external = JsonNode.Parse(Aws("lambda", "publish-layer-version", "--layer-name", "external-tools", "--zip-file", "fileb://" + zip)
            .EnsureSuccess().StandardOutput)!["LayerVersionArn"]!.GetValue<string>();
        var pyproj = Path.Combine(project, "hello.pyproj");
        File.WriteAllText(pyproj, File.ReadAllText(pyproj).Replace("</Project>", $"  <ItemGroup>\n    <LambdaLayer Include=\"{external}\" />\n  </ItemGroup>\n</Project>"));
        Publish(project, $"-p:LambdaRole={role}", "-p:LambdaPackageType=Zip", $"-p:LambdaFunctionName={name}").EnsureSuccess();
        Assert.Equal([external], Layers(name));

        Proxy.ClearRequests();
        Publish(project, $"-p:LambdaRole={role}", "-p:LambdaPackageType=Zip", $"-p:LambdaFunctionName={name}").EnsureSuccess();
        Assert.Empty(Proxy.Writes);
        Assert.NotEmpty(Proxy.Requests);
    }

    [Fact]
    public void Production_properties_and_items_reach_the_deploy_and_every_request_matches_Lambdas_model()
    {
        var project = sdk.CopySample("hello");
        var pyproj = Path.Combine(project, "hello.pyproj");
        const string accessPoint = "arn:aws:elasticfilesystem:us-east-1:123456789012:access-point/fsap-0123456789abcdef0";
        const string queue = "arn:aws:sqs:us-east-1:123456789012:dead-letters";
        const string key = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        File.WriteAllText(pyproj, File.ReadAllText(pyproj).Replace("</Project>", $$"""
              <PropertyGroup>
                <LambdaFunctionName>hello-prod</LambdaFunctionName>
                <LambdaAlias>live</LambdaAlias>
                <LambdaSnapStart>None</LambdaSnapStart>
                <LambdaReservedConcurrency>3</LambdaReservedConcurrency>
                <LambdaSubnetIds>subnet-0123456789abcdef0;subnet-0123456789abcdef1</LambdaSubnetIds>
                <LambdaSecurityGroupIds>sg-0123456789abcdef0</LambdaSecurityGroupIds>
                <LambdaTracingMode>Active</LambdaTracingMode>
                <LambdaEphemeralStorageSize>1024</LambdaEphemeralStorageSize>
                <LambdaLogFormat>JSON</LambdaLogFormat>
                <LambdaLogGroup>/custom/hello</LambdaLogGroup>
                <LambdaApplicationLogLevel>INFO</LambdaApplicationLogLevel>
                <LambdaSystemLogLevel>WARN</LambdaSystemLogLevel>
                <LambdaDeadLetterTargetArn>{{queue}}</LambdaDeadLetterTargetArn>
                <LambdaKmsKeyArn>{{key}}</LambdaKmsKeyArn>
              </PropertyGroup>
              <ItemGroup>
                <LambdaTag Include="team" Value="payments" />
                <LambdaTag Include="stage" Value="prod" />
                <LambdaFileSystem Include="{{accessPoint}}" LocalMountPath="/mnt/data" />
              </ItemGroup>
            </Project>
            """));
        var role = CreateRole();

        Publish(project, $"-p:LambdaRole={role}").EnsureSuccess();

        var requests = Proxy.Requests;
        var report = BotocoreModel.Validate(requests);
        Assert.True(report.Errors.Count == 0, string.Join("\n", report.Errors));
        Assert.True(report.Unmatched.Count == 0, "no Lambda operation for: " + string.Join("\n", report.Unmatched));
        var create = JsonNode.Parse(Assert.Single(requests, r => r.Method == "POST" && r.PathOnly == "/2015-03-31/functions").Body)!;
        Assert.Equal("Active", create["TracingConfig"]!["Mode"]!.GetValue<string>());
        Assert.Equal("None", create["SnapStart"]!["ApplyOn"]!.GetValue<string>());
        Assert.Equal(1024, create["EphemeralStorage"]!["Size"]!.GetValue<int>());
        Assert.Equal("""{"SubnetIds":["subnet-0123456789abcdef0","subnet-0123456789abcdef1"],"SecurityGroupIds":["sg-0123456789abcdef0"]}""", create["VpcConfig"]!.ToJsonString());
        Assert.Equal("""{"LogFormat":"JSON","LogGroup":"/custom/hello","ApplicationLogLevel":"INFO","SystemLogLevel":"WARN"}""", create["LoggingConfig"]!.ToJsonString());
        Assert.Equal(queue, create["DeadLetterConfig"]!["TargetArn"]!.GetValue<string>());
        Assert.Equal(key, create["KMSKeyArn"]!.GetValue<string>());
        Assert.Equal("""{"stage":"prod","team":"payments"}""", create["Tags"]!.ToJsonString());
        Assert.Equal($$"""[{"Arn":"{{accessPoint}}","LocalMountPath":"/mnt/data"}]""", create["FileSystemConfigs"]!.ToJsonString());
        Assert.Equal(3, JsonNode.Parse(Assert.Single(requests, r => r.Method == "PUT" && r.PathOnly == "/2017-10-31/functions/hello-prod/concurrency").Body)!["ReservedConcurrentExecutions"]!.GetValue<int>());
        Assert.Single(requests, r => r.Method == "POST" && r.PathOnly == "/2015-03-31/functions/hello-prod/versions");
        var alias = JsonNode.Parse(Aws("lambda", "get-alias", "--function-name", "hello-prod", "--name", "live").EnsureSuccess().StandardOutput)!;
        Assert.Equal("1", alias["FunctionVersion"]!.GetValue<string>());
        var fn = JsonNode.Parse(Aws("lambda", "get-function", "--function-name", "hello-prod").EnsureSuccess().StandardOutput)!;
        Assert.Equal("payments", fn["Tags"]!["team"]!.GetValue<string>());
        Assert.Equal(3, fn["Concurrency"]!["ReservedConcurrentExecutions"]!.GetValue<int>());
    }

    /// <summary>The binary log's event stream (gzip), as text, to search for strings.</summary>
    private static string Decompress(string binlog)
    {
        using var gzip = new GZipStream(File.OpenRead(binlog), CompressionMode.Decompress);
        using var buffer = new MemoryStream();
        gzip.CopyTo(buffer);
        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
