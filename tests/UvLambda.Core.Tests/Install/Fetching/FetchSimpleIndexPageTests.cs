using UvLambda.Core.Install.Fetching;

namespace UvLambda.Core.Tests.Install.Fetching;

public sealed class FetchSimpleIndexPageTests
{
    private static readonly Uri Page = new("https://example.org/simple/demo/");

    [Fact]
    public void Html_links_resolve_relative_hrefs_decode_entities_and_split_off_the_hash()
    {
        var links = SimpleIndexPage.ParseHtml("""
            <html><body>
            <a href="../../packages/a/demo-1.0-py3-none-any.whl#sha256=ABC123">demo-1.0-py3-none-any.whl</a>
            <A HREF='https://files.example/x/demo-1.1.tar.gz?token=1&amp;b=2' data-requires-python="&gt;=3.8">demo-1.1.tar.gz</A>
            <a href=/bare/demo%2B2.0-py3-none-any.whl></a>
            </body></html>
            """, Page);

        Assert.Equal(3, links.Count);
        Assert.Equal(new IndexFileLink("demo-1.0-py3-none-any.whl", new Uri("https://example.org/packages/a/demo-1.0-py3-none-any.whl"), "ABC123"), links[0]);
        Assert.Equal("https://files.example/x/demo-1.1.tar.gz?token=1&b=2", links[1].Url.AbsoluteUri);
        Assert.Null(links[1].Sha256);
        Assert.Equal("demo+2.0-py3-none-any.whl", links[2].FileName);
        Assert.Same(links[2], SimpleIndexPage.Find(links, "demo+2.0-py3-none-any.whl"));
    }

    [Fact]
    public void Html_honours_a_base_href()
    {
        var links = SimpleIndexPage.ParseHtml("""<base href="https://cdn.example/root/"><a href="f/demo.whl">demo.whl</a>""", Page);

        Assert.Equal("https://cdn.example/root/f/demo.whl", links.Single().Url.AbsoluteUri);
    }

    [Fact]
    public void Json_pages_give_names_urls_and_hashes()
    {
        var links = SimpleIndexPage.Parse("""
            {"meta": {"api-version": "1.1"}, "name": "demo", "files": [
              {"filename": "demo-1.0-py3-none-any.whl", "url": "/files/demo.whl", "hashes": {"sha256": "ff"}},
              {"filename": "demo-1.0.tar.gz", "url": "https://other/demo.tar.gz#sha256=ee", "hashes": {}}
            ]}
            """, "application/vnd.pypi.simple.v1+json", Page);

        Assert.Equal(new IndexFileLink("demo-1.0-py3-none-any.whl", new Uri("https://example.org/files/demo.whl"), "ff"), links[0]);
        Assert.Equal(new IndexFileLink("demo-1.0.tar.gz", new Uri("https://other/demo.tar.gz"), "ee"), links[1]);
    }

    [Fact]
    public void Json_without_files_is_a_format_error()
    {
        Assert.Throws<FormatException>(() => SimpleIndexPage.Parse("""{"meta": {}}""", "application/vnd.pypi.simple.v1+json", Page));
        Assert.Throws<FormatException>(() => SimpleIndexPage.Parse("<html>", "application/json", Page));
    }
}
