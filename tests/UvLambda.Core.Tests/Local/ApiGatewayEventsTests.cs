using System.Text;
using System.Text.Json.Nodes;
using UvLambda.Core.Local;

namespace UvLambda.Core.Tests.Local;

/// <summary>Both payload formats, field by field, against API Gateway's documented examples.</summary>
public class ApiGatewayEventsTests
{
    private static readonly ApiGatewayContext Context = new("c6af9ac6-7b61-11e6-9a41-93e8deadbeef", new DateTimeOffset(2020, 3, 12, 19, 3, 58, 390, TimeSpan.Zero));

    private static LocalHttpRequest Post() => new("POST", "/my/path?parameter1=value1&parameter1=value2&parameter2=value%20x", "HTTP/1.1",
    [
        new("Host", "127.0.0.1:8000"),
        new("User-Agent", "agent"),
        new("Header1", "value1"),
        new("Header2", "value1"),
        new("Header2", "value2"),
        new("Cookie", "cookie1=a; cookie2=b"),
        new("Content-Type", "text/plain"),
    ], Encoding.UTF8.GetBytes("Hello from Lambda"), "192.0.2.1");

    [Fact]
    public void Http_api_payload_2_0_has_every_documented_field()
    {
        var e = ApiGatewayEvents.ToHttpApiEvent(Post(), Context);
        Assert.Equal("2.0", (string?)e["version"]);
        Assert.Equal("$default", (string?)e["routeKey"]);
        Assert.Equal("/my/path", (string?)e["rawPath"]);
        Assert.Equal("parameter1=value1&parameter1=value2&parameter2=value%20x", (string?)e["rawQueryString"]);
        Assert.Equal(["cookie1=a", "cookie2=b"], e["cookies"]!.AsArray().Select(c => (string?)c));
        var headers = e["headers"]!.AsObject();
        Assert.Equal("value1", (string?)headers["header1"]);
        Assert.Equal("value1,value2", (string?)headers["header2"]);
        Assert.Equal("agent", (string?)headers["user-agent"]);
        Assert.Null(headers["cookie"]);
        Assert.All(headers, h => Assert.Equal(h.Key.ToLowerInvariant(), h.Key));
        Assert.Equal("value1,value2", (string?)e["queryStringParameters"]!["parameter1"]);
        Assert.Equal("value x", (string?)e["queryStringParameters"]!["parameter2"]);
        var rc = e["requestContext"]!.AsObject();
        Assert.Equal("123456789012", (string?)rc["accountId"]);
        Assert.Equal("local", (string?)rc["apiId"]);
        Assert.Equal("127.0.0.1:8000", (string?)rc["domainName"]);
        Assert.Equal("127", (string?)rc["domainPrefix"]);
        Assert.Equal("POST", (string?)rc["http"]!["method"]);
        Assert.Equal("/my/path", (string?)rc["http"]!["path"]);
        Assert.Equal("HTTP/1.1", (string?)rc["http"]!["protocol"]);
        Assert.Equal("192.0.2.1", (string?)rc["http"]!["sourceIp"]);
        Assert.Equal("agent", (string?)rc["http"]!["userAgent"]);
        Assert.Equal(Context.RequestId, (string?)rc["requestId"]);
        Assert.Equal("$default", (string?)rc["routeKey"]);
        Assert.Equal("$default", (string?)rc["stage"]);
        Assert.Equal("12/Mar/2020:19:03:58 +0000", (string?)rc["time"]);
        Assert.Equal(1584039838390L, (long)rc["timeEpoch"]!);
        Assert.Equal("Hello from Lambda", (string?)e["body"]);
        Assert.False((bool)e["isBase64Encoded"]!);
        // $default routes have no path parameters; stage variables are absent when none are set.
        Assert.False(e.ContainsKey("pathParameters"));
        Assert.False(e.ContainsKey("stageVariables"));
    }

    [Fact]
    public void Http_api_payload_2_0_omits_absent_parts_and_base64_encodes_binary_bodies()
    {
        var get = new LocalHttpRequest("GET", "/", "HTTP/1.1", [new("Host", "localhost")], [], "127.0.0.1");
        var e = ApiGatewayEvents.ToHttpApiEvent(get, Context);
        Assert.False(e.ContainsKey("cookies"));
        Assert.False(e.ContainsKey("queryStringParameters"));
        Assert.False(e.ContainsKey("body"));
        Assert.Equal("", (string?)e["rawQueryString"]);

        var png = new LocalHttpRequest("PUT", "/img", "HTTP/1.1", [new("Content-Type", "image/png")], [0x89, 0x50, 0x4e, 0x47, 0xff], "127.0.0.1");
        var b = ApiGatewayEvents.ToHttpApiEvent(png, Context);
        Assert.True((bool)b["isBase64Encoded"]!);
        Assert.Equal(Convert.ToBase64String([0x89, 0x50, 0x4e, 0x47, 0xff]), (string?)b["body"]);
    }

