using System.Linq.Expressions;
using SuccessPlans.Data;
using SuccessPlans.Features.Indicators;

namespace SuccessPlans.Features.Plans;

/// <summary>A measured goal as the student page shows it: its values after the baseline and its progress code.</summary>
public sealed record GoalView(PlanItem Need, GoalMeasure Measure, string Unit, IReadOnlyList<GoalValue> Values, IReadOnlyList<GoalPoint> Points, GoalProgress? Progress)
{
    public GoalValue? Latest => Values.Count == 0 ? null : Values.MaxBy(v => v.On);
}

/// <summary>
/// The values of a child's measured goals. Indicator measures are computed from the imported rows, month by month after the
/// baseline's date (never copied): the attendance rate of the month's instructional days, the incidents and the failing
/// marks dated in it; only months with instructional days count (with no calendar at the school, every month). A handful of
/// queries for the child, whatever the number of goals.
/// </summary>
public sealed class GoalSeries(AppDbContext db)
{
    public async Task<IReadOnlyDictionary<int, GoalView>> ForAsync(int studentId, IReadOnlyList<PlanItem> needs, DateOnly today, CancellationToken ct = default)
    {
        var measured = needs.Where(n => n is { Kind: PlanItemKind.Need, Measure: not null, Baseline: not null, Target: not null, BaselineOn: not null }).ToList();
        var result = new Dictionary<int, GoalView>();
        if (measured.Count == 0) return result;

        var ids = measured.Select(n => n.Id).ToArray();
        var points = (await CompiledRows.ListAsync(PointsQuery(db, ids), ct)).ToLookup(p => p.NeedId);

        var fromIndicators = measured.Where(n => n.Measure != GoalMeasure.Recorded).ToList();
        Monthly? monthly = null;
        if (fromIndicators.Count > 0)
            monthly = await MonthlyAsync(studentId, fromIndicators.Min(n => n.BaselineOn!.Value).AddDays(1), today, ct);

        foreach (var need in measured)
        {
            var measure = need.Measure!.Value;
            var mine = points[need.Id].ToList();
            var values = measure == GoalMeasure.Recorded
                ? mine.Select(p => new GoalValue(p.On, p.Value)).ToList()
                : monthly!.After(need.BaselineOn!.Value, measure);
            result[need.Id] = new GoalView(need, measure, Goals.Unit(measure, need.MeasureLabel), values, mine, Goals.Progress(need.Baseline!.Value, need.Target!.Value, values));
        }
        return result;
    }

    /// <summary>The child's instructional days, absence days, incidents and failing marks from a date to today.</summary>
    private sealed record Monthly(List<DateOnly> Days, HashSet<DateOnly> Absences, List<DateOnly> Incidents, List<DateOnly> Failures, DateOnly Today)
    {
        /// <summary>One value per month (or part of a month) after the baseline's date, dated by the last day it counts.</summary>
        public List<GoalValue> After(DateOnly baselineOn, GoalMeasure measure)
        {
            var values = new List<GoalValue>();
            var hasCalendar = Days.Count > 0;
            for (var month = new DateOnly(baselineOn.Year, baselineOn.Month, 1); month <= Today; month = month.AddMonths(1))
            {
                var from = month > baselineOn ? month : baselineOn.AddDays(1);
                var to = month.AddMonths(1).AddDays(-1) is var end && end < Today ? end : Today;
                if (from > to) continue;
                var days = Days.Where(d => d >= from && d <= to).ToList();
                if (hasCalendar && days.Count == 0) continue;
                decimal? value = measure switch
                {
                    GoalMeasure.AttendanceRate when days.Count > 0 => decimal.Round((days.Count - days.Count(Absences.Contains)) * 100m / days.Count, 1),
                    GoalMeasure.Incidents => Incidents.Count(d => d >= from && d <= to),
                    GoalMeasure.CourseFailures => Failures.Count(d => d >= from && d <= to),
                    _ => null,
                };
                if (value is { } v) values.Add(new GoalValue(to, v));
            }
            return values;
        }
    }

