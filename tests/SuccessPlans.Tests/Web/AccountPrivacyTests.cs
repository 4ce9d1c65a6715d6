using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using SuccessPlans.Features.Users;
using SuccessPlans.Tests.Infrastructure;
using SuccessPlans.Web.Features.Account;

namespace SuccessPlans.Tests.Web;

/// <summary>
/// The account pages tell nobody whether an email or a user exists: not by what they show, not by the work they do.
/// </summary>
public class AccountPrivacyTests : IAsyncLifetime
{
    /// <summary>The app's own password hasher, counting how often a password is checked.</summary>
    private sealed class CountingHasher(IOptions<PasswordHasherOptions> options) : PasswordHasher<AppUser>(options)
    {
        public static int Verifications;

        public override PasswordVerificationResult VerifyHashedPassword(AppUser user, string hashedPassword, string providedPassword)
        {
            Interlocked.Increment(ref Verifications);
            return base.VerifyHashedPassword(user, hashedPassword, providedPassword);
        }
    }

    private sealed class Factory : AppFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureTestServices(s => s.AddScoped<IPasswordHasher<AppUser>, CountingHasher>());
        }
    }

    private readonly Factory _app = new();
    private int _tenant, _other;

    public async Task InitializeAsync()
    {
        _tenant = (await _app.CreateTenantAsync("acct-a")).Id;
        _other = (await _app.CreateTenantAsync("acct-b")).Id;
        await _app.CreateUserAsync(_tenant, "active@acct-a.test", UserRole.Coordinator);
        await _app.CreateUserAsync(_tenant, "locked@acct-a.test", UserRole.Coordinator);
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    /// <summary>A user invited but without a password yet, as Users → Invite leaves them.</summary>
    private Task<AppUser> InviteAsync(int tenantId, string email) => _app.InTenant(tenantId, async (sp, _) =>
    {
        var user = new AppUser { UserName = email, Email = email, DisplayName = "Invitee", Role = UserRole.Coordinator, CreatedAt = _app.Time.GetUtcNow().UtcDateTime };
        Assert.True((await sp.GetRequiredService<UserManager<AppUser>>().CreateAsync(user)).Succeeded);
        return user;
    });

    private Task<string> TokenAsync(int tenantId, int userId) => _app.InTenant(tenantId, async (sp, db) =>
    {
        var users = sp.GetRequiredService<UserManager<AppUser>>();
        return await users.GeneratePasswordResetTokenAsync(await db.Users.SingleAsync(u => u.Id == userId));
    });

    private static async Task<string> MainTextAsync(HttpResponseMessage response) =>
        (await Forms.ParseAsync(response)).QuerySelector("main")!.TextContent.Trim();

    [Fact]
    public async Task The_invitation_page_shows_no_email_until_its_code_is_valid()
    {
        var mine = await InviteAsync(_tenant, "invitee@acct-a.test");
        var theirs = await InviteAsync(_other, "invitee@acct-b.test");
        var anonymous = _app.Browser();

        var pages = new List<string>();
        foreach (var url in new[]
                 {
                     $"/Account/AcceptInvite?user={mine.Id}&code=anything",
                     $"/Account/AcceptInvite?user={theirs.Id}&code=anything",
                     $"/Account/AcceptInvite?user={theirs.Id}",
                     $"/Account/AcceptInvite?user={mine.Id}&code={Uri.EscapeDataString(await TokenAsync(_other, theirs.Id))}", // another user's code
                     "/Account/AcceptInvite?user=999999&code=anything",
                     "/Account/AcceptInvite?user=garbage&code=anything",
                 })
        {
            var response = await anonymous.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var body = await response.Content.ReadAsStringAsync();
            Assert.DoesNotContain("invitee@", body);
            Assert.DoesNotContain("name=\"Input.Password\"", body);
            pages.Add(await MainTextAsync(response));
        }
        // One page for every wrong link: nothing tells a real user from an unknown one.
        Assert.Single(pages.Distinct());
        Assert.Contains(AcceptInviteModel.InvalidLinkMessage, pages[0]);

        // Posting a wrong code (with a valid antiforgery token) reveals nothing either, and sets no password.
        var token = (await anonymous.GetDocumentAsync("/Account/Login")).QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        var posted = await anonymous.PostAsync("/Account/AcceptInvite", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["user"] = mine.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), ["Code"] = "anything",
            ["Input.Password"] = "Brand-New-Pass-42!", ["Input.Confirm"] = "Brand-New-Pass-42!", ["__RequestVerificationToken"] = token,
        }));
        Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        Assert.Equal(pages[0], await MainTextAsync(posted));
        Assert.Null(await _app.InTenant(_tenant, (_, db) => db.Users.Where(u => u.Id == mine.Id).Select(u => u.PasswordHash).SingleAsync()));

        // The real link shows whom it is for.
        var valid = await anonymous.GetAsync($"/Account/AcceptInvite?user={mine.Id}&code={Uri.EscapeDataString(await TokenAsync(_tenant, mine.Id))}");
        Assert.Contains("invitee@acct-a.test", await valid.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Sign_in_answers_and_work_are_the_same_for_unknown_emails_invited_users_wrong_and_locked_passwords()
    {
        await InviteAsync(_tenant, "invited@acct-a.test");
        var client = _app.Browser();
        for (var i = 0; i < 5; i++)
            await client.SubmitFormAsync("/Account/Login", new() { ["Input.Email"] = "locked@acct-a.test", ["Input.Password"] = "Wrong-Password-1!" });

        var answers = new Dictionary<string, (string Text, int Hashes)>();
        foreach (var email in new[] { "nobody@acct-a.test", "active@acct-a.test", "invited@acct-a.test", "locked@acct-a.test" })
        {
            var before = Volatile.Read(ref CountingHasher.Verifications);
            var response = await client.SubmitFormAsync("/Account/Login", new() { ["Input.Email"] = email, ["Input.Password"] = "Wrong-Password-1!" });
            var hashes = Volatile.Read(ref CountingHasher.Verifications) - before;
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            answers[email] = ((await Forms.ParseAsync(response)).QuerySelector("[role=alert]")!.TextContent.Trim(), hashes);
        }
        // The same message, and exactly one password hash checked, whoever the email belongs to (if anyone).
        Assert.All(answers, a => Assert.Equal(("The email or password is not right.", 1), a.Value));

        // Only the owner of the password learns that their account is locked.
        var right = await client.SubmitFormAsync("/Account/Login", new() { ["Input.Email"] = "locked@acct-a.test", ["Input.Password"] = AppFactory.Password });
        Assert.Contains("locked", await right.Content.ReadAsStringAsync());
    }
}
