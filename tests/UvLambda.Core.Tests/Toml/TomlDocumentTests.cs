using UvLambda.Core.Diagnostics;
using UvLambda.Core.Toml;

namespace UvLambda.Core.Tests.Toml;

public class TomlDocumentTests
{
    private static UvLambdaException ParseError(string toml) =>
        Assert.Throws<UvLambdaException>(() => TomlDocument.Parse(toml, "pyproject.toml"));

    [Fact]
    public void Error_reports_file_line_and_column_of_the_problem()
    {
        var toml = string.Concat(Enumerable.Repeat("# comment\n", 11)) + "x = tru\n";
        var error = ParseError(toml);
        Assert.Equal(ErrorCodes.TomlSyntax, error.Code);
        Assert.Equal("pyproject.toml", error.File);
        Assert.Equal((12, 5), (error.Line, error.Column));
    }

    [Theory]
    [InlineData("a = 1\na = 2\n", 2, 1)]                          // duplicate key: at the second key
    [InlineData("[a]\nx = 1\n[a]\n", 3, 2)]                        // table defined twice: at its name
    [InlineData("a = { b = 1 }\n[a.c]\n", 2, 2)]                   // inline tables are frozen
    [InlineData("a = \"x\ny\"\n", 1, 7)]                           // newline in a basic string
    [InlineData("a = 01\n", 1, 5)]                                 // leading zero
    [InlineData("a = 2023-02-29\n", 1, 13)]                        // not a leap year: at the day
    [InlineData("a = [1, 2\nb = 3\n", 2, 1)]                       // missing comma in a multi-line array
    [InlineData("s = \"\"\"\nline\n\\q\"\"\"\n", 3, 1)]            // bad escape inside a multi-line string
    [InlineData("a = 1\r\nb = 2 x\r\n", 2, 7)]                     // CRLF counts as one line break
    [InlineData("\uFEFFa = ?\n", 1, 5)]                            // the BOM takes no column
    [InlineData("a = {\n  x = 1\n  y = 2\n}\n", 3, 3)]            // missing comma in a multi-line inline table
    public void Error_positions_point_at_the_offending_text(string toml, int line, int column)
    {
        var error = ParseError(toml);
        Assert.Equal((line, column), (error.Line, error.Column));
    }

    [Theory]
    [InlineData("dependencies = [\"six\", \"idna\",\n\n[dependency-groups]\ndev = []\n", 3, 2)] // a table header after it
    [InlineData("dependencies = [\n    \"six\",\nrequires-python = \">=3.11\"\n", 3, 1)]    // a key after the last comma
    [InlineData("dependencies = [\"six\"\nname = \"x\"\n", 2, 1)]                          // a key where ',' or ']' belongs
    public void An_array_left_open_names_where_it_was_opened(string toml, int line, int column)
    {
        var error = ParseError(toml);
        Assert.Equal((line, column), (error.Line, error.Column));
        Assert.Contains("The array opened at line 1, column 16 is not closed", error.Message);
    }

    [Fact]
    public void A_missing_comma_inside_an_array_is_not_called_an_unclosed_array()
    {
        var error = ParseError("dependencies = [\n    \"six\"\n    \"idna\",\n]\n");
        Assert.Equal((3, 5), (error.Line, error.Column));
        Assert.DoesNotContain("not closed", error.Message);
    }

    [Fact]
    public void Invalid_utf8_is_reported_at_its_line_and_column()
    {
        byte[] bytes = [.. "a = 1\nb = \""u8, 0xC3, 0x28, .. "\"\n"u8];
        var error = Assert.Throws<UvLambdaException>(() => TomlDocument.Parse(bytes, "uv.lock"));
        Assert.Equal((2, 6), (error.Line, error.Column));
    }

