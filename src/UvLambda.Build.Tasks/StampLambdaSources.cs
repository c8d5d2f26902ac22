using Microsoft.Build.Framework;
using UvLambda.Core.Projects;

namespace UvLambda.Build.Tasks;

/// <summary>
/// The LambdaSource files' length, write time and shipped mode, hashed (<see cref="LambdaSourceFile.Stamp"/>): part of
/// the package inputs, so a `chmod +x` or a source replaced by an older file runs the package step, which timestamps
/// alone would skip. Reads no file, one stat each.
/// </summary>
public sealed class StampLambdaSources : UvLambdaTask
{
    public ITaskItem[]? Sources { get; set; }

    [Output] public string Stamp { get; private set; } = "";

    private protected override void ExecuteCore() =>
        Stamp = LambdaSourceFile.Stamp((Sources ?? []).Select(s => s.GetMetadata("FullPath")));
}
