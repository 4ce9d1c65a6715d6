using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Caching.Memory;
using SuccessPlans.Features.Schools;

namespace SuccessPlans.Features.Users;

/// <summary>A school the user may see, with its name (the caseload's school list).</summary>
public sealed record UserSchool(int Id, string Name);

/// <summary>
/// Per-process store of the schools (ids and names) each signed-in user may see (an Admin's: all of the tenant's; a coordinator's: the
/// assigned ones), read on every coordinator page (issue 15: one query fewer per page). A save that touches a school,
/// a coordinator's schools or a user of the tenant starts a new generation for that tenant at once
/// (<see cref="UserSchoolsInvalidator"/>), so the next request reads afresh; another app process behind the same
/// proxy reads the change after at most <see cref="Lifetime"/>.
/// </summary>
public sealed class UserSchoolsStore(IMemoryCache cache)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(10);

    // Part of the key: a read that started before a save stores its value under the old generation, never read again.
    private readonly ConcurrentDictionary<int, long> _generations = new();

    public long Generation(int tenantId) => _generations.GetValueOrDefault(tenantId);

    public bool TryGet(int tenantId, long generation, int userId, bool admin, out IReadOnlyList<UserSchool>? schools) =>
        cache.TryGetValue(Key(tenantId, generation, userId, admin), out schools) && schools is not null;

    public void Store(int tenantId, long generation, int userId, bool admin, IReadOnlyList<UserSchool> schools) =>
        cache.Set(Key(tenantId, generation, userId, admin), schools, Lifetime);

    public void Evict(int tenantId) => _generations.AddOrUpdate(tenantId, 1, (_, g) => g + 1);

    private static (Type, int, long, int, bool) Key(int tenantId, long generation, int userId, bool admin) =>
        (typeof(UserSchoolsStore), tenantId, generation, userId, admin);
}

/// <summary>Starts a new generation of cached school scopes for each tenant whose schools, coordinator schools or users a save touches (before and after it).</summary>
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
