namespace UvLambda.EndToEnd.Tests;

/// <summary>Checks a package.zip with real tools: Python's zipfile, unzip -t, and python3 importing the handler.</summary>
public static class PackageInspection
{
    /// <summary>Entry names, in archive order, with their Unix mode (octal) as Python's zipfile reports them.</summary>
    public static List<(string Name, string Mode)> Entries(PackedSdk sdk, string zip)
    {
        var r = sdk.Run("python3", Path.GetDirectoryName(zip)!, "-c",
            "import sys, zipfile\n" +
            "for i in zipfile.ZipFile(sys.argv[1]).infolist():\n" +
            "    print(i.filename + '\\t' + oct(i.external_attr >> 16) + '\\t' + str(i.date_time[:3]) + '\\t' + str(i.create_system))\n", zip).EnsureSuccess();
        return r.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split('\t'))
            .Select(f =>
            {
                Assert.Equal("(1980, 1, 1)", f[2]);
                Assert.Equal("3", f[3]); // made by Unix
                return (f[0], f[1]);
            }).ToList();
    }

    public static void TestWithUnzip(PackedSdk sdk, string zip) =>
        Assert.Contains("No errors detected", sdk.Run("unzip", Path.GetDirectoryName(zip)!, "-t", zip).EnsureSuccess().StandardOutput);

    /// <summary>Unzips with Python and calls the handler on an event file the way Lambda's runtime would.</summary>
    public static string InvokeHandler(PackedSdk sdk, string zip, string handler, string eventFile)
    {
        var target = Path.Combine(sdk.Root, "unzipped-" + Guid.NewGuid().ToString("N")[..8]);
        var script = """
            import importlib, json, sys, zipfile
            zip, target, handler, event = sys.argv[1:5]
            zipfile.ZipFile(zip).extractall(target)
            sys.path.insert(0, target)
            module, _, function = handler.rpartition(".")
            result = getattr(importlib.import_module(module), function)(json.load(open(event)), None)
            print(json.dumps(result, sort_keys=True))
            """;
        return sdk.Run("python3", sdk.Root, "-c", script, zip, target, handler, eventFile).EnsureSuccess().StandardOutput.Trim();
    }
}
