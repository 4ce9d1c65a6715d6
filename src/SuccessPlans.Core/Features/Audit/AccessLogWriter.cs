using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SuccessPlans.Data;

namespace SuccessPlans.Features.Audit;

/// <summary>
/// Group commit of the access log: each view waits until its entry is committed, as before, but the entries of the views
/// that arrive while one INSERT runs go together in the next (up to <see cref="BatchRows"/>). A lone view is written at
/// once, as alone; under load the writes no longer queue one behind the other.
/// </summary>
/// <remarks>
/// Why (issue 15): on SQLite each commit also makes every other pooled connection drop its page cache and read the file
/// again, and the student page, which logs every view, served 30-40% more requests a second with no log at all. One
/// writer per process; two processes each have theirs, on the same table. A batch that fails is written again row by
/// row, so one bad row (a child erased meanwhile) fails only its own view.
/// </remarks>
public sealed class AccessLogWriter(IServiceScopeFactory scopes, ILogger<AccessLogWriter> logger) : IDisposable
{
    /// <summary>Rows in one INSERT: 12 values each stays under SQL Server's 2,100 parameters a command.</summary>
    public const int BatchRows = 100;

    /// <summary>The least time between two commits of one process; a view arriving sooner waits at most this long.</summary>
    public static readonly TimeSpan CommitInterval = TimeSpan.FromMilliseconds(10);

    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private int _started;

    /// <summary>Queues the entry; the task ends when it is committed (or with the error that kept it out).</summary>
    public Task WriteAsync(int tenantId, AccessLogEntry entry, CancellationToken ct = default)
    {
        var pending = new Pending(tenantId, entry, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_queue.Writer.TryWrite(pending)) throw new ObjectDisposedException(nameof(AccessLogWriter));
        if (Interlocked.Exchange(ref _started, 1) == 0)
        {
            // Not in the first caller's execution context: its trace (Activity.Current) would be every later batch's parent.
            using (ExecutionContext.SuppressFlow())
                _ = Task.Run(WriteLoopAsync, CancellationToken.None);
        }
        // A view whose request is cancelled stops waiting; its entry is still written (its data was read).
        return pending.Committed.Task.WaitAsync(ct);
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<Pending>(BatchRows);
        var lastCommit = 0L;
        while (await _queue.Reader.WaitToReadAsync())
        {
            // At most one commit each CommitInterval: what arrives meanwhile waits and goes in the next.
            var wait = CommitInterval - Stopwatch.GetElapsedTime(lastCommit);
            if (lastCommit != 0 && wait > TimeSpan.Zero) await Task.Delay(wait);
            while (batch.Count < BatchRows && _queue.Reader.TryRead(out var next)) batch.Add(next);
            try
            {
                await InsertAsync(batch);
                foreach (var p in batch) p.Committed.TrySetResult();
            }
            catch (Exception) when (batch.Count > 1)
            {
                foreach (var p in batch) await InsertAloneAsync(p);
            }
            catch (Exception e)
            {
                Fail(batch[0], e);
            }
            batch.Clear();
            lastCommit = Stopwatch.GetTimestamp();
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
        logger.LogError(e, "An access log entry ({Action} of student {StudentId}) could not be written", p.Entry.Action, p.Entry.StudentId);
        p.Committed.TrySetException(e);
    }

    /// <summary>One INSERT of the rows, in a scope of its own (no tenant: each row carries its tenant's id).</summary>
    private async Task InsertAsync(IReadOnlyList<Pending> rows)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        await db.Database.ExecuteSqlRawAsync(AccessLog.AppendSql(rows.Count), rows.SelectMany(r => AccessLog.Values(r.TenantId, r.Entry))!);
    }

    public void Dispose() => _queue.Writer.TryComplete();

    private sealed record Pending(int TenantId, AccessLogEntry Entry, TaskCompletionSource Committed);
}
