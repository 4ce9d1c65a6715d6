using SuccessPlans.Tenancy;

namespace SuccessPlans.Features.Referrals;

public enum ReferralUpdateKind { Accepted, Declined, FirstService, Completed, ClosedUnsuccessful, Message, Withdrawn }

/// <summary>
/// Something a user is told about a referral: the provider's answer for the coordinator who sent it, a message
/// for the other party. Shown at once in the app (unread until opened) and emailed in one batch a day
/// (<see cref="ReferralUpdatesMailer"/>) unless the user turned those emails off.
/// </summary>
public class ReferralUpdate : TenantEntity
{
    public int UserId { get; set; }
    public int ReferralId { get; set; }
    public ReferralUpdateKind Kind { get; set; }

    /// <summary>One line for the recipient. For a provider user it never names the child.</summary>
    public required string Text { get; set; }
    public DateTime At { get; set; }
    public DateTime? ReadAt { get; set; }
    public DateTime? EmailedAt { get; set; }
}

internal sealed class ReferralUpdateConfiguration : IEntityTypeConfiguration<ReferralUpdate>
{
    public void Configure(EntityTypeBuilder<ReferralUpdate> b)
    {
        b.Property(u => u.Text).HasMaxLength(500);
        b.HasOne<Referral>().WithMany().HasForeignKey(u => u.ReferralId);
        b.HasOne<SuccessPlans.Features.Users.AppUser>().WithMany().HasForeignKey(u => u.UserId).OnDelete(DeleteBehavior.Restrict);
        // The unread marker and the list; the mailer's pending updates.
        b.HasIndex(u => new { u.TenantId, u.UserId, u.ReadAt, u.At });
        b.HasIndex(u => new { u.TenantId, u.EmailedAt, u.UserId });
    }
}
