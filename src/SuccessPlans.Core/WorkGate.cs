namespace SuccessPlans;

/// <summary>
/// A node's permits to work (RateLimits:MaxConcurrentRequests): at most <see cref="Permits"/> requests at work at once,
/// the others wait their turn in the order they came. A request at work that waits for something that takes none of
/// this node's CPU (its access log entry's commit, <see cref="WorkPermit.WaitOutsideAsync"/>) gives its permit to the
/// next in line for the wait, and then comes back ahead of every request that has not begun.
/// </summary>
/// <remarks>
/// Why (issue 15): a permit is a share of the node's cores. With few permits a request is worked through nearly alone
/// (the others wait in order), so its time at 32 connections is the queue's, evenly spread: on the caseload p99 48-49 ms
/// at 4 permits against 60-61 ms at 8, at the same requests a second. But a request that holds its permit while it waits
/// for a commit that another thread makes leaves its core idle: the student page served a third less at 4 permits. Giving
/// the permit up for that wait keeps both. A returning request goes first: it has had its wait, and a page half done
/// holds its objects and its connection until it ends.
/// </remarks>
public sealed class WorkGate
{
    private readonly Lock _lock = new();
    private readonly LinkedList<TaskCompletionSource<bool>> _arrivals = new();
    private readonly Queue<TaskCompletionSource> _returning = new();
    private int _free;

    public WorkGate(int permits, int maxWaiting)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(permits, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(maxWaiting);
        Permits = permits;
        MaxWaiting = maxWaiting;
        _free = permits;
    }

    /// <summary>Requests at work at once.</summary>
    public int Permits { get; }

    /// <summary>Requests that may wait for their turn; past this <see cref="EnterAsync"/> refuses (a flood, not a busy day).</summary>
    public int MaxWaiting { get; }

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
            if (_free > 0 && _returning.Count == 0 && _arrivals.Count == 0)
            {
                _free--;
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

    /// <summary>Gives the permit back: to a returning request first, else to the longest waiting one.</summary>
    public void Leave()
    {
        lock (_lock)
        {
            if (_returning.TryDequeue(out var back))
            {
                back.SetResult();
                return;
            }
            if (_arrivals.First is { } next)
            {
                _arrivals.RemoveFirst();
                next.Value.SetResult(true);
                return;
            }
            _free++;
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
        gate!.Leave();
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
