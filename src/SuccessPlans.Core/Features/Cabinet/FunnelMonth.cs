using SuccessPlans.Data;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Referrals;
using SuccessPlans.Features.Tenants;
using SuccessPlans.Tenancy;

namespace SuccessPlans.Features.Cabinet;

/// <summary>The referral funnel's counts, as kept in <see cref="FunnelMonth"/>.</summary>
public enum FunnelMeasure
{
    /// <summary>Referrals sent, by the month they were sent.</summary>
    Made = 0,
    /// <summary>Referrals answered and not declined, by the month they were sent.</summary>
    Accepted = 1,
    /// <summary>Referrals completed, by the month they were sent.</summary>
    Completed = 2,
    /// <summary>Needs met, by the month they were resolved.</summary>
    NeedsMet = 3,
    /// <summary>Referrals served for the first time, by that month and the days it took (<see cref="FunnelMonth.Days"/>).</summary>
    FirstServed = 4,
}

/// <summary>
/// The cabinet's third rollup: the referral funnel's counts per month of the tenant's calendar, so that referrals made,
/// accepted and completed, needs met and the histogram of days to first service are sums over a few hundred rows
/// instead of scans of every referral of the period (docs/cabinet-periods.md). Counts add up across months, unlike
/// children, so a row is a plain count; how many children each figure is about only decides suppression and is still
/// counted on the referrals, stopping at the threshold (<see cref="CabinetReport.ChildrenQuery"/>).
/// Kept on write like <see cref="ServedMonth"/>: every save that adds, changes or removes a referral or a need appends
/// the difference it makes (<see cref="FunnelRollup.AppendAsync"/>, called by <see cref="AppDbContext"/>'s SaveChanges);
/// the nightly check folds the differences into one row per key (<see cref="FunnelRollup.CompactAsync"/>).
/// </summary>
public class FunnelMonth : ITenantOwned
{
    public long Id { get; set; }
    public int TenantId { get; private set; }
    public FunnelMeasure Measure { get; set; }

    /// <summary>A month as year × 12 + month - 1 (<see cref="ServedMonth.Number(DateOnly)"/>), in the tenant's calendar.</summary>
    public int MonthNumber { get; set; }

    /// <summary>Days from referral to first service for <see cref="FunnelMeasure.FirstServed"/>; 0 otherwise.</summary>
    public int Days { get; set; }

    public int Count { get; set; }
}

internal sealed class FunnelMonthConfiguration : IEntityTypeConfiguration<FunnelMonth>
{
    public void Configure(EntityTypeBuilder<FunnelMonth> b)
    {
        b.Property(m => m.Measure).HasConversion<int>();
        // The dashboard reads a range of months: every column it reads is in the index.
        b.HasIndex(m => new { m.TenantId, m.MonthNumber, m.Measure, m.Days, m.Count }).HasDatabaseName("IX_FunnelMonths_Dashboard");
    }
}

/// <summary>Keeps <see cref="FunnelMonth"/> in step with the referrals and needs: the one place that says what each counts under.</summary>
public static class FunnelRollup
{
    /// <summary>What one referral counts under, from its stored values (the rule the raw queries of <see cref="CabinetReport.FunnelQueriesFor"/> state in SQL).</summary>
    public static IEnumerable<(FunnelMeasure Measure, int Month, int Days)> Of(ReferralStatus status, DateTime? sentAt, bool answered,
        DateOnly? firstServiceOn, int? daysToFirstService, Func<TimeZoneInfo> zone)
    {
        if (sentAt is { } sent)
        {
            // The tenant's local month, as the dashboard's periods are (LocalDays.StartUtc of each month's first day).
            var month = ServedMonth.Number(LocalDays.Of(DateTime.SpecifyKind(sent, DateTimeKind.Utc), zone()));
            yield return (FunnelMeasure.Made, month, 0);
            if (answered && status != ReferralStatus.Declined) yield return (FunnelMeasure.Accepted, month, 0);
            if (status == ReferralStatus.Completed) yield return (FunnelMeasure.Completed, month, 0);
        }
        if (firstServiceOn is { } first && daysToFirstService is { } days)
            yield return (FunnelMeasure.FirstServed, ServedMonth.Number(first), days);
    }

