using System.Data;
using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace SuccessPlans.Data;

/// <summary>
/// SQLite: each pooled context keeps its connection open and the statements it has prepared, so a query SQLite has
/// compiled once on that connection is not parsed and planned again at every request.
/// </summary>
/// <remarks>
/// Why: measured on the student page (issue 15, perf with DWARF stacks, 2026-12-04), SQLite's sqlite3_prepare took 27% of
/// the page's CPU and running the statements 9%: Microsoft.Data.Sqlite prepares a command's SQL again for every new
/// command, and EF makes a new command for every query (dotnet/efcore#14044, open). A prepared statement belongs to one
/// native connection, and Microsoft.Data.Sqlite finalizes a connection's statements when it closes, which EF does after
/// every query; so the app's contexts keep their connections open (<see cref="SqliteKeptConnection"/>), and this
/// interceptor runs each query with the connection's own prepared command of the same SQL, rebinding the query's
/// parameters. What a command carries from one use to the next is its SQL only: the parameters are those of the query
/// being run, and a statement is reset when its reader closes. A connection EF opens and closes per query (a context
/// outside the app's services: tests, tools, design time) has no cache: its queries run as EF made them.
/// </remarks>
public sealed class SqliteStatements : DbCommandInterceptor
{
    /// <summary>Prepared statements kept per connection; the least recently used goes first.</summary>
    public const int PerConnection = 128;

    // The connections kept open, each with its statements; an entry goes when its connection closes.
    private static readonly ConditionalWeakTable<SqliteConnection, Statements> Kept = new();

    /// <summary>
    /// Gives an open connection its statement cache (<see cref="SqliteKeptConnection"/>, when it keeps one open). The
    /// statements go when the connection closes, and then <paramref name="onClosed"/> runs.
    /// </summary>
    internal static void Keep(SqliteConnection connection, Action onClosed)
    {
        var statements = new Statements(connection);
        Kept.Add(connection, statements);
        StateChangeEventHandler? closed = null;
        closed = (_, e) =>
        {
            if (e.CurrentState != ConnectionState.Closed) return;
            connection.StateChange -= closed;
            Kept.Remove(connection);
            statements.Clear();
            onClosed();
        };
        connection.StateChange += closed;
    }

    /// <summary>How many statements the connection keeps now (tests); -1 when it is not kept open.</summary>
    public static int CountOn(DbConnection connection) =>
        connection is SqliteConnection c && Kept.TryGetValue(c, out var s) ? s.Count : -1;

    public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result) =>
        !result.HasResult && Run(command) is { } reader ? InterceptionResult<DbDataReader>.SuppressWithResult(reader) : result;

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default) =>
        // Microsoft.Data.Sqlite runs every command synchronously; its async methods only wrap the result.
        ValueTask.FromResult(ReaderExecuting(command, eventData, result));

    // A command EF reports failed after this interceptor ran it (a later interceptor threw, or EF itself did before it took
    // the reader): EF never disposes that reader, so it is closed here, or its statement would stay in progress and the
    // connection's next savepoint or commit would fail ("SQL statements in progress").
    public override void CommandFailed(DbCommand command, CommandErrorEventData eventData) => Abandoned(command);

    public override Task CommandFailedAsync(DbCommand command, CommandErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Abandoned(command);
        return Task.CompletedTask;
    }

    private static void Abandoned(DbCommand command)
    {
        if (command is SqliteCommand { Connection: { } connection } && Kept.TryGetValue(connection, out var statements))
            statements.CloseReaderOf(command.CommandText);
    }

    private static SqliteDataReader? Run(DbCommand command) =>
        command is SqliteCommand { Connection: { } connection } sqlite && Kept.TryGetValue(connection, out var statements)
            ? statements.Run(sqlite) : null;

    /// <summary>One connection's prepared commands by SQL, least recently used last. Used by one context at a time.</summary>
    private sealed class Statements(SqliteConnection connection)
    {
        private sealed record Entry(string Sql, SqliteCommand Command)
        {
            public SqliteDataReader? Reader { get; set; }
            public bool Reading => Reader is { IsClosed: false };
        }

        private readonly Dictionary<string, LinkedListNode<Entry>> bySql = new(StringComparer.Ordinal);
        private readonly LinkedList<Entry> recent = new();

        public int Count => bySql.Count;

        public SqliteDataReader? Run(SqliteCommand command)
        {
            if (!bySql.TryGetValue(command.CommandText, out var node))
            {
                var prepared = new SqliteCommand(command.CommandText, connection) { Transaction = command.Transaction as SqliteTransaction };
                try
                {
                    // Prepared here, in full: a command that only ran would prepare again at its next run, as Microsoft.Data.Sqlite
                    // marks it prepared only once its reader has gone through every statement of its SQL.
                    prepared.Prepare();
                }
                catch (SqliteException)
                {
                    // SQL whose later statements need the earlier ones to have run first (a table they create): as EF made it.
                    prepared.Dispose();
                    return null;
                }
                node = recent.AddFirst(new Entry(command.CommandText, prepared));
                bySql.Add(node.Value.Sql, node);
                Trim();
            }
            else if (node.Value.Reading)
            {
                // The same SQL still being read by an earlier query on this connection: this one runs on its own command.
                return null;
            }
            else
            {
                recent.Remove(node);
                recent.AddFirst(node);
            }
            var entry = node.Value;
            var cached = entry.Command;
            cached.Parameters.Clear();
            foreach (SqliteParameter p in command.Parameters) cached.Parameters.Add(p);
            cached.Transaction = command.Transaction as SqliteTransaction;
            cached.CommandTimeout = command.CommandTimeout;
            try
            {
                return entry.Reader = cached.ExecuteReader();
            }
            catch
            {
                // A statement that failed (a constraint, a lock waited out) is not run again: it goes, finalized, with its state.
                recent.Remove(node);
                bySql.Remove(entry.Sql);
                cached.Dispose();
                throw;
            }
        }

        public void CloseReaderOf(string sql)
        {
            if (bySql.TryGetValue(sql, out var node) && node.Value.Reader is { IsClosed: false } reader) reader.Dispose();
        }

        private void Trim()
        {
            for (var node = recent.Last; bySql.Count > PerConnection && node is not null;)
            {
                var previous = node.Previous;
                if (!node.Value.Reading)
                {
                    recent.Remove(node);
                    bySql.Remove(node.Value.Sql);
                    node.Value.Command.Dispose();
                }
                node = previous;
            }
        }

        public void Clear()
        {
            foreach (var entry in recent) entry.Command.Dispose();
            recent.Clear();
            bySql.Clear();
        }
    }
}
