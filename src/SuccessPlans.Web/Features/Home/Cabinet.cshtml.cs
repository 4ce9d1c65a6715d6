using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using SuccessPlans.Features.Students;
using SuccessPlans.Features.Users;

namespace SuccessPlans.Web.Features.Home;

/// <summary>Counts only: the cabinet never sees a child's name or row.</summary>
[Authorize(Policy = Roles.Cabinet)]
public class CabinetModel(AppDbContext db) : PageModel
{
    public string TenantName { get; private set; } = "";
    public int Threshold { get; private set; }
    public int Schools { get; private set; }
    public int ChildrenEnrolled { get; private set; }
    public int Organizations { get; private set; }
    public int ActiveServices { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        var tenant = await db.Tenants.SingleAsync(ct);
        TenantName = tenant.Name;
        Threshold = tenant.SuppressionThreshold;
        Schools = await db.Schools.CountAsync(ct);
        ChildrenEnrolled = await db.Students.CountAsync(s => s.Status == StudentStatus.Active, ct);
        Organizations = await db.ProviderOrganizations.CountAsync(ct);
        ActiveServices = await db.Services.CountAsync(s => s.Status == "active", ct);
    }

    /// <summary>A count of children below the tenant's threshold is not shown.</summary>
    public string Children(int count) => count < Threshold ? $"fewer than {Threshold}" : count.ToString("N0", System.Globalization.CultureInfo.InvariantCulture);
}
