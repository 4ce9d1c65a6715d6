using System.Net;
using SuccessPlans.Features.Users;
using SuccessPlans.Tests.Infrastructure;

namespace SuccessPlans.Tests.Web;

/// <summary>
/// The real rate limiter with low limits (RateLimits:{Policy}:PermitLimit): sign-in, reset, invitation acceptance,
/// API-key requests and exports each answer 429 with Retry-After once the window's requests are spent.
/// </summary>
public class RateLimitTests : IAsyncLifetime
{
    private const int Limit = 3;
    private readonly AppFactory _app = new();
    private int _tenant;

    public async Task InitializeAsync()
    {
        foreach (var policy in new[] { "SignIn", "PasswordReset", "Invitation", "ApiKey", "Export" })
        {
            _app.Settings[$"RateLimits:{policy}:PermitLimit"] = Limit.ToString(System.Globalization.CultureInfo.InvariantCulture);
            _app.Settings[$"RateLimits:{policy}:WindowSeconds"] = "3600";
        }
        _tenant = (await _app.CreateTenantAsync("limits")).Id;
        await _app.CreateUserAsync(_tenant, "cabinet@limits.test", UserRole.Cabinet);
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    /// <summary>Sends the request until the limit is spent; the next one is refused with 429 and a Retry-After in seconds.</summary>
    private static async Task<HttpResponseMessage> ExhaustAsync(Func<Task<HttpResponseMessage>> send)
    {
        for (var i = 0; i < Limit; i++)
            Assert.NotEqual(HttpStatusCode.TooManyRequests, (await send()).StatusCode);
        var refused = await send();
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        var retryAfter = int.Parse(refused.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 3600);
        return refused;
    }

    private static FormUrlEncodedContent Form(params (string Key, string Value)[] fields) =>
        new(fields.ToDictionary(f => f.Key, f => f.Value));

    [Fact]
    public async Task Sign_in_attempts_are_limited_but_the_page_itself_is_not()
    {
        var client = _app.Browser();
        var refused = await ExhaustAsync(() => client.PostAsync("/Account/Login", Form(("Input.Email", "x@limits.test"), ("Input.Password", "Wrong-Password-1!"))));
        Assert.Contains("Too many requests", await refused.Content.ReadAsStringAsync());
        Assert.StartsWith("text/html", refused.Content.Headers.ContentType!.ToString());
        // The second step is counted with the first.
        Assert.Equal(HttpStatusCode.TooManyRequests, (await client.PostAsync("/Account/LoginWith2fa", Form(("Code", "123456")))).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await client.PostAsync("/Account/LoginWithRecoveryCode", Form(("Code", "abc")))).StatusCode);
        for (var i = 0; i < Limit + 2; i++)
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/Account/Login")).StatusCode);
    }

    [Fact]
    public async Task Reset_requests_and_reset_links_are_limited()
    {
        var client = _app.Browser();
        await ExhaustAsync(() => client.PostAsync("/Account/ForgotPassword", Form(("Email", "x@limits.test"))));
        Assert.Equal(HttpStatusCode.TooManyRequests, (await client.PostAsync("/Account/ResetPassword?user=1&code=x", Form(("Input.Password", "x")))).StatusCode);
    }

    [Fact]
    public async Task Invitation_acceptance_is_limited()
    {
        var client = _app.Browser();
        await ExhaustAsync(() => client.PostAsync("/Account/AcceptInvite?user=1&code=x", Form(("Input.Password", "x"))));
    }

    [Fact]
    public async Task Api_key_requests_are_limited_and_answer_problem_details()
    {
        var client = _app.Browser();
        var refused = await ExhaustAsync(() =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/referrals");
            request.Headers.Add("X-Api-Key", "sp_guessing-a-key");
            return client.SendAsync(request);
        });
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType!.MediaType);
        Assert.Contains("Too many requests", await refused.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Exports_are_limited()
    {
        var cabinet = await _app.SignedInAsync("cabinet@limits.test");
        var refused = await ExhaustAsync(() => cabinet.GetAsync("/api/v1/cabinet/tables/totals.csv"));
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task A_pages_export_is_limited_but_the_page_itself_is_not()
    {
        // The access log's CSV is counted; browsing the log is not.
        await _app.CreateUserAsync(_tenant, "admin@limits.test", UserRole.Admin);
        var admin = await _app.SignedInAsync("admin@limits.test");
        var csv = await ExhaustAsync(() => admin.GetAsync("/Audit?handler=Export"));
        Assert.StartsWith("text/html", csv.Content.Headers.ContentType!.ToString());
        for (var i = 0; i < Limit + 2; i++)
            Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/Audit")).StatusCode);
    }
}
