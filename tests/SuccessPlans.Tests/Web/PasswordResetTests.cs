using System.Net;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using SuccessPlans.Features.Notifications;
using SuccessPlans.Features.Users;
using SuccessPlans.Tests.Infrastructure;
using SuccessPlans.Web.Features.Account;

namespace SuccessPlans.Tests.Web;

/// <summary>"Forgot password" end to end through the outbox and a real SMTP server: one link, two hours, once.</summary>
public class PasswordResetTests : IAsyncLifetime
{
    private SmtpServer _smtp = null!;
    private AppFactory _app = null!;
    private int _tenant;

    public async Task InitializeAsync()
    {
        _smtp = await SmtpServer.StartNewAsync();
        _app = new AppFactory();
        _app.Settings["Email:Delivery"] = "Smtp";
        _app.Settings["Email:Smtp:Host"] = "127.0.0.1";
        _app.Settings["Email:Smtp:Port"] = _smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        _app.Settings["Email:Smtp:Security"] = "None";
        _app.Settings["Email:Smtp:TimeoutSeconds"] = "5";
        _tenant = (await _app.CreateTenantAsync("reset")).Id;
        await _app.CreateUserAsync(_tenant, "coord@reset.test", UserRole.Coordinator);
        await _app.CreateUserAsync(_tenant, "admin@reset.test", UserRole.Admin);
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _smtp.DisposeAsync();
    }

    private Task<int> SendAsync() => _app.Services.GetRequiredService<OutboxDispatcher>().SendPendingAsync(CancellationToken.None);

    /// <summary>Asks for a link, and waits until the request has been handled after the answer.</summary>
    private async Task<string> ForgotAsync(HttpClient client, string email)
    {
        var response = await client.SubmitFormAsync("/Account/ForgotPassword", new() { ["Email"] = email });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await _app.Services.GetRequiredService<PasswordResetQueue>().WhenIdleAsync();
        return (await Forms.ParseAsync(response)).QuerySelector("main")!.TextContent.Trim();
    }

