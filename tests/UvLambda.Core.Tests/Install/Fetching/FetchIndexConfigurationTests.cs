using UvLambda.Core.Install.Fetching;

namespace UvLambda.Core.Tests.Install.Fetching;

public sealed class FetchIndexConfigurationTests
{
    [Theory]
    [InlineData("corp.pypi", "CORP_PYPI")]
    [InlineData("my-index", "MY_INDEX")]
    [InlineData("Internal2", "INTERNAL2")]
    public void Environment_names_uppercase_and_replace_non_alphanumerics(string name, string expected) =>
        Assert.Equal(expected, IndexConfiguration.EnvironmentName(name));

    [Fact]
    public void No_configured_index_means_the_lock_url()
    {
        var config = IndexConfiguration.Create([], new Dictionary<string, string?>());

        Assert.Null(config.OverrideFor("https://pypi.org/simple"));
    }

    [Fact]
    public void A_default_index_overrides_other_registries_but_not_its_own_or_local_ones()
    {
        var config = IndexConfiguration.Create([new PackageIndex("mirror", "https://mirror.example/simple", IsDefault: true)], new Dictionary<string, string?>());

        Assert.Equal("mirror", config.OverrideFor("https://pypi.org/simple")?.Name);
        Assert.Null(config.OverrideFor("https://mirror.example/simple/"));
        Assert.Null(config.OverrideFor("../wheels"));
        Assert.Null(config.OverrideFor(null));
    }

    [Fact]
    public void A_named_non_default_index_matching_the_registry_keeps_the_lock_url_even_with_a_default_override()
    {
        var config = IndexConfiguration.Create([new PackageIndex("torch", "https://download.pytorch.org/whl/cpu", IsDefault: false)],
            new Dictionary<string, string?> { ["UV_DEFAULT_INDEX"] = "https://mirror.example/simple" });

        Assert.Null(config.OverrideFor("https://download.pytorch.org/whl/cpu"));
        Assert.Equal("https://mirror.example/simple/", config.OverrideFor("https://pypi.org/simple")?.Url.AbsoluteUri);
    }

    [Fact]
    public void Credentials_match_scheme_host_and_port_only()
    {
        var config = IndexConfiguration.Create([new PackageIndex("a", "https://u:p@repo.example/simple", IsDefault: false)], new Dictionary<string, string?>());

        Assert.Equal("u", config.CredentialFor(new Uri("https://repo.example/files/x.whl"))?.UserName);
        Assert.Null(config.CredentialFor(new Uri("https://repo.example:8443/files/x.whl")));
        Assert.Null(config.CredentialFor(new Uri("http://repo.example/files/x.whl")));
        Assert.Null(config.CredentialFor(new Uri("https://evil.example/files/x.whl")));
        Assert.Equal("https://repo.example/simple/", config.Indexes[0].Url.AbsoluteUri);
    }

    [Fact]
    public void Environment_credentials_override_url_ones()
    {
        var config = IndexConfiguration.Create([new PackageIndex("a", "https://u:p@repo.example/simple", IsDefault: false)],
            new Dictionary<string, string?> { ["UV_INDEX_A_PASSWORD"] = "env" });

        var credential = config.CredentialFor(new Uri("https://repo.example/x"));
        Assert.Equal(("u", "env"), (credential?.UserName, credential?.Password));
    }

    [Fact]
    public void Redact_removes_user_info()
    {
        Assert.Equal("https://repo.example/simple/", IndexConfiguration.Redact("https://user:secret@repo.example/simple/"));
    }
}
