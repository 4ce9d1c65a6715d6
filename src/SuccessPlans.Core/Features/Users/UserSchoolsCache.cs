using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Caching.Memory;
using SuccessPlans.Features.Schools;

namespace SuccessPlans.Features.Users;

/// <summary>A school the user may see, with its name (the caseload's school list).</summary>
public sealed record UserSchool(int Id, string Name);

/// <summary>
/// Per-process store of the schools (ids and names) each signed-in user may see (an Admin's: all of the tenant's; a coordinator's: the
/// assigned ones), read on every coordinator page (issue 15: one query fewer per page), and of the grades of their students
/// (the caseload's grade list: a scan of every student's row, 1.5 ms for a coordinator of 10,000). A save that changes a
/// school, a student, a coordinator's schools or a user of the tenant, or records an erasure, starts a new generation for that tenant at once
/// (<see cref="UserSchoolsInvalidator"/>), so the next request reads afresh; another app process behind the same
/// proxy reads the change after at most <see cref="Lifetime"/>.
/// </summary>
public sealed class UserSchoolsStore(IMemoryCache cache)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(10);

    // Part of the key: a read that started before a save stores its value under the old generation, never read again.
    private readonly ConcurrentDictionary<int, long> _generations = new();

    public long Generation(int tenantId) => _generations.GetValueOrDefault(tenantId);

    /// <summary>A value of the user's scope (T: the schools, or the grades of their students), cached under this generation.</summary>
    public bool TryGet<T>(int tenantId, long generation, int userId, bool admin, out T? value) where T : class =>
        cache.TryGetValue(Key<T>(tenantId, generation, userId, admin), out value) && value is not null;

    public void Store<T>(int tenantId, long generation, int userId, bool admin, T value) where T : class =>
        cache.Set(Key<T>(tenantId, generation, userId, admin), value, Lifetime);

    public void Evict(int tenantId) => _generations.AddOrUpdate(tenantId, 1, (_, g) => g + 1);

    private static (Type, Type, int, long, int, bool) Key<T>(int tenantId, long generation, int userId, bool admin) =>
        (typeof(UserSchoolsStore), typeof(T), tenantId, generation, userId, admin);
}

/// <summary>
/// Starts a new generation of cached school scopes for each tenant whose schools, students, coordinator schools or users a
/// save adds, changes or deletes: before the save, and again after it (a read between the two stores under the first
/// new generation, which the second retires). A save that only tracks such rows (opening a student's page loads the
/// child and records the view) keeps the cache: every coordinator page saves something, and evicting on each of them
/// left the cache all but empty under load.
/// </summary>
public sealed class UserSchoolsInvalidator(UserSchoolsStore store) : SaveChangesInterceptor
{
    // The tenants a save in progress changes, from before the save (when states still say what changed) to after it.
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<DbContext, HashSet<int>> _saving = new();

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Before(eventData.Context);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Before(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        After(eventData.Context);
        return result;
    }

    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        After(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override void SaveChangesFailed(DbContextErrorEventData eventData) => After(eventData.Context);

    public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        After(eventData.Context);
        return Task.CompletedTask;
    }

    // A cancelled save too: the contexts come from a pool, and an entry left here would outlive its request.
    public override void SaveChangesCanceled(DbContextEventData eventData) => After(eventData.Context);

    public override Task SaveChangesCanceledAsync(DbContextEventData eventData, CancellationToken cancellationToken = default)
    {
        After(eventData.Context);
        return Task.CompletedTask;
    }

    private void Before(DbContext? context)
    {
        if (context is null) return;
        var tenants = Changed(context);
        if (tenants.Count == 0) return;
        _saving.AddOrUpdate(context, tenants);
        foreach (var tenantId in tenants) store.Evict(tenantId);
    }

    private void After(DbContext? context)
    {
        if (context is null || !_saving.TryGetValue(context, out var tenants)) return;
        _saving.Remove(context);
        foreach (var tenantId in tenants) store.Evict(tenantId);
    }

    /// <summary>The tenants of the scope rows this save adds, changes or deletes.</summary>
    private static HashSet<int> Changed(DbContext context)
    {
        // AppDbContext's save has detected the changes once before EF saves (and calls this), with automatic detection
        // off for the rest of the call: the states are current and this walk scans nothing again.
        var tenants = new HashSet<int>();
        foreach (var entry in context.ChangeTracker.Entries())
        {
            int? tenant = entry.Entity switch
            {
                CoordinatorSchool c => c.TenantId,
                School s => s.TenantId,
                // A new grade, a child moved or withdrawn (the grade list); an erasure rewrites the child in SQL, then saves its record.
                SuccessPlans.Features.Students.Student st => st.TenantId,
                SuccessPlans.Features.Retention.ErasureRecord e => e.TenantId,
                AppUser u => u.TenantId,
                _ => null,
            };
            if (tenant is > 0 && entry.State is EntityState.Added or EntityState.Modified or EntityState.Deleted)
                tenants.Add(tenant.Value);
        }
        return tenants;
    }
}
