using System.Data.Common;

namespace SuccessPlans.Data;

/// <summary>
/// A tenant's count of committed writes to the tables <see cref="TenantReadCache"/> keeps reads of. Every app process
/// moves it with each such write (<see cref="TenantReadCacheInvalidator"/>), so a process that keeps rows can tell with
/// one key lookup whether another process wrote since it read them (issue 15). Row <see cref="DataVersions.EveryTenant"/>
/// counts the writes whose tenant is not known (a job over every tenant).
/// </summary>
public sealed class DataVersion
{
    public int TenantId { get; set; }
    public long Version { get; set; }
}

/// <summary>Reading and moving <see cref="DataVersion"/>: one rule, used by the invalidator and the pages that keep rows.</summary>
public static class DataVersions
{
    /// <summary>The row moved by a write whose tenant is not known; it counts for every tenant.</summary>
    public const int EveryTenant = 0;

    /// <summary>
    /// The scope's tenant's version (its own row plus the every-tenant row), read before what is kept under it: a write
    /// committed after this read moves it, so what was read is never taken for newer than it is.
    /// </summary>
    public static Task<long> ReadAsync(AppDbContext db, CancellationToken ct) => Read(db, ct);

    // The tenant filter lets a tenant's scope see its own row and the every-tenant row (AppDbContext).
    private static readonly Func<AppDbContext, CancellationToken, Task<long>> Read =
        EF.CompileAsyncQuery((AppDbContext db, CancellationToken _) => db.DataVersions.Sum(v => v.Version));

    /// <summary>
    /// Moves the version of each tenant on <paramref name="connection"/>, inside <paramref name="transaction"/> when there
    /// is one (the move commits with the write). The connection must be open and free (no reader open on it). Runs
    /// synchronously unless <paramref name="async"/>, for the interceptors' synchronous paths.
    /// </summary>
    public static async Task MoveAsync(DbConnection connection, DbTransaction? transaction, IEnumerable<int> tenants, bool async, CancellationToken ct)
    {
        foreach (var tenant in tenants)
        {
            await using var command = MoveCommand(connection, transaction, tenant);
            if (async) await command.ExecuteNonQueryAsync(ct);
            else command.ExecuteNonQuery();
        }
    }

    // An upsert: a tenant's first write makes its row. SQL Server's is the update-or-insert under a key-range lock, in a
    // transaction of its own (nested in the writer's when there is one), so two first writes cannot both insert.
    public static string MoveSql(bool sqlServer) => sqlServer ? SqlServerMove : SqliteMove;

    private const string SqliteMove =
        """INSERT INTO "DataVersions" ("TenantId", "Version") VALUES (@tenant, 1) ON CONFLICT ("TenantId") DO UPDATE SET "Version" = "Version" + 1""";

    private const string SqlServerMove = """
        BEGIN TRANSACTION;
        UPDATE [DataVersions] WITH (UPDLOCK, HOLDLOCK) SET [Version] = [Version] + 1 WHERE [TenantId] = @tenant;
        IF @@ROWCOUNT = 0 INSERT INTO [DataVersions] ([TenantId], [Version]) VALUES (@tenant, 1);
        COMMIT TRANSACTION;
        """;

    private static DbCommand MoveCommand(DbConnection connection, DbTransaction? transaction, int tenant)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = MoveSql(sqlServer: connection is not Microsoft.Data.Sqlite.SqliteConnection);
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@tenant";
        parameter.Value = tenant;
        command.Parameters.Add(parameter);
        return command;
    }
}
