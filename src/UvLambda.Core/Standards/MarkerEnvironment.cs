namespace UvLambda.Core.Standards;

/// <summary>
/// The PEP 508 environment markers are evaluated against. <see cref="ForLambda"/> gives the values of
/// the Lambda Python runtimes (CPython on Amazon Linux). Version values are parsed once, when set.
/// </summary>
public sealed record MarkerEnvironment
{
    private readonly string _pythonVersion = "";
    private readonly string _pythonFullVersion = "";
    private readonly string _implementationVersion = "";

    public string PythonVersion
    {
        get => _pythonVersion;
        init
        {
            _pythonVersion = value;
            ParsedPythonVersion = ParseOrNull(value);
        }
    }

    public string PythonFullVersion
    {
        get => _pythonFullVersion;
        init
        {
            _pythonFullVersion = value;
            ParsedPythonFullVersion = ParseOrNull(value);
        }
    }

    public string ImplementationVersion
    {
        get => _implementationVersion;
        init
        {
            _implementationVersion = value;
            ParsedImplementationVersion = ParseOrNull(value);
        }
    }

    public string OsName { get; init; } = "";
    public string SysPlatform { get; init; } = "";
    public string PlatformRelease { get; init; } = "";
    public string PlatformSystem { get; init; } = "";
    public string PlatformVersion { get; init; } = "";
    public string PlatformMachine { get; init; } = "";
    public string PlatformPythonImplementation { get; init; } = "";
    public string ImplementationName { get; init; } = "";

    internal Pep440Version? ParsedPythonVersion { get; private init; }
    internal Pep440Version? ParsedPythonFullVersion { get; private init; }
    internal Pep440Version? ParsedImplementationVersion { get; private init; }

    /// <summary>
    /// CPython <paramref name="pythonFullVersion"/> (e.g. <c>3.13.0</c>; <c>3.13</c> is read as <c>3.13.0</c>) on Linux
    /// with <paramref name="machine"/> <c>x86_64</c> or <c>aarch64</c>, as on AWS Lambda. platform_release and
    /// platform_version are left empty: they describe the host kernel, which Lambda does not promise.
    /// </summary>
    public static MarkerEnvironment ForLambda(string pythonFullVersion, string machine)
    {
        var full = Pep440Version.Parse(pythonFullVersion);
        var release = full.Release;
        var fullText = release.Count >= 3 ? pythonFullVersion.Trim() : $"{release[0]}.{(release.Count > 1 ? release[1] : 0)}.0";
        var shortText = $"{release[0]}.{(release.Count > 1 ? release[1] : 0)}";
        return new MarkerEnvironment
        {
            PythonVersion = shortText,
            PythonFullVersion = fullText,
            ImplementationVersion = fullText,
            OsName = "posix",
            SysPlatform = "linux",
            PlatformSystem = "Linux",
            PlatformMachine = machine,
            PlatformPythonImplementation = "CPython",
            ImplementationName = "cpython",
        };
    }

    private static Pep440Version? ParseOrNull(string value) => Pep440Version.TryParse(value, out var v) ? v : null;
}
