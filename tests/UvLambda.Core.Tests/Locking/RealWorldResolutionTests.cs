using UvLambda.Core.Diagnostics;
using UvLambda.Core.Locking;
using UvLambda.Core.Environments;

namespace UvLambda.Core.Tests.Locking;

/// <summary>
/// Every real-world lock in ../shared resolved for Lambda targets, with expectations derived by reading the locks
/// (see ../shared/fixtures/real-world/SOURCES.md for what each exercises).
/// </summary>
public class RealWorldResolutionTests
{
    private static string Fixture(string name, string projectDir = ".") =>
        Path.GetFullPath(Path.Combine(TestPaths.SharedFixtures, "real-world", name, projectDir));

    internal static IReadOnlyList<ResolvedPackage> Resolve(string fixture, string pythonVersion = "3.13", string arch = "x86_64",
        string projectDir = ".", string[]? extras = null, string[]? groups = null, string? lockDir = null)
    {
        var lk = UvLockReader.Load(Path.Combine(Fixture(fixture, lockDir ?? projectDir), "uv.lock"));
        return LockResolver.Resolve(lk, new ResolveOptions(Fixture(fixture, projectDir), extras ?? [], groups ?? [],
            TargetEnvironment.ForLambda(pythonVersion, arch)));
    }

    private static string[] Names(IReadOnlyList<ResolvedPackage> packages) =>
        packages.Select(p => p.Name).Order(StringComparer.Ordinal).ToArray();

    private static string WheelOf(IReadOnlyList<ResolvedPackage> packages, string name) => packages.Single(p => p.Name == name).Wheel!.Name;

    private static UvLambdaException Refused(string code, Func<IReadOnlyList<ResolvedPackage>> resolve)
    {
        var e = Assert.Throws<UvLambdaException>(() => resolve());
        Assert.Equal(code, e.Code);
        return e;
    }

    /// <summary>The python tag of the wheels a target takes: cp312 / cp313.</summary>
    private static string Cp(string python) => "cp" + python.Replace(".", "");

    /// <summary>The architecture as wheel platform tags spell it.</summary>
    private static string Machine(string arch) => arch == "arm64" ? "aarch64" : "x86_64";

    [Fact]
    public void Uv_aws_lambda_example_ships_fastapi_and_mangum_without_the_dev_group()
    {
        var packages = Resolve("astral-sh__uv-aws-lambda-example");
        Assert.Equal(["annotated-types", "anyio", "fastapi", "idna", "mangum", "pydantic", "pydantic-core", "sniffio", "starlette", "typing-extensions"], Names(packages));
        var core = packages.Single(p => p.Name == "pydantic-core");
        Assert.Equal("pydantic_core-2.27.2-cp313-cp313-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", core.Wheel!.Name);
        Assert.All(packages, p => Assert.Equal(ResolvedSource.Registry, p.Source));
    }

    [Fact]
    public void Uv_aws_lambda_example_on_arm64_takes_the_aarch64_wheel()
    {
        var core = Resolve("astral-sh__uv-aws-lambda-example", arch: "arm64").Single(p => p.Name == "pydantic-core");
        Assert.Equal("pydantic_core-2.27.2-cp313-cp313-manylinux_2_17_aarch64.manylinux2014_aarch64.whl", core.Wheel!.Name);
    }

    [Fact]
    public void The_dev_group_brings_fastapi_standard_and_uvloop_on_linux_but_never_colorama()
    {
        var names = Names(Resolve("astral-sh__uv-aws-lambda-example", groups: ["dev"]));
        Assert.Contains("uvicorn", names);
        Assert.Contains("uvloop", names);
        Assert.DoesNotContain("colorama", names);
    }

    // ---- astral-sh/uv-aws-lambda-example: requires-python >=3.13, so the lock holds no cp312 pydantic-core wheel.

    [Theory]
    [InlineData("x86_64")]
    [InlineData("arm64")]
    public void Uv_aws_lambda_example_at_3_12_is_refused_for_pydantic_core_only(string arch)
    {
        var e = Refused(ErrorCodes.NoCompatibleWheel, () => Resolve("astral-sh__uv-aws-lambda-example", "3.12", arch));
        Assert.Contains("pydantic-core 2.27.2:", e.Message);
        Assert.Contains("1 package(s)", e.Message);
    }

    // ---- DemocracyClub/Website: requires-python ==3.12.*, git and sdist-only sources, a manylinux1-only libsass.

