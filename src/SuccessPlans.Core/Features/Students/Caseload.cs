using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using SuccessPlans.Data;
using SuccessPlans.Features.Indicators;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Schools;

namespace SuccessPlans.Features.Students;

/// <summary>The caseload's filters and sort (the page's query string).</summary>
public sealed record CaseloadFilter(string? Q = null, int? School = null, string? Grade = null, int? Tier = null, string? Plan = null,
    bool OpenNeeds = false, bool OpenFlags = false, bool Withdrawn = false, string? Sort = "name", AttendanceBand? Band = null);

public sealed record CaseloadRow(int Id, string FamilyName, string GivenName, string? Grade, string School, StudentStatus Status,
    int? Tier, PlanStatus? PlanStatus, int OpenNeeds, DateOnly? NextReviewDue, AttendanceBand? Band = null, int? Attendance = null);

/// <summary>
/// The caseload as one query: filtered, sorted and projected in SQL, ready to count and page. Built here, not in the
/// page, so its SQL Server translation is tested without a server.
/// </summary>
public static class Caseload
{
    /// <summary>
    /// The students the filters keep, as a query on students alone: every filter on the plan, its needs or the
    /// indicators is an EXISTS on its own index, so counting needs no join (a LEFT JOIN cannot be dropped by the database
    /// even when nothing reads it).
    /// </summary>
    /// <param name="visible">The students the user may see (the web's StudentAccess).</param>
    public static IQueryable<Student> Filtered(AppDbContext db, IQueryable<Student> visible, CaseloadFilter f, int schoolYear)
    {
        var query = visible.Where(s => f.Withdrawn || s.Status == StudentStatus.Active);
        if (!string.IsNullOrWhiteSpace(f.Q))
        {
            query = query.Where(Matching(f.Q.Trim()));
        }
        if (f.School is { } school) query = query.Where(s => s.SchoolId == school);
        if (!string.IsNullOrEmpty(f.Grade)) query = query.Where(s => s.Grade == f.Grade);
        if (f.OpenFlags) query = query.Where(s => db.Flags.Any(fl => fl.StudentId == s.Id && fl.ResolvedAt == null && fl.DismissedAt == null));
        // This school year's plan is unique per student and year: "has a plan with X" is the plan's X.
        var plans = db.Plans.Where(p => p.SchoolYear == schoolYear);
        if (f.Tier is { } tier) query = query.Where(s => plans.Any(p => p.StudentId == s.Id && p.Tier == tier));
        query = f.Plan switch
        {
            "none" => query.Where(s => !plans.Any(p => p.StudentId == s.Id)),
            "active" => query.Where(s => plans.Any(p => p.StudentId == s.Id && p.Status == PlanStatus.Active)),
            "closed" => query.Where(s => plans.Any(p => p.StudentId == s.Id && p.Status == PlanStatus.Closed)),
            _ => query,
        };
        if (f.OpenNeeds)
            query = query.Where(s => plans.Any(p => p.StudentId == s.Id && p.Items.Any(i => i.Kind == PlanItemKind.Need && i.Status == NeedStatus.Open)));
        if (f.Band is { } band) query = query.Where(s => db.StudentIndicators.Any(i => i.StudentId == s.Id && i.YearBand == band));
        return query;
    }

    /// <summary>One page of the caseload: its rows, how many students the filters keep, and the page shown (the last one when asked past it).</summary>
    public sealed record Page(IReadOnlyList<CaseloadRow> Rows, int Total, int Number);

