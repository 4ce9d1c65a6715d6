using System.Linq.Expressions;
using SuccessPlans.Data;
using SuccessPlans.Features.Flags;
using SuccessPlans.Features.Indicators;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Referrals;

namespace SuccessPlans.Features.Students;

/// <summary>The sections of a student's page below the plan, each read by its own untracked query.</summary>
public sealed record StudentPageSections(
    IReadOnlyList<SuccessPlan> PastPlans, IReadOnlyList<Consent> Consents, IReadOnlyList<Review> Reviews, IReadOnlyList<Referral> Referrals,
    IReadOnlyList<Flag> OpenFlags, IReadOnlyList<Disclosure> Disclosures, IReadOnlyList<StudentEvent> History, IReadOnlyList<CaseNote> Notes,
    StudentIndicators? Indicators);

/// <summary>The top of a student's page: the child and their school, which sections have rows, and whether the user has an unread update about the child's referrals.</summary>
public sealed record StudentPageHead(Student Student, SuccessPlans.Features.Schools.School School, StudentPageContents Has, bool UnreadUpdates);

/// <summary>Which of a student's page's sections have rows: the page reads only those (most children have none in half of them).</summary>
public sealed record StudentPageContents(bool PastPlans, bool Consents, bool Reviews, bool Referrals, bool OpenFlags, bool Disclosures,
    bool History, bool Notes, bool Indicators);

/// <summary>
/// The queries of a student's page, one per section, untracked (here, not in the page, so their SQL Server
/// translation is tested without a server). The caller has checked the user may see the student.
/// Each query is written once, as an expression: the page runs it compiled, so EF does not rebuild and look up its LINQ
/// tree on every view (issue 15: a tenth of the page's CPU went to that for its dozen queries), and the tests
/// translate the very same tree. Query filters (the tenant) still apply: they are read from the context each run.
/// </summary>
public static class StudentPage
{
    private static readonly Expression<Func<AppDbContext, int, int, IQueryable<SuccessPlan>>> PastPlansOf = (db, studentId, schoolYear) =>
        db.Plans.AsNoTracking().Include(p => p.Items).Where(p => p.StudentId == studentId && p.SchoolYear != schoolYear).OrderByDescending(p => p.SchoolYear);

    private static readonly Expression<Func<AppDbContext, int, IQueryable<Consent>>> ConsentsOf = (db, studentId) =>
        db.Consents.AsNoTracking().Include(c => c.Organizations).ThenInclude(o => o.Organization)
            .Where(c => c.StudentId == studentId).OrderByDescending(c => c.GivenOn).ThenByDescending(c => c.Id);

    private static readonly Expression<Func<AppDbContext, int, IQueryable<Review>>> ReviewsOf = (db, studentId) =>
        db.Reviews.AsNoTracking().Where(r => r.StudentId == studentId).OrderByDescending(r => r.SchoolYear).ThenByDescending(r => r.Term);

    private static readonly Expression<Func<AppDbContext, int, IQueryable<Referral>>> ReferralsOf = (db, studentId) =>
        db.Referrals.AsNoTracking().Include(r => r.Service).Include(r => r.Organization).Include(r => r.Deliveries).Include(r => r.Need)
            .Where(r => r.StudentId == studentId).OrderByDescending(r => r.CreatedAt);

    // Put in order by kind here, not in SQL: without statistics SQLite reads an ORDER BY Kind from the index of the tenant's
    // open flags by kind (tens of thousands of rows for one child's few) rather than sort the child's own (issue 15).
    private static readonly Expression<Func<AppDbContext, int, IQueryable<Flag>>> OpenFlagsOf = (db, studentId) =>
        db.Flags.AsNoTracking().Where(f => f.StudentId == studentId && f.ResolvedAt == null);

    private static readonly Expression<Func<AppDbContext, int, IQueryable<Disclosure>>> DisclosuresOf = (db, studentId) =>
        db.Disclosures.AsNoTracking().Include(d => d.Organization).Where(d => d.StudentId == studentId).OrderByDescending(d => d.At);

