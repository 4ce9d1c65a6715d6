using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SuccessPlans.Data;

namespace SuccessPlans.Features.Audit;

/// <summary>
/// Group commit of the access log: each view waits until its entry is committed, as before, but the entries of the views
/// that arrive while one INSERT runs go together in the next (up to <see cref="BatchRows"/>). Views one after the other
/// are each written at once; once views arrive together, at most one commit each <see cref="CommitInterval"/>.
/// </summary>
/// <remarks>
/// Why (issue 15): on SQLite each commit also makes every other pooled connection drop its page cache and read the file
/// again, and the student page, which logs every view, served 30-40% more requests a second with no log at all. On
/// SQLite the batches now go to the log's staging file (<see cref="AccessLogStaging"/>), whose commits drop no cache a
/// page reads. One writer per process; two processes each have theirs, on the same table (or staging file). A batch that
/// a constraint refuses is written again row by row, so one bad row (on SQL Server its tenant erased meanwhile; a
/// staged entry of an erased tenant is dropped when it moves) fails only its own view; any other error (a lock that
/// outlasted the busy timeout, a server down) fails the whole batch at once rather than waiting it out row by row.
/// </remarks>
public sealed class AccessLogWriter(IServiceScopeFactory scopes, AccessLogStaging staging, ILogger<AccessLogWriter> logger) : IDisposable
{
    /// <summary>Rows in one INSERT: 12 values each stays under SQL Server's 2,100 parameters a command.</summary>
    public const int BatchRows = 100;

    /// <summary>The least time between two commits of one process; a view arriving sooner waits at most this long.</summary>
    /// <remarks>
    /// When each view waited for its entry's commit holding one of the node's permits to work
    /// (RateLimits:MaxConcurrentRequests), this wait bounded how many logged views a node served: at 8 permits and 10 ms,
    /// the student page at 2,000 students served 560-730 requests/s with the CPU a third idle; at 5 ms 910-980, at no
    /// more CPU a request (1.8-1.9 ms against 2.0-2.2), and 2 ms no more (issue 15, 2026-12-05, side by side). A view now
    /// waits without its permit (<see cref="WorkPermit.WaitOutsideAsync"/>).
    /// </remarks>
    public static readonly TimeSpan CommitInterval = TimeSpan.FromMilliseconds(5);

    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _start = new();
    private Task? _loop;

    /// <summary>Queues the entry; the task ends when it is committed (or with the error that kept it out).</summary>
    public Task WriteAsync(int tenantId, AccessLogEntry entry, CancellationToken ct = default)
    {
        var pending = new Pending(tenantId, entry, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_queue.Writer.TryWrite(pending)) throw new ObjectDisposedException(nameof(AccessLogWriter));
        if (Volatile.Read(ref _loop) is null)
            lock (_start)
                _loop ??= StartLoop();
        // A view whose request is cancelled stops waiting; its entry is still written (its data was read).
        return pending.Committed.Task.WaitAsync(ct);
    }

    private Task StartLoop()
    {
        // Not in the first caller's execution context: its trace (Activity.Current) would be every later batch's parent.
        if (ExecutionContext.IsFlowSuppressed()) return Task.Run(WriteLoopAsync, CancellationToken.None);
        using (ExecutionContext.SuppressFlow()) return Task.Run(WriteLoopAsync, CancellationToken.None);
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<Pending>(BatchRows);
        var (lastCommit, lastRows) = (0L, 0);
        while (await _queue.Reader.WaitToReadAsync())
        {
            // Views arriving together (the last batch had more than one): at most one commit each CommitInterval, and what
            // arrives meanwhile goes in the next. A view after a lone one is written at once.
            var wait = CommitInterval - Stopwatch.GetElapsedTime(lastCommit);
            if (lastRows > 1 && wait > TimeSpan.Zero) await Task.Delay(wait);
            while (batch.Count < BatchRows && _queue.Reader.TryRead(out var next)) batch.Add(next);
            try
            {
                await InsertAsync(batch);
                foreach (var p in batch) p.Committed.TrySetResult();
            }
            catch (Exception e) when (batch.Count > 1 && IsConstraint(e))
            {
                foreach (var p in batch) await InsertAloneAsync(p);
            }
            catch (Exception e)
            {
                // Whatever happens, the loop goes on: a stopped loop would leave every later view waiting.
                foreach (var p in batch) Fail(p, e);
            }
            (lastCommit, lastRows) = (Stopwatch.GetTimestamp(), batch.Count);
            batch.Clear();
        }
    }

