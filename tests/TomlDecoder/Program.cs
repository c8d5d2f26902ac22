using UvLambda.Core.Diagnostics;
using UvLambda.Core.Toml;
using UvLambda.TomlDecoder;

// toml-test protocol: exit 0 with tagged JSON on stdout, or exit 1 with the error on stderr.
using var stdin = Console.OpenStandardInput();
using var buffer = new MemoryStream();
stdin.CopyTo(buffer);
try
{
    var root = TomlDocument.Parse(buffer.ToArray().AsSpan());
    Console.Out.Write(TaggedJson.FromTable(root));
    Console.Out.WriteLine();
    return 0;
}
catch (UvLambdaException e)
{
    Console.Error.WriteLine($"{e.Line}:{e.Column}: {e.Message}");
    return 1;
}
