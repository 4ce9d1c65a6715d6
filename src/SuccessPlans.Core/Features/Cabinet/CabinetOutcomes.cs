using SuccessPlans.Data;
using SuccessPlans.Features.Directory;
using SuccessPlans.Features.Indicators;
using SuccessPlans.Features.Plans;

namespace SuccessPlans.Features.Cabinet;

/// <summary>
/// One row of outcomes: of the children served whose attendance could be compared (measured), how many moved to a better
/// band, stayed in theirs or moved to a worse one. Shares are whole percents of the measured children, and only when
/// neither the count nor the measured total is suppressed.
/// </summary>
public sealed record OutcomeRow(string Label, Figure Measured, Figure Improved, Figure Stayed, Figure Worsened)
{
    public int? ImprovedPercent => Share(Improved);
    public int? StayedPercent => Share(Stayed);
    public int? WorsenedPercent => Share(Worsened);

    private int? Share(Figure f) => f.Value is { } v && Measured.Value is { } m && m > 0 ? (int)Math.Round(v * 100.0 / m, MidpointRounding.AwayFromZero) : null;

    internal IReadOnlyList<Figure> Bands => [Improved, Stayed, Worsened];
}

public sealed record OutcomeTable(string Key, string Title, string Dimension, IReadOnlyList<OutcomeRow> Rows, OutcomeRow Total);

/// <summary>The cabinet's outcomes for a period: counts of children and shares, every one suppressed where small; never a child.</summary>
public sealed record Outcomes(DateOnly From, DateOnly To, string PeriodLabel, int Threshold, Figure ChildrenServed, OutcomeRow Total, IReadOnlyList<OutcomeTable> Tables)
{
    public OutcomeTable Table(string key) => Tables.Single(t => t.Key == key);
}

/// <summary>
/// Whether the children served in a period came to school more (docs/cabinet-periods.md, "Outcomes"). For each child with a
/// service in the period, from the <see cref="DeliveryYear"/> rollup: the attendance band of the 30 days before the first
/// month with a service in the period (wholly before any service of the period), against the band of the last 30 days of the
/// period (up to today when the period has not ended). A child is measured when the second window starts after the first
/// month of service began and each window has at least <see cref="IndicatorSummary.MinDaysForBand"/> instructional days.
/// Breakdowns by the domain, school and service tier of the child's services in the period (a child served in two domains
/// counts in both). Suppressed by <see cref="Suppression"/> down each column and across each row, until nothing changes.
/// </summary>
public sealed class CabinetOutcomes(AppDbContext db)
{
    public const int WindowDays = 30;

    private sealed class Child
    {
        public DateOnly FirstMonth { get; set; } = DateOnly.MaxValue;
        public HashSet<Domain> Domains { get; } = [];
        public HashSet<int> Schools { get; } = [];
        public HashSet<int> Tiers { get; } = []; // -1: no tier given
        public int? Change { get; set; } // -1 improved, 0 stayed, 1 worsened; null not measured
    }

    public async Task<Outcomes> BuildAsync(Period period, DateOnly today, CancellationToken ct = default)
    {
        var tenant = await db.Tenants.AsNoTracking().SingleAsync(ct);
        var threshold = tenant.SuppressionThreshold;
        var thresholds = new IndicatorSummary.Thresholds(tenant.AttendanceSatisfactoryPercent, tenant.AttendanceAtRiskPercent, tenant.AttendanceChronicPercent);

        // Who was served, from when, in which domains, schools and tiers: the rollup alone (periods are whole months).
        var children = new Dictionary<int, Child>();
        var end = period.To.AddDays(1);
        var (y1, y2) = (SchoolYears.For(period.From), SchoolYears.For(period.To));
        await foreach (var row in db.DeliveryYears.AsNoTracking().Where(m => m.SchoolYear >= y1 && m.SchoolYear <= y2).AsAsyncEnumerable().WithCancellation(ct))
        {
            var counts = row.ByIndex();
            for (var i = 0; i < 12; i++)
            {
                var month = DeliveryYear.MonthAt(row.SchoolYear, i);
                if (counts[i] == 0 || month < period.From || month >= end) continue;
                if (!children.TryGetValue(row.StudentId, out var child)) children[row.StudentId] = child = new Child();
                if (month < child.FirstMonth) child.FirstMonth = month;
                child.Domains.Add(row.Domain);
                child.Schools.Add(row.SchoolId);
                child.Tiers.Add(row.Tier is { } t ? (int)t : -1);
            }
        }

        var afterTo = period.To < today ? period.To : today;
        var afterFrom = afterTo.AddDays(1 - WindowDays);
        if (children.Count > 0)
        {
            // The children are named by a subquery over the rollup's school years, never by a list of ids: a city's
            // 30,000 children served would be 30,000 parameters (beyond SQL Server's 2,100), rebuilt at every request.
            var servedIds = Served(db, y1, y2);
            var earliest = children.Values.Min(c => c.FirstMonth).AddDays(-WindowDays);
            var schoolOf = await db.Students.Where(s => servedIds.Contains(s.Id)).Select(s => new { s.Id, s.SchoolId }).ToDictionaryAsync(s => s.Id, s => s.SchoolId, ct);
            var days = (await db.SchoolDays.Where(d => d.Date >= earliest && d.Date <= afterTo).Select(d => new { d.SchoolId, d.Date }).ToListAsync(ct))
                .ToLookup(d => d.SchoolId, d => d.Date);
            var absences = (await AbsenceDays(db, y1, y2, earliest, afterTo).ToListAsync(ct)).ToLookup(a => a.StudentId, a => a.Date);
            foreach (var (id, child) in children)
            {
                if (!schoolOf.TryGetValue(id, out var school) || afterFrom < child.FirstMonth) continue;
                var beforeFrom = child.FirstMonth.AddDays(-WindowDays);
                var before = Band(days[school], absences[id], beforeFrom, child.FirstMonth.AddDays(-1), thresholds);
                var after = Band(days[school], absences[id], afterFrom, afterTo, thresholds);
                if (before is { } b && after is { } a) child.Change = Math.Sign((int)a - (int)b);
            }
        }

        var schools = await db.Schools.OrderBy(s => s.Name).Select(s => new { s.Id, s.Name }).ToListAsync(ct);
        var tiers = Enum.GetValues<ServiceTier>().Select(t => ((int)t, Labels.Words(t))).ToList();
        if (children.Values.Any(c => c.Tiers.Contains(-1))) tiers.Add((-1, Labels.T("Not given")));
        var total = Row("Total", children.Values);
        var tables = new List<OutcomeTable>
        {
            new("domain", "Attendance of children served, by domain", "Domain", Enum.GetValues<Domain>().Select(d => Row(Labels.Words(d), children.Values.Where(c => c.Domains.Contains(d)))).ToList(), total),
            new("school", "Attendance of children served, by school", "School", schools.Select(s => Row(s.Name, children.Values.Where(c => c.Schools.Contains(s.Id)))).ToList(), total),
            new("tier", "Attendance of children served, by service tier", "Service tier", tiers.Select(t => Row(t.Item2, children.Values.Where(c => c.Tiers.Contains(t.Item1)))).ToList(), total),
        };
        Suppress(tables, total, threshold);
        var served = new Figure(children.Count, children.Count);
        if (Suppression.IsSmall(served.Children, threshold)) served.Suppressed = true;
        return new Outcomes(period.From, period.To, period.Label, threshold, served, total, tables);
    }

