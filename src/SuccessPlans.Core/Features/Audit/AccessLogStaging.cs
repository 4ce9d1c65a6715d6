using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using SuccessPlans.Data;

namespace SuccessPlans.Features.Audit;

/// <summary>
/// SQLite only: the views' access log entries are committed to a file of their own next to the database
/// (<c>successplans.accesslog.db</c> beside <c>successplans.db</c>), then moved into AccessLogEntries about once a second,
/// and always before the log is read (<see cref="FlushAsync"/>). The log itself stays one table in the database, with
/// its tenant's foreign key, its append-only trigger and its indexes; the staging file only holds what is on its way.
/// </summary>
/// <remarks>
/// Why (issue 15): in WAL mode every commit to the database makes every other connection drop its whole page cache at
/// its next read. Views committed their entries up to 200 times a second, so every page of every user read its pages
/// again from the operating system: on the student page, which logs each view, that was about a third of what its log
/// cost. A commit to the staging file drops only the staging file's cache, which no page reads. It also no longer waits
/// for the database's write lock: a view is not held up while the nightly check or an import writes.
///
/// Exactly once: a move copies the staged rows above the mark into AccessLogEntries and raises the mark (a row of
/// AccessLogStagingMarks in the database, keyed by the staging file's identity) in one transaction of the database; only
/// then does it delete the rows up to the mark from the staging file. A stop between the two leaves rows that the next
/// move skips and deletes. A new staging file (deleted, restored from elsewhere) has a new identity, so an old mark
/// never hides its rows. Two processes on one database share the staging file, and their moves take turns on the
/// database's write lock, each reading the mark inside it.
///
/// Entries of a tenant erased meanwhile are dropped by the move, as the erasure deleted the tenant's log. Durability is
/// the database's: WAL with synchronous=NORMAL in both files; the move's own commit is synchronous=FULL, so a power cut
/// cannot keep the staging file's delete and lose the rows it moved.
///
/// SQL Server has no per-connection page cache to drop: there the writer inserts into AccessLogEntries directly.
/// </remarks>
public sealed class AccessLogStaging : IDisposable
{
    /// <summary>How often staged entries are moved when views keep coming (a read of the log moves them at once).</summary>
    public static readonly TimeSpan DefaultMoveInterval = TimeSpan.FromSeconds(1);

    private const string Table = "\"StagedAccessLogEntries\"";
    private const string Columns = AccessLog.Columns;

    /// <summary>
    /// The staging file's schema (<paramref name="schema"/>: "main." on the writer's connection, "staging." on the
    /// mover's, whichever opens the file first): its identity, made once at random, and the entries. AUTOINCREMENT, so
    /// that a sequence number is never given twice in one file.
    /// </summary>
    private static string Schema(string schema) =>
        $"CREATE TABLE IF NOT EXISTS {schema}\"StagingFile\" (\"Id\" INTEGER NOT NULL PRIMARY KEY CHECK (\"Id\" = 1), \"FileId\" TEXT NOT NULL);"
        + $"INSERT OR IGNORE INTO {schema}\"StagingFile\" VALUES (1, lower(hex(randomblob(16))));"
        + $"CREATE TABLE IF NOT EXISTS {schema}{Table} (\"Seq\" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, \"TenantId\" INTEGER NOT NULL, "
        + "\"At\" TEXT NOT NULL, \"UserId\" INTEGER NULL, \"ActorName\" TEXT NOT NULL, \"Role\" TEXT NOT NULL, \"OrganizationId\" INTEGER NULL, "
        + "\"Action\" TEXT NOT NULL, \"StudentId\" INTEGER NULL, \"PlanId\" INTEGER NULL, \"ReferralId\" INTEGER NULL, \"Path\" TEXT NULL, \"IpAddress\" TEXT NULL);";

    /// <summary>The database's side: the mark of each staging file, raised with the rows it moved.</summary>
    public const string MarksSchema =
        "CREATE TABLE IF NOT EXISTS \"AccessLogStagingMarks\" (\"FileId\" TEXT NOT NULL PRIMARY KEY, \"Seq\" INTEGER NOT NULL);";

