using UvLambda.Core.Containers;

namespace UvLambda.Core.Tests.Containers;

/// <summary>The .NET SDK's container credential variables, scoped as UvLambda's own are.</summary>
public class DotnetRegistryVariablesTests
{
    private static async Task<RegistryCredential?> Ask(IReadOnlyDictionary<string, string?> env, string registry) =>
        await RegistryCredentials.Default(env, "push.example:5000", "base.example").GetCredentialAsync(registry, CancellationToken.None);

    [Fact]
    public async Task SDK_CONTAINER_REGISTRY_variables_log_in_to_the_push_registry_only()
    {
        var env = new Dictionary<string, string?> { ["SDK_CONTAINER_REGISTRY_UNAME"] = "ci", ["SDK_CONTAINER_REGISTRY_PWORD"] = "s3cret", ["HOME"] = "/nonexistent" };
        Assert.Equal(new RegistryCredential("ci", "s3cret"), await Ask(env, "push.example:5000"));
        Assert.Null(await Ask(env, "base.example"));
    }

    [Fact]
    public async Task UvLambda_variables_win_then_DOTNET_CONTAINER_PUSH_and_PULL_ones_apply_to_their_registry()
    {
        var env = new Dictionary<string, string?>
        {
            [RegistryCredentials.UsernameVariable] = "own", [RegistryCredentials.PasswordVariable] = "p1",
            ["DOTNET_CONTAINER_PUSH_REGISTRY_UNAME"] = "push", ["DOTNET_CONTAINER_PUSH_REGISTRY_PWORD"] = "p2",
            ["SDK_CONTAINER_REGISTRY_UNAME"] = "legacy", ["SDK_CONTAINER_REGISTRY_PWORD"] = "p3",
            ["DOTNET_CONTAINER_PULL_REGISTRY_UNAME"] = "pull", ["DOTNET_CONTAINER_PULL_REGISTRY_PWORD"] = "p4",
            ["HOME"] = "/nonexistent",
        };
        Assert.Equal("own", (await Ask(env, "push.example:5000"))?.Username);
        Assert.Equal("pull", (await Ask(env, "base.example"))?.Username);
        env.Remove(RegistryCredentials.UsernameVariable);
        Assert.Equal("push", (await Ask(env, "push.example:5000"))?.Username);
        env.Remove("DOTNET_CONTAINER_PUSH_REGISTRY_UNAME");
        Assert.Equal("legacy", (await Ask(env, "push.example:5000"))?.Username);
    }
}
