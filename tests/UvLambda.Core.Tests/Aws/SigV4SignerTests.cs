using System.Text;
using System.Text.Json.Nodes;
using UvLambda.Core.Aws;
using UvLambda.Core.Tests.Install;

namespace UvLambda.Core.Tests.Aws;

/// <summary>
/// SigV4 checked byte for byte against botocore's signer (SigV4Auth, S3SigV4Auth) on this machine's python3, with a
/// fixed timestamp, plus the AWS SigV4 test suite's published vanilla vector.
/// </summary>
public sealed class SigV4SignerTests
{
    private static readonly DateTimeOffset Now = new(2015, 8, 30, 12, 36, 0, TimeSpan.Zero);
    private static readonly AwsCredentials Example = new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");

    [Fact]
    public void AWS_test_suite_get_vanilla()
    {
        var headers = new List<KeyValuePair<string, string>>();
        var s = SigV4Signer.Sign("GET", new Uri("https://example.amazonaws.com/"), headers, [], Example, "us-east-1", "service", Now);
        Assert.Equal("GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n" + SigV4Signer.EmptyBodySha256, s.CanonicalRequest);
        Assert.Equal("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, " +
            "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31", s.Authorization);
    }

    private sealed record Case(string Name, string Method, string Url, string Service, string Body, (string, string)[] Headers, string? Token = null, string Region = "us-east-1");

    private static readonly Case[] Cases =
    [
        new("get-vanilla", "GET", "https://example.amazonaws.com/", "service", "", []),
        new("lambda-get-function", "GET", "http://127.0.0.1:5000/2015-03-31/functions/my-fn", "lambda", "", []),
        new("lambda-arn-in-path", "GET", "https://lambda.eu-west-1.amazonaws.com/2015-03-31/functions/arn%3Aaws%3Alambda%3Aeu-west-1%3A123456789012%3Afunction%3Af/configuration", "lambda", "", [], Region: "eu-west-1"),
        new("lambda-create-json", "POST", "https://lambda.us-east-1.amazonaws.com/2015-03-31/functions", "lambda", """{"FunctionName":"f","ZipFile":"UEsDBA=="}""", [("Content-Type", "application/json")]),
        new("session-token", "PUT", "https://lambda.us-east-1.amazonaws.com/2015-03-31/functions/f/code", "lambda", "{}", [("Content-Type", "application/json")], Token: "IQoJb3JpZ2luX2VjEXAMPLE//token+with/slashes=="),
        new("query-special-chars", "GET", "https://example.amazonaws.com/?Param2=value2&Param1=value%201&a%2Fb=c%26d&%E1%88%B4=%E2%82%AC&empty=", "service", "", []),
        new("query-repeated-keys", "GET", "https://example.amazonaws.com/?Param=value2&Param=value1&Param=Value3&b=1", "service", "", []),
        new("query-marker", "GET", "https://lambda.us-east-1.amazonaws.com/2018-10-31/layers/deps/versions?Marker=abc%3D%3D&MaxItems=50", "lambda", "", []),
        new("unicode-path", "GET", "https://example.amazonaws.com/%E1%88%B4/caf%C3%A9", "service", "", []),
        new("encoded-path-chars", "GET", "https://example.amazonaws.com/a%20b/c%2Bd/e%25f/%3A%40", "service", "", []),
        new("dot-segments-and-slashes", "GET", "https://example.amazonaws.com/example1/example2/../..//x/", "service", "", []),
        new("header-whitespace-and-repeats", "GET", "https://example.amazonaws.com/", "service", "",
            [("My-Header1", "  value1  with   spaces "), ("My-Header2", "\"a   b\""), ("X-Repeat", "one"), ("X-Repeat", "two"), ("User-Agent", "ignored/1.0")]),
        new("ecr-json-rpc", "POST", "https://api.ecr.us-east-1.amazonaws.com/", "ecr", "{}",
            [("Content-Type", "application/x-amz-json-1.1"), ("X-Amz-Target", "AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken")]),
        new("iam-query-form", "POST", "https://iam.amazonaws.com/", "iam", "Action=CreateRole&Version=2010-05-08&RoleName=r",
            [("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")]),
        new("s3-put-content-sha256", "PUT", "http://127.0.0.1:5000/bucket/uvlambda/f/%E2%82%AC%20a%2Bb.zip", "s3", "PK zip bytes", [("Content-Type", "application/zip")], Token: "s3-session-token"),
        new("s3-get-empty-body-query", "GET", "http://127.0.0.1:5000/bucket?list-type=2&prefix=uvlambda%2F&delimiter=%2F", "s3", "", []),
        new("s3-path-not-normalized", "GET", "http://s3.amazonaws.com/bucket/a//b/c", "s3", "", []),
    ];

    private const string Botocore = """
import base64, datetime, json, sys
from unittest import mock
import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

out = []
for c in json.load(open(sys.argv[1])):
    captured = {}
    base = botocore.auth.S3SigV4Auth if c["service"] == "s3" else botocore.auth.SigV4Auth
    class Recording(base):
        def canonical_request(self, request):
            captured["cr"] = super().canonical_request(request)
            return captured["cr"]
    auth = Recording(Credentials(c["access"], c["secret"], c["token"]), c["service"], c["region"])
    req = AWSRequest(method=c["method"], url=c["url"], data=base64.b64decode(c["body"]))
    for k, v in c["headers"]:
        if k in req.headers:
            req.headers.add_header(k, v)
        else:
            req.headers[k] = v
    with mock.patch("botocore.auth.get_current_datetime", return_value=datetime.datetime(2015, 8, 30, 12, 36, 0)):
        auth.add_auth(req)
    out.append({"name": c["name"], "canonical": captured["cr"], "authorization": req.headers["Authorization"]})
print(json.dumps(out))
""";

