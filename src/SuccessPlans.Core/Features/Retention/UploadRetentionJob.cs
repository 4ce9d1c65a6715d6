using SuccessPlans.Data;
using SuccessPlans.Features.Jobs;

namespace SuccessPlans.Features.Retention;

/// <summary>
/// Uploaded packages hold every child of a roster: none is kept longer than its purpose (docs/retention.md). An applied
/// upload's package was dropped when it was applied (one left behind by a failure after the import goes now); an upload
/// never applied goes after the tenant's retention period. The row stays as the upload's history (who, when, which
/// files, what it did), which names no child.
/// </summary>
public sealed class UploadRetentionJob(AppDbContext db, TimeProvider time) : ITenantJob
{
    public async Task<string> RunAsync(CancellationToken ct)
    {
        var tenant = await db.Tenants.SingleAsync(ct);
        var days = tenant.AbandonedUploadRetentionDays;
        var cutoff = time.GetUtcNow().UtcDateTime.AddDays(-days);
        var note = $"Discarded without importing: not imported within {days} day(s).";
        // Set-based, and limited to this tenant by the tenant query filter; a second node running it too finds nothing left.
        var roster = await db.RosterUploads.Where(u => u.Package != null && (u.AppliedAt != null || u.UploadedAt < cutoff))
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.Package, (byte[]?)null)
                .SetProperty(u => u.Result, u => u.AppliedAt != null ? u.Result : note)
                .SetProperty(u => u.Version, Guid.NewGuid()), ct);
        var directory = await db.DirectoryUploads.Where(u => u.Package != null && (u.AppliedAt != null || u.UploadedAt < cutoff))
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.Package, (byte[]?)null)
                .SetProperty(u => u.Result, u => u.AppliedAt != null ? u.Result : note)
                .SetProperty(u => u.Version, Guid.NewGuid()), ct);
        if (roster + directory > 0)
            await SqliteDisposal.FlushAsync(db, ct);
        return $"Purged {roster} roster and {directory} directory upload(s) not imported within {days} day(s) or already imported.";
    }
}
