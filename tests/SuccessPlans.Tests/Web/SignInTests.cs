using System.Net;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SuccessPlans.Features.Users;
using SuccessPlans.Tests.Infrastructure;

namespace SuccessPlans.Tests.Web;

public class SignInTests : IAsyncLifetime
{
    private readonly AppFactory _app = new();
    private int _tenant;

    public async Task InitializeAsync()
    {
        _tenant = (await _app.CreateTenantAsync("signin")).Id;
        await _app.CreateUserAsync(_tenant, "admin@signin.test", UserRole.Admin);
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Signing_in_and_out()
    {
        var client = await _app.SignedInAsync("admin@signin.test");
        var home = await client.GetAsync("/");
        Assert.Equal("/Home/Admin", home.Location());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/Home/Admin")).StatusCode);

        var signedOut = await client.SubmitFormAsync("/Home/Admin", [], formSelector: "form.signout");
        Assert.Equal("/Account/Login", signedOut.Location());
        var after = await client.GetAsync("/Home/Admin");
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        Assert.StartsWith("https://localhost/Account/Login", after.Location());
    }

    [Fact]
    public async Task A_wrong_password_and_an_unknown_email_get_the_same_answer()
    {
        var client = _app.Browser();
        var wrong = await client.SubmitFormAsync("/Account/Login", new() { ["Input.Email"] = "admin@signin.test", ["Input.Password"] = "Wrong-Password-1!" });
        var unknown = await client.SubmitFormAsync("/Account/Login", new() { ["Input.Email"] = "nobody@signin.test", ["Input.Password"] = "Wrong-Password-1!" });
        Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
        Assert.Contains("The email or password is not right.", await wrong.Content.ReadAsStringAsync());
        Assert.Contains("The email or password is not right.", await unknown.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Five_failures_lock_the_account_even_for_the_right_password()
    {
        await _app.CreateUserAsync(_tenant, "locked@signin.test", UserRole.Coordinator);
        var client = _app.Browser();
        for (var i = 0; i < 5; i++)
            await client.SubmitFormAsync("/Account/Login", new() { ["Input.Email"] = "locked@signin.test", ["Input.Password"] = "Wrong-Password-1!" });
        var right = await client.SubmitFormAsync("/Account/Login", new() { ["Input.Email"] = "locked@signin.test", ["Input.Password"] = AppFactory.Password });
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        Assert.Contains("locked", await right.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_post_without_the_antiforgery_token_is_refused()
    {
        var client = _app.Browser();
        var response = await client.PostAsync("/Account/Login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Input.Email"] = "admin@signin.test", ["Input.Password"] = AppFactory.Password,
        }));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task The_sign_in_cookie_is_secure_http_only_and_same_site()
    {
        await _app.CreateUserAsync(_tenant, "cookie@signin.test", UserRole.Coordinator);
        var client = _app.Browser();
        var response = await client.SubmitFormAsync("/Account/Login", new() { ["Input.Email"] = "cookie@signin.test", ["Input.Password"] = AppFactory.Password });
        var cookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("successplans.auth", StringComparison.Ordinal)).ToLowerInvariant();
        Assert.Contains("secure", cookie);
        Assert.Contains("httponly", cookie);
        Assert.Contains("samesite=lax", cookie);

        // An Admin's password alone gives only the short-lived two-factor cookie, held to the same bar, and no session.
        var admin = await _app.Browser().SubmitFormAsync("/Account/Login", new() { ["Input.Email"] = "admin@signin.test", ["Input.Password"] = AppFactory.Password });
        var cookies = admin.Headers.GetValues("Set-Cookie").ToList();
        Assert.DoesNotContain(cookies, c => c.StartsWith("successplans.auth=", StringComparison.Ordinal) && !c.StartsWith("successplans.auth=;", StringComparison.Ordinal));
        var twoFactor = cookies.Single(c => c.StartsWith("successplans.2fa", StringComparison.Ordinal)).ToLowerInvariant();
        Assert.Contains("secure", twoFactor);
        Assert.Contains("httponly", twoFactor);
    }

    [Fact]
    public async Task Every_response_carries_the_security_headers()
    {
        var response = await _app.Browser().GetAsync("/Account/Login");
        Assert.Contains("default-src 'self'", response.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Contains("frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("strict-origin-when-cross-origin", response.Headers.GetValues("Referrer-Policy").Single());
    }

    [Fact]
    public async Task Pages_need_a_signed_in_user_and_the_api_answers_401()
    {
        var client = _app.Browser();
        Assert.StartsWith("https://localhost/Account/Login", (await client.GetAsync("/Users")).Location());
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/schools")).StatusCode);
    }

    [Fact]
    public async Task Health_reports_the_database()
    {
        var response = await _app.Browser().GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"status":"Healthy","database":"Healthy","outbox":"Healthy","nightly-check":"Healthy"}""", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_deactivated_user_cannot_sign_in()
    {
        var user = await _app.CreateUserAsync(_tenant, "gone@signin.test", UserRole.Cabinet);
        await _app.InTenant(_tenant, async (_, db) =>
        {
            var u = await db.Users.SingleAsync(x => x.Id == user.Id);
            u.LockoutEnd = DateTimeOffset.MaxValue;
            await db.SaveChangesAsync();
        });
        var response = await _app.Browser().SubmitFormAsync("/Account/Login", new() { ["Input.Email"] = "gone@signin.test", ["Input.Password"] = AppFactory.Password });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("deactivated", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_open_session_ends_within_the_minute_after_its_user_is_deactivated()
    {
        var user = await _app.CreateUserAsync(_tenant, "leaving@signin.test", UserRole.Admin);
        var client = await _app.SignedInAsync("leaving@signin.test");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/Home/Admin")).StatusCode);
        await _app.InTenant(_tenant, async (sp, db) =>
        {
            var users = sp.GetRequiredService<UserManager<AppUser>>();
            var u = await users.FindByIdAsync(user.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            u!.LockoutEnd = DateTimeOffset.MaxValue;
            await users.UpdateAsync(u);
            await users.UpdateSecurityStampAsync(u);
        });
        // The stamp is checked once a minute (README, "Roles"): until then the session stands.
        _app.Time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/Home/Admin")).StatusCode);

        _app.Time.Advance(TimeSpan.FromSeconds(31));
        var after = await client.GetAsync("/Home/Admin");
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        Assert.StartsWith("https://localhost/Account/Login", after.Location());
    }

    [Fact]
    public async Task The_security_stamp_is_looked_up_once_a_minute_not_at_every_request()
    {
        await using var app = new CountingStampChecks();
        var tenant = (await app.CreateTenantAsync("stamp-checks")).Id;
        await app.CreateUserAsync(tenant, "often@signin.test", UserRole.Admin);
        var client = await app.SignedInAsync("often@signin.test");
        for (var i = 0; i < 5; i++)
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/Home/Admin")).StatusCode);
        Assert.Equal(0, app.Checks.Count);

        app.Time.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/Home/Admin")).StatusCode);
        Assert.Equal(1, app.Checks.Count);
        // The check renewed the cookie: the next minute asks nothing again.
        for (var i = 0; i < 3; i++)
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/Home/Admin")).StatusCode);
        Assert.Equal(1, app.Checks.Count);
    }

    /// <summary>The app with Identity's stamp validator counted.</summary>
    private sealed class CountingStampChecks : AppFactory
    {
        public sealed class Counter { public int Count; }

        public Counter Checks { get; } = new();

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureTestServices(s =>
            {
                s.AddSingleton(Checks);
                s.AddScoped<ISecurityStampValidator, Counting>();
            });
        }

        private sealed class Counting(Counter counter, IOptions<SecurityStampValidatorOptions> options, SignInManager<AppUser> signIn, ILoggerFactory logger)
            : SecurityStampValidator<AppUser>(options, signIn, logger)
        {
            public override Task ValidateAsync(CookieValidatePrincipalContext context)
            {
                Interlocked.Increment(ref counter.Count);
                return base.ValidateAsync(context);
            }
        }
    }
}
