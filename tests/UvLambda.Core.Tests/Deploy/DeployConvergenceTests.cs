using System.Text.Json.Nodes;
using UvLambda.Core.Aws;
using UvLambda.Core.Aws.Ecr;
using UvLambda.Core.Aws.Lambda;
using UvLambda.Core.Deploy;
using UvLambda.Core.Diagnostics;
using UvLambda.Core.Tests.Aws;

namespace UvLambda.Core.Tests.Deploy;

/// <summary>
/// Deploys converge to what the project declares whatever the network lost: answers dropped after moto did the
/// work, "already exists" conflicts, layers no longer declared. Every test reads the end state back from moto.
/// </summary>
[Collection(AwsCollection.Name)]
public sealed class DeployConvergenceTests(AwsFixture aws) : MotoDeployTests(aws)
{
    private string LayerZip(string name, string content) => TestZips.Write(Temp.Combine(name, Guid.NewGuid().ToString("N") + ".zip"), content, "python/dep.py");

    private async Task<FunctionConfiguration> Get(string name) => (await Moto.GetFunctionAsync(name, default))!;

    /// <summary>The statements of the function's policy, by Sid.</summary>
    private async Task<List<JsonObject>> Statements(string name)
    {
        var policy = await Moto.GetPolicyAsync(name, default);
        return policy is null ? [] : JsonNode.Parse(policy)!["Statement"]!.AsArray().OfType<JsonObject>().ToList();
    }

    [Fact]
    public async Task A_lost_CreateFunction_answer_ends_with_one_function_configured_as_declared()
    {
        var name = Unique("lostcreate");
        var s = Zip(name) with { MemorySize = 384, Timeout = 42, Environment = new Dictionary<string, string> { ["STAGE"] = "lost" } };
        Aws.Proxy.DropAnswer(Is("POST", "/2015-03-31/functions"), 1);
        var dropped = Aws.Proxy.DroppedAnswers;
        Aws.Proxy.ClearRequests();

        await Deploy(s);

        Assert.Equal(dropped + 1, Aws.Proxy.DroppedAnswers);
        Assert.Contains(Log.Lines, l => l.Contains("checking whether it took effect"));
        // Checked, not resent: one CreateFunction, then the function was read and found as declared.
        Assert.Single(Aws.Proxy.Requests, r => Is("POST", "/2015-03-31/functions")(r));
        Assert.DoesNotContain(Aws.Proxy.Writes, w => w.Method == "PUT");
        var f = await Get(name);
        Assert.Equal(384, f.MemorySize);
        Assert.Equal(42, f.Timeout);
        Assert.Equal("lost", f.Environment["STAGE"]);
        Assert.Equal(LambdaDeployer.CodeSha256(File.ReadAllBytes(s.PackagePath!)), f.CodeSha256);

        Aws.Proxy.ClearRequests();
        await Deploy(s);
        Assert.Empty(Aws.Proxy.Writes);
    }

    [Fact]
    public async Task A_5xx_on_a_publish_is_checked_then_written_again_once()
    {
        var name = Unique("fivexx");
        var layer = Unique("deps");
        Aws.Proxy.Fault(Is("POST", $"/layers/{layer}/versions"), 1, 500, "ServiceException", "We encountered an internal error.");
        Aws.Proxy.ClearRequests();

        await Deploy(Zip(name) with { PackageType = "Layer", LayerName = layer, LayerPackagePath = LayerZip(name, "X = 1\n") });

        var calls = Aws.Proxy.Requests.Select(r => $"{r.Method} {r.PathOnly}").ToList();
        var posts = calls.Select((c, i) => (c, i)).Where(x => x.c == $"POST /2018-10-31/layers/{layer}/versions").Select(x => x.i).ToList();
        Assert.Equal(2, posts.Count);
        // Between the failed publish and the second one, the versions were read.
        Assert.Contains($"GET /2018-10-31/layers/{layer}/versions", calls[posts[0]..posts[1]]);
        Assert.Single(await Moto.ListLayerVersionsAsync(layer, default));
    }

    [Fact]
    public async Task A_create_that_never_gets_an_answer_gives_up_with_UVL4006_after_bounded_checks()
    {
        var name = Unique("noanswer");
        Aws.Proxy.Fault(Is("POST", "/2015-03-31/functions"), 100, 500, "ServiceException", "We encountered an internal error.");
        Aws.Proxy.ClearRequests();

        var e = await Assert.ThrowsAsync<UvLambdaException>(() => Deploy(Zip(name)));

        Assert.Equal(ErrorCodes.AwsRequestFailed, e.Code);
        Assert.Contains("lambda:CreateFunction", e.Message);
        Assert.Equal(AwsFixture.FastOptions.LostAnswerAttempts, Aws.Proxy.Requests.Count(Is("POST", "/2015-03-31/functions")));
        Assert.Null(await Moto.GetFunctionAsync(name, default));
    }

