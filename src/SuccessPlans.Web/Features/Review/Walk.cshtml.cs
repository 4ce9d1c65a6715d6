using System.Linq.Expressions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Students;
using SuccessPlans.Web.Features.Students;
using SuccessPlans.Web.Hosting;

namespace SuccessPlans.Web.Features.Review;

/// <summary>
/// One child per screen, in name order: set the tier, note strengths, needs and interests, save and move on.
/// No page of setup per child; progress shows how many of the grade are reviewed this term.
/// </summary>
[Authorize(Policy = Policies.StaffOfSchools)]
public class WalkModel(AppDbContext db, StudentAccess access, PlanService plans, SuccessPlans.Web.Features.Audit.AccessRecorder accessLog,
    TenantReadCache cache, SuccessPlans.Tenancy.CurrentTenant tenant) : PageModel
{
    public const int ItemRows = 6;

    [BindProperty(SupportsGet = true)] public int School { get; set; }
    [BindProperty(SupportsGet = true)] public string Grade { get; set; } = "";
    /// <summary>A teacher's class instead of a whole grade.</summary>
    [BindProperty(SupportsGet = true)] public int? Class { get; set; }
    public string? ClassTitle { get; private set; }
    [BindProperty(SupportsGet = true, Name = "i")] public int Index { get; set; }
    [BindProperty] public int StudentId { get; set; }
    [BindProperty] public int? Tier { get; set; }
    [BindProperty] public Guid? PlanVersion { get; set; }
    [BindProperty] public List<ItemRow> Items { get; set; } = [];

    public sealed class ItemRow
    {
        public Domain? Domain { get; set; }
        public PlanItemKind? Kind { get; set; }
        public string? Description { get; set; }
        public string? Goal { get; set; }
    }

    public Student Student { get; private set; } = null!;
    public SuccessPlan? Plan { get; private set; }
    public int Count { get; private set; }
    public int ReviewedCount { get; private set; }
    public bool ReviewedThisTerm { get; private set; }
    public string SchoolName { get; private set; } = "";
    public string TermLabel { get; private set; } = "";
    public SuccessPlans.Features.Indicators.StudentIndicators? Indicators { get; private set; }

    public async Task<IActionResult> OnGetAsync(int? student, CancellationToken ct)
    {
        await ReadConnection.KeepOpenAsync(db, ct);
        var walk = await StudentsAsync(ct);
        if (walk.Ids.Length == 0) return NotFound();
        if (student is { } wanted && Array.IndexOf(walk.Ids, wanted) is var at and >= 0) Index = at;
        Index = Math.Clamp(Index, 0, walk.Ids.Length - 1);
        await LoadAsync(walk, ct);
        // The review screen shows one child's plan.
        await accessLog.RecordAsync(SuccessPlans.Features.Audit.AccessAction.ViewPlan, Student.Id, Plan?.Id, ct: ct);
        return Page();
    }

    /// <summary>Saves this child's review and moves to the next child of the grade.</summary>
    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var walk = await StudentsAsync(ct);
        var ids = walk.Ids;
        Index = Array.IndexOf(ids, StudentId);
        if (Index < 0) return NotFound();
        var student = await access.FindAsync(StudentId, ct);
        if (student is null) return NotFound();

        var items = Items.Where(i => !string.IsNullOrWhiteSpace(i.Description)).ToList();
        try
        {
            await plans.RecordReviewAsync(student, Tier, items.Select(i => new NewPlanItem(i.Domain, i.Kind, i.Description, i.Goal)).ToList(),
                access.Actor, PlanVersion, ct);
        }
        catch (ValidationFailedException e)
        {
            ModelState.AddErrors(e, field => MapField(field, items));
            await LoadAsync(walk, ct, keepInput: true);
            return Page();
        }
        catch (ConcurrencyConflictException e)
        {
            db.ChangeTracker.Clear();
            ModelState.Clear();
            // Read again: the review that won may have been this child's, and the list may have changed meanwhile.
            var fresh = await StudentsAsync(ct);
            Index = Array.IndexOf(fresh.Ids, StudentId);
            if (Index < 0) return NotFound();
            await LoadAsync(fresh, ct);
            ModelState.AddModelError("", CoreText.Of(e));
            return Page();
        }

        var next = Index + 1;
        if (next >= ids.Length)
        {
            TempData["Message"] = $"Grade {Grade} is done: every student was walked.";
            return RedirectToPage("/Review/Index");
        }
        TempData["Message"] = $"Saved {student.GivenName} {student.FamilyName}.";
        return RedirectToPage(new { school = School, grade = Grade, @class = Class, i = next });
    }

    /// <summary>Errors of the non-empty rows point back at the row the user typed in.</summary>
    private string MapField(string field, List<ItemRow> sent)
    {
        if (!field.StartsWith("Items[", StringComparison.Ordinal)) return field;
        var close = field.IndexOf(']');
        var i = int.Parse(field[6..close], System.Globalization.CultureInfo.InvariantCulture);
        return $"Items[{Items.IndexOf(sent[i])}]{field[(close + 1)..]}";
    }

    /// <summary>The walk's children in name order, and those of them reviewed this term.</summary>
    private sealed record WalkList(int[] Ids, IReadOnlySet<int> ReviewedThisTerm, DateOnly Today);

    // The walk's children in order and those reviewed this term, kept per scope until a write to what it reads (students,
    // reviews, class lists: TenantReadCacheInvalidator). Read at every screen, a grade of 150 children (a school of 2,000)
    // was a quarter of the walk's CPU (issue 15).
    // By day, not term: the list carries its day (and so its school year and term).
    private sealed record WalkKey(TenantReadCache.Stamp Stamp, string Schools, int? Class, int School, string Grade, DateOnly Today);

    /// <summary>
    /// One query for the list and the progress (issue 15: the count was a second query, with every id of the grade sent
    /// back as a parameter): each child's id with whether a review of this term exists (the review's unique index).
    /// Compiled, one query for a grade's walk and one for a class's, so EF does not look their LINQ trees up at every
    /// screen (issue 15: 5% of the walk's CPU).
    /// </summary>
    private async Task<WalkList> StudentsAsync(CancellationToken ct)
    {
        var today = await plans.TodayAsync(ct);
        var (year, term) = (SchoolYears.For(today), SchoolYears.TermFor(today));
        var schools = await access.SchoolIdsAsync(ct);
        // The stamp before any read: a write while the walk is read retires what is stored under it.
        var stamp = cache.StampOf(tenant.TenantId ?? throw new InvalidOperationException("The walk needs a tenant."));
        // The query is made only when the kept list is missing.
        Func<IAsyncEnumerable<WalkRow>> rows;
        if (Class is { } classId)
        {
            var c = await db.Classes.Where(x => x.Id == classId).Select(x => new { x.Title, x.TeacherName, x.SchoolId, x.Grade }).SingleOrDefaultAsync(ct);
            if (c is null) return new WalkList([], new HashSet<int>(), today);
            (ClassTitle, School, Grade) = (c.TeacherName is null ? c.Title : $"{c.Title} ({c.TeacherName})", c.SchoolId, c.Grade ?? "");
            rows = () => ClassWalk(db, schools, classId, year, term);
        }
        else
            rows = () => GradeWalk(db, schools, School, Grade, year, term);
        var key = new WalkKey(stamp, string.Join(',', schools.Order()), Class, School, Grade, today);
        if (!cache.TryGet<WalkList>(key, out var walk))
        {
            var list = await CompiledRows.ListAsync(rows(), ct);
            walk = new WalkList([.. list.Select(r => r.Id)], list.Where(r => r.Reviewed).Select(r => r.Id).ToHashSet(), today);
            cache.Store(key, walk, 1 + walk.Ids.Length / 256);
        }
        return walk;
    }

    /// <summary>A child of the walk, in its order, and whether they have a review this term.</summary>
    public sealed record WalkRow(int Id, bool Reviewed);

    /// <summary>The active children the user sees among <paramref name="students"/>, in name order, each with whether a review of the term exists.</summary>
    [InlinedFrom(nameof(WalkOf))]
    private static IQueryable<WalkRow> Walk(AppDbContext db, IQueryable<Student> students, int year, Term term) => throw Inline.OnlyInExpand();

    private static readonly Expression<Func<AppDbContext, IQueryable<Student>, int, Term, IQueryable<WalkRow>>> WalkOf = (db, students, year, term) => students
        .Where(s => s.Status == StudentStatus.Active)
        .OrderBy(s => s.FamilyName).ThenBy(s => s.GivenName).ThenBy(s => s.Id)
        .Select(s => new WalkRow(s.Id, db.Reviews.Any(r => r.StudentId == s.Id && r.SchoolYear == year && r.Term == term)));

    // A grade's walk and a class's, each with the user's schools (StudentScope.InSchools).
    private static readonly Expression<Func<AppDbContext, IReadOnlyList<int>, int, string, int, Term, IQueryable<WalkRow>>> GradeWalkOf =
        (db, schools, school, grade, year, term) => Walk(db, StudentScope.InSchools(db, schools).Where(s => s.SchoolId == school && s.Grade == grade), year, term);

    private static readonly Expression<Func<AppDbContext, IReadOnlyList<int>, int, int, Term, IQueryable<WalkRow>>> ClassWalkOf =
        (db, schools, classId, year, term) => Walk(db, StudentScope.InSchools(db, schools).Where(s => db.ClassEnrollments.Any(e => e.ClassId == classId && e.StudentId == s.Id)), year, term);

    private static readonly Func<AppDbContext, IReadOnlyList<int>, int, string, int, Term, IAsyncEnumerable<WalkRow>> GradeWalk = EF.CompileAsyncQuery(Inline.Expand(GradeWalkOf));
    private static readonly Func<AppDbContext, IReadOnlyList<int>, int, int, Term, IAsyncEnumerable<WalkRow>> ClassWalk = EF.CompileAsyncQuery(Inline.Expand(ClassWalkOf));

    /// <summary>The two walks' expanded trees as ordinary queries, for the SQL Server translation test.</summary>
    public static IQueryable<WalkRow> GradeWalkQuery(AppDbContext db, IReadOnlyList<int> schools, int school, string grade, int year, Term term) =>
        Uncompiled.Grade(db, schools, school, grade, year, term);

    public static IQueryable<WalkRow> ClassWalkQuery(AppDbContext db, IReadOnlyList<int> schools, int classId, int year, Term term) =>
        Uncompiled.Class(db, schools, classId, year, term);

    private static class Uncompiled
    {
        internal static readonly Func<AppDbContext, IReadOnlyList<int>, int, string, int, Term, IQueryable<WalkRow>> Grade = Inline.Expand(GradeWalkOf).Compile();
        internal static readonly Func<AppDbContext, IReadOnlyList<int>, int, int, Term, IQueryable<WalkRow>> Class = Inline.Expand(ClassWalkOf).Compile();
    }

    /// <summary>Link to another position in the same walk (grade or class).</summary>
    public string At(int index) => Class is { } c ? $"/Review/Walk?class={c}&i={index}" : $"/Review/Walk?school={School}&grade={Uri.EscapeDataString(Grade)}&i={index}";

    private async Task LoadAsync(WalkList walk, CancellationToken ct, bool keepInput = false)
    {
        // Shown, not changed (a save reads its student tracked): untracked, by compiled queries (issue 15).
        Student = (await access.FindToShowAsync(walk.Ids[Index], ct))!;
        SchoolName = Student.School.Name;
        var (year, term) = (SchoolYears.For(walk.Today), SchoolYears.TermFor(walk.Today));
        TermLabel = $"{term} {SchoolYears.Label(year)}";
        Plan = await StudentPage.PlanAsync(db, Student.Id, year, ct);
        Count = walk.Ids.Length;
        Indicators = await StudentPage.IndicatorsAsync(db, Student.Id, ct);
        ReviewedCount = walk.ReviewedThisTerm.Count;
        ReviewedThisTerm = walk.ReviewedThisTerm.Contains(Student.Id);
        if (keepInput) return;
        StudentId = Student.Id;
        // No plan this year yet: the tier of the child's last review, if any, as the starting choice.
        Tier = Plan is not null ? Plan.Tier : await db.Reviews.AsNoTracking().Where(r => r.StudentId == Student.Id)
            .OrderByDescending(r => r.SchoolYear).ThenByDescending(r => r.Term).Select(r => (int?)r.Tier).FirstOrDefaultAsync(ct);
        PlanVersion = Plan?.Version;
        Items = Enumerable.Range(0, ItemRows).Select(i => new ItemRow
        {
            // The first four rows start on the four domains, so a coordinator can tab straight through them.
            Domain = i < 4 ? (Domain)i : null,
        }).ToList();
    }
}
