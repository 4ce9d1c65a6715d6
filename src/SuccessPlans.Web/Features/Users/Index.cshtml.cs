using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using SuccessPlans.Features.Users;

namespace SuccessPlans.Web.Features.Users;

[Authorize(Policy = Roles.Admin)]
public class IndexModel(AppDbContext db, TimeProvider time, IStringLocalizer<IndexModel> L) : PageModel
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
                UserRole.Coordinator => u.Schools.Count == 0 ? L["no school yet"] : string.Join(", ", u.Schools),
                UserRole.Provider => u.Organization ?? L["no organization"],
                _ => L["whole tenant"],
            },
            u.LockoutEnd is { } end && end > now ? (end.Year > 9000 ? L["deactivated"] : L["locked out"])
                : u.ActivatedAt is null ? L["invited"] : L["active"])).ToList();
    }
}
