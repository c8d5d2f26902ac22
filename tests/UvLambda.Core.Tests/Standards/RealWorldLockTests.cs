using System.Text.RegularExpressions;
using UvLambda.Core.Standards;

namespace UvLambda.Core.Tests.Standards;

/// <summary>
/// Runs the packaging rules over every wheel name, version, specifier and marker in the real-world uv.lock
/// fixtures. The locks are scanned with regular expressions (not the TOML reader) so these tests only
/// depend on the packaging code.
/// </summary>
public partial class RealWorldLockTests
{
    [GeneratedRegex("""url = "[^"]*/([^/"]+\.whl)"[^}]*}""")]
    private static partial Regex WheelUrl();

    [GeneratedRegex("""marker = "([^"]*)"|resolution-markers = \[\s*((?:"[^"]*",?\s*)*)\]""")]
    private static partial Regex MarkerText();

    [GeneratedRegex("""specifier = "([^"]*)"|^version = "([^"]*)"|requires-python = "([^"]*)" """, RegexOptions.Multiline)]
    private static partial Regex VersionText();

    private sealed record LockedPackage(string Name, string Version, IReadOnlyList<WheelFileName> Wheels);

    public static TheoryData<string> Locks()
    {
        var data = new TheoryData<string>();
        foreach (var lockFile in Directory.GetFiles(Path.Combine(TestPaths.SharedFixtures, "real-world"), "uv.lock", SearchOption.AllDirectories).Order())
            data.Add(Path.GetRelativePath(Path.Combine(TestPaths.SharedFixtures, "real-world"), lockFile));
        return data;
    }

    private static string Read(string lockFile) => File.ReadAllText(Path.Combine(TestPaths.SharedFixtures, "real-world", lockFile));

    private static List<LockedPackage> Packages(string text) =>
        text.Split("[[package]]").Skip(1).Select(block =>
        {
            var name = Regex.Match(block, """^name = "([^"]*)" """.Trim(), RegexOptions.Multiline).Groups[1].Value;
            var version = Regex.Match(block, """^version = "([^"]*)" """.Trim(), RegexOptions.Multiline).Groups[1].Value;
            var wheels = WheelUrl().Matches(block).Select(m => WheelFileName.Parse(m.Groups[1].Value)).ToList();
            return new LockedPackage(name, version, wheels);
        }).ToList();

    [Theory]
    [MemberData(nameof(Locks))]
    public void Every_wheel_name_version_and_specifier_parses(string lockFile)
    {
        var text = Read(lockFile);
        foreach (var package in Packages(text))
        {
            foreach (var wheel in package.Wheels)
            {
                Assert.Equal(PackageName.Normalize(package.Name), wheel.NormalizedName);
                Assert.Equal(Pep440Version.Parse(package.Version), wheel.Version);
            }
        }
        int versions = 0;
        foreach (Match m in VersionText().Matches(text))
        {
            versions++;
            if (m.Groups[1].Success)
                VersionSpecifierSet.Parse(m.Groups[1].Value);
            else if (m.Groups[2].Success)
                Pep440Version.Parse(m.Groups[2].Value);
            else
                VersionSpecifierSet.Parse(m.Groups[3].Value);
        }
        Assert.True(versions > 0, $"no version or specifier found in {lockFile}");
        Assert.NotEmpty(Packages(text).SelectMany(p => p.Wheels));
    }

    [Theory]
    [MemberData(nameof(Locks))]
    public void Every_marker_parses_and_evaluates(string lockFile)
    {
        var env = MarkerEnvironment.ForLambda("3.13.0", "x86_64");
        var extras = new HashSet<string>();
        int evaluated = 0;
        foreach (Match m in MarkerText().Matches(Read(lockFile)))
        {
            var markers = m.Groups[1].Success
                ? [m.Groups[1].Value]
                : Regex.Matches(m.Groups[2].Value, "\"([^\"]*)\"").Select(x => x.Groups[1].Value);
            foreach (var marker in markers)
            {
                Marker.Parse(marker).Evaluate(env, extras);
                evaluated++;
            }
        }
        // Every real-world lock has markers (resolution-markers or dependency markers): a regex that finds none is broken.
        Assert.True(evaluated > 0, $"no marker found in {lockFile}");
    }

    [Fact]
    public void Pydantic_ai_lock_resolves_a_wheel_for_every_binary_package_on_cp313_x86_64()
    {
        var packages = Packages(Read(Path.Combine("pydantic__pydantic-ai", "uv.lock")));
        var target = TargetTags.ForLambda(13, PythonPlatform.ForLambdaRuntime(LinuxArchitecture.X86_64, 13));
        var pydanticCore = packages.Single(p => p.Name == "pydantic-core");
        var best = target.SelectBest(pydanticCore.Wheels)!;
        Assert.Equal(["cp313"], best.PythonTags);
        Assert.Equal(["cp313"], best.AbiTags);
        Assert.Contains("manylinux_2_17_x86_64", best.PlatformTags);

        // Windows/macOS-only packages (pywin32...) legitimately have nothing for Linux.
        var missing = packages.Where(p => p.Wheels.Count > 0 && target.SelectBest(p.Wheels) is null)
            .Where(p => p.Wheels.Any(w => w.PlatformTags.Any(t => t.Contains("linux"))))
            .Where(p => p.Wheels.Any(w => w.PythonTags.Contains("cp313") || w.AbiTags.Contains("abi3")))
            .Select(p => p.Name).ToList();
        Assert.Empty(missing);
    }

}