    [Fact]
    public void Signatures_match_botocore_byte_for_byte()
    {
        using var temp = new TempDirectory();
        var input = new JsonArray();
        foreach (var c in Cases)
        {
            input.Add(new JsonObject
            {
                ["name"] = c.Name, ["method"] = c.Method, ["url"] = new Uri(c.Url).AbsoluteUri, ["service"] = c.Service, ["region"] = c.Region,
                ["body"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(c.Body)),
                ["headers"] = new JsonArray(c.Headers.Select(h => (JsonNode?)new JsonArray(h.Item1, h.Item2)).ToArray()),
                ["access"] = Example.AccessKeyId, ["secret"] = Example.SecretAccessKey, ["token"] = c.Token,
            });
        }
        var casesFile = temp.WriteFile("cases.json", input.ToJsonString());
        var script = temp.WriteFile("sign.py", Botocore);
        var (exit, output, error) = ToolProcess.Run("python3", script, casesFile);
        Assert.True(exit == 0, "python3 with botocore is needed for this cross-check (pip install botocore): " + error);
        var expected = JsonNode.Parse(output)!.AsArray();
        Assert.Equal(Cases.Length, expected.Count);

        foreach (var (c, e) in Cases.Zip(expected))
        {
            var headers = c.Headers.Select(h => new KeyValuePair<string, string>(h.Item1, h.Item2)).ToList();
            var credentials = Example with { SessionToken = c.Token };
            var s = SigV4Signer.Sign(c.Method, new Uri(c.Url), headers, Encoding.UTF8.GetBytes(c.Body), credentials, c.Region, c.Service, Now);
            Assert.True(e!["canonical"]!.GetValue<string>() == s.CanonicalRequest,
                $"{c.Name}: canonical request differs\n--- botocore\n{e["canonical"]}\n--- ours\n{s.CanonicalRequest}");
            Assert.True(e["authorization"]!.GetValue<string>() == s.Authorization, $"{c.Name}: Authorization differs\n{e["authorization"]}\n{s.Authorization}");
            if (c.Token is not null) Assert.Contains(headers, h => h.Key == "X-Amz-Security-Token" && h.Value == c.Token);
            if (c.Service == "s3") Assert.Contains(headers, h => h.Key == "X-Amz-Content-SHA256");
        }
    }

    [Fact]
    public void Credentials_never_print_their_secrets()
    {
        var c = new AwsCredentials("AKID", "secret-value", "token-value");
        Assert.DoesNotContain("secret-value", c.ToString());
        Assert.DoesNotContain("token-value", c.ToString());
    }

    [Fact]
    public void Endpoints_come_from_the_service_specific_variable_then_the_global_one()
    {
        var env = new Dictionary<string, string> { ["AWS_ENDPOINT_URL"] = "http://127.0.0.1:1/", ["AWS_ENDPOINT_URL_LAMBDA"] = "http://127.0.0.1:2/" };
        var session = new AwsSession(new StaticCredentialSource(Example), "eu-west-1", n => env.GetValueOrDefault(n));
        Assert.Equal("http://127.0.0.1:2/", session.Endpoint("Lambda", "lambda").ToString());
        Assert.Equal("http://127.0.0.1:1/", session.Endpoint("ECR", "api.ecr").ToString());
        env["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"] = "true";
        Assert.Equal("https://lambda.eu-west-1.amazonaws.com/", session.Endpoint("Lambda", "lambda").ToString());
        Assert.Equal("https://api.ecr.eu-west-1.amazonaws.com/", session.Endpoint("ECR", "api.ecr").ToString());
        env.Remove("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
        env["AWS_ENDPOINT_URL_ECR"] = "not a url";
        var e = Assert.Throws<UvLambda.Core.Diagnostics.UvLambdaException>(() => session.Endpoint("ECR", "api.ecr"));
        Assert.Equal(UvLambda.Core.Diagnostics.ErrorCodes.AwsInvalidEndpoint, e.Code);
    }

    [Fact]
    public void Errors_are_parsed_from_the_header_or_the_body()
    {
        Assert.Equal(("ResourceNotFoundException", "nope"), AwsServiceClient.ParseError(System.Net.HttpStatusCode.NotFound,
            "ResourceNotFoundException:http://internal.amazon.com/coral/com.amazonaws.lambda/", """{"Type":"User","Message":"nope"}"""));
        Assert.Equal(("RepositoryNotFoundException", "gone"), AwsServiceClient.ParseError(System.Net.HttpStatusCode.BadRequest, null,
            """{"__type":"com.amazonaws.ecr#RepositoryNotFoundException","message":"gone"}"""));
        Assert.Equal(("EntityAlreadyExists", "dup"), AwsServiceClient.ParseError(System.Net.HttpStatusCode.Conflict, null,
            "<ErrorResponse><Error><Code>EntityAlreadyExists</Code><Message>dup</Message></Error></ErrorResponse>"));
        Assert.Equal("TooManyRequestsException", AwsServiceClient.ParseError((System.Net.HttpStatusCode)429, null, "").Code);
    }
}
