using System.IO.Compression;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace UvLambda.EndToEnd.Tests;

/// <summary>
/// README.md is the SDK package's NuGet readme. Its relative links (docs/reference.md, …) only work for a reader of
/// the package when the files they name are packed beside it.
/// </summary>
public class SdkPackageReadmeTests
{
    [Fact]
    public void The_packed_sdk_declares_its_readme_and_holds_every_file_the_readme_links_to()
    {
        var nupkg = Path.Combine(PackedSdk.RepoRoot, "artifacts", "packages", $"UvLambda.Sdk.{PackedSdk.Version}.nupkg");
        Assert.True(File.Exists(nupkg), $"{nupkg} is missing: build UvLambda.Build.sln first");
        using var package = ZipFile.OpenRead(nupkg);
        var entries = package.Entries.Select(e => e.FullName).ToHashSet();

        var nuspec = package.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
        using (var stream = nuspec.Open())
        {
            var readme = XDocument.Load(stream).Descendants().Single(e => e.Name.LocalName == "readme");
            Assert.Equal("README.md", readme.Value);
        }

        string packedReadme;
        using (var reader = new StreamReader(package.GetEntry("README.md")!.Open())) packedReadme = reader.ReadToEnd();
        Assert.Equal(File.ReadAllText(Path.Combine(PackedSdk.RepoRoot, "README.md")), packedReadme);

        var targets = Regex.Matches(packedReadme, @"\]\(([^)\s#]+)[^)\s]*\)").Select(m => m.Groups[1].Value)
            .Where(t => !t.Contains("://")).Distinct().ToList();
        Assert.Contains("docs/reference.md", targets);
        Assert.All(targets, t => Assert.Contains(t, entries));
    }
}
