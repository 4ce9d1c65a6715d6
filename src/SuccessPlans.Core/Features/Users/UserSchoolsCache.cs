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
/// (the caseload's grade list: a scan of every student's row, 1.5 ms for a coordinator of 10,000). A save that touches a
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

/// <summary>Starts a new generation of cached school scopes for each tenant whose schools, students, coordinator schools or users a save touches (before and after it).</summary>
public sealed class UserSchoolsInvalidator(UserSchoolsStore store) : SuccessPlans.Data.EvictOnSaveInterceptor
{
    protected override void Evict(DbContext context)
    {
        // Any such row the context tracks: after the save a changed one is Unchanged, so its state says nothing. One pass
        // without DetectChanges (SaveChanges runs it anyway), so a large import's saves pay only for the walk.
        var tenants = new HashSet<int>();
        var tracker = context.ChangeTracker;
        var detect = tracker.AutoDetectChangesEnabled;
        tracker.AutoDetectChangesEnabled = false;
        try
        {
            foreach (var entry in tracker.Entries())
            {
                switch (entry.Entity)
                {
                    case CoordinatorSchool c: tenants.Add(c.TenantId); break;
                    case School s: tenants.Add(s.TenantId); break;
                    // A new grade, a child moved or withdrawn (the grade list); an erasure rewrites the child in SQL, then saves its record.
                    case SuccessPlans.Features.Students.Student st: tenants.Add(st.TenantId); break;
                    case SuccessPlans.Features.Retention.ErasureRecord e: tenants.Add(e.TenantId); break;
                    case AppUser { TenantId: { } userTenant }: tenants.Add(userTenant); break;
                }
            }
        }
        finally
        {
            tracker.AutoDetectChangesEnabled = detect;
        }
        foreach (var tenantId in tenants)
            if (tenantId > 0) store.Evict(tenantId);
    }
}
