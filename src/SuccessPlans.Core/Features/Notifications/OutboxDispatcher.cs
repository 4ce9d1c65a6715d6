using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;
using SuccessPlans.Data;
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
    ILogger<OutboxDispatcher> log)
{
    public const string RecurringJobId = "outbox-send";
    private const int BatchSize = 100;
    private static readonly TimeSpan ClaimLifetime = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromHours(6);

    /// <summary>Sends every due message of every tenant; returns how many went out.</summary>
    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(timeoutInSeconds: 300)]
    public async Task<int> SendPendingAsync(CancellationToken ct)
    {
        List<int> tenantIds;
        await using (var outer = scopes.CreateAsyncScope())
        {
            tenantIds = await outer.ServiceProvider.GetRequiredService<AppDbContext>().Tenants.Select(t => t.Id).ToListAsync(ct);
        }

        var sent = 0;
        foreach (var tenantId in tenantIds)
        {
            await using var scope = scopes.CreateTenantScope(tenantId);
            sent += await SendForTenantAsync(scope.ServiceProvider.GetRequiredService<AppDbContext>(), tenantId, ct);
        }
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
                if (!await TryClaimAsync(db, message, now, ct))
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

    private static async Task<bool> TryClaimAsync(AppDbContext db, Notification message, DateTime now, CancellationToken ct)
    {
        message.Status = NotificationStatus.Sending;
        message.LockedUntil = now + ClaimLifetime;
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
            log.LogWarning("Email {NotificationId} of tenant {TenantId} failed (attempt {Attempt}): {Error}", message.Id, tenantId, message.Attempts, e.Message);
            await db.SaveChangesAsync(CancellationToken.None);
            return false;
        }

        // Marked sent at once, before anything else can fail, so no retry sends it again.
        message.Status = NotificationStatus.Sent;
        message.SentAt = time.GetUtcNow().UtcDateTime;
        message.LockedUntil = null;
        message.LastError = null;
        await db.SaveChangesAsync(CancellationToken.None);
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
