using UvLambda.Core.Containers;
using UvLambda.Core.Diagnostics;

namespace UvLambda.Core.Tests.Containers;

public class ImageReferenceTests
{
    [Theory]
    [InlineData("public.ecr.aws/lambda/python:3.13", "public.ecr.aws", "lambda/python", "3.13", null)]
    [InlineData("public.ecr.aws/lambda/python:3.13-arm64", "public.ecr.aws", "lambda/python", "3.13-arm64", null)]
    [InlineData("127.0.0.1:5000/lambda/python:3.12", "127.0.0.1:5000", "lambda/python", "3.12", null)]
    [InlineData("localhost/app", "localhost", "app", null, null)]
    [InlineData("python:3.13", "registry-1.docker.io", "library/python", "3.13", null)]
    [InlineData("amazon/aws-lambda-python", "registry-1.docker.io", "amazon/aws-lambda-python", null, null)]
    [InlineData("123456789012.dkr.ecr.us-east-1.amazonaws.com/fn@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "123456789012.dkr.ecr.us-east-1.amazonaws.com", "fn", null, "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    [InlineData("[::1]:5000/a/b:c", "[::1]:5000", "a/b", "c", null)]
    public void Parses_registry_repository_tag_and_digest(string text, string registry, string repository, string? tag, string? digest)
    {
        var r = ImageReference.Parse(text);
        Assert.Equal((registry, repository, tag, digest), (r.Registry, r.Repository, r.Tag, r.Digest));
        Assert.Equal(digest ?? tag ?? "latest", r.Reference);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Public.ecr.aws/Lambda/Python:3.13")]
    [InlineData("public.ecr.aws/lambda/python:")]
    [InlineData("public.ecr.aws/lambda/python:-bad")]
    [InlineData("repo@sha256:abc")]
    [InlineData("public.ecr.aws//python")]
    public void Rejects_what_is_not_a_reference(string text)
    {
        var e = Assert.Throws<UvLambdaException>(() => ImageReference.Parse(text, "ContainerBaseImage"));
        Assert.Equal(ErrorCodes.InvalidImageReference, e.Code);
    }

    [Theory]
    [InlineData("127.0.0.1:5000", true)]
    [InlineData("localhost:5000", true)]
    [InlineData("[::1]:5000", true)]
    [InlineData("public.ecr.aws", false)]
    [InlineData("registry.internal:5000", true)] // listed below
    public void Plain_http_only_for_loopback_and_listed_registries(string registry, bool insecure) =>
        Assert.Equal(insecure, RegistryClient.IsInsecure(registry, ["registry.internal:5000"]));

    [Fact]
    public void Ecr_hosts_are_recognized()
    {
        Assert.True(RegistryCredentials.IsEcr("123456789012.dkr.ecr.eu-west-1.amazonaws.com"));
        Assert.True(RegistryCredentials.IsEcr("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn"));
        Assert.False(RegistryCredentials.IsEcr("public.ecr.aws"));
    }

    [Fact]
    public void Challenge_parameters_are_parsed_with_quotes_and_commas()
    {
        var p = RegistryClient.ParseChallenge("realm=\"https://auth.example/token\",service=\"registry.example\",scope=\"repository:a/b:pull,push\"");
        Assert.Equal("https://auth.example/token", p["realm"]);
        Assert.Equal("registry.example", p["service"]);
        Assert.Equal("repository:a/b:pull,push", p["scope"]);
    }
}
