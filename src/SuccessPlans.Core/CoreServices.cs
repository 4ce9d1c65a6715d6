using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using SuccessPlans.Data;
using SuccessPlans.Features.Directory;
using SuccessPlans.Features.Jobs;
using SuccessPlans.Features.Notifications;
using SuccessPlans.Features.Roster;
using SuccessPlans.Features.Seeding;
using SuccessPlans.Tenancy;

namespace SuccessPlans;

/// <summary>Registers what the web host and the commands share: database, tenancy, outbox, jobs, importers.</summary>
public static class CoreServices
{
    public static DatabaseSettings AddSuccessPlansCore(this IServiceCollection services, IConfiguration config, string contentRoot)
    {
        var database = DatabaseSettings.From(config, contentRoot);
        if (database.Provider == DatabaseProvider.Sqlite) SqliteProcessSettings.EnsureApplied();
        services.AddSingleton(database);
        services.TryAddSingleton(TimeProvider.System);
        services.AddScoped<CurrentTenant>();
        services.AddMetrics();
        services.AddSingleton<SuccessPlans.Features.Observability.AppMetrics>();
        services.AddSingleton<SuccessPlans.Features.Observability.ReferralTransitionCounter>();
        // Issue 15: the settings every page reads, cached per tenant; a saved tenant row evicts its entry at once.
        services.AddMemoryCache();
        services.AddSingleton<SuccessPlans.Features.Tenants.TenantSettingsStore>();
        services.AddSingleton<SuccessPlans.Features.Tenants.TenantSettingsInvalidator>();
        services.AddScoped<SuccessPlans.Features.Tenants.TenantSettingsCache>();
        // The schools each user may see, read on every coordinator page: cached per user, a save touching schools or users evicts.
        services.AddSingleton<SuccessPlans.Features.Users.UserSchoolsStore>();
        services.AddSingleton<SuccessPlans.Features.Users.UserSchoolsInvalidator>();
        // The caseload's counts and the worklist's lists, per user's schools: any write to the tables they read evicts the tenant's.
        services.AddSingleton<SuccessPlans.Data.TenantReadCache>();
        services.AddSingleton<SuccessPlans.Data.TenantReadCacheInvalidator>();
        // SQLite: connections that stay open with the statements they prepared (issue 15: SQLite's parse and plan of each
        // query was a quarter of a page's CPU).
        services.AddPooledDbContextFactory<AppDbContext>((sp, o) =>
        {
            database.Configure(o);
            if (database.Provider == DatabaseProvider.Sqlite)
                SqliteKeptConnection.Use(o);
            o.AddInterceptors(sp.GetRequiredService<SuccessPlans.Features.Observability.ReferralTransitionCounter>(),
                sp.GetRequiredService<SuccessPlans.Features.Tenants.TenantSettingsInvalidator>(),
                sp.GetRequiredService<SuccessPlans.Features.Users.UserSchoolsInvalidator>(),
                sp.GetRequiredService<SuccessPlans.Data.TenantReadCacheInvalidator>());
        },
        // The options are built once (everything they use is a singleton), and the contexts come from EF's pool: a new
        // context per request built EF's internal services again each time (issue 15: 4-6% of a page's CPU). Each scope
        // still has its own context, leased to the scope's tenant, and returns it, reset, when the scope ends.
        poolSize: 256);
        services.AddScoped(sp => sp.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContext().LeasedTo(sp.GetRequiredService<CurrentTenant>()));

        services.AddOptions<EmailOptions>().Bind(config.GetSection(EmailOptions.Section)).PostConfigure(o =>
            o.PickupDirectory = Path.GetFullPath(Path.Combine(contentRoot, o.PickupDirectory)));
        services.AddSingleton<IMailTransport>(sp => sp.GetRequiredService<IOptions<EmailOptions>>().Value.Delivery == EmailDelivery.Smtp
            ? ActivatorUtilities.CreateInstance<SmtpMailTransport>(sp)
            : ActivatorUtilities.CreateInstance<PickupMailTransport>(sp));
        services.TryAddSingleton(PublicUrls.From(config, required: false));
        services.AddScoped<Outbox>();
        services.AddSingleton<OutboxDispatcher>();

        services.AddTenantJobs();
        services.AddScoped<OneRosterImporter>();
        services.AddScoped<SuccessPlans.Features.Indicators.IndicatorImporter>();
        services.AddScoped<SuccessPlans.Features.Schools.SchoolService>();
        services.AddScoped<SuccessPlans.Features.Indicators.IndicatorSummary>();
        services.AddScoped<HsdsImporter>();
        services.AddScoped<HsdsExporter>();
        services.AddScoped<SuccessPlans.Features.Plans.PlanService>();
        services.AddScoped<SuccessPlans.Features.Plans.GoalSeries>();
        services.AddScoped<SuccessPlans.Features.Cabinet.CabinetOutcomes>();
        services.AddScoped<SuccessPlans.Features.Referrals.ReferralService>();
        services.AddScoped<SuccessPlans.Features.Referrals.ServiceMatcher>();
        services.AddScoped<SuccessPlans.Features.Students.ConsentService>();
        services.AddScoped<SuccessPlans.Features.Cabinet.CabinetReport>();
        services.AddSingleton<SuccessPlans.Features.Cabinet.CabinetFiguresCache>();
        services.AddScoped<SuccessPlans.Features.Flags.FlagService>();
        services.AddScoped<SuccessPlans.Features.Users.UserScopeService>();
        services.AddScoped<SuccessPlans.Features.Accounts.TwoFactorService>();
        services.AddScoped<SuccessPlans.Features.Accounts.PasswordResetService>();
        services.AddScoped<SuccessPlans.Features.Directory.CapacityService>();
        services.AddScoped<SuccessPlans.Features.Students.CaseNoteService>();
        services.AddScoped<SuccessPlans.Features.Audit.AccessLog>();
        // A request's permit to work (the web host registers the WorkGate; elsewhere none is held).
        services.AddScoped<WorkPermit>();
        services.AddSingleton<SuccessPlans.Features.Audit.AccessLogStaging>();
        services.AddSingleton<SuccessPlans.Features.Audit.AccessLogWriter>();
        services.AddHostedService<SuccessPlans.Features.Audit.AccessLogDrain>();
        services.AddScoped<SuccessPlans.Features.Retention.StudentErasure>();
        services.AddScoped<SuccessPlans.Features.Retention.TenantErasure>();
        services.AddScoped<SuccessPlans.Features.Retention.TenantExport>();
        services.AddSingleton<SuccessPlans.Features.Referrals.ReferralUpdatesMailer>();
        services.AddSingleton<DemoSeeder>();
        return database;
    }
}