    // The newest 200 changes.
    private static readonly Expression<Func<AppDbContext, int, IQueryable<StudentEvent>>> HistoryOf = (db, studentId) =>
        db.StudentEvents.AsNoTracking().Where(e => e.StudentId == studentId).OrderByDescending(e => e.At).ThenByDescending(e => e.Id).Take(200);

    private static readonly Expression<Func<AppDbContext, int, IQueryable<CaseNote>>> NotesOf = (db, studentId) =>
        db.CaseNotes.AsNoTracking().Where(n => n.StudentId == studentId).OrderByDescending(n => n.At).ThenByDescending(n => n.Id);

    private static readonly Expression<Func<AppDbContext, int, IQueryable<StudentIndicators>>> IndicatorsOf = (db, studentId) =>
        db.StudentIndicators.AsNoTracking().Where(i => i.StudentId == studentId);

    // The top of the page in one statement: the child with their school, nine EXISTS probes, each on its section's index by
    // student (a query a section costs EF's command, reader and materializer and SQLite's parse, whether it finds rows or
    // not), and whether the user has an unread update about the child's referrals (the view marks them read). Each probe
    // takes only parameters, so the database answers it once, not per row (issue 15: the page's queries were three).
    private static readonly Expression<Func<AppDbContext, int, int, int, IQueryable<StudentPageHead>>> HeadOf = (db, studentId, schoolYear, userId) =>
        db.Students.AsNoTracking().Where(s => s.Id == studentId).Select(s => new StudentPageHead(s, s.School, new StudentPageContents(
                db.Plans.Any(p => p.StudentId == studentId && p.SchoolYear != schoolYear),
                db.Consents.Any(c => c.StudentId == studentId),
                db.Reviews.Any(r => r.StudentId == studentId),
                db.Referrals.Any(r => r.StudentId == studentId),
                db.Flags.Any(f => f.StudentId == studentId && f.ResolvedAt == null),
                db.Disclosures.Any(d => d.StudentId == studentId),
                db.StudentEvents.Any(e => e.StudentId == studentId),
                db.CaseNotes.Any(n => n.StudentId == studentId),
                db.StudentIndicators.Any(i => i.StudentId == studentId)),
            db.ReferralUpdates.Any(u => u.UserId == userId && u.ReadAt == null && db.Referrals.Any(r => r.Id == u.ReferralId && r.StudentId == studentId))));

    public static IQueryable<StudentPageHead> Head(AppDbContext db, int studentId, int schoolYear, int userId) => Queries.Head(db, studentId, schoolYear, userId);
    public static IQueryable<SuccessPlan> PastPlans(AppDbContext db, int studentId, int schoolYear) => Queries.PastPlans(db, studentId, schoolYear);
    public static IQueryable<Consent> Consents(AppDbContext db, int studentId) => Queries.Consents(db, studentId);
    public static IQueryable<Review> Reviews(AppDbContext db, int studentId) => Queries.Reviews(db, studentId);
    public static IQueryable<Referral> Referrals(AppDbContext db, int studentId) => Queries.Referrals(db, studentId);
    public static IQueryable<Flag> OpenFlags(AppDbContext db, int studentId) => Queries.OpenFlags(db, studentId);
    public static IQueryable<Disclosure> Disclosures(AppDbContext db, int studentId) => Queries.Disclosures(db, studentId);
    public static IQueryable<StudentEvent> History(AppDbContext db, int studentId) => Queries.History(db, studentId);
    public static IQueryable<CaseNote> Notes(AppDbContext db, int studentId) => Queries.Notes(db, studentId);

    private static readonly Expression<Func<AppDbContext, int[], IQueryable<ReferralMessage>>> MessagesOf = (db, referralIds) =>
        db.ReferralMessages.AsNoTracking().Where(m => referralIds.Contains(m.ReferralId)).OrderBy(m => m.At).ThenBy(m => m.Id);