    [Fact]
    public async Task A_Function_already_exist_conflict_is_read_and_converged_as_an_update_not_retried()
    {
        var name = Unique("conflictcreate");
        await Deploy(Zip(name) with { MemorySize = 128 });
        // The read misses the function (as when another deploy creates it meanwhile): CreateFunction meets moto's 409.
        Aws.Proxy.Fault(Is("GET", $"/functions/{name}"), 1, 404, "ResourceNotFoundException", "Function not found");
        Aws.Proxy.ClearRequests();

        var result = await Deploy(Zip(name) with { MemorySize = 512 });

        Assert.Single(Aws.Proxy.Requests, r => Is("POST", "/2015-03-31/functions")(r));
        Assert.Contains(result.Updated, u => u.Contains("MemorySize 128 → 512"));
        Assert.Equal(512, (await Get(name)).MemorySize);
        Assert.Contains(Log.Lines, l => l.Contains("already exists"));
    }

    [Fact]
    public async Task A_lost_PublishLayerVersion_answer_leaves_one_layer_version_per_content()
    {
        var name = Unique("lostlayer");
        var layer = Unique("deps");
        var first = LayerZip(name, "X = 1\n");
        var s = Zip(name) with { PackageType = "Layer", LayerName = layer, LayerPackagePath = first };
        Aws.Proxy.DropAnswer(Is("POST", $"/layers/{layer}/versions"), 1);
        var dropped = Aws.Proxy.DroppedAnswers;
        Aws.Proxy.ClearRequests();

        var r1 = await Deploy(s);

        Assert.Equal(dropped + 1, Aws.Proxy.DroppedAnswers);
        Assert.Contains(Log.Lines, l => l.Contains("checking whether it took effect"));
        Assert.Single(Aws.Proxy.Requests, r => Is("POST", $"/layers/{layer}/versions")(r));
        var versions = await Moto.ListLayerVersionsAsync(layer, default);
        var v1 = Assert.Single(versions);
        Assert.Equal(v1.LayerVersionArn, r1.LayerVersionArn);
        Assert.Equal([v1.LayerVersionArn], (await Get(name)).Layers);

        // A later re-publish of the same content writes nothing; new content is one more version; the first content
        // again reuses its version.
        Aws.Proxy.ClearRequests();
        await Deploy(s);
        Assert.Empty(Aws.Proxy.Writes);
        await Deploy(s with { LayerPackagePath = LayerZip(name, "X = 2\n") });
        Assert.Equal(2, (await Moto.ListLayerVersionsAsync(layer, default)).Count);
        var back = await Deploy(s with { LayerPackagePath = first });
        Assert.Equal(2, (await Moto.ListLayerVersionsAsync(layer, default)).Count);
        Assert.Equal(v1.LayerVersionArn, back.LayerVersionArn);
        Assert.Equal([v1.LayerVersionArn], (await Get(name)).Layers);
    }

    [Fact]
    public async Task Lost_AddPermission_answers_leave_one_statement_per_permission()
    {
        var name = Unique("lostperm");
        Aws.Proxy.DropAnswer(Is("POST", $"/functions/{name}/policy"), 2);
        var dropped = Aws.Proxy.DroppedAnswers;
        Aws.Proxy.ClearRequests();

        await Deploy(Zip(name) with { FunctionUrlAuthType = "NONE" });

        Assert.Equal(dropped + 2, Aws.Proxy.DroppedAnswers);
        Assert.Contains(Log.Lines, l => l.Contains("checking whether it took effect"));
        Assert.Equal(2, Aws.Proxy.Requests.Count(Is("POST", $"/functions/{name}/policy")));
        // moto appends a statement per AddPermission, even with a Sid it has: a blind resend would show twice.
        var sids = (await Statements(name)).Select(st => (string?)st["Sid"]).ToList();
        Assert.Equal(["FunctionURLAllowInvokeAction", "FunctionURLAllowPublicAccess"], sids.Order());

        Aws.Proxy.ClearRequests();
        await Deploy(Zip(name) with { FunctionUrlAuthType = "NONE" });
        Assert.Empty(Aws.Proxy.Writes);
    }

