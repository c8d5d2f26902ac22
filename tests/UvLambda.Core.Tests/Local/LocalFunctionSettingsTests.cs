using UvLambda.Core.Diagnostics;
using UvLambda.Core.Local;

namespace UvLambda.Core.Tests.Local;

/// <summary>The local-run settings (local-run.json, read by dotnet run and Invoke) are checked with UVL5201 before anything starts.</summary>
public class LocalFunctionSettingsTests
{
    [Theory]
    [InlineData("timeout", "LambdaTimeout 0")]
    [InlineData("memory", "LambdaMemorySize 64")]
    [InlineData("port", "LambdaLocalPort 70000")]
    [InlineData("event format", "LambdaLocalEventFormat '3.0'")]
    public void A_setting_outside_lambdas_limits_is_UVL5201_naming_it(string setting, string message)
    {
        var function = setting switch
        {
            "timeout" => new LocalFunction { TimeoutSeconds = 0 },
            "memory" => new LocalFunction { MemoryMb = 64 },
            "port" => new LocalFunction { Port = 70000 },
            _ => new LocalFunction { EventFormat = "3.0" },
        };
        var e = Assert.Throws<UvLambdaException>(function.Validate);
        Assert.Equal(ErrorCodes.InvalidLocalRunSetting, e.Code);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void Settings_at_lambdas_limits_are_valid_and_round_trip_through_the_file()
    {
        using var dir = new TempDirectory();
        var path = dir.Combine("local-run.json");
        new LocalFunction { Handler = "app.main.handler", TimeoutSeconds = 900, MemoryMb = 10240, Port = 0, EventFormat = "1.0" }.Save(path);
        var loaded = LocalFunction.Load(path);
        loaded.Validate();
        Assert.Equal("app.main.handler", loaded.Handler);
        Assert.Equal(900, loaded.TimeoutSeconds);
    }

    [Theory]
    [InlineData("{ \"timeoutSeconds\": \"soon\" }")]
    [InlineData("null")]
    [InlineData("")]
    public void A_damaged_local_run_file_is_UVL5201_saying_to_build_again(string text)
    {
        using var dir = new TempDirectory();
        var path = dir.WriteFile("local-run.json", text);
        var e = Assert.Throws<UvLambdaException>(() => LocalFunction.Load(path));
        Assert.Equal(ErrorCodes.InvalidLocalRunSetting, e.Code);
        Assert.Contains("Build the project again", e.Message);
        Assert.Equal(path, e.File);
    }

    [Fact]
    public void A_missing_local_run_file_is_UVL5201()
    {
        using var dir = new TempDirectory();
        Assert.Equal(ErrorCodes.InvalidLocalRunSetting,
            Assert.Throws<UvLambdaException>(() => LocalFunction.Load(dir.Combine("local-run.json"))).Code);
    }
}
