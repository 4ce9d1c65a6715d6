using System.Net;
using System.Text;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using SuccessPlans.Data;
using SuccessPlans.Features.Flags;
using SuccessPlans.Features.Notifications;
using SuccessPlans.Features.Users;
using SuccessPlans.Tenancy;

namespace SuccessPlans.Features.Referrals;

/// <summary>
/// Emails referral updates (answers, first services, closings, messages) in one batch: at most one email per
/// user per local day, sent once the updates have been quiet for a few minutes, so a busy day is one email and
/// never one per event. Updates already read in the app, and those of users who turned the email off, are not
/// mailed. A <see cref="DigestSent"/> row (unique per user, day and kind) keeps two nodes from both sending.
/// </summary>
public sealed class ReferralUpdatesMailer(IServiceScopeFactory scopes, TimeProvider time, PublicUrls urls)
{
    public const string RecurringJobId = "referral-updates-email";

    /// <summary>How long updates must be quiet before the batch goes: a burst of answers becomes one email.</summary>
    public static readonly TimeSpan QuietPeriod = TimeSpan.FromMinutes(5);

    [AutomaticRetry(Attempts = 1)]
    [DisableConcurrentExecution(timeoutInSeconds: 300)]
    public async Task<int> SendAsync(CancellationToken ct)
    {
        List<int> tenantIds;
        await using (var outer = scopes.CreateAsyncScope())
            tenantIds = await outer.ServiceProvider.GetRequiredService<AppDbContext>().Tenants.Select(t => t.Id).ToListAsync(ct);
        var queued = 0;
        foreach (var tenantId in tenantIds)
        {
            await using var scope = scopes.CreateTenantScope(tenantId);
            queued += await SendForTenantAsync(scope.ServiceProvider, ct);
        }
        return queued;
    }

    private async Task<int> SendForTenantAsync(IServiceProvider services, CancellationToken ct)
    {
        var db = services.GetRequiredService<AppDbContext>();
        var outbox = services.GetRequiredService<Outbox>();
        var now = time.GetUtcNow().UtcDateTime;
        // Every pending update in one query, grouped by recipient (not one query per user).
        var pending = (await db.ReferralUpdates.Where(u => u.EmailedAt == null).OrderBy(u => u.At).ToListAsync(ct))
            .GroupBy(u => u.UserId).ToDictionary(g => g.Key, g => g.ToList());
        if (pending.Count == 0) return 0;

        var tenant = await db.Tenants.AsNoTracking().SingleAsync(ct);
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(now, tenant.TimeZone));
        var userIds = pending.Keys.ToList();
        var users = await db.Users.Where(u => userIds.Contains(u.Id))
            .Select(u => new { u.Id, u.Email, u.DisplayName, u.Role, u.EmailReferralUpdates, u.LockoutEnd, u.Language,
                MailedToday = db.DigestsSent.Any(d => d.UserId == u.Id && d.On == today && d.Kind == DigestKind.ReferralUpdates) })
            .ToListAsync(ct);
        // The child of each referral, for the access log of the emails that name them (one query).
        var referralIds = pending.Values.SelectMany(l => l).Select(u => u.ReferralId).Distinct().ToList();
        var children = await db.Referrals.Where(r => referralIds.Contains(r.Id)).ToDictionaryAsync(r => r.Id, r => r.StudentId, ct);
        var accessLog = services.GetRequiredService<SuccessPlans.Features.Audit.AccessLog>();
        var queued = 0;
        foreach (var user in users)
        {
            var updates = pending[user.Id];
            var wantsMail = user.EmailReferralUpdates && user.Email is { Length: > 0 } && (user.LockoutEnd is null || user.LockoutEnd < time.GetUtcNow());
            var unread = updates.Where(u => u.ReadAt == null).ToList();
            var mailing = wantsMail && unread.Count > 0;
            // Wait for the burst to end, and for tomorrow once today's email went out.
            if (mailing && (user.MailedToday || now - unread.Max(u => u.At) < QuietPeriod))
                continue;
            DigestSent? sent = null;
            Notification? email = null;
            var logged = new List<object>();
            if (mailing)
            {
                var link = urls.For("/Notifications");
                // In the recipient's language; each update's text stays as it was written.
                using var language = EmailLanguage.Use(user.Language);
                var text = new StringBuilder($"{EmailLanguage.T("Hello {0},", user.DisplayName)}\n\n{EmailLanguage.T("{0} update(s) on your referrals in {1}:", unread.Count, tenant.Name)}\n\n");
                var html = new StringBuilder($"<p>{EmailLanguage.T("Hello {0},", WebUtility.HtmlEncode(user.DisplayName))}</p><p>{EmailLanguage.T("{0} update(s) on your referrals in {1}:", unread.Count, WebUtility.HtmlEncode(tenant.Name))}</p><ul>");
                foreach (var u in unread)
                {
                    text.Append($"- {u.Text}\n");
                    html.Append($"<li>{WebUtility.HtmlEncode(u.Text)}</li>");
                }
                text.Append($"\n{EmailLanguage.T("See them in SuccessPlans")}: {link}\n\n{EmailLanguage.T("You can turn these emails off under My settings.")}");
                html.Append($"</ul><p><a href=\"{WebUtility.HtmlEncode(link)}\">{EmailLanguage.T("See them in SuccessPlans")}</a>. {EmailLanguage.T("You can turn these emails off under My settings.")}</p>");
                db.DigestsSent.Add(sent = new DigestSent { UserId = user.Id, On = today, Kind = DigestKind.ReferralUpdates });
                email = outbox.Enqueue("referral-updates", user.Email!, user.DisplayName, EmailLanguage.T("SuccessPlans: {0} referral update(s)", unread.Count), text.ToString(), html.ToString(), user.Id);
                // A school user's updates name the child (a provider's never do): the recipient received those records.
                if (user.Role != UserRole.Provider)
                {
                    var recipient = new SuccessPlans.Features.Audit.AccessActor(user.Id, user.DisplayName, user.Role.ToString(), null, null);
                    foreach (var studentId in unread.Where(u => children.ContainsKey(u.ReferralId)).Select(u => children[u.ReferralId]).Distinct())
                        logged.Add(db.AccessLog.Add(accessLog.Entry(recipient, SuccessPlans.Features.Audit.AccessAction.DigestEmail, studentId, "referral updates email")).Entity);
                }
            }
            // Read in the app, mailed now, or not wanted by mail: each update is handled once.
            foreach (var u in updates)
                u.EmailedAt = now;
            try
            {
                await db.SaveChangesAsync(ct);
                if (mailing) queued++;
            }
            catch (DbUpdateException)
            {
                // Another node mailed this user today at the same moment; its email stands. Only this user's rows are dropped.
                foreach (var entry in db.ChangeTracker.Entries().Where(e => e.Entity == sent || e.Entity == email || updates.Contains(e.Entity) || logged.Contains(e.Entity)).ToList())
                    entry.State = EntityState.Detached;
            }
        }
        return queued;
    }
}
