using UvLambda.Core.Diagnostics;
using UvLambda.Core.Locking;

namespace UvLambda.Core.Tests.Locking;

/// <summary>
/// Every real-world lock in ../shared resolved for Lambda targets, with expectations derived by reading the locks
/// (see ../shared/fixtures/real-world/SOURCES.md for what each exercises).
/// </summary>
public class RealWorldResolutionTests
{
    private static string Fixture(string name, string projectDir = ".") =>
        Path.GetFullPath(Path.Combine(TestPaths.SharedFixtures, "real-world", name, projectDir));

    internal static IReadOnlyList<ResolvedPackage> Resolve(string fixture, string pythonVersion = "3.13", string arch = "x86_64",
        string projectDir = ".", string[]? extras = null, string[]? groups = null, string? lockDir = null)
    {
        var lk = UvLockReader.Load(Path.Combine(Fixture(fixture, lockDir ?? projectDir), "uv.lock"));
        return LockResolver.Resolve(lk, new ResolveOptions(Fixture(fixture, projectDir), extras ?? [], groups ?? [],
            TargetEnvironment.ForLambda(pythonVersion, arch)));
    }

    private static string[] Names(IReadOnlyList<ResolvedPackage> packages) =>
        packages.Select(p => p.Name).Order(StringComparer.Ordinal).ToArray();

    [Fact]
    public void Uv_aws_lambda_example_ships_fastapi_and_mangum_without_the_dev_group()
    {
        var packages = Resolve("astral-sh__uv-aws-lambda-example");
        Assert.Equal(["annotated-types", "anyio", "fastapi", "idna", "mangum", "pydantic", "pydantic-core", "sniffio", "starlette", "typing-extensions"], Names(packages));
        var core = packages.Single(p => p.Name == "pydantic-core");
        Assert.Equal("pydantic_core-2.27.2-cp313-cp313-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", core.Wheel!.Name);
        Assert.All(packages, p => Assert.Equal(ResolvedSource.Registry, p.Source));
    }

    [Fact]
    public void Uv_aws_lambda_example_on_arm64_takes_the_aarch64_wheel()
    {
        var core = Resolve("astral-sh__uv-aws-lambda-example", arch: "arm64").Single(p => p.Name == "pydantic-core");
        Assert.Equal("pydantic_core-2.27.2-cp313-cp313-manylinux_2_17_aarch64.manylinux2014_aarch64.whl", core.Wheel!.Name);
    }

    [Fact]
    public void The_dev_group_brings_fastapi_standard_and_uvloop_on_linux_but_never_colorama()
    {
        var names = Names(Resolve("astral-sh__uv-aws-lambda-example", groups: ["dev"]));
        Assert.Contains("uvicorn", names);
        Assert.Contains("uvloop", names);
        Assert.DoesNotContain("colorama", names);
    }
}
