using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Students;
using SuccessPlans.Web.Features.Students;
using SuccessPlans.Web.Hosting;

namespace SuccessPlans.Web.Features.Review;

/// <summary>Whole-class review: pick a school and grade, see how many are reviewed this term.</summary>
[Authorize(Policy = Policies.StaffOfSchools)]
public class IndexModel(AppDbContext db, StudentAccess access, PlanService plans) : PageModel
{
    public sealed record GradeRow(int SchoolId, string School, string Grade, int Students, int Reviewed);

    public sealed record ClassRow(int Id, string School, string Title, string? Teacher, int Students, int Reviewed);

    public IReadOnlyList<GradeRow> Rows { get; private set; } = [];
    public IReadOnlyList<ClassRow> Classes { get; private set; } = [];
    public string TermLabel { get; private set; } = "";

    public async Task OnGetAsync(CancellationToken ct)
    {
        var today = await plans.TodayAsync(ct);
        var (year, term) = (SchoolYears.For(today), SchoolYears.TermFor(today));
        TermLabel = $"{term} {SchoolYears.Label(year)}";
        var visible = (await access.VisibleAsync(ct)).Where(s => s.Status == StudentStatus.Active && s.Grade != null);
        var rows = await visible
            .GroupBy(s => new { s.SchoolId, s.School.Name, s.Grade })
            .Select(g => new
            {
                g.Key.SchoolId, g.Key.Name, g.Key.Grade, Students = g.Count(),
                Reviewed = g.Count(s => db.Reviews.Any(r => r.StudentId == s.Id && r.SchoolYear == year && r.Term == term)),
            })
            .ToListAsync(ct);
        var mySchools = await visible.Select(s => s.SchoolId).Distinct().ToListAsync(ct);
        Classes = await db.Classes.Where(c => EF.Parameter(mySchools).Contains(c.SchoolId))
            .OrderBy(c => c.School.Name).ThenBy(c => c.Title)
            .Select(c => new ClassRow(c.Id, c.School.Name, c.Title, c.TeacherName,
                c.Enrollments.Count(e => visible.Any(s => s.Id == e.StudentId)),
                c.Enrollments.Count(e => visible.Any(s => s.Id == e.StudentId) && db.Reviews.Any(r => r.StudentId == e.StudentId && r.SchoolYear == year && r.Term == term))))
            .ToListAsync(ct);
        Rows = rows.OrderBy(r => r.Name).ThenBy(r => r.Grade, SuccessPlans.Features.Schools.Grades.Comparer).Select(r => new GradeRow(r.SchoolId, r.Name, r.Grade!, r.Students, r.Reviewed)).ToList();
    }
}
