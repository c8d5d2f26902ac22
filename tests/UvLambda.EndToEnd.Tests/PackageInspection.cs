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

/// <summary>More real-tool checks: zipinfo's mode column, and importing a handler from several unzipped zips on sys.path.</summary>
public static class ArtifactInspection
{
    /// <summary>name → mode string as zipinfo prints it (e.g. "-rw-r--r--", "drwxr-xr-x").</summary>
    public static Dictionary<string, string> ZipInfoModes(PackedSdk sdk, string zip)
    {
        var output = sdk.Run("zipinfo", Path.GetDirectoryName(zip)!, zip).EnsureSuccess().StandardOutput;
        var modes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in output.Split('\n'))
        {
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length >= 9 && f[0].Length == 10 && f[2] == "unx") modes[f[^1]] = f[0];
        }
        return modes;
    }

    /// <summary>Unzips each zip into its own folder and imports the handler with those folders first on sys.path
    /// (for Layer: the function root, then /opt/python), then calls it as Lambda's runtime would.</summary>
    public static string InvokeHandler(PackedSdk sdk, string python, string handler, string eventFile, params (string Zip, string SubFolder)[] zips)
    {
        var root = Path.Combine(sdk.Root, "unzipped-" + Guid.NewGuid().ToString("N")[..8]);
        var args = new List<string> { "-I", "-c", """
            import importlib, json, sys, zipfile
            handler, event, root = sys.argv[1:4]
            pairs = sys.argv[4:]
            for i in range(0, len(pairs), 2):
                target = root + "/" + str(i)
                zipfile.ZipFile(pairs[i]).extractall(target)
                sys.path.append(target + "/" + pairs[i + 1] if pairs[i + 1] else target)
            module, _, function = handler.rpartition(".")
            m = importlib.import_module(module)
            print(json.dumps(getattr(m, function)(json.load(open(event)), None), sort_keys=True))
            print(m.__file__)
            """, handler, eventFile, root };
        foreach (var (zip, sub) in zips) { args.Add(zip); args.Add(sub); }
        return sdk.Run(python, sdk.Root, args.ToArray()).EnsureSuccess().StandardOutput.Trim();
    }
}
