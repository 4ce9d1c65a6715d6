using SuccessPlans.Web.Features.Account;

namespace SuccessPlans.Web.Features.Notifications;

/// <summary>The unread marker in the navigation: one indexed count per page.</summary>
public sealed class UnreadUpdates(AppDbContext db, CurrentUser me)
{
    public Task<int> UnreadAsync(CancellationToken ct = default) =>
        me.Id == 0 ? Task.FromResult(0) : db.ReferralUpdates.CountAsync(u => u.UserId == me.Id && u.ReadAt == null, ct);
}
