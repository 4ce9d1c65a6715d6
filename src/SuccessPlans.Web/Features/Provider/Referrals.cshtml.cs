using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using SuccessPlans.Features.Referrals;
using SuccessPlans.Features.Users;

namespace SuccessPlans.Web.Features.Provider;

/// <summary>The provider's inbox: their organization's referrals by state.</summary>
[Authorize(Policy = Roles.Provider)]
public class ReferralsModel(ProviderAccess access) : PageModel
{
    public static readonly (string Key, string Label, ReferralStatus[] Statuses)[] Tabs =
    [
        ("new", "New", [ReferralStatus.Sent]),
        ("accepted", "Accepted", [ReferralStatus.Accepted]),
        ("in-service", "In service", [ReferralStatus.InService]),
        ("closed", "Closed", [ReferralStatus.Completed, ReferralStatus.ClosedUnsuccessful, ReferralStatus.Declined, ReferralStatus.Withdrawn, ReferralStatus.Expired]),
    ];

    public string Tab { get; private set; } = "new";
    public IReadOnlyList<InboxRow> Rows { get; private set; } = [];
    public IReadOnlyDictionary<string, int> Counts { get; private set; } = new Dictionary<string, int>();

    public async Task OnGetAsync(string? tab, CancellationToken ct)
    {
        Tab = Tabs.Any(t => t.Key == tab) ? tab! : "new";
        var statuses = Tabs.Single(t => t.Key == Tab).Statuses;
        var mine = await access.ReferralsAsync(ct);
        var byStatus = await ProviderInbox.CountsByStatus(mine).ToListAsync(ct);
        Counts = Tabs.ToDictionary(t => t.Key, t => byStatus.Where(s => t.Statuses.Contains(s.Key)).Sum(s => s.Value));
        Rows = await ProviderInbox.Rows(mine, statuses).ToListAsync(ct);
    }
}
