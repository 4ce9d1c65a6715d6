using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using SuccessPlans.Features.Directory;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Users;
using SuccessPlans.Web.Features.Account;

namespace SuccessPlans.Web.Features.Home;

[Authorize(Policy = Roles.Provider)]
public class ProviderModel(AppDbContext db, CurrentUser me, CapacityService capacity) : PageModel
{
    public ProviderOrganization? Organization { get; private set; }
    public int NewReferrals { get; private set; }
    public int OpenReferrals { get; private set; }

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    /// <summary>Keeps capacity true in one step: open places (0 = full) and the waitlist of one service.</summary>
    public async Task<IActionResult> OnPostCapacityAsync(int serviceId, int? openPlaces, bool? hasWaitlist, Guid? version, CancellationToken ct)
    {
        var orgId = await me.ProviderOrganizationIdAsync(ct);
        var service = await db.Services.SingleOrDefaultAsync(s => s.Id == serviceId && s.OrganizationId == orgId, ct);
        if (service is null) return NotFound();
        try
        {
            await capacity.SetAsync(service, ModelState.IsValid ? openPlaces : -1, hasWaitlist == true, version, ct);
        }
        catch (Exception e) when (e is ValidationFailedException or ConcurrencyConflictException)
        {
            db.ChangeTracker.Clear();
            ModelState.AddModelError("", $"{service.Name}: {CoreText.Of(e)}");
            await LoadAsync(ct);
            return Page();
        }
        TempData["Message"] = $"{service.Name}: {(service.IsFull ? "full" : service.Capacity is { } n ? $"{n} open place(s)" : "open places not said")}{(service.HasWaitlist ? ", waitlist kept" : "")}.";
        return RedirectToPage();
    }

    private async Task LoadAsync(CancellationToken ct)
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
