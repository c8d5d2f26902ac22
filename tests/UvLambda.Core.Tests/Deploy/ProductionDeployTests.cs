using System.Text.Json.Nodes;
using UvLambda.Core.Aws;
using UvLambda.Core.Aws.Ecr;
using UvLambda.Core.Aws.Lambda;
using UvLambda.Core.Deploy;
using UvLambda.Core.Diagnostics;
using UvLambda.Core.Tests.Aws;

namespace UvLambda.Core.Tests.Deploy;

/// <summary>
/// Production settings: versions, aliases, SnapStart, VPC, tracing, logging, concurrency, tags, file systems. moto
/// keeps only some of these fields, so every test validates the requests it sent against botocore's Lambda model and
/// asserts on the values sent; a proxy rule plays Lambda's part for what moto drops (see <see cref="EmulateLambda"/>).
/// </summary>
[Collection(AwsCollection.Name)]
public sealed class ProductionDeployTests(AwsFixture aws) : MotoDeployTests(aws)
{
    private readonly Dictionary<string, int> _provisioned = new(StringComparer.Ordinal);

    private static readonly DateOnly Today = new(2026, 11, 30);

    private const string Subnet = "subnet-0123456789abcdef0";
    private const string Group = "sg-0123456789abcdef0";
    private const string AccessPoint = "arn:aws:elasticfilesystem:us-east-1:123456789012:access-point/fsap-0123456789abcdef0";
    private const string Queue = "arn:aws:sqs:us-east-1:123456789012:dead-letters";
    private const string Key = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

    /// <summary>Everything SnapStart can go with (not EFS, provisioned concurrency or more than 512 MB of /tmp).</summary>
    private DeploySettings Everything(string name, string body = "def lambda_handler(e, c):\n    return 1\n") => Zip(name, body) with
    {
        PublishVersion = true,
        Alias = "live",
        SnapStart = "PublishedVersions",
        SubnetIds = [Subnet],
        SecurityGroupIds = [Group],
        TracingMode = "Active",
        EphemeralStorageSize = 512,
        LogFormat = "JSON",
        LogGroup = "/custom/" + name,
        ApplicationLogLevel = "WARN",
        SystemLogLevel = "INFO",
        ReservedConcurrency = 5,
        DeadLetterTargetArn = Queue,
        KmsKeyArn = Key,
        Tags = new Dictionary<string, string> { ["team"] = "payments", ["cost-center"] = "42" },
    };

    private Task<DeployResult> Deploy(DeploySettings s, DateOnly? today = null) =>
        Deploy(s, options: AwsFixture.FastOptions with { Today = () => today ?? Today });

    private static readonly string[] DroppedByMoto =
        ["TracingConfig", "SnapStart", "LoggingConfig", "EphemeralStorage", "KMSKeyArn", "DeadLetterConfig", "FileSystemConfigs", "VpcConfig", "CapacityProviderConfig", "DurableConfig"];