    [Fact]
    public void Values_and_keys_carry_their_positions()
    {
        const string toml = """
            name = "demo"
            [tool.uv]
              dev-dependencies = [
                "pytest>=8",
                { path = "x" },
              ]
            """;
        var root = TomlDocument.Parse(toml);

        Assert.True(root.TryGetEntry("name", out var name));
        Assert.Equal((1, 1), (name.Line, name.Column));
        Assert.Equal((1, 8), (name.Value.Line, name.Value.Column));

        Assert.True(root.TryGetTable("tool", out var tool));
        Assert.Equal((2, 2), (tool.Line, tool.Column));
        Assert.True(tool.TryGetTable("uv", out var uv));
        Assert.True(uv.TryGetEntry("dev-dependencies", out var deps));
        Assert.Equal((3, 3), (deps.Line, deps.Column));
        var array = Assert.IsType<TomlArray>(deps.Value);
        Assert.Equal((3, 22), (array.Line, array.Column));
        Assert.Equal((4, 5), (array[0].Line, array[0].Column));
        var inline = Assert.IsType<TomlTable>(array[1]);
        Assert.Equal((5, 5), (inline.Line, inline.Column));
        Assert.True(inline.TryGetEntry("path", out var path));
        Assert.Equal((5, 7), (path.Line, path.Column));
        Assert.Equal((5, 14), (path.Value.Line, path.Value.Column));
    }

    [Fact]
    public void Reads_arrays_of_tables_and_nested_tables_like_a_lock_file()
    {
        const string toml = """
            version = 1

            [[package]]
            name = "anyio"
            version = "4.4.0"
            source = { registry = "https://pypi.org/simple" }
            dependencies = [{ name = "idna" }, { name = "sniffio" }]
            wheels = [
                { url = "https://x/anyio.whl", hash = "sha256:ab", size = 86780, upload-time = "2024-06-02T15:20:00.000Z" },
            ]

            [package.optional-dependencies]
            trio = [{ name = "trio" }]

            [[package]]
            name = "idna"
            version = "3.7"
            """;
        var root = TomlDocument.Parse(toml);

        Assert.True(root.TryGetInteger("version", out var version));
        Assert.Equal(1, version);
        Assert.True(root.TryGetArray("package", out var packages));
        Assert.True(packages.IsArrayOfTables);
        Assert.Equal(2, packages.Count);

        var anyio = Assert.IsType<TomlTable>(packages[0]);
        Assert.Equal("anyio", anyio.GetString("name"));
        Assert.Equal((3, 1), (anyio.Line, anyio.Column));
        Assert.True(anyio.TryGetTable("source", out var source));
        Assert.True(source.IsInline);
        Assert.Equal("https://pypi.org/simple", source.GetString("registry"));
        Assert.True(anyio.TryGetArray("dependencies", out var dependencies));
        Assert.Equal(["idna", "sniffio"], dependencies.Select(d => ((TomlTable)d).GetString("name")));
        Assert.True(anyio.TryGetTable("optional-dependencies", out var extras));
        Assert.True(extras.TryGetArray("trio", out var trio));
        Assert.Single(trio);
        var wheel = Assert.IsType<TomlTable>(Assert.Single(anyio["wheels"] as TomlArray ?? throw new Exception("no wheels")));
        Assert.True(wheel.TryGetInteger("size", out var size));
        Assert.Equal(86780, size);

        Assert.Equal(["name", "version", "source", "dependencies", "wheels", "optional-dependencies"], anyio.Keys);
        Assert.Null(anyio.GetString("size-missing"));
        Assert.Null(anyio.GetString("source")); // a table, not a string
        Assert.False(anyio.TryGetString("source", out _));
        Assert.Throws<KeyNotFoundException>(() => anyio["nope"]);
        Assert.Equal("idna", ((TomlTable)packages[1]).GetString("name"));
    }

