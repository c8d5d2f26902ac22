using UvLambda.Core.Aws.Lambda;
using UvLambda.Core.Deploy;
using UvLambda.Core.Diagnostics;
using UvLambda.Core.Tests.Aws;

namespace UvLambda.Core.Tests.Deploy;

/// <summary>Every production setting (and the function's environment, URL and artifacts) is checked at build time with a code, never first by AWS.</summary>
public sealed class ProductionSettingsTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private DeploySettings Valid() => new()
    {
        FunctionName = "fn",
        PackagePath = TestZips.Write(_temp.Combine("fn.zip"), "def lambda_handler(e, c):\n    return 1\n"),
        Handler = "lambda_function.lambda_handler",
        PythonVersion = "3.12",
    };

    private const string Subnet = "subnet-0123456789abcdef0";
    private const string Group = "sg-0123456789abcdef0";
    private const string AccessPoint = "arn:aws:elasticfilesystem:us-east-1:123456789012:access-point/fsap-0123456789abcdef0";

    public static TheoryData<string, string, string> Cases => new()
    {
        { "alias", ErrorCodes.DeployInvalidVersioning, "LambdaAlias '123'" },
        { "provisioned without alias", ErrorCodes.DeployInvalidVersioning, "needs LambdaAlias" },
        { "provisioned zero", ErrorCodes.DeployInvalidConcurrency, "LambdaProvisionedConcurrency 0" },
        { "provisioned over reserved", ErrorCodes.DeployInvalidConcurrency, "exceeds LambdaReservedConcurrency 2" },
        { "reserved negative", ErrorCodes.DeployInvalidConcurrency, "LambdaReservedConcurrency -1" },
        { "snapstart value", ErrorCodes.DeployInvalidSetting, "LambdaSnapStart 'Always'" },
        { "snapstart without versions", ErrorCodes.DeploySnapStartUnsupported, "published versions only" },
        { "snapstart python3.11", ErrorCodes.DeploySnapStartUnsupported, "python3.12 and later, this is python3.11" },
        { "snapstart with efs", ErrorCodes.DeploySnapStartUnsupported, "Amazon EFS" },
        { "snapstart with big tmp", ErrorCodes.DeploySnapStartUnsupported, "512 MB" },
        { "subnets only", ErrorCodes.DeployInvalidVpc, "go together" },
        { "bad subnet", ErrorCodes.DeployInvalidVpc, "'subnet-xyz' is not a subnet ID" },
        { "efs without vpc", ErrorCodes.DeployInvalidVpc, "needs a VPC" },
        { "efs arn", ErrorCodes.DeployInvalidArn, "not an EFS access point ARN" },
        { "mount path", ErrorCodes.DeployInvalidSetting, "LocalMountPath '/data'" },
        { "tracing", ErrorCodes.DeployInvalidSetting, "LambdaTracingMode 'On'" },
        { "ephemeral", ErrorCodes.DeployInvalidSetting, "LambdaEphemeralStorageSize 256" },
        { "log format", ErrorCodes.DeployInvalidLogging, "LambdaLogFormat 'XML'" },
        { "levels need json", ErrorCodes.DeployInvalidLogging, "need LambdaLogFormat=JSON" },
        { "system level", ErrorCodes.DeployInvalidLogging, "LambdaSystemLogLevel 'ERROR'" },
        { "log group", ErrorCodes.DeployInvalidLogging, "LambdaLogGroup 'a b'" },
        { "dlq", ErrorCodes.DeployInvalidArn, "not an SQS queue or SNS topic ARN" },
        { "kms", ErrorCodes.DeployInvalidArn, "not a KMS key ARN" },
        { "tag aws prefix", ErrorCodes.DeployInvalidTag, "LambdaTag 'aws:owner'" },
        { "tag value", ErrorCodes.DeployInvalidTag, "Value 'a|b'" },
        { "capacity arn", ErrorCodes.DeployInvalidArn, "not a capacity provider ARN" },
        { "capacity companions alone", ErrorCodes.DeployInvalidSetting, "set LambdaCapacityProviderArn too" },
        { "memory per vcpu", ErrorCodes.DeployInvalidSetting, "LambdaMemoryPerVCpu 16" },
        { "durable python3.12", ErrorCodes.DeployInvalidSetting, "need python3.13 or later" },
        { "durable retention", ErrorCodes.DeployInvalidSetting, "LambdaDurableRetentionDays 365" },
        { "env name", ErrorCodes.DeployInvalidEnvironmentVariable, "LambdaEnvironmentVariable '1ST'" },
        { "env reserved", ErrorCodes.DeployInvalidEnvironmentVariable, "'AWS_REGION' is reserved" },
        { "function url", ErrorCodes.DeployInvalidFunctionUrl, "LambdaFunctionUrl 'PUBLIC'" },
        { "no package", ErrorCodes.DeployArtifactMissing, "LambdaPackagePath is empty" },
        { "package missing", ErrorCodes.DeployArtifactMissing, "does not exist. Build first" },
        { "layer missing", ErrorCodes.DeployArtifactMissing, "LambdaLayerPath" },
    };

    private DeploySettings Case(string name) => name switch
    {
        "alias" => Valid() with { Alias = "123" },
        "provisioned without alias" => Valid() with { ProvisionedConcurrency = 2 },
        "provisioned zero" => Valid() with { Alias = "live", ProvisionedConcurrency = 0 },
        "provisioned over reserved" => Valid() with { Alias = "live", ProvisionedConcurrency = 3, ReservedConcurrency = 2 },
        "reserved negative" => Valid() with { ReservedConcurrency = -1 },
        "snapstart value" => Valid() with { SnapStart = "Always" },
        "snapstart without versions" => Valid() with { SnapStart = "PublishedVersions" },
        "snapstart python3.11" => Valid() with { SnapStart = "PublishedVersions", PublishVersion = true, PythonVersion = "3.11" },
        "snapstart with efs" => Valid() with { SnapStart = "PublishedVersions", Alias = "live", SubnetIds = [Subnet], SecurityGroupIds = [Group], FileSystems = [new FileSystemMount(AccessPoint, "/mnt/x")] },
        "snapstart with big tmp" => Valid() with { SnapStart = "PublishedVersions", PublishVersion = true, EphemeralStorageSize = 1024 },
        "subnets only" => Valid() with { SubnetIds = [Subnet] },
        "bad subnet" => Valid() with { SubnetIds = ["subnet-xyz"], SecurityGroupIds = [Group] },
        "efs without vpc" => Valid() with { FileSystems = [new FileSystemMount(AccessPoint, "/mnt/x")] },
        "efs arn" => Valid() with { SubnetIds = [Subnet], SecurityGroupIds = [Group], FileSystems = [new FileSystemMount("arn:aws:s3:::bucket", "/mnt/x")] },
        "mount path" => Valid() with { SubnetIds = [Subnet], SecurityGroupIds = [Group], FileSystems = [new FileSystemMount(AccessPoint, "/data")] },
        "tracing" => Valid() with { TracingMode = "On" },
        "ephemeral" => Valid() with { EphemeralStorageSize = 256 },
        "log format" => Valid() with { LogFormat = "XML" },
        "levels need json" => Valid() with { LogFormat = "Text", ApplicationLogLevel = "INFO" },
        "system level" => Valid() with { LogFormat = "JSON", SystemLogLevel = "ERROR" },
        "log group" => Valid() with { LogGroup = "a b" },
        "dlq" => Valid() with { DeadLetterTargetArn = "arn:aws:s3:::bucket" },
        "kms" => Valid() with { KmsKeyArn = "alias/mine" },
        "tag aws prefix" => Valid() with { Tags = new Dictionary<string, string> { ["aws:owner"] = "x" } },
        "tag value" => Valid() with { Tags = new Dictionary<string, string> { ["team"] = "a|b" } },
        "capacity arn" => Valid() with { CapacityProviderArn = "arn:aws:ec2:us-east-1:123456789012:fleet/x" },
        "capacity companions alone" => Valid() with { MemoryPerVCpu = 4 },
        "memory per vcpu" => Valid() with { CapacityProviderArn = "arn:aws:lambda:us-east-1:123456789012:capacity-provider:p", MemoryPerVCpu = 16 },
        "durable python3.12" => Valid() with { DurableExecutionTimeout = 60 },
        "durable retention" => Valid() with { PythonVersion = "3.13", DurableRetentionDays = 365 },
        "env name" => Valid() with { Environment = new Dictionary<string, string> { ["1ST"] = "x" } },
        "env reserved" => Valid() with { Environment = new Dictionary<string, string> { ["AWS_REGION"] = "eu-west-1" } },
        "function url" => Valid() with { FunctionUrlAuthType = "PUBLIC" },
        "no package" => Valid() with { PackagePath = null },
        "package missing" => Valid() with { PackagePath = _temp.Combine("gone.zip") },
        "layer missing" => Valid() with { PackageType = "Layer", LayerName = "deps", LayerPackagePath = _temp.Combine("gone-layer.zip") },
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void An_invalid_deploy_setting_is_a_coded_error(string name, string code, string message)
    {
        var e = Assert.Throws<UvLambdaException>(() => Case(name).Validate("/p/fn.pyproj"));
        Assert.Equal(code, e.Code);
        Assert.Contains(message, e.Message);
        Assert.Equal("/p/fn.pyproj", e.File);
    }

    [Fact]
    public void Every_production_setting_together_is_valid()
    {
        (Valid() with
        {
            Alias = "live", ProvisionedConcurrency = 2, ReservedConcurrency = 10, SubnetIds = [Subnet, "subnet-0123456789abcdef1"], SecurityGroupIds = [Group],
            TracingMode = "Active", EphemeralStorageSize = 10240, LogFormat = "JSON", LogGroup = "/aws/lambda/custom", ApplicationLogLevel = "DEBUG", SystemLogLevel = "WARN",
            DeadLetterTargetArn = "arn:aws:sns:eu-west-1:123456789012:failures", KmsKeyArn = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            Tags = new Dictionary<string, string> { ["team"] = "payments", ["cost center"] = "" },
            FileSystems = [new FileSystemMount(AccessPoint, "/mnt/data")],
        }).Validate();
        (Valid() with { SnapStart = "PublishedVersions", PublishVersion = true }).Validate();
        (Valid() with { SnapStart = "None" }).Validate();
        (Valid() with { Environment = new Dictionary<string, string> { ["STAGE"] = "x" }, FunctionUrlAuthType = "AWS_IAM" }).Validate();
        (Valid() with
        {
            PythonVersion = "3.13", CapacityProviderArn = "arn:aws:lambda:us-east-1:123456789012:capacity-provider:p", MemoryPerVCpu = 2.5,
            MaxConcurrencyPerEnvironment = 64, DurableExecutionTimeout = 86400, DurableRetentionDays = 14,
        }).Validate();
    }
}
