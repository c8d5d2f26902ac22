using Microsoft.Build.Execution;

namespace UvLambda.Sdk.Tests;

/// <summary>
/// The targets the .NET SDK's solution-wide commands (dotnet test, dotnet pack) and a .NET project's ProjectReference
/// call on every project: present, answering "nothing here" for a default project, and an error for a setting the
/// SDK cannot honour.
/// </summary>
public class SolutionTargetsTests
{
    private const string AppMain = "def handler(event, context):\n    return {}\n";

    // VSTest: dotnet test (VSTest). _MTPBuild: dotnet test (Microsoft.Testing.Platform). Pack: dotnet pack. The rest: a
    // referencing project's ResolveProjectReferences, publish and static-graph protocol.
    private static readonly string[] NothingTargets =
        ["VSTest", "_MTPBuild", "Pack", "GetCopyToOutputDirectoryItems", "GetCopyToPublishDirectoryItems", "GetNativeManifest"];

    [Fact]
    public void A_default_project_is_neither_packable_nor_a_test_project()
    {
        using var p = new SdkProject("", ("app/main.py", AppMain));
        var project = p.Evaluate();
        Assert.Equal("false", project.GetPropertyValue("IsPackable"));
        Assert.Equal("false", project.GetPropertyValue("IsTestProject"));
    }

    [Fact]
    public void The_solution_command_targets_succeed_return_nothing_and_build_nothing_for_a_default_project()
    {
        using var p = new SdkProject("", ("app/main.py", AppMain));
        var (ok, errors, outputs) = p.BuildTargets(NothingTargets);
        Assert.True(ok, string.Join("\n", errors.Select(e => $"{e.Code}: {e.Message}")));
        Assert.Equal(NothingTargets.Order(), outputs.Keys.Order());
        foreach (var target in NothingTargets)
        {
            Assert.Equal(TargetResultCode.Success, outputs[target].ResultCode);
            Assert.Empty(outputs[target].Items);
        }
        // Nothing was built: no package, no intermediate files.
        Assert.False(Directory.Exists(Path.Combine(p.Directory, "bin")));
        Assert.False(Directory.Exists(Path.Combine(p.Directory, "obj")));
    }

    [Fact]
    public void GetTargetFrameworks_answers_one_rid_agnostic_project_with_no_target_framework()
    {
        using var p = new SdkProject("", ("app/main.py", AppMain));
        var (ok, errors, outputs) = p.BuildTargets(["GetTargetFrameworks"]);
        Assert.True(ok, string.Join("\n", errors.Select(e => $"{e.Code}: {e.Message}")));
        var item = Assert.Single(outputs["GetTargetFrameworks"].Items);
        Assert.Equal(p.ProjectPath, item.ItemSpec);
        // Empty TargetFrameworks: NuGet's GetReferenceNearestTargetFrameworkTask passes the reference through unchanged.
        Assert.Equal("", item.GetMetadata("TargetFrameworks"));
        Assert.Equal("true", item.GetMetadata("HasSingleTargetFramework"));
        Assert.Equal("true", item.GetMetadata("IsRidAgnostic"));
        Assert.Equal("AnyCPU", item.GetMetadata("Platform"));
    }

    [Theory]
    [InlineData("IsTestProject", "VSTest", "UVL1031")]
    [InlineData("IsTestProject", "_MTPBuild", "UVL1031")]
    [InlineData("IsTestingPlatformApplication", "_MTPBuild", "UVL1031")]
    [InlineData("IsTestingPlatformApplication", "VSTest", "UVL1031")]
    public void A_project_that_asks_to_be_packed_or_tested_gets_an_error_at_the_project_file(string property, string target, string code)
    {
        using var p = new SdkProject($"<PropertyGroup><{property}>true</{property}></PropertyGroup>", ("app/main.py", AppMain));
        var (ok, errors, _) = p.BuildTargets([target]);
        Assert.False(ok);
        var error = Assert.Single(errors);
        Assert.Equal(code, error.Code);
        Assert.Equal(p.ProjectPath, error.File);
        Assert.Contains(property, error.Message);
    }
}
