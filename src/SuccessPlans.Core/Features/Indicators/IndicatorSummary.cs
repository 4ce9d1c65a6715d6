using SuccessPlans.Data;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Students;

namespace SuccessPlans.Features.Indicators;

/// <summary>
/// Rebuilds every student's <see cref="StudentIndicators"/> row as of a local date: the year so far (from 1 August), this
/// term (fall from August, spring from February) and the last 30 days. A handful of grouped queries and batched writes of
/// the rows that changed, whatever the number of students; run after each import and by the nightly check.
/// </summary>
public sealed class IndicatorSummary(AppDbContext db)
{
    /// <summary>Too few instructional days say nothing about a pattern: no band under this many (a rate is still shown).</summary>
    public const int MinDaysForBand = 10;

    public sealed record Thresholds(int Satisfactory, int AtRisk, int Chronic);

    private sealed record Period(DateOnly From, DateOnly To)
    {
        public bool Has(DateOnly d) => d >= From && d <= To;
    }

    public async Task<int> RefreshAsync(DateOnly today, CancellationToken ct = default)
    {
        var tenant = await db.Tenants.AsNoTracking().SingleAsync(ct);
        var thresholds = new Thresholds(tenant.AttendanceSatisfactoryPercent, tenant.AttendanceAtRiskPercent, tenant.AttendanceChronicPercent);
        var year = SchoolYears.For(today);
        var yearStart = new DateOnly(year, 8, 1);
        var termStart = SchoolYears.TermFor(today) == Term.Fall ? yearStart : new DateOnly(year + 1, 2, 1);
        var recentStart = today.AddDays(-29);

        var days = (await db.SchoolDays.Where(d => d.Date >= yearStart && d.Date <= today).GroupBy(d => d.SchoolId)
                .Select(g => new { School = g.Key, Year = g.Count(), Term = g.Count(d => d.Date >= termStart), Recent = g.Count(d => d.Date >= recentStart) })
                .ToListAsync(ct))
            .ToDictionary(d => d.School);
        // A day with an absence counts once, whatever the number of events recorded for it.
        var absences = (await db.AttendanceEvents.Where(e => AttendanceEvent.Absences.Contains(e.Category) && e.Date >= yearStart && e.Date <= today)
                .Select(e => new { e.StudentId, e.Date }).Distinct().GroupBy(e => e.StudentId)
                .Select(g => new { Student = g.Key, Year = g.Count(), Term = g.Count(e => e.Date >= termStart), Recent = g.Count(e => e.Date >= recentStart) })
                .ToListAsync(ct))
            .ToDictionary(a => a.Student);
        var incidents = (await db.BehaviorIncidents.Where(e => e.Date >= yearStart && e.Date <= today).GroupBy(e => e.StudentId)
                .Select(g => new { Student = g.Key, Year = g.Count(), Term = g.Count(e => e.Date >= termStart), Recent = g.Count(e => e.Date >= recentStart) })
                .ToListAsync(ct))
            .ToDictionary(a => a.Student);
        var failures = (await db.CourseMarks.Where(e => !e.Passing && e.Date >= yearStart && e.Date <= today).GroupBy(e => e.StudentId)
                .Select(g => new { Student = g.Key, Year = g.Count(), Term = g.Count(e => e.Date >= termStart), Recent = g.Count(e => e.Date >= recentStart) })
                .ToListAsync(ct))
            .ToDictionary(a => a.Student);
        // No calendar and no events: no child has a row (a tenant that imports no indicators reads no students).
        var students = days.Count + absences.Count + incidents.Count + failures.Count == 0 ? []
            : await db.Students.AsNoTracking().Where(s => s.Status == StudentStatus.Active).Select(s => new { s.Id, s.SchoolId }).ToListAsync(ct);

        var rows = new List<StudentIndicators>();
        foreach (var s in students)
        {
            var d = days.GetValueOrDefault(s.SchoolId);
            var a = absences.GetValueOrDefault(s.Id);
            var i = incidents.GetValueOrDefault(s.Id);
            var f = failures.GetValueOrDefault(s.Id);
            if (d is null && a is null && i is null && f is null) continue;
            var row = new StudentIndicators
            {
                StudentId = s.Id, AsOf = today,
                YearDays = d?.Year ?? 0, YearAbsences = Math.Min(a?.Year ?? 0, d?.Year ?? 0), YearIncidents = i?.Year ?? 0, YearFailures = f?.Year ?? 0,
                TermDays = d?.Term ?? 0, TermAbsences = Math.Min(a?.Term ?? 0, d?.Term ?? 0), TermIncidents = i?.Term ?? 0, TermFailures = f?.Term ?? 0,
                RecentDays = d?.Recent ?? 0, RecentAbsences = Math.Min(a?.Recent ?? 0, d?.Recent ?? 0), RecentIncidents = i?.Recent ?? 0, RecentFailures = f?.Recent ?? 0,
            };
            (row.YearAttendance, row.YearBand) = Rate(row.YearDays, row.YearAbsences, thresholds);
            (row.TermAttendance, row.TermBand) = Rate(row.TermDays, row.TermAbsences, thresholds);
            (row.RecentAttendance, row.RecentBand) = Rate(row.RecentDays, row.RecentAbsences, thresholds);
            rows.Add(row);
        }

        // Only the rows whose figures changed are written (most children's are the same from one night to the next):
        // a changed or new child's row is replaced, a row of a child with no figures now goes, the others keep their
        // row and only move their "as of" date.
        var tenantId = tenant.Id;
        await db.InTransactionAsync(async ct =>
        {
            var old = await db.StudentIndicators.AsNoTracking().ToDictionaryAsync(i => i.StudentId, ct);
            var changed = rows.Where(r => !old.TryGetValue(r.StudentId, out var o) || !SameFigures(o, r)).ToList();
            var current = rows.Select(r => r.StudentId).ToHashSet();
            var changedStudents = changed.Select(r => r.StudentId).ToHashSet();
            var replaced = old.Values.Where(o => !current.Contains(o.StudentId) || changedStudents.Contains(o.StudentId)).Select(o => o.Id).ToList();
            foreach (var ids in replaced.Chunk(DeleteChunk))
                await db.StudentIndicators.Where(i => ids.Contains(i.Id)).ExecuteDeleteAsync(ct);
            await BulkInsert.SummaryAsync(db, tenantId, changed, ct);
            await db.StudentIndicators.Where(i => i.AsOf != today).ExecuteUpdateAsync(u => u.SetProperty(i => i.AsOf, today), ct);
            return 0;
        }, ct);
        return rows.Count;
    }

