using System.Reflection;

namespace UvLambda.Core.Tests;

/// <summary>Where the repository and ../shared are, baked in at build time.</summary>
public static class TestPaths
{
    private static string Metadata(string key) =>
        typeof(TestPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;

    public static string RepoRoot => Metadata("RepoRoot");

    public static string SharedFixtures
    {
        get
        {
            var dir = Metadata("SharedFixturesDir");
            if (!Directory.Exists(Path.Combine(dir, "fixtures")))
                throw new InvalidOperationException($"shared fixtures not found at {dir}: clone the project beside ../shared");
            return Path.Combine(dir, "fixtures");
        }
    }
}
