namespace UvLambda.Core.Locking;

/// <summary>Where a resolved package comes from, as the PythonPackage item's Source metadata says it.</summary>
public enum ResolvedSource { Registry, Workspace, Path, Directory, Git, Url }

/// <summary>
/// One package that will ship. <see cref="Wheel"/> is null when there is no wheel to download (workspace members,
/// path/directory/git sources, sdist-only packages): the install step builds or copies those.
/// </summary>
public sealed record ResolvedPackage(
    string Name,
    string? Version,
    ResolvedSource Source,
    LockedFile? Wheel,
    LockedFile? Sdist,
    string? LocalPath,
    LockedPackage Locked)
{
    public string SourceName => Source.ToString().ToLowerInvariant();
}
