using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using SuccessPlans.Features.Referrals;
using SuccessPlans.Features.Users;
using SuccessPlans.Web.Features.Account;

namespace SuccessPlans.Web.Features.Notifications;

/// <summary>The user's referral updates, newest first; the ones shown unread are marked read as they are shown.</summary>
[Authorize(Roles = $"{Roles.Admin},{Roles.Coordinator},{Roles.Provider}")]
public class IndexModel(AppDbContext db, CurrentUser me, UnreadUpdates updates) : PageModel
{
    public sealed record Row(int Id, int ReferralId, int StudentId, ReferralUpdateKind Kind, string Text, DateTime At, bool Unread);

    public IReadOnlyList<Row> Updates { get; private set; } = [];
    public bool IsProvider => me.IsInRole(Roles.Provider);

    public async Task OnGetAsync(CancellationToken ct)
    {
        // Only the user's own updates; a provider's point at their organization's referral page, never the student.
        Updates = await db.ReferralUpdates.AsNoTracking().Where(u => u.UserId == me.Id)
            .OrderByDescending(u => u.At).ThenByDescending(u => u.Id).Take(200)
            .Join(db.Referrals, u => u.ReferralId, r => r.Id, (u, r) => new Row(u.Id, u.ReferralId, r.StudentId, u.Kind, u.Text, u.At, u.ReadAt == null))
            .ToListAsync(ct);
        await updates.MarkReadAsync(ct: ct);
    }

    public string Link(Row r) => IsProvider ? $"/Provider/Referrals/{r.ReferralId}" : $"/Students/{r.StudentId}#referral-{r.ReferralId}";
}
