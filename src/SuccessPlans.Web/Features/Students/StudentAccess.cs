using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Students;
using SuccessPlans.Web.Features.Account;

namespace SuccessPlans.Web.Features.Students;

/// <summary>
/// The students the signed-in user may see: an Admin all of the tenant's, a coordinator those of their
/// schools. Pages and the API start every student query here, so the scope is applied in one place.
/// </summary>
public sealed class StudentAccess(AppDbContext db, CurrentUser me)
{
    public async Task<IQueryable<Student>> VisibleAsync(CancellationToken ct = default)
    {
        return StudentScope.InSchools(db, await SchoolIdsAsync(ct));
    }

    /// <summary>The schools whose students the user sees, for a compiled query that starts at StudentScope.InSchools itself.</summary>
    public Task<IReadOnlyList<int>> SchoolIdsAsync(CancellationToken ct = default) => me.SchoolIdsAsync(ct);

    /// <summary>The grades of the visible students, in school order (the caseload's grade filter); cached per user (CurrentUser).</summary>
    public Task<IReadOnlyList<string>> GradesAsync(CancellationToken ct = default) => me.InScopeAsync<IReadOnlyList<string>>(async c =>
    {
        var grades = await (await VisibleAsync(c)).Where(s => s.Grade != null).Select(s => s.Grade!).Distinct().ToListAsync(c);
        return [.. grades.Order(SuccessPlans.Features.Schools.Grades.Comparer)];
    }, ct);

    /// <summary>The student, or null when it does not exist, is another tenant's, or is outside the user's schools.</summary>
    public async Task<Student?> FindAsync(int id, CancellationToken ct = default) =>
        await (await VisibleAsync(ct)).Include(s => s.School).SingleOrDefaultAsync(s => s.Id == id, ct);

    /// <summary>
    /// The same as <see cref="FindAsync"/> for a page that only shows the student (a GET): untracked, by id in one
    /// compiled query, the user's schools checked on the row read. The general query cost the student page about 6% of
    /// its CPU (EF's look-up of the LINQ tree with the schools' list and the Include at every view; issue 15).
    /// </summary>
    public async Task<Student?> FindToShowAsync(int id, CancellationToken ct = default)
    {
        var student = await StudentPage.StudentAsync(db, id, ct);
        return student is not null && await MayShowAsync(student, ct) ? student : null;
    }

    /// <summary>Whether the user may see a child read by id without the scope (the tenant's filter applied): not erased, of one of their schools.</summary>
    public async Task<bool> MayShowAsync(Student student, CancellationToken ct = default) =>
        student.Status != StudentStatus.Erased && (await me.SchoolIdsAsync(ct)).Contains(student.SchoolId);

    public Actor Actor => new(me.Id, me.DisplayName);
}
