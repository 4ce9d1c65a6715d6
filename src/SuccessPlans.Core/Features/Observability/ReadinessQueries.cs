using Microsoft.EntityFrameworkCore;
using SuccessPlans.Data;
using SuccessPlans.Features.Jobs;
using SuccessPlans.Features.Notifications;

namespace SuccessPlans.Features.Observability;

/// <summary>
/// What the readiness probe asks of the database. A probe runs every few seconds on every node, so each answer is one
/// statement over all tenants (the tenant filter lifted on purpose: the probe reports counts and ages, never a row),
/// and each per-tenant part seeks the tenant's own index instead of scanning the whole table.
/// </summary>
public static class ReadinessQueries
{
    public static IQueryable<DateTime?> OldestUnsent(AppDbContext db) =>
        db.Tenants.IgnoreQueryFilters([AppDbContext.TenantFilter])
            .Select(t => db.Notifications
                .Where(n => n.TenantId == t.Id && (n.Status == NotificationStatus.Pending || n.Status == NotificationStatus.Sending))
                .Min(n => (DateTime?)n.CreatedAt));

    /// <summary>The oldest email still waiting to be sent, in any tenant; null when none waits.</summary>
    public static Task<DateTime?> OldestUnsentAsync(AppDbContext db, CancellationToken ct) =>
        OldestUnsent(db).MinAsync(ct);

    public sealed record LastNightlyCheck(int TenantId, DateTime Since);

    /// <summary>
    /// Per tenant, when its nightly check last succeeded, or its creation when it never has (a new tenant is not stale
    /// before its first night).
    /// </summary>
    public static IQueryable<LastNightlyCheck> LastNightlyChecks(AppDbContext db)
    {
        var name = TenantJobCatalog.NightlyCheck.Name;
        return db.Tenants.IgnoreQueryFilters([AppDbContext.TenantFilter])
            .Select(t => new LastNightlyCheck(t.Id,
                db.JobRuns.Where(r => r.TenantId == t.Id && r.JobName == name && r.Status == JobRunStatus.Succeeded)
                    .Max(r => r.FinishedAt) ?? t.CreatedAt));
    }

    public static Task<List<LastNightlyCheck>> LastNightlyCheckAsync(AppDbContext db, CancellationToken ct) =>
        LastNightlyChecks(db).ToListAsync(ct);
}
