using System.Data;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Sqlite.Storage.Internal;
using Microsoft.EntityFrameworkCore.Storage;
using SQLitePCL;

namespace SuccessPlans.Data;

// EF's SQLite connection service is public but marked internal API (EF1001): this class changes one thing in it, when
// the connection closes, and is covered by tests that fail if EF's behaviour under it changes (SqliteStatementsTests).
#pragma warning disable EF1001

/// <summary>
/// SQLite: each of the app's pooled contexts keeps its connection open from one request to the next, with the
/// statements it has prepared (<see cref="SqliteStatements"/>). EF closes a context's connection after every query and
/// when the context goes back to its pool, and closing finalizes every statement the connection prepared; here that
/// close is skipped, so EF finds the connection open at its next query and leaves it as it is. A context disposed for
/// good (its pool full, the app stopping) disposes its connection as before.
/// </summary>
/// <remarks>
/// A close is skipped only for a connection as it was opened: outside a transaction (EF rolls back its own before it
/// closes) and with no statement still running (a reader left undisposed holds a read transaction); any other closes.
/// At most <see cref="MaxKept"/> connections to a database stay open this way in a process (EF's pool holds up to 256
/// contexts, and an open connection holds its page cache); the others open and close per query as before.
/// </remarks>
public sealed class SqliteKeptConnection(RelationalConnectionDependencies dependencies, IRawSqlCommandBuilder rawSqlCommandBuilder,
    IDiagnosticsLogger<DbLoggerCategory.Infrastructure> logger) : SqliteRelationalConnection(dependencies, rawSqlCommandBuilder, logger)
{
    /// <summary>Connections to one database kept open in a process: about the requests a node serves at once, with room.</summary>
    public const int MaxKept = 64;

    // By connection string: a process with several databases (the tests' hosts) gives each its own allowance.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, StrongBox<int>> Kept = new(StringComparer.Ordinal);

    /// <summary>The app's contexts on SQLite: connections kept open, each with its statement cache.</summary>
    public static DbContextOptionsBuilder Use(DbContextOptionsBuilder options) =>
        options.AddInterceptors(new SqliteStatements()).ReplaceService<ISqliteRelationalConnection, SqliteKeptConnection>();

    /// <summary>Connections to the database kept open now (tests).</summary>
    public static int KeptCount(string connectionString) => Kept.TryGetValue(connectionString, out var n) ? Volatile.Read(ref n.Value) : 0;

    protected override void OpenDbConnection(bool errorsExpected)
    {
        base.OpenDbConnection(errorsExpected);
        Keep();
    }

    protected override async Task OpenDbConnectionAsync(bool errorsExpected, CancellationToken cancellationToken)
    {
        await base.OpenDbConnectionAsync(errorsExpected, cancellationToken);
        Keep();
    }

    protected override void CloseDbConnection()
    {
        if (!CanStayOpen()) base.CloseDbConnection();
    }

    protected override Task CloseDbConnectionAsync() => CanStayOpen() ? Task.CompletedTask : base.CloseDbConnectionAsync();

    private void Keep()
    {
        if (DbConnection is not SqliteConnection { Handle: not null } sqlite || SqliteStatements.CountOn(sqlite) >= 0) return;
        var kept = Kept.GetOrAdd(sqlite.ConnectionString, _ => new StrongBox<int>());
        if (Interlocked.Increment(ref kept.Value) > MaxKept)
        {
            Interlocked.Decrement(ref kept.Value);
            return;
        }
        SqliteStatements.Keep(sqlite, onClosed: () => Interlocked.Decrement(ref kept.Value));
    }

    // Open outside any transaction (autocommit), and holding none: a statement still stepping (a reader left undisposed)
    // holds a read or write transaction in autocommit mode too, which sqlite3_txn_state sees and sqlite3_get_autocommit does
    // not. txn_state asks SQLite itself; an earlier version walked the statements with SQLitePCL's sqlite3_next_stmt, whose
    // managed map of statements can miss one SQLite still has (one prepared before the map was on, or a statement finalized
    // by the GC's finalizer thread while another took its address), and threw KeyNotFoundException: 4 requests of 26,465
    // in issue 15's mixed load answered 500.
    private bool CanStayOpen() =>
        DbConnection is SqliteConnection { State: ConnectionState.Open, Handle: { } handle } sqlite && SqliteStatements.CountOn(sqlite) >= 0
        && raw.sqlite3_get_autocommit(handle) != 0 && SqliteNative.TransactionState(handle) == SqliteNative.NoTransaction;
}