    /// <summary>
    /// Plays Lambda for what moto does not keep: GetFunction and GetFunctionConfiguration of <paramref name="name"/>
    /// answer the fields last sent by CreateFunction or UpdateFunctionConfiguration, as Lambda would store them; and
    /// provisioned concurrency, which moto does not implement, is kept here.
    /// </summary>
    private void EmulateLambda(string name)
    {
        JsonObject Stored()
        {
            var state = new JsonObject();
            foreach (var r in Aws.Proxy.Requests)
            {
                var create = r.Method == "POST" && r.PathOnly == "/2015-03-31/functions";
                var update = r.Method == "PUT" && r.PathOnly == $"/2015-03-31/functions/{name}/configuration";
                if (!create && !update) continue;
                var body = JsonNode.Parse(r.Body)!.AsObject();
                if (create && body["FunctionName"]?.GetValue<string>() != name) continue;
                foreach (var field in DroppedByMoto)
                    if (body[field] is { } value) state[field] = value.DeepClone();
            }
            return state;
        }
        JsonObject Overlay(JsonObject config)
        {
            foreach (var (key, value) in Stored()) config[key] = value?.DeepClone();
            return config;
        }
        Aws.Proxy.Rewrite(r => r.Method == "GET" && r.PathOnly == $"/2015-03-31/functions/{name}", int.MaxValue,
            o => { if (o["Configuration"] is JsonObject c) Overlay(c); return o; });
        Aws.Proxy.Rewrite(r => r.Method == "GET" && r.PathOnly == $"/2015-03-31/functions/{name}/configuration", int.MaxValue, Overlay);
        var path = $"/2019-09-30/functions/{name}/provisioned-concurrency";
        Aws.Proxy.Answer(r => r.PathOnly == path, int.MaxValue, r =>
        {
            var qualifier = r.Query.Split('&').First(p => p.StartsWith("Qualifier=", StringComparison.Ordinal))["Qualifier=".Length..];
            lock (_provisioned)
            {
                switch (r.Method)
                {
                    case "PUT":
                        var n = JsonNode.Parse(r.Body)!["ProvisionedConcurrentExecutions"]!.GetValue<int>();
                        _provisioned[qualifier] = n;
                        return (202, new JsonObject { ["RequestedProvisionedConcurrentExecutions"] = n, ["Status"] = "IN_PROGRESS" });
                    case "DELETE":
                        _provisioned.Remove(qualifier);
                        return (204, new JsonObject());
                    default:
                        return _provisioned.TryGetValue(qualifier, out var have)
                            ? (200, new JsonObject { ["RequestedProvisionedConcurrentExecutions"] = have, ["AllocatedProvisionedConcurrentExecutions"] = have, ["Status"] = "READY" })
                            : (404, new JsonObject { ["__type"] = "ProvisionedConcurrencyConfigNotFoundException", ["message"] = "No Provisioned Concurrency Config found for this function" });
                }
            }
        });
    }

    private List<ProxiedRequest> Since(int mark) => Aws.Proxy.Requests.Skip(mark).ToList();

    private static void AssertValid(IEnumerable<ProxiedRequest> requests, params string[] operations)
    {
        var report = BotocoreModel.Validate(requests);
        Assert.True(report.Errors.Count == 0, string.Join("\n", report.Errors));
        Assert.True(report.Unmatched.Count == 0, "no Lambda operation for: " + string.Join("\n", report.Unmatched));
        foreach (var operation in operations)
            Assert.True(report.Checked.ContainsKey(operation), $"{operation} was not sent (checked: {string.Join(", ", report.Checked.Keys)})");
    }

    private static JsonObject Body(List<ProxiedRequest> requests, string method, string pathSuffix) =>
        JsonNode.Parse(Assert.Single(requests, r => r.Method == method && r.PathOnly.EndsWith(pathSuffix, StringComparison.Ordinal)).Body)!.AsObject();

