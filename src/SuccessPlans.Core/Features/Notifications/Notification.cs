using SuccessPlans.Tenancy;

namespace SuccessPlans.Features.Notifications;

public enum NotificationStatus { Pending, Sending, Sent, Failed }

/// <summary>An email in the outbox: written with the change that causes it, sent afterwards by OutboxDispatcher.</summary>
public class Notification : TenantEntity
{
    /// <summary>What kind of message (invitation, digest, referral...), for the admin's view.</summary>
    public required string Kind { get; set; }
    public required string RecipientEmail { get; set; }
    public string? RecipientName { get; set; }
    public int? RecipientUserId { get; set; }
    public required string Subject { get; set; }
    public required string BodyText { get; set; }
    public string? BodyHtml { get; set; }

    public NotificationStatus Status { get; set; } = NotificationStatus.Pending;
    public int Attempts { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime NextAttemptAt { get; set; }

    /// <summary>While Sending, the claim expires at this time so a crashed sender's message is retried.</summary>
    public DateTime? LockedUntil { get; set; }
    public DateTime? SentAt { get; set; }
    public string? LastError { get; set; }
}

internal sealed class NotificationConfiguration : IEntityTypeConfiguration<Notification>
{
    public void Configure(EntityTypeBuilder<Notification> b)
    {
        b.Property(n => n.Kind).HasMaxLength(64);
        b.Property(n => n.RecipientEmail).HasMaxLength(256);
        b.Property(n => n.RecipientName).HasMaxLength(200);
        b.Property(n => n.Subject).HasMaxLength(300);
        b.Property(n => n.LastError).HasMaxLength(1000);
        // The dispatcher looks for due messages; the admin lists recent ones.
        b.HasIndex(n => new { n.TenantId, n.Status, n.NextAttemptAt });
        b.HasIndex(n => new { n.TenantId, n.CreatedAt });
    }
}
