using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace SuccessPlans.Data;

/// <summary>
/// SQLite settings for a web app with background jobs: WAL lets readers go on while a job writes, a busy
/// timeout waits for a lock instead of failing, and a larger page cache keeps index updates in memory. secure_delete
/// overwrites deleted and replaced rows with zeros, so an erased child leaves no bytes behind (docs/retention.md).
/// </summary>
public sealed class SqlitePragmas : DbConnectionInterceptor
{
    private const string Pragmas = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000; PRAGMA cache_size=-65536; PRAGMA secure_delete=ON;";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