    [Fact]
    public void DemocracyClub_at_3_12_on_x86_64_ships_git_sources_sdists_and_the_manylinux1_libsass()
    {
        var packages = Resolve("DemocracyClub__Website", "3.12", "x86_64");
        Assert.Equal(31, packages.Count);
        // The four git sources: no wheel, built at install time.
        var git = packages.Where(p => p.Source == ResolvedSource.Git).ToList();
        Assert.Equal(["aws-wsgi", "dc-design-system", "dc-django-utils", "django-typogrify"], git.Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.All(git, p => Assert.Null(p.Wheel));
        // sdist-only registry packages resolve with an sdist and no wheel.
        foreach (var name in new[] { "docopt", "jsmin", "pytidylib" })
        {
            var p = packages.Single(x => x.Name == name);
            Assert.Equal(ResolvedSource.Registry, p.Source);
            Assert.Null(p.Wheel);
            Assert.NotNull(p.Sdist);
        }
        // Pre-2014 manylinux tags are accepted; legacy-only manylinux2014 too.
        Assert.Equal("libsass-0.23.0-cp38-abi3-manylinux_2_5_x86_64.manylinux1_x86_64.whl", WheelOf(packages, "libsass"));
        Assert.Equal("watchdog-6.0.0-py3-none-manylinux2014_x86_64.whl", WheelOf(packages, "watchdog"));
        Assert.Equal("pillow-12.2.0-cp312-cp312-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl", WheelOf(packages, "pillow"));
        Assert.Equal("psycopg2_binary-2.9.10-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", WheelOf(packages, "psycopg2-binary"));
        // Dev-only sdists stay out: the dev group is not a default here.
        Assert.DoesNotContain("djhtml", Names(packages));
        Assert.DoesNotContain("sgmllib3k", Names(packages));
    }

    [Fact]
    public void DemocracyClub_at_3_12_on_arm64_is_refused_for_libsass_alone()
    {
        var e = Refused(ErrorCodes.NoCompatibleWheel, () => Resolve("DemocracyClub__Website", "3.12", "arm64"));
        Assert.Contains("libsass 0.23.0:", e.Message);
        Assert.DoesNotContain("pillow", e.Message);
        Assert.DoesNotContain("psycopg2-binary", e.Message);
    }

    [Theory]
    [InlineData("x86_64")]
    [InlineData("arm64")]
    public void DemocracyClub_at_3_13_is_refused_for_pillow_and_psycopg2_which_have_no_cp313_wheel(string arch)
    {
        var e = Refused(ErrorCodes.NoCompatibleWheel, () => Resolve("DemocracyClub__Website", "3.13", arch));
        Assert.Contains("pillow 12.2.0:", e.Message);
        Assert.Contains("psycopg2-binary 2.9.10:", e.Message);
        // libsass only fails where there is no aarch64 wheel at all.
        Assert.Equal(arch == "arm64", e.Message.Contains("libsass 0.23.0:", StringComparison.Ordinal));
        Assert.Contains(arch == "arm64" ? "3 package(s)" : "2 package(s)", e.Message);
    }

    // ---- Kludex/mangum: forked lock (python_full_version < '3.8'), legacy dev-dependencies, platform_system markers.

    [Theory]
    [InlineData("3.12", "x86_64")]
    [InlineData("3.12", "arm64")]
    [InlineData("3.13", "x86_64")]
    [InlineData("3.13", "arm64")]
    public void Mangum_itself_ships_only_the_modern_typing_extensions(string python, string arch)
    {
        var packages = Resolve("Kludex__mangum", python, arch);
        var only = Assert.Single(packages);
        Assert.Equal(("typing-extensions", "4.7.1"), (only.Name, only.Version));
        Assert.Equal("typing_extensions-4.7.1-py3-none-any.whl", only.Wheel!.Name);
    }

    [Theory]
    [InlineData("x86_64")]
    [InlineData("arm64")]
    public void Mangum_dev_group_at_3_12_picks_the_fork_for_python_3_8_and_up(string arch)
    {
        var packages = Resolve("Kludex__mangum", "3.12", arch, groups: ["dev"]);
        Assert.Equal(48, packages.Count);
        // Packages locked twice: the edge's version picks the >=3.8 side of the fork, and only that one ships.
        Assert.Equal("0.17.3", packages.Single(p => p.Name == "hypercorn").Version);
        Assert.Equal("0.18.4", packages.Single(p => p.Name == "quart").Version);
        Assert.Equal("3.7", packages.Single(p => p.Name.Equals("markdown", StringComparison.OrdinalIgnoreCase)).Version);
        // importlib-metadata and zipp are only needed below 3.8 (or 3.10).
        Assert.DoesNotContain("importlib-metadata", Names(packages));
        Assert.DoesNotContain("zipp", Names(packages));
        // platform_system == 'Windows' is false on Lambda.
        Assert.DoesNotContain("colorama", Names(packages));
        var mkautodoc = packages.Single(p => p.Name == "mkautodoc");
        Assert.Null(mkautodoc.Wheel);
        Assert.NotNull(mkautodoc.Sdist);
        Assert.Equal($"brotli-1.1.0-cp312-cp312-manylinux_2_17_{Machine(arch)}.manylinux2014_{Machine(arch)}.whl", WheelOf(packages, "brotli").ToLowerInvariant());
    }

    [Theory]
    [InlineData("x86_64")]
    [InlineData("arm64")]
    public void Mangum_dev_group_at_3_13_is_refused_for_the_packages_locked_before_cp313_wheels(string arch)
    {
        var e = Refused(ErrorCodes.NoCompatibleWheel, () => Resolve("Kludex__mangum", "3.13", arch, groups: ["dev"]));
        foreach (var name in new[] { "Brotli", "coverage", "MarkupSafe", "PyYAML" })
            Assert.Contains(name, e.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("4 package(s)", e.Message);
    }

    // ---- developmentseed/titiler: virtual root over five workspace members; manylinux_2_28-only binaries.

    [Theory]
    [InlineData("3.12", "x86_64")]
    [InlineData("3.12", "arm64")]
    [InlineData("3.13", "x86_64")]
    [InlineData("3.13", "arm64")]
    public void Titiler_virtual_root_ships_its_workspace_members_and_manylinux_2_28_wheels(string python, string arch)
    {
        var packages = Resolve("developmentseed__titiler", python, arch);
        Assert.Equal(104, packages.Count);
        var members = packages.Where(p => p.Source == ResolvedSource.Workspace).ToList();
        Assert.Equal(["titiler-application", "titiler-core", "titiler-extensions", "titiler-mosaic", "titiler-xarray"],
            members.Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.All(members, m => Assert.Null(m.Wheel));
        Assert.All(members, m => Assert.True(Directory.Exists(m.LocalPath), m.LocalPath));
        // The root itself (virtual) is never shipped.
        Assert.DoesNotContain("titiler", Names(packages));
        string cp = Cp(python), m = Machine(arch);
        Assert.Equal($"numpy-2.5.1-{cp}-{cp}-manylinux_2_27_{m}.manylinux_2_28_{m}.whl", WheelOf(packages, "numpy"));
        Assert.Equal($"rasterio-1.5.0-{cp}-{cp}-manylinux_2_28_{m}.whl", WheelOf(packages, "rasterio"));
        Assert.Equal($"pyproj-3.7.2-{cp}-{cp}-manylinux_2_28_{m}.whl", WheelOf(packages, "pyproj"));
        // abi3 wheels serve every newer CPython.
        Assert.Equal(arch == "arm64" ? "obstore-0.11.0-cp311-abi3-manylinux_2_24_aarch64.whl" : "obstore-0.11.0-cp311-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
            WheelOf(packages, "obstore"));
        Assert.Equal(1, packages.Count(p => p.Name == "numpy"));
        Assert.Equal(1, packages.Count(p => p.Name == "rasterio"));
    }

    // ---- developmentseed/titiler-cmr: the Dockerfile exports with --extra lambda.

    [Theory]
    [InlineData("3.12", "x86_64")]
    [InlineData("3.12", "arm64")]
    [InlineData("3.13", "x86_64")]
    [InlineData("3.13", "arm64")]
    public void Titiler_cmr_lambda_extra_adds_mangum_and_opentelemetry(string python, string arch)
    {
        var plain = Resolve("developmentseed__titiler-cmr", python, arch);
        var lambda = Resolve("developmentseed__titiler-cmr", python, arch, extras: ["lambda"]);
        Assert.Equal(68, plain.Count);
        Assert.Equal(90, lambda.Count);
        Assert.DoesNotContain("mangum", Names(plain));
        Assert.DoesNotContain("opentelemetry-api", Names(plain));
        Assert.Equal("mangum-0.19.0-py3-none-any.whl", WheelOf(lambda, "mangum"));
        Assert.Equal("opentelemetry_api-1.42.1-py3-none-any.whl", WheelOf(lambda, "opentelemetry-api"));
        Assert.Empty(Names(plain).Except(Names(lambda)));
        string cp = Cp(python), m = Machine(arch);
        Assert.Equal($"h5py-3.16.0-{cp}-{cp}-manylinux_2_28_{m}.whl", WheelOf(plain, "h5py"));
        Assert.Equal(arch == "arm64"
            ? "psutil-7.2.2-cp36-abi3-manylinux2014_aarch64.manylinux_2_17_aarch64.manylinux_2_28_aarch64.whl"
            : "psutil-7.2.2-cp36-abi3-manylinux2010_x86_64.manylinux_2_12_x86_64.manylinux_2_28_x86_64.whl", WheelOf(plain, "psutil"));
    }

    // ---- fourTheorem/uv-python-lambda: the workspace root has no dependencies; the Lambda is the `app` member.

    [Theory]
    [InlineData("3.12", "x86_64")]
    [InlineData("3.12", "arm64")]
    [InlineData("3.13", "x86_64")]
    [InlineData("3.13", "arm64")]
    public void UvPythonLambda_root_exports_nothing_and_the_app_member_ships_common(string python, string arch)
    {
        const string root = "test/resources/workspaces_app";
        Assert.Empty(Resolve("fourTheorem__uv-python-lambda", python, arch, projectDir: root));
        var app = Resolve("fourTheorem__uv-python-lambda", python, arch, projectDir: root + "/app", lockDir: root);
        Assert.Equal(["annotated-types", "anyio", "certifi", "common", "h11", "httpcore", "httpx", "idna", "pydantic", "pydantic-core", "sniffio", "typing-extensions"], Names(app));
        var common = app.Single(p => p.Name == "common");
        Assert.Equal(ResolvedSource.Workspace, common.Source);
        Assert.Null(common.Wheel);
        Assert.Equal(Fixture("fourTheorem__uv-python-lambda", root + "/common"), common.LocalPath);
        string cp = Cp(python), m = Machine(arch);
        Assert.Equal($"pydantic_core-2.23.4-{cp}-{cp}-manylinux_2_17_{m}.manylinux2014_{m}.whl", WheelOf(app, "pydantic-core"));
    }

    // ---- karpathy/nanochat: three torch indexes, conflicting cpu/gpu extras, x86_64-only CUDA packages; numpy 1.26.4 has no cp313 wheel.

    [Theory]
    [InlineData("x86_64")]
    [InlineData("arm64")]
    public void Nanochat_default_at_3_12_takes_pypi_torch_and_cuda_packages_only_on_x86_64(string arch)
    {
        var packages = Resolve("karpathy__nanochat", "3.12", arch);
        var torch = Assert.Single(packages, p => p.Name == "torch");
        Assert.Equal("2.9.1", torch.Version);
        Assert.Equal(new LockSource(LockSourceKind.Registry, "https://pypi.org/simple"), torch.Locked.Source);
        Assert.Equal($"torch-2.9.1-cp312-cp312-manylinux_2_28_{Machine(arch)}.whl", torch.Wheel!.Name);
        var cuda = Names(packages).Where(n => n.StartsWith("nvidia-", StringComparison.Ordinal)).ToList();
        if (arch == "x86_64")
        {
            Assert.Equal(55, packages.Count);
            Assert.Equal(15, cuda.Count);
            Assert.Contains("triton", Names(packages));
            // A manylinux2010 (glibc 2.12) wheel is fine on glibc 2.34.
            Assert.Equal("nvidia_cuda_nvrtc_cu12-12.8.93-py3-none-manylinux2010_x86_64.manylinux_2_12_x86_64.whl", WheelOf(packages, "nvidia-cuda-nvrtc-cu12"));
        }
        else
        {
            Assert.Equal(39, packages.Count);
            Assert.Empty(cuda);
            Assert.DoesNotContain("triton", Names(packages));
        }
    }

    [Theory]
    [InlineData("x86_64")]
    [InlineData("arm64")]
    public void Nanochat_cpu_extra_takes_the_local_cpu_build_from_the_cpu_index(string arch)
    {
        var packages = Resolve("karpathy__nanochat", "3.12", arch, extras: ["cpu"]);
        var torch = Assert.Single(packages, p => p.Name == "torch");
        Assert.Equal("2.9.1+cpu", torch.Version);
        Assert.Equal("https://download.pytorch.org/whl/cpu", torch.Locked.Source.Value);
        Assert.Equal($"torch-2.9.1+cpu-cp312-cp312-manylinux_2_28_{Machine(arch)}.whl", torch.Wheel!.Name);
        Assert.Contains("setuptools", Names(packages));
        Assert.DoesNotContain(Names(packages), n => n.StartsWith("nvidia-", StringComparison.Ordinal) || n == "triton");
        Assert.Equal(39, packages.Count);
    }

    [Theory]
    [InlineData("x86_64")]
    [InlineData("arm64")]
    public void Nanochat_gpu_extra_takes_the_cu128_build_with_triton_on_both_architectures(string arch)
    {
        var packages = Resolve("karpathy__nanochat", "3.12", arch, extras: ["gpu"]);
        var torch = Assert.Single(packages, p => p.Name == "torch");
        Assert.Equal("2.9.1+cu128", torch.Version);
        Assert.Equal($"torch-2.9.1+cu128-cp312-cp312-manylinux_2_28_{Machine(arch)}.whl", torch.Wheel!.Name);
        Assert.Contains("triton", Names(packages));
        Assert.Equal(55, packages.Count);
    }

    [Theory]
    [InlineData("x86_64")]
    [InlineData("arm64")]
    public void Nanochat_cpu_and_gpu_together_conflict(string arch)
    {
        var e = Refused(ErrorCodes.ConflictingExtras, () => Resolve("karpathy__nanochat", "3.12", arch, extras: ["cpu", "gpu"]));
        Assert.Contains("extra 'cpu' of nanochat", e.Message);
        Assert.Contains("extra 'gpu' of nanochat", e.Message);
    }

    [Theory]
    [InlineData("x86_64", null)]
    [InlineData("arm64", null)]
    [InlineData("x86_64", "cpu")]
    [InlineData("arm64", "gpu")]
    public void Nanochat_at_3_13_is_refused_for_numpy_1_26_which_has_no_cp313_wheel(string arch, string? extra)
    {
        var e = Refused(ErrorCodes.NoCompatibleWheel, () => Resolve("karpathy__nanochat", "3.13", arch, extras: extra is null ? [] : [extra]));
        Assert.Contains("numpy 1.26.4:", e.Message);
        Assert.Contains("1 package(s)", e.Message);
    }

    // ---- langchain-ai/langgraph: editable path dependencies on sibling libraries, outside any workspace.

    [Theory]
    [InlineData("3.12", "x86_64")]
    [InlineData("3.12", "arm64")]
    [InlineData("3.13", "x86_64")]
    [InlineData("3.13", "arm64")]
    public void Langgraph_ships_sibling_libraries_as_directory_sources(string python, string arch)
    {
        var packages = Resolve("langchain-ai__langgraph", python, arch, projectDir: "libs/langgraph");
        Assert.Equal(32, packages.Count);
        var local = packages.Where(p => p.Source != ResolvedSource.Registry).OrderBy(p => p.Name, StringComparer.Ordinal).ToList();
        Assert.Equal(["langgraph-checkpoint", "langgraph-prebuilt", "langgraph-sdk"], local.Select(p => p.Name));
        Assert.All(local, p => Assert.Equal(ResolvedSource.Directory, p.Source));
        Assert.All(local, p => Assert.Null(p.Wheel));
        Assert.Equal(Fixture("langchain-ai__langgraph", "libs/checkpoint"), local[0].LocalPath);
        Assert.Equal(Fixture("langchain-ai__langgraph", "libs/prebuilt"), local[1].LocalPath);
        Assert.Equal(Fixture("langchain-ai__langgraph", "libs/sdk-py"), local[2].LocalPath);
        Assert.DoesNotContain("langgraph", Names(packages));
        // uuid-utils only has manylinux_2_24 abi3 wheels: fine at glibc 2.34.
        Assert.Equal($"uuid_utils-0.13.0-cp39-abi3-manylinux_2_24_{Machine(arch)}.whl", WheelOf(packages, "uuid-utils"));
        Assert.DoesNotContain("forbiddenfruit", Names(packages));
    }

    // ---- modelcontextprotocol/python-sdk: workspace member dependency, default-groups not exported, `cli` extra.

    [Theory]
    [InlineData("3.12", "x86_64")]
    [InlineData("3.12", "arm64")]
    [InlineData("3.13", "x86_64")]
    [InlineData("3.13", "arm64")]
    public void Python_sdk_ships_mcp_types_without_default_groups_and_cli_adds_typer(string python, string arch)
    {
        var packages = Resolve("modelcontextprotocol__python-sdk", python, arch);
        Assert.Equal(30, packages.Count);
        var types = packages.Single(p => p.Source == ResolvedSource.Workspace);
        Assert.Equal("mcp-types", types.Name);
        Assert.Equal(Fixture("modelcontextprotocol__python-sdk", "src/mcp-types"), types.LocalPath);
        // default-groups = ["dev", "docs"] are not exported (UvLambda passes --no-default-groups).
        Assert.DoesNotContain("zensical", Names(packages));
        Assert.DoesNotContain("pytest", Names(packages));
        Assert.DoesNotContain("strict-no-cover", Names(packages));
        // glibc 2.34 takes the newest manylinux of the abi3 wheels.
        Assert.Equal($"cryptography-46.0.7-cp311-abi3-manylinux_2_34_{Machine(arch)}.whl", WheelOf(packages, "cryptography"));

        var cli = Resolve("modelcontextprotocol__python-sdk", python, arch, extras: ["cli"]);
        Assert.Equal(["markdown-it-py", "mdurl", "pygments", "python-dotenv", "rich", "shellingham", "typer"], Names(cli).Except(Names(packages)));
        Assert.Equal("typer-0.17.4-py3-none-any.whl", WheelOf(cli, "typer"));
    }

    // ---- pydantic/pydantic-ai: six members, conflicts between an extra and the dev group, packages at two versions.

    [Theory]
    [InlineData("3.12", "x86_64")]
    [InlineData("3.12", "arm64")]
    [InlineData("3.13", "x86_64")]
    [InlineData("3.13", "arm64")]
    public void Pydantic_ai_ships_its_members_and_the_non_dev_side_of_each_fork(string python, string arch)
    {
        var packages = Resolve("pydantic__pydantic-ai", python, arch);
        Assert.Equal(99, packages.Count);
        Assert.Equal(["pydantic-ai-slim", "pydantic-evals", "pydantic-graph"],
            packages.Where(p => p.Source == ResolvedSource.Workspace).Select(p => p.Name).Order(StringComparer.Ordinal));
        // Without the dev group, `extra != 'group-11-pydantic-ai-dev'` holds: mcp 2.0 and fastmcp-slim 4.0b1, once each.
        Assert.Equal("2.0.0", Assert.Single(packages, p => p.Name == "mcp").Version);
        Assert.Equal("4.0.0b1", Assert.Single(packages, p => p.Name == "fastmcp-slim").Version);
        // default-groups = ["dev", "lint"] are not exported.
        Assert.DoesNotContain("mypy", Names(packages));
        Assert.DoesNotContain("librt", Names(packages));
        Assert.DoesNotContain("pytest", Names(packages));
        Assert.All(packages.Where(p => p.Source == ResolvedSource.Registry), p => Assert.NotNull(p.Wheel));
    }

    [Theory]
    [InlineData("3.12", "x86_64")]
    [InlineData("3.13", "arm64")]
    public void Pydantic_ai_mcp_tasks_extra_follows_the_edge_guarded_by_the_extra_it_requests(string python, string arch)
    {
        var packages = Resolve("pydantic__pydantic-ai", python, arch, extras: ["mcp-tasks"]);
        Assert.Equal(119, packages.Count);
        // pydantic-ai[mcp-tasks] -> pydantic-ai-slim[mcp-tasks] -> fastmcp-slim[client], whose marker names extra-16-pydantic-ai-slim-mcp-tasks.
        Assert.Contains("fastmcp-tasks", Names(packages));
        Assert.Contains("pydocket", Names(packages));
        Assert.Equal("2.0.0", Assert.Single(packages, p => p.Name == "mcp").Version);
    }

    [Fact]
    public void Pydantic_ai_dev_group_with_mcp_tasks_extra_conflicts()
    {
        var e = Refused(ErrorCodes.ConflictingExtras, () => Resolve("pydantic__pydantic-ai", "3.13", "x86_64", extras: ["mcp-tasks"], groups: ["dev"]));
        Assert.Contains("extra 'mcp-tasks' of pydantic-ai", e.Message);
        Assert.Contains("group 'dev' of pydantic-ai", e.Message);
    }
}
