using System.IO.Compression;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Runtime.InteropServices;

namespace UvLambda.EndToEnd.Tests;

/// <summary>
/// The SDK package carries ReadyToRun images of the tasks (tools/net8.0-r2r/&lt;rid&gt;/) beside their IL
/// (tools/net8.0/), and MSBuild on .NET 10 runs them without JIT-compiling UvLambda's methods.
/// </summary>
[Collection(PackedSdkCollection.Name)]
public class ReadyToRunPackageTests(PackedSdk sdk)
{
    /// <summary>UvLambdaReadyToRunRuntimeIdentifiers (Directory.Build.props).</summary>
    private static readonly string[] Rids = ["linux-x64", "linux-arm64", "osx-arm64", "win-x64"];

    private static string Nupkg => Path.Combine(PackedSdk.RepoRoot, "artifacts", "packages", $"UvLambda.Sdk.{PackedSdk.Version}.nupkg");

    private static byte[] Read(ZipArchive package, string path)
    {
        var entry = package.GetEntry(path);
        Assert.True(entry != null, $"{path} is not in {Nupkg}");
        using var stream = entry.Open();
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }

    private static (bool ReadyToRun, Guid Mvid) Inspect(byte[] image)
    {
        using var pe = new PEReader(new MemoryStream(image));
        var metadata = pe.GetMetadataReader();
        return (pe.PEHeaders.CorHeader!.ManagedNativeHeaderDirectory.Size > 0, metadata.GetGuid(metadata.GetModuleDefinition().Mvid));
    }

    [Fact]
    public void Each_ready_to_run_folder_holds_images_of_the_packed_il_and_every_dll_the_tasks_load()
    {
        Assert.True(File.Exists(Nupkg), $"{Nupkg} is missing: build UvLambda.Build.sln first");
        using var package = ZipFile.OpenRead(Nupkg);
        var entries = package.Entries.Select(e => e.FullName).ToHashSet();

        // What the tasks load from beside themselves: every DLL of tools/net8.0/ but the `dotnet run` server, which
        // runs in its own process from there (AWSSDK.Core loads SecurityToken, SSO and SSOOIDC by name).
        var taskDlls = entries.Where(e => e.StartsWith("tools/net8.0/", StringComparison.Ordinal) && e.EndsWith(".dll", StringComparison.Ordinal))
            .Select(e => e["tools/net8.0/".Length..]).Where(n => n != "UvLambda.LocalServer.dll").Order(StringComparer.Ordinal).ToList();
        Assert.Contains("UvLambda.Build.Tasks.dll", taskDlls);
        Assert.Contains("UvLambda.Core.dll", taskDlls);
        Assert.Contains("AWSSDK.SecurityToken.dll", taskDlls);

        foreach (var assembly in new[] { "UvLambda.Core.dll", "UvLambda.Build.Tasks.dll" })
        {
            var il = Inspect(Read(package, $"tools/net8.0/{assembly}"));
            Assert.False(il.ReadyToRun, $"tools/net8.0/{assembly} is a ReadyToRun image");
            foreach (var rid in Rids)
            {
                var image = Inspect(Read(package, $"tools/net8.0-r2r/{rid}/{assembly}"));
                Assert.True(image.ReadyToRun, $"tools/net8.0-r2r/{rid}/{assembly} is not a ReadyToRun image");
                // Compiled from the IL packed beside it, not from a stale build.
                Assert.Equal(il.Mvid, image.Mvid);
            }
        }

        foreach (var rid in Rids)
        {
            var folder = entries.Where(e => e.StartsWith($"tools/net8.0-r2r/{rid}/", StringComparison.Ordinal))
                .Select(e => e[$"tools/net8.0-r2r/{rid}/".Length..]).ToHashSet();
            Assert.All(taskDlls, dll => Assert.True(folder.Contains(dll), $"tools/net8.0-r2r/{rid}/ lacks {dll}"));
            Assert.DoesNotContain("UvLambda.LocalServer.dll", folder);
        }
    }

    [Fact]
    public void A_build_on_this_platform_loads_the_ready_to_run_tasks_and_core_and_does_not_jit_compile_them()
    {
        var rid = $"{(OperatingSystem.IsLinux() ? "linux" : OperatingSystem.IsMacOS() ? "osx" : "win")}-{RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant()}";
        Assert.Contains(rid, Rids);
        var project = sdk.CopySample("hello");
        var tools = Path.Combine(sdk.PackagesFolder, "uvlambda.sdk", PackedSdk.Version, "tools");

        // The methods of UvLambda's own assemblies the runtime JIT-compiles during a build (the whole build runs in
        // the `dotnet` process here: one project, no other node).
        (int Count, string Output) Build(string name, params string[] extra)
        {
            var jitLog = Path.Combine(sdk.Root, $"jit-{name}.txt");
            var env = new Dictionary<string, string?> { ["DOTNET_JitStdOutFile"] = jitLog, ["DOTNET_JitDisasmSummary"] = "1" };
            var build = sdk.Dotnet(env, project, ["build", "-v:d", .. extra]).EnsureSuccess();
            Assert.True(File.Exists(jitLog), $"no JIT summary was written\n{build.Output}");
            return (File.ReadLines(jitLog).Count(l => l.Contains("JIT compiled UvLambda.", StringComparison.Ordinal)), build.Output);
        }

        var readyToRun = Build("r2r");
        var folder = Path.Combine(tools, "net8.0-r2r", rid);
        Assert.Contains($"task from assembly \"{Path.Combine(folder, "UvLambda.Build.Tasks.dll")}\"", readyToRun.Output);
        Assert.Contains($"(location: {Path.Combine(folder, "UvLambda.Core.dll")}", readyToRun.Output);
        Assert.DoesNotContain(Path.Combine(tools, "net8.0", "UvLambda.Build.Tasks.dll"), readyToRun.Output);

        // The same build with the IL tasks (a UvLambdaTasksAssembly set by the user wins over the folder choice).
        var il = Build("il", $"-p:UvLambdaTasksAssembly={Path.Combine(tools, "net8.0", "UvLambda.Build.Tasks.dll")}");
        Assert.Contains($"(location: {Path.Combine(tools, "net8.0", "UvLambda.Core.dll")}", il.Output);
        Assert.True(il.Count > 100, $"the IL tasks JIT-compiled only {il.Count} UvLambda methods");
        Assert.True(readyToRun.Count * 10 < il.Count, $"the ReadyToRun tasks JIT-compiled {readyToRun.Count} UvLambda methods, the IL tasks {il.Count}");
    }
}
