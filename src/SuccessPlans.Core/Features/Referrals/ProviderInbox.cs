using SuccessPlans.Data;

namespace SuccessPlans.Features.Referrals;

public sealed record InboxRow(int Id, string? Child, string? Grade, string? School, string Service, string? Need, ReferralStatus Status, DateTime? SentAt, int Deliveries);

/// <summary>
/// A provider organization's referral inbox, as queries (here, not in the page, so their SQL Server translation is
/// tested without a server). Only what the school shared is read.
/// </summary>
public static class ProviderInbox
{
    public const int MaxRows = 500;

    /// <summary>The organization's referrals (never drafts); none without an organization.</summary>
    public static IQueryable<Referral> Of(AppDbContext db, int? organizationId) =>
        organizationId is null ? db.Referrals.Where(_ => false) : db.Referrals.Where(r => r.OrganizationId == organizationId && r.Status != ReferralStatus.Draft);

    public static IQueryable<KeyValuePair<ReferralStatus, int>> CountsByStatus(IQueryable<Referral> mine) =>
        mine.GroupBy(r => r.Status).Select(g => new KeyValuePair<ReferralStatus, int>(g.Key, g.Count()));

    /// <summary>The newest first, at most <see cref="MaxRows"/>.</summary>
    public static IQueryable<InboxRow> Rows(IQueryable<Referral> mine, ReferralStatus[] statuses) =>
        mine.Where(r => statuses.Contains(r.Status)).OrderByDescending(r => r.SentAt).Take(MaxRows)
            .Select(r => new InboxRow(r.Id, r.SharedChildName, r.SharedGrade, r.SharedSchool, r.Service.Name, r.SharedNeed, r.Status, r.SentAt, r.Deliveries.Count));
}