    [Fact]
    public async Task A_statement_id_conflict_is_done_when_the_existing_statement_is_the_one_wanted()
    {
        var name = Unique("permconflict");
        await Deploy(Zip(name) with { FunctionUrlAuthType = "NONE" });
        // The policy read misses, AddPermission meets Lambda's 409 for a Sid it has.
        Aws.Proxy.Fault(Is("GET", $"/functions/{name}/policy"), 1, 404, "ResourceNotFoundException", "The resource you requested does not exist.");
        Aws.Proxy.Fault(Is("POST", $"/functions/{name}/policy"), 2, 409, "ResourceConflictException",
            "The statement id (FunctionURLAllowPublicAccess) provided already exists. Please provide a new statement id, or remove the existing statement.");
        Aws.Proxy.ClearRequests();

        await Deploy(Zip(name) with { FunctionUrlAuthType = "NONE" });

        Assert.Equal(2, Aws.Proxy.Requests.Count(Is("POST", $"/functions/{name}/policy")));
        Assert.DoesNotContain(Aws.Proxy.Requests, r => r.Method == "DELETE");
        Assert.Equal(2, (await Statements(name)).Count);
    }

    [Fact]
    public async Task A_statement_with_our_id_that_grants_something_else_is_replaced()
    {
        var name = Unique("permwrong");
        await Deploy(Zip(name));
        await Moto.AddPermissionAsync(new AddPermissionRequest(name, "FunctionURLAllowPublicAccess", "lambda:GetFunction", "*"), default);
        Aws.Proxy.Fault(Is("GET", $"/functions/{name}/policy"), 1, 404, "ResourceNotFoundException", "The resource you requested does not exist.");
        Aws.Proxy.Fault(r => Is("POST", $"/functions/{name}/policy")(r) && r.Body.Contains("FunctionURLAllowPublicAccess"), 1, 409, "ResourceConflictException",
            "The statement id (FunctionURLAllowPublicAccess) provided already exists. Please provide a new statement id, or remove the existing statement.");

        await Deploy(Zip(name) with { FunctionUrlAuthType = "NONE" });

        var statements = await Statements(name);
        var url = Assert.Single(statements, st => (string?)st["Sid"] == "FunctionURLAllowPublicAccess");
        Assert.Equal("lambda:InvokeFunctionUrl", (string?)url["Action"]);
        Assert.Single(statements, st => (string?)st["Sid"] == "FunctionURLAllowInvokeAction");
    }

