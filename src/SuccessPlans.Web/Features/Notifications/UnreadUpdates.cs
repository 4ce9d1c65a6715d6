using SuccessPlans.Web.Features.Account;

namespace SuccessPlans.Web.Features.Notifications;

/// <summary>The signed-in user's unread referral updates: the marker in the navigation on every page, and reading them.</summary>
/// <remarks>
/// The count is kept in <see cref="TenantReadCache"/> until a write to the tenant's referrals or updates (a provider's
/// answer, a message, a page that marks updates read), so a page asks the database only after one: every page's layout
/// shows it (issue 15). Another app process's write shows within the cache's lifetime, as the worklist's does.
/// </remarks>
public sealed class UnreadUpdates(AppDbContext db, CurrentUser me, SuccessPlans.Tenancy.CurrentTenant tenant, TimeProvider time, TenantReadCache cache)
{
    // The count, once read in this request: the updates page asks first, and the layout's marker reuses it.
    private int? _unread;

    private sealed record UnreadKey(TenantReadCache.Stamp Stamp, int UserId);

    // Compiled: every page's layout asks, and EF's translation of the LINQ tree cost more than the count itself (issue 15).
    private static readonly Func<AppDbContext, int, CancellationToken, Task<int>> CountUnread =
        EF.CompileAsyncQuery((AppDbContext db, int userId, CancellationToken ct) => db.ReferralUpdates.Count(u => u.UserId == userId && u.ReadAt == null));

    public async Task<int> UnreadAsync(CancellationToken ct = default) => _unread ??= await CountAsync(keptWillDo: true, ct);

    // keptWillDo false: from the database even when a count is kept, as the updates page, about to mark them all read,
    // must see another process's newest (it keeps the new count for the next pages).
    private async Task<int> CountAsync(bool keptWillDo, CancellationToken ct)
    {
        var userId = me.Id;
        if (userId == 0) return 0;
        // An operator has no tenant, and no updates.
        if (tenant.TenantId is not { } tenantId) return await CountUnread(db, userId, ct);
        // The stamp before the read: a write while it runs retires what is stored under it.
        var key = new UnreadKey(cache.StampOf(tenantId), userId);
        if (keptWillDo && cache.TryGet<int>(key, out var kept)) return kept;
        var count = await CountUnread(db, userId, ct);
        cache.Store(key, count);
        return count;
    }

    // Whether any of the user's updates about the given referrals is unread (compiled): a provider's referral page asks it;
    // the student page asks it in its first statement (StudentPage.HeadOf) and passes foundUnread.
    private static readonly Func<AppDbContext, int, int[], CancellationToken, Task<bool>> AnyUnreadAbout =
        EF.CompileAsyncQuery((AppDbContext db, int userId, int[] referralIds, CancellationToken ct) =>
            db.ReferralUpdates.Any(u => u.UserId == userId && u.ReadAt == null && referralIds.Contains(u.ReferralId)));

    /// <summary>
    /// Marks the user's updates read: all of them, or those about the given referrals (the page they were opened on).
    /// <paramref name="foundUnread"/>: the page's own read just found one unread about those referrals (the student page's
    /// first query), so the database is not asked again before the UPDATE.
    /// </summary>
    public async Task MarkReadAsync(IReadOnlyCollection<int>? referralIds = null, CancellationToken ct = default, bool foundUnread = false)
    {
        // Most page views find nothing unread.
        if (referralIds is { Count: 0 }) return;
        IQueryable<SuccessPlans.Features.Referrals.ReferralUpdate> unread;
        if (referralIds is not null)
        {
            // The page's own referrals: one question of the database, not the user's whole count first (the layout's
            // marker takes the kept count). An UPDATE takes the database's write lock even when it changes no row, and
            // would make the page wait behind a nightly check or an import, so none is run without a row to change.
            var ids = referralIds.ToArray();
            if (!foundUnread && !await AnyUnreadAbout(db, me.Id, ids, ct)) return;
            unread = db.ReferralUpdates.Where(u => u.UserId == me.Id && u.ReadAt == null && ids.Contains(u.ReferralId));
        }
        else
        {
            // Everything read (the updates page): the count from the database, as another process may have added some.
            _unread = await CountAsync(keptWillDo: false, ct);
            if (_unread == 0) return;
            unread = db.ReferralUpdates.Where(u => u.UserId == me.Id && u.ReadAt == null);
        }
        if (await unread.ExecuteUpdateAsync(u => u.SetProperty(x => x.ReadAt, time.GetUtcNow().UtcDateTime), ct) > 0)
            _unread = null;
    }
}