    /// <summary>What one plan item counts under: a need met, in the month it was resolved.</summary>
    public static IEnumerable<(FunnelMeasure Measure, int Month, int Days)> Of(PlanItemKind kind, NeedStatus? status, DateOnly? resolvedOn)
    {
        if (kind == PlanItemKind.Need && status == NeedStatus.Met && resolvedOn is { } on)
            yield return (FunnelMeasure.NeedsMet, ServedMonth.Number(on), 0);
    }

    /// <summary>
    /// Appends the difference the pending changes of referrals and needs make to the funnel's months, saved with them;
    /// called by SaveChanges with the pending entries of its one pass of change detection; returns the rows appended. A
    /// save that failed and is tried again (the retrying strategy) replaces the rows its first attempt appended. Bulk
    /// updates that bypass the change tracker (the nightly check's expiry, erasure's withdrawal) move no count: neither
    /// declines, completes, answers or serves a referral.
    /// </summary>
    public static async Task<IReadOnlyList<FunnelMonth>> AppendAsync(AppDbContext db, IReadOnlyList<Microsoft.EntityFrameworkCore.ChangeTracking.EntityEntry> pending, CancellationToken ct)
    {
        // A previous attempt's rows (still Added) are detached: the difference is worked out again below.
        foreach (var stale in db.AppendedFunnelRows.Where(r => db.Entry(r).State == EntityState.Added).ToList())
            db.Entry(stale).State = EntityState.Detached;
        db.AppendedFunnelRows.Clear();
        var referrals = pending.Where(e => e.Entity is Referral).Select(e => e.Context.Entry((Referral)e.Entity)).ToList();
        var needs = pending.Where(e => e.Entity is PlanItem).Select(e => e.Context.Entry((PlanItem)e.Entity)).ToList();
        if (referrals.Count == 0 && needs.Count == 0) return [];

        // The tenant's zone, read only when a sent referral is saved.
        TimeZoneInfo? zone = null;
        if (referrals.Any(e => e.Property(r => r.SentAt).OriginalValue != null || e.Property(r => r.SentAt).CurrentValue != null))
        {
            var tenantId = db.CurrentTenantId;
            var id = await db.Tenants.AsNoTracking().Where(t => t.Id == tenantId).Select(t => t.TimeZoneId).SingleOrDefaultAsync(ct);
            zone = id is null ? TimeZoneInfo.Utc : TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        TimeZoneInfo Zone() => zone ?? TimeZoneInfo.Utc;

        var difference = new Dictionary<(FunnelMeasure, int, int), int>();
        void Add(IEnumerable<(FunnelMeasure Measure, int Month, int Days)> keys, int sign)
        {
            foreach (var key in keys) difference[key] = difference.GetValueOrDefault(key) + sign;
        }
        foreach (var e in referrals)
        {
            if (e.State != EntityState.Added)
                Add(Of(e.Property(r => r.Status).OriginalValue, e.Property(r => r.SentAt).OriginalValue, e.Property(r => r.AnsweredAt).OriginalValue != null,
                    e.Property(r => r.FirstServiceOn).OriginalValue, e.Property(r => r.DaysToFirstService).OriginalValue, Zone), -1);
            if (e.State != EntityState.Deleted)
                Add(Of(e.Entity.Status, e.Entity.SentAt, e.Entity.AnsweredAt != null, e.Entity.FirstServiceOn, e.Entity.DaysToFirstService, Zone), 1);
        }
        foreach (var e in needs)
        {
            if (e.State != EntityState.Added)
                Add(Of(e.Property(i => i.Kind).OriginalValue, e.Property(i => i.Status).OriginalValue, e.Property(i => i.ResolvedOn).OriginalValue), -1);
            if (e.State != EntityState.Deleted)
                Add(Of(e.Entity.Kind, e.Entity.Status, e.Entity.ResolvedOn), 1);
        }
        var rows = Rows(difference).ToList();
        db.FunnelMonths.AddRange(rows);
        db.AppendedFunnelRows.AddRange(rows);
        return rows;
    }

    private static IEnumerable<FunnelMonth> Rows(Dictionary<(FunnelMeasure Measure, int Month, int Days), int> counts) =>
        counts.Where(c => c.Value != 0).Select(c => new FunnelMonth { Measure = c.Key.Measure, MonthNumber = c.Key.Month, Days = c.Key.Days, Count = c.Value });

    /// <summary>
    /// Folds the differences appended since the last time into one row per (measure, month, days), in one transaction;
    /// rows appended meanwhile have higher ids and stay as they are. Builds the rollup first if it was never built.
    /// </summary>
    public static async Task CompactAsync(AppDbContext db, CancellationToken ct = default)
    {
        if (await EnsureBuiltAsync(db, ct)) return;
        await db.InTransactionAsync(async ct =>
        {
            var last = await db.FunnelMonths.MaxAsync(m => (long?)m.Id, ct);
            if (last is not { } upTo) return 0;
            var rows = db.FunnelMonths.Where(m => m.Id <= upTo);
            var sums = await rows.GroupBy(m => new { m.Measure, m.MonthNumber, m.Days })
                .Select(g => new { g.Key.Measure, g.Key.MonthNumber, g.Key.Days, Count = g.Sum(m => m.Count), Rows = g.Count() })
                .ToListAsync(ct);
            if (sums.All(s => s.Rows == 1 && s.Count != 0)) return 0; // nothing to fold
            await rows.ExecuteDeleteAsync(ct);
            db.FunnelMonths.AddRange(sums.Where(s => s.Count != 0)
                .Select(s => new FunnelMonth { Measure = s.Measure, MonthNumber = s.MonthNumber, Days = s.Days, Count = s.Count }));
            await db.SaveChangesAsync(ct);
            return 0;
        }, ct);
    }

    /// <summary>
    /// Builds the rollup of a tenant whose referrals were sent before it existed (the migration that added it leaves it
    /// empty: its months are the tenant's local months, which SQL cannot work out from a time zone's name). True if built.
    /// </summary>
    public static async Task<bool> EnsureBuiltAsync(AppDbContext db, CancellationToken ct = default)
    {
        if (await db.FunnelMonths.AnyAsync(ct)) return false;
        if (!await db.Referrals.AnyAsync(r => r.SentAt != null || r.FirstServiceOn != null, ct)
            && !await db.PlanItems.AnyAsync(i => i.Kind == PlanItemKind.Need && i.Status == NeedStatus.Met && i.ResolvedOn != null, ct))
            return false;
        await RebuildAsync(db, ct);
        return true;
    }

    /// <summary>Rebuilds the scope tenant's funnel months from its referrals and needs (bulk-written data, a changed time zone).</summary>
    public static async Task RebuildAsync(AppDbContext db, CancellationToken ct = default)
    {
        var zone = (await db.Tenants.AsNoTracking().SingleAsync(ct)).TimeZone;
        var counts = new Dictionary<(FunnelMeasure, int, int), int>();
        void Add(IEnumerable<(FunnelMeasure Measure, int Month, int Days)> keys, int times)
        {
            foreach (var key in keys) counts[key] = counts.GetValueOrDefault(key) + times;
        }
        // Grouped in SQL by the instant sent, so the rows read are far fewer than the referrals when many share a moment.
        var referrals = await db.Referrals.AsNoTracking().Where(r => r.SentAt != null || r.FirstServiceOn != null)
            .GroupBy(r => new { r.Status, r.SentAt, Answered = r.AnsweredAt != null, r.FirstServiceOn, r.DaysToFirstService })
            .Select(g => new { g.Key.Status, g.Key.SentAt, g.Key.Answered, g.Key.FirstServiceOn, g.Key.DaysToFirstService, Count = g.Count() })
            .ToListAsync(ct);
        foreach (var r in referrals)
            Add(Of(r.Status, r.SentAt, r.Answered, r.FirstServiceOn, r.DaysToFirstService, () => zone), r.Count);
        var needs = await db.PlanItems.AsNoTracking().Where(i => i.Kind == PlanItemKind.Need && i.Status == NeedStatus.Met && i.ResolvedOn != null)
            .GroupBy(i => i.ResolvedOn).Select(g => new { ResolvedOn = g.Key, Count = g.Count() }).ToListAsync(ct);
        foreach (var n in needs)
            Add(Of(PlanItemKind.Need, NeedStatus.Met, n.ResolvedOn), n.Count);

        await db.InTransactionAsync(async ct =>
        {
            await db.FunnelMonths.ExecuteDeleteAsync(ct);
            db.FunnelMonths.AddRange(Rows(counts));
            await db.SaveChangesAsync(ct);
            return 0;
        }, ct);
    }
}
