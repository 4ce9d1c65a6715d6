using System.Text.RegularExpressions;
using SuccessPlans.Tests.Model;

namespace SuccessPlans.Tests.Production;

/// <summary>
/// The runtime's settings of the production image (malloc arenas, the JIT's warm-up; infra/RUNBOOK.md, "Memory" and
/// "Warm-up") are those the local production recipe and the benchmarks run with: a figure measured without them would
/// not be production's.
/// </summary>
public class RuntimeSettingsTests
{
    [Theory]
    [InlineData("infra/scripts/local-production.sh")]
    [InlineData("infra/scripts/bench-pages.sh")]
    [InlineData("infra/scripts/bench-ab.sh")]
    public void The_recipe_and_the_benchmarks_run_with_the_images_runtime_settings(string script)
    {
        var root = ModelTests.RepositoryRoot();
        var dockerfile = File.ReadAllText(Path.Combine(root, "infra", "docker", "Dockerfile"));
        var settings = Regex.Matches(dockerfile, @"^ENV (MALLOC_\w+|DOTNET_TC_\w+|DOTNET_GC\w+|DOTNET_TieredPGO)=(\S+)$", RegexOptions.Multiline)
            .Select(m => $"{m.Groups[1].Value}={m.Groups[2].Value}").ToList();
        Assert.Contains("MALLOC_ARENA_MAX=1", settings);
        Assert.Contains("DOTNET_TC_CallCountingDelayMs=0", settings);
        Assert.Contains("DOTNET_TC_CallCountThreshold=0x800", settings);
        var text = File.ReadAllText(Path.Combine(root, script));
        Assert.All(settings, s => Assert.Contains(s, text));
    }
}
