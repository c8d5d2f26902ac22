using UvLambda.Core.Diagnostics;
using UvLambda.Core.Locking;
using UvLambda.Core.Projects;
using UvLambda.Core.Tests.Aws;

namespace UvLambda.Core.Tests.Projects;

/// <summary>The runtime calendar shipped in the SDK: warnings, blocked deploys, and what the default never picks.</summary>
public sealed class LambdaRuntimesTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void The_table_has_every_runtime_the_SDK_offers_with_dates_in_order()
    {
        foreach (var version in LambdaRuntime.PythonVersions)
            Assert.NotNull(LambdaRuntimes.Find(version));
        foreach (var s in LambdaRuntimes.Schedule.Where(s => s.Deprecated is not null))
        {
            Assert.True(s.Deprecated < s.CreateBlocked && s.CreateBlocked < s.UpdateBlocked, s.Runtime);
        }
        var py310 = LambdaRuntimes.Find("3.10")!;
        Assert.Equal((new DateOnly(2026, 10, 31), new DateOnly(2027, 2, 1), new DateOnly(2027, 3, 3)), (py310.Deprecated!.Value, py310.CreateBlocked!.Value, py310.UpdateBlocked!.Value));
    }

    [Fact]
    public void A_deprecated_runtime_warns_with_its_dates_and_the_newest_runtime_requires_python_allows()
    {
        var day = new DateOnly(2026, 11, 30);
        Assert.Null(LambdaRuntimes.DeprecationWarning("3.11", day));
        Assert.Null(LambdaRuntimes.DeprecationWarning("3.10", new DateOnly(2026, 10, 30)));
        var warning = LambdaRuntimes.DeprecationWarning("3.10", day, v => v is "3.10" or "3.11" or "3.12");
        Assert.NotNull(warning);
        Assert.Contains("deprecated 2026-10-31, function creation blocked from 2027-02-01, updates blocked from 2027-03-03", warning);
        Assert.Contains("python3.12, the newest runtime requires-python allows", warning);
        Assert.Contains("allows no supported runtime", LambdaRuntimes.DeprecationWarning("3.10", day, v => v == "3.10"));
    }

    [Theory]
    [InlineData("3.10", true, "2027-01-31", false)]
    [InlineData("3.10", true, "2027-02-01", true)]
    [InlineData("3.10", false, "2027-02-01", false)]
    [InlineData("3.10", false, "2027-03-03", true)]
    [InlineData("3.11", true, "2027-07-31", true)]
    [InlineData("3.12", false, "2029-01-09", false)]
    [InlineData("3.12", false, "2029-01-10", true)]
    [InlineData("3.14", true, "2040-01-01", false)]
    public void A_deploy_Lambda_blocks_that_day_is_UVL4048(string version, bool creating, string day, bool blocked)
    {
        void Check() => LambdaRuntimes.CheckDeploy(version, creating, DateOnly.Parse(day, System.Globalization.CultureInfo.InvariantCulture), "fn", "/p/fn.pyproj");
        if (!blocked)
        {
            Check();
            return;
        }
        var e = Assert.Throws<UvLambdaException>(Check);
        Assert.Equal(ErrorCodes.DeployRuntimeBlocked, e.Code);
        Assert.Contains(creating ? "creating" : "updating", e.Message);
        Assert.Equal("/p/fn.pyproj", e.File);
    }

    [Fact]
    public void The_default_never_picks_a_runtime_deprecated_on_the_calendars_date_when_a_supported_one_is_allowed()
    {
        // Fixed by the SDK (its table's date), not the wall clock: the same SDK always picks the same default.
        Assert.Equal(new DateOnly(2026, 11, 30), LambdaRuntimes.AsOf);
        foreach (var requires in new[] { ">=3.10", ">=3.7", ">=3.9,<4" })
        {
            var picked = PythonVersionDefault.LowestAllowed(UvLambda.Core.Standards.VersionSpecifierSet.Parse(requires));
            Assert.False(LambdaRuntimes.IsDeprecated(picked, LambdaRuntimes.AsOf), $"{requires} picked deprecated {picked}");
            Assert.Equal("3.11", picked);
        }
    }

    [Fact]
    public void A_build_on_a_deprecated_runtime_warns_UVL4049()
    {
        File.WriteAllText(_temp.Combine("pyproject.toml"), "[project]\nname = \"app\"\nversion = \"0.1.0\"\nrequires-python = \">=3.10\"\ndependencies = []\n");
        var log = new RecordingLog();
        var resolution = ProjectResolver.Resolve(new ProjectResolutionRequest(_temp.Path, "3.10", "x86_64", null, [], [], false), log);
        Assert.Equal("3.10", resolution.PythonVersion);
        // python3.10 was deprecated on 2026-10-31 and stays so: this holds whatever day the test runs.
        var warning = Assert.Single(log.Lines, l => l.StartsWith("warning UVL4049", StringComparison.Ordinal));
        Assert.Contains("python3.14, the newest runtime requires-python allows", warning);
    }
}
