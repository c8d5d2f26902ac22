using System.Text.Json.Nodes;
using UvLambda.Core.Aws;
using UvLambda.Core.Aws.Ecr;
using UvLambda.Core.Aws.Lambda;
using UvLambda.Core.Deploy;
using UvLambda.Core.Diagnostics;
using UvLambda.Core.Tests.Aws;

namespace UvLambda.Core.Tests.Deploy;

/// <summary>Deploy against moto (through the recording, fault-injecting proxy).</summary>
[Collection(AwsCollection.Name)]
public sealed class LambdaDeployerTests(AwsFixture aws) : MotoDeployTests(aws)
{
    private Task<FunctionConfiguration?> Get(string name) => Moto.GetFunctionAsync(name, default);

    [Fact]
    public async Task Creates_the_function_then_a_second_deploy_makes_no_write_calls()
    {
        var name = Unique("create");
        var s = Zip(name) with
        {
            MemorySize = 256, Timeout = 30, Description = "hello", Architecture = "arm64",
            Environment = new Dictionary<string, string> { ["STAGE"] = "test", ["A_B"] = "x y" },
            FunctionUrlAuthType = "NONE",
        };
        var first = await Deploy(s);
        Assert.Contains($"function {name}", first.Created);
        Assert.Contains("function URL (NONE)", first.Created);
        Assert.Contains("public function URL permission (lambda:InvokeFunctionUrl)", first.Created);
        Assert.Contains("public function URL permission (lambda:InvokeFunction)", first.Created);
        var policy = await new LambdaRestClient(Aws.Session(Aws.Moto.Url)).GetPolicyAsync(name, default);
        Assert.Contains("FunctionURLAllowPublicAccess", policy);
        Assert.Contains("FunctionURLAllowInvokeAction", policy);
        Assert.False(string.IsNullOrEmpty(first.FunctionUrl));

        var f = (await Get(name))!;
        Assert.Equal("python3.12", f.Runtime);
        Assert.Equal("lambda_function.lambda_handler", f.Handler);
        Assert.Equal(256, f.MemorySize);
        Assert.Equal(30, f.Timeout);
        Assert.Equal("hello", f.Description);
        Assert.Equal(["arm64"], f.Architectures);
        Assert.Equal("test", f.Environment["STAGE"]);
        Assert.Equal(LambdaDeployer.CodeSha256(File.ReadAllBytes(s.PackagePath!)), f.CodeSha256);

        Aws.Proxy.ClearRequests();
        var second = await Deploy(s);
        Assert.Empty(Aws.Proxy.Writes);
        Assert.NotEmpty(Aws.Proxy.Requests);
        Assert.All(Aws.Proxy.Requests, r => Assert.True(r.Signed, r.ToString()));
        Assert.Empty(second.Created);
        Assert.Empty(second.Updated);
        Assert.Contains("code", second.Skipped);
        Assert.Contains("configuration", second.Skipped);
        Assert.Contains("function URL", second.Skipped);
        Assert.Equal(first.FunctionUrl, second.FunctionUrl);
        Assert.Contains(Log.Lines, l => l.Contains("code unchanged"));
    }

    [Fact]
    public async Task Updates_code_then_only_the_configuration_that_differs()
    {
        var name = Unique("update");
        await Deploy(Zip(name) with { MemorySize = 128 });

        Aws.Proxy.ClearRequests();
        var changedCode = Zip(name, "def lambda_handler(e, c):\n    return 2\n") with { MemorySize = 128 };
        var r1 = await Deploy(changedCode);
        Assert.Equal(["code"], r1.Updated);
        Assert.Equal(["PUT /2015-03-31/functions/" + name + "/code"], Aws.Proxy.Writes.Select(w => w.ToString()));
        Assert.Equal(LambdaDeployer.CodeSha256(File.ReadAllBytes(changedCode.PackagePath!)), (await Get(name))!.CodeSha256);

        Aws.Proxy.ClearRequests();
        var r2 = await Deploy(changedCode with { MemorySize = 512, Timeout = 60, Environment = new Dictionary<string, string> { ["K"] = "v" } });
        Assert.Contains("code", r2.Skipped);
        Assert.Single(r2.Updated);
        Assert.Contains("MemorySize 128 → 512", r2.Updated[0]);
        Assert.Equal(["PUT /2015-03-31/functions/" + name + "/configuration"], Aws.Proxy.Writes.Select(w => w.ToString()));
        var f = (await Get(name))!;
        Assert.Equal(512, f.MemorySize);
        Assert.Equal(60, f.Timeout);
        Assert.Equal("v", f.Environment["K"]);
    }

