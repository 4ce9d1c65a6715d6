using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;
using SuccessPlans.Data;
using SuccessPlans.Features.Observability;
using SuccessPlans.Tenancy;

namespace SuccessPlans.Features.Notifications;

/// <summary>
/// The recurring job that sends the outbox. Each message is claimed before it is sent and marked Sent right
/// after, so a second run (a retry, a second server) never sends it again. Failures wait with exponential
/// backoff; nothing is dropped while the mail server is down.
/// </summary>
public sealed class OutboxDispatcher(
    IServiceScopeFactory scopes,
    IMailTransport transport,
    TimeProvider time,
    IOptions<EmailOptions> options,
    AppMetrics metrics,
    ILogger<OutboxDispatcher> log)
{
    public const string RecurringJobId = "outbox-send";
    private const int BatchSize = 100;
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromHours(6);

    /// <summary>Sends every due message of every tenant; returns how many went out.</summary>
    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(timeoutInSeconds: 300)]
    public async Task<int> SendPendingAsync(CancellationToken ct)
    {
        using var activity = AppMetrics.Activities.StartActivity(TelemetryNames.OutboxActivity);
        List<int> tenantIds;
        await using (var outer = scopes.CreateAsyncScope())
        {
            tenantIds = await outer.ServiceProvider.GetRequiredService<AppDbContext>().Tenants.Select(t => t.Id).ToListAsync(ct);
        }

        var sent = 0;
        long waiting = 0;
        try
        {
            foreach (var tenantId in tenantIds)
            {
                await using var scope = scopes.CreateTenantScope(tenantId);
                var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
                sent += await SendForTenantAsync(db, tenantId, ct);
                waiting += await db.Notifications.CountAsync(n => n.Status == NotificationStatus.Pending || n.Status == NotificationStatus.Sending, ct);
            }
        }
        catch
        {
            metrics.JobFinished(RecurringJobId, succeeded: false);
            throw;
        }
        metrics.JobFinished(RecurringJobId, succeeded: true);
        metrics.EmailsQueued(waiting);
        activity?.SetTag("emails.sent", sent);
        activity?.SetTag("emails.waiting", waiting);
        return sent;
    }

    private async Task<int> SendForTenantAsync(AppDbContext db, int tenantId, CancellationToken ct)
    {
        var sent = 0;
        while (true)
        {
            var now = time.GetUtcNow().UtcDateTime;
            var due = await db.Notifications
                .Where(n => (n.Status == NotificationStatus.Pending && n.NextAttemptAt <= now)
                         || (n.Status == NotificationStatus.Sending && n.LockedUntil < now))
                .OrderBy(n => n.Id)
                .Take(BatchSize)
                .ToListAsync(ct);
            if (due.Count == 0)
                return sent;

            var failures = 0;
            foreach (var message in due)
            {
                // The claim runs from now, not from when the batch was read: a slow relay must not send on an expired claim.
                if (!await TryClaimAsync(db, message, time.GetUtcNow().UtcDateTime, options.Value.ClaimLifetime, ct))
                    continue;
                if (await TrySendAsync(db, message, tenantId, ct))
                    sent++;
                else
                    failures++;
            }
            db.ChangeTracker.Clear();
            // Failed messages wait for their backoff; stop here rather than spin on them.
            if (failures > 0 || due.Count < BatchSize)
                return sent;
        }
    }

    private static async Task<bool> TryClaimAsync(AppDbContext db, Notification message, DateTime now, TimeSpan lifetime, CancellationToken ct)
    {
        message.Status = NotificationStatus.Sending;
        message.LockedUntil = now + lifetime;
        try
        {
            await db.SaveChangesAsync(ct);
            return true;
        }
        catch (DbUpdateConcurrencyException)
        {
            // Another dispatcher claimed it first.
            db.Entry(message).State = EntityState.Detached;
            return false;
        }
    }

    private async Task<bool> TrySendAsync(AppDbContext db, Notification message, int tenantId, CancellationToken ct)
    {
        message.Attempts++;
        try
        {
            await transport.SendAsync(ToMime(message, tenantId), ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var giveUp = message.Attempts >= options.Value.MaxAttempts;
            message.Status = giveUp ? NotificationStatus.Failed : NotificationStatus.Pending;
            message.LockedUntil = null;
            message.NextAttemptAt = time.GetUtcNow().UtcDateTime + Backoff(message.Attempts);
            message.LastError = Truncate(e.Message, 1000);
            // The exception's type, never its message: a relay's refusal can quote the recipient.
            log.LogWarning("Email {NotificationId} of tenant {TenantId} failed (attempt {Attempt}): {ErrorType}", message.Id, tenantId, message.Attempts, e.GetType().Name);
            metrics.EmailFailed(message.Kind, giveUp);
            await db.SaveChangesAsync(CancellationToken.None);
            return false;
        }

        // Marked sent at once, before anything else can fail, so no retry sends it again.
        message.Status = NotificationStatus.Sent;
        message.SentAt = time.GetUtcNow().UtcDateTime;
        message.LockedUntil = null;
        message.LastError = null;
        await db.SaveChangesAsync(CancellationToken.None);
        metrics.EmailSent(message.Kind);
        return true;
    }

    /// <summary>1, 2, 4, 8 ... minutes, at most six hours.</summary>
    public static TimeSpan Backoff(int attempts) =>
        TimeSpan.FromMinutes(Math.Min(Math.Pow(2, Math.Max(0, attempts - 1)), MaxBackoff.TotalMinutes));

    private MimeMessage ToMime(Notification n, int tenantId)
    {
        var o = options.Value;
        var message = new MimeMessage
        {
            // A stable id lets a receiving server drop a duplicate should a crash force a resend.
            MessageId = $"notification-{tenantId}-{n.Id}@successplans",
            Subject = n.Subject,
            Date = n.CreatedAt,
        };
        message.From.Add(new MailboxAddress(o.FromName, o.FromAddress));
        message.To.Add(new MailboxAddress(n.RecipientName ?? "", n.RecipientEmail));
        var body = new BodyBuilder { TextBody = n.BodyText, HtmlBody = n.BodyHtml };
        message.Body = body.ToMessageBody();
        return message;
    }

    private static string Truncate(string s, int max) => s.Length <= max ? s : s[..max];
}
