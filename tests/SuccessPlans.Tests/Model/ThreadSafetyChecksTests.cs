using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Configuration;
using SuccessPlans.Data;
using SuccessPlans.Tenancy;
using SuccessPlans.Tests.Infrastructure;

namespace SuccessPlans.Tests.Model;

/// <summary>
/// EF Core's check that no two operations share a context (<see cref="DatabaseSettings.ThreadSafetyChecks"/>): off unless
/// configured, as in production, where its cost is a copy of the request's async-local values for every row read
/// (issue 15); on in development and in every app this suite starts, so a query left unawaited fails a test.
/// </summary>
public class ThreadSafetyChecksTests : IAsyncLifetime
{
    private readonly AppFactory _app = new();
    private int _tenant;

    public async Task InitializeAsync() => _tenant = (await _app.CreateTenantAsync("thread-checks")).Id;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private static DatabaseSettings SettingsFrom(params (string Key, string Value)[] values) =>
        DatabaseSettings.From(new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => KeyValuePair.Create(v.Key, (string?)v.Value))).Build(),
            Path.GetTempPath());

    [Fact]
    public void They_are_off_unless_configured_for_either_database()
    {
        Assert.False(SettingsFrom().ThreadSafetyChecks);
        Assert.True(SettingsFrom(("Database:ThreadSafetyChecks", "true")).ThreadSafetyChecks);
        Assert.False(SettingsFrom(("Database:Provider", "SqlServer"), ("ConnectionStrings:SqlServer", "Server=db;Database=SuccessPlans")).ThreadSafetyChecks);
        Assert.True(SettingsFrom(("Database:Provider", "SqlServer"), ("ConnectionStrings:SqlServer", "Server=db;Database=SuccessPlans"),
            ("Database:ThreadSafetyChecks", "true")).ThreadSafetyChecks);

        foreach (var on in new[] { false, true })
        {
            var options = new DbContextOptionsBuilder<AppDbContext>();
            (SettingsFrom() with { ThreadSafetyChecks = on }).Configure(options);
            Assert.Equal(on, options.Options.FindExtension<CoreOptionsExtension>()!.ThreadSafetyChecksEnabled);
        }
    }

    [Fact]
    public async Task A_query_on_a_context_another_operation_holds_fails_in_the_suites_apps_and_runs_with_them_off()
    {
        // The suite's apps: a query from another flow while the context is in use is refused.
        await _app.InTenant(_tenant, async (_, db) =>
        {
            using (db.GetService<IConcurrencyDetector>().EnterCriticalSection())
            {
                var error = await OnAnotherFlow(() => db.Students.CountAsync());
                Assert.IsType<InvalidOperationException>(error);
            }
        });

        // The same with the checks off, as in production: nothing is checked.
        var file = Path.Combine(Path.GetTempPath(), $"successplans-threadchecks-{Guid.NewGuid():N}.db");
        try
        {
            var options = new DbContextOptionsBuilder<AppDbContext>();
            new DatabaseSettings(DatabaseProvider.Sqlite, $"Data Source={file};Pooling=false", false).Configure(options);
            var tenant = new CurrentTenant();
            tenant.Set(_tenant);
            await using var db = AppDbContext.Create(options.Options, tenant);
            await db.Database.EnsureCreatedAsync();
            using (db.GetService<IConcurrencyDetector>().EnterCriticalSection())
                Assert.Null(await OnAnotherFlow(() => db.Students.CountAsync()));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            foreach (var f in new[] { file, file + "-wal", file + "-shm" }) File.Delete(f);
        }
    }

    // Runs the query where the caller's async-local values do not flow (another request's thread), and gives its error.
    private static async Task<Exception?> OnAnotherFlow(Func<Task> query)
    {
        Task<Exception?> run;
        using (ExecutionContext.SuppressFlow())
            run = Task.Run(async () =>
            {
                try { await query(); return null; }
                catch (Exception e) { return e; }
            });
        return await run;
    }
}