    [Fact]
    public void Rest_api_payload_1_0_has_every_documented_field()
    {
        var e = ApiGatewayEvents.ToRestEvent(Post(), Context);
        Assert.False(e.ContainsKey("version"));
        Assert.Equal("/{proxy+}", (string?)e["resource"]);
        Assert.Equal("/my/path", (string?)e["path"]);
        Assert.Equal("POST", (string?)e["httpMethod"]);
        Assert.Equal("value2", (string?)e["headers"]!["Header2"]);
        Assert.Equal("cookie1=a; cookie2=b", (string?)e["headers"]!["Cookie"]);
        Assert.Equal(["value1", "value2"], e["multiValueHeaders"]!["Header2"]!.AsArray().Select(v => (string?)v));
        Assert.Equal("value2", (string?)e["queryStringParameters"]!["parameter1"]);
        Assert.Equal(["value1", "value2"], e["multiValueQueryStringParameters"]!["parameter1"]!.AsArray().Select(v => (string?)v));
        Assert.Equal("my/path", (string?)e["pathParameters"]!["proxy"]);
        Assert.True(e.ContainsKey("stageVariables"));
        Assert.Null(e["stageVariables"]);
        var rc = e["requestContext"]!.AsObject();
        Assert.Equal("123456789012", (string?)rc["accountId"]);
        Assert.Equal("local", (string?)rc["apiId"]);
        Assert.Equal("127.0.0.1:8000", (string?)rc["domainName"]);
        Assert.Equal(Context.RequestId, (string?)rc["extendedRequestId"]);
        Assert.Equal("POST", (string?)rc["httpMethod"]);
        Assert.Equal("192.0.2.1", (string?)rc["identity"]!["sourceIp"]);
        Assert.Equal("agent", (string?)rc["identity"]!["userAgent"]);
        Assert.True(rc["identity"]!.AsObject().ContainsKey("cognitoIdentityId"));
        Assert.Equal("/local/my/path", (string?)rc["path"]);
        Assert.Equal("HTTP/1.1", (string?)rc["protocol"]);
        Assert.Equal(Context.RequestId, (string?)rc["requestId"]);
        Assert.Equal("12/Mar/2020:19:03:58 +0000", (string?)rc["requestTime"]);
        Assert.Equal(1584039838390L, (long)rc["requestTimeEpoch"]!);
        Assert.Equal("/{proxy+}", (string?)rc["resourcePath"]);
        Assert.Equal("local", (string?)rc["stage"]);
        Assert.NotNull(rc["resourceId"]);
        Assert.Equal("Hello from Lambda", (string?)e["body"]);
        Assert.False((bool)e["isBase64Encoded"]!);
    }

    [Fact]
    public void Rest_api_payload_1_0_uses_nulls_for_absent_parts_and_the_root_resource()
    {
        var e = ApiGatewayEvents.ToRestEvent(new LocalHttpRequest("GET", "/", "HTTP/1.1", [new("Host", "localhost")], [], "127.0.0.1"), Context);
        Assert.Equal("/", (string?)e["resource"]);
        foreach (var key in new[] { "queryStringParameters", "multiValueQueryStringParameters", "pathParameters", "body" })
        {
            Assert.True(e.ContainsKey(key), key);
            Assert.Null(e[key]);
        }
    }

    [Fact]
    public void A_2_0_result_without_statusCode_is_a_200_json_body()
    {
        var r = ApiGatewayEvents.ToResponse("2.0", """{"message": "hi"}""");
        Assert.Equal(200, r.StatusCode);
        Assert.Contains(r.Headers, h => h.Key == "Content-Type" && h.Value == "application/json");
        Assert.Equal("""{"message": "hi"}""", Encoding.UTF8.GetString(r.Body));
        Assert.Equal(200, ApiGatewayEvents.ToResponse("2.0", "\"text\"").StatusCode);
    }

    [Fact]
    public void A_2_0_result_maps_status_headers_cookies_and_base64_bodies()
    {
        var r = ApiGatewayEvents.ToResponse("2.0", """
            {"statusCode": 201, "headers": {"Content-Type": "image/png", "X-Count": 3}, "cookies": ["a=1; Path=/", "b=2"],
             "body": "iVBORw==", "isBase64Encoded": true}
            """);
        Assert.Equal(201, r.StatusCode);
        Assert.Contains(r.Headers, h => h.Key == "X-Count" && h.Value == "3");
        Assert.Equal(["a=1; Path=/", "b=2"], r.Headers.Where(h => h.Key == "Set-Cookie").Select(h => h.Value));
        Assert.Equal(Convert.FromBase64String("iVBORw=="), r.Body);
    }

    [Fact]
    public void A_1_0_result_needs_statusCode_and_merges_multiValueHeaders()
    {
        Assert.Equal(502, ApiGatewayEvents.ToResponse("1.0", """{"body": "x"}""").StatusCode);
        var r = ApiGatewayEvents.ToResponse("1.0", """
            {"statusCode": "404", "headers": {"A": "1", "Set-Cookie": "x=0"}, "multiValueHeaders": {"Set-Cookie": ["x=1", "y=2"]}, "body": "nope"}
            """);
        Assert.Equal(404, r.StatusCode);
        Assert.Equal(["x=1", "y=2"], r.Headers.Where(h => h.Key == "Set-Cookie").Select(h => h.Value));
        Assert.Contains(r.Headers, h => h.Key == "A" && h.Value == "1");
        Assert.Equal("nope", Encoding.UTF8.GetString(r.Body));
    }

    [Fact]
    public void A_failed_function_is_API_Gateways_error_response()
    {
        Assert.Equal(500, ApiGatewayEvents.FunctionError("2.0").StatusCode);
        Assert.Equal(502, ApiGatewayEvents.FunctionError("1.0").StatusCode);
    }
}