    [Fact]
    public async Task Publishes_a_layer_attaches_it_and_reuses_it_while_its_content_is_the_same()
    {
        var name = Unique("layered");
        var layer = Unique("deps");
        var s = Zip(name) with
        {
            PackageType = "Layer", LayerName = layer,
            LayerPackagePath = TestZips.Write(Temp.Combine(name, "layer.zip"), "X = 1\n", "python/dep.py"),
        };
        var first = await Deploy(s);
        Assert.Contains($"layer {layer} version 1", first.Created);
        Assert.Equal(first.LayerVersionArn, Assert.Single((await Get(name))!.Layers));

        Aws.Proxy.ClearRequests();
        var second = await Deploy(s);
        Assert.Empty(Aws.Proxy.Writes);
        Assert.Equal(first.LayerVersionArn, second.LayerVersionArn);
        Assert.Contains($"layer {layer}", second.Skipped);

        Aws.Proxy.ClearRequests();
        var third = await Deploy(s with { LayerPackagePath = TestZips.Write(Temp.Combine(name, "layer2.zip"), "X = 2\n", "python/dep.py") });
        Assert.Contains($"layer {layer} version 2", third.Created);
        Assert.Contains(third.Updated, u => u.StartsWith("configuration: Layers"));
        Assert.Equal(third.LayerVersionArn, Assert.Single((await Get(name))!.Layers));
        Assert.Equal(["POST", "PUT"], Aws.Proxy.Writes.Select(w => w.Method));
    }

    [Fact]
    public async Task A_function_created_by_hand_with_another_architecture_runtime_and_settings_is_brought_to_the_declared_ones()
    {
        var name = Unique("byhand");
        var s = Zip(name);
        // As the console would leave it: x86_64, python3.11, another handler, variables and tags the project does not declare.
        await Moto.CreateFunctionAsync(new CreateFunctionRequest
        {
            FunctionName = name, Role = s.Role!, Code = new FunctionCode(ZipFile: File.ReadAllBytes(Zip(name, "X = 0\n").PackagePath!)),
            Runtime = "python3.11", Handler = "other.handler", MemorySize = 1024, Timeout = 90,
            Environment = new Dictionary<string, string> { ["OLD"] = "1" }, Tags = new Dictionary<string, string> { ["old"] = "1" },
        }, default);

        var layer = Unique("deps");
        var declared = s with
        {
            PackageType = "Layer", LayerName = layer, LayerPackagePath = TestZips.Write(Temp.Combine(name, "layer.zip"), "X = 1\n", "python/dep.py"),
            Architecture = "arm64", MemorySize = 256, Timeout = 30,
            Environment = new Dictionary<string, string> { ["NEW"] = "2" }, Tags = new Dictionary<string, string> { ["team"] = "a" },
        };
        Aws.Proxy.ClearRequests();
        var r = await Deploy(declared);
        // moto keeps a function's architecture on UpdateFunctionCode (Lambda applies it): the request is what is checked.
        var codeUpdate = Assert.Single(Aws.Proxy.Writes, w => w.Method == "PUT" && w.PathOnly.EndsWith("/code", StringComparison.Ordinal));
        Assert.Equal(["arm64"], System.Text.Json.Nodes.JsonNode.Parse(codeUpdate.Body)!["Architectures"]!.AsArray().Select(a => a!.GetValue<string>()));
        var f = (await Get(name))!;
        Assert.Equal("python3.12", f.Runtime);
        Assert.Equal("lambda_function.lambda_handler", f.Handler);
        Assert.Equal((256, 30), (f.MemorySize, f.Timeout));
        Assert.Equal(["NEW"], f.Environment.Keys);
        Assert.Equal(r.LayerVersionArn, Assert.Single(f.Layers));
        Assert.Equal(LambdaDeployer.CodeSha256(File.ReadAllBytes(declared.PackagePath!)), f.CodeSha256);
        Assert.Equal(new Dictionary<string, string> { ["team"] = "a" }, f.Tags.Where(kv => !kv.Key.StartsWith("aws:", StringComparison.Ordinal)).ToDictionary());
    }

