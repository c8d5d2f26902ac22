using Microsoft.Build.Framework;
using UvLambda.Core.Install;
using UvLambda.Core.Install.Audit;
using UvLambda.Core.Standards;

namespace UvLambda.Build.Tasks;

/// <summary>
/// Checks every installed ELF file (extension modules, bundled libraries) against the Lambda runtime: the right
/// CPU, and no GLIBC symbol version newer than the runtime's glibc — before anything is deployed.
/// </summary>
public sealed class AuditPythonPackages : UvLambdaTask
{
    [Required] public string SiteDirectory { get; set; } = "";
    [Required] public string StateFile { get; set; } = "";
    [Required] public string PythonVersion { get; set; } = "";
    [Required] public string Architecture { get; set; } = "";

    private protected override void ExecuteCore()
    {
        if (!File.Exists(StateFile)) return;
        var minor = int.Parse(PythonVersion.Split('.')[1], System.Globalization.CultureInfo.InvariantCulture);
        var runtime = PythonPlatform.ForLambdaRuntime(Architecture == "arm64" ? LinuxArchitecture.Aarch64 : LinuxArchitecture.X86_64, minor);
        var violations = ElfAudit.Check(InstalledSet.ForAudit(StateFile, SiteDirectory), runtime.Machine,
            new Version(runtime.GlibcMajor, runtime.GlibcMinor), $"python{PythonVersion}", CancellationToken);
        if (violations.Count > 0) throw ElfAudit.ToException(violations);
    }
}
