using Hangfire;
using Hangfire.Dashboard;
using Hangfire.InMemory;
using Hangfire.SqlServer;
using SuccessPlans.Features.Notifications;
using SuccessPlans.Features.Users;

namespace SuccessPlans.Web.Hosting;

public static class JobsHosting
{
    /// <summary>Hangfire: SQL Server storage on SQL Server, in-memory storage on SQLite (no SQLite storage is served here).</summary>
    public static void AddJobs(this WebApplicationBuilder builder)
    {
        var config = builder.Configuration;
        var onSqlServer = string.Equals(config["Database:Provider"], nameof(DatabaseProvider.SqlServer), StringComparison.OrdinalIgnoreCase);
        builder.Services.AddHangfire(c =>
        {
            c.SetDataCompatibilityLevel(CompatibilityLevel.Version_180).UseSimpleAssemblyNameTypeSerializer().UseRecommendedSerializerSettings()
                // Jobs write dates into emails: the same culture as requests, not the server's.
                .UseDefaultCulture(new System.Globalization.CultureInfo("en-US"));
            if (onSqlServer)
                c.UseSqlServerStorage(config.GetConnectionString("SqlServer"), SqlServerStorage(config));
            else
                c.UseInMemoryStorage(new InMemoryStorageOptions { MaxExpirationTime = TimeSpan.FromDays(7) });
        });
        // Tests and the commands run jobs by calling them; only the real server processes the queue.
        if (config.GetValue("Jobs:RunServer", true))
        {
            // The scheduler looks for due jobs this often: at least as often as the outbox is sent (Email:SendEvery).
            var sendEvery = config.GetValue($"{EmailOptions.Section}:{nameof(EmailOptions.SendEvery)}", TimeSpan.FromMinutes(1));
            builder.Services.AddHangfireServer(o =>
            {
                o.WorkerCount = config.GetValue("Jobs:WorkerCount", 2);
                o.SchedulePollingInterval = sendEvery < TimeSpan.FromSeconds(15) ? sendEvery : TimeSpan.FromSeconds(15);
            });
        }
    }

    /// <summary>
    /// Hangfire's own schema ("hangfire"): created at start only with Jobs:PrepareSchemaIfNecessary (the default, for
    /// staging); production turns it off and applies infra/sql/hangfire-sqlserver.sql, so the app needs no DDL rights.
    /// </summary>
    internal static SqlServerStorageOptions SqlServerStorage(IConfiguration config) =>
        new()
        {
            PrepareSchemaIfNecessary = config.GetValue("Jobs:PrepareSchemaIfNecessary", true), SchemaName = HangfireSchema,
            // A job whose node died goes back to the queue after this (infra/RUNBOOK.md, "A node dies").
            SlidingInvisibilityTimeout = config.GetValue("Jobs:SlidingInvisibilityTimeout", TimeSpan.FromMinutes(5)),
        };

    public const string HangfireSchema = "hangfire";

    /// <summary>The dashboard shows every tenant's jobs, so only the platform operator may open it.</summary>
    public static void MapJobsDashboard(this WebApplication app) =>
        app.MapHangfireDashboard("/hangfire", new DashboardOptions
            {
                Authorization = [new OperatorOnlyFilter()],
                AppPath = "/",
                DashboardTitle = "SuccessPlans jobs (all tenants)",
            })
            .RequireAuthorization(Roles.Operator);

    private sealed class OperatorOnlyFilter : IDashboardAuthorizationFilter
    {
        public bool Authorize(DashboardContext context) => context.GetHttpContext().User.IsInRole(Roles.Operator);
    }
}
