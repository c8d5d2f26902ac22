using Microsoft.Build.Framework;
using UvLambda.Core.Diagnostics;
using UvLambda.Core.Projects;

namespace UvLambda.Build.Tasks;

/// <summary>Checks the project's Lambda settings; outputs canonical spellings.</summary>
public sealed class ValidateLambdaProject : ProductionSettingsTask
{
    [Required] public string ProjectDirectory { get; set; } = "";
    public string PythonVersion { get; set; } = "";
    public string Architecture { get; set; } = "";
    public string PackageType { get; set; } = "";
    public string Handler { get; set; } = "";
    /// <summary>LambdaLayer items: layer version ARNs attached after the project's own layers.</summary>
    public ITaskItem[]? Layers { get; set; }
    /// <summary>LambdaLayerSplit: None or Local.</summary>
    public string? LayerSplit { get; set; }

    [Output] public string? NormalizedPythonVersion { get; private set; }
    [Output] public string? NormalizedArchitecture { get; private set; }
    [Output] public string? NormalizedPackageType { get; private set; }

    private protected override void ExecuteCore()
    {
        LambdaProjectSettings settings;
        try { settings = LambdaProjectSettings.Validate(PythonVersion, Architecture, PackageType, Handler, ProjectFile); }
        catch (UvLambdaException e)
        {
            // At the element that sets the refused value, when the project file has one.
            var value = e.Code switch
            {
                ErrorCodes.InvalidArchitecture => Architecture,
                ErrorCodes.InvalidPackageType => PackageType,
                ErrorCodes.InvalidPythonVersion => PythonVersion,
                _ => Handler,
            };
            throw PropertyLocation.Locate(e, ProjectFile, value);
        }
        NormalizedPythonVersion = settings.PythonVersion;
        NormalizedArchitecture = settings.Architecture;
        NormalizedPackageType = settings.PackageType;
        // The project's own layers are counted after packaging (_UvLambdaCheckLayerCount): only then is it known
        // whether a layer had anything in it (an empty one is neither written nor attached).
        ExternalLayers.Validate((Layers ?? []).Select(i => i.ItemSpec), settings.PackageType, LayerSplit, ProjectFile, ownLayers: 0);
        // The production deploy settings, on every build: a mistake shows before anyone publishes.
        WithProductionSettings(new UvLambda.Core.Deploy.DeploySettings { FunctionName = "build-time-check", PythonVersion = settings.PythonVersion, PackageType = settings.PackageType })
            .ValidateProduction(ProjectFile);
    }
}
