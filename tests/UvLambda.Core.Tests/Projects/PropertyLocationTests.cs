using UvLambda.Core.Diagnostics;
using UvLambda.Core.Projects;

namespace UvLambda.Core.Tests.Projects;

public class PropertyLocationTests
{
    private const string ProjectText = """
        <Project Sdk="UvLambda.Sdk/0.1.0">
          <PropertyGroup>
            <PythonVersion>3.12.1</PythonVersion>
            <LambdaArchitecture Condition="'$(CI)' == ''">x64</LambdaArchitecture>
            <LambdaHandler>app/main.handler</LambdaHandler>
          </PropertyGroup>
        </Project>
        """;

    [Theory]
    [InlineData("3.12.1", "x86_64", "app.main.handler", ErrorCodes.InvalidPythonVersion, 3, 5)]
    [InlineData("3.12", "x64", "app.main.handler", ErrorCodes.InvalidArchitecture, 4, 5)]
    [InlineData("3.12", "x86_64", "app/main.handler", ErrorCodes.InvalidHandler, 5, 5)]
    public void A_refused_setting_points_at_the_element_of_the_project_file_that_sets_it(string python, string arch, string handler, string code, int line, int column)
    {
        using var dir = new TempDirectory();
        var file = dir.WriteFile("fn.pyproj", ProjectText);
        var e = Assert.Throws<UvLambdaException>(() => LambdaProjectSettings.Validate(python, arch, "Zip", handler, file));
        var value = code == ErrorCodes.InvalidPythonVersion ? python : code == ErrorCodes.InvalidArchitecture ? arch : handler;
        var located = PropertyLocation.Locate(e, file, value);
        Assert.Equal((code, file, line, column), (located.Code, located.File, located.Line, located.Column));
        Assert.Equal(e.Message, located.Message);
    }

    [Fact]
    public void A_value_the_project_file_does_not_set_keeps_the_file_without_a_line()
    {
        using var dir = new TempDirectory();
        var file = dir.WriteFile("fn.pyproj", ProjectText);
        // From -p:LambdaArchitecture=amd64 or a Directory.Build.props: nowhere in this file.
        var e = Assert.Throws<UvLambdaException>(() => LambdaProjectSettings.Validate("3.12", "amd64", "Zip", "", file));
        Assert.Same(e, PropertyLocation.Locate(e, file, "amd64"));
        // A code about something else is never moved, even when the text matches.
        var other = new UvLambdaException(ErrorCodes.ArchiveTooLarge, "too large", file);
        Assert.Same(other, PropertyLocation.Locate(other, file, "x64"));
    }
}
