using UvLambda.Core.Diagnostics;
using UvLambda.Core.Environments;
using UvLambda.Core.Install;
using UvLambda.Core.Install.Fetching;
using UvLambda.Core.Install.Wheels;
using UvLambda.Core.Locking;

namespace UvLambda.Core.Tests.Install;

/// <summary>PackageInstaller in the Lambda build's mode: wheels indexed in a content cache, not unpacked.</summary>
internal sealed class IndexedInstall(TempDirectory dir)
{
    public readonly IndexedFetcher Fetcher = new();
    public string Site => dir.Combine("site");
    public string State => dir.Combine("install-state.json");

    public ResolvedPackage Lock(string name, string version, string file)
    {
        var sha = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(file))).ToLowerInvariant();
        Fetcher.Files[Path.GetFileName(file)] = file;
        var locked = new LockedPackage
        {
            Name = name, NormalizedName = name, Version = version, Source = new LockSource(LockSourceKind.Registry, "https://pypi.org/simple"),
            Dependencies = [], OptionalDependencies = new Dictionary<string, IReadOnlyList<LockedDependency>>(),
            DevDependencies = new Dictionary<string, IReadOnlyList<LockedDependency>>(), Wheels = [],
        };
        return new ResolvedPackage(name, version, ResolvedSource.Registry,
            new LockedFile($"https://files.example/{Path.GetFileName(file)}", null, null, "sha256:" + sha, new FileInfo(file).Length), null, null, locked);
    }

    public InstallResult Install(params ResolvedPackage[] packages) =>
        new PackageInstaller(Fetcher, NullBuildLog.Instance) { IndexCacheRoot = dir.Combine("cache"), MaxUnpackedBytes = WheelInstaller.ZipUnpackedLimit }
            .Install(packages, dir.Path, Site, State, TargetEnvironment.ForLambda("3.13", "x86_64"));
}

internal sealed class IndexedFetcher : IWheelFetcher
{
    public Dictionary<string, string> Files { get; } = new(StringComparer.Ordinal);
    public List<string> Requested { get; } = [];

    public Task<IReadOnlyList<FetchedWheel>> FetchAsync(IReadOnlyList<WheelRequest> requests, CancellationToken cancellationToken)
    {
        Requested.AddRange(requests.Select(r => r.FileName));
        return Task.FromResult<IReadOnlyList<FetchedWheel>>(requests.Select(r => new FetchedWheel(r, Files[r.FileName])).ToList());
    }
}