    [Fact]
    public async Task First_publish_sends_every_setting_and_an_unchanged_publish_makes_no_write()
    {
        var name = Unique("prodall");
        EmulateLambda(name);
        var s = Everything(name);
        var mark = Aws.Proxy.Requests.Count;

        var result = await Deploy(s);

        var sent = Since(mark);
        AssertValid(sent, "CreateFunction", "PutFunctionConcurrency", "ListVersionsByFunction", "PublishVersion", "GetAlias", "CreateAlias", "GetProvisionedConcurrencyConfig");
        var create = Body(sent, "POST", "/2015-03-31/functions");
        Assert.Equal("Active", create["TracingConfig"]!["Mode"]!.GetValue<string>());
        Assert.Equal("PublishedVersions", create["SnapStart"]!["ApplyOn"]!.GetValue<string>());
        Assert.Equal(512, create["EphemeralStorage"]!["Size"]!.GetValue<int>());
        Assert.Equal(Key, create["KMSKeyArn"]!.GetValue<string>());
        Assert.Equal(Queue, create["DeadLetterConfig"]!["TargetArn"]!.GetValue<string>());
        Assert.Equal([Subnet], create["VpcConfig"]!["SubnetIds"]!.AsArray().Select(x => x!.GetValue<string>()));
        Assert.Equal([Group], create["VpcConfig"]!["SecurityGroupIds"]!.AsArray().Select(x => x!.GetValue<string>()));
        Assert.Equal("""{"LogFormat":"JSON","LogGroup":"/custom/NAME","ApplicationLogLevel":"WARN","SystemLogLevel":"INFO"}""".Replace("NAME", name), create["LoggingConfig"]!.ToJsonString());
        Assert.Equal("""{"cost-center":"42","team":"payments"}""", create["Tags"]!.ToJsonString());
        Assert.Equal(5, Body(sent, "PUT", $"/functions/{name}/concurrency")["ReservedConcurrentExecutions"]!.GetValue<int>());
        var publish = Body(sent, "POST", $"/functions/{name}/versions");
        Assert.StartsWith("uvlambda config sha256:", publish["Description"]!.GetValue<string>());
        Assert.Equal(LambdaDeployer.CodeSha256(File.ReadAllBytes(s.PackagePath!)), publish["CodeSha256"]!.GetValue<string>());
        var alias = Body(sent, "POST", $"/functions/{name}/aliases");
        Assert.Equal("live", alias["Name"]!.GetValue<string>());
        Assert.Equal("1", alias["FunctionVersion"]!.GetValue<string>());
        Assert.DoesNotContain(sent, r => r.PathOnly.StartsWith("/2017-03-31/tags", StringComparison.Ordinal) && r.IsWrite);
        Assert.Equal("1", result.Version);
        Assert.EndsWith(":live", result.AliasArn);

        // What moto keeps, read straight from moto.
        var f = (await Moto.GetFunctionAsync(name, default))!;
        Assert.Equal("Active", f.TracingMode);
        Assert.Equal(5, f.ReservedConcurrency);
        Assert.Equal("payments", f.Tags["team"]);
        Assert.Equal("42", f.Tags["cost-center"]);
        Assert.Equal([Subnet], f.SubnetIds);
        Assert.Equal("1", (await Moto.GetAliasAsync(name, "live", default))!.FunctionVersion);
        Assert.Single(await Moto.ListVersionsByFunctionAsync(name, default));

        mark = Aws.Proxy.Requests.Count;
        var again = await Deploy(Everything(name) with { PackagePath = s.PackagePath });
        var second = Since(mark);
        Assert.True(second.All(r => !r.IsWrite), "writes on an unchanged publish: " + string.Join(", ", second.Where(r => r.IsWrite)));
        AssertValid(second, "GetFunction", "ListVersionsByFunction", "GetAlias", "GetProvisionedConcurrencyConfig");
        Assert.Contains("version 1", again.Skipped);
        Assert.Contains("alias live", again.Skipped);
        Assert.Single(await Moto.ListVersionsByFunctionAsync(name, default));
    }