    [Fact]
    public async Task Deploys_an_image_and_creates_the_repository_when_allowed()
    {
        var name = Unique("image");
        var repo = name.ToLowerInvariant();
        var uri = $"123456789012.dkr.ecr.us-east-1.amazonaws.com/{repo}:v1";
        var s = new DeploySettings { FunctionName = name, PackageType = "Image", ImageUri = uri, Role = Aws.CreateRole("deploy-tests-role"), MemorySize = 1024 };

        var e = await Assert.ThrowsAsync<UvLambdaException>(() => Deploy(s));
        Assert.Equal(ErrorCodes.DeployRepositoryNotFound, e.Code);

        var first = await Deploy(s with { CreateRepository = true });
        Assert.Contains($"repository {repo}", first.Created);
        Assert.Contains($"function {name}", first.Created);
        var f = (await Get(name))!;
        Assert.Equal("Image", f.PackageType);
        Assert.Equal(uri, f.ImageUri);

        Aws.Proxy.ClearRequests();
        await Deploy(s with { CreateRepository = true });
        Assert.Empty(Aws.Proxy.Writes);

        var v2 = uri.Replace(":v1", ":v2");
        var third = await Deploy(s with { ImageUri = v2 });
        Assert.Contains("code", third.Updated);
        Assert.Equal(v2, (await Get(name))!.ImageUri);

        var zip = await Assert.ThrowsAsync<UvLambdaException>(() => Deploy(Zip(name)));
        Assert.Equal(ErrorCodes.DeployPackageTypeMismatch, zip.Code);
    }

    private sealed class FakePusher : IImagePusher
    {
        public EcrAuthorization? Login { get; private set; }
        public async Task<string> PushAsync(EcrRepository repository, Func<CancellationToken, Task<EcrAuthorization>> login, CancellationToken ct)
        {
            Login = await login(ct);
            return repository.RepositoryUri + "@sha256:" + new string('a', 64);
        }
    }

    [Fact]
    public async Task The_image_push_seam_gets_an_ECR_login_and_its_pushed_digest_is_deployed()
    {
        var name = Unique("pushed");
        var pusher = new FakePusher();
        var s = new DeploySettings { FunctionName = name, PackageType = "Image", EcrRepository = name, CreateRepository = true, Role = Aws.CreateRole("deploy-tests-role") };
        var result = await Deploy(s, pusher);
        Assert.NotNull(pusher.Login);
        Assert.False(string.IsNullOrEmpty(pusher.Login!.Password));
        Assert.DoesNotContain(pusher.Login.Password, pusher.Login.ToString());
        Assert.DoesNotContain(pusher.Login.Password, Log.Text);
        Assert.EndsWith("@sha256:" + new string('a', 64), result.ImageUri);
        Assert.Equal(result.ImageUri, (await Get(name))!.ImageUri);
    }

    [Fact]
    public async Task A_missing_function_without_a_role_is_UVL4010_and_writes_nothing()
    {
        Aws.Proxy.ClearRequests();
        var e = await Assert.ThrowsAsync<UvLambdaException>(() => Deploy(Zip(Unique("norole")) with { Role = null }));
        Assert.Equal(ErrorCodes.DeployRoleMissing, e.Code);
        Assert.Contains("LambdaRole", e.Message);
        Assert.Empty(Aws.Proxy.Writes);
    }

    [Fact]
    public async Task Zips_over_the_inline_limit_go_through_S3()
    {
        var name = Unique("big");
        var bucket = "uvlambda-" + Guid.NewGuid().ToString("N")[..12];
        using (var s3 = new Amazon.S3.AmazonS3Client(new Amazon.Runtime.BasicAWSCredentials("testing", "testing"),
            new Amazon.S3.AmazonS3Config { ServiceURL = Aws.Moto.Url, ForcePathStyle = true, AuthenticationRegion = "us-east-1" }))
            await s3.PutBucketAsync(bucket);
        var small = AwsFixture.FastOptions with { InlineZipLimit = 10 };
        var s = Zip(name);

        var e = await Assert.ThrowsAsync<UvLambdaException>(() => Deploy(s, options: small));
        Assert.Equal(ErrorCodes.DeployS3BucketRequired, e.Code);

        var result = await Deploy(s with { S3Bucket = bucket }, options: small);
        Assert.Contains($"function {name}", result.Created);
        Assert.Contains(Log.Lines, l => l.Contains($"uploaded s3://{bucket}/uvlambda/{name}/"));
        Assert.Equal(LambdaDeployer.CodeSha256(File.ReadAllBytes(s.PackagePath!)), (await Get(name))!.CodeSha256);
    }

