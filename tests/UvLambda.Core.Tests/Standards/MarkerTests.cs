using UvLambda.Core.Diagnostics;
using UvLambda.Core.Standards;

namespace UvLambda.Core.Tests.Standards;

public class MarkerTests
{
    private static readonly IReadOnlySet<string> NoExtras = new HashSet<string>();

    private static readonly MarkerEnvironment Py3130X86 = MarkerEnvironment.ForLambda("3.13.0", "x86_64");
    private static readonly MarkerEnvironment Py3131Arm = MarkerEnvironment.ForLambda("3.13.1", "aarch64");
    private static readonly MarkerEnvironment Py3119X86 = MarkerEnvironment.ForLambda("3.11.9", "x86_64");

    // Expected values from packaging.markers.Marker.evaluate with the same three environments.
    [Theory]
    [InlineData("python_full_version < '3.13'", false, false, true)]
    [InlineData("python_full_version < '3.13.0'", false, false, true)]
    [InlineData("python_full_version >= '3.13'", true, true, false)]
    [InlineData("python_version < '3.13'", false, false, true)]
    [InlineData("python_version >= '3.13'", true, true, false)]
    [InlineData("python_version == '3.13'", true, true, false)]
    [InlineData("python_full_version == '3.13'", true, false, false)]
    [InlineData("python_version > '3.12'", true, true, false)]
    [InlineData("python_version == '3.1*'", false, false, false)]
    [InlineData("python_version == '3.*'", true, true, true)]
    [InlineData("python_version != '3.13.*'", false, false, true)]
    [InlineData("python_version ~= '3.11'", true, true, true)]
    [InlineData("python_full_version ~= '3.13.0'", true, true, false)]
    [InlineData("'3.12' < python_version", true, true, false)]
    [InlineData("'3.14' <= python_version", false, false, false)]
    [InlineData("platform_machine == 'aarch64'", false, true, false)]
    [InlineData("platform_machine != 'x86_64'", false, true, false)]
    [InlineData("platform_machine == 'AMD64'", false, false, false)]
    [InlineData("sys_platform == 'linux' and platform_machine == 'x86_64'", true, false, true)]
    [InlineData("sys_platform == 'win32' or os_name == 'nt'", false, false, false)]
    [InlineData("'linux' in sys_platform", true, true, true)]
    [InlineData("sys_platform in 'linux darwin'", true, true, true)]
    [InlineData("sys_platform not in 'win32 cygwin'", true, true, true)]
    [InlineData("platform_machine in 'x86_64 aarch64'", true, true, true)]
    [InlineData("python_version in '3.11 3.12 3.13'", true, true, true)]
    [InlineData("python_version not in '3.10 3.11'", true, true, false)]
    [InlineData("implementation_name == 'cpython' and platform_python_implementation == 'CPython'", true, true, true)]
    [InlineData("(python_version < '3.12' or platform_machine == 'aarch64') and sys_platform == 'linux'", false, true, true)]
    [InlineData("platform_system == 'Linux'", true, true, true)]
    [InlineData("python_full_version >= '3.11.2' and python_full_version < '3.13.1'", true, false, true)]
    [InlineData("implementation_name != 'pypy'", true, true, true)]
    [InlineData("'3.13' == python_version", true, true, false)]
    [InlineData("python_version >= \"3.8\"", true, true, true)]
    [InlineData("sys_platform > 'darwin'", true, true, true)]
    [InlineData("os_name < 'posix'", false, false, false)]
    public void Evaluates_like_packaging(string marker, bool on3130X86, bool on3131Arm, bool on3119X86)
    {
        var parsed = Marker.Parse(marker);
        Assert.Equal(on3130X86, parsed.Evaluate(Py3130X86, NoExtras));
        Assert.Equal(on3131Arm, parsed.Evaluate(Py3131Arm, NoExtras));
        Assert.Equal(on3119X86, parsed.Evaluate(Py3119X86, NoExtras));
    }

    [Fact]
    public void Python_version_has_X_Y_0_semantics()
    {
        // python_version is "3.13": it equals 3.13.0 for comparisons, so "< 3.13.1" holds even on 3.13.5.
        var env = MarkerEnvironment.ForLambda("3.13.5", "x86_64");
        Assert.True(Marker.Parse("python_version < '3.13.1'").Evaluate(env, NoExtras));
        Assert.False(Marker.Parse("python_full_version < '3.13.1'").Evaluate(env, NoExtras));
        Assert.Equal("3.13", env.PythonVersion);
        Assert.Equal("3.13.5", env.PythonFullVersion);
        Assert.Equal("3.13.0", MarkerEnvironment.ForLambda("3.13", "x86_64").PythonFullVersion);
    }

