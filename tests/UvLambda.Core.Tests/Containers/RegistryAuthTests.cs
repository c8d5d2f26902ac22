using System.Text;
using System.Text.Json.Nodes;
using UvLambda.Core.Containers;
using UvLambda.Core.Diagnostics;
using static UvLambda.Core.Tests.Containers.ContainerTestSupport;

namespace UvLambda.Core.Tests.Containers;

/// <summary>Pushes and pulls against registries that want credentials: htpasswd (Basic) and token (Bearer) auth.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public class RegistryAuthTests
{
    private static IReadOnlyDictionary<string, string?> Env(params (string, string?)[] pairs) => pairs.ToDictionary(p => p.Item1, p => p.Item2);

    [Theory]
    [InlineData(LocalRegistry.AuthMode.Htpasswd)]
    [InlineData(LocalRegistry.AuthMode.Token)]
    public async Task Credentials_from_the_environment_build_and_push_and_never_reach_the_log(LocalRegistry.AuthMode mode)
    {
        using var registry = new LocalRegistry(mode);
        var env = Env((RegistryCredentials.UsernameVariable, registry.User), (RegistryCredentials.PasswordVariable, registry.Password),
            (RegistryCredentials.BaseUsernameVariable, registry.User), (RegistryCredentials.BasePasswordVariable, registry.Password), ("HOME", "/nonexistent"));
        var credentials = RegistryCredentials.Default(env, registry.Host, registry.Host);
        await TestBaseImage.PushAsync(registry.Host, "lambda/python", "3.13", ["amd64"], credentials: credentials);

        using var dir = new TempDirectory();
        var cache = new BlobStore(dir.Combine("cache"));
        var log = new RecordingLog();
        var image = await BuildAsync(Request(ImageReference.Parse($"{registry.Host}/lambda/python:3.13"), dir, "image", WriteApp(dir)), registry.Host, cache, log, credentials);
        using var client = new RegistryClient(registry.Host, credentials, FastRetries, log);
        var result = await ImagePusher.PushAsync(image, dir.Combine("image"), client, "private/fn", ["latest"], () => new RegistryClient(registry.Host, credentials, FastRetries, log), cache, log);
        Assert.Equal(1, result.BlobsMounted);
        if (mode == LocalRegistry.AuthMode.Token) Assert.True(registry.Tokens!.Issued > 0);
        Assert.DoesNotContain(registry.Password, log.All);
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes($"{registry.User}:{registry.Password}")), log.All);

        var inspected = JsonNode.Parse(Skopeo("inspect", "--tls-verify=false", "--creds", $"{registry.User}:{registry.Password}", $"docker://{registry.Host}/private/fn:latest"))!;
        Assert.Equal(image.ManifestDigest, (string?)inspected["Digest"]);

        // Without credentials: a coded error that says how to log in, with no secret in it.
        using var anonymous = new RegistryClient(registry.Host, new CredentialChain([]), FastRetries);
        var e = await Assert.ThrowsAsync<UvLambdaException>(() => ImagePusher.PushAsync(image, dir.Combine("image"), anonymous, "private/fn", ["v2"], () => anonymous, cache, log));
        Assert.Equal(ErrorCodes.RegistryUnauthorized, e.Code);
        Assert.Contains("docker login", e.Message);

        // Wrong password: refused, also coded.
        var wrong = RegistryCredentials.Default(Env((RegistryCredentials.UsernameVariable, registry.User), (RegistryCredentials.PasswordVariable, "nope"), ("HOME", "/nonexistent")), registry.Host, null);
        using var wrongClient = new RegistryClient(registry.Host, wrong, FastRetries);
        var w = await Assert.ThrowsAsync<UvLambdaException>(() => wrongClient.HeadManifestAsync("private/fn", "latest"));
        Assert.Equal(ErrorCodes.RegistryUnauthorized, w.Code);
        Assert.DoesNotContain("nope", w.Message);
    }

    [Fact]
    public async Task Docker_config_auths_and_credential_helpers_supply_credentials()
    {
        using var registry = new LocalRegistry(LocalRegistry.AuthMode.Htpasswd);
        using var dir = new TempDirectory();
        var auth = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{registry.User}:{registry.Password}"));
        dir.WriteFile("docker/config.json", "{\"auths\": {\"http://" + registry.Host + "\": {\"auth\": \"" + auth + "\"}}}");
        var fromAuths = RegistryCredentials.Default(Env(("DOCKER_CONFIG", dir.Combine("docker"))), null, null);
        using (var client = new RegistryClient(registry.Host, fromAuths, FastRetries))
            Assert.Null(await client.HeadManifestAsync("nothing/here", "latest"));

        // A credential helper program on PATH, as docker-credential-ecr-login or -desktop would be.
        var helper = dir.WriteFile("bin/docker-credential-fake", $$"""
            #!/bin/sh
            read server
            [ "$1" = get ] || exit 2
            [ "$server" = "{{registry.Host}}" ] || { echo "credentials not found in native keychain"; exit 1; }
            printf '{"ServerURL":"%s","Username":"{{registry.User}}","Secret":"{{registry.Password}}"}' "$server"
            """);
        File.SetUnixFileMode(helper, (UnixFileMode)0x1ED);
        dir.WriteFile("helper/config.json", "{\"credHelpers\": {\"" + registry.Host + "\": \"fake\"}}");
        var env = Env(("DOCKER_CONFIG", dir.Combine("helper")), ("PATH", dir.Combine("bin") + ":/usr/bin:/bin"));
        var fromHelper = RegistryCredentials.Default(env, null, null);
        var credential = await fromHelper.GetCredentialAsync(registry.Host, default);
        Assert.Equal(registry.User, credential!.Username);
        Assert.DoesNotContain(registry.Password, credential.ToString());
        using (var client = new RegistryClient(registry.Host, fromHelper, FastRetries))
            Assert.Null(await client.HeadManifestAsync("nothing/here", "latest"));

        dir.WriteFile("store/config.json", """{"credsStore": "fake"}""");
        var store = RegistryCredentials.Default(Env(("DOCKER_CONFIG", dir.Combine("store")), ("PATH", dir.Combine("bin") + ":/usr/bin:/bin")), null, null);
        Assert.Null(await store.GetCredentialAsync("other.example:5000", default)); // "credentials not found" means none
        Assert.Equal(registry.User, (await store.GetCredentialAsync(registry.Host, default))!.Username);

        dir.WriteFile("missing/config.json", """{"credsStore": "not-installed"}""");
        var missing = RegistryCredentials.Default(Env(("DOCKER_CONFIG", dir.Combine("missing")), ("PATH", "/nonexistent")), null, null);
        var e = await Assert.ThrowsAsync<UvLambdaException>(() => missing.GetCredentialAsync(registry.Host, default));
        Assert.Equal(ErrorCodes.CredentialHelperFailed, e.Code);
    }

    private sealed class CountingProvider(DateTimeOffset expires) : IRegistryCredentialProvider
    {
        public int Calls;
        public Task<RegistryCredential?> GetCredentialAsync(string registry, CancellationToken cancellationToken)
        {
            Calls++;
            return Task.FromResult<RegistryCredential?>(new RegistryCredential("AWS", "token-" + Calls, expires));
        }
    }

    [Fact]
    public async Task The_ecr_seam_is_asked_only_for_ecr_hosts_and_cached_until_expiry()
    {
        var provider = new CountingProvider(DateTimeOffset.UtcNow.AddHours(12));
        var chain = RegistryCredentials.Default(Env(("HOME", "/nonexistent")), null, null, new CachingCredentialProvider(provider));
        const string ecr = "123456789012.dkr.ecr.us-east-1.amazonaws.com";
        Assert.Equal("token-1", (await chain.GetCredentialAsync(ecr, default))!.Password);
        Assert.Equal("token-1", (await chain.GetCredentialAsync(ecr, default))!.Password);
        Assert.Null(await chain.GetCredentialAsync("public.ecr.aws", default));
        Assert.Equal(1, provider.Calls);

        var expiring = new CountingProvider(DateTimeOffset.UtcNow.AddMinutes(2));
        var cached = new CachingCredentialProvider(expiring);
        await cached.GetCredentialAsync(ecr, default);
        await cached.GetCredentialAsync(ecr, default);
        Assert.Equal(2, expiring.Calls); // within 5 minutes of expiry: fetched again
    }
}
