using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using SuccessPlans.Features.Users;

namespace SuccessPlans.Web.Features.Users;

[Authorize(Policy = Roles.Admin)]
public class IndexModel(AppDbContext db, TimeProvider time) : PageModel
{
    public sealed record UserRow(int Id, string DisplayName, string Email, UserRole Role, string Scope, string Status);

    public IReadOnlyList<UserRow> Rows { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var users = await db.Users.AsNoTracking()
            .OrderBy(u => u.Role).ThenBy(u => u.DisplayName)
            .Select(u => new
            {
                u.Id, u.DisplayName, u.Email, u.Role, u.ActivatedAt, u.LockoutEnd,
                Schools = u.CoordinatorSchools.OrderBy(c => c.School.Name).Select(c => c.School.Name).ToList(),
                Organization = u.ProviderOrganization == null ? null : u.ProviderOrganization.Name,
            })
            .ToListAsync(ct);
        Rows = users.Select(u => new UserRow(u.Id, u.DisplayName, u.Email ?? "", u.Role,
            u.Role switch
            {
                UserRole.Coordinator => u.Schools.Count == 0 ? "no school yet" : string.Join(", ", u.Schools),
                UserRole.Provider => u.Organization ?? "no organization",
                _ => "whole tenant",
            },
            u.LockoutEnd is { } end && end > now ? (end.Year > 9000 ? "deactivated" : "locked out")
                : u.ActivatedAt is null ? "invited" : "active")).ToList();
    }
}
