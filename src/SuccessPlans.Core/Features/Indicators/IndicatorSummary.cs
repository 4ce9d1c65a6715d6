using SuccessPlans.Data;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Students;

namespace SuccessPlans.Features.Indicators;

/// <summary>
/// Rebuilds every student's <see cref="StudentIndicators"/> row as of a local date: the year so far (from 1 August), this
/// term (fall from August, spring from February) and the last 30 days. A handful of grouped queries and batched inserts,
/// whatever the number of students; run after each import and by the nightly check.
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
        var students = await db.Students.AsNoTracking().Where(s => s.Status == StudentStatus.Active).Select(s => new { s.Id, s.SchoolId }).ToListAsync(ct);

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

        var tenantId = tenant.Id;
        await db.InTransactionAsync(async ct =>
        {
            await db.StudentIndicators.ExecuteDeleteAsync(ct);
            await BulkInsert.SummaryAsync(db, tenantId, rows, ct);
            return 0;
        }, ct);
        return rows.Count;
    }

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
