using Microsoft.EntityFrameworkCore;

namespace SuccessPlans.Data;

/// <summary>One SQLite connection open for a page's reads.</summary>
public static class ReadConnection
{
    /// <summary>
    /// Opens the context's connection for the rest of the request when the database is SQLite; the context closes it when
    /// the request ends. EF otherwise opens and closes the connection around every query, and each open of a pooled SQLite
    /// connection registers EF's SQL functions on it again (issue 15: about 0.1 ms a query). The student page does without
    /// it: side by side it served fewer requests with its connection held (it waits for its access-log entry's commit in between).
    /// On SQL Server EF keeps opening per query, so its retrying strategy can still reopen a broken connection.
    /// </summary>
    public static Task KeepOpenAsync(AppDbContext db, CancellationToken ct = default) =>
        db.Database.IsSqlite() ? db.Database.OpenConnectionAsync(ct) : Task.CompletedTask;
}