    [Fact]
    public void Date_times_keep_their_text_and_fields()
    {
        var root = TomlDocument.Parse("""
            odt = 1979-05-27 07:32:00.999999999-07:30
            ldt = 1979-05-27T07:32:00
            ld = 2024-02-29
            lt = 07:32:00.5
            """);
        var odt = Assert.IsType<TomlDateTime>(root["odt"]);
        Assert.Equal(TomlValueKind.OffsetDateTime, odt.Kind);
        Assert.Equal("1979-05-27 07:32:00.999999999-07:30", odt.Text);
        Assert.Equal(999_999_999, odt.Nanosecond);
        Assert.Equal(-450, odt.OffsetMinutes);
        Assert.Equal(new DateTimeOffset(1979, 5, 27, 7, 32, 0, TimeSpan.FromMinutes(-450)).AddTicks(9_999_999), odt.ToDateTimeOffset());

        var ldt = Assert.IsType<TomlDateTime>(root["ldt"]);
        Assert.Equal(TomlValueKind.LocalDateTime, ldt.Kind);
        Assert.Null(ldt.OffsetMinutes);
        Assert.Equal(new DateTime(1979, 5, 27, 7, 32, 0), ldt.ToDateTime());

        Assert.Equal(new DateOnly(2024, 2, 29), ((TomlDateTime)root["ld"]).ToDateOnly());
        var lt = (TomlDateTime)root["lt"];
        Assert.Equal(TomlValueKind.LocalTime, lt.Kind);
        Assert.Equal(new TimeOnly(7, 32, 0, 500), lt.ToTimeOnly());
    }

    [Theory]
    [InlineData("[fruit]\napple.color = \"red\"\n[fruit.apple.texture]\nsmooth = true\n")] // sub-table under dotted keys
    [InlineData("[a.b.c]\nz = 1\n[a]\nx = 1\n")]                                         // defining an implicit parent later
    [InlineData("[[a]]\n[a.b]\nx = 1\n[[a]]\n[a.b]\nx = 2\n")]                            // each array element has its own sub-tables
    [InlineData("a.b.c = 1\na.b.d = 2\n")]                                               // dotted keys extend each other
    public void Accepts_legal_table_extensions(string toml) => TomlDocument.Parse(toml);

    [Theory]
    [InlineData("[fruit]\napple.color = \"red\"\n[fruit.apple]\n")]        // dotted-key table redefined by a header
    [InlineData("a.b = 1\n[a]\n")]
    [InlineData("[a.b.c]\nz = 1\n[a]\nb.c.t = 1\n")]                      // dotted keys into a header-defined table
    [InlineData("a = [1]\n[[a]]\n")]                                     // static array extended by [[a]]
    [InlineData("[[a]]\n[a]\n")]
    [InlineData("a = { b.c = 1 }\na.b.d = 2\n")]                          // inline tables are frozen, nested ones too
    [InlineData("[a]\nb = 1\n[a.b]\n")]
    [InlineData("a = { , }\n")]                                         // TOML 1.1 still: no comma without a pair
    [InlineData("a = { x = 1,, }\n")]
    [InlineData("a = { x\n = 1 }\n")]                                    // a pair stays on one line
    [InlineData("a = { x = 1\n")]
    [InlineData("a = \"\\x4\"\n")]                                       // \x takes exactly two hex digits
    [InlineData("a = \"\\E\"\n")]
    [InlineData("a = 07:32.5\n")]                                       // a fraction needs seconds
    [InlineData("a = 1979-05-27T07:3\n")]
    [InlineData("a = 1979-05-27T07:32:\n")]
    [InlineData("a = 0x8000000000000000\n")]
    [InlineData("a = 9223372036854775808\n")]
    [InlineData("a = \"\\uD800\"\n")]
    [InlineData("a = 1979-05-27 07:32:60Z\n")]
    public void Rejects_illegal_documents(string toml) => ParseError(toml);