    /// <summary>Days with an absence (several events on a day count once), for the children served (public, so its SQL Server translation is tested).</summary>
    public static IQueryable<StudentDay> AbsenceDays(AppDbContext db, int fromSchoolYear, int toSchoolYear, DateOnly from, DateOnly to)
    {
        var served = Served(db, fromSchoolYear, toSchoolYear);
        return db.AttendanceEvents.Where(e => served.Contains(e.StudentId) && e.Date >= from && e.Date <= to && AttendanceEvent.Absences.Contains(e.Category))
            .Select(e => new StudentDay(e.StudentId, e.Date)).Distinct();
    }

    /// <summary>The children with a service in those school years (a superset of the period's: the caller keeps its own).</summary>
    private static IQueryable<int> Served(AppDbContext db, int fromSchoolYear, int toSchoolYear) =>
        db.DeliveryYears.Where(d => d.SchoolYear >= fromSchoolYear && d.SchoolYear <= toSchoolYear).Select(d => d.StudentId);

    public sealed record StudentDay(int StudentId, DateOnly Date);

    private static AttendanceBand? Band(IEnumerable<DateOnly> schoolDays, IEnumerable<DateOnly> absent, DateOnly from, DateOnly to, IndicatorSummary.Thresholds thresholds)
    {
        var days = schoolDays.Where(d => d >= from && d <= to).ToHashSet();
        var absences = absent.Count(d => d >= from && d <= to && days.Contains(d));
        return IndicatorSummary.Rate(days.Count, absences, thresholds).Band;
    }

    private static OutcomeRow Row(string label, IEnumerable<Child> children)
    {
        var measured = children.Where(c => c.Change is not null).ToList();
        Figure Of(long n) => new(n, n);
        return new OutcomeRow(label, Of(measured.Count), Of(measured.Count(c => c.Change < 0)), Of(measured.Count(c => c.Change == 0)), Of(measured.Count(c => c.Change > 0)));
    }

    /// <summary>
    /// The cabinet's suppression on both axes: down each column of every table under the shared total row, and across each
    /// row under its measured children (improved, stayed and worsened add up to it). The total row is the same in every
    /// table and in the headline, so a figure one table hides cannot be recovered from another. Each pass only hides more,
    /// so it ends.
    /// </summary>
    private static void Suppress(IReadOnlyList<OutcomeTable> tables, OutcomeRow total, int threshold)
    {
        var columns = new Func<OutcomeRow, Figure>[] { r => r.Measured, r => r.Improved, r => r.Stayed, r => r.Worsened };
        var rows = tables.SelectMany(t => t.Rows).Append(total).ToList();
        int Hidden() => rows.Sum(r => columns.Count(c => c(r).Suppressed));
        int before;
        do
        {
            before = Hidden();
            foreach (var table in tables)
                foreach (var column in columns)
                    Suppression.Apply(table.Rows.Select(column).ToList(), column(total), threshold);
            foreach (var row in rows)
                Suppression.Apply(row.Bands, row.Measured, threshold);
        } while (Hidden() != before);
    }
}