    /// <summary>Asks for a link and reads it from the mail the SMTP server received.</summary>
    private async Task<string> LinkAsync(string email)
    {
        var before = _smtp.Messages().Count;
        await ForgotAsync(_app.Browser(), email);
        Assert.Equal(1, await SendAsync());
        var mail = Assert.Single(_smtp.Messages().Skip(before));
        Assert.Contains(email, mail);
        var message = MimeKit.MimeMessage.Load(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(mail)));
        return Regex.Match(message.TextBody ?? "", @"https://localhost(/Account/ResetPassword\?user=\d+&code=\S+)").Groups[1].Value;
    }

    [Fact]
    public async Task A_user_asks_gets_the_mail_follows_the_link_sets_a_password_and_signs_in_and_the_link_works_once()
    {
        // The login page leads there.
        var login = await _app.Browser().GetDocumentAsync("/Account/Login");
        Assert.NotNull(login.QuerySelector("a[href='/Account/ForgotPassword']"));

        var link = await LinkAsync("coord@reset.test");
        Assert.NotEmpty(link);
        var browser = _app.Browser();
        var page = await browser.GetStringAsync(link);
        Assert.Contains("coord@reset.test", page);

        var weak = await browser.SubmitFormAsync(link, new() { ["Input.Password"] = "short", ["Input.Confirm"] = "short" });
        Assert.Contains("at least 12 characters", await weak.Content.ReadAsStringAsync());
        var done = await browser.SubmitFormAsync(link, new() { ["Input.Password"] = "Reset-Password-2026!", ["Input.Confirm"] = "Reset-Password-2026!" });
        Assert.Equal("/Account/Login", done.Location());

        var signedIn = await _app.SignedInAsync("coord@reset.test", "Reset-Password-2026!");
        Assert.Equal(HttpStatusCode.OK, (await signedIn.GetAsync("/Account/Settings")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _app.Browser().SubmitFormAsync("/Account/Login",
            new() { ["Input.Email"] = "coord@reset.test", ["Input.Password"] = AppFactory.Password })).StatusCode); // the old one is gone

        // Used once, the link is spent (the new password changed the security stamp in it), and says nothing of the user.
        var reused = await _app.Browser().GetStringAsync(link);
        Assert.Contains(ResetPasswordModel.InvalidLinkMessage, reused);
        Assert.DoesNotContain("coord@reset.test", reused);
    }

    [Fact]
    public async Task The_answer_does_not_wait_for_the_work_that_differs_between_an_account_and_no_account()
    {
        // Only a real account's request writes (its email into the outbox). With the database's write lock held by
        // someone else, a page that did that work before answering would wait for the lock; this one answers at once,
        // the same as for an unknown email, and the mail is queued once the lock is gone.
        await using (var holder = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_app.Root, "app.db")}"))
        {
            await holder.OpenAsync();
            await using var hold = holder.CreateCommand();
            hold.CommandText = "BEGIN IMMEDIATE";
            await hold.ExecuteNonQueryAsync();
            var client = _app.Browser();
            client.Timeout = TimeSpan.FromSeconds(10); // the database waits 30 s for a lock before it gives up
            var known = await client.SubmitFormAsync("/Account/ForgotPassword", new() { ["Email"] = "coord@reset.test" });
            var unknown = await client.SubmitFormAsync("/Account/ForgotPassword", new() { ["Email"] = "nobody@reset.test" });
            Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (known.StatusCode, unknown.StatusCode));
            Assert.Equal((await Forms.ParseAsync(unknown)).QuerySelector("main")!.TextContent, (await Forms.ParseAsync(known)).QuerySelector("main")!.TextContent);
            hold.CommandText = "ROLLBACK";
            await hold.ExecuteNonQueryAsync();
        }
        await _app.Services.GetRequiredService<PasswordResetQueue>().WhenIdleAsync();
        Assert.Equal(["coord@reset.test"], await _app.InTenant(_tenant, (_, db) => db.Notifications.Where(n => n.Kind == "password-reset").Select(n => n.RecipientEmail).ToListAsync()));
    }

    [Fact]
    public async Task A_link_older_than_two_hours_is_refused()
    {
        var link = await LinkAsync("admin@reset.test");
        _app.Time.Advance(TimeSpan.FromHours(1) + TimeSpan.FromMinutes(59));
        Assert.Contains("admin@reset.test", await _app.Browser().GetStringAsync(link));
        _app.Time.Advance(TimeSpan.FromMinutes(2));
        var expired = await _app.Browser().GetStringAsync(link);
        Assert.Contains(ResetPasswordModel.InvalidLinkMessage, expired);
        Assert.DoesNotContain("admin@reset.test", expired);
        Assert.DoesNotContain("name=\"Input.Password\"", expired);
    }

    [Fact]
    public async Task An_unknown_or_invited_email_gets_the_same_page_and_no_mail_and_bad_links_show_nothing()
    {
        await _app.InTenant(_tenant, async (sp, _) =>
        {
            var invited = new AppUser { UserName = "invited@reset.test", Email = "invited@reset.test", DisplayName = "Invited", Role = UserRole.Coordinator, CreatedAt = _app.Time.GetUtcNow().UtcDateTime };
            Assert.True((await sp.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<AppUser>>().CreateAsync(invited)).Succeeded);
        });
        var client = _app.Browser();
        var known = await ForgotAsync(client, "coord@reset.test");
        var unknown = await ForgotAsync(client, "nobody@reset.test");
        var invitedAnswer = await ForgotAsync(client, "invited@reset.test");
        Assert.Equal(known, unknown);
        Assert.Equal(known, invitedAnswer);
        Assert.Contains(ForgotPasswordModel.SentMessage, known);
        // Only the real account's mail was queued.
        Assert.Equal(["coord@reset.test"], await _app.InTenant(_tenant, (_, db) => db.Notifications.Where(n => n.Kind == "password-reset").Select(n => n.RecipientEmail).ToListAsync()));
        Assert.Equal(1, await SendAsync());
        Assert.DoesNotContain(_smtp.Messages(), m => m.Contains("nobody@reset.test", StringComparison.Ordinal) || m.Contains("invited@reset.test", StringComparison.Ordinal));

        var coordId = await _app.InTenant(_tenant, (_, db) => db.Users.Where(u => u.Email == "coord@reset.test").Select(u => u.Id).SingleAsync());
        var pages = new List<string>();
        foreach (var url in new[] { $"/Account/ResetPassword?user={coordId}&code=anything", "/Account/ResetPassword?user=999999&code=anything", $"/Account/ResetPassword?user={coordId}", "/Account/ResetPassword?user=x&code=%%" })
        {
            var response = await _app.Browser().GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var body = await response.Content.ReadAsStringAsync();
            Assert.DoesNotContain("coord@reset.test", body);
            pages.Add((await Forms.ParseAsync(response)).QuerySelector("main")!.TextContent.Trim());
        }
        Assert.Single(pages.Distinct());
        // An invitation link is not a reset link, nor the other way round.
        var invitationCode = await _app.InTenant(_tenant, async (sp, db) =>
            await sp.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<AppUser>>().GeneratePasswordResetTokenAsync(await db.Users.SingleAsync(u => u.Id == coordId)));
        Assert.Contains(ResetPasswordModel.InvalidLinkMessage, await _app.Browser().GetStringAsync($"/Account/ResetPassword?user={coordId}&code={Uri.EscapeDataString(invitationCode)}"));
    }
}
