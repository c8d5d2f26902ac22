using UvLambda.Core.Containers;
using UvLambda.Core.Diagnostics;

namespace UvLambda.Core.Tests.Containers;

/// <summary>The image rules CreateLambdaImage and PushLambdaImage apply, checked without MSBuild or a registry.</summary>
public class LambdaImageRequestTests
{
    private const string Project = "/src/app/app.pyproj";

    private static LambdaImageRequest Request(Func<LambdaImageRequest, LambdaImageRequest>? with = null)
    {
        var request = new LambdaImageRequest { BaseImage = "public.ecr.aws/lambda/python:3.13", Architecture = "x86_64" };
        return with is null ? request : with(request);
    }

    private static ImageBuildRequest Build(LambdaImageRequest request) => request.ToBuildRequest([], [], "app.handler", "/obj/image", Project);

    private static void AssertRefused(string code, LambdaImageRequest request, string? mentions = null)
    {
        var e = Assert.Throws<UvLambdaException>(() => request.Validate(Project));
        Assert.Equal(code, e.Code);
        Assert.Equal(Project, e.File);
        if (mentions is not null) Assert.Contains(mentions, e.Message, StringComparison.Ordinal);
        // ToBuildRequest validates first: it never settles a request Validate refuses.
        Assert.Equal(code, Assert.Throws<UvLambdaException>(() => Build(request)).Code);
    }

    [Fact]
    public void A_Lambda_base_with_no_settings_keeps_the_base_entrypoint_workdir_and_user_in_var_task()
    {
        var built = Build(Request());

        Assert.Equal("var/task", built.TaskRoot);
        Assert.Null(built.Entrypoint);
        Assert.Null(built.WorkingDirectory);
        Assert.Null(built.User);
        Assert.False(built.SetTaskRootEnvironment);
        Assert.Equal(ImageFormat.Docker, built.Format);
        Assert.Equal(0, built.Timestamp);
        Assert.Equal(("public.ecr.aws", "lambda/python", "3.13"), (built.BaseImage.Registry, built.BaseImage.Repository, built.BaseImage.Tag));
        Assert.Equal(("app.handler", "/obj/image", "x86_64"), (built.Handler, built.OutputDirectory, built.Architecture));
    }

    [Fact]
    public void The_runtime_interface_client_runs_awslambdaric_from_the_task_root_when_the_lock_ships_it()
    {
        var built = Build(Request(r => r with { BaseImage = "python:3.13-slim", RuntimeInterfaceClient = true, PackageNames = ["boto3", "AwsLambdaRIC"] }));

        Assert.Equal(["python", "-m", "awslambdaric"], built.Entrypoint);
        Assert.Equal("/var/task", built.WorkingDirectory);
        Assert.True(built.SetTaskRootEnvironment);
    }

    [Fact]
    public void The_runtime_interface_client_without_awslambdaric_in_the_lock_is_UVL3120_saying_to_add_it()
    {
        AssertRefused(ErrorCodes.RuntimeInterfaceClientMissing, Request(r => r with { RuntimeInterfaceClient = true, PackageNames = ["boto3"] }), "uv add awslambdaric");
    }

    [Fact]
    public void Given_entrypoint_workdir_and_user_replace_the_defaults_trimmed()
    {
        var built = Build(Request(r => r with
        {
            RuntimeInterfaceClient = true,
            PackageNames = ["awslambdaric"],
            TaskRoot = " /opt/app ",
            Entrypoint = "/usr/local/bin/python; -m ;;awslambdaric",
            WorkingDirectory = " /srv ",
            User = " 1000:1000 ",
        }));

        Assert.Equal("opt/app", built.TaskRoot);
        Assert.Equal(["/usr/local/bin/python", "-m", "awslambdaric"], built.Entrypoint);
        Assert.Equal("/srv", built.WorkingDirectory);
        Assert.Equal("1000:1000", built.User);
        Assert.True(built.SetTaskRootEnvironment);
    }

    [Fact]
    public void Another_task_root_on_a_Lambda_base_sets_the_task_root_environment_and_is_the_ric_workdir()
    {
        var lambdaBase = Build(Request(r => r with { TaskRoot = "/opt/app" }));
        Assert.Equal("opt/app", lambdaBase.TaskRoot);
        Assert.True(lambdaBase.SetTaskRootEnvironment);
        Assert.Null(lambdaBase.WorkingDirectory);

        var ric = Build(Request(r => r with { TaskRoot = "/opt/app", RuntimeInterfaceClient = true, PackageNames = ["awslambdaric"] }));
        Assert.Equal("/opt/app", ric.WorkingDirectory);
    }

