using SuccessPlans.Features.Jobs;
using SuccessPlans.Features.Seeding;
using SuccessPlans.Csv;

namespace SuccessPlans.Web.Hosting;

public static class CoreHosting
{
    /// <summary>Database (Database:Provider), tenancy, outbox, importers; checks the settings that must be right to start.</summary>
    public static void AddSuccessPlansCore(this WebApplicationBuilder builder)
    {
        var contentRoot = builder.Environment.ContentRootPath;
        builder.Services.AddSuccessPlansCore(builder.Configuration, contentRoot);

        if (builder.Environment.IsProduction() && builder.Configuration.GetValue<bool>("Demo:Enabled"))
            throw new StartupException("Demo:Enabled is true in Production: demo users are never created in a production database; set Demo__Enabled=false.");
        // The health checks (database, outbox, nightly check) are in ObservabilityHosting.

    }

    /// <summary>Migrates (or checks) the database and, on an empty one with Demo:Enabled, seeds the demo community.</summary>
    public static async Task PrepareDatabaseAsync(this WebApplication app)
    {
        await DatabaseStartup.PrepareAsync(app.Services, app.Services.GetRequiredService<DatabaseSettings>());
        if (!app.Configuration.GetValue<bool>("Demo:Enabled"))
            return;

        var seedData = app.Configuration["Demo:SeedDataDirectory"] is { Length: > 0 } configured
            ? configured
            : DemoSeeder.FindSeedData(app.Environment.ContentRootPath) ?? DemoSeeder.FindSeedData(AppContext.BaseDirectory);
        if (seedData is null || !Directory.Exists(seedData))
            throw new StartupException("Demo:Enabled is true but seed-data/demo was not found: set Demo:SeedDataDirectory.");
        try
        {
            await app.Services.GetRequiredService<DemoSeeder>().SeedIfEmptyAsync(seedData);
        }
        catch (ImportFileException e)
        {
            throw new StartupException($"The demo seed data in {seedData} is malformed: {e.Message}", e);
        }
    }

    public static void PrintDemoLogins(this WebApplication app)
    {
        if (!app.Configuration.GetValue<bool>("Demo:Enabled"))
            return;
        Console.WriteLine("Demo logins (password for all: " + DemoSeeder.Password + "):");
        foreach (var login in DemoSeeder.Logins)
            Console.WriteLine($"  {login.Email,-26} {login.Role,-12} {login.What}");
        Console.WriteLine("The demo Admin and operator also need a code from an authenticator app: add the demo-only key " + DemoSeeder.AuthenticatorKey);
        Console.WriteLine("  (or run: oathtool --totp -b " + DemoSeeder.AuthenticatorKey + ")");
    }

    public static async Task StartJobsAsync(this WebApplication app) =>
        await app.Services.GetRequiredService<RecurringJobsRegistrar>().RegisterAllAsync();
}
