using UvLambda.Core.Diagnostics;
using UvLambda.Core.Install.Sources;
using UvLambda.Core.Projects;

namespace UvLambda.Core.Tests.Install;

public class SourceInstallerTests
{
    private static PyProject Project(TempDirectory dir, string pyproject, params string[] files)
    {
        foreach (var f in files) dir.WriteFile(f, $"# {f}\n");
        return PyProject.Load(dir.WriteFile("pyproject.toml", pyproject));
    }

    private static string[] Roots(PyProject p) => SourceLayout.Find(p).Select(r => r.InstalledName).ToArray();

    [Fact]
    public void Uv_build_defaults_to_src_and_the_normalized_name()
    {
        using var dir = new TempDirectory();
        var p = Project(dir, "[project]\nname = \"my-lib\"\nversion = \"1\"\n[build-system]\nrequires = [\"uv_build\"]\nbuild-backend = \"uv_build\"\n", "src/my_lib/__init__.py");
        Assert.Equal(["my_lib"], Roots(p));
    }

    [Fact]
    public void Uv_build_module_name_and_root_are_honoured()
    {
        using var dir = new TempDirectory();
        var p = Project(dir, "[project]\nname = \"x\"\nversion = \"1\"\n[tool.uv.build-backend]\nmodule-name = \"pkg.inner\"\nmodule-root = \"lib\"\n[build-system]\nbuild-backend = \"uv_build\"\n",
            "lib/pkg/inner/__init__.py");
        Assert.Equal(["pkg/inner"], Roots(p));
    }

    [Fact]
    public void Hatchling_packages_install_under_their_last_path_component()
    {
        using var dir = new TempDirectory();
        var p = Project(dir, "[project]\nname = \"x\"\nversion = \"1\"\n[build-system]\nbuild-backend = \"hatchling.build\"\n[tool.hatch.build.targets.wheel]\npackages = [\"code/thing\"]\n",
            "code/thing/__init__.py");
        Assert.Equal(["thing"], Roots(p));
    }

    [Fact]
    public void Setuptools_packages_and_package_dir_are_honoured()
    {
        using var dir = new TempDirectory();
        var p = Project(dir, "[project]\nname = \"x\"\nversion = \"1\"\n[build-system]\nbuild-backend = \"setuptools.build_meta\"\n[tool.setuptools]\npackages = [\"alpha\", \"alpha.sub\"]\npackage-dir = {\"\" = \"source\"}\n",
            "source/alpha/__init__.py", "source/alpha/sub/__init__.py");
        Assert.Equal(["alpha"], Roots(p));
    }

    [Fact]
    public void Without_configuration_a_flat_module_file_is_found()
    {
        using var dir = new TempDirectory();
        var p = Project(dir, "[project]\nname = \"single\"\nversion = \"1\"\n", "single.py");
        Assert.Equal(["single.py"], Roots(p));
    }

    [Fact]
    public void A_missing_import_package_is_UVL2401_listing_where_it_looked()
    {
        using var dir = new TempDirectory();
        var p = Project(dir, "[project]\nname = \"ghost\"\nversion = \"1\"\n", "other/__init__.py");
        var e = Assert.Throws<UvLambdaException>(() => SourceLayout.Find(p));
        Assert.Equal(ErrorCodes.ImportPackageNotFound, e.Code);
        Assert.Contains("src/ghost", e.Message);
    }

    [Theory]
    [InlineData("maturin", "", "compiles")]
    [InlineData("setuptools.build_meta", "setup.py", "setup.py")]
    [InlineData("uv_build", "src/lib/_speed.c", "native sources")]
    public void Native_code_or_build_scripts_need_a_real_build(string backend, string file, string reason)
    {
        using var dir = new TempDirectory();
        var files = new List<string> { "src/lib/__init__.py" };
        if (file.Length > 0) files.Add(file);
        var p = Project(dir, $"[project]\nname = \"lib\"\nversion = \"1\"\n[build-system]\nbuild-backend = \"{backend}\"\n", files.ToArray());
        Assert.Contains(reason, SourceLayout.WhyABuildIsNeeded(p));
    }

    [Fact]
    public void Installs_sources_with_a_dist_info_importlib_metadata_reads()
    {
        using var dir = new TempDirectory();
        var project = Project(dir, "[project]\nname = \"library\"\nversion = \"0.1.0\"\nrequires-python = \">=3.11\"\ndependencies = [\"six>=1\"]\n[build-system]\nbuild-backend = \"uv_build\"\n",
            "src/library/__init__.py", "src/library/__pycache__/x.cpython-311.pyc");
        File.WriteAllText(Path.Combine(dir.Path, "src/library/__init__.py"), "def hello():\n    return 'Hello from library!'\n");
        using var target = new TempDirectory();
        var installed = SourceInstaller.Install(project, null, target.Path);
        Assert.Equal(["library-0.1.0.dist-info/METADATA", "library-0.1.0.dist-info/RECORD", "library/__init__.py"], installed.Files);
        var metadata = File.ReadAllText(Path.Combine(target.Path, "library-0.1.0.dist-info", "METADATA"));
        Assert.Contains("Name: library\n", metadata);
        Assert.Contains("Requires-Dist: six>=1\n", metadata);
        var (exit, output, error) = ToolProcess.Run("python3", "-S", "-c",
            $"import sys; sys.path.insert(0, {System.Text.Json.JsonSerializer.Serialize(target.Path)}); import library, importlib.metadata as m; print(library.hello(), m.version('library'))");
        Assert.True(exit == 0, error);
        Assert.Equal("Hello from library! 0.1.0", output.Trim());
    }

    [Fact]
    public void The_fingerprint_changes_with_any_source_file()
    {
        using var dir = new TempDirectory();
        var project = Project(dir, "[project]\nname = \"library\"\nversion = \"0.1.0\"\n", "src/library/__init__.py");
        var before = SourceInstaller.Fingerprint(project, "0.1.0");
        Assert.Equal(before, SourceInstaller.Fingerprint(project, "0.1.0"));
        File.AppendAllText(Path.Combine(dir.Path, "src/library/__init__.py"), "X = 1\n");
        Assert.NotEqual(before, SourceInstaller.Fingerprint(project, "0.1.0"));
    }
}
