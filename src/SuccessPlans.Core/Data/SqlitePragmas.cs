using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace SuccessPlans.Data;

/// <summary>
/// SQLite settings for a web app with background jobs: WAL lets readers go on while a job writes, a busy
/// timeout waits for a lock instead of failing, and a page cache per connection of <see cref="CacheKiB"/>. secure_delete
/// overwrites deleted and replaced rows with zeros, so an erased child leaves no bytes behind (docs/retention.md).
/// </summary>
/// <remarks>
/// The settings belong to the native connection, which Microsoft.Data.Sqlite's pool keeps open between uses, so they
/// are sent once per native connection, not at every open: EF opens the connection once per query, and sending the
/// five statements each time was a measurable part of a page's cost (issue 15).
/// The page cache is per connection and the pool keeps every connection it ever opened, with its cache: 1 MB each, not
/// 64 MB, which held 200 MB more after issue 15's mixed load for no measurable gain in the roster import (infra/RUNBOOK.md,
/// "Memory"); the OS caches the file for every connection at once. Not 2 MB since the access log's commits no longer
/// empty every cache (AccessLogStaging): full caches held 287-316 MB after the mixed load, 1 MB ones 292-300 MB, at the
/// same CPU a request on the district's pages (issue 15, 2026-12-06).
/// The busy timeout is long because the nightly check's writes on a loaded machine held the write lock for more than
/// 10 s, and a page's access-log entry waiting behind them failed with "database is locked" (infra/RUNBOOK.md).
/// No mmap_size: reading pages through a memory map made the student page 4.6 ms of CPU a request against 2.6 ms
/// (issue 15, 2026-12-05, side by side, on a database the access log writes to at every view).
/// The query planner's stability guarantee (QPSG) is on: left off, SQLite's planner reads the value bound to a LIKE's
/// pattern or a LIMIT, and then marks the statement to be prepared again each time that parameter is bound again, so every
/// search and every paged list was parsed and planned at every run although <see cref="SqliteStatements"/> kept it
/// prepared. With it on, a statement is planned once, whatever its values. No plan here needs a pattern's value (a
/// case-insensitive LIKE over a name in BINARY collation can use no index); a LIMIT's value the planner does need, so
/// <see cref="SqliteLimits"/> writes it into the SQL. Side by side (issue 15, 2026-12-05): the caseload 1.07-1.33 ms of
/// CPU a request against 1.52-1.83 ms, Find a service 1.32-1.45 ms against 1.85-1.90 ms.
/// </remarks>
public sealed class SqlitePragmas(int cacheKiB = SqlitePragmas.DefaultCacheKiB) : DbConnectionInterceptor
{
    /// <summary>The page cache of each pooled connection, KiB (Database:SqliteCacheKiB); SQLite's own default is 2,000.</summary>
    public const int DefaultCacheKiB = 1024;
    public const int BusyTimeoutMilliseconds = 30_000;

    public int CacheKiB { get; } = cacheKiB > 0 ? cacheKiB : DefaultCacheKiB;

    internal string Pragmas => $"PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout={BusyTimeoutMilliseconds}; PRAGMA cache_size=-{CacheKiB}; PRAGMA secure_delete=ON;";

    // Native connections that already have the settings; an entry goes when the pool closes its connection.
    private static readonly ConditionalWeakTable<object, object> Prepared = new();
    private static readonly object Done = new();

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        if (!NeedsPragmas(connection, out var handle)) return;
        using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        command.ExecuteNonQuery();
        PlanOnce(connection);
        Remember(handle);
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        if (!NeedsPragmas(connection, out var handle)) return;
        await using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        await command.ExecuteNonQueryAsync(cancellationToken);
        PlanOnce(connection);
        Remember(handle);
    }

    /// <summary>SQLITE_DBCONFIG_ENABLE_QPSG (sqlite3.h): the planner ignores bound values, so a statement is planned once.</summary>
    private const int EnableQueryPlannerStability = 1007;

    private static void PlanOnce(DbConnection connection)
    {
        if (connection is not SqliteConnection { Handle: { } handle }) return;
        var rc = SQLitePCL.raw.sqlite3_db_config(handle, EnableQueryPlannerStability, 1, out var on);
        if (rc != SQLitePCL.raw.SQLITE_OK || on != 1)
            throw new InvalidOperationException($"SQLite refused its query planner stability guarantee (result {rc}).");
    }

    private static bool NeedsPragmas(DbConnection connection, out object? handle)
    {
        handle = (connection as SqliteConnection)?.Handle;
        return handle is null || !Prepared.TryGetValue(handle, out _);
    }

    private static void Remember(object? handle)
    {
        if (handle is not null) Prepared.AddOrUpdate(handle, Done);
    }
}