    [Fact]
    public async Task A_code_change_publishes_a_new_version_and_moves_the_alias()
    {
        var name = Unique("prodcode");
        EmulateLambda(name);
        var first = Everything(name) with { SnapStart = null, ProvisionedConcurrency = 2, FileSystems = [new FileSystemMount(AccessPoint, "/mnt/data")] };
        var mark = Aws.Proxy.Requests.Count;
        await Deploy(first);
        var created = Since(mark);
        AssertValid(created, "CreateFunction", "PutProvisionedConcurrencyConfig");
        Assert.Equal($$"""[{"Arn":"{{AccessPoint}}","LocalMountPath":"/mnt/data"}]""", Body(created, "POST", "/2015-03-31/functions")["FileSystemConfigs"]!.ToJsonString());
        Assert.Equal("live", Assert.Single(created, r => r.Method == "PUT" && r.PathOnly.EndsWith("/provisioned-concurrency", StringComparison.Ordinal)).Query.Split('=')[1]);
        Assert.Equal(2, _provisioned["live"]);
        mark = Aws.Proxy.Requests.Count;

        var result = await Deploy(first with { PackagePath = TestZips.Write(Temp.Combine(name, "v2.zip"), "def lambda_handler(e, c):\n    return 2\n") });

        var sent = Since(mark);
        AssertValid(sent, "UpdateFunctionCode", "PublishVersion", "UpdateAlias");
        Assert.Single(sent, r => r.Method == "POST" && r.PathOnly.EndsWith("/versions", StringComparison.Ordinal));
        Assert.Equal("2", Body(sent, "PUT", $"/functions/{name}/aliases/live")["FunctionVersion"]!.GetValue<string>());
        Assert.Contains("alias live 1 → 2", result.Updated);
        Assert.DoesNotContain(sent, r => r.Method == "PUT" && r.PathOnly.EndsWith("/provisioned-concurrency", StringComparison.Ordinal));
        Assert.Equal("2", (await Moto.GetAliasAsync(name, "live", default))!.FunctionVersion);
        Assert.Equal(["1", "2"], (await Moto.ListVersionsByFunctionAsync(name, default)).Select(v => v.Version));
    }

    [Fact]
    public async Task A_configuration_change_alone_publishes_a_new_version()
    {
        var name = Unique("prodconf");
        EmulateLambda(name);
        var s = Everything(name);
        await Deploy(s);
        var mark = Aws.Proxy.Requests.Count;

        await Deploy(s with { TracingMode = "PassThrough" });

        var sent = Since(mark);
        AssertValid(sent, "UpdateFunctionConfiguration", "PublishVersion", "UpdateAlias");
        Assert.Equal("""{"Mode":"PassThrough"}""", Body(sent, "PUT", $"/functions/{name}/configuration")["TracingConfig"]!.ToJsonString());
        Assert.Equal(2, (await Moto.ListVersionsByFunctionAsync(name, default)).Count);
    }

    [Fact]
    public async Task Settings_no_longer_declared_reserved_concurrency_tags_provisioned_concurrency_are_removed_others_left()
    {
        var name = Unique("prodremove");
        EmulateLambda(name);
        var first = Zip(name) with
        {
            Alias = "live", ProvisionedConcurrency = 2, ReservedConcurrency = 5, TracingMode = "Active",
            Tags = new Dictionary<string, string> { ["a"] = "1", ["b"] = "2" },
        };
        await Deploy(first);
        var mark = Aws.Proxy.Requests.Count;

        var result = await Deploy(first with
        {
            ProvisionedConcurrency = null, ReservedConcurrency = null, TracingMode = null,
            Tags = new Dictionary<string, string> { ["a"] = "changed", ["c"] = "3" },
        });

        var sent = Since(mark);
        AssertValid(sent, "TagResource", "UntagResource", "DeleteFunctionConcurrency", "DeleteProvisionedConcurrencyConfig");
        Assert.Equal("""{"a":"changed","c":"3"}""", Body(sent, "POST", "/2017-03-31/tags/" + Uri.EscapeDataString(result.FunctionArn))["Tags"]!.ToJsonString());
        Assert.Equal("tagKeys=b", Assert.Single(sent, r => r.Method == "DELETE" && r.PathOnly.StartsWith("/2017-03-31/tags/", StringComparison.Ordinal)).Query);
        Assert.Single(sent, r => r.Method == "DELETE" && r.PathOnly == $"/2017-10-31/functions/{name}/concurrency");
        Assert.DoesNotContain(sent, r => r.Method == "PUT" && r.PathOnly.EndsWith("/configuration", StringComparison.Ordinal));
        Assert.False(_provisioned.ContainsKey("live"));
        var f = (await Moto.GetFunctionAsync(name, default))!;
        Assert.Null(f.ReservedConcurrency);
        Assert.Equal(new Dictionary<string, string> { ["a"] = "changed", ["c"] = "3" }, f.Tags);
        // Left as it was (like aws lambda update-function-configuration): not declared is not "PassThrough".
        Assert.Equal("Active", f.TracingMode);
    }

