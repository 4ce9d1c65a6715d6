using Microsoft.EntityFrameworkCore.Diagnostics;

namespace SuccessPlans.Data;

/// <summary>
/// For per-process caches of what a save can change: calls <see cref="Evict"/> before and after every SaveChanges, so
/// no read between the two keeps the old value (and a save that fails still leaves nothing stale behind).
/// </summary>
public abstract class EvictOnSaveInterceptor : SaveChangesInterceptor
{
    /// <summary>Evicts what the context's tracked entities may have changed.</summary>
    protected abstract void Evict(DbContext context);

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        if (eventData.Context is { } context) Evict(context);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is { } context) Evict(context);
        return ValueTask.FromResult(result);
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        if (eventData.Context is { } context) Evict(context);
        return result;
    }

    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is { } context) Evict(context);
        return ValueTask.FromResult(result);
    }
}