    [Fact]
    public async Task A_lost_or_conflicting_CreateFunctionUrlConfig_is_read_then_converged()
    {
        var name = Unique("losturl");
        Aws.Proxy.DropAnswer(Is("POST", $"/functions/{name}/url"), 1);
        Aws.Proxy.ClearRequests();
        var r1 = await Deploy(Zip(name) with { FunctionUrlAuthType = "AWS_IAM" });
        Assert.Single(Aws.Proxy.Requests, r => Is("POST", $"/functions/{name}/url")(r));
        Assert.Contains(Log.Lines, l => l.Contains("CreateFunctionUrlConfig") && l.Contains("checking whether it took effect"));
        Assert.Equal("AWS_IAM", (await Moto.GetFunctionUrlConfigAsync(name, default))!.AuthType);
        Assert.False(string.IsNullOrEmpty(r1.FunctionUrl));

        // The read misses the URL, the create meets Lambda's 409: read it and update its auth type to the declared one.
        Aws.Proxy.Fault(Is("GET", $"/functions/{name}/url"), 1, 404, "ResourceNotFoundException", "The resource you requested does not exist.");
        Aws.Proxy.Fault(Is("POST", $"/functions/{name}/url"), 1, 409, "ResourceConflictException",
            $"Failed to create function url config for [functionArn = {name}]. Error message:  FunctionUrlConfig exists for this Lambda function");
        Aws.Proxy.ClearRequests();
        var r2 = await Deploy(Zip(name) with { FunctionUrlAuthType = "NONE" });
        Assert.Single(Aws.Proxy.Requests, r => Is("POST", $"/functions/{name}/url")(r));
        Assert.Contains("function URL auth NONE", r2.Updated);
        Assert.Equal("NONE", (await Moto.GetFunctionUrlConfigAsync(name, default))!.AuthType);
        Assert.Equal(2, (await Statements(name)).Count);

        // Back to AWS_IAM: the public statements go, or any AWS identity could invoke it through the URL.
        var r3 = await Deploy(Zip(name) with { FunctionUrlAuthType = "AWS_IAM" });
        Assert.Contains("function URL auth AWS_IAM", r3.Updated);
        Assert.Equal("AWS_IAM", (await Moto.GetFunctionUrlConfigAsync(name, default))!.AuthType);
        Assert.Empty(await Statements(name));
        Aws.Proxy.ClearRequests();
        await Deploy(Zip(name) with { FunctionUrlAuthType = "AWS_IAM" });
        Assert.Empty(Aws.Proxy.Writes);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public async Task Switching_Layer_to_Zip_leaves_exactly_the_declared_external_layers(int externalCount)
    {
        var name = Unique("tozip");
        var external = new List<string>();
        for (var i = 0; i < externalCount; i++)
        {
            var published = await Moto.PublishLayerVersionAsync(new PublishLayerVersionRequest(Unique("external"),
                new FunctionCode(ZipFile: File.ReadAllBytes(LayerZip(name, $"E = {i}\n"))), "from elsewhere", ["python3.12"], ["x86_64"]), default);
            external.Add(published.LayerVersionArn);
        }
        var layered = await Deploy(Zip(name) with
        {
            PackageType = "Layer", LayerName = Unique("deps"), LayerPackagePath = LayerZip(name, "X = 1\n"), ExternalLayers = external,
        });
        Assert.Equal([layered.LayerVersionArn!, .. external], (await Get(name)).Layers);

        var zip = await Deploy(Zip(name) with { ExternalLayers = external });
        Assert.Contains(zip.Updated, u => u.StartsWith("configuration: Layers", StringComparison.Ordinal));
        Assert.Equal(external, (await Get(name)).Layers);

        Aws.Proxy.ClearRequests();
        await Deploy(Zip(name) with { ExternalLayers = external });
        Assert.Empty(Aws.Proxy.Writes);
    }

    [Fact]
    public async Task A_Layer_project_without_a_dependency_layer_publishes_none_and_detaches_the_old_one()
    {
        var name = Unique("nodeps");
        var layer = Unique("deps");
        var withDeps = await Deploy(Zip(name) with { PackageType = "Layer", LayerName = layer, LayerPackagePath = LayerZip(name, "X = 1\n") });
        Assert.Single((await Get(name)).Layers);

        Aws.Proxy.ClearRequests();
        var without = await Deploy(Zip(name) with { PackageType = "Layer", LayerName = layer, LayerPackagePath = null });
        Assert.Null(without.LayerVersionArn);
        Assert.DoesNotContain(Aws.Proxy.Requests, r => Is("POST", $"/layers/{layer}/versions")(r));
        Assert.Empty((await Get(name)).Layers);
        Assert.Single(await Moto.ListLayerVersionsAsync(layer, default));
        Assert.Contains(Log.Lines, l => l.Contains("no dependency layer"));

        // A new function of such a project: created with no layers, the app zip deployed.
        var fresh = Unique("nodeps-new");
        var s = Zip(fresh) with { PackageType = "Layer", LayerName = Unique("deps") };
        await Deploy(s);
        var f = await Get(fresh);
        Assert.Empty(f.Layers);
        Assert.Equal(LambdaDeployer.CodeSha256(File.ReadAllBytes(s.PackagePath!)), f.CodeSha256);
        Assert.NotNull(withDeps.LayerVersionArn);
    }

    private sealed class CheckingPusher(Func<Task<bool>> repositoryExists) : IImagePusher
    {
        public bool? RepositoryExistedAtPush { get; private set; }
        public async Task<string> PushAsync(EcrRepository repository, Func<CancellationToken, Task<EcrAuthorization>> login, CancellationToken ct)
        {
            RepositoryExistedAtPush = await repositoryExists();
            await login(ct);
            return repository.RepositoryUri + "@sha256:" + new string('b', 64);
        }
    }

    private async Task<bool> MotoHasRepository(string name) => await new EcrClient(Aws.Session(Aws.Moto.Url)).DescribeRepositoryAsync(name, default) is not null;

    [Fact]
    public async Task The_ECR_repository_is_created_before_the_image_is_pushed()
    {
        var name = Unique("ordered");
        var repo = name.ToLowerInvariant();
        var pusher = new CheckingPusher(() => MotoHasRepository(repo));
        Aws.Proxy.ClearRequests();
        await Deploy(new DeploySettings { FunctionName = name, PackageType = "Image", EcrRepository = repo, CreateRepository = true, Role = Aws.CreateRole("deploy-tests-role") }, pusher);
        Assert.True(pusher.RepositoryExistedAtPush);
        var targets = Aws.Proxy.Requests.Select(r => r.Target).ToList();
        Assert.True(targets.IndexOf("AmazonEC2ContainerRegistry_V20150921.CreateRepository") is var created and >= 0
            && created < targets.IndexOf("AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken"), string.Join("\n", Aws.Proxy.Requests));

        // The publish path (PushLambdaImage): an ECR registry with LambdaCreateRepository gets its repository first.
        var publishRepo = Unique("publish");
        var existedAtPush = await EcrPushTarget.PushAsync("123456789012.dkr.ecr.us-east-1.amazonaws.com", publishRepo, null, createRepository: true, forLambda: true,
            _ => new EcrClient(Aws.Session(), AwsFixture.FastRetry), (_, repository) => MotoHasRepository(repository), Log, default);
        Assert.True(existedAtPush);

        // Created again is fine: a lost CreateRepository answer, or RepositoryAlreadyExistsException, reads it.
        Aws.Proxy.DropAnswer(r => r.Target == "AmazonEC2ContainerRegistry_V20150921.CreateRepository", 1);
        var lost = Unique("lostrepo");
        var (found, createdNow) = await EcrRepositories.EnsureAsync(new EcrClient(Aws.Session(), AwsFixture.FastRetry), lost, create: true, Log, default);
        Assert.True(createdNow);
        Assert.Contains(Log.Lines, l => l.Contains("ecr:CreateRepository") && l.Contains("checking whether repository"));
        Assert.Equal(lost, found.RepositoryName);
        Aws.Proxy.Fault(r => r.Target == "AmazonEC2ContainerRegistry_V20150921.DescribeRepositories", 1, 400, "RepositoryNotFoundException", "not found");
        var (again, createdAgain) = await EcrRepositories.EnsureAsync(new EcrClient(Aws.Session(), AwsFixture.FastRetry), lost, create: true, Log, default);
        Assert.False(createdAgain);
        Assert.Equal(found.RepositoryUri, again.RepositoryUri);
    }

    [Fact]
    public async Task LambdaEcrRepository_alone_names_the_ECR_registry_to_push_to()
    {
        var repo = Unique("alone");
        string? pushedRegistry = null, pushedRepository = null;
        await EcrPushTarget.PushAsync<bool>(null, "project-name", repo, createRepository: true, forLambda: true,
            _ => new EcrClient(Aws.Session(), AwsFixture.FastRetry), (registry, repository) =>
            {
                (pushedRegistry, pushedRepository) = (registry, repository);
                return Task.FromResult(true);
            }, Log, default);
        Assert.Equal("123456789012.dkr.ecr.us-east-1.amazonaws.com", pushedRegistry);
        Assert.Equal(repo, pushedRepository);
        Assert.True(await MotoHasRepository(repo));

        var missing = await Assert.ThrowsAsync<UvLambdaException>(() => EcrPushTarget.PushAsync(null, "x", Unique("missing"), createRepository: false, forLambda: true,
            _ => new EcrClient(Aws.Session(), AwsFixture.FastRetry), (_, _) => Task.FromResult(true), Log, default));
        Assert.Equal(ErrorCodes.DeployRepositoryNotFound, missing.Code);
    }

    [Fact]
    public async Task An_image_outside_ECR_is_refused_before_any_call()
    {
        Aws.Proxy.ClearRequests();
        var pushed = false;
        var e = await Assert.ThrowsAsync<UvLambdaException>(() => EcrPushTarget.PushAsync("127.0.0.1:5000", "app", null, createRepository: true, forLambda: true,
            _ => new EcrClient(Aws.Session(), AwsFixture.FastRetry), (_, _) => Task.FromResult(pushed = true), Log, default));
        Assert.Equal(ErrorCodes.DeployImageNotInEcr, e.Code);
        Assert.Contains("ECR", e.Message);
        Assert.False(pushed);

        var s = new DeploySettings
        {
            FunctionName = Unique("local"), PackageType = "Image", Role = Aws.CreateRole("deploy-tests-role"),
            ImageUri = "127.0.0.1:5000/app@sha256:" + new string('c', 64),
        };
        var deploy = await Assert.ThrowsAsync<UvLambdaException>(() => Deploy(s));
        Assert.Equal(ErrorCodes.DeployImageNotInEcr, deploy.Code);
        Assert.Contains("127.0.0.1:5000", deploy.Message);
        Assert.Empty(Aws.Proxy.Requests);

        var region = Assert.Throws<UvLambdaException>(() => DeploySettings.CheckImageUri("123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:v1", "us-east-1"));
        Assert.Equal(ErrorCodes.DeployImageNotInEcr, region.Code);
        Assert.Contains("eu-west-1", region.Message);
        DeploySettings.CheckImageUri("123456789012.dkr.ecr.us-east-1.amazonaws.com/app:v1", "us-east-1");
    }

    [Fact]
    public void The_botocore_check_reports_a_request_Lambda_would_reject()
    {
        var report = BotocoreModel.Validate(
        [
            new ProxiedRequest("POST", "/2015-03-31/functions", null, true) { Body = """{"FunctionName":"f","Role":"r","Code":{},"Bogus":1}""" },
            new ProxiedRequest("PUT", "/2015-03-31/functions/f/configuration", null, true) { Body = """{"MemorySize":"big"}""" },
        ]);
        Assert.Equal(1, report.Checked["CreateFunction"]);
        Assert.Equal(1, report.Checked["UpdateFunctionConfiguration"]);
        Assert.Contains(report.Errors, e => e.Contains("Bogus"));
        Assert.Contains(report.Errors, e => e.Contains("MemorySize"));
    }

    [Fact]
    public async Task Every_request_a_deploy_sends_matches_the_AWS_Lambda_and_ECR_models()
    {
        var name = Unique("model");
        var layer = Unique("deps");
        var external = (await Moto.PublishLayerVersionAsync(new PublishLayerVersionRequest(Unique("external"),
            new FunctionCode(ZipFile: File.ReadAllBytes(LayerZip(name, "E = 1\n"))), "from elsewhere", ["python3.12"], ["arm64"]), default)).LayerVersionArn;
        Aws.Proxy.ClearRequests();

        // Create (layer, external layer, URL, permissions), update code, update configuration, a new layer version,
        // a statement replaced, a URL auth change, Layer → Zip (empty Layers), and an image with its repository.
        var s = Zip(name) with
        {
            PackageType = "Layer", LayerName = layer, LayerPackagePath = LayerZip(name, "X = 1\n"), ExternalLayers = [external],
            Architecture = "arm64", MemorySize = 256, Timeout = 20, Description = "model check",
            Environment = new Dictionary<string, string> { ["A"] = "1" }, FunctionUrlAuthType = "NONE",
        };
        await Deploy(s);
        await Deploy(s with { PackagePath = Zip(name, "def lambda_handler(e, c):\n    return 2\n").PackagePath });
        await Deploy(s with { MemorySize = 512, Timeout = 30, Description = "changed", Environment = new Dictionary<string, string> { ["B"] = "2" } });
        await Deploy(s with { LayerPackagePath = LayerZip(name, "X = 2\n") });
        await Moto.RemovePermissionAsync(name, "FunctionURLAllowInvokeAction", default);
        await Moto.AddPermissionAsync(new AddPermissionRequest(name, "FunctionURLAllowInvokeAction", "lambda:GetFunction", "*"), default);
        await Deploy(s);
        await Deploy(s with { FunctionUrlAuthType = "AWS_IAM" });
        await Deploy(Zip(name) with { Architecture = "arm64", ExternalLayers = [] });
        var image = Unique("modelimage");
        await Deploy(new DeploySettings { FunctionName = image, PackageType = "Image", EcrRepository = image, CreateRepository = true, Role = s.Role },
            new CheckingPusher(() => Task.FromResult(true)));

        var report = BotocoreModel.Validate(Aws.Proxy.Requests);
        Assert.True(report.Errors.Count == 0, string.Join("\n", report.Errors));
        Assert.True(report.Unmatched.Count == 0, "no Lambda operation for: " + string.Join("\n", report.Unmatched));
        foreach (var operation in new[]
        {
            "CreateFunction", "GetFunction", "GetFunctionConfiguration", "UpdateFunctionCode", "UpdateFunctionConfiguration",
            "PublishLayerVersion", "ListLayerVersions", "GetLayerVersion", "GetFunctionUrlConfig", "CreateFunctionUrlConfig",
            "UpdateFunctionUrlConfig", "GetPolicy", "AddPermission", "RemovePermission",
            "DescribeRepositories", "CreateRepository", "GetAuthorizationToken",
        })
            Assert.True(report.Checked.GetValueOrDefault(operation) > 0, $"no {operation} request was checked: {string.Join(", ", report.Checked.Keys)}");
        Assert.Equal([], (await Get(name)).Layers);
    }
}