    [Theory]
    [InlineData("extra == 'extra-16-pydantic-ai-slim-mcp-tasks' or extra != 'group-11-pydantic-ai-dev'", "", true)]
    [InlineData("extra == 'extra-16-pydantic-ai-slim-mcp-tasks' or extra != 'group-11-pydantic-ai-dev'", "group-11-pydantic-ai-dev", false)]
    [InlineData("extra == 'extra-16-pydantic-ai-slim-mcp-tasks' or extra != 'group-11-pydantic-ai-dev'", "group-11-pydantic-ai-dev,extra-16-pydantic-ai-slim-mcp-tasks", true)]
    [InlineData("extra == 'extra-11-pydantic-ai-mcp-tasks' and extra == 'group-11-pydantic-ai-dev'", "extra-11-pydantic-ai-mcp-tasks", false)]
    [InlineData("extra == 'extra-11-pydantic-ai-mcp-tasks' and extra == 'group-11-pydantic-ai-dev'", "extra-11-pydantic-ai-mcp-tasks,group-11-pydantic-ai-dev", true)]
    [InlineData("extra == 'Telemetry_Extra'", "telemetry-extra", true)]
    [InlineData("'cli' == extra", "cli", true)]
    [InlineData("extra == 'cli'", "", false)]
    [InlineData("python_full_version < '3.14' or (extra == 'extra-8-nanochat-cpu' and extra == 'extra-8-nanochat-gpu')", "", true)]
    [InlineData("(platform_machine == 'x86_64' and sys_platform == 'linux' and extra != 'extra-8-nanochat-cpu' and extra != 'extra-8-nanochat-gpu') or (extra == 'extra-8-nanochat-cpu' and extra == 'extra-8-nanochat-gpu')", "extra-8-nanochat-gpu", false)]
    [InlineData("(platform_machine == 'x86_64' and sys_platform == 'linux' and extra != 'extra-8-nanochat-cpu' and extra != 'extra-8-nanochat-gpu') or (extra == 'extra-8-nanochat-cpu' and extra == 'extra-8-nanochat-gpu')", "", true)]
    [InlineData("'mcp' in extras", "mcp", true)]
    [InlineData("'mcp' not in extras", "mcp", false)]
    public void Extras_are_set_membership(string marker, string activeExtras, bool expected)
    {
        var extras = activeExtras.Split(',', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
        Assert.Equal(expected, Marker.Parse(marker).Evaluate(Py3130X86, extras));
    }

    [Theory]
    [InlineData("group == 'dev'", "dev", true)]
    [InlineData("group == 'dev'", "", false)]
    [InlineData("group != 'dev'", "", true)]
    [InlineData("'dev' in dependency_groups", "dev", true)]
    [InlineData("'lint' not in dependency_groups", "dev", true)]
    [InlineData("extra == 'dev'", "dev", false)]
    public void Groups_are_membership_in_the_second_set(string marker, string activeGroups, bool expected)
    {
        var groups = activeGroups.Split(',', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
        Assert.Equal(expected, Marker.Parse(marker).Evaluate(Py3130X86, NoExtras, groups));
    }

    [Fact]
    public void Environment_with_expression_reparses_versions()
    {
        var env = Py3130X86 with { PythonFullVersion = "3.12.4", PythonVersion = "3.12" };
        Assert.True(Marker.Parse("python_full_version < '3.13'").Evaluate(env, NoExtras));
        Assert.Equal(Py3130X86, MarkerEnvironment.ForLambda("3.13.0", "x86_64"));
    }

    [Fact]
    public void Parse_caches_by_text()
    {
        const string text = "python_full_version >= '3.8' and sys_platform == 'linux'";
        Assert.Same(Marker.Parse(text), Marker.Parse(text));
        Assert.Equal(text, Marker.Parse(text).ToString());
    }

    [Fact]
    public void Dotted_legacy_variable_names_are_accepted() =>
        Assert.True(Marker.Parse("os.name == 'posix' and platform.machine == 'x86_64' and python_implementation == 'CPython'").Evaluate(Py3130X86, NoExtras));

    [Fact]
    public void Keywords_need_a_boundary()
    {
        // "ordinal" must not be read as "or" + "dinal".
        var e = Assert.Throws<UvLambdaException>(() => Marker.Parse("os_name == 'posix' ordinal"));
        Assert.Equal(ErrorCodes.InvalidMarker, e.Code);
    }

    [Theory]
    [InlineData("python_version")]
    [InlineData("python_version <")]
    [InlineData("python_version < 3.13")]
    [InlineData("python_version < '3.13")]
    [InlineData("unknown_var == 'x'")]
    [InlineData("(python_version < '3.13'")]
    [InlineData("python_version < '3.13')")]
    [InlineData("python_version not '3.13'")]
    [InlineData("'a' == 'b'")]
    [InlineData("python_version < '3.13' and")]
    [InlineData("python_version => '3.13'")]
    [InlineData("")]
    public void Invalid_markers_are_rejected_with_a_coded_error(string marker)
    {
        var e = Assert.Throws<UvLambdaException>(() => Marker.Parse(marker));
        Assert.Equal(ErrorCodes.InvalidMarker, e.Code);
    }
}
