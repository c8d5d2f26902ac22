using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace UvLambda.Sdk.Tests;

/// <summary>
/// The opening comment of every Sdk/*.targets file is its table of contents ("Public targets: …", "Extension points: …");
/// Sdk.targets's also lists every other file's public targets. These tests keep the comments true to the files.
/// </summary>
public class SdkTargetsHeaderTests
{
    private sealed record TargetsFile(string Name, string Header, HashSet<string> PublicTargets, HashSet<string> ExtensionPoints, List<string> Imports);

    private static List<TargetsFile> ReadAll() =>
        Directory.GetFiles(SdkProject.SdkDirectory, "*.targets").Order(StringComparer.Ordinal).Select(path =>
        {
            var doc = XDocument.Load(path);
            var header = doc.Nodes().OfType<XComment>().FirstOrDefault()?.Value ?? "";
            var root = doc.Root!;
            return new TargetsFile(
                Path.GetFileName(path),
                Regex.Replace(header, @"\s+", " "),
                root.Elements("Target").Select(t => (string)t.Attribute("Name")!).Where(n => !n.StartsWith('_')).ToHashSet(),
                root.Elements("PropertyGroup").Elements().Select(e => e.Name.LocalName)
                    .Where(n => n.EndsWith("DependsOn", StringComparison.Ordinal) && !n.StartsWith('_')).ToHashSet(),
                root.Elements("Import").Select(i => (string)i.Attribute("Project")!)
                    .Where(p => p.StartsWith("$(MSBuildThisFileDirectory)", StringComparison.Ordinal))
                    .Select(p => p["$(MSBuildThisFileDirectory)".Length..]).ToList());
        }).ToList();

    /// <summary>The comma-separated names after "label:" up to the sentence's full stop; "none" is no names.</summary>
    private static HashSet<string> Listed(string header, string label)
    {
        var m = Regex.Match(header, Regex.Escape(label) + @":\s*([^.(]*)");
        Assert.True(m.Success, $"no '{label}:' in the header");
        var text = m.Groups[1].Value.Trim();
        return text == "none" ? [] : text.Split(',', StringSplitOptions.TrimEntries).ToHashSet();
    }

    [Fact]
    public void Every_targets_file_header_lists_exactly_its_public_targets_and_extension_points()
    {
        var files = ReadAll();
        Assert.True(files.Count >= 5, $"found {files.Count} .targets files under {SdkProject.SdkDirectory}");
        Assert.True(files.Sum(f => f.PublicTargets.Count) > 10, "found 10 public targets or fewer");
        foreach (var f in files)
        {
            Assert.Equal(f.PublicTargets.Order(), Listed(f.Header, "Public targets").Order());
            Assert.Equal(f.ExtensionPoints.Order(), Listed(f.Header, "Extension points").Order());
        }
    }

    [Fact]
    public void Sdk_targets_header_lists_every_other_targets_file_in_import_order_with_its_public_targets()
    {
        var files = ReadAll();
        var sdk = files.Single(f => f.Name == "Sdk.targets");
        var others = files.Where(f => f != sdk).ToList();
        Assert.True(others.Count >= 5, $"found {others.Count} targets files beside Sdk.targets");
        // "UvLambda.X.targets: A, B, C." lines, in the order the header gives them.
        var byFile = Regex.Matches(sdk.Header, @"(UvLambda\.\w+\.targets):\s*([^.]*)\.")
            .ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value.Split(',', StringSplitOptions.TrimEntries).ToHashSet());
        Assert.Equal(others.Select(f => f.Name).Order(), byFile.Keys.Order());
        foreach (var f in others) Assert.Equal(f.PublicTargets.Order(), byFile[f.Name].Order());
        Assert.Equal(byFile.Keys.ToList(), sdk.Imports);
        // One file per target: a second definition would silently replace the first.
        var all = files.SelectMany(f => f.PublicTargets).ToList();
        Assert.Equal(all.Count, all.Distinct().Count());
    }
}
