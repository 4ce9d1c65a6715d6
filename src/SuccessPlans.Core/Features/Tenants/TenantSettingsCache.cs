using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Caching.Memory;
using SuccessPlans.Data;
using SuccessPlans.Tenancy;

namespace SuccessPlans.Features.Tenants;

/// <summary>The tenant settings nearly every page reads (time zone, follow-up thresholds).</summary>
public sealed record TenantSettings(string TimeZoneId, int SuppressionThreshold, int UnmetNeedDays, int NoResponseDays, int StalledDays, int NightlyHour)
{
    public TimeZoneInfo TimeZone => TimeZoneInfo.FindSystemTimeZoneById(TimeZoneId);
}

/// <summary>
/// Per-process store of each tenant's settings, keyed by tenant id (issue 15: one query fewer on every page).
/// A save of a tenant row in this process evicts its entry at once (<see cref="TenantSettingsInvalidator"/>); another
/// app process behind the same proxy reads the change after at most <see cref="Lifetime"/>.
/// </summary>
public sealed class TenantSettingsStore(IMemoryCache cache)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(10);

    // Bumped on every eviction: a read that started before a save never stores the value it read.
    private readonly ConcurrentDictionary<int, long> _versions = new();

    internal long Version(int tenantId) => _versions.GetValueOrDefault(tenantId);

    internal bool TryGet(int tenantId, out TenantSettings? settings) => cache.TryGetValue(Key(tenantId), out settings) && settings is not null;

    internal void Store(int tenantId, long versionBeforeRead, TenantSettings settings)
    {
        if (Version(tenantId) == versionBeforeRead)
            cache.Set(Key(tenantId), settings, Lifetime);
    }

    public void Evict(int tenantId)
    {
        _versions.AddOrUpdate(tenantId, 1, (_, v) => v + 1);
        cache.Remove(Key(tenantId));
    }

    private static (Type, int) Key(int tenantId) => (typeof(TenantSettings), tenantId);
}

/// <summary>The current tenant's settings, from the store or read once.</summary>
public sealed class TenantSettingsCache(TenantSettingsStore store, AppDbContext db, CurrentTenant tenant)
{
    public async Task<TenantSettings> GetAsync(CancellationToken ct = default)
    {
        var id = tenant.TenantId ?? throw new TenantViolationException("No tenant in this scope.");
        if (store.TryGet(id, out var cached)) return cached!;
        var version = store.Version(id);
        var settings = await db.Tenants.AsNoTracking().Where(t => t.Id == id)
            .Select(t => new TenantSettings(t.TimeZoneId, t.SuppressionThreshold, t.UnmetNeedDays, t.NoResponseDays, t.StalledDays, t.NightlyHour))
            .SingleAsync(ct);
        store.Store(id, version, settings);
        return settings;
    }
}

/// <summary>Evicts a tenant's cached settings whenever a tracked tenant row is saved (before and after, so no read between keeps the old one).</summary>
public sealed class TenantSettingsInvalidator(TenantSettingsStore store) : SuccessPlans.Data.EvictOnSaveInterceptor
{
    protected override void Evict(DbContext context)
    {
        // Any tenant row this context tracks: after the save a modified one is Unchanged, so the state says nothing.
        foreach (var entry in context.ChangeTracker.Entries<Tenant>())
            if (entry.Entity.Id > 0)
                store.Evict(entry.Entity.Id);
    }
}