    // Faults moto does not produce, injected by the proxy.

    [Fact]
    public async Task Throttling_and_server_errors_are_retried()
    {
        var name = Unique("throttled");
        Aws.Proxy.Fault(Is("POST", "/2015-03-31/functions"), 2, 429, "TooManyRequestsException", "Rate exceeded");
        Aws.Proxy.Fault(Is("GET", $"/functions/{name}"), 1, 503, "ServiceException", "try again");
        Aws.Proxy.ClearRequests();
        var result = await Deploy(Zip(name));
        Assert.Contains($"function {name}", result.Created);
        Assert.Equal(3, Aws.Proxy.Requests.Count(Is("POST", "/2015-03-31/functions")));
        Assert.Contains(Log.Lines, l => l.Contains("TooManyRequestsException; retrying"));
    }

    [Fact]
    public async Task A_conflict_is_retried_then_the_update_succeeds()
    {
        var name = Unique("conflict");
        await Deploy(Zip(name));
        Aws.Proxy.Fault(Is("PUT", "/code"), 2, 409, "ResourceConflictException", "An update is in progress for resource");
        var result = await Deploy(Zip(name, "x = 2\ndef lambda_handler(e, c):\n    return x\n"));
        Assert.Contains("code", result.Updated);
    }

    [Fact]
    public async Task Deploy_waits_while_the_function_is_Pending_or_updating()
    {
        var name = Unique("pending");
        Aws.Proxy.Rewrite(Is("GET", $"/functions/{name}/configuration"), 3, o => { o["State"] = "Pending"; o["LastUpdateStatus"] = "InProgress"; return o; });
        Aws.Proxy.ClearRequests();
        await Deploy(Zip(name));
        Assert.Equal(4, Aws.Proxy.Requests.Count(Is("GET", $"/functions/{name}/configuration")));
        Assert.Contains(Log.Lines, l => l.Contains("waiting for creation (State Pending"));
    }

    [Fact]
    public async Task A_Failed_update_is_UVL4014_with_Lambdas_reason()
    {
        var name = Unique("failed");
        await Deploy(Zip(name));
        Aws.Proxy.Rewrite(Is("GET", $"/functions/{name}/configuration"), 1, o =>
        {
            o["LastUpdateStatus"] = "Failed";
            o["LastUpdateStatusReasonCode"] = "InvalidRuntime";
            o["LastUpdateStatusReason"] = "Runtime python9 is not supported";
            return o;
        });
        var e = await Assert.ThrowsAsync<UvLambdaException>(() => Deploy(Zip(name, "changed = True\ndef lambda_handler(e, c): pass\n")));
        Assert.Equal(ErrorCodes.DeployFunctionFailed, e.Code);
        Assert.Contains("Runtime python9 is not supported", e.Message);
    }

    [Fact]
    public async Task Waiting_gives_up_after_the_timeout()
    {
        var name = Unique("stuck");
        Aws.Proxy.Rewrite(Is("GET", $"/functions/{name}/configuration"), 1000, o => { o["State"] = "Pending"; return o; });
        var e = await Assert.ThrowsAsync<UvLambdaException>(() => Deploy(Zip(name), options: AwsFixture.FastOptions with { WaitTimeout = TimeSpan.FromMilliseconds(300) }));
        Assert.Equal(ErrorCodes.DeployWaitTimeout, e.Code);
    }

    [Fact]
    public async Task AccessDenied_is_UVL4005_naming_the_denied_action()
    {
        Aws.Proxy.Fault(Is("POST", "/2015-03-31/functions"), 1, 403, "AccessDeniedException",
            "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: lambda:CreateFunction");
        var e = await Assert.ThrowsAsync<UvLambdaException>(() => Deploy(Zip(Unique("denied"))));
        Assert.Equal(ErrorCodes.AwsAccessDenied, e.Code);
        Assert.Contains("lambda:CreateFunction", e.Message);
    }