    private readonly ILogger<AccessLogStaging> _logger;
    private readonly SemaphoreSlim _moving = new(1, 1);
    private readonly Lock _start = new();
    private readonly string _connectionString;
    private SqliteConnection? _writer;
    private SqliteConnection? _mover;
    private SqliteCommand? _insert;
    private Task? _loop;
    private readonly CancellationTokenSource _stop = new();
    // Set when rows were staged since the last move; the loop sleeps while it is not.
    private readonly SemaphoreSlim _staged = new(0, 1);

    public AccessLogStaging(DatabaseSettings database, ILogger<AccessLogStaging> logger)
    {
        _logger = logger;
        FilePath = PathFor(database);
        _connectionString = database.ConnectionString;
    }

    /// <summary>The staging file, or null when there is none (SQL Server; an in-memory SQLite database).</summary>
    public string? FilePath { get; }

    public bool Enabled => FilePath is not null;

    private long _commits;

    /// <summary>The staging file's commits by this process so far (one a batch of views).</summary>
    public long Commits => Interlocked.Read(ref _commits);

    /// <summary>How often the loop moves what was staged; tests set a long one to look at the staging file between moves.</summary>
    public TimeSpan MoveInterval { get; set; } = DefaultMoveInterval;

    /// <summary><c>name.accesslog.db</c> beside the SQLite database file <c>name.db</c>.</summary>
    public static string? PathFor(DatabaseSettings database)
    {
        if (database.Provider != DatabaseProvider.Sqlite) return null;
        var cs = new SqliteConnectionStringBuilder(database.ConnectionString);
        if (cs.Mode == SqliteOpenMode.Memory || string.IsNullOrEmpty(cs.DataSource) || cs.DataSource == ":memory:") return null;
        var full = Path.GetFullPath(cs.DataSource);
        return Path.Combine(Path.GetDirectoryName(full)!, Path.GetFileNameWithoutExtension(full) + ".accesslog.db");
    }

    /// <summary>
    /// Commits the rows to the staging file in one transaction. Called by <see cref="AccessLogWriter"/>'s single loop only,
    /// on the connection it keeps (and its one prepared INSERT).
    /// </summary>
    public void Stage(IReadOnlyList<(int TenantId, AccessLogEntry Entry)> rows)
    {
        var insert = _insert ?? OpenWriter();
        try
        {
            using var transaction = _writer!.BeginTransaction(deferred: false);
            insert.Transaction = transaction;
            foreach (var (tenantId, e) in rows)
            {
                // The values as the database's own INSERT sends them (AccessLog.RowOf), so a moved row is stored alike.
                var values = AccessLog.RowOf(tenantId, e);
                for (var i = 0; i < values.Length; i++)
                    insert.Parameters[i].Value = values[i].Value ?? DBNull.Value;
                insert.ExecuteNonQuery();
            }
            transaction.Commit();
            Interlocked.Increment(ref _commits);
        }
        catch
        {
            // A connection in an unknown state is not reused: the next batch opens a new one.
            CloseWriter();
            throw;
        }
        SignalStaged();
        EnsureLoop();
    }

