using System.Net;
using System.Text;
using System.Text.Json;
using UvLambda.Core.Local;

namespace UvLambda.Core.Tests.Local;

/// <summary>The loopback server end to end: real sockets, a real python3 worker.</summary>
public class LocalHttpServerTests
{
    private static async Task<T> WithServer<T>(LocalFunctionFixture f, Func<HttpClient, string, Task<T>> test)
    {
        using var invoker = f.Invoker();
        using var server = new LocalHttpServer(f.Function, invoker, _ => { });
        server.Start();
        using var cts = new CancellationTokenSource();
        var run = server.RunAsync(cts.Token);
        try
        {
            using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            return await test(client, server.Url);
        }
        finally
        {
            cts.Cancel();
            await run.WaitAsync(TimeSpan.FromSeconds(10));
        }
    }

    [Fact]
    public async Task The_Lambda_Invoke_path_passes_the_body_as_the_raw_event_and_answers_like_Lambdas_Invoke_API()
    {
        // POST /2015-03-31/functions/<name>/invocations, as the Lambda runtime interface emulator and
        // `aws lambda invoke --endpoint-url` use it: any event (SQS, S3, ...), not an API Gateway one.
        using var f = new LocalFunctionFixture("""
            def handler(event, context):
                if event.get("fail"):
                    raise ValueError("bad input")
                return {"got": event, "function": context.function_name}
            """);
        await WithServer(f, async (client, url) =>
        {
            var path = url + "/2015-03-31/functions/function/invocations";
            using (var ok = await client.PostAsync(path, new StringContent("""{"Records": [1]}""")))
            {
                Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
                Assert.False(ok.Headers.Contains("X-Amz-Function-Error"));
                Assert.Equal("""{"got": {"Records": [1]}, "function": "hello"}""", await ok.Content.ReadAsStringAsync());
            }
            using (var empty = await client.PostAsync(path, new ByteArrayContent([])))
                Assert.Equal("""{"got": {}, "function": "hello"}""", await empty.Content.ReadAsStringAsync());
            using (var failed = await client.PostAsync(path, new StringContent("""{"fail": true}""")))
            {
                Assert.Equal(HttpStatusCode.OK, failed.StatusCode);
                Assert.Equal("Unhandled", failed.Headers.GetValues("X-Amz-Function-Error").Single());
                var text = await failed.Content.ReadAsStringAsync();
                using var doc = JsonDocument.Parse(text);
                Assert.Equal("ValueError", doc.RootElement.GetProperty("errorType").GetString());
                Assert.Equal("bad input", doc.RootElement.GetProperty("errorMessage").GetString());
                // Like Lambda: the handler's frames only (not the local worker's), quotes escaped as \" (readable).
                var frames = doc.RootElement.GetProperty("stackTrace").EnumerateArray().Select(e => e.GetString()!).ToList();
                Assert.Contains("main.py", Assert.Single(frames));
                Assert.Contains("raise ValueError(\\\"bad input\\\")", text);
            }
            using (var invalid = await client.PostAsync(path, new StringContent("{not json")))
            {
                Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
                Assert.Equal("InvalidRequestContentException", invalid.Headers.GetValues("x-amzn-ErrorType").Single());
                Assert.Contains("Could not parse request body into json", await invalid.Content.ReadAsStringAsync());
            }
            return 0;
        });
    }

