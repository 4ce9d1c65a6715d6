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
    // The count, once read in this request: a page that marks updates read asks first, and the layout's marker reuses it.
    private int? _unread;

    private sealed record UnreadKey(TenantReadCache.Stamp Stamp, int UserId);

    // Compiled: every page's layout asks, and EF's translation of the LINQ tree cost more than the count itself (issue 15).
    private static readonly Func<AppDbContext, int, CancellationToken, Task<int>> CountUnread =
        EF.CompileAsyncQuery((AppDbContext db, int userId, CancellationToken ct) => db.ReferralUpdates.Count(u => u.UserId == userId && u.ReadAt == null));

    public async Task<int> UnreadAsync(CancellationToken ct = default) => _unread ??= await CountAsync(keptWillDo: true, ct);

    // keptWillDo false: from the database even when a count is kept, as a page about to mark updates read must see
    // another process's newest (it keeps the new count for the next pages).
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

    /// <summary>Marks the user's updates read: all of them, or those about the given referrals (the page they were opened on).</summary>
    public async Task MarkReadAsync(IReadOnlyCollection<int>? referralIds = null, CancellationToken ct = default)
    {
        // Most page views find nothing unread: one count (which the layout reuses) instead of an UPDATE.
        if (referralIds is { Count: 0 }) return;
        _unread = await CountAsync(keptWillDo: false, ct);
        if (_unread == 0) return;
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