    /// <summary>Ids per DELETE of replaced rows: well under SQL Server's 2,100 parameters, however EF sends the list.</summary>
    private const int DeleteChunk = 1000;

    /// <summary>The same figures (the "as of" date aside): the row need not be written again.</summary>
    private static bool SameFigures(StudentIndicators a, StudentIndicators b) =>
        (a.YearDays, a.YearAbsences, a.YearAttendance, a.YearBand, a.YearIncidents, a.YearFailures)
        == (b.YearDays, b.YearAbsences, b.YearAttendance, b.YearBand, b.YearIncidents, b.YearFailures)
        && (a.TermDays, a.TermAbsences, a.TermAttendance, a.TermBand, a.TermIncidents, a.TermFailures)
        == (b.TermDays, b.TermAbsences, b.TermAttendance, b.TermBand, b.TermIncidents, b.TermFailures)
        && (a.RecentDays, a.RecentAbsences, a.RecentAttendance, a.RecentBand, a.RecentIncidents, a.RecentFailures)
        == (b.RecentDays, b.RecentAbsences, b.RecentAttendance, b.RecentBand, b.RecentIncidents, b.RecentFailures);

    /// <summary>The rate in tenths of a percent (rounded down, so 94.96 % is not shown as 95.0 %) and its band.</summary>
    public static (int? Rate, AttendanceBand? Band) Rate(int days, int absences, Thresholds t)
    {
        if (days <= 0) return (null, null);
        var present = days - absences;
        var rate = present * 1000 / days;
        if (days < MinDaysForBand) return (rate, null);
        // Compared exactly (present / days >= p / 100), not on the rounded rate.
        var band = present * 100 >= t.Satisfactory * days ? AttendanceBand.Satisfactory
            : present * 100 >= t.AtRisk * days ? AttendanceBand.AtRisk
            : present * 100 >= t.Chronic * days ? AttendanceBand.Chronic
            : AttendanceBand.Severe;
        return (rate, band);
    }
}
