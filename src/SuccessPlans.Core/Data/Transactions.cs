using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace SuccessPlans.Data;

/// <summary>
/// The one way the app opens a transaction. On SQL Server the context retries transient errors
/// (<see cref="DatabaseSettings"/>), and a retrying strategy refuses a transaction opened outside it: the whole unit
/// (transaction, reads and writes) must run inside <see cref="IExecutionStrategy.ExecuteAsync{TState,TResult}"/> so a
/// retry replays all of it.
/// </summary>
public static class Transactions
{
    /// <summary>
    /// Runs <paramref name="work"/> in one transaction, retried as a whole on a transient error. A retry starts from a
    /// clear change tracker, so <paramref name="work"/> must read what it needs inside itself (nothing tracked survives
    /// a failed attempt). Inside another unit's transaction it simply joins it: the outer unit is what retries.
    /// An exception rolls back; so does a result for which <paramref name="commitWhen"/> says false (a refusal).
    /// </summary>
    public static async Task<T> InTransactionAsync<T>(this AppDbContext db, Func<CancellationToken, Task<T>> work, CancellationToken ct = default,
        Func<T, bool>? commitWhen = null)
    {
        if (db.Database.CurrentTransaction is not null)
            return await work(ct);
        var attempt = 0;
        return await db.Database.CreateExecutionStrategy().ExecuteAsync(async ct =>
        {
            if (attempt++ > 0)
                db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            var result = await work(ct);
            if (commitWhen?.Invoke(result) ?? true)
                await transaction.CommitAsync(ct);
            return result;
        }, ct);
    }

    public static Task InTransactionAsync(this AppDbContext db, Func<CancellationToken, Task> work, CancellationToken ct = default) =>
        db.InTransactionAsync<bool>(async ct => { await work(ct); return true; }, ct);

    /// <summary>
    /// <see cref="InTransactionAsync{T}"/> in a scope of its own for each attempt, for a unit that creates a tenant and
    /// then works as it: a retried insert gets a new tenant id, and a scope belongs to one tenant for its whole life.
    /// </summary>
    public static async Task<T> InNewScopeAsync<T>(this IServiceScopeFactory scopes, Func<IServiceProvider, AppDbContext, CancellationToken, Task<T>> work,
        CancellationToken ct = default, Func<T, bool>? commitWhen = null)
    {
        await using var first = scopes.CreateAsyncScope();
        var strategy = first.ServiceProvider.GetRequiredService<AppDbContext>().Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async ct =>
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            // Runs inside this strategy's execution, so it does not retry on its own.
            return await db.InTransactionAsync(ct => work(scope.ServiceProvider, db, ct), ct, commitWhen);
        }, ct);
    }
}
