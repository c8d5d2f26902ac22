namespace UvLambda.Core.Diagnostics;

public static partial class ErrorCodes
{
    // 40xx: AWS credentials, requests and deploy.
    public const string AwsCredentialsNotFound = "UVL4001";
    public const string AwsRegionNotSet = "UVL4002";
    public const string AwsProfileNotFound = "UVL4003";
    public const string AwsInvalidEndpoint = "UVL4004";
    public const string AwsAccessDenied = "UVL4005";
    public const string AwsRequestFailed = "UVL4006";
    public const string AwsInvalidCredentials = "UVL4007";
    public const string DeployRoleMissing = "UVL4010";
    public const string DeployInvalidHandler = "UVL4011";
    public const string DeployArchitectureMismatch = "UVL4012";
    public const string DeployPackageTypeMismatch = "UVL4013";
    public const string DeployFunctionFailed = "UVL4014";
    public const string DeployWaitTimeout = "UVL4015";
    public const string DeployArtifactMissing = "UVL4016";
    public const string DeployS3BucketRequired = "UVL4017";
    public const string DeployInvalidSetting = "UVL4018";
    public const string DeployInvalidEnvironmentVariable = "UVL4019";
    public const string DeployInvalidFunctionUrl = "UVL4020";
    public const string DeployRepositoryNotFound = "UVL4021";
    public const string DeployImageMissing = "UVL4022";
    public const string DeployInvalidParameter = "UVL4023";
    public const string DeployImageNotInEcr = "UVL4024";
    public const string DeployExternalLayerNotFound = "UVL4030";
    public const string DeployInvalidVersioning = "UVL4040";
    public const string DeploySnapStartUnsupported = "UVL4041";
    public const string DeployInvalidVpc = "UVL4042";
    public const string DeployInvalidArn = "UVL4043";
    public const string DeployInvalidLogging = "UVL4044";
    public const string DeployInvalidTag = "UVL4045";
    public const string DeployCreateOnlySetting = "UVL4046";
    public const string DeployInvalidConcurrency = "UVL4047";
    public const string DeployRuntimeBlocked = "UVL4048";
    public const string RuntimeDeprecated = "UVL4049";
}