    [Theory]
    [InlineData("var/task")]
    [InlineData("/")]
    [InlineData("/opt/../etc")]
    public void A_task_root_that_is_no_absolute_folder_is_UVL3109(string taskRoot) =>
        AssertRefused(ErrorCodes.InvalidContainerSetting, Request(r => r with { TaskRoot = taskRoot }), "LambdaTaskRoot");

    [Fact]
    public void A_relative_working_directory_is_UVL3109() =>
        AssertRefused(ErrorCodes.InvalidContainerSetting, Request(r => r with { WorkingDirectory = "srv" }), "ContainerWorkingDirectory");

    [Theory]
    [InlineData("", ImageFormat.Docker)]
    [InlineData(" docker ", ImageFormat.Docker)]
    [InlineData("OCI", ImageFormat.Oci)]
    public void The_format_is_Docker_or_OCI_in_any_case(string format, ImageFormat expected) =>
        Assert.Equal(expected, Build(Request(r => r with { Format = format })).Format);

    [Fact]
    public void Another_format_is_UVL3109() =>
        AssertRefused(ErrorCodes.InvalidContainerSetting, Request(r => r with { Format = "podman" }), "ContainerImageFormat 'podman'");

    [Fact]
    public void SOURCE_DATE_EPOCH_sets_the_timestamp()
    {
        Assert.Equal(1700000000, Build(Request(r => r with { SourceDateEpoch = " 1700000000 " })).Timestamp);
        Assert.Equal(0, Build(Request(r => r with { SourceDateEpoch = "  " })).Timestamp);
    }

    [Theory]
    [InlineData("tomorrow")]
    [InlineData("-1")]
    [InlineData("253402300800")]
    public void A_SOURCE_DATE_EPOCH_that_is_no_time_is_UVL1007(string value) =>
        AssertRefused(ErrorCodes.InvalidSourceDateEpoch, Request(r => r with { SourceDateEpoch = value }), "SOURCE_DATE_EPOCH");

    [Fact]
    public void A_base_image_that_is_no_reference_is_refused_with_its_code() =>
        AssertRefused(ErrorCodes.InvalidImageReference, Request(r => r with { BaseImage = "Public.ecr.aws/Lambda/Python:3.13" }));

    [Fact]
    public void Environment_variables_and_labels_keep_their_order_with_trimmed_names_and_labels_may_hold_equals()
    {
        var built = Build(Request(r => r with
        {
            EnvironmentVariables = [new(" B ", "2"), new("A", "1 ")],
            Labels = [new("org.opencontainers.image.title", "app"), new("k=v", "x")],
        }));

        Assert.Equal([new("B", "2"), new("A", "1 ")], built.Environment);
        Assert.Equal([new("org.opencontainers.image.title", "app"), new("k=v", "x")], built.Labels);
    }

    [Fact]
    public void An_environment_variable_named_with_equals_or_a_nameless_item_is_UVL3109()
    {
        AssertRefused(ErrorCodes.InvalidContainerSetting, Request(r => r with { EnvironmentVariables = [new("A=1", "")] }), "ContainerEnvironmentVariable");
        AssertRefused(ErrorCodes.InvalidContainerSetting, Request(r => r with { Labels = [new(" ", "x")] }), "ContainerLabel");
    }
}

public class LambdaImagePushRequestTests
{
    private const string Project = "/src/app/app.pyproj";