    private SqliteCommand OpenWriter()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = FilePath, Pooling = false }.ToString());
        connection.Open();
        using (var setup = connection.CreateCommand())
        {
            setup.CommandText = Settings + Schema("main.");
            setup.ExecuteNonQuery();
        }
        var insert = connection.CreateCommand();
        insert.CommandText = $"INSERT INTO {Table} ({Columns}) VALUES ($t, $at, $u, $n, $r, $o, $a, $s, $p, $f, $path, $ip)";
        foreach (var name in new[] { "$t", "$at", "$u", "$n", "$r", "$o", "$a", "$s", "$p", "$f", "$path", "$ip" })
            insert.Parameters.Add(new SqliteParameter { ParameterName = name });
        insert.Prepare();
        (_writer, _insert) = (connection, insert);
        return insert;
    }

    /// <summary>
    /// The database's own settings (SqlitePragmas), but for the page cache (the staging file is written, never searched)
    /// and for checkpoints: the writer never checkpoints (wal_autocheckpoint=0); each move does (<see cref="CheckpointAsync"/>).
    /// </summary>
    /// <remarks>
    /// Why (issue 15): SQLite's automatic checkpoint runs inside the commit that takes the log past 1,000 pages, and
    /// again in each commit after while a move's read keeps it from finishing; a checkpoint waits for the disk twice
    /// (fsync of the log, then of the file). On the writer such a commit is a batch of views, and every view arriving
    /// meanwhile waits behind it: when the disk was busy (the database's own checkpoint, a neighbour) one commit took
    /// 121-253 ms and held every student page of the node at once, the p99 of its 5 s at 90-238 ms (2026-12-07). A
    /// commit in WAL mode with synchronous=NORMAL does not wait for the disk, so the views' commits now never do.
    /// </remarks>
    private static string Settings => $"PRAGMA busy_timeout={SqlitePragmas.BusyTimeoutMilliseconds}; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA secure_delete=ON; PRAGMA wal_autocheckpoint=0;";

    private void CloseWriter()
    {
        _insert?.Dispose();
        _writer?.Dispose();
        (_insert, _writer) = (null, null);
    }

    /// <summary>Wakes the move loop; a signal already pending is enough.</summary>
    private void SignalStaged()
    {
        if (_staged.CurrentCount == 0)
            try { _staged.Release(); } catch (SemaphoreFullException) { /* already signalled */ }
    }

    private void EnsureLoop()
    {
        if (Volatile.Read(ref _loop) is not null) return;
        lock (_start)
        {
            if (_loop is not null) return;
            // Not in the first caller's execution context (its trace would be every later move's parent).
            using (ExecutionContext.SuppressFlow())
                _loop = Task.Run(MoveLoopAsync, CancellationToken.None);
        }
    }

    private async Task MoveLoopAsync()
    {
        var stop = _stop.Token;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await _staged.WaitAsync(stop);
                await Task.Delay(MoveInterval, stop);
                await FlushAsync(stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // The rows stay staged; the next view (or read of the log) tries again.
                _logger.LogError(e, "Staged access log entries could not be moved into the database");
                SignalStaged();
                try { await Task.Delay(MoveInterval, stop); } catch (OperationCanceledException) { return; }
            }
        }
    }

    /// <summary>
    /// Moves every entry staged so far (by any process) into AccessLogEntries; returns how many were moved. Called before
    /// the log is read, so that a view shown is a view listed. Does nothing on SQL Server.
    /// </summary>
    public async Task<int> FlushAsync(CancellationToken ct = default)
    {
        if (!Enabled || !File.Exists(FilePath)) return 0;
        await _moving.WaitAsync(ct);
        try
        {
            var connection = _mover ??= OpenMover();
            try
            {
                var (moved, top) = await CopyAsync(connection, ct);
                if (top > 0) await ExecuteAsync(connection, $"DELETE FROM staging.{Table} WHERE \"Seq\" <= $top", ("$top", top));
                // The staging file's checkpoint, here and not in a view's commit (Settings), about as often as SQLite's
                // own would come (each 1,000 pages of log, some 300 commits): each waits for the disk twice.
                if (top > 0 && Commits - _checkpointedAt >= CheckpointCommits)
                {
                    await CheckpointAsync(connection);
                    _checkpointedAt = Commits;
                }
                return moved;
            }
            catch
            {
                _mover = null;
                await connection.DisposeAsync();
                throw;
            }
        }
        finally
        {
            _moving.Release();
        }
    }

    /// <summary>This process's staging commits between two checkpoints by its moves (a commit writes about three pages of log).</summary>
    private const int CheckpointCommits = 300;

    // The staging commits (Commits) at this process's last checkpoint; read and written under _moving.
    private long _checkpointedAt;

    /// <summary>
    /// Frames in the staging file's write-ahead log (4 KB each) past which a move starts it over. The log starts over by
    /// itself at the first view after a checkpoint that copied all of it; under views without a pause the writer appends
    /// while each checkpoint runs, so that may never come, and the log's file would grow for as long as they last.
    /// </summary>
    /// <remarks>
    /// The log's file keeps its largest size (about 16 MB, reached by some 2,000 views a second for 20 s without a pause)
    /// and is written from its start again. No journal_size_limit: its cut of the file comes in the first commit after
    /// the log starts over, a view's; with it, one view's commit took 390 ms in a side-by-side run (2026-12-07).
    /// </remarks>
    private const int RestartFrames = 4_000;

    /// <summary>
    /// The staging file's checkpoints, here on the mover's connection and never on the writer's (see <see cref="Settings"/>):
    /// a move copies the log into the file without taking the writer's lock (PASSIVE). Once the log has passed
    /// <see cref="RestartFrames"/>, it is started over (RESTART), which holds the writer while it copies what came in
    /// since and waits for the disk: rare, and only under views without a pause.
    /// </summary>
    private static async Task CheckpointAsync(SqliteConnection connection)
    {
        if (await LogFramesAsync(connection, "PASSIVE") >= RestartFrames) await LogFramesAsync(connection, "RESTART");
    }

    /// <summary>One checkpoint of the staging file; the frames its log held (SQLite's second column).</summary>
    private static async Task<long> LogFramesAsync(SqliteConnection connection, string mode)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA staging.wal_checkpoint({mode})";
        await using var reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync() ? reader.GetInt64(1) : 0;
    }

    /// <summary>
    /// Before the log is read (the audit page, its CSV, the guardian's report): <see cref="FlushAsync"/>, except that a
    /// database whose write lock stays taken past the busy timeout (a long import) does not fail the page: it shows the log
    /// as moved so far, and what is staged moves once the lock is free.
    /// </summary>
    public async Task BeforeReadAsync(CancellationToken ct)
    {
        try
        {
            await FlushAsync(ct);
        }
        catch (SqliteException e) when (e.SqliteErrorCode is SQLitePCL.raw.SQLITE_BUSY or SQLitePCL.raw.SQLITE_LOCKED)
        {
            _logger.LogWarning(e, "The access log was read before its staged entries could move (the database stayed busy)");
        }
    }

    /// <summary>
    /// After a tenant's erasure: moves what is staged (the erased tenant's entries are dropped by the move) and
    /// checkpoints the staging file, whose write-ahead log would otherwise keep the dropped rows' bytes a while
    /// (secure_delete has zeroed them in the pages; docs/retention.md).
    /// </summary>
    public async Task AfterTenantErasureAsync(CancellationToken ct)
    {
        if (!Enabled || !File.Exists(FilePath)) return;
        await FlushAsync(ct);
        await _moving.WaitAsync(ct);
        try
        {
            if (_mover is { } connection)
                await ExecuteAsync(connection, "PRAGMA staging.wal_checkpoint(TRUNCATE)");
        }
        finally
        {
            _moving.Release();
        }
    }

    /// <summary>
    /// The mover's own connection to the database, with the staging file attached: not one of EF's pooled connections,
    /// whose kept statements an ATTACH would make SQLite prepare again. Its commits to the database are synchronous=FULL,
    /// so the rows moved are on disk before the staging file forgets them.
    /// </summary>
    private SqliteConnection OpenMover()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder(_connectionString) { Pooling = false }.ToString());
        connection.Open();
        using var setup = connection.CreateCommand();
        setup.CommandText = $"PRAGMA busy_timeout={SqlitePragmas.BusyTimeoutMilliseconds}; PRAGMA main.synchronous=FULL; PRAGMA main.secure_delete=ON; "
            + "PRAGMA cache_size=-512; ATTACH DATABASE $file AS staging; PRAGMA staging.journal_mode=WAL; PRAGMA staging.synchronous=NORMAL; "
            + "PRAGMA staging.secure_delete=ON; " + Schema("staging.")
            // Made at start (DatabaseStartup); here too for a process that moves without having started the app.
            + MarksSchema;
        setup.Parameters.AddWithValue("$file", FilePath);
        setup.ExecuteNonQuery();
        return connection;
    }

    /// <summary>
    /// The move's first half, in one transaction of the database: the staged rows above this file's mark, of tenants
    /// still there, into AccessLogEntries, and the mark raised to the last row seen. Returns the rows moved and the mark
    /// (0 when nothing was staged). Internal: a test stops here, as a crash would, and moves again.
    /// </summary>
    internal static async Task<(int Moved, long Top)> CopyAsync(SqliteConnection connection, CancellationToken ct)
    {
        var file = (string)(await ScalarAsync(connection, "SELECT \"FileId\" FROM staging.\"StagingFile\"", ct))!;
        var top = (long)(await ScalarAsync(connection, $"SELECT coalesce(max(\"Seq\"), 0) FROM staging.{Table}", ct))!;
        if (top == 0) return (0, 0);
        await ExecuteAsync(connection, "BEGIN");
        try
        {
            // The first statement writes, so the write lock is taken (waiting out a busy database) before a snapshot is read.
            await ExecuteAsync(connection, "INSERT OR IGNORE INTO main.\"AccessLogStagingMarks\" VALUES ($file, 0)", ("$file", file));
            var mark = (long)(await ScalarAsync(connection, "SELECT \"Seq\" FROM main.\"AccessLogStagingMarks\" WHERE \"FileId\" = $file", ct, ("$file", file)))!;
            top = (long)(await ScalarAsync(connection, $"SELECT coalesce(max(\"Seq\"), 0) FROM staging.{Table}", ct))!;
            var moved = 0;
            if (top > mark)
            {
                moved = await ExecuteAsync(connection,
                    $"INSERT INTO main.\"AccessLogEntries\" ({Columns}) SELECT {Columns} FROM staging.{Table} "
                    + "WHERE \"Seq\" > $mark AND \"Seq\" <= $top AND \"TenantId\" IN (SELECT \"Id\" FROM main.\"Tenants\") ORDER BY \"Seq\"",
                    ("$mark", mark), ("$top", top));
                await ExecuteAsync(connection, "UPDATE main.\"AccessLogStagingMarks\" SET \"Seq\" = $top WHERE \"FileId\" = $file", ("$top", top), ("$file", file));
            }
            await ExecuteAsync(connection, "COMMIT");
            return (moved, Math.Max(top, mark));
        }
        catch
        {
            if (SQLitePCL.raw.sqlite3_get_autocommit(connection.Handle) == 0) await ExecuteAsync(connection, "ROLLBACK");
            throw;
        }
    }

    private static async Task<int> ExecuteAsync(SqliteConnection connection, string sql, params (string Name, object Value)[] args)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in args) command.Parameters.AddWithValue(name, value);
        return await command.ExecuteNonQueryAsync();
    }

    private static async Task<object?> ScalarAsync(SqliteConnection connection, string sql, CancellationToken ct, params (string Name, object Value)[] args)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in args) command.Parameters.AddWithValue(name, value);
        return await command.ExecuteScalarAsync(ct);
    }

    /// <summary>Moves what is left when the host stops (after the writer's last batch); what cannot move waits for the next start.</summary>
    public async Task StopAsync(CancellationToken ct)
    {
        _stop.Cancel();
        if (_loop is { } loop) await loop.WaitAsync(ct).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        try
        {
            await FlushAsync(ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _logger.LogWarning(e, "Staged access log entries are left for the next start");
        }
        CloseWriter();
    }

    /// <summary>Moves what a previous run left staged, soon after the start, then whatever the views stage.</summary>
    public void Start()
    {
        if (!Enabled) return;
        SignalStaged();
        EnsureLoop();
    }

    public void Dispose()
    {
        _stop.Cancel();
        CloseWriter();
        _mover?.Dispose();
        _mover = null;
    }
}
