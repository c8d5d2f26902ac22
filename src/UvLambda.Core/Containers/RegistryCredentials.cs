using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using UvLambda.Core.Diagnostics;

namespace UvLambda.Core.Containers;

/// <summary>
/// A user name and secret for one registry. <see cref="ExpiresAt"/> is set for short-lived ones (ECR's 12-hour
/// tokens) so callers can cache them until then. Never logged: <see cref="ToString"/> hides the secret.
/// </summary>
public sealed record RegistryCredential(string Username, string Password, DateTimeOffset? ExpiresAt = null)
{
    /// <summary>An identity token (docker-credential helpers answer with user "&lt;token&gt;"): used as an OAuth2 refresh token.</summary>
    public bool IsIdentityToken => Username == "<token>";

    public override string ToString() => $"RegistryCredential {{ Username = {Username}, Password = *** }}";
}

/// <summary>
/// A source of registry credentials. The deploy support implements this for ECR (GetAuthorizationToken through the
/// AWS SDK work) and passes it to <see cref="RegistryCredentials.Default"/>; wrap it in
/// <see cref="CachingCredentialProvider"/> so a token is fetched once per registry until it expires.
/// </summary>
public interface IRegistryCredentialProvider
{
    /// <summary>Credentials for <paramref name="registry"/> (host[:port]), or null when this provider has none.</summary>
    Task<RegistryCredential?> GetCredentialAsync(string registry, CancellationToken cancellationToken);
}

/// <summary>The default chain: environment variables, then the ECR provider (for ECR hosts), then Docker's config.json.</summary>
public static partial class RegistryCredentials
{
    /// <summary>User name and password for the registry pushed to (ContainerRegistry).</summary>
    public const string UsernameVariable = "UVLAMBDA_REGISTRY_USERNAME";
    public const string PasswordVariable = "UVLAMBDA_REGISTRY_PASSWORD";
    /// <summary>User name and password for the base image's registry (ContainerBaseImage).</summary>
    public const string BaseUsernameVariable = "UVLAMBDA_BASE_REGISTRY_USERNAME";
    public const string BasePasswordVariable = "UVLAMBDA_BASE_REGISTRY_PASSWORD";

    /// <summary>
    /// The .NET SDK's container variables, read after UvLambda's own, with the same scoping: the push registry's
    /// (DOTNET_CONTAINER_PUSH_REGISTRY_*, and the older SDK_CONTAINER_REGISTRY_* that CI files still set) and the base
    /// image registry's (DOTNET_CONTAINER_PULL_REGISTRY_*).
    /// </summary>
    public static readonly IReadOnlyList<(string User, string Password)> DotnetPushVariables =
        [("DOTNET_CONTAINER_PUSH_REGISTRY_UNAME", "DOTNET_CONTAINER_PUSH_REGISTRY_PWORD"), ("SDK_CONTAINER_REGISTRY_UNAME", "SDK_CONTAINER_REGISTRY_PWORD")];
    public static readonly IReadOnlyList<(string User, string Password)> DotnetPullVariables =
        [("DOTNET_CONTAINER_PULL_REGISTRY_UNAME", "DOTNET_CONTAINER_PULL_REGISTRY_PWORD")];

    [GeneratedRegex(@"^[0-9]{12}\.dkr\.ecr(-fips)?\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$")]
    private static partial Regex EcrHostPattern();

    /// <summary>A private ECR registry (account.dkr.ecr.region.amazonaws.com), whose passwords come from GetAuthorizationToken.</summary>
    public static bool IsEcr(string registry) => EcrHostPattern().IsMatch(registry);

    /// <summary>
    /// The credential chain for one build: env credentials apply only to the registry they are for (never sent to
    /// the other one), the ECR provider only to ECR hosts, Docker's config.json to any.
    /// </summary>
    public static IRegistryCredentialProvider Default(IReadOnlyDictionary<string, string?> environment, string? pushRegistry,
        string? baseRegistry, IRegistryCredentialProvider? ecr = null)
    {
        var chain = new List<IRegistryCredentialProvider>();
        if (pushRegistry is not null)
        {
            chain.Add(new EnvironmentCredentialProvider(environment, pushRegistry, UsernameVariable, PasswordVariable));
            foreach (var (user, password) in DotnetPushVariables)
                chain.Add(new EnvironmentCredentialProvider(environment, pushRegistry, user, password));
        }
        if (baseRegistry is not null)
        {
            chain.Add(new EnvironmentCredentialProvider(environment, baseRegistry, BaseUsernameVariable, BasePasswordVariable));
            foreach (var (user, password) in DotnetPullVariables)
                chain.Add(new EnvironmentCredentialProvider(environment, baseRegistry, user, password));
        }
        if (ecr is not null) chain.Add(new EcrOnly(ecr));
        chain.Add(new DockerConfigCredentialProvider(environment));
        return new CredentialChain(chain);
    }