    private async Task<Monthly> MonthlyAsync(int studentId, DateOnly from, DateOnly today, CancellationToken ct)
    {
        var (days, absences, incidents, failures) = (new List<DateOnly>(), new HashSet<DateOnly>(), new List<DateOnly>(), new List<DateOnly>());
        await foreach (var row in DatedQuery(db, studentId, from, today).WithCancellation(ct))
            (row.Kind switch { DatedKind.SchoolDay => days, DatedKind.Incident => incidents, DatedKind.Failure => failures, _ => (ICollection<DateOnly>)absences }).Add(row.Date);
        return new Monthly(days, absences, incidents, failures, today);
    }

    /// <summary>A date of one of the kinds the months count (a row of <see cref="Dated"/>).</summary>
    public enum DatedKind { SchoolDay, Absence, Incident, Failure }

    // Set by member, not by a constructor: EF puts only a member-wise projection in a UNION.
    public sealed class DatedRow
    {
        public DatedKind Kind { get; init; }
        public DateOnly Date { get; init; }
    }

    // The two queries of a child's goals, each written once as an expression and run compiled: with five more for the
    // months, EF's walk and look-up of each LINQ tree was a third of a student page's CPU for a child with measured goals
    // (issue 15). The tests translate the very same trees for SQL Server.
    private static readonly Expression<Func<AppDbContext, int[], IQueryable<GoalPoint>>> PointsOf = (db, needIds) =>
        db.GoalPoints.AsNoTracking().Where(p => needIds.Contains(p.NeedId)).OrderBy(p => p.On).ThenBy(p => p.Id);

    // The school's instructional days and the child's absences, incidents and failing marks from a date to today, in one
    // statement (UNION ALL): a query a kind cost EF's command, reader and materializer and SQLite's statement each time.
    private static readonly Expression<Func<AppDbContext, int, DateOnly, DateOnly, IQueryable<DatedRow>>> DatedOf = (db, studentId, from, today) =>
        db.SchoolDays.Where(d => d.SchoolId == db.Students.Where(s => s.Id == studentId).Select(s => s.SchoolId).First() && d.Date >= from && d.Date <= today)
            .Select(d => new DatedRow { Kind = DatedKind.SchoolDay, Date = d.Date })
        .Concat(db.AttendanceEvents.Where(e => e.StudentId == studentId && e.Date >= from && e.Date <= today && AttendanceEvent.Absences.Contains(e.Category))
            .Select(e => new DatedRow { Kind = DatedKind.Absence, Date = e.Date }))
        .Concat(db.BehaviorIncidents.Where(e => e.StudentId == studentId && e.Date >= from && e.Date <= today)
            .Select(e => new DatedRow { Kind = DatedKind.Incident, Date = e.Date }))
        .Concat(db.CourseMarks.Where(e => e.StudentId == studentId && !e.Passing && e.Date >= from && e.Date <= today)
            .Select(e => new DatedRow { Kind = DatedKind.Failure, Date = e.Date }));

    private static readonly Func<AppDbContext, int[], IAsyncEnumerable<GoalPoint>> PointsQuery = EF.CompileAsyncQuery(PointsOf);
    private static readonly Func<AppDbContext, int, DateOnly, DateOnly, IAsyncEnumerable<DatedRow>> DatedQuery = EF.CompileAsyncQuery(DatedOf);
    private static readonly Func<AppDbContext, int[], IQueryable<GoalPoint>> PointsQueryable = PointsOf.Compile();
    private static readonly Func<AppDbContext, int, DateOnly, DateOnly, IQueryable<DatedRow>> DatedQueryable = DatedOf.Compile();

    public static IQueryable<GoalPoint> Points(AppDbContext db, int[] needIds) => PointsQueryable(db, needIds);
    public static IQueryable<DatedRow> Dated(AppDbContext db, int studentId, DateOnly from, DateOnly today) => DatedQueryable(db, studentId, from, today);
}
