using System.Text.Json;
using System.Text.Json.Nodes;
using UvLambda.Core.Local;

namespace UvLambda.Core.Tests.Local;

/// <summary>Invoke of a Lambda Web Adapter app: event → HTTP request → app → API Gateway result, with real python3.</summary>
public class ScriptAppInvokerTests
{
    private static readonly Uri App = new("http://127.0.0.1:9999");

    [Fact]
    public async Task A_payload_2_event_becomes_its_request_with_query_headers_cookies_and_body()
    {
        var evt = JsonNode.Parse("""
            {"version":"2.0","rawPath":"/items/7","rawQueryString":"a=1&b=2","cookies":["c1=v1","c2=v2"],
             "headers":{"x-trace":"t1","content-type":"application/json"},
             "requestContext":{"http":{"method":"PUT"}},"body":"eyJrIjoxfQ==","isBase64Encoded":true}
            """);
        using var request = ScriptAppInvoker.ToHttpRequest(evt, App, "");
        Assert.Equal("PUT", request.Method.Method);
        Assert.Equal("http://127.0.0.1:9999/items/7?a=1&b=2", request.RequestUri!.ToString());
        Assert.Equal("t1", request.Headers.GetValues("x-trace").Single());
        Assert.Equal("c1=v1; c2=v2", request.Headers.GetValues("Cookie").Single());
        Assert.Equal("""{"k":1}""", await request.Content!.ReadAsStringAsync());
        Assert.Equal("application/json", request.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public void A_rest_1_event_uses_its_multi_value_query_and_headers()
    {
        var evt = JsonNode.Parse("""
            {"httpMethod":"GET","path":"/","multiValueQueryStringParameters":{"q":["x y","z"]},
             "multiValueHeaders":{"Accept":["text/plain"]},"body":null}
            """);
        using var request = ScriptAppInvoker.ToHttpRequest(evt, App, "");
        Assert.Equal("http://127.0.0.1:9999/?q=x%20y&q=z", request.RequestUri!.AbsoluteUri);
        Assert.Equal("text/plain", request.Headers.Accept.Single().MediaType);
        Assert.Null(request.Content);
    }

    [Fact]
    public async Task Any_other_event_is_posted_to_the_adapters_events_path()
    {
        using var request = ScriptAppInvoker.ToHttpRequest(JsonNode.Parse("""{"Records":[]}"""), App, """{"Records":[]}""");
        Assert.Equal("POST", request.Method.Method);
        Assert.Equal("/events", request.RequestUri!.AbsolutePath);
        Assert.Equal("""{"Records":[]}""", await request.Content!.ReadAsStringAsync());
    }

    [Fact]
    public void Invoke_starts_the_script_sends_the_event_and_maps_the_response_back()
    {
        if (OperatingSystem.IsWindows()) return; // script handlers are Lambda (Linux) shell scripts
        using var dir = new TempDirectory();
        dir.WriteFile("run.sh", "#!/bin/sh\nexec python -m app.server\n");
        File.SetUnixFileMode(dir.Combine("run.sh"), (UnixFileMode)0x1ED);
        dir.WriteFile("app/__init__.py", "");
        dir.WriteFile("app/server.py", """
            import http.server, json, os

            class Handler(http.server.BaseHTTPRequestHandler):
                def do_POST(self):
                    data = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                    body = json.dumps({"path": self.path, "got": data.decode(), "fn": os.environ["AWS_LAMBDA_FUNCTION_NAME"]}).encode()
                    self.send_response(201)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)

            http.server.HTTPServer(("127.0.0.1", int(os.environ["PORT"])), Handler).serve_forever()
            """);
        var python = ToolLocator();
        var function = new LocalFunction
        {
            Python = python, AppDirectory = dir.Path, SiteDirectory = "", Handler = "run.sh", FunctionName = "webapp",
            WorkerScript = dir.Combine("obj", "uvlambda_worker.py"), TimeoutSeconds = 10,
        };
        using var invoker = new ScriptAppInvoker(function, _ => { });
        var result = invoker.Invoke("""{"version":"2.0","rawPath":"/orders","rawQueryString":"","requestContext":{"http":{"method":"POST"}},"body":"hello","isBase64Encoded":false}""");
        Assert.Null(result.Error);
        var json = JsonNode.Parse(result.ResultJson!)!;
        Assert.Equal(201, json["statusCode"]!.GetValue<int>());
        Assert.False(json["isBase64Encoded"]!.GetValue<bool>());
        var body = JsonNode.Parse(json["body"]!.GetValue<string>())!;
        Assert.Equal("/orders", body["path"]!.GetValue<string>());
        Assert.Equal("hello", body["got"]!.GetValue<string>());
        Assert.Equal("webapp", body["fn"]!.GetValue<string>());
    }

    private static string ToolLocator()
    {
        var found = Processes.ExternalTool.OnPath("python3", Processes.ProcessEnvironment.Current()).FirstOrDefault();
        Assert.NotNull(found);
        return found!;
    }
}