    private static void AssertRefused(string code, LambdaImagePushRequest request, string? mentions = null)
    {
        var e = Assert.Throws<UvLambdaException>(() => request.Validate(Project));
        Assert.Equal(code, e.Code);
        Assert.Equal(Project, e.File);
        if (mentions is not null) Assert.Contains(mentions, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Tags_are_split_on_semicolons_and_commas_trimmed_and_distinct_in_order()
    {
        var request = new LambdaImagePushRequest { Repository = "app", Registry = "ghcr.io", Tags = ["v1; v2", " v1 ,latest", ""] };
        request.Validate(Project);
        Assert.Equal(["v1", "v2", "latest"], request.TagList);
    }

    [Fact]
    public void No_tag_is_latest()
    {
        var request = new LambdaImagePushRequest { Repository = "app", Registry = "ghcr.io", Tags = [" ; "] };
        request.Validate(Project);
        Assert.Equal(["latest"], request.TagList);
    }

    [Theory]
    [InlineData(".hidden")]
    [InlineData("-dash")]
    [InlineData("a/b")]
    public void A_tag_that_is_not_one_is_UVL3109(string tag) =>
        AssertRefused(ErrorCodes.InvalidContainerSetting, new LambdaImagePushRequest { Repository = "app", Registry = "ghcr.io", Tags = [tag] }, $"'{tag}'");

    [Fact]
    public void The_registry_loses_a_trailing_slash_and_a_scheme_or_path_is_UVL3109()
    {
        var request = new LambdaImagePushRequest { Repository = "app", Registry = " 127.0.0.1:5000/ " };
        request.Validate(Project);
        Assert.Equal("127.0.0.1:5000", request.RegistryHost);

        AssertRefused(ErrorCodes.InvalidContainerSetting, new LambdaImagePushRequest { Repository = "app", Registry = "https://ghcr.io" }, "ContainerRegistry");
        AssertRefused(ErrorCodes.InvalidContainerSetting, new LambdaImagePushRequest { Repository = "app", Registry = "ghcr.io/me" }, "ContainerRegistry");
    }

    [Fact]
    public void A_repository_that_is_no_name_is_UVL3109() =>
        AssertRefused(ErrorCodes.InvalidContainerSetting, new LambdaImagePushRequest { Repository = "My App", Registry = "ghcr.io" }, "ContainerRepository");

    [Fact]
    public void Nowhere_to_publish_is_UVL3110_and_an_ECR_repository_or_an_archive_alone_is_somewhere()
    {
        AssertRefused(ErrorCodes.NoContainerDestination, new LambdaImagePushRequest { Repository = "app", Registry = " ", EcrRepository = " ", ArchiveOutputPath = "" });

        var ecr = new LambdaImagePushRequest { Repository = "app", EcrRepository = " fn-images " };
        ecr.Validate(Project);
        Assert.Equal("fn-images", ecr.EcrRepositoryName);
        Assert.Null(ecr.RegistryHost);

        var archive = new LambdaImagePushRequest { Repository = "app", ArchiveOutputPath = "out/app.tar" };
        archive.Validate(Project);
        Assert.True(archive.WritesArchive);
    }

    [Fact]
    public void The_archive_path_is_a_file_or_repository_tar_gz_in_a_folder()
    {
        using var dir = new TempDirectory();
        Directory.CreateDirectory(dir.Combine("existing"));

        Assert.Equal(dir.Combine("out", "app.tar"), new LambdaImagePushRequest { Repository = "x", ArchiveOutputPath = dir.Combine("out", "app.tar") }.ArchivePath("team/app"));
        Assert.Equal(dir.Combine("new", "team-app.tar.gz"), new LambdaImagePushRequest { Repository = "x", ArchiveOutputPath = dir.Combine("new") + "/" }.ArchivePath("team/app"));
        Assert.Equal(dir.Combine("existing", "team-app.tar.gz"), new LambdaImagePushRequest { Repository = "x", ArchiveOutputPath = dir.Combine("existing") }.ArchivePath("team/app"));
        Assert.True(Path.IsPathFullyQualified(new LambdaImagePushRequest { Repository = "x", ArchiveOutputPath = "rel.tar" }.ArchivePath("app")));
    }

    [Fact]
    public void The_archive_names_every_tag_with_the_registry_when_there_is_one()
    {
        var request = new LambdaImagePushRequest { Repository = "app", ArchiveOutputPath = "a.tar", Tags = ["v1;v2"] };
        Assert.Equal(["app:v1", "app:v2"], request.ArchiveNames(null, "app"));
        Assert.Equal(["ghcr.io/me/app:v1", "ghcr.io/me/app:v2"], request.ArchiveNames("ghcr.io", "me/app"));
    }

    [Fact]
    public void A_bad_SOURCE_DATE_EPOCH_is_UVL1007_only_when_an_archive_is_written()
    {
        AssertRefused(ErrorCodes.InvalidSourceDateEpoch, new LambdaImagePushRequest { Repository = "app", ArchiveOutputPath = "a.tar", SourceDateEpoch = "soon" });
        // A push alone stamps nothing: the setting is not read (as before).
        new LambdaImagePushRequest { Repository = "app", Registry = "ghcr.io", SourceDateEpoch = "soon" }.Validate(Project);

        Assert.Equal(1700000000, new LambdaImagePushRequest { Repository = "app", ArchiveOutputPath = "a.tar", SourceDateEpoch = "1700000000" }.ArchiveTimestamp);
    }
}
