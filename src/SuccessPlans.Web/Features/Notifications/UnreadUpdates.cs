using SuccessPlans.Web.Features.Account;

namespace SuccessPlans.Web.Features.Notifications;

/// <summary>The signed-in user's unread referral updates: the marker in the navigation (one indexed count per page) and reading them.</summary>
public sealed class UnreadUpdates(AppDbContext db, CurrentUser me, TimeProvider time)
{
    public Task<int> UnreadAsync(CancellationToken ct = default) =>
        me.Id == 0 ? Task.FromResult(0) : db.ReferralUpdates.CountAsync(u => u.UserId == me.Id && u.ReadAt == null, ct);

    /// <summary>Marks the user's updates read: all of them, or those about the given referrals (the page they were opened on).</summary>
    public Task MarkReadAsync(IReadOnlyCollection<int>? referralIds = null, CancellationToken ct = default)
    {
        var unread = db.ReferralUpdates.Where(u => u.UserId == me.Id && u.ReadAt == null);
        if (referralIds is not null) unread = unread.Where(u => referralIds.Contains(u.ReferralId));
        return unread.ExecuteUpdateAsync(u => u.SetProperty(x => x.ReadAt, time.GetUtcNow().UtcDateTime), ct);
    }
}
