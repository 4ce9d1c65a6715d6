using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using SuccessPlans.Features.Students;
using SuccessPlans.Features.Users;

namespace SuccessPlans.Web.Features.Schools;

[Authorize(Policy = Roles.Admin)]
public class IndexModel(AppDbContext db) : PageModel
{
    public sealed record SchoolRow(int Id, string Name, string? ExternalId, int ActiveStudents, int Coordinators);

    public IReadOnlyList<SchoolRow> Rows { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct) =>
        Rows = await db.Schools.AsNoTracking().OrderBy(s => s.Name)
            .Select(s => new SchoolRow(s.Id, s.Name, s.ExternalId,
                db.Students.Count(st => st.SchoolId == s.Id && st.Status == StudentStatus.Active),
                db.CoordinatorSchools.Count(c => c.SchoolId == s.Id)))
            .ToListAsync(ct);
}