    private sealed class EcrOnly(IRegistryCredentialProvider inner) : IRegistryCredentialProvider
    {
        public Task<RegistryCredential?> GetCredentialAsync(string registry, CancellationToken ct) =>
            IsEcr(registry) ? inner.GetCredentialAsync(registry, ct) : Task.FromResult<RegistryCredential?>(null);
    }
}

/// <summary>Asks each provider in turn; the first answer wins.</summary>
public sealed class CredentialChain(IReadOnlyList<IRegistryCredentialProvider> providers) : IRegistryCredentialProvider
{
    public async Task<RegistryCredential?> GetCredentialAsync(string registry, CancellationToken cancellationToken)
    {
        foreach (var p in providers)
            if (await p.GetCredentialAsync(registry, cancellationToken).ConfigureAwait(false) is { } c)
                return c;
        return null;
    }
}

/// <summary>Credentials from a pair of environment variables, for one registry only.</summary>
public sealed class EnvironmentCredentialProvider(IReadOnlyDictionary<string, string?> environment, string registry,
    string usernameVariable, string passwordVariable) : IRegistryCredentialProvider
{
    public Task<RegistryCredential?> GetCredentialAsync(string host, CancellationToken cancellationToken)
    {
        if (!string.Equals(host, registry, StringComparison.OrdinalIgnoreCase)) return Task.FromResult<RegistryCredential?>(null);
        environment.TryGetValue(usernameVariable, out var user);
        environment.TryGetValue(passwordVariable, out var password);
        return Task.FromResult(string.IsNullOrEmpty(user) || password is null ? null : new RegistryCredential(user, password));
    }
}

/// <summary>Keeps each registry's answer until its expiry (less 5 minutes); answers without expiry for the process's life.</summary>
public sealed class CachingCredentialProvider(IRegistryCredentialProvider inner, TimeProvider? time = null) : IRegistryCredentialProvider
{
    private readonly Dictionary<string, RegistryCredential?> _cache = new(StringComparer.OrdinalIgnoreCase);
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public async Task<RegistryCredential?> GetCredentialAsync(string registry, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_cache.TryGetValue(registry, out var cached) && (cached?.ExpiresAt is not { } e || e - TimeSpan.FromMinutes(5) > _time.GetUtcNow()))
                return cached;
            var fresh = await inner.GetCredentialAsync(registry, cancellationToken).ConfigureAwait(false);
            _cache[registry] = fresh;
            return fresh;
        }
        finally
        {
            _lock.Release();
        }
    }
}

/// <summary>
/// Docker's client configuration (<c>$DOCKER_CONFIG/config.json</c>, else <c>~/.docker/config.json</c>):
/// <c>credHelpers</c> for the registry, else <c>auths</c> (base64 <c>auth</c>, or username/password,
/// identitytoken), else the <c>credsStore</c> helper — as the docker CLI looks them up.
/// </summary>
public sealed class DockerConfigCredentialProvider(IReadOnlyDictionary<string, string?> environment) : IRegistryCredentialProvider
{
    public string? ConfigPath
    {
        get
        {
            if (environment.TryGetValue("DOCKER_CONFIG", out var dir) && !string.IsNullOrEmpty(dir)) return Path.Combine(dir, "config.json");
            environment.TryGetValue("HOME", out var home);
            if (string.IsNullOrEmpty(home)) home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            return string.IsNullOrEmpty(home) ? null : Path.Combine(home, ".docker", "config.json");
        }
    }

