using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using SuccessPlans.Features.Users;

namespace SuccessPlans.Web.Features.Tenants;

/// <summary>The operator's list of tenants. The operator has no tenant, so the tenant filter shows them all.</summary>
[Authorize(Policy = Roles.Operator)]
public class IndexModel(AppDbContext db) : PageModel
{
    public sealed record TenantRow(int Id, string Name, string Slug, string TimeZoneId, int Users, DateTime CreatedAt);

    public IReadOnlyList<TenantRow> Rows { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct) =>
        Rows = await db.Tenants.AsNoTracking().OrderBy(t => t.Name)
            .Select(t => new TenantRow(t.Id, t.Name, t.Slug, t.TimeZoneId, db.Users.Count(u => u.TenantId == t.Id), t.CreatedAt))
            .ToListAsync(ct);
}