    /// <summary>
    /// The page <paramref name="number"/> of <paramref name="size"/> rows of the students of <paramref name="schools"/>
    /// (the user's schools, as <see cref="StudentScope.InSchools"/> scopes them) that the filters keep. The count is the one
    /// kept since the last write to what it reads (<see cref="TenantReadCache"/>), or read and kept: a count known to be 0
    /// needs no rows, and a first page that is not full holds every match (its count is kept too). A sort by a joined
    /// column keeps its order the same way (<see cref="SortsEveryChild"/>).
    /// </summary>
    public static async Task<Page> PageAsync(AppDbContext db, TenantReadCache counts, IReadOnlyList<int> schools, CaseloadFilter f, int schoolYear,
        int number, int size, CancellationToken ct)
    {
        number = Math.Max(1, number);
        var visible = StudentScope.InSchools(db, schools);
        // The key (with the generation) before any read: a write while they run retires what is stored under it.
        var key = db.CurrentTenantId is { } tenantId ? new CountKey(counts.StampOf(tenantId), string.Join(',', schools.Order()), Normalized(f), schoolYear) : null;
        if (key is not null && SortsEveryChild(f.Sort))
            return await InKeptOrderAsync(db, counts, key with { Filter = key.Filter with { Sort = f.Sort } }, visible, f, schoolYear, number, size, ct);
        int? known = key is not null && counts.TryGet<int>(key, out var kept) ? kept : null;
        if (known == 0) return new Page([], 0, 1);

        var rows = await RowsAsync(number);
        int total;
        if (known is { } k) total = k;
        else if (number == 1 && rows.Count < size) total = rows.Count;
        else total = await Filtered(db, visible, f, schoolYear).CountAsync(ct);
        if (key is not null && known is null) counts.Store(key, total);

        var last = Math.Max(1, (total + size - 1) / size);
        if (number > last)
        {
            number = last;
            rows = await RowsAsync(number);
        }
        return new Page(rows, total, number);

        async Task<IReadOnlyList<CaseloadRow>> RowsAsync(int page) =>
            await Query(db, visible, f, schoolYear).Skip((page - 1) * size).Take(size).ToListAsync(ct);
    }

    /// <summary>
    /// The sorts by a column of this year's plan, its needs or the indicators: SQL orders every child of the scope before
    /// the page's LIMIT (9 ms at 10,000 children, against 2 ms for the name sort, which walks the name index and stops
    /// at the page).
    /// </summary>
    public static bool SortsEveryChild(string? sort) => sort is "grade" or "tier" or "needs" or "attendance" or "review";

    // Such a sort's order is kept as the students' ids (its count is their number) until a write to what it reads; the
    // page's rows are read by id and filtered again, so a child that another process changed since drops out at once.
    private static async Task<Page> InKeptOrderAsync(AppDbContext db, TenantReadCache cache, CountKey key, IQueryable<Student> visible, CaseloadFilter f,
        int schoolYear, int number, int size, CancellationToken ct)
    {
        if (!cache.TryGet<int[]>(key, out var ids))
        {
            ids = [.. await Sorted(Joined(db, Filtered(db, visible, f, schoolYear), schoolYear), f.Sort).Select(r => r.Student.Id).ToListAsync(ct)];
            cache.Store(key, ids, 1 + ids.Length / 256);
        }
        number = Math.Min(number, Math.Max(1, (ids.Length + size - 1) / size));
        var shown = ids.Skip((number - 1) * size).Take(size).ToArray();
        if (shown.Length == 0) return new Page([], 0, 1);
        var rows = await Joined(db, Filtered(db, visible, f, schoolYear).Where(s => EF.Parameter(shown).Contains(s.Id)), schoolYear)
            .Select(AsRow).ToListAsync(ct);
        return new Page(TenantReadCache.InKeptOrder(rows, shown, r => r.Id), ids.Length, number);
    }

    // A kept count's key (the sort and the page do not change a count; a blank search or grade is no filter), and a kept
    // order's, with the sort.
    private sealed record CountKey(TenantReadCache.Stamp Stamp, string Schools, CaseloadFilter Filter, int SchoolYear);

    private static CaseloadFilter Normalized(CaseloadFilter f) => f with
    {
        Sort = null,
        Q = string.IsNullOrWhiteSpace(f.Q) ? null : f.Q.Trim(),
        Grade = string.IsNullOrEmpty(f.Grade) ? null : f.Grade,
        Plan = string.IsNullOrEmpty(f.Plan) ? null : f.Plan,
    };

    /// <summary>The caseload's rows: <see cref="Filtered"/>, with this year's plan and the indicators joined for its columns and sort.</summary>
    /// <param name="visible">The students the user may see (the web's StudentAccess).</param>
    public static IQueryable<CaseloadRow> Query(AppDbContext db, IQueryable<Student> visible, CaseloadFilter f, int schoolYear) =>
        Sorted(Joined(db, Filtered(db, visible, f, schoolYear), schoolYear), f.Sort).Select(AsRow);

    // Initialised by members, not by a constructor: EF orders and projects by the members of such an object.
    private sealed class Row
    {
        public required Student Student { get; init; }
        public int? Tier { get; init; }
        public PlanStatus? Status { get; init; }
        public DateOnly? NextReviewDue { get; init; }
        public int OpenNeeds { get; init; }
        public AttendanceBand? Band { get; init; }
        public int? Attendance { get; init; }
    }