    [Fact]
    public void Toml_1_1_inline_tables_span_lines_with_comments_and_a_trailing_comma()
    {
        var root = TomlDocument.Parse("""
            dev = { # the tools
                ruff = { version = ">=0.6", extras = [
                    "fast",
                ] },
                mypy.version = "1",   # dotted keys still work
            }
            after = 1
            """);
        var dev = Assert.IsType<TomlTable>(root["dev"]);
        Assert.True(dev.IsInline);
        Assert.Equal(["ruff", "mypy"], dev.Keys);
        var ruff = (TomlTable)dev["ruff"];
        // Positions follow the lines inside the braces.
        Assert.Equal((2, 12), (ruff.Line, ruff.Column));
        Assert.Equal((2, 24), (ruff["version"].Line, ruff["version"].Column));
        var extras = (TomlArray)ruff["extras"];
        Assert.Equal((3, 9), (extras[0].Line, extras[0].Column));
        Assert.Equal("1", ((TomlTable)dev["mypy"]).GetString("version"));
        Assert.Equal((5, 20), (((TomlTable)dev["mypy"])["version"].Line, ((TomlTable)dev["mypy"])["version"].Column));
        Assert.Equal((7, 9), (root["after"].Line, root["after"].Column));
        // Frozen as before: nothing outside may extend it.
        Assert.Equal(4, ParseError("a = {\n  x = 1,\n}\na.y = 2\n").Line);
    }

    [Fact]
    public void Toml_1_1_escapes_and_times_without_seconds()
    {
        var root = TomlDocument.Parse(""""
            esc = "\e[0m"
            hex = "\x41\xe6\x00"
            multi = """\x7F"""
            literal = '\x41'
            t = 07:32
            ldt = 1979-05-27T07:32
            odt = 1979-05-27 07:32Z
            """");
        Assert.Equal("\u001B[0m", root.GetString("esc"));
        Assert.Equal("A\u00E6\0", root.GetString("hex"));
        Assert.Equal("\u007F", root.GetString("multi"));
        Assert.Equal("\\x41", root.GetString("literal"));
        var t = (TomlDateTime)root["t"];
        Assert.Equal(TomlValueKind.LocalTime, t.Kind);
        Assert.Equal(new TimeOnly(7, 32, 0), t.ToTimeOnly());
        Assert.Equal("07:32", t.Text);
        Assert.Equal(new DateTime(1979, 5, 27, 7, 32, 0), ((TomlDateTime)root["ldt"]).ToDateTime());
        var odt = (TomlDateTime)root["odt"];
        Assert.Equal(TomlValueKind.OffsetDateTime, odt.Kind);
        Assert.Equal(new DateTimeOffset(1979, 5, 27, 7, 32, 0, TimeSpan.Zero), odt.ToDateTimeOffset());
        Assert.Equal((7, 7), (odt.Line, odt.Column));
    }

    [Fact]
    public void Integer_limits_round_trip()
    {
        var root = TomlDocument.Parse("min = -9223372036854775808\nmax = 9223372036854775807\nhex = 0x7FFF_FFFF_FFFF_FFFF\n");
        Assert.Equal(long.MinValue, ((TomlInteger)root["min"]).Value);
        Assert.Equal(long.MaxValue, ((TomlInteger)root["max"]).Value);
        Assert.Equal(long.MaxValue, ((TomlInteger)root["hex"]).Value);
    }

    [Fact]
    public void Multiline_strings_normalize_crlf_to_lf()
    {
        var root = TomlDocument.Parse("s = \"\"\"\r\none\r\ntwo \\\r\n   three\"\"\"\r\n");
        Assert.Equal("one\ntwo three", root.GetString("s"));
    }

    [Fact]
    public void Big_tables_are_indexed_and_keep_document_order()
    {
        var keys = Enumerable.Range(0, 50).Select(i => $"k{49 - i}").ToList();
        var root = TomlDocument.Parse(string.Join("\n", keys.Select((k, i) => $"{k} = {i}")));
        Assert.Equal(keys, root.Keys);
        Assert.Equal(keys, root.Select(e => e.Key));
        Assert.Equal(10, ((TomlInteger)root["k39"]).Value);
        Assert.True(root.ContainsKey("k0"));
        Assert.False(root.ContainsKey("k50"));
    }
}