    public async Task<RegistryCredential?> GetCredentialAsync(string registry, CancellationToken cancellationToken)
    {
        var path = ConfigPath;
        if (path is null || !File.Exists(path)) return null;
        JsonElement root;
        try
        {
            root = JsonDocument.Parse(await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false)).RootElement;
        }
        catch (JsonException e)
        {
            throw new UvLambdaException(ErrorCodes.CredentialHelperFailed, $"{path} is not valid JSON: {e.Message}", path);
        }
        var key = DockerHubKey(registry);
        if (root.TryGetProperty("credHelpers", out var helpers) && helpers.ValueKind == JsonValueKind.Object)
            foreach (var h in helpers.EnumerateObject())
                if (Normalize(h.Name) == key && h.Value.GetString() is { Length: > 0 } helper)
                    return await RunHelperAsync(helper, h.Name, cancellationToken).ConfigureAwait(false);
        if (root.TryGetProperty("auths", out var auths) && auths.ValueKind == JsonValueKind.Object)
            foreach (var a in auths.EnumerateObject())
                if (Normalize(a.Name) == key && FromAuthEntry(a.Value, path) is { } c)
                    return c;
        if (root.TryGetProperty("credsStore", out var store) && store.GetString() is { Length: > 0 } storeHelper)
            return await RunHelperAsync(storeHelper, registry == ImageReference.DockerHubRegistry ? "https://index.docker.io/v1/" : registry, cancellationToken).ConfigureAwait(false);
        return null;
    }

    /// <summary>Docker Hub is stored under index.docker.io/v1/; other keys may carry a scheme and a path.</summary>
    private static string DockerHubKey(string registry) => registry == ImageReference.DockerHubRegistry ? "index.docker.io" : registry.ToLowerInvariant();

    private static string Normalize(string key)
    {
        var k = key.Trim();
        var scheme = k.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0) k = k[(scheme + 3)..];
        var slash = k.IndexOf('/');
        if (slash >= 0) k = k[..slash];
        k = k.ToLowerInvariant();
        return k is "docker.io" or "registry-1.docker.io" ? "index.docker.io" : k;
    }

    private static RegistryCredential? FromAuthEntry(JsonElement entry, string path)
    {
        if (entry.ValueKind != JsonValueKind.Object) return null;
        if (entry.TryGetProperty("identitytoken", out var idt) && idt.GetString() is { Length: > 0 } token)
            return new RegistryCredential("<token>", token);
        if (entry.TryGetProperty("auth", out var auth) && auth.GetString() is { Length: > 0 } encoded)
        {
            string decoded;
            try { decoded = Encoding.UTF8.GetString(Convert.FromBase64String(encoded)); }
            catch (FormatException) { throw new UvLambdaException(ErrorCodes.CredentialHelperFailed, $"An 'auth' entry in {path} is not base64 of user:password.", path); }
            var colon = decoded.IndexOf(':');
            if (colon <= 0) throw new UvLambdaException(ErrorCodes.CredentialHelperFailed, $"An 'auth' entry in {path} is not base64 of user:password.", path);
            return new RegistryCredential(decoded[..colon], decoded[(colon + 1)..]);
        }
        if (entry.TryGetProperty("username", out var u) && entry.TryGetProperty("password", out var p) && u.GetString() is { Length: > 0 } user)
            return new RegistryCredential(user, p.GetString() ?? "");
        return null;
    }

    /// <summary>Runs <c>docker-credential-&lt;helper&gt; get</c> with the server URL on stdin, as the docker CLI does.</summary>
    private async Task<RegistryCredential?> RunHelperAsync(string helper, string serverUrl, CancellationToken cancellationToken)
    {
        var program = "docker-credential-" + helper;
        var psi = new ProcessStartInfo(program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add("get");
        if (environment.TryGetValue("PATH", out var pathVar) && pathVar is not null)
        {
            psi.Environment["PATH"] = pathVar;
            // Process.Start resolves the program against the parent's PATH: resolve it against ours.
            foreach (var dir in pathVar.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            {
                var candidate = Path.Combine(dir, program);
                if (File.Exists(candidate)) { psi.FileName = candidate; break; }
            }
        }
        Process process;
        try
        {
            process = Process.Start(psi)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new UvLambdaException(ErrorCodes.CredentialHelperFailed,
                $"Docker's config names the credential helper '{helper}', but {program} could not be started ({e.Message}). Install it or remove it from config.json.");
        }
        using (process)
        {
            await process.StandardInput.WriteAsync(serverUrl).ConfigureAwait(false);
            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(60));
            try { await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false); }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                cancellationToken.ThrowIfCancellationRequested(); // the build was cancelled, not the helper slow
                throw new UvLambdaException(ErrorCodes.CredentialHelperFailed, $"{program} get did not answer within 60 seconds.");
            }
            var output = await stdout.ConfigureAwait(false);
            var error = (await stderr.ConfigureAwait(false)).Trim();
            if (process.ExitCode != 0)
            {
                // "credentials not found in native keychain" is the helpers' way of saying "none".
                if ((output + error).Contains("credentials not found", StringComparison.OrdinalIgnoreCase)) return null;
                throw new UvLambdaException(ErrorCodes.CredentialHelperFailed, $"{program} get failed (exit code {process.ExitCode}): {Truncate(error)}");
            }
            try
            {
                var json = JsonDocument.Parse(output).RootElement;
                var user = json.GetProperty("Username").GetString();
                var secret = json.GetProperty("Secret").GetString();
                return string.IsNullOrEmpty(user) || secret is null ? null : new RegistryCredential(user, secret);
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
            {
                throw new UvLambdaException(ErrorCodes.CredentialHelperFailed, $"{program} get did not answer with {{\"Username\":…,\"Secret\":…}} JSON.");
            }
        }
    }

    private static string Truncate(string s) => s.Length > 300 ? s[..300] + "…" : s;
}
