using SuccessPlans.Data;
using SuccessPlans.Features.Directory;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Referrals;
using SuccessPlans.Tenancy;

namespace SuccessPlans.Features.Cabinet;

/// <summary>
/// The cabinet's rollup: services delivered under one referral in one school year, month by month, with the
/// referral's dimensions copied on.
/// Why a rollup rather than indexes alone: counting distinct children over a million delivery rows takes
/// seconds in SQLite, while this table holds about one row per referral, so the dashboard reads a twentieth
/// of the rows. Months are columns (not rows) so that a referral served all year is still one row.
/// Why kept on write rather than by the nightly job: ReferralService updates it in the same SaveChanges as the
/// delivery, so a count moves the moment a provider records a service, and it cannot disagree with the
/// deliveries (the referral row's concurrency token guards both).
/// </summary>
public class DeliveryYear : ITenantOwned
{
    public int Id { get; set; }
    public int TenantId { get; private set; }
    public int ReferralId { get; set; }

    /// <summary>The year the school year starts in: 2026 is August 2026 to July 2027.</summary>
    public int SchoolYear { get; set; }

    public int StudentId { get; set; }
    public int SchoolId { get; set; }
    public int OrganizationId { get; set; }
    public Domain Domain { get; set; }
    public ServiceTier? Tier { get; set; }

    // Services delivered in each month of the school year: written only by Count, which keeps MonthsServed with them.
    public int Aug { get; private set; }
    public int Sep { get; private set; }
    public int Oct { get; private set; }
    public int Nov { get; private set; }
    public int Dec { get; private set; }
    public int Jan { get; private set; }
    public int Feb { get; private set; }
    public int Mar { get; private set; }
    public int Apr { get; private set; }
    public int May { get; private set; }
    public int Jun { get; private set; }
    public int Jul { get; private set; }

    /// <summary>
    /// The months with a service as bits, August bit 0 ... July bit 11: what the cabinet's outcomes read of each row
    /// (which months each child was served in). Kept here rather than worked out in the outcomes' query, whose twelve
    /// CASE expressions were most of SQLite's time for 40,000 rows (issue 15); migration MonthsServed filled the rows before it.
    /// </summary>
    public int MonthsServed { get; private set; }

    /// <summary>0 for August ... 11 for July.</summary>
    public static int MonthIndex(int calendarMonth) => (calendarMonth + 4) % 12;

    /// <summary>The calendar month of an index, in the school year starting in <paramref name="schoolYear"/>.</summary>
    public static DateOnly MonthAt(int schoolYear, int index) => new DateOnly(schoolYear, 8, 1).AddMonths(index);

    /// <summary>The twelve months' counts, August first.</summary>
    public int[] ByIndex() => [Aug, Sep, Oct, Nov, Dec, Jan, Feb, Mar, Apr, May, Jun, Jul];

    /// <summary>Counts services delivered on the day (one, or several at once when rebuilding).</summary>
    public void Count(DateOnly day, int services = 1)
    {
        switch (MonthIndex(day.Month))
        {
            case 0: Aug += services; break; case 1: Sep += services; break; case 2: Oct += services; break; case 3: Nov += services; break;
            case 4: Dec += services; break; case 5: Jan += services; break; case 6: Feb += services; break; case 7: Mar += services; break;
            case 8: Apr += services; break; case 9: May += services; break; case 10: Jun += services; break; default: Jul += services; break;
        }
        var months = ByIndex();
        MonthsServed = 0;
        for (var i = 0; i < months.Length; i++)
            if (months[i] > 0) MonthsServed |= 1 << i;
    }
}

