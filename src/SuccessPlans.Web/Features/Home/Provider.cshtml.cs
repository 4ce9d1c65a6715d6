using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using SuccessPlans.Features.Directory;
using SuccessPlans.Features.Users;
using SuccessPlans.Web.Features.Account;

namespace SuccessPlans.Web.Features.Home;

[Authorize(Policy = Roles.Provider)]
public class ProviderModel(AppDbContext db, CurrentUser me) : PageModel
{
    public ProviderOrganization? Organization { get; private set; }
    public int NewReferrals { get; private set; }
    public int OpenReferrals { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        var orgId = await me.ProviderOrganizationIdAsync(ct);
        Organization = orgId is null ? null : await db.ProviderOrganizations.AsNoTracking()
            .Include(o => o.Services.OrderBy(s => s.Name))
            .SingleOrDefaultAsync(o => o.Id == orgId, ct);
        if (orgId is not null)
        {
            NewReferrals = await db.Referrals.CountAsync(r => r.OrganizationId == orgId && r.Status == SuccessPlans.Features.Referrals.ReferralStatus.Sent, ct);
            OpenReferrals = await db.Referrals.CountAsync(r => r.OrganizationId == orgId && (r.Status == SuccessPlans.Features.Referrals.ReferralStatus.Accepted || r.Status == SuccessPlans.Features.Referrals.ReferralStatus.InService), ct);
        }
    }
}
