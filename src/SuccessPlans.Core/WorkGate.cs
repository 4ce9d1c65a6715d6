namespace SuccessPlans;

/// <summary>
/// A node's permits to work (RateLimits:MaxConcurrentRequests): at most <see cref="Permits"/> requests at work at once,
/// the others wait their turn in the order they came. A request at work that waits for something that takes none of
/// this node's CPU (its access log entry's commit, <see cref="WorkPermit.WaitOutsideAsync"/>) gives its permit to the
/// next in line for the wait, and then comes back ahead of every request that has not begun. At most
/// <see cref="MaxBegun"/> requests are begun at once, at work or outside.
/// </summary>
/// <remarks>
/// Why (issue 15): a permit is a share of the node's cores. With few permits a request is worked through nearly alone
/// (the others wait in order), so its time at 32 connections is the queue's, evenly spread: on the caseload p99 48-49 ms
/// at 4 permits against 60-61 ms at 8, at the same requests a second. But a request that holds its permit while it waits
/// for a commit that another thread makes leaves its core idle: the student page served a third less at 4 permits. Giving
/// the permit up for that wait keeps both. A returning request goes first: it has had its wait, and a page half done
/// holds its objects and its connection until it ends. And a wait outside does not let any number begin: each begun
/// request holds a pooled context and its kept SQLite connection, and with no bound the views waiting for a commit let
/// nearly all 32 connections' requests begin (the mixed load's memory, 365 MB against 312 MB; issue 15).
///
/// The bound is <see cref="BegunPerPermit"/> times the permits. At twice them it was what held the logged views back: a
/// view waits a few milliseconds for its commit (the log commits at most every 5 ms), so at 1,500 views a second about
/// ten wait outside at once, and with 8 begun the cores went idle while every begun view waited. On 2 cores (4 permits)
/// the student page served 1,180-1,310 requests/s with 12-23% of the machine idle at a bound of 8, 1,360-1,800 at 16 and
/// 1,510-1,900 at 24; the review walk 1,400-1,480, 1,890-2,460 and 2,590-3,230; the mixed load on 50,000 students ended
/// at 293-294 MB at 8 and 278-290 MB at 24 (issue 15, 2026-12-07, side by side). Pages that log nothing never wait
/// outside, so for them the bound is the permits and nothing changed.
/// </remarks>
public sealed class WorkGate
{
    private readonly Lock _lock = new();
    private readonly LinkedList<TaskCompletionSource<bool>> _arrivals = new();
    private readonly Queue<TaskCompletionSource> _returning = new();
    private int _free;
    private int _begun;

