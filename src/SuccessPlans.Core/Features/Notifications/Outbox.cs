using SuccessPlans.Data;

namespace SuccessPlans.Features.Notifications;

/// <summary>
/// Code that sends mail calls Enqueue: the message is added to the same unit of work as the change that
/// causes it, so both are saved together or not at all. OutboxDispatcher sends it afterwards.
/// </summary>
public sealed class Outbox(AppDbContext db, TimeProvider time)
{
    public Notification Enqueue(string kind, string toEmail, string? toName, string subject, string bodyText, string? bodyHtml = null, int? recipientUserId = null)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var notification = new Notification
        {
            Kind = kind,
            RecipientEmail = toEmail,
            RecipientName = toName,
            RecipientUserId = recipientUserId,
            Subject = subject,
            BodyText = bodyText,
            BodyHtml = bodyHtml,
            CreatedAt = now,
            NextAttemptAt = now,
        };
        db.Notifications.Add(notification);
        return notification;
    }
}
