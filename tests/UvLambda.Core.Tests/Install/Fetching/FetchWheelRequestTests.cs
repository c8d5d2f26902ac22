using UvLambda.Core.Install.Fetching;
using UvLambda.Core.Tests.Locking;

namespace UvLambda.Core.Tests.Install.Fetching;

public sealed class FetchWheelRequestTests
{
    [Fact]
    public void Resolved_registry_wheels_become_requests_with_url_hash_size_and_registry()
    {
        var packages = RealWorldResolutionTests.Resolve("astral-sh__uv-aws-lambda-example");

        var requests = packages.Select(p => WheelRequest.For(p, "/lock")).ToList();

        Assert.All(requests, Assert.NotNull);
        Assert.All(requests, r =>
        {
            Assert.StartsWith("https://files.pythonhosted.org/", r!.Url);
            Assert.Equal("https://pypi.org/simple", r.RegistryUrl);
            Assert.Equal(64, r.Sha256.Length);
            Assert.NotNull(r.Size);
            Assert.EndsWith(".whl", r.FileName);
        });
        var core = requests.Single(r => r!.PackageName == "pydantic-core")!;
        Assert.StartsWith("pydantic_core-", core.FileName);
    }
}