internal sealed class DeliveryYearConfiguration : IEntityTypeConfiguration<DeliveryYear>
{
    public void Configure(EntityTypeBuilder<DeliveryYear> b)
    {
        b.HasOne<Referral>().WithMany().HasForeignKey(m => m.ReferralId);
        // Stored as numbers here (not names, as elsewhere): this table is read whole, row after row, by the dashboard.
        b.Property(m => m.Domain).HasConversion<int>();
        b.Property(m => m.Tier).HasConversion<int?>();
        b.HasIndex(m => new { m.TenantId, m.ReferralId, m.SchoolYear }).IsUnique();
        // A child's rows: every delivery reads them (DeliveryRollup.CountAsync), and the outcomes those of the children
        // that changed, from the index alone (what they read is in it; SQLite, with no statistics, preferred the dashboard's
        // covering index to one it had to leave for the table). Without it each delivery read every row of the tenant
        // (4-5 ms at 50,000 students).
        b.HasIndex(m => new { m.TenantId, m.StudentId, m.SchoolYear, m.SchoolId, m.Domain, m.Tier, m.MonthsServed })
            .HasDatabaseName("IX_DeliveryYears_Child");
        // The dashboard reads whole school years: this index holds every column it reads, so the rows come
        // from one range of the index, in order, without a lookup into the table per row.
        b.HasIndex(m => new
        {
            m.TenantId, m.SchoolYear, m.StudentId, m.Domain, m.SchoolId, m.OrganizationId, m.Tier,
            m.Aug, m.Sep, m.Oct, m.Nov, m.Dec, m.Jan, m.Feb, m.Mar, m.Apr, m.May, m.Jun, m.Jul, m.MonthsServed,
        }).HasDatabaseName("IX_DeliveryYears_Dashboard");
    }
}

/// <summary>Keeps the rollup in step with the deliveries.</summary>
public static class DeliveryRollup
{
    /// <summary>
    /// Counts one delivery of the referral (or takes one back: -1), recorded at <paramref name="at"/>; saved with the
    /// delivery by the caller.
    /// </summary>
    public static async Task CountAsync(AppDbContext db, Referral referral, DateOnly deliveredOn, DateTime at, CancellationToken ct, int services = 1)
    {
        var year = SchoolYears.For(deliveredOn);
        // All the child's rows (every referral, every year), for ServedMonths: a few dozen at most.
        var studentId = referral.StudentId;
        await db.DeliveryYears.Where(m => m.StudentId == studentId).LoadAsync(ct);
        List<DeliveryYear> Child() => db.DeliveryYears.Local.Where(m => m.StudentId == studentId && db.Entry(m).State != EntityState.Deleted).ToList();
        var row = db.DeliveryYears.Local.FirstOrDefault(m => m.ReferralId == referral.Id && m.SchoolYear == year);
        if (row is null)
        {
            row = new DeliveryYear
            {
                ReferralId = referral.Id, SchoolYear = year, StudentId = referral.StudentId, SchoolId = referral.SchoolId,
                OrganizationId = referral.OrganizationId, Domain = referral.Domain, Tier = referral.Tier,
            };
            db.DeliveryYears.Add(row);
        }
        // The child's served months under this referral's values, before and after: the difference is appended.
        var values = ServedMonths.ValuesOf(row);
        var difference = new Dictionary<(ServedDimension, int, int, int), (int Children, int Services)>();
        ServedMonths.Add(Child(), values, difference, -1);
        var (isNew, monthsBefore) = (db.Entry(row).State == EntityState.Added, row.MonthsServed);
        row.Count(deliveredOn, services);
        ServedMonths.Add(Child(), values, difference);
        db.ServedMonths.AddRange(ServedMonths.Rows(difference));
        // The child's served months under this referral changed (a new row, a month gained or emptied): the outcomes look
        // at this child again. A further service in a month already served changes nothing they read.
        if (isNew || row.MonthsServed != monthsBefore)
            db.ServedChanges.Add(new ServedChange { StudentId = studentId, At = at });
    }

