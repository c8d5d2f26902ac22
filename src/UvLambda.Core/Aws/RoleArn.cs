using System.Text.RegularExpressions;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using UvLambda.Core.Diagnostics;

namespace UvLambda.Core.Aws;

/// <summary>
/// LambdaRole as users write it: a role ARN, or just the role's name (optionally with its IAM path), which is
/// completed with the deploying identity's account and partition from sts:GetCallerIdentity — as the AWS console does.
/// </summary>
public static partial class RoleArn
{
    [GeneratedRegex(@"^arn:aws[a-zA-Z-]*:iam::\d{12}:role/.+$", RegexOptions.CultureInvariant)]
    private static partial Regex ArnPattern();

    // IAM role names: letters, digits and +=,.@_- (1–64), optionally behind a /path/.
    [GeneratedRegex(@"^/?([\w+=,.@-]+/)*[\w+=,.@-]{1,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();

    public static bool IsArn(string role) => ArnPattern().IsMatch(role);

    public static bool IsName(string role) => !role.StartsWith("arn:", StringComparison.Ordinal) && NamePattern().IsMatch(role);

    /// <summary>The ARN for a role name in the caller's account: arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME.</summary>
    public static string FromCaller(string name, string callerArn)
    {
        // arn:PARTITION:sts::ACCOUNT:assumed-role/... or arn:PARTITION:iam::ACCOUNT:user/...
        var parts = callerArn.Split(':');
        if (parts.Length < 6 || parts[0] != "arn" || parts[4].Length != 12)
            throw new UvLambdaException(ErrorCodes.DeployRoleMissing, $"Cannot complete LambdaRole '{name}' into an ARN: the caller identity '{callerArn}' names no account. Set LambdaRole to the role's full ARN.");
        return $"arn:{parts[1]}:iam::{parts[4]}:role/{name.TrimStart('/')}";
    }

    /// <summary>Returns <paramref name="role"/> unchanged when it is empty or an ARN; completes a name through STS.</summary>
    public static async Task<string?> ResolveAsync(string? role, AwsSession session, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(role) || IsArn(role) || !IsName(role)) return role;
        var config = new AmazonSecurityTokenServiceConfig { RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(session.Region) };
        if (session.ConfiguredEndpoint("STS") is { } endpoint)
        {
            config.ServiceURL = endpoint.ToString();
            config.AuthenticationRegion = session.Region;
        }
        using var sts = new AmazonSecurityTokenServiceClient(session.Credentials.SdkCredentials, config);
        try
        {
            var identity = await sts.GetCallerIdentityAsync(new GetCallerIdentityRequest(), cancellationToken).ConfigureAwait(false);
            return FromCaller(role, identity.Arn);
        }
        catch (AmazonSecurityTokenServiceException e)
        {
            throw new UvLambdaException(ErrorCodes.DeployRoleMissing,
                $"Cannot complete LambdaRole '{role}' into an ARN: sts:GetCallerIdentity failed ({e.ErrorCode}: {e.Message}). Set LambdaRole to the role's full ARN.", inner: e);
        }
    }
}
