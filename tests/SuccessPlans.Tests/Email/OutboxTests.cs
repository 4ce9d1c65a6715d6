using Microsoft.EntityFrameworkCore;
using SuccessPlans.Features.Notifications;
using SuccessPlans.Tests.Infrastructure;

namespace SuccessPlans.Tests.Email;

/// <summary>The outbox against a real SMTP server (aiosmtpd), and the pickup folder.</summary>
public class OutboxTests
{
    private static AppFactory SmtpApp(SmtpServer smtp)
    {
        var app = new AppFactory();
        app.Settings["Email:Delivery"] = "Smtp";
        app.Settings["Email:Smtp:Host"] = "127.0.0.1";
        app.Settings["Email:Smtp:Port"] = smtp.Port.ToString();
        app.Settings["Email:Smtp:Security"] = "None";
        app.Settings["Email:Smtp:TimeoutSeconds"] = "5";
        return app;
    }

    private static Task<int> QueueAsync(AppFactory app, int tenantId, string to, string subject) => app.InTenant(tenantId, async (sp, db) =>
    {
        var n = sp.GetRequiredService<Outbox>().Enqueue("test", to, "Recipient", subject, "Hello from the outbox.", "<p>Hello from the outbox.</p>");
        await db.SaveChangesAsync();
        return n.Id;
    });

    private static Task<Notification> ReadAsync(AppFactory app, int tenantId, int id) =>
        app.InTenant(tenantId, (_, db) => db.Notifications.AsNoTracking().SingleAsync(n => n.Id == id));

    [Fact]
    public async Task A_queued_message_reaches_the_smtp_server_once_and_is_marked_sent()
    {
        await using var smtp = await SmtpServer.StartNewAsync();
        await using var app = SmtpApp(smtp);
        var tenant = await app.CreateTenantAsync("mail");
        var id = await QueueAsync(app, tenant.Id, "coordinator@mail.test", "Your digest");
        var dispatcher = app.Services.GetRequiredService<OutboxDispatcher>();

        Assert.Equal(1, await dispatcher.SendPendingAsync(CancellationToken.None));
        Assert.Equal(0, await dispatcher.SendPendingAsync(CancellationToken.None));

        var message = Assert.Single(smtp.Messages());
        Assert.Contains("Subject: Your digest", message);
        Assert.Contains("coordinator@mail.test", message);
        Assert.Contains($"notification-{tenant.Id}-{id}@successplans", message);
        var stored = await ReadAsync(app, tenant.Id, id);
        Assert.Equal(NotificationStatus.Sent, stored.Status);
        Assert.Equal(1, stored.Attempts);
        Assert.NotNull(stored.SentAt);
    }

    [Fact]
    public async Task With_the_server_down_nothing_is_lost_and_the_message_goes_out_once_it_is_back()
    {
        await using var smtp = new SmtpServer(); // not started: the server is down
        await using var app = SmtpApp(smtp);
        var tenant = await app.CreateTenantAsync("down");
        var id = await QueueAsync(app, tenant.Id, "admin@down.test", "Invitation");
        var dispatcher = app.Services.GetRequiredService<OutboxDispatcher>();

        Assert.Equal(0, await dispatcher.SendPendingAsync(CancellationToken.None));
        var failed = await ReadAsync(app, tenant.Id, id);
        Assert.Equal(NotificationStatus.Pending, failed.Status);
        Assert.Equal(1, failed.Attempts);
        Assert.NotNull(failed.LastError);
        Assert.Equal(app.Time.GetUtcNow().UtcDateTime.AddMinutes(1), failed.NextAttemptAt, TimeSpan.FromSeconds(1));

        await smtp.StartAsync();
        // Still inside the backoff: no retry yet.
        Assert.Equal(0, await dispatcher.SendPendingAsync(CancellationToken.None));
        Assert.Empty(smtp.Messages());

        app.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, await dispatcher.SendPendingAsync(CancellationToken.None));
        Assert.Equal(0, await dispatcher.SendPendingAsync(CancellationToken.None));
        Assert.Single(smtp.Messages());
        Assert.Equal(NotificationStatus.Sent, (await ReadAsync(app, tenant.Id, id)).Status);
    }

    [Fact]
    public async Task Retries_back_off_and_finally_mark_the_message_failed()
    {
        await using var smtp = new SmtpServer();
        await using var app = SmtpApp(smtp);
        app.Settings["Email:MaxAttempts"] = "3";
        var tenant = await app.CreateTenantAsync("backoff");
        var id = await QueueAsync(app, tenant.Id, "x@backoff.test", "Never");
        var dispatcher = app.Services.GetRequiredService<OutboxDispatcher>();

        await dispatcher.SendPendingAsync(CancellationToken.None);
        app.Time.Advance(TimeSpan.FromMinutes(1));
        await dispatcher.SendPendingAsync(CancellationToken.None);
        var second = await ReadAsync(app, tenant.Id, id);
        Assert.Equal(2, second.Attempts);
        Assert.Equal(app.Time.GetUtcNow().UtcDateTime.AddMinutes(2), second.NextAttemptAt, TimeSpan.FromSeconds(1));

        app.Time.Advance(TimeSpan.FromMinutes(2));
        await dispatcher.SendPendingAsync(CancellationToken.None);
        Assert.Equal(NotificationStatus.Failed, (await ReadAsync(app, tenant.Id, id)).Status);
    }

    [Fact]
    public async Task A_message_claimed_by_another_sender_is_not_sent_again()
    {
        await using var smtp = await SmtpServer.StartNewAsync();
        await using var app = SmtpApp(smtp);
        var tenant = await app.CreateTenantAsync("claimed");
        var id = await QueueAsync(app, tenant.Id, "x@claimed.test", "Claimed");
        // Another server claimed it a moment ago and is sending it now.
        await app.InTenant(tenant.Id, async (_, db) =>
        {
            var n = await db.Notifications.SingleAsync(x => x.Id == id);
            n.Status = NotificationStatus.Sending;
            n.LockedUntil = app.Time.GetUtcNow().UtcDateTime.AddMinutes(10);
            await db.SaveChangesAsync();
        });
        var dispatcher = app.Services.GetRequiredService<OutboxDispatcher>();
        Assert.Equal(0, await dispatcher.SendPendingAsync(CancellationToken.None));
        Assert.Empty(smtp.Messages());
    }

    [Fact]
    public async Task Pickup_delivery_writes_an_eml_file_per_message()
    {
        await using var app = new AppFactory();
        var tenant = await app.CreateTenantAsync("pickup");
        await QueueAsync(app, tenant.Id, "a@pickup.test", "First");
        await QueueAsync(app, tenant.Id, "b@pickup.test", "Second");
        Assert.Equal(2, await app.Services.GetRequiredService<OutboxDispatcher>().SendPendingAsync(CancellationToken.None));
        var files = Directory.GetFiles(app.PickupDirectory, "*.eml");
        Assert.Equal(2, files.Length);
        Assert.Contains(files, f => File.ReadAllText(f).Contains("Subject: First"));
    }

    [Fact]
    public async Task A_tenant_sees_only_its_own_outbox()
    {
        await using var app = new AppFactory();
        var a = await app.CreateTenantAsync("out-a");
        var b = await app.CreateTenantAsync("out-b");
        await QueueAsync(app, a.Id, "a@out.test", "For A");
        Assert.Equal(0, await app.InTenant(b.Id, (_, db) => db.Notifications.CountAsync()));
        Assert.Equal(1, await app.InTenant(a.Id, (_, db) => db.Notifications.CountAsync()));
    }
}