    /// <summary>
    /// Folds the differences appended since the last time into one row per (value, month, previous month), in one
    /// transaction. Rows appended meanwhile (a delivery recorded during the fold) have higher ids and are left as they are.
    /// The notes of changed children older than a day go too (<see cref="ServedChanges.PruneAsync"/>).
    /// </summary>
    public static async Task CompactAsync(AppDbContext db, DateTime now, CancellationToken ct = default)
    {
        await ServedChanges.PruneAsync(db, now, ct);
        await db.InTransactionAsync(async ct =>
        {
            var last = await db.ServedMonths.MaxAsync(m => (long?)m.Id, ct);
            if (last is not { } upTo) return 0;
            var rows = db.ServedMonths.Where(m => m.Id <= upTo);
            if (await rows.CountAsync(ct) == await rows.Select(m => new { m.Dimension, m.ValueId, m.MonthNumber, m.PreviousMonthNumber }).Distinct().CountAsync(ct))
                return 0; // nothing to fold
            var sums = await rows.GroupBy(m => new { m.Dimension, m.ValueId, m.MonthNumber, m.PreviousMonthNumber })
                .Select(g => new { g.Key.Dimension, g.Key.ValueId, g.Key.MonthNumber, g.Key.PreviousMonthNumber, Children = g.Sum(m => m.Children), Services = g.Sum(m => m.Services) })
                .ToListAsync(ct);
            await rows.ExecuteDeleteAsync(ct);
            db.ServedMonths.AddRange(sums.Where(s => s.Children != 0 || s.Services != 0).Select(s => new ServedMonth
            {
                Dimension = s.Dimension, ValueId = s.ValueId, MonthNumber = s.MonthNumber, PreviousMonthNumber = s.PreviousMonthNumber,
                Children = s.Children, Services = s.Services,
            }));
            await db.SaveChangesAsync(ct);
            return 0;
        }, ct);
    }

    /// <summary>
    /// Rebuilds the scope tenant's rollup from its deliveries, for data written in bulk (the demo seed, the
    /// benchmark); the migration that added the table filled it the same way, in SQL. Every child served is noted as
    /// changed, so that outcomes kept from before look at each again.
    /// </summary>
    public static async Task RebuildAsync(AppDbContext db, DateTime now, CancellationToken ct = default)
    {
        await db.DeliveryYears.ExecuteDeleteAsync(ct);
        await db.ServedChanges.ExecuteDeleteAsync(ct);
        var counts = await db.ServiceDeliveries
            .GroupBy(d => new { d.ReferralId, d.DeliveredOn.Year, d.DeliveredOn.Month })
            .Select(g => new { g.Key.ReferralId, g.Key.Year, g.Key.Month, Count = g.Count() })
            .ToListAsync(ct);
        var referrals = await db.Referrals.Where(r => db.ServiceDeliveries.Any(d => d.ReferralId == r.Id))
            .Select(r => new { r.Id, r.StudentId, r.SchoolId, r.OrganizationId, r.Domain, r.Tier }).ToDictionaryAsync(r => r.Id, ct);
        var rows = new Dictionary<(int, int), DeliveryYear>();
        foreach (var c in counts)
        {
            var year = SchoolYears.For(new DateOnly(c.Year, c.Month, 1));
            if (!rows.TryGetValue((c.ReferralId, year), out var row))
            {
                var r = referrals[c.ReferralId];
                rows[(c.ReferralId, year)] = row = new DeliveryYear
                {
                    ReferralId = r.Id, SchoolYear = year, StudentId = r.StudentId, SchoolId = r.SchoolId,
                    OrganizationId = r.OrganizationId, Domain = r.Domain, Tier = r.Tier,
                };
            }
            row.Count(new DateOnly(c.Year, c.Month, 1), c.Count);
        }
        await db.ServedMonths.ExecuteDeleteAsync(ct);
        var served = ServedMonths.For(rows.Values);
        var tracking = db.ChangeTracker.AutoDetectChangesEnabled;
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        try
        {
            foreach (var chunk in rows.Values.Chunk(5000))
            {
                db.DeliveryYears.AddRange(chunk);
                await db.SaveChangesAsync(ct);
                db.ChangeTracker.Clear();
            }
            foreach (var chunk in served.Chunk(5000))
            {
                db.ServedMonths.AddRange(chunk);
                await db.SaveChangesAsync(ct);
                db.ChangeTracker.Clear();
            }
            foreach (var chunk in rows.Values.Select(r => r.StudentId).Distinct().Chunk(5000))
            {
                db.ServedChanges.AddRange(chunk.Select(id => new ServedChange { StudentId = id, At = now }));
                await db.SaveChangesAsync(ct);
                db.ChangeTracker.Clear();
            }
        }
        finally { db.ChangeTracker.AutoDetectChangesEnabled = tracking; }
    }
}