    [Fact]
    public async Task A_lost_PublishVersion_answer_ends_with_one_version_and_the_alias_on_it()
    {
        var name = Unique("prodlost");
        EmulateLambda(name);
        Aws.Proxy.DropAnswer(r => r.Method == "POST" && r.PathOnly == $"/2015-03-31/functions/{name}/versions", 1);
        var dropped = Aws.Proxy.DroppedAnswers;
        var mark = Aws.Proxy.Requests.Count;

        var result = await Deploy(Zip(name) with { Alias = "live" });

        Assert.Equal(dropped + 1, Aws.Proxy.DroppedAnswers);
        Assert.Single(Since(mark), r => r.Method == "POST" && r.PathOnly == $"/2015-03-31/functions/{name}/versions");
        Assert.Single(await Moto.ListVersionsByFunctionAsync(name, default));
        Assert.Equal("1", result.Version);
        Assert.Equal("1", (await Moto.GetAliasAsync(name, "live", default))!.FunctionVersion);
    }

    [Fact]
    public async Task A_lost_CreateAlias_answer_is_checked_not_resent()
    {
        var name = Unique("prodalias");
        EmulateLambda(name);
        Aws.Proxy.DropAnswer(r => r.Method == "POST" && r.PathOnly == $"/2015-03-31/functions/{name}/aliases", 1);
        var mark = Aws.Proxy.Requests.Count;

        await Deploy(Zip(name) with { Alias = "live" });

        Assert.Single(Since(mark), r => r.Method == "POST" && r.PathOnly == $"/2015-03-31/functions/{name}/aliases");
        Assert.Equal("1", (await Moto.GetAliasAsync(name, "live", default))!.FunctionVersion);
    }

    [Fact]
    public async Task A_version_published_by_another_tool_from_the_same_code_and_configuration_is_reused()
    {
        var name = Unique("prodother");
        EmulateLambda(name);
        var s = Zip(name) with { MemorySize = 256 };
        await Deploy(s);
        var other = await Moto.PublishVersionAsync(name, null, "published by the console", default);
        Assert.Equal("1", other.Version);
        var mark = Aws.Proxy.Requests.Count;

        var result = await Deploy(s with { Alias = "live" });

        var sent = Since(mark);
        Assert.DoesNotContain(sent, r => r.Method == "POST" && r.PathOnly.EndsWith("/versions", StringComparison.Ordinal));
        Assert.Equal("1", result.Version);
        Assert.Equal("1", JsonNode.Parse(Assert.Single(sent, r => r.Method == "POST" && r.PathOnly.EndsWith("/aliases", StringComparison.Ordinal)).Body)!["FunctionVersion"]!.GetValue<string>());
        AssertValid(sent, "ListVersionsByFunction", "CreateAlias");
    }

    [Fact]
    public void SnapStart_on_python311_is_UVL4041_before_any_request()
    {
        var name = Unique("prodsnap");
        Aws.Proxy.ClearRequests();
        var e = Assert.Throws<UvLambdaException>(() => LambdaDeployer.Run(Zip(name) with { PythonVersion = "3.11", PublishVersion = true, SnapStart = "PublishedVersions" },
            Aws.Session(), Log, options: AwsFixture.FastOptions));
        Assert.Equal(ErrorCodes.DeploySnapStartUnsupported, e.Code);
        Assert.Contains("python3.12", e.Message);
        Assert.Empty(Aws.Proxy.Requests);
    }