    /// <summary>The messages of the referrals whose conversation the user may read.</summary>
    public static IQueryable<ReferralMessage> Messages(AppDbContext db, int[] referralIds) => Queries.Messages(db, referralIds);

    /// <summary>The same, by the compiled query (the ids go as one parameter, so EF keeps its SQL).</summary>
    public static async Task<IReadOnlyList<ReferralMessage>> MessagesAsync(AppDbContext db, int[] referralIds, CancellationToken ct = default) =>
        await CompiledRows.ListAsync(Compiled.Messages(db, referralIds), ct);

    private static readonly Func<AppDbContext, int, CancellationToken, Task<Student?>> StudentOf = EF.CompileAsyncQuery(
        (AppDbContext db, int studentId, CancellationToken ct) => db.Students.AsNoTracking().Include(s => s.School).SingleOrDefault(s => s.Id == studentId));

    private static readonly Func<AppDbContext, int, int, CancellationToken, Task<SuccessPlan?>> PlanOf = EF.CompileAsyncQuery(
        (AppDbContext db, int studentId, int schoolYear, CancellationToken ct) =>
            db.Plans.AsNoTracking().Include(p => p.Items).SingleOrDefault(p => p.StudentId == studentId && p.SchoolYear == schoolYear));

    /// <summary>
    /// One student with their school, untracked, in the tenant, whatever the school: the caller checks the user's
    /// schools (StudentAccess.FindToShowAsync).
    /// </summary>
    public static Task<Student?> StudentAsync(AppDbContext db, int studentId, CancellationToken ct = default) => StudentOf(db, studentId, ct);

    /// <summary>The year's plan with its items, untracked: for showing (a change reads it tracked, PlanService.FindPlanAsync).</summary>
    public static Task<SuccessPlan?> PlanAsync(AppDbContext db, int studentId, int schoolYear, CancellationToken ct = default) => PlanOf(db, studentId, schoolYear, ct);

    /// <summary>The student's attendance, behaviour and marks summary, untracked (the review screen shows it too).</summary>
    public static async Task<StudentIndicators?> IndicatorsAsync(AppDbContext db, int studentId, CancellationToken ct = default) =>
        (await CompiledRows.ListAsync(Compiled.Indicators(db, studentId), ct)).SingleOrDefault();

    /// <summary>
    /// The top of the page (<see cref="HeadOf"/>): the child with their school, in the tenant, whatever the school (the
    /// caller checks the user's schools: StudentAccess.MayShowAsync), or null; the school is set on the child.
    /// </summary>
    public static async Task<StudentPageHead?> HeadAsync(AppDbContext db, int studentId, int schoolYear, int userId, CancellationToken ct = default)
    {
        var head = (await CompiledRows.ListAsync(Compiled.Head(db, studentId, schoolYear, userId), ct)).SingleOrDefault();
        if (head is not null) head.Student.School = head.School;
        return head;
    }

    /// <summary>
    /// Every section <paramref name="has"/> says has rows, by the compiled query of each, one after the other on the page's
    /// context; an empty section is an empty list without a query.
    /// </summary>
    public static async Task<StudentPageSections> LoadAsync(AppDbContext db, int studentId, int schoolYear, StudentPageContents has, CancellationToken ct = default) =>
        new(
            has.PastPlans ? await CompiledRows.ListAsync(Compiled.PastPlans(db, studentId, schoolYear), ct) : [],
            has.Consents ? await CompiledRows.ListAsync(Compiled.Consents(db, studentId), ct) : [],
            has.Reviews ? await CompiledRows.ListAsync(Compiled.Reviews(db, studentId), ct) : [],
            has.Referrals ? await CompiledRows.ListAsync(Compiled.Referrals(db, studentId), ct) : [],
            has.OpenFlags ? [.. (await CompiledRows.ListAsync(Compiled.OpenFlags(db, studentId), ct)).OrderBy(f => f.Kind).ThenBy(f => f.Id)] : [],
            has.Disclosures ? await CompiledRows.ListAsync(Compiled.Disclosures(db, studentId), ct) : [],
            has.History ? await CompiledRows.ListAsync(Compiled.History(db, studentId), ct) : [],
            has.Notes ? await CompiledRows.ListAsync(Compiled.Notes(db, studentId), ct) : [],
            has.Indicators ? (await CompiledRows.ListAsync(Compiled.Indicators(db, studentId), ct)).SingleOrDefault() : null);

