using System.Globalization;
using UvLambda.Core.Diagnostics;

namespace UvLambda.Core.Standards;

/// <summary>The CPU architectures Lambda runs.</summary>
public enum LinuxArchitecture
{
    X86_64,
    Aarch64,
}

/// <summary>
/// A glibc Linux target in uv's <c>--python-platform</c> vocabulary, limited to what Lambda runs:
/// <c>x86_64-manylinux_2_34</c>, <c>aarch64-manylinux_2_28</c>, <c>x86_64-manylinux2014</c> (= 2.17).
/// </summary>
public sealed record PythonPlatform(LinuxArchitecture Architecture, int GlibcMajor, int GlibcMinor)
{
    private const string ValidForms =
        "x86_64-manylinux_2_NN, aarch64-manylinux_2_NN (NN >= 17), x86_64-manylinux2014 or aarch64-manylinux2014";

    /// <summary>The architecture as wheel tags and <c>platform_machine</c> spell it.</summary>
    public string Machine => Architecture == LinuxArchitecture.X86_64 ? "x86_64" : "aarch64";

    /// <summary>The newest manylinux platform tag this target runs, e.g. <c>manylinux_2_34_x86_64</c>.</summary>
    public string ManylinuxTag => $"manylinux_{GlibcMajor}_{GlibcMinor}_{Machine}";

    public override string ToString() => $"{Machine}-manylinux_{GlibcMajor}_{GlibcMinor}";

    /// <summary>
    /// The glibc of the Lambda runtime for a CPython 3.x minor version: Python 3.12 and later run on
    /// Amazon Linux 2023 (glibc 2.34), earlier ones on Amazon Linux 2 (glibc 2.26).
    /// </summary>
    public static PythonPlatform ForLambdaRuntime(LinuxArchitecture architecture, int pythonMinor) =>
        new(architecture, 2, pythonMinor >= 12 ? 34 : 26);

    public static PythonPlatform Parse(string text)
    {
        var s = text.Trim();
        var dash = s.IndexOf('-');
        LinuxArchitecture? architecture = dash < 0 ? null : s[..dash] switch
        {
            "x86_64" => LinuxArchitecture.X86_64,
            "aarch64" => LinuxArchitecture.Aarch64,
            _ => null,
        };
        var glibc = dash < 0 ? null : ParseManylinux(s[(dash + 1)..]);
        if (architecture is null || glibc is not { } minor)
            throw new UvLambdaException(ErrorCodes.InvalidPythonPlatform,
                $"'{text}' is not a supported Python platform. Use one of: {ValidForms}.");
        return new PythonPlatform(architecture.Value, 2, minor);
    }

    private static int? ParseManylinux(string tag)
    {
        if (tag == "manylinux2014")
            return 17;
        const string prefix = "manylinux_2_";
        if (!tag.StartsWith(prefix, StringComparison.Ordinal))
            return null;
        // Lambda-capable wheels start at manylinux2014 (glibc 2.17); older targets are not Lambda.
        return int.TryParse(tag.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var minor) && minor is >= 17 and < 1000
            ? minor
            : null;
    }
}
