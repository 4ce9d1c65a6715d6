using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Referrals;
using SuccessPlans.Web.Features.Account;

namespace SuccessPlans.Web.Features.Provider;

/// <summary>
/// What a provider user may see: the referrals sent to their own organization, read from the fields the
/// referral shared. Never the student's record, the plan, or another organization's referrals.
/// </summary>
public sealed class ProviderAccess(AppDbContext db, CurrentUser me)
{
    public Task<int?> OrganizationIdAsync(CancellationToken ct = default) => me.ProviderOrganizationIdAsync(ct);

    public async Task<IQueryable<Referral>> ReferralsAsync(CancellationToken ct = default)
    {
        return ProviderInbox.Of(db, await me.ProviderOrganizationIdAsync(ct));
    }

    public async Task<Referral?> FindAsync(int id, CancellationToken ct = default) =>
        await (await ReferralsAsync(ct)).Include(r => r.Service).Include(r => r.Events).Include(r => r.Deliveries).SingleOrDefaultAsync(r => r.Id == id, ct);

    public Actor Actor => new(me.Id == 0 ? null : me.Id, me.DisplayName);
}