    // One LEFT JOIN to this school year's plan (unique per student and year), not a correlated subquery repeated for each
    // column and sort that reads it; the open-needs count is read per row shown (after the page's LIMIT) unless the sort
    // asks for it.
    private static IQueryable<Row> Joined(AppDbContext db, IQueryable<Student> students, int schoolYear) =>
        from s in students
        join p in db.Plans.Where(p => p.SchoolYear == schoolYear) on s.Id equals p.StudentId into current
        from p in current.DefaultIfEmpty()
        // The attendance band from the per-student summary (one row per student), never computed here.
        join i in db.StudentIndicators on s.Id equals i.StudentId into indicators
        from i in indicators.DefaultIfEmpty()
        select new Row
        {
            Student = s,
            Tier = p == null ? (int?)null : p.Tier,
            Status = p == null ? (PlanStatus?)null : p.Status,
            NextReviewDue = p == null ? null : p.NextReviewDue,
            OpenNeeds = p == null ? 0 : p.Items.Count(i => i.Kind == PlanItemKind.Need && i.Status == NeedStatus.Open),
            Band = i == null ? null : i.YearBand,
            Attendance = i == null ? null : i.YearAttendance,
        };

    private static IQueryable<Row> Sorted(IQueryable<Row> rows, string? sort) => sort switch
    {
        "grade" => rows.OrderByGrade(r => r.Student.Grade).ThenBy(r => r.Student.FamilyName).ThenBy(r => r.Student.GivenName).ThenBy(r => r.Student.Id),
        "tier" => rows.OrderByDescending(r => r.Tier ?? 0).ThenBy(r => r.Student.FamilyName).ThenBy(r => r.Student.GivenName).ThenBy(r => r.Student.Id),
        "needs" => rows.OrderByDescending(r => r.OpenNeeds).ThenBy(r => r.Student.FamilyName).ThenBy(r => r.Student.Id),
        "attendance" => rows.OrderBy(r => r.Attendance == null).ThenBy(r => r.Attendance).ThenBy(r => r.Student.FamilyName).ThenBy(r => r.Student.Id),
        "review" => rows.OrderBy(r => r.NextReviewDue == null).ThenBy(r => r.NextReviewDue).ThenBy(r => r.Student.FamilyName).ThenBy(r => r.Student.Id),
        _ => rows.OrderBy(r => r.Student.FamilyName).ThenBy(r => r.Student.GivenName),
    };

    private static readonly Expression<Func<Row, CaseloadRow>> AsRow = r => new CaseloadRow(r.Student.Id, r.Student.FamilyName, r.Student.GivenName,
        r.Student.Grade, r.Student.School.Name, r.Student.Status, r.Tier, r.Status, r.OpenNeeds, r.NextReviewDue, r.Band, r.Attendance);

    /// <summary>
    /// A search as people type it: "Family, Given" (as lists show names), "Given Family", part of either name (any case),
    /// or a student's source or local id. LIKE patterns, so SQLite and SQL Server both match without regard to case.
    /// </summary>
    public static Expression<Func<Student, bool>> Matching(string q)
    {
        var comma = q.IndexOf(',');
        if (comma >= 0)
        {
            var family = Escape(q[..comma].Trim()) + "%";
            var given = Escape(q[(comma + 1)..].Trim()) + "%";
            return s => s.LocalId == q || s.ExternalId == q
                        || (EF.Functions.Like(s.FamilyName, family, Escaper) && EF.Functions.Like(s.GivenName, given, Escaper));
        }
        var space = q.IndexOf(' ');
        if (space > 0)
        {
            var first = Escape(q[..space]) + "%";
            var rest = Escape(q[(space + 1)..].Trim()) + "%";
            var whole = "%" + Escape(q) + "%";
            return s => s.LocalId == q || s.ExternalId == q
                        || (EF.Functions.Like(s.GivenName, first, Escaper) && EF.Functions.Like(s.FamilyName, rest, Escaper))
                        || (EF.Functions.Like(s.FamilyName, first, Escaper) && EF.Functions.Like(s.GivenName, rest, Escaper))
                        || EF.Functions.Like(s.FamilyName, whole, Escaper) || EF.Functions.Like(s.GivenName, whole, Escaper);
        }
        var part = "%" + Escape(q) + "%";
        return s => s.LocalId == q || s.ExternalId == q || EF.Functions.Like(s.FamilyName, part, Escaper) || EF.Functions.Like(s.GivenName, part, Escaper);
    }

    private const string Escaper = "\\";

    // LIKE's wildcards (and SQL Server's brackets) in a typed name match themselves.
    private static string Escape(string text) =>
        text.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_").Replace("[", "\\[");
}
