using System.Text.Json.Nodes;
using System.Xml.Linq;
using SuccessPlans.Tests.Model;

namespace SuccessPlans.Tests.Production;

/// <summary>
/// The runtime settings the app's memory figures rest on (infra/RUNBOOK.md, "Memory") are in the runtimeconfig.json the
/// build writes next to SuccessPlans.Web.dll, which the runtime reads at start (the image publishes the same file). A
/// misspelt MSBuild property is silently ignored: from 2026-12-02 to 2026-12-04 the project said ServerGarbageCollector,
/// and the runbook described workstation GC while the app ran Server GC.
/// </summary>
public sealed class RuntimeSettingsTests
{
    [Fact]
    public void The_app_runs_the_GC_the_runbook_describes()
    {
        var file = Path.Combine(AppContext.BaseDirectory, "SuccessPlans.Web.runtimeconfig.json");
        Assert.True(File.Exists(file), $"{file} is copied from the Web project's build");
        var settings = JsonNode.Parse(File.ReadAllText(file))!["runtimeOptions"]!["configProperties"]!;
        Assert.True(settings["System.GC.Server"]!.GetValue<bool>());
        Assert.Contains("| Server GC", File.ReadAllText(Path.Combine(ModelTests.RepositoryRoot(), "infra", "RUNBOOK.md")));
    }

    [Fact]
    public void The_project_sets_only_GC_properties_MSBuild_knows()
    {
        var project = XDocument.Load(Path.Combine(ModelTests.RepositoryRoot(), "src", "SuccessPlans.Web", "SuccessPlans.Web.csproj"));
        var gc = project.Descendants().Where(e => e.Name.LocalName.Contains("Garbage", StringComparison.OrdinalIgnoreCase)).Select(e => e.Name.LocalName).ToList();
        Assert.NotEmpty(gc);
        Assert.All(gc, name => Assert.Contains(name, new[] { "ServerGarbageCollection", "ConcurrentGarbageCollection", "RetainVMGarbageCollection" }));
    }
}
