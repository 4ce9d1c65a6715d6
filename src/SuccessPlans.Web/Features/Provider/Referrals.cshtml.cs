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

    public sealed record Row(int Id, string? Child, string? Grade, string? School, string Service, string? Need, ReferralStatus Status, DateTime? SentAt, int Deliveries);

    public string Tab { get; private set; } = "new";
    public IReadOnlyList<Row> Rows { get; private set; } = [];
    public IReadOnlyDictionary<string, int> Counts { get; private set; } = new Dictionary<string, int>();

    public async Task OnGetAsync(string? tab, CancellationToken ct)
    {
        Tab = Tabs.Any(t => t.Key == tab) ? tab! : "new";
        var statuses = Tabs.Single(t => t.Key == Tab).Statuses;
        var mine = await access.ReferralsAsync(ct);
        var byStatus = await mine.GroupBy(r => r.Status).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        Counts = Tabs.ToDictionary(t => t.Key, t => byStatus.Where(s => t.Statuses.Contains(s.Key)).Sum(s => s.Count));
        Rows = await mine.Where(r => statuses.Contains(r.Status)).OrderByDescending(r => r.SentAt).Take(500)
            .Select(r => new Row(r.Id, r.SharedChildName, r.SharedGrade, r.SharedSchool, r.Service.Name, r.SharedNeed, r.Status, r.SentAt, r.Deliveries.Count))
            .ToListAsync(ct);
    }
}
