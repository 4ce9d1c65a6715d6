using SuccessPlans.Data;
using SuccessPlans.Web.Hosting;

// SuccessPlans: one host for the Razor Pages UI, the /api/v1 endpoints, Identity and the Hangfire dashboard.
// Each AddX/UseX lives next to the feature it configures (Hosting/ and Features/).
if (args is ["benchmark", ..])
    return await Benchmarks.RunAsync(args);
// The container's health probe (the image has no curl): 0 when the address answers 2xx, 1 otherwise.
if (args is ["probe", var probeUrl])
    return await ObservabilityHosting.ProbeAsync(probeUrl);

var builder = WebApplication.CreateBuilder(args);
try
{
    builder.AddSuccessPlansCore();
    builder.AddObservability();
    builder.AddProductionHosting();
    builder.AddIdentityAndSecurity();
    builder.AddJobs();
    builder.AddWebFeatures();
    builder.AddBadInputHandling();

    var app = builder.Build();
    app.UseForwardedHeadersFromKnownProxies();
    app.UseDemoPreparation();
    app.UseSuccessPlansPipeline();
    app.MapSuccessPlansEndpoints();

    await app.PrepareDatabaseAsync();
    if (Commands.IsCommand(args))
        return await Commands.RunAsync(app, args);

    var demo = app.Services.GetRequiredService<DemoPreparation>();
    await app.StartAfterDemoAsync();
    app.PrintDemoLogins();
    await app.RunAsync();
    return demo.Failed ? 1 : 0;
}
catch (StartupException e)
{
    // One clear line saying what to set, not a stack trace.
    Console.Error.WriteLine($"SuccessPlans cannot start: {e.Message}");
    return 1;
}

/// <summary>Visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
