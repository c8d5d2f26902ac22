using System.Runtime.CompilerServices;
using Microsoft.Build.Locator;

namespace UvLambda.Sdk.Tests;

internal static class MSBuildRegistration
{
    // Must run before any Microsoft.Build type is loaded, so it is a module initializer in a class that names none.
    [ModuleInitializer]
    internal static void Register()
    {
        if (!MSBuildLocator.IsRegistered) MSBuildLocator.RegisterDefaults();
    }
}
