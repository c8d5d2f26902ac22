using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace UvLambda.Core.Tests.Containers;

/// <summary>
/// Debian's docker-registry (the CNCF distribution registry) on 127.0.0.1, storage in a temp folder; optionally with
/// htpasswd (Basic) auth or token auth served by <see cref="TokenServer"/>. Started with bounded waits, killed on Dispose.
/// </summary>
public sealed class LocalRegistry : IDisposable
{
    public const string Binary = "/usr/bin/docker-registry";
    private readonly TempDirectory _dir = new();
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    public enum AuthMode { None, Htpasswd, Token }

    public LocalRegistry(AuthMode auth = AuthMode.None, string user = "tester", string password = "s3cret-pa55")
    {
        if (!File.Exists(Binary)) throw new InvalidOperationException($"{Binary} is missing: apt-get install docker-registry");
        Port = FreePort();
        Host = $"127.0.0.1:{Port}";
        User = user;
        Password = password;
        var authConfig = "";
        if (auth == AuthMode.Htpasswd)
        {
            var (exit, output, error) = Install.ToolProcess.Run("htpasswd", "-Bbn", user, password);
            Assert.True(exit == 0, "htpasswd (apache2-utils) failed: " + error);
            File.WriteAllText(_dir.Combine("htpasswd"), output.Trim() + "\n");
            authConfig = $"""
                auth:
                  htpasswd:
                    realm: test
                    path: {_dir.Combine("htpasswd")}
                """;
        }
        else if (auth == AuthMode.Token)
        {
            Tokens = new TokenServer(user, password, "test-issuer", "test-registry");
            File.WriteAllText(_dir.Combine("token.pem"), Tokens.CertificatePem);
            authConfig = $"""
                auth:
                  token:
                    realm: {Tokens.Realm}
                    service: test-registry
                    issuer: test-issuer
                    rootcertbundle: {_dir.Combine("token.pem")}
                """;
        }
        File.WriteAllText(_dir.Combine("config.yml"), $"""
            version: 0.1
            log:
              level: warn
              accesslog:
                disabled: true
            storage:
              filesystem:
                rootdirectory: {_dir.Combine("data")}
              delete:
                enabled: true
            http:
              addr: {Host}
            {authConfig}
            """);
        var psi = new ProcessStartInfo(Binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("serve");
        psi.ArgumentList.Add(_dir.Combine("config.yml"));
        _process = Process.Start(psi)!;
        _process.OutputDataReceived += (_, e) => { lock (_log) _log.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { lock (_log) _log.AppendLine(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        WaitUntilListening();
    }

    public int Port { get; }
    public string Host { get; }
    public string User { get; }
    public string Password { get; }
    public TokenServer? Tokens { get; }
    public string Log { get { lock (_log) return _log.ToString(); } }

    public static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    private void WaitUntilListening()
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException($"docker-registry exited ({_process.ExitCode}): {Log}");
            try
            {
                using var r = http.GetAsync($"http://{Host}/v2/").GetAwaiter().GetResult();
                return; // 200 or 401: it is up.
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            Thread.Sleep(100);
        }
        Dispose();
        throw new TimeoutException($"docker-registry did not listen on {Host} within 20 s: {Log}");
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
        catch (InvalidOperationException) { }
        _process.Dispose();
        Tokens?.Dispose();
        _dir.Dispose();
    }
}

/// <summary>
/// A token service as the distribution spec's token auth describes: checks Basic credentials, grants the requested
/// repository scopes in an RS256 JWT whose x5c names a self-signed certificate the registry trusts.
/// </summary>
public sealed class TokenServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly RSA _key = RSA.Create(2048);
    private readonly X509Certificate2 _certificate;
    private readonly string _user, _password, _issuer, _service;
    private readonly Task _loop;

    public TokenServer(string user, string password, string issuer, string service)
    {
        (_user, _password, _issuer, _service) = (user, password, issuer, service);
        var request = new CertificateRequest("CN=uvlambda-test-token", _key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        _certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var port = LocalRegistry.FreePort();
        Realm = $"http://127.0.0.1:{port}/token";
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        _loop = Task.Run(Serve);
    }

    public string Realm { get; }
    public int Issued;
    public int Refused;
    public string CertificatePem => _certificate.ExportCertificatePem() + "\n";

    private async Task Serve()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync(); }
            catch (Exception) { return; }
            try { Handle(context); }
            catch (Exception) { context.Response.StatusCode = 500; }
            finally { context.Response.Close(); }
        }
    }

    private void Handle(HttpListenerContext context)
    {
        var auth = context.Request.Headers["Authorization"];
        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{_user}:{_password}"));
        if (auth != expected)
        {
            Interlocked.Increment(ref Refused);
            context.Response.StatusCode = 401;
            return;
        }
        var access = new JsonArray();
        foreach (var scope in context.Request.QueryString.GetValues("scope") ?? [])
        {
            var parts = scope.Split(':');
            if (parts.Length != 3 || parts[0] != "repository") continue;
            access.Add(new JsonObject { ["type"] = "repository", ["name"] = parts[1], ["actions"] = new JsonArray(parts[2].Split(',').Select(a => (JsonNode)a).ToArray()) });
        }
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = new JsonObject { ["typ"] = "JWT", ["alg"] = "RS256", ["x5c"] = new JsonArray(Convert.ToBase64String(_certificate.RawData)) };
        var claims = new JsonObject
        {
            ["iss"] = _issuer, ["sub"] = _user, ["aud"] = _service, ["exp"] = now + 600, ["nbf"] = now - 60, ["iat"] = now - 60,
            ["jti"] = Guid.NewGuid().ToString("N"), ["access"] = access,
        };
        var signingInput = B64(Encoding.UTF8.GetBytes(header.ToJsonString())) + "." + B64(Encoding.UTF8.GetBytes(claims.ToJsonString()));
        var signature = _key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var token = signingInput + "." + B64(signature);
        Interlocked.Increment(ref Issued);
        var body = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { token, expires_in = 600 }));
        context.Response.ContentType = "application/json";
        context.Response.OutputStream.Write(body);
    }

    private static string B64(byte[] b) => Convert.ToBase64String(b).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        try { _loop.Wait(5000); } catch (AggregateException) { }
        _certificate.Dispose();
        _key.Dispose();
    }
}
