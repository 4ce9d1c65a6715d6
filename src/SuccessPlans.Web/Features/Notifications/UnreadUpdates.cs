using SuccessPlans.Web.Features.Account;

namespace SuccessPlans.Web.Features.Notifications;

/// <summary>The signed-in user's unread referral updates: the marker in the navigation (one indexed count per page) and reading them.</summary>
public sealed class UnreadUpdates(AppDbContext db, CurrentUser me, TimeProvider time)
{
    // The count, once read in this request: a page that marks updates read asks first, and the layout's marker reuses it.
    private int? _unread;

    // Compiled: every page's layout asks, and EF's translation of the LINQ tree cost more than the count itself (issue 15).
    private static readonly Func<AppDbContext, int, CancellationToken, Task<int>> CountUnread =
        EF.CompileAsyncQuery((AppDbContext db, int userId, CancellationToken ct) => db.ReferralUpdates.Count(u => u.UserId == userId && u.ReadAt == null));

    public async Task<int> UnreadAsync(CancellationToken ct = default) =>
        _unread ??= me.Id == 0 ? 0 : await CountUnread(db, me.Id, ct);

    /// <summary>Marks the user's updates read: all of them, or those about the given referrals (the page they were opened on).</summary>
    public async Task MarkReadAsync(IReadOnlyCollection<int>? referralIds = null, CancellationToken ct = default)
    {
        // Most page views find nothing unread: one count (which the layout reuses) instead of an UPDATE.
        if (referralIds is { Count: 0 } || await UnreadAsync(ct) == 0) return;
        var unread = db.ReferralUpdates.Where(u => u.UserId == me.Id && u.ReadAt == null);
        if (referralIds is not null)
        {
            unread = unread.Where(u => referralIds.Contains(u.ReferralId));
            // Unread updates about other children only: nothing to write. An UPDATE takes the database's write lock even
            // when it changes no row, and would make the page wait behind a nightly check or an import.
            if (!await unread.AnyAsync(ct)) return;
        }
        if (await unread.ExecuteUpdateAsync(u => u.SetProperty(x => x.ReadAt, time.GetUtcNow().UtcDateTime), ct) > 0)
            _unread = null;
    }
}
