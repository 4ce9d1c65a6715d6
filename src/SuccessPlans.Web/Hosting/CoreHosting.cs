using SuccessPlans.Features.Jobs;
using SuccessPlans.Features.Seeding;

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

    /// <summary>Migrates (or checks) the database. The demo is seeded once the app listens (DemoPreparation).</summary>
    public static async Task PrepareDatabaseAsync(this WebApplication app) =>
        await DatabaseStartup.PrepareAsync(app.Services, app.Services.GetRequiredService<DatabaseSettings>());

    /// <summary>The demo's seed data folder when Demo:Enabled, checked before the app starts; null without the demo.</summary>
    public static string? DemoSeedData(WebApplication app)
    {
        if (!app.Configuration.GetValue<bool>("Demo:Enabled"))
            return null;
        var seedData = app.Configuration["Demo:SeedDataDirectory"] is { Length: > 0 } configured
            ? configured
            : DemoSeeder.FindSeedData(app.Environment.ContentRootPath) ?? DemoSeeder.FindSeedData(AppContext.BaseDirectory);
        if (seedData is null || !Directory.Exists(seedData))
            throw new StartupException("Demo:Enabled is true but seed-data/demo was not found: set Demo:SeedDataDirectory.");
        return seedData;
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
        Console.WriteLine("The app answers at once; the first time, it shows \"Preparing the demo\" for about half a minute while it seeds.");
    }

    public static async Task StartJobsAsync(this WebApplication app) =>
        await app.Services.GetRequiredService<RecurringJobsRegistrar>().RegisterAllAsync();
}
