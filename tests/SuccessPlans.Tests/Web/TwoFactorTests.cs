using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using SuccessPlans.Features.Users;
using SuccessPlans.Tests.Infrastructure;
using SuccessPlans.Web.Features.Account;

namespace SuccessPlans.Tests.Web;

/// <summary>
/// The second factor: an Admin cannot finish signing in without it; a user who must have it and has none reaches only
/// the enrolment page; recovery codes work once; a tenant may require it for everyone.
/// </summary>
public class TwoFactorTests : IAsyncLifetime
{
    private readonly AppFactory _app = new();
    private int _tenant, _strict;
    private int _school;

    public async Task InitializeAsync()
    {
        _tenant = (await _app.CreateTenantAsync("twofa")).Id;
        _strict = (await _app.CreateTenantAsync("twofa-strict")).Id;
        _school = (await _app.CreateSchoolAsync(_tenant, "Lincoln School")).Id;
        await _app.CreateUserAsync(_tenant, "admin@twofa.test", UserRole.Admin);
        await _app.CreateUserAsync(_strict, "admin@strict.test", UserRole.Admin);
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    /// <summary>A user as an invitation leaves them once the password is chosen: no second factor yet.</summary>
    private Task<AppUser> CreateUnenrolledAsync(int? tenantId, string email, UserRole role) => _app.InTenant(tenantId, async (sp, _) =>
    {
        var user = new AppUser
        {
            UserName = email, Email = email, EmailConfirmed = true, DisplayName = "New", Role = role, TenantId = tenantId,
            CreatedAt = _app.Time.GetUtcNow().UtcDateTime, ActivatedAt = _app.Time.GetUtcNow().UtcDateTime,
        };
        Assert.True((await sp.GetRequiredService<UserManager<AppUser>>().CreateAsync(user, AppFactory.Password)).Succeeded);
        return user;
    });

    private static Task<HttpResponseMessage> PasswordAsync(HttpClient client, string email) =>
        client.SubmitFormAsync("/Account/Login", new() { ["Input.Email"] = email, ["Input.Password"] = AppFactory.Password });

    /// <summary>Pages and API of every kind, which a half-signed-in user must not reach.</summary>
    private static readonly string[] Elsewhere = ["/", "/Home/Admin", "/Users", "/Settings", "/Students", "/Account/Settings", "/Tenants", "/Jobs", "/Directory"];

    [Fact]
    public async Task An_admin_cannot_finish_signing_in_without_the_second_factor()
    {
        var client = _app.Browser();
        var password = await PasswordAsync(client, "admin@twofa.test");
        Assert.StartsWith("/Account/LoginWith2fa", password.Location());

        // The right password alone opens nothing: every page sends to sign-in, the API answers 401.
        foreach (var url in Elsewhere.Where(u => u != "/Account/Settings")) // (that page answers 404 to anyone signed out)
        {
            var response = await client.GetAsync(url);
            Assert.True(response.StatusCode == HttpStatusCode.Redirect && response.Location().Contains("/Account/Login", StringComparison.Ordinal),
                $"{url} answered {(int)response.StatusCode} {response.Headers.Location}");
        }
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/students")).StatusCode);

        // A wrong code keeps them out.
        var wrong = await client.SubmitFormAsync("/Account/LoginWith2fa", new() { ["Code"] = WrongCode(_app.AuthenticatorKeys["admin@twofa.test"]) });
        Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
        Assert.Contains(LoginWith2faModel.WrongCodeMessage, await wrong.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/Users")).StatusCode);

        // The code of the authenticator app finishes it.
        var signedIn = await client.SubmitFormAsync("/Account/LoginWith2fa", new() { ["Code"] = Totp.Code(_app.AuthenticatorKeys["admin@twofa.test"]) });
        Assert.Equal("/", signedIn.Location());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/Users")).StatusCode);

        // Without the password step first, the second step sends back to sign-in.
        Assert.StartsWith("/Account/Login", (await _app.Browser().GetAsync("/Account/LoginWith2fa")).Location());
    }

    private static string WrongCode(string key)
    {
        var now = DateTimeOffset.UtcNow;
        var valid = Enumerable.Range(-3, 7).Select(i => Totp.Code(key, now.AddSeconds(30 * i))).ToHashSet();
        return Enumerable.Range(0, 100).Select(i => i.ToString("D6", System.Globalization.CultureInfo.InvariantCulture)).First(c => !valid.Contains(c));
    }

    [Fact]
    public async Task An_admin_without_a_second_factor_reaches_only_the_enrolment_page_until_enrolled_then_recovery_codes_work_once()
    {
        await CreateUnenrolledAsync(_tenant, "newadmin@twofa.test", UserRole.Admin);
        var client = _app.Browser();
        var password = await PasswordAsync(client, "newadmin@twofa.test");
        Assert.Equal(HttpStatusCode.Redirect, password.StatusCode);

        foreach (var url in Elsewhere.Append("/hangfire").Append("/Account/Login"))
        {
            var response = await client.GetAsync(url);
            Assert.True(response.StatusCode == HttpStatusCode.Redirect && response.Location() == "/Account/TwoFactor",
                $"{url} answered {(int)response.StatusCode} {response.Headers.Location}");
        }
        // Nor can it post anywhere else (a form's token from the enrolment page, sent to Users → Invite).
        var page = await client.GetDocumentAsync("/Account/TwoFactor");
        var token = page.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        var invite = await client.PostAsync("/Users/Invite", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Input.Email"] = "sneaky@twofa.test", ["Input.DisplayName"] = "Sneaky", ["Input.Role"] = "Admin", ["__RequestVerificationToken"] = token,
        }));
        Assert.Equal("/Account/TwoFactor", invite.Location());
        var api = await client.GetAsync("/api/v1/students");
        Assert.Equal(HttpStatusCode.Forbidden, api.StatusCode);
        Assert.Contains("Two-factor authentication required", await api.Content.ReadAsStringAsync());
        Assert.False(await _app.InTenant(_tenant, (_, db) => db.Users.AnyAsync(u => u.Email == "sneaky@twofa.test")));

        // Enrolment: the key and otpauth address, a wrong code refused, the right one gives ten recovery codes once.
        Assert.Contains("Your account requires two-factor authentication", page.Body!.TextContent);
        var key = page.QuerySelector("#shared-key")!.TextContent.Trim();
        var otpauth = page.QuerySelector("#otpauth")!.GetAttribute("href")!;
        Assert.StartsWith("otpauth://totp/SuccessPlans%3Anewadmin", otpauth);
        Assert.Contains($"?secret={key}&issuer=SuccessPlans", otpauth);
        var wrong = await client.SubmitFormAsync("/Account/TwoFactor", new() { ["Code"] = WrongCode(key) });
        Assert.Contains("That code is not right", await wrong.Content.ReadAsStringAsync());
        Assert.Equal("/Account/TwoFactor", (await client.GetAsync("/Users")).Location());

        var enrolled = await Forms.ParseAsync(await client.SubmitFormAsync("/Account/TwoFactor", new() { ["Code"] = Totp.Code(key) }));
        var codes = enrolled.QuerySelectorAll(".recovery-codes code").Select(c => c.TextContent).ToList();
        Assert.Equal(10, codes.Distinct().Count());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/Users")).StatusCode);
        Assert.DoesNotContain(codes[0], await (await client.GetAsync("/Account/TwoFactor")).Content.ReadAsStringAsync());

        // An Admin may not turn it off.
        var manage = await client.GetDocumentAsync("/Account/TwoFactor");
        Assert.Null(manage.QuerySelector("form[action*=Disable]"));
        var disable = await client.PostAsync("/Account/TwoFactor?handler=Disable", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = manage.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!,
        }));
        Assert.Contains("cannot be turned off", await disable.Content.ReadAsStringAsync());
        Assert.True(await _app.InTenant(_tenant, (_, db) => db.Users.Where(u => u.Email == "newadmin@twofa.test").Select(u => u.TwoFactorEnabled).SingleAsync()));

        // Next time the code is asked; a recovery code stands in for it once.
        var again = _app.Browser();
        Assert.StartsWith("/Account/LoginWith2fa", (await PasswordAsync(again, "newadmin@twofa.test")).Location());
        var recovered = await again.SubmitFormAsync("/Account/LoginWithRecoveryCode", new() { ["Code"] = codes[0] });
        Assert.Equal("/", recovered.Location());
        Assert.Equal(HttpStatusCode.OK, (await again.GetAsync("/Users")).StatusCode);

        var third = _app.Browser();
        await PasswordAsync(third, "newadmin@twofa.test");
        var reused = await third.SubmitFormAsync("/Account/LoginWithRecoveryCode", new() { ["Code"] = codes[0] });
        Assert.Equal(HttpStatusCode.OK, reused.StatusCode);
        Assert.Contains("not right, or was already used", await reused.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Redirect, (await third.GetAsync("/Users")).StatusCode);
    }

    [Fact]
    public async Task An_operator_must_enrol_too()
    {
        await CreateUnenrolledAsync(null, "ops@twofa.test", UserRole.Operator);
        var client = _app.Browser();
        await PasswordAsync(client, "ops@twofa.test");
        Assert.Equal("/Account/TwoFactor", (await client.GetAsync("/Tenants")).Location());
        Assert.Equal("/Account/TwoFactor", (await client.GetAsync("/hangfire")).Location());
    }

    [Fact]
    public async Task A_tenant_can_require_it_for_everyone_and_others_may_turn_it_off()
    {
        await _app.CreateUserAsync(_strict, "coord@strict.test", UserRole.Coordinator);
        await _app.CreateUserAsync(_tenant, "coord@twofa.test", UserRole.Coordinator, [_school]);

        // Before the setting: a coordinator signs in with the password alone.
        var before = _app.Browser();
        await PasswordAsync(before, "coord@strict.test");
        Assert.Equal(HttpStatusCode.Redirect, (await before.GetAsync("/")).StatusCode);
        Assert.Equal("/Home/Coordinator", (await before.GetAsync("/")).Location());

        var admin = await _app.SignedInAsync("admin@strict.test");
        var saved = await admin.SubmitFormAsync("/Settings", [], check: ["Input.RequireTwoFactor"]);
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        Assert.True(await _app.InTenant(_strict, (_, db) => db.Tenants.Select(t => t.RequireTwoFactor).SingleAsync()));

        // After it: the next sign-in goes to enrolment; the other tenant's coordinator is not affected.
        var after = _app.Browser();
        await PasswordAsync(after, "coord@strict.test");
        Assert.Equal("/Account/TwoFactor", (await after.GetAsync("/Students")).Location());
        var free = await _app.SignedInAsync("coord@twofa.test");
        Assert.Equal(HttpStatusCode.OK, (await free.GetAsync("/Students")).StatusCode);

        // Where it is not required, a user may set it up and turn it off again.
        var page = await free.GetDocumentAsync("/Account/TwoFactor");
        Assert.DoesNotContain("requires two-factor", page.Body!.TextContent);
        var key = page.QuerySelector("#shared-key")!.TextContent.Trim();
        await free.SubmitFormAsync("/Account/TwoFactor", new() { ["Code"] = Totp.Code(key) });
        Assert.True(await _app.InTenant(_tenant, (_, db) => db.Users.Where(u => u.Email == "coord@twofa.test").Select(u => u.TwoFactorEnabled).SingleAsync()));
        var off = await free.SubmitFormAsync("/Account/TwoFactor", [], buttonSelector: "form[action*=Disable] button", formSelector: "form[action*=Disable]");
        Assert.Equal(HttpStatusCode.Redirect, off.StatusCode);
        Assert.False(await _app.InTenant(_tenant, (_, db) => db.Users.Where(u => u.Email == "coord@twofa.test").Select(u => u.TwoFactorEnabled).SingleAsync()));
        Assert.Equal(HttpStatusCode.OK, (await free.GetAsync("/Students")).StatusCode);
    }
}
