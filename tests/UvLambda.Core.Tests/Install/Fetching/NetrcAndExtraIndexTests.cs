using UvLambda.Core.Install.Fetching;

namespace UvLambda.Core.Tests.Install.Fetching;

/// <summary>Index credentials from netrc and UV_EXTRA_INDEX_URL, as uv reads them.</summary>
public sealed class NetrcAndExtraIndexTests
{
    [Fact]
    public void Netrc_entries_are_found_by_host_then_default_and_macros_and_comments_are_skipped()
    {
        var netrc = Netrc.Parse("""
            # company indexes
            machine pypi.corp.example login deploy password "s3 cret"
            macdef init
            machine evil.example login x password y

            machine other.example
              login bob
              password hunter2
            default login anon password guest
            """);
        Assert.Equal(("deploy", "s3 cret"), (netrc.For("pypi.corp.example")!.UserName, netrc.For("pypi.corp.example")!.Password));
        Assert.Equal(("bob", "hunter2"), (netrc.For("other.example")!.UserName, netrc.For("other.example")!.Password));
        Assert.Equal("anon", netrc.For("evil.example")!.UserName); // inside a macro: not an entry
        Assert.Equal("anon", netrc.For("unknown.example")!.UserName);
    }

    [Fact]
    public void An_index_without_credentials_gets_the_netrc_entry_of_its_host_from_NETRC_or_HOME()
    {
        using var dir = new TempDirectory();
        dir.WriteFile("home/.netrc", "machine pypi.corp.example login deploy password from-home\n");
        dir.WriteFile("custom-netrc", "machine pypi.corp.example login ci password from-netrc\n");
        var index = new PackageIndex("corp", "https://pypi.corp.example/simple", IsDefault: true);
        var url = new Uri("https://pypi.corp.example/simple/requests/");

        var fromHome = IndexConfiguration.Create([index], new Dictionary<string, string?> { ["HOME"] = dir.Combine("home") }).CredentialFor(url);
        Assert.Equal(("deploy", "from-home"), (fromHome?.UserName, fromHome?.Password));
        var fromNetrc = IndexConfiguration.Create([index], new Dictionary<string, string?> { ["HOME"] = dir.Combine("home"), ["NETRC"] = dir.Combine("custom-netrc") }).CredentialFor(url);
        Assert.Equal(("ci", "from-netrc"), (fromNetrc?.UserName, fromNetrc?.Password));
        // The environment's credentials win; netrc never answers for another host.
        var fromEnv = IndexConfiguration.Create([index], new Dictionary<string, string?> { ["HOME"] = dir.Combine("home"), ["UV_INDEX_CORP_PASSWORD"] = "env" }).CredentialFor(url);
        Assert.Equal("env", fromEnv?.Password);
        Assert.Null(IndexConfiguration.Create([index], new Dictionary<string, string?> { ["HOME"] = dir.Combine("home") }).CredentialFor(new Uri("https://pypi.org/simple/x/")));
    }

    [Fact]
    public void UV_EXTRA_INDEX_URL_adds_indexes_whose_credentials_are_used_for_their_host()
    {
        var config = IndexConfiguration.Create([], new Dictionary<string, string?>
        {
            ["UV_EXTRA_INDEX_URL"] = "https://user:tok@extra.example/simple https://second.example/simple",
        });
        Assert.Equal(["https://extra.example/simple/", "https://second.example/simple/"], config.Indexes.Select(i => i.Url.AbsoluteUri).Order());
        var c = config.CredentialFor(new Uri("https://extra.example/simple/pkg/"));
        Assert.Equal(("user", "tok"), (c?.UserName, c?.Password));
        Assert.DoesNotContain(config.Indexes, i => i.Url.AbsoluteUri.Contains("tok", StringComparison.Ordinal));
    }
}