    [Fact]
    public async Task A_request_becomes_a_2_0_event_and_the_result_the_response()
    {
        using var f = new LocalFunctionFixture("""
            import json
            def handler(event, context):
                return {"statusCode": 201, "headers": {"content-type": "application/json", "x-path": event["rawPath"]},
                        "cookies": ["session=abc; Path=/; HttpOnly", "theme=dark"],
                        "body": json.dumps({"q": event.get("queryStringParameters"), "cookies": event.get("cookies"),
                                            "body": event.get("body"), "method": event["requestContext"]["http"]["method"]})}
            """);
        await WithServer(f, async (client, url) =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, url + "/items/7?a=1&a=2&b=x%20y") { Content = new StringContent("payload", Encoding.UTF8, "text/plain") };
            request.Headers.Add("Cookie", "c1=v1; c2=v2");
            using var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            Assert.Equal("/items/7", response.Headers.GetValues("x-path").Single());
            Assert.Equal(["session=abc; Path=/; HttpOnly", "theme=dark"], response.Headers.GetValues("Set-Cookie"));
            using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            var root = doc.RootElement;
            Assert.Equal("1,2", root.GetProperty("q").GetProperty("a").GetString());
            Assert.Equal("x y", root.GetProperty("q").GetProperty("b").GetString());
            Assert.Equal(["c1=v1", "c2=v2"], root.GetProperty("cookies").EnumerateArray().Select(c => c.GetString()));
            Assert.Equal("payload", root.GetProperty("body").GetString());
            Assert.Equal("POST", root.GetProperty("method").GetString());
            return 0;
        });
    }

    [Fact]
    public async Task A_base64_body_is_decoded_and_a_1_0_event_has_multi_value_headers()
    {
        using var f = new LocalFunctionFixture("""
            import base64
            def handler(event, context):
                return {"statusCode": 200, "multiValueHeaders": {"X-Seen": event["multiValueHeaders"]["X-Multi"]},
                        "headers": {"Content-Type": "image/png"}, "isBase64Encoded": True,
                        "body": base64.b64encode(bytes([137, 80, 78, 71, 0, 255])).decode()}
            """, format: "1.0");
        await WithServer(f, async (client, url) =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url + "/logo.png");
            request.Headers.TryAddWithoutValidation("X-Multi", "one");
            request.Headers.TryAddWithoutValidation("X-Multi", "two");
            using var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(new byte[] { 137, 80, 78, 71, 0, 255 }, await response.Content.ReadAsByteArrayAsync());
            Assert.Equal("image/png", response.Content.Headers.ContentType!.MediaType);
            Assert.NotEmpty(response.Headers.GetValues("X-Seen"));
            return 0;
        });
    }

    [Fact]
    public async Task A_raising_or_timed_out_handler_is_API_Gateways_error_and_the_server_goes_on()
    {
        using var f = new LocalFunctionFixture("""
            import time
            def handler(event, context):
                if event["rawPath"] == "/raise":
                    raise RuntimeError("boom")
                if event["rawPath"] == "/sleep":
                    time.sleep(30)
                return {"statusCode": 200, "body": "fine"}
            """, timeoutSeconds: 1);
        await WithServer(f, async (client, url) =>
        {
            Assert.Equal(HttpStatusCode.InternalServerError, (await client.GetAsync(url + "/raise")).StatusCode);
            Assert.Equal(HttpStatusCode.InternalServerError, (await client.GetAsync(url + "/sleep")).StatusCode);
            Assert.Equal("fine", await client.GetStringAsync(url + "/"));
            return 0;
        });
    }

    /// <summary>
    /// An ASGI app behind an adapter that handles HTTP API v2 events as Mangum does (scope from rawPath, rawQueryString,
    /// headers and cookies; response headers, with set-cookie moved to cookies). Mangum itself is not installed here.
    /// </summary>
    [Fact]
    public async Task An_asgi_app_behind_a_mangum_style_adapter_works_unchanged()
    {
        using var f = new LocalFunctionFixture("""
            import asyncio, base64

            async def app(scope, receive, send):
                message = await receive()
                headers = dict(scope["headers"])
                text = "%s %s ?%s cookie=%s body=%s" % (scope["method"], scope["path"], scope["query_string"].decode(),
                                                       headers.get(b"cookie", b"").decode(), message.get("body", b"").decode())
                await send({"type": "http.response.start", "status": 200,
                            "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"set-cookie", b"a=1"), (b"set-cookie", b"b=2")]})
                await send({"type": "http.response.body", "body": text.encode()})

            class Mangumish:
                def __init__(self, app):
                    self.app = app

                def __call__(self, event, context):
                    headers = [(k.lower().encode(), v.encode()) for k, v in event["headers"].items()]
                    if event.get("cookies"):
                        headers.append((b"cookie", "; ".join(event["cookies"]).encode()))
                    body = event.get("body") or ""
                    body = base64.b64decode(body) if event.get("isBase64Encoded") else body.encode()
                    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
                             "method": event["requestContext"]["http"]["method"], "path": event["rawPath"],
                             "raw_path": None, "root_path": "", "scheme": "https",
                             "query_string": event["rawQueryString"].encode(), "headers": headers,
                             "server": ("mangum", 80), "client": (event["requestContext"]["http"]["sourceIp"], 0),
                             "aws.event": event, "aws.context": context}
                    sent = []

                    async def receive():
                        return {"type": "http.request", "body": body, "more_body": False}

                    async def send(message):
                        sent.append(message)

                    asyncio.run(self.app(scope, receive, send))
                    start = sent[0]
                    out_body = b"".join(m.get("body", b"") for m in sent[1:])
                    cookies = [v.decode() for k, v in start["headers"] if k.lower() == b"set-cookie"]
                    out_headers = {}
                    for k, v in start["headers"]:
                        if k.lower() != b"set-cookie":
                            out_headers[k.decode().lower()] = v.decode()
                    return {"statusCode": start["status"], "headers": out_headers, "cookies": cookies,
                            "body": out_body.decode(), "isBase64Encoded": False}

            handler = Mangumish(app)
            """);
        await WithServer(f, async (client, url) =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Put, url + "/hello?name=x") { Content = new StringContent("data") };
            request.Headers.Add("Cookie", "k=v");
            using var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("PUT /hello ?name=x cookie=k=v body=data", await response.Content.ReadAsStringAsync());
            Assert.Equal(["a=1", "b=2"], response.Headers.GetValues("Set-Cookie"));
            return 0;
        });
    }

    [Fact]
    public void A_port_in_use_is_a_coded_error()
    {
        using var f = new LocalFunctionFixture("def handler(event, context):\n    return 1\n");
        var busy = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        busy.Start();
        try
        {
            var port = ((IPEndPoint)busy.LocalEndpoint).Port;
            using var invoker = f.Invoker();
            using var server = new LocalHttpServer(f.Function with { Port = port }, invoker, _ => { });
            Assert.Equal(UvLambda.Core.Diagnostics.ErrorCodes.LocalPortInUse, Assert.Throws<UvLambda.Core.Diagnostics.UvLambdaException>(server.Start).Code);
        }
        finally
        {
            busy.Stop();
        }
    }
}