    /// <param name="permits">Requests at work at once.</param>
    /// <param name="maxWaiting">Requests that may wait to begin.</param>
    /// <param name="maxBegun">Requests begun and not ended, at work or waiting outside (each holds its objects and its
    /// connection): by default <see cref="BegunPerPermit"/> times the permits, so that waits outside do not let every
    /// waiting request begin.</param>
    public WorkGate(int permits, int maxWaiting, int? maxBegun = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(permits, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(maxWaiting);
        Permits = permits;
        MaxWaiting = maxWaiting;
        MaxBegun = Math.Max(permits, maxBegun ?? BegunPerPermit * permits);
        _free = permits;
    }

    /// <summary>Requests begun at once by default for each permit: the one at work and the views waiting outside.</summary>
    public const int BegunPerPermit = 6;

    /// <summary>Requests at work at once.</summary>
    public int Permits { get; }

    /// <summary>Requests that may wait for their turn; past this <see cref="EnterAsync"/> refuses (a flood, not a busy day).</summary>
    public int MaxWaiting { get; }

    /// <summary>Requests begun and not yet ended, at work or waiting outside.</summary>
    public int MaxBegun { get; }

    /// <summary>Requests waiting to begin (tests, metrics).</summary>
    public int Waiting
    {
        get { lock (_lock) return _arrivals.Count; }
    }

    /// <summary>
    /// Takes a permit, waiting in order for one: true once it is taken (the caller then calls <see cref="Leave"/>), false
    /// when <see cref="MaxWaiting"/> requests already wait. A cancelled wait throws and takes nothing.
    /// </summary>
    public async ValueTask<bool> EnterAsync(CancellationToken ct)
    {
        TaskCompletionSource<bool> turn;
        LinkedListNode<TaskCompletionSource<bool>> node;
        lock (_lock)
        {
            if (_free > 0 && _begun < MaxBegun && _returning.Count == 0 && _arrivals.Count == 0)
            {
                _free--;
                _begun++;
                return true;
            }
            if (_arrivals.Count >= MaxWaiting) return false;
            turn = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            node = _arrivals.AddLast(turn);
        }
        await using var _ = ct.Register(() =>
        {
            lock (_lock)
            {
                // Still in line: it leaves the line. A turn already given (the node taken off) stands, and is left as usual.
                if (node.List is null) return;
                _arrivals.Remove(node);
            }
            turn.TrySetCanceled(ct);
        });
        return await turn.Task;
    }

    /// <summary>The request ended: its permit goes to a returning request first, else to the longest waiting one.</summary>
    public void Leave()
    {
        lock (_lock)
        {
            _begun--;
            _free++;
            Dispatch();
        }
    }

    /// <summary>The request waits outside (<see cref="WorkPermit.WaitOutsideAsync"/>): its permit goes to the next meanwhile.</summary>
    public void StepOut()
    {
        lock (_lock)
        {
            _free++;
            Dispatch();
        }
    }

    /// <summary>Takes a permit again after a wait outside, ahead of every request that has not begun.</summary>
    public Task ReturnAsync()
    {
        lock (_lock)
        {
            if (_free > 0)
            {
                _free--;
                return Task.CompletedTask;
            }
            var back = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _returning.Enqueue(back);
            return back.Task;
        }
    }

    // Under the lock: the free permits to the returning requests, then to the waiting ones while fewer than MaxBegun have begun.
    private void Dispatch()
    {
        while (_free > 0)
        {
            if (_returning.TryDequeue(out var back))
            {
                _free--;
                back.SetResult();
            }
            else if (_begun < MaxBegun && _arrivals.First is { } next)
            {
                _arrivals.RemoveFirst();
                _free--;
                _begun++;
                next.Value.SetResult(true);
            }
            else
            {
                return;
            }
        }
    }
}

/// <summary>
/// The permit of one request (scoped): whether it holds one of the <see cref="WorkGate"/>'s permits. Outside a request
/// (a job, a command, a test's own scope) none is held and every wait is a plain await.
/// </summary>
public sealed class WorkPermit(WorkGate? gate = null)
{
    /// <summary>Whether this scope holds a permit now.</summary>
    public bool Held { get; private set; }

    /// <summary>Takes a permit for the request (the gate's middleware): false when too many wait.</summary>
    public async ValueTask<bool> EnterAsync(CancellationToken ct)
    {
        if (gate is null) return true;
        Held = await gate.EnterAsync(ct);
        return Held;
    }

    /// <summary>Gives the permit back when the request ends (the gate's middleware).</summary>
    public void Leave()
    {
        if (!Held) return;
        Held = false;
        gate!.Leave();
    }

    /// <summary>
    /// Waits for <paramref name="task"/>, work done elsewhere that this request only waits for, with the permit given to
    /// the next request meanwhile; returns once the task ended and the permit is held again.
    /// </summary>
    public async Task WaitOutsideAsync(Task task)
    {
        if (!Held || task.IsCompleted)
        {
            await task;
            return;
        }
        Held = false;
        gate!.StepOut();
        try
        {
            await task;
        }
        finally
        {
            await gate.ReturnAsync();
            Held = true;
        }
    }
}
