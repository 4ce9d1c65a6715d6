using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using SuccessPlans.Features.Students;
using SuccessPlans.Features.Users;
using SuccessPlans.Web.Features.Account;

namespace SuccessPlans.Web.Features.Home;

[Authorize(Policy = Roles.Coordinator)]
public class CoordinatorModel(AppDbContext db, CurrentUser me) : PageModel
{
    public sealed record SchoolRow(int Id, string Name, int ActiveStudents, int Withdrawn);

    public IReadOnlyList<SchoolRow> Schools { get; private set; } = [];
    public sealed record FlagRow(int StudentId, string Student, SuccessPlans.Features.Flags.FlagKind Kind, string? Summary, DateOnly Since);
    public IReadOnlyList<FlagRow> Flags { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct)
    {
        var mine = await me.SchoolIdsAsync(ct);
        Schools = await db.Schools
            .Where(s => mine.Contains(s.Id))
            .OrderBy(s => s.Name)
            .Select(s => new SchoolRow(s.Id, s.Name,
                db.Students.Count(st => st.SchoolId == s.Id && st.Status == StudentStatus.Active),
                db.Students.Count(st => st.SchoolId == s.Id && st.Status == StudentStatus.Withdrawn)))
            .ToListAsync(ct);
        Flags = await db.Flags.Where(f => f.ResolvedAt == null && f.DismissedAt == null)
            .Join(db.Students.Where(st => mine.Contains(st.SchoolId)), f => f.StudentId, st => st.Id, (f, st) => new { f, st })
            .OrderBy(x => x.f.Kind).ThenBy(x => x.f.FirstSeenOn).ThenBy(x => x.st.FamilyName).Take(500)
            .Select(x => new FlagRow(x.st.Id, x.st.GivenName + " " + x.st.FamilyName, x.f.Kind, x.f.Summary, x.f.FirstSeenOn))
            .ToListAsync(ct);
    }
}