    [Fact]
    public async Task Lambda_rejections_map_to_handler_architecture_and_role_codes()
    {
        foreach (var (message, code) in new[]
        {
            ("The role defined for the function cannot be assumed by Lambda.", ErrorCodes.DeployRoleMissing),
            ("Handler 'x' is invalid", ErrorCodes.DeployInvalidHandler),
            ("Layer architecture arm64 is not compatible with function architecture x86_64", ErrorCodes.DeployArchitectureMismatch),
        })
        {
            Aws.Proxy.Fault(Is("POST", "/2015-03-31/functions"), 100, 400, "InvalidParameterValueException", message);
            var e = await Assert.ThrowsAsync<UvLambdaException>(() => Deploy(Zip(Unique("rejected")), options: AwsFixture.FastOptions with { RolePropagationAttempts = 2 }));
            Assert.Equal(code, e.Code);
            Aws.Proxy.ClearRules();
        }
    }

    [Fact]
    public async Task Rejected_credentials_are_UVL4007_and_another_rejected_setting_is_UVL4023()
    {
        foreach (var (status, error, message, code) in new[]
        {
            (403, "UnrecognizedClientException", "The security token included in the request is invalid.", ErrorCodes.AwsInvalidCredentials),
            (400, "InvalidParameterValueException", "Value 99999 at 'memorySize' failed to satisfy constraint", ErrorCodes.DeployInvalidParameter),
        })
        {
            Aws.Proxy.Fault(Is("POST", "/2015-03-31/functions"), 100, status, error, message);
            var e = await Assert.ThrowsAsync<UvLambdaException>(() => Deploy(Zip(Unique("rejected")), options: AwsFixture.FastOptions with { RolePropagationAttempts = 2 }));
            Assert.True(code == e.Code, $"{error}: {e.Code} {e.Message}");
            Assert.Contains(message, e.Message);
            Aws.Proxy.ClearRules();
        }
    }

    [Fact]
    public async Task An_unreachable_endpoint_is_UVL4006_naming_it_after_bounded_retries_without_the_secret()
    {
        // A port nothing listens on: bound then released, so the connection is refused at once.
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var endpoint = $"http://127.0.0.1:{((System.Net.IPEndPoint)listener.LocalEndpoint).Port}";
        listener.Stop();
        var session = new AwsSession(new StaticCredentialSource(AwsFixture.Credentials), "us-east-1", n => n == "AWS_ENDPOINT_URL" ? endpoint : null);
        var s = Zip(Unique("unreachable"));
        s.Validate();
        var deployer = new LambdaDeployer(new LambdaRestClient(session, AwsFixture.FastRetry, log: Log), null, null, Log, AwsFixture.FastOptions);

        var e = await Assert.ThrowsAsync<UvLambdaException>(() => deployer.DeployAsync(s));
        Assert.Equal(ErrorCodes.AwsRequestFailed, e.Code);
        Assert.Contains("lambda:GetFunction", e.Message);
        Assert.Contains("could not reach " + endpoint + " after 5 attempts", e.Message);
        Assert.DoesNotContain(AwsFixture.Credentials.SecretAccessKey, e.Message + string.Join("\n", Log.Lines));
    }

    [Fact]
    public async Task An_image_deploy_with_neither_an_image_uri_nor_a_repository_is_UVL4022_and_writes_nothing()
    {
        var s = new DeploySettings { FunctionName = Unique("noimage"), PackageType = "Image", Role = Aws.CreateRole("deploy-tests-role") };
        Aws.Proxy.ClearRequests();
        var e = await Assert.ThrowsAsync<UvLambdaException>(() => Deploy(s));
        Assert.Equal(ErrorCodes.DeployImageMissing, e.Code);
        Assert.Contains("LambdaImageUri", e.Message);
        Assert.Empty(Aws.Proxy.Writes);
    }

    [Fact]
    public async Task ECR_client_talks_to_moto()
    {
        var ecr = new EcrClient(Aws.Session());
        var repo = Unique("repo");
        Assert.Null(await ecr.DescribeRepositoryAsync(repo, default));
        var created = await ecr.CreateRepositoryAsync(repo, default);
        Assert.Equal(repo, created.RepositoryName);
        Assert.Equal(created.RepositoryUri, (await ecr.DescribeRepositoryAsync(repo, default))!.RepositoryUri);
        var auth = await ecr.GetAuthorizationTokenAsync(default);
        Assert.Equal("AWS", auth.Username);
        Assert.NotEmpty(auth.Password);
        Assert.Contains(Aws.Proxy.Requests, r => r.Target == "AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken");
    }
}