    private async Task InsertAloneAsync(Pending p)
    {
        try
        {
            await InsertAsync([p]);
            p.Committed.TrySetResult();
        }
        catch (Exception e)
        {
            Fail(p, e);
        }
    }

    private void Fail(Pending p, Exception e)
    {
        p.Committed.TrySetException(e);
        try
        {
            logger.LogError(e, "An access log entry ({Action} of student {StudentId}) could not be written", p.Entry.Action, p.Entry.StudentId);
        }
        catch (Exception)
        {
            // The view has its error; a logger that fails must not stop the loop.
        }
    }

    /// <summary>A row the database refuses (SQLite's constraint error, SQL Server's foreign key error), not the connection or a lock.</summary>
    private static bool IsConstraint(Exception e) =>
        e is Microsoft.Data.Sqlite.SqliteException { SqliteErrorCode: 19 } or Microsoft.Data.SqlClient.SqlException { Number: 547 };

    /// <summary>
    /// On SQLite, one commit of the rows to the staging file (<see cref="AccessLogStaging"/>: a commit to the database
    /// would make every other connection drop its page cache). Otherwise one INSERT of the rows, in a scope of its own
    /// (no tenant: each row carries its tenant's id).
    /// </summary>
    private async Task InsertAsync(IReadOnlyList<Pending> rows)
    {
        if (staging.Enabled)
        {
            staging.Stage(rows.Select(r => (r.TenantId, r.Entry)).ToList());
            return;
        }
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        await db.Database.ExecuteSqlRawAsync(AccessLog.AppendSql(rows.Count), AccessLog.Values(db, rows.Select(r => (r.TenantId, r.Entry)).ToList()));
    }

    /// <summary>
    /// Takes no more entries and returns once those queued are written, or when <paramref name="ct"/> gives up (the
    /// host's shutdown timeout). Called by <see cref="AccessLogDrain"/> when the host stops, after the server answered its
    /// last request and while the services still work: the entry of a view whose caller stopped waiting (a closed tab)
    /// is still written, not dropped with the process.
    /// </summary>
    public async Task DrainAsync(CancellationToken ct)
    {
        _queue.Writer.TryComplete();
        Task loop;
        // Started here if need be: an entry queued just before the queue closed has a loop that this waits for.
        lock (_start) loop = _loop ??= StartLoop();
        try
        {
            await loop.WaitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            // The web server may have used up the host's shutdown time: the queue still gets a few seconds of its own.
            try
            {
                await loop.WaitAsync(MinimumDrain);
            }
            catch (TimeoutException)
            {
                logger.LogWarning("The host stopped with {Count} access log entries not written", _queue.Reader.Count);
            }
        }
    }

    /// <summary>How long <see cref="DrainAsync"/> still waits once the host's shutdown time is up.</summary>
    public static readonly TimeSpan MinimumDrain = TimeSpan.FromSeconds(5);

    public void Dispose() => _queue.Writer.TryComplete();

    private sealed record Pending(int TenantId, AccessLogEntry Entry, TaskCompletionSource Committed);
}

/// <summary>Writes out the access log's queue when the host stops (<see cref="AccessLogWriter.DrainAsync"/>), then moves what is staged.</summary>
public sealed class AccessLogDrain(AccessLogWriter writer, AccessLogStaging staging) : Microsoft.Extensions.Hosting.IHostedLifecycleService
{
    // Stopped, not Stop: the hosts' StoppedAsync run after every service's StopAsync, so after the web server's.
    // Then what is staged moves into the database (SQLite); what cannot waits in the staging file for the next start.
    public async Task StoppedAsync(CancellationToken cancellationToken)
    {
        await writer.DrainAsync(cancellationToken);
        using var more = new CancellationTokenSource(AccessLogWriter.MinimumDrain);
        await staging.StopAsync(cancellationToken.IsCancellationRequested ? more.Token : cancellationToken);
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    // Entries a previous run left staged move soon after the start.
    public Task StartedAsync(CancellationToken cancellationToken)
    {
        staging.Start();
        return Task.CompletedTask;
    }
    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
