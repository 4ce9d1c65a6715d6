using SuccessPlans.Data;

namespace SuccessPlans.Features.Retention;

/// <summary>
/// After an erasure on SQLite: secure_delete (SqlitePragmas) has zeroed the freed bytes in the pages written; a
/// checkpoint copies those pages into the database file and truncates the write-ahead log, whose older frames
/// still hold the erased rows. On SQL Server nothing is needed here (see docs/retention.md).
/// </summary>
public static class SqliteDisposal
{
    public static async Task FlushAsync(AppDbContext db, CancellationToken ct)
    {
        if (!db.Database.IsSqlite()) return;
        // Best effort: a reader still open elsewhere keeps the log until it is done; the next checkpoint then clears it.
        await db.Database.ExecuteSqlRawAsync("PRAGMA wal_checkpoint(TRUNCATE);", ct);
    }
}