    /// <summary>Every section, the head's probes first (a page that changes something and shows itself again).</summary>
    public static async Task<StudentPageSections> LoadAsync(AppDbContext db, int studentId, int schoolYear, CancellationToken ct = default) =>
        await HeadAsync(db, studentId, schoolYear, userId: 0, ct) is { } head
            ? await LoadAsync(db, studentId, schoolYear, head.Has, ct)
            : new([], [], [], [], [], [], [], [], null);

    // The same trees as IQueryable (for the tests and any caller that composes further)...
    private static class Queries
    {
        internal static readonly Func<AppDbContext, int, int, int, IQueryable<StudentPageHead>> Head = HeadOf.Compile();
        internal static readonly Func<AppDbContext, int, int, IQueryable<SuccessPlan>> PastPlans = PastPlansOf.Compile();
        internal static readonly Func<AppDbContext, int, IQueryable<Consent>> Consents = ConsentsOf.Compile();
        internal static readonly Func<AppDbContext, int, IQueryable<Review>> Reviews = ReviewsOf.Compile();
        internal static readonly Func<AppDbContext, int, IQueryable<Referral>> Referrals = ReferralsOf.Compile();
        internal static readonly Func<AppDbContext, int, IQueryable<Flag>> OpenFlags = OpenFlagsOf.Compile();
        internal static readonly Func<AppDbContext, int, IQueryable<Disclosure>> Disclosures = DisclosuresOf.Compile();
        internal static readonly Func<AppDbContext, int, IQueryable<StudentEvent>> History = HistoryOf.Compile();
        internal static readonly Func<AppDbContext, int, IQueryable<CaseNote>> Notes = NotesOf.Compile();
        internal static readonly Func<AppDbContext, int[], IQueryable<ReferralMessage>> Messages = MessagesOf.Compile();
    }

    // ...and compiled by EF, once per process.
    private static class Compiled
    {
        internal static readonly Func<AppDbContext, int, int, int, IAsyncEnumerable<StudentPageHead>> Head = EF.CompileAsyncQuery(HeadOf);
        internal static readonly Func<AppDbContext, int, int, IAsyncEnumerable<SuccessPlan>> PastPlans = EF.CompileAsyncQuery(PastPlansOf);
        internal static readonly Func<AppDbContext, int, IAsyncEnumerable<Consent>> Consents = EF.CompileAsyncQuery(ConsentsOf);
        internal static readonly Func<AppDbContext, int, IAsyncEnumerable<Review>> Reviews = EF.CompileAsyncQuery(ReviewsOf);
        internal static readonly Func<AppDbContext, int, IAsyncEnumerable<Referral>> Referrals = EF.CompileAsyncQuery(ReferralsOf);
        internal static readonly Func<AppDbContext, int, IAsyncEnumerable<Flag>> OpenFlags = EF.CompileAsyncQuery(OpenFlagsOf);
        internal static readonly Func<AppDbContext, int, IAsyncEnumerable<Disclosure>> Disclosures = EF.CompileAsyncQuery(DisclosuresOf);
        internal static readonly Func<AppDbContext, int, IAsyncEnumerable<StudentEvent>> History = EF.CompileAsyncQuery(HistoryOf);
        internal static readonly Func<AppDbContext, int, IAsyncEnumerable<CaseNote>> Notes = EF.CompileAsyncQuery(NotesOf);
        internal static readonly Func<AppDbContext, int, IAsyncEnumerable<StudentIndicators>> Indicators = EF.CompileAsyncQuery(IndicatorsOf);
        internal static readonly Func<AppDbContext, int[], IAsyncEnumerable<ReferralMessage>> Messages = EF.CompileAsyncQuery(MessagesOf);
    }
}
