using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace SuccessPlans.Data;

/// <summary>Brings the database to the current model at start, or says in one line why it cannot.</summary>
public static class DatabaseStartup
{
    public static async Task PrepareAsync(IServiceProvider services, DatabaseSettings settings, CancellationToken ct = default)
    {
        settings.EnsureDataDirectory();
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var where = settings.Provider == DatabaseProvider.SqlServer ? "ConnectionStrings:SqlServer" : "ConnectionStrings:Sqlite";

        try
        {
            if (!await db.Database.CanConnectAsync(ct) && settings.Provider == DatabaseProvider.SqlServer)
                throw new StartupException($"Cannot reach the SQL Server database: check {where} and that the server is running.");

            if (settings.MigrateOnStart)
                await db.Database.MigrateAsync(ct);
            else if ((await db.Database.GetPendingMigrationsAsync(ct)).ToList() is { Count: > 0 } pending)
                throw new StartupException($"The database has {pending.Count} pending migration(s): apply infra/sql/successplans-sqlserver.sql (see README) or set Database:MigrateOnStart=true.");
            if (settings.Provider == DatabaseProvider.Sqlite)
            {
                await SqliteStatistics.WriteAsync(db, ct);
                // SQLite's side of the access log's staging file (Features/Audit/AccessLogStaging.cs): not in the model,
                // which SQL Server shares and where no staging file is used.
                await db.Database.ExecuteSqlRawAsync(SuccessPlans.Features.Audit.AccessLogStaging.MarksSchema, ct);
            }
        }
        catch (StartupException) { throw; }
        catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException or TimeoutException)
        {
            throw new StartupException($"Cannot open the {settings.Provider} database ({FirstLine(e)}): check {where}.", e);
        }
    }

    private static string FirstLine(Exception e)
    {
        while (e.InnerException is not null && e is InvalidOperationException) e = e.InnerException;
        return e.Message.Split('\n')[0].Trim();
    }
}