    [Fact]
    public async Task A_runtime_Lambda_blocks_that_day_is_UVL4048_before_any_write()
    {
        var name = Unique("prodblocked");
        var s = Zip(name) with { PythonVersion = "3.10" };
        var mark = Aws.Proxy.Requests.Count;

        // Creation of python3.10 functions is blocked from 2027-02-01: not even the dependency layer is published.
        var layered = s with { PackageType = "Layer", LayerName = Unique("deps"), LayerPackagePath = TestZips.Write(Temp.Combine(name, "layer.zip"), "X = 1\n", "python/dep.py") };
        var e = await Assert.ThrowsAsync<UvLambdaException>(() => Deploy(layered, new DateOnly(2027, 2, 1)));
        Assert.Equal(ErrorCodes.DeployRuntimeBlocked, e.Code);
        Assert.Contains("2027-02-01", e.Message);
        Assert.DoesNotContain(Since(mark), r => r.IsWrite);

        // Deprecated but not blocked: created (today), then updated on 2027-02-15, refused on 2027-03-03.
        await Deploy(s);
        await Deploy(s with { MemorySize = 256 }, new DateOnly(2027, 2, 15));
        mark = Aws.Proxy.Requests.Count;
        e = await Assert.ThrowsAsync<UvLambdaException>(() => Deploy(s with { MemorySize = 512 }, new DateOnly(2027, 3, 3)));
        Assert.Equal(ErrorCodes.DeployRuntimeBlocked, e.Code);
        Assert.Contains("updating", e.Message);
        Assert.DoesNotContain(Since(mark), r => r.IsWrite);
        Assert.Equal(256, (await Moto.GetFunctionAsync(name, default))!.MemorySize);
    }

    [Fact]
    public async Task A_capacity_provider_on_an_existing_function_without_one_is_UVL4046_before_any_write()
    {
        var name = Unique("prodcap");
        EmulateLambda(name);
        await Deploy(Zip(name) with { PythonVersion = "3.13" });
        var mark = Aws.Proxy.Requests.Count;

        var e = await Assert.ThrowsAsync<UvLambdaException>(() => Deploy(Zip(name) with
        {
            PythonVersion = "3.13", CapacityProviderArn = "arn:aws:lambda:us-east-1:123456789012:capacity-provider:fleet", MemoryPerVCpu = 4,
        }));

        Assert.Equal(ErrorCodes.DeployCreateOnlySetting, e.Code);
        Assert.DoesNotContain(Since(mark), r => r.IsWrite);
    }

    [Fact]
    public async Task A_capacity_provider_and_durable_settings_are_sent_at_creation_and_then_left_unchanged()
    {
        var name = Unique("prodmi");
        EmulateLambda(name);
        var s = Zip(name) with
        {
            PythonVersion = "3.13", CapacityProviderArn = "arn:aws:lambda:us-east-1:123456789012:capacity-provider:fleet", MemoryPerVCpu = 4,
            MaxConcurrencyPerEnvironment = 10, DurableExecutionTimeout = 3600, DurableRetentionDays = 7, EphemeralStorageSize = 2048,
        };
        var mark = Aws.Proxy.Requests.Count;

        await Deploy(s);

        var sent = Since(mark);
        AssertValid(sent, "CreateFunction");
        var create = Body(sent, "POST", "/2015-03-31/functions");
        Assert.Equal("""{"LambdaManagedInstancesCapacityProviderConfig":{"CapacityProviderArn":"arn:aws:lambda:us-east-1:123456789012:capacity-provider:fleet","ExecutionEnvironmentMemoryGiBPerVCpu":4,"PerExecutionEnvironmentMaxConcurrency":10}}""",
            create["CapacityProviderConfig"]!.ToJsonString());
        Assert.Equal("""{"ExecutionTimeout":3600,"RetentionPeriodInDays":7}""", create["DurableConfig"]!.ToJsonString());
        Assert.Equal(2048, create["EphemeralStorage"]!["Size"]!.GetValue<int>());

        mark = Aws.Proxy.Requests.Count;
        await Deploy(s);
        Assert.DoesNotContain(Since(mark), r => r.IsWrite);
    }
}
