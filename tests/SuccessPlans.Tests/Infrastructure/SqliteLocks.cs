using Microsoft.Data.Sqlite;

namespace SuccessPlans.Tests.Infrastructure;

/// <summary>What another process does to a SQLite file while the app runs: a long job's write lock, and the check of commits.</summary>
public static class SqliteLocks
{
    /// <summary>Another connection's write transaction on a database file (the app's, or the log's staging file), as a long job's would be.</summary>
    public static async Task<WriteLock> HoldWriteLockAsync(string file)
    {
        var connection = new SqliteConnection($"Data Source={file};Pooling=False");
        await connection.OpenAsync();
        await using var begin = connection.CreateCommand();
        begin.CommandText = "BEGIN IMMEDIATE";
        await begin.ExecuteNonQueryAsync();
        return new WriteLock(connection);
    }

    /// <summary>PRAGMA data_version: another connection's commit to the database changes it (SQLite's page-cache check).</summary>
    public static async Task<long> DataVersionAsync(SqliteConnection connection)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA data_version";
        return (long)(await command.ExecuteScalarAsync())!;
    }
}

/// <summary>A write transaction held open; released (committed) once, on <see cref="ReleaseAsync"/> or disposal.</summary>
public sealed class WriteLock(SqliteConnection connection) : IAsyncDisposable
{
    /// <summary>The connection holding the lock: what it writes is committed on release.</summary>
    public SqliteConnection Connection => connection;

    public async Task ReleaseAsync()
    {
        if (connection.State != System.Data.ConnectionState.Open) return;
        await using var commit = connection.CreateCommand();
        commit.CommandText = "COMMIT";
        await commit.ExecuteNonQueryAsync();
        await connection.CloseAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await ReleaseAsync();
        await connection.DisposeAsync();
    }
}
