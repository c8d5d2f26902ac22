using UvLambda.Core.Diagnostics;
using UvLambda.Core.Standards;

namespace UvLambda.Core.Environments;

/// <summary>
/// What the package set is resolved for: CPython X.Y.0 on Lambda's Linux, one architecture, one glibc — the
/// markers' environment and the wheel tags that may be chosen.
/// </summary>
public sealed class TargetEnvironment
{
    private TargetEnvironment(string pythonVersion, int minor, PythonPlatform platform)
    {
        PythonVersion = pythonVersion;
        Platform = platform;
        // python_full_version = X.Y.0, as uv's --python-version does.
        Markers = MarkerEnvironment.ForLambda($"{pythonVersion}.0", platform.Machine);
        Tags = TargetTags.ForLambda(minor, platform);
        _description = $"CPython {PythonVersion} on {Platform}";
    }

    private TargetEnvironment(string pythonVersion, PythonPlatform platform, MarkerEnvironment markers, TargetTags tags, string description)
    {
        PythonVersion = pythonVersion;
        Platform = platform;
        Markers = markers;
        Tags = tags;
        _description = description;
    }

    private readonly string _description;

    public string PythonVersion { get; }
    public PythonPlatform Platform { get; }
    public MarkerEnvironment Markers { get; }
    public TargetTags Tags { get; }

    /// <summary>
    /// The Lambda target for a runtime and architecture; <paramref name="pythonPlatform"/> (uv's vocabulary, e.g.
    /// <c>x86_64-manylinux2014</c>) overrides the glibc the runtime has, and must name the same architecture.
    /// </summary>
    public static TargetEnvironment ForLambda(string pythonVersion, string lambdaArchitecture, string? pythonPlatform = null)
    {
        var minor = int.Parse(pythonVersion.Split('.')[1], System.Globalization.CultureInfo.InvariantCulture);
        var architecture = lambdaArchitecture == "arm64" ? LinuxArchitecture.Aarch64 : LinuxArchitecture.X86_64;
        var platform = PythonPlatform.ForLambdaRuntime(architecture, minor);
        if (!string.IsNullOrWhiteSpace(pythonPlatform))
        {
            platform = PythonPlatform.Parse(pythonPlatform);
            if (platform.Architecture != architecture)
                throw new UvLambdaException(ErrorCodes.InvalidPythonPlatform,
                    $"PythonPlatform '{pythonPlatform}' is for {platform.Machine}, but LambdaArchitecture is {lambdaArchitecture}. Use a {(architecture == LinuxArchitecture.X86_64 ? "x86_64" : "aarch64")}-manylinux platform, or change LambdaArchitecture.");
        }
        return new TargetEnvironment(pythonVersion, minor, platform);
    }

    /// <summary>
    /// The local interpreter (for Invoke and dotnet run): its own markers and the tags it accepts, which include
    /// <c>linux_*</c> wheels, since nothing installed for the host ships to Lambda.
    /// </summary>
    public static TargetEnvironment ForHost(Environments.HostPython python)
    {
        var platform = python.Platform ?? throw new UvLambdaException(ErrorCodes.LocalPythonUnsupported,
            $"The local Python {python} is not on glibc Linux (x86_64 or aarch64), so UvLambda cannot choose wheels for it. Run on Linux (for example WSL or a dev container).");
        if (python.Info.Implementation != "cpython" || python.Info.FreeThreaded)
            throw new UvLambdaException(ErrorCodes.LocalPythonUnsupported,
                $"The local Python {python} is not standard CPython ({python.Info.Implementation}{(python.Info.FreeThreaded ? ", free-threaded" : "")}); Lambda runs CPython. Set LambdaLocalPython to a CPython interpreter.");
        return new TargetEnvironment(python.MinorVersion, platform, python.Markers, new TargetTags(python.Minor, platform, includeLinuxPlatform: true),
            $"host CPython {python.Info.FullVersion} on {platform} ({python.Path})");
    }

    public override string ToString() => _description;
}
