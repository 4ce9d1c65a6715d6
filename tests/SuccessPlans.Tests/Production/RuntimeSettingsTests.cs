using System.Text.Json;
using Microsoft.Extensions.Configuration;
using System.Text.RegularExpressions;
using SuccessPlans.Tests.Model;

namespace SuccessPlans.Tests.Production;

/// <summary>
/// The runtime's settings production runs with (infra/RUNBOOK.md, "Memory" and "Warm-up"): Server GC and the JIT's
/// tiering are in the app's own runtimeconfig, so every way of running it has them; glibc's malloc arenas can only be an
/// environment variable, which the image sets and the local production recipe and the benchmarks repeat: a figure
/// measured without them would not be production's.
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
        var text = File.ReadAllText(Path.Combine(root, script));
        Assert.All(settings, s => Assert.Contains(s, text));
    }

    [Fact]
    public void The_apps_runtimeconfig_has_server_GC_and_the_JITs_warm_up_settings()
    {
        // The build copies the web app's runtimeconfig beside the tests: the file `dotnet SuccessPlans.Web.dll` reads.
        var file = Path.Combine(AppContext.BaseDirectory, "SuccessPlans.Web.runtimeconfig.json");
        using var json = JsonDocument.Parse(File.ReadAllText(file));
        var properties = json.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");
        Assert.True(properties.GetProperty("System.GC.Server").GetBoolean());
        // The runtime reads these as numbers in any JSON form (wcstoul, base 0): 0 and 2048, not hex.
        Assert.Equal("0", properties.GetProperty("System.Runtime.TieredCompilation.CallCountingDelayMs").ToString());
        Assert.Equal("2048", properties.GetProperty("System.Runtime.TieredCompilation.CallCountThreshold").ToString());
    }

    [Fact]
    public void The_native_heap_is_trimmed_through_glibc_and_a_wrong_interval_stops_the_start()
    {
        // The call resolves on this Debian machine as on the image (glibc's libc.so.6): a wrong library or entry point
        // would leave the trim off without a word in production.
        Assert.True(SuccessPlans.Web.Hosting.NativeHeapTrim.TryTrim(out var took), "malloc_trim was not found in libc.so.6");
        Assert.True(took < TimeSpan.FromSeconds(5), $"one trim took {took}");

        IConfiguration Config(string? value) => new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [SuccessPlans.Web.Hosting.NativeHeapTrim.IntervalKey] = value }).Build();
        Assert.Equal(SuccessPlans.Web.Hosting.NativeHeapTrim.DefaultInterval, SuccessPlans.Web.Hosting.NativeHeapTrim.IntervalFrom(Config(null)));
        Assert.Equal(TimeSpan.FromSeconds(30), SuccessPlans.Web.Hosting.NativeHeapTrim.IntervalFrom(Config("00:00:30")));
        Assert.Equal(TimeSpan.Zero, SuccessPlans.Web.Hosting.NativeHeapTrim.IntervalFrom(Config("0")));
        var wrong = Assert.Throws<SuccessPlans.Data.StartupException>(() => SuccessPlans.Web.Hosting.NativeHeapTrim.IntervalFrom(Config("ten seconds")));
        Assert.Contains("Memory:NativeHeapTrimInterval", wrong.Message);
    }

    [Fact]
    public async Task The_app_runs_the_native_heap_trim()
    {
        await using var app = new SuccessPlans.Tests.Infrastructure.AppFactory();
        Assert.Contains(app.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>(), s => s is SuccessPlans.Web.Hosting.NativeHeapTrim);
    }
}
