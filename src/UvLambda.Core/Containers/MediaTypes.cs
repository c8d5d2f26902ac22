namespace UvLambda.Core.Containers;

/// <summary>The manifest, config and layer media types of Docker's v2 schema 2 and the OCI image spec.</summary>
public static class MediaTypes
{
    public const string DockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
    public const string DockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json";
    public const string DockerConfig = "application/vnd.docker.container.image.v1+json";
    public const string DockerLayerGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip";
    public const string DockerForeignLayerGzip = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";
    public const string OciManifest = "application/vnd.oci.image.manifest.v1+json";
    public const string OciIndex = "application/vnd.oci.image.index.v1+json";
    public const string OciConfig = "application/vnd.oci.image.config.v1+json";
    public const string OciLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip";
    public const string OciLayerTar = "application/vnd.oci.image.layer.v1.tar";
    public const string OciLayerZstd = "application/vnd.oci.image.layer.v1.tar+zstd";

    /// <summary>What a manifest request accepts: every manifest and index type (registries answer with what they have).</summary>
    public static readonly string[] AllManifests = [DockerManifest, DockerManifestList, OciManifest, OciIndex];

    public static bool IsIndex(string mediaType) => mediaType is DockerManifestList or OciIndex;

    public static bool IsManifest(string mediaType) => mediaType is DockerManifest or OciManifest;

    /// <summary>A base layer's media type in the format being written, or null when that format has no equivalent.</summary>
    public static string? LayerIn(ImageFormat format, string mediaType) => (format, mediaType) switch
    {
        (ImageFormat.Docker, DockerLayerGzip or OciLayerGzip) => DockerLayerGzip,
        (ImageFormat.Docker, DockerForeignLayerGzip) => DockerForeignLayerGzip,
        (ImageFormat.Oci, DockerLayerGzip or OciLayerGzip) => OciLayerGzip,
        (ImageFormat.Oci, OciLayerTar or OciLayerZstd) => mediaType,
        _ => null,
    };

    public static string ManifestOf(ImageFormat format) => format == ImageFormat.Oci ? OciManifest : DockerManifest;
    public static string ConfigOf(ImageFormat format) => format == ImageFormat.Oci ? OciConfig : DockerConfig;
    public static string LayerOf(ImageFormat format) => format == ImageFormat.Oci ? OciLayerGzip : DockerLayerGzip;
}

/// <summary>The manifest format an image is written in: Docker v2 schema 2 (default; what Lambda's examples use) or OCI.</summary>
public enum ImageFormat
{
    Docker,
    Oci,
}
