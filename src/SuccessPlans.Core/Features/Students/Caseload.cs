using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Query;
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
    public static IQueryable<Student> Filtered(AppDbContext db, IQueryable<Student> visible, CaseloadFilter f, int schoolYear) =>
        Built<Student>(Shape.Of(f, Output.Students)).Invoke(db, Args.Of(f, schoolYear, []), visible);

    /// <summary>One page of the caseload: its rows, how many students the filters keep, and the page shown (the last one when asked past it).</summary>
    public sealed record Page(IReadOnlyList<CaseloadRow> Rows, int Total, int Number);

    /// <summary>
    /// The page <paramref name="number"/> of <paramref name="size"/> rows of the students of <paramref name="schools"/>
    /// (the user's schools, as <see cref="StudentScope.InSchools"/> scopes them) that the filters keep. The count is the one
    /// kept since the last write to what it reads (<see cref="TenantReadCache"/>), or read and kept: a count known to be 0
    /// needs no rows, and a first page that is not full holds every match (its count is kept too). A sort by a joined
    /// column, or a filter on another table, keeps its order the same way (<see cref="KeepsOrder"/>). The page itself is
    /// kept too, under the tenant's <see cref="DataVersion"/> read first: a page already shown costs that one read until a
    /// write by any app process on the database, which shows at the next request (reading its 50 rows again at every
    /// request was most of the caseload's SQL and a third of its CPU, issue 15).
    /// </summary>
    public static async Task<Page> PageAsync(AppDbContext db, TenantReadCache counts, IReadOnlyList<int> schools, CaseloadFilter f, int schoolYear,
        int number, int size, CancellationToken ct)
    {
        number = Math.Max(1, number);
        if (db.CurrentTenantId is not { } tenantId) return await CountedAsync(db, counts, null, schools, f, schoolYear, number, size, ct);
        // The stamp and the version before any read: a write while they run retires what is stored under them.
        var stamp = counts.StampOf(tenantId);
        var version = await DataVersions.ReadAsync(db, ct);
        var key = new CountKey(stamp, version, string.Join(',', schools.Order()), Normalized(f), schoolYear);
        var pageKey = new PageKey(key with { Filter = key.Filter with { Sort = OrderOf(f.Sort) } }, number, size);
        if (counts.TryGet<Page>(pageKey, out var kept)) return kept;
        var page = KeepsOrder(f)
            ? await InKeptOrderAsync(db, counts, pageKey.List, schools, f, schoolYear, number, size, ct)
            : await CountedAsync(db, counts, key, schools, f, schoolYear, number, size, ct);
        // Under the page shown: a number past the last (the last shown) keeps nothing of its own.
        counts.Store(pageKey with { Number = page.Number }, page, TenantReadCache.PageOfRowsSize);
        return page;
    }

    // A page in name order: its rows walked in the name index up to the page, and its count (kept under key, if any).
    private static async Task<Page> CountedAsync(AppDbContext db, TenantReadCache counts, CountKey? key, IReadOnlyList<int> schools, CaseloadFilter f,
        int schoolYear, int number, int size, CancellationToken ct)
    {
        int? known = key is not null && counts.TryGet<int>(key, out var kept) ? kept : null;
        if (known == 0) return new Page([], 0, 1);

        IReadOnlyList<CaseloadRow> rows = await RowsAsync(number);
        int total;
        if (known is { } k) total = k;
        else if (number == 1 && rows.Count < size) total = rows.Count;
        else total = await Filtered(db, StudentScope.InSchools(db, schools), f, schoolYear).CountAsync(ct);
        if (key is not null && known is null) counts.Store(key, total);

        var last = Math.Max(1, (total + size - 1) / size);
        if (number > last)
        {
            number = last;
            rows = await RowsAsync(number);
        }
        return new Page(rows, total, number);

        Task<List<CaseloadRow>> RowsAsync(int page) =>
            RunAsync(db, Shape.Of(f, Output.Page), Args.Of(f, schoolYear, schools, skip: (page - 1) * size, take: size), ct);
    }

    /// <summary>
    /// The sorts by a column of this year's plan, its needs or the indicators: SQL orders every child of the scope before
    /// the page's LIMIT (9 ms at 10,000 children, against 2 ms for the name sort, which walks the name index and stops
    /// at the page).
    /// </summary>
    public static bool SortsEveryChild(string? sort) => sort is "grade" or "tier" or "needs" or "attendance" or "review";

    // The order a page is in: such a sort, or names (any other sort asked for, or none).
    private static string OrderOf(string? sort) => SortsEveryChild(sort) ? sort! : "name";

    /// <summary>
    /// Whether a page of <paramref name="f"/> is read from a kept order: a sort that orders every child, or a filter on this
    /// year's plan, its needs, the flags or the indicators. Such a filter is an EXISTS that the walk in name order tests for
    /// each child until the page is full: for one child in ten (the district's tier 2), ten children looked up for each row
    /// shown, three times the SQL of the unfiltered page at 10,000 children (issue 15).
    /// </summary>
    public static bool KeepsOrder(CaseloadFilter f) => SortsEveryChild(f.Sort)
        || f.Tier is not null || f.Plan is "active" or "closed" || f.OpenNeeds || f.OpenFlags || f.Band is not null;

    // Such a sort's or filter's order is kept as the students' ids (its count is their number) until a write to what it
    // reads; a page's rows are read by id and filtered again, so a child changed since the order was read drops out.
    private static async Task<Page> InKeptOrderAsync(AppDbContext db, TenantReadCache cache, CountKey key, IReadOnlyList<int> schools, CaseloadFilter f,
        int schoolYear, int number, int size, CancellationToken ct)
    {
        if (!cache.TryGet<int[]>(key, out var ids))
        {
            ids = [.. await Built<int>(Shape.Of(f, Output.SortedIds)).Invoke(db, Args.Of(f, schoolYear, schools), StudentScope.InSchools(db, schools)).ToListAsync(ct)];
            cache.Store(key, ids, 1 + ids.Length / 256);
        }
        number = Math.Min(number, Math.Max(1, (ids.Length + size - 1) / size));
        var shown = ids.Skip((number - 1) * size).Take(size).ToArray();
        if (shown.Length == 0) return new Page([], 0, 1);
        var rows = await RunAsync(db, Shape.Of(f, Output.ById), Args.Of(f, schoolYear, schools, ids: shown), ct);
        return new Page(TenantReadCache.InKeptOrder(rows, shown, r => r.Id), ids.Length, number);
    }

    // A kept count's key (the sort and the page do not change a count; a blank search or grade is no filter), and a kept
    // order's, with its order (OrderOf: "name" when no sort orders every child, so it never is a count's key).
    private sealed record CountKey(TenantReadCache.Stamp Stamp, long Version, string Schools, CaseloadFilter Filter, int SchoolYear);

    // A kept page: of a kept order's key (its Filter's Sort is the order), the number of the page shown and the size.
    private sealed record PageKey(CountKey List, int Number, int Size);

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
        Built<CaseloadRow>(Shape.Of(f, Output.Sorted)).Invoke(db, Args.Of(f, schoolYear, []), visible);

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

    // ---- The query, built once per shape ----
    //
    // The caseload's query changes with its filters and sort, so EF could not keep it compiled: at each request it walked
    // and looked up the whole LINQ tree again, and the page built that tree first (12% of the caseload's CPU at 32
    // connections, issue 15, 2026-12-05). Here the query of each shape (which filters are set, the search's form, the
    // sort) is built once from the parts below, each written once, and kept: as a compiled query for the page's rows
    // (EF.CompileAsyncQuery, its inputs the members of Args as parameters), and as a delegate for the count, the kept
    // order and the tests, which run rarely or need an IQueryable.

    /// <summary>The query's inputs; each member is one parameter of the compiled query, in this order.</summary>
    private sealed class Args
    {
        public IReadOnlyList<int> Schools = [];
        public int SchoolYear;
        public bool Withdrawn;
        public string Q = "";
        public string Like1 = "";
        public string Like2 = "";
        public string Like3 = "";
        public int School;
        public string Grade = "";
        public int Tier;
        public AttendanceBand Band;
        public int Skip;
        public int Take;
        public int[] Ids = [];

        public static Args Of(CaseloadFilter f, int schoolYear, IReadOnlyList<int> schools, int skip = 0, int take = 0, int[]? ids = null)
        {
            var a = new Args
            {
                Schools = schools, SchoolYear = schoolYear, Withdrawn = f.Withdrawn, School = f.School ?? 0, Grade = f.Grade ?? "",
                Tier = f.Tier ?? 0, Band = f.Band ?? default, Skip = skip, Take = take, Ids = ids ?? [],
            };
            if (!string.IsNullOrWhiteSpace(f.Q)) a.Search(f.Q.Trim());
            return a;
        }

        /// <summary>A search's patterns (<see cref="SearchOf"/> gives its form).</summary>
        public Args Search(string q)
        {
            Q = q;
            switch (SearchOf(q))
            {
                case SearchForm.FamilyCommaGiven:
                    var comma = q.IndexOf(',');
                    (Like1, Like2) = (Escape(q[..comma].Trim()) + "%", Escape(q[(comma + 1)..].Trim()) + "%");
                    break;
                case SearchForm.TwoWords:
                    var space = q.IndexOf(' ');
                    (Like1, Like2, Like3) = (Escape(q[..space]) + "%", Escape(q[(space + 1)..].Trim()) + "%", "%" + Escape(q) + "%");
                    break;
                default:
                    Like1 = "%" + Escape(q) + "%";
                    break;
            }
            return this;
        }
    }

    private enum SearchForm { None, FamilyCommaGiven, TwoWords, Part }

    private static SearchForm SearchOf(string? q) => string.IsNullOrWhiteSpace(q) ? SearchForm.None
        : q.Trim() is var t && t.Contains(',') ? SearchForm.FamilyCommaGiven
        : t.IndexOf(' ') > 0 ? SearchForm.TwoWords
        : SearchForm.Part;

    /// <summary>What a built query gives.</summary>
    private enum Output
    {
        Students, // the filtered students (the count)
        Sorted, // every row, sorted (the tests' Query)
        Page, // the page's rows: sorted, Skip and Take
        SortedIds, // the ids in order (a kept order)
        ById, // the rows of Args.Ids, in no order (a page of a kept order)
    }

    /// <summary>Which parts make a query: the filters set, the search's form, the sort, and what it gives.</summary>
    private sealed record Shape(SearchForm Search, bool School, bool Grade, bool OpenFlags, bool Tier, string? Plan, bool OpenNeeds, bool Band, string Sort, Output Output)
    {
        public static Shape Of(CaseloadFilter f, Output output) => new(SearchOf(f.Q), f.School is not null, !string.IsNullOrEmpty(f.Grade), f.OpenFlags,
            f.Tier is not null, f.Plan is "none" or "active" or "closed" ? f.Plan : null, f.OpenNeeds, f.Band is not null,
            OrderOf(f.Sort), output);
    }

    // While a query is built: the context, its inputs, and the students it starts from.
    private static readonly ParameterExpression Db = Expression.Parameter(typeof(AppDbContext), "db");
    private static readonly ParameterExpression A = Expression.Parameter(typeof(Args), "a");
    private static readonly ParameterExpression Source = Expression.Parameter(typeof(IQueryable<Student>), "students");

    // The search's forms as people type it: "Family, Given" (as lists show names), "Given Family", part of either name (any
    // case), or a student's source or local id. LIKE patterns, so SQLite and SQL Server both match without regard to case.
    private static readonly Expression<Func<AppDbContext, Args, Student, bool>> FamilyCommaGiven = (db, a, s) =>
        s.LocalId == a.Q || s.ExternalId == a.Q || (EF.Functions.Like(s.FamilyName, a.Like1, Escaper) && EF.Functions.Like(s.GivenName, a.Like2, Escaper));

    private static readonly Expression<Func<AppDbContext, Args, Student, bool>> TwoWords = (db, a, s) =>
        s.LocalId == a.Q || s.ExternalId == a.Q
        || (EF.Functions.Like(s.GivenName, a.Like1, Escaper) && EF.Functions.Like(s.FamilyName, a.Like2, Escaper))
        || (EF.Functions.Like(s.FamilyName, a.Like1, Escaper) && EF.Functions.Like(s.GivenName, a.Like2, Escaper))
        || EF.Functions.Like(s.FamilyName, a.Like3, Escaper) || EF.Functions.Like(s.GivenName, a.Like3, Escaper);

    private static readonly Expression<Func<AppDbContext, Args, Student, bool>> Part = (db, a, s) =>
        s.LocalId == a.Q || s.ExternalId == a.Q || EF.Functions.Like(s.FamilyName, a.Like1, Escaper) || EF.Functions.Like(s.GivenName, a.Like1, Escaper);

    /// <summary>The students the filters of <paramref name="shape"/> keep, from <see cref="Source"/>.</summary>
    private static Expression FilteredFrom(Expression students, Shape shape)
    {
        var q = Where(students, (db, a, s) => a.Withdrawn || s.Status == StudentStatus.Active);
        q = shape.Search switch
        {
            SearchForm.FamilyCommaGiven => Where(q, FamilyCommaGiven),
            SearchForm.TwoWords => Where(q, TwoWords),
            SearchForm.Part => Where(q, Part),
            _ => q,
        };
        if (shape.School) q = Where(q, (db, a, s) => s.SchoolId == a.School);
        if (shape.Grade) q = Where(q, (db, a, s) => s.Grade == a.Grade);
        if (shape.OpenFlags) q = Where(q, (db, a, s) => db.Flags.Any(fl => fl.StudentId == s.Id && fl.ResolvedAt == null && fl.DismissedAt == null));
        // This school year's plan is unique per student and year: "has a plan with X" is the plan's X.
        if (shape.Tier) q = Where(q, (db, a, s) => db.Plans.Any(p => p.SchoolYear == a.SchoolYear && p.StudentId == s.Id && p.Tier == a.Tier));
        q = shape.Plan switch
        {
            "none" => Where(q, (db, a, s) => !db.Plans.Any(p => p.SchoolYear == a.SchoolYear && p.StudentId == s.Id)),
            "active" => Where(q, (db, a, s) => db.Plans.Any(p => p.SchoolYear == a.SchoolYear && p.StudentId == s.Id && p.Status == PlanStatus.Active)),
            "closed" => Where(q, (db, a, s) => db.Plans.Any(p => p.SchoolYear == a.SchoolYear && p.StudentId == s.Id && p.Status == PlanStatus.Closed)),
            _ => q,
        };
        if (shape.OpenNeeds)
            q = Where(q, (db, a, s) => db.Plans.Any(p => p.SchoolYear == a.SchoolYear && p.StudentId == s.Id
                && p.Items.Any(i => i.Kind == PlanItemKind.Need && i.Status == NeedStatus.Open)));
        if (shape.Band) q = Where(q, (db, a, s) => db.StudentIndicators.Any(i => i.StudentId == s.Id && i.YearBand == a.Band));
        return q;
    }

    // One LEFT JOIN to this school year's plan (unique per student and year), not a correlated subquery repeated for each
    // column and sort that reads it; the open-needs count is read per row shown (after the page's LIMIT) unless the sort
    // asks for it.
    private static readonly Expression<Func<AppDbContext, Args, IQueryable<Student>, IQueryable<Row>>> Joined = (db, a, students) =>
        from s in students
        join p in db.Plans.Where(p => p.SchoolYear == a.SchoolYear) on s.Id equals p.StudentId into current
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

    private static Expression Sorted(Expression rows, string sort) => sort switch
    {
        "grade" => By(By(By(By(By(rows, "OrderBy", Grades.OrderKey<Row>(r => r.Student.Grade)), "ThenBy", (Expression<Func<Row, string?>>)(r => r.Student.Grade)),
            "ThenBy", (Expression<Func<Row, string>>)(r => r.Student.FamilyName)), "ThenBy", (Expression<Func<Row, string>>)(r => r.Student.GivenName)),
            "ThenBy", (Expression<Func<Row, int>>)(r => r.Student.Id)),
        "tier" => By(By(By(By(rows, "OrderByDescending", (Expression<Func<Row, int>>)(r => r.Tier ?? 0)), "ThenBy", (Expression<Func<Row, string>>)(r => r.Student.FamilyName)),
            "ThenBy", (Expression<Func<Row, string>>)(r => r.Student.GivenName)), "ThenBy", (Expression<Func<Row, int>>)(r => r.Student.Id)),
        "needs" => By(By(By(rows, "OrderByDescending", (Expression<Func<Row, int>>)(r => r.OpenNeeds)), "ThenBy", (Expression<Func<Row, string>>)(r => r.Student.FamilyName)),
            "ThenBy", (Expression<Func<Row, int>>)(r => r.Student.Id)),
        "attendance" => By(By(By(By(rows, "OrderBy", (Expression<Func<Row, bool>>)(r => r.Attendance == null)), "ThenBy", (Expression<Func<Row, int?>>)(r => r.Attendance)),
            "ThenBy", (Expression<Func<Row, string>>)(r => r.Student.FamilyName)), "ThenBy", (Expression<Func<Row, int>>)(r => r.Student.Id)),
        "review" => By(By(By(By(rows, "OrderBy", (Expression<Func<Row, bool>>)(r => r.NextReviewDue == null)), "ThenBy", (Expression<Func<Row, DateOnly?>>)(r => r.NextReviewDue)),
            "ThenBy", (Expression<Func<Row, string>>)(r => r.Student.FamilyName)), "ThenBy", (Expression<Func<Row, int>>)(r => r.Student.Id)),
        _ => By(By(rows, "OrderBy", (Expression<Func<Row, string>>)(r => r.Student.FamilyName)), "ThenBy", (Expression<Func<Row, string>>)(r => r.Student.GivenName)),
    };

    private static readonly Expression<Func<Row, CaseloadRow>> AsRow = r => new CaseloadRow(r.Student.Id, r.Student.FamilyName, r.Student.GivenName,
        r.Student.Grade, r.Student.School.Name, r.Student.Status, r.Tier, r.Status, r.OpenNeeds, r.NextReviewDue, r.Band, r.Attendance);

    /// <summary>The whole query of a shape, from <see cref="Source"/>, as an expression of Db, A and Source.</summary>
    private static Expression Body(Shape shape)
    {
        var students = FilteredFrom(Source, shape);
        if (shape.Output == Output.Students) return students;
        if (shape.Output == Output.ById)
            students = Where(students, (db, a, s) => a.Ids.Contains(s.Id));
        var rows = Apply(Joined, students);
        if (shape.Output == Output.ById) return By(rows, "Select", AsRow);
        rows = Sorted(rows, shape.Sort);
        return shape.Output switch
        {
            Output.SortedIds => By(rows, "Select", (Expression<Func<Row, int>>)(r => r.Student.Id)),
            Output.Page => Expression.Call(typeof(Queryable), nameof(Queryable.Take), [typeof(CaseloadRow)],
                Expression.Call(typeof(Queryable), nameof(Queryable.Skip), [typeof(CaseloadRow)], By(rows, "Select", AsRow), Member(nameof(Args.Skip))),
                Member(nameof(Args.Take))),
            _ => By(rows, "Select", AsRow),
        };
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Shape, Delegate> BuiltQueries = new();
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Shape, CompiledPage> CompiledQueries = new();

    /// <summary>A shape's query as a delegate that composes it over any students (EF parameterizes Args's members).</summary>
    private static Func<AppDbContext, Args, IQueryable<Student>, IQueryable<T>> Built<T>(Shape shape) =>
        (Func<AppDbContext, Args, IQueryable<Student>, IQueryable<T>>)BuiltQueries.GetOrAdd(shape, s =>
            Expression.Lambda<Func<AppDbContext, Args, IQueryable<Student>, IQueryable<T>>>(Body(s), Db, A, Source).Compile());

    private delegate IAsyncEnumerable<CaseloadRow> CompiledPage(AppDbContext db, IReadOnlyList<int> schools, int schoolYear, bool withdrawn,
        string q, string like1, string like2, string like3, int school, string grade, int tier, AttendanceBand band, int skip, int take, int[] ids);

    // Args's members as the compiled query's parameters (names and order as declared).
    private static readonly System.Reflection.FieldInfo[] ArgFields = [.. new[]
    {
        nameof(Args.Schools), nameof(Args.SchoolYear), nameof(Args.Withdrawn), nameof(Args.Q), nameof(Args.Like1), nameof(Args.Like2), nameof(Args.Like3),
        nameof(Args.School), nameof(Args.Grade), nameof(Args.Tier), nameof(Args.Band), nameof(Args.Skip), nameof(Args.Take), nameof(Args.Ids),
    }.Select(name => typeof(Args).GetField(name)!)];
    private static readonly ParameterExpression[] ArgParameters = [.. ArgFields.Select(f => Expression.Parameter(f.FieldType, f.Name))];

    /// <summary>The rows of a shape (the page, or the rows of a kept order's page) by the shape's compiled query.</summary>
    private static async Task<List<CaseloadRow>> RunAsync(AppDbContext db, Shape shape, Args a, CancellationToken ct)
    {
        var query = CompiledQueries.GetOrAdd(shape, s =>
        {
            // The students of the user's schools (StudentScope's rule, its expression put in place), then the shape's query
            // with each member of Args read as its own parameter.
            var inSchools = Inline.Expand<Func<AppDbContext, IReadOnlyList<int>, IQueryable<Student>>>((db, schools) => StudentScope.InSchools(db, schools));
            var body = ReplacingExpressionVisitor.Replace(Source,
                ReplacingExpressionVisitor.Replace(inSchools.Parameters[0], Db, ReplacingExpressionVisitor.Replace(inSchools.Parameters[1], Member(nameof(Args.Schools)), inSchools.Body)),
                Body(s));
            body = new ArgsAsParameters().Visit(body);
            var lambda = Expression.Lambda<Func<AppDbContext, IReadOnlyList<int>, int, bool, string, string, string, string, int, string, int, AttendanceBand, int, int, int[], IQueryable<CaseloadRow>>>(
                body, [Db, .. ArgParameters]);
            var compiled = EF.CompileAsyncQuery(lambda);
            return (d, schools, year, withdrawn, q, l1, l2, l3, school, grade, tier, band, skip, take, ids) =>
                compiled(d, schools, year, withdrawn, q, l1, l2, l3, school, grade, tier, band, skip, take, ids);
        });
        return await CompiledRows.ListAsync(query(db, a.Schools, a.SchoolYear, a.Withdrawn, a.Q, a.Like1, a.Like2, a.Like3, a.School, a.Grade, a.Tier, a.Band,
            a.Skip, a.Take, a.Ids), ct);
    }

    /// <summary>Puts each member of Args read in the query in place as the compiled query's parameter of that name.</summary>
    private sealed class ArgsAsParameters : ExpressionVisitor
    {
        protected override Expression VisitMember(MemberExpression node) =>
            node.Expression == A ? ArgParameters[Array.IndexOf(ArgFields, (System.Reflection.FieldInfo)node.Member)] : base.VisitMember(node);

        protected override Expression VisitParameter(ParameterExpression node) =>
            node == A ? throw new InvalidOperationException("The caseload's query reads its inputs other than by their members.") : node;
    }

    private static MemberExpression Member(string name) => Expression.Field(A, name);

    /// <summary><paramref name="query"/>.Where(the predicate, its db and a the query's own).</summary>
    private static Expression Where(Expression query, Expression<Func<AppDbContext, Args, Student, bool>> predicate) =>
        Expression.Call(typeof(Queryable), nameof(Queryable.Where), [typeof(Student)], query,
            Expression.Quote(Expression.Lambda(Bound(predicate.Body, predicate.Parameters), predicate.Parameters[2])));

    /// <summary>A part of the query that takes the query so far as its third parameter, applied to it.</summary>
    private static Expression Apply<TIn, TOut>(Expression<Func<AppDbContext, Args, TIn, TOut>> part, Expression query) =>
        ReplacingExpressionVisitor.Replace(part.Parameters[2], query, Bound(part.Body, part.Parameters));

    private static Expression Bound(Expression body, IReadOnlyList<ParameterExpression> parameters) =>
        ReplacingExpressionVisitor.Replace(parameters[1], A, ReplacingExpressionVisitor.Replace(parameters[0], Db, body));

    /// <summary><paramref name="query"/>.method(key): OrderBy, ThenBy and their descending forms, and Select.</summary>
    private static Expression By(Expression query, string method, LambdaExpression key) =>
        Expression.Call(typeof(Queryable), method, [key.Parameters[0].Type, key.ReturnType], query, Expression.Quote(key));

    /// <summary>A search as people type it, on its own (the API's list): one of the caseload's forms of search.</summary>
    public static Expression<Func<Student, bool>> Matching(string q)
    {
        var form = SearchOf(q) switch
        {
            SearchForm.FamilyCommaGiven => FamilyCommaGiven,
            SearchForm.TwoWords => TwoWords,
            _ => Part,
        };
        // The inputs as a constant, whose members EF reads as parameters, as it does a closure's.
        var body = ReplacingExpressionVisitor.Replace(form.Parameters[1], Expression.Constant(new Args().Search(q.Trim())), form.Body);
        body = ReplacingExpressionVisitor.Replace(form.Parameters[0], Expression.Constant(null, typeof(AppDbContext)), body);
        return Expression.Lambda<Func<Student, bool>>(body, form.Parameters[2]);
    }

    private const string Escaper = "\\";

    // LIKE's wildcards (and SQL Server's brackets) in a typed name match themselves.
    private static string Escape(string text) =>
        text.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_").Replace("[", "\\[");
}
