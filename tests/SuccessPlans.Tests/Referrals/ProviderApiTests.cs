using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using SuccessPlans.Features.Directory;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Referrals;
using SuccessPlans.Features.Students;
using SuccessPlans.Features.Users;
using SuccessPlans.Tests.Infrastructure;

namespace SuccessPlans.Tests.Referrals;

/// <summary>A provider organization's own system, with an API key: the same rules as the portal.</summary>
public class ProviderApiTests : IAsyncLifetime
{
    private readonly AppFactory _app = new();
    private int _tenant, _orgA, _orgB, _referralA, _referralB;

    public async Task InitializeAsync()
    {
        _tenant = (await _app.CreateTenantAsync("keys")).Id;
        var school = (await _app.CreateSchoolAsync(_tenant, "Key School")).Id;
        (_orgA, _orgB, _referralA, _referralB) = await _app.InTenant(_tenant, async (_, db) =>
        {
            var a = new ProviderOrganization { Name = "Alpha Tutors" };
            var b = new ProviderOrganization { Name = "Beta Health" };
            var student = new Student { GivenName = "Kai", FamilyName = "Moss", SchoolId = school, Grade = "05" };
            var plan = new SuccessPlan { Student = student, SchoolYear = 2026 };
            var need = new PlanItem { Plan = plan, Domain = Domain.Academic, Kind = PlanItemKind.Need, Description = "Math", Status = NeedStatus.Open };
            var sa = new Service { Name = "Tutoring", Organization = a };
            var sb = new Service { Name = "Checkups", Organization = b };
            Referral Sent(Service s, ProviderOrganization o) => new()
            {
                Student = student, Need = need, Service = s, Organization = o, Status = ReferralStatus.Sent, SentByName = "coord", SentAt = DateTime.UtcNow,
                SharedChildName = "Kai Moss", SharedNeed = "Math", Events = [new() { To = ReferralStatus.Sent, UserName = "coord" }],
            };
            var ra = Sent(sa, a);
            var rb = Sent(sb, b);
            db.AddRange(plan, need, ra, rb);
            await db.SaveChangesAsync();
            return (a.Id, b.Id, ra.Id, rb.Id);
        });
        await _app.CreateUserAsync(_tenant, "alpha@keys.test", UserRole.Provider, organizationId: _orgA);
        await _app.CreateUserAsync(_tenant, "admin@keys.test", UserRole.Admin);
        await _app.CreateUserAsync(_tenant, "coord@keys.test", UserRole.Coordinator, [school]);
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private async Task<string> CreateKeyAsync(HttpClient user, string page)
    {
        var response = await user.SubmitFormAsync(page, new() { ["name"] = "Case system" }, formSelector: "form[action*='handler=Create']");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var doc = await Forms.ParseAsync(response);
        return doc.QuerySelector("code.secret")!.TextContent.Trim();
    }

    [Fact]
    public async Task A_providers_key_reaches_no_cabinet_figure()
    {
        var system = System(await CreateKeyAsync(await _app.SignedInAsync("alpha@keys.test"), "/ApiKeys"));
        foreach (var url in new[] { "/api/v1/cabinet/dashboard", "/api/v1/cabinet/tables/domain.csv", "/api/v1/students", "/api/v1/schools" })
        {
            var response = await system.GetAsync(url);
            Assert.True(response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden, $"{url} answered {(int)response.StatusCode}");
            var body = await response.Content.ReadAsStringAsync();
            Assert.DoesNotContain("servicesDelivered", body);
            Assert.DoesNotContain("Children served", body);
        }
    }

    private HttpClient System(string key)
    {
        var client = _app.CreateClient(new() { BaseAddress = new Uri("https://localhost"), AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    [Fact]
    public async Task A_system_with_a_key_lists_answers_and_posts_deliveries()
    {
        var key = await CreateKeyAsync(await _app.SignedInAsync("alpha@keys.test"), "/ApiKeys");
        Assert.StartsWith($"sp_{_tenant}_", key);
        var stored = await _app.InTenant(_tenant, (_, db) => db.ApiKeys.SingleAsync());
        Assert.DoesNotContain(stored.SecretHash, key);

        var system = System(key);
        var list = JsonDocument.Parse(await system.GetStringAsync("/api/v1/referrals")).RootElement;
        Assert.Equal(1, list.GetArrayLength());
        Assert.Equal(_referralA, list[0].GetProperty("id").GetInt32());

        var accepted = await system.PostAsJsonAsync($"/api/v1/referrals/{_referralA}/accept", new { });
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        var delivered = await system.PostAsJsonAsync($"/api/v1/referrals/{_referralA}/deliveries", new { deliveredOn = "2026-11-02", amount = 45, unit = "Minutes" });
        Assert.Equal(HttpStatusCode.OK, delivered.StatusCode);
        Assert.Equal("InService", JsonDocument.Parse(await delivered.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetString());
        var events = await _app.InTenant(_tenant, (_, db) => db.ReferralEvents.Where(e => e.ReferralId == _referralA).OrderBy(e => e.Id).Select(e => e.UserName).ToListAsync());
        Assert.Equal("Case system (API key)", events.Last());
    }

    [Fact]
    public async Task The_api_refuses_illegal_transitions_and_bad_input_as_problem_details()
    {
        var key = await CreateKeyAsync(await _app.SignedInAsync("alpha@keys.test"), "/ApiKeys");
        var system = System(key);
        var early = await system.PostAsJsonAsync($"/api/v1/referrals/{_referralA}/deliveries", new { deliveredOn = "2026-11-02", amount = 1 });
        Assert.Equal(HttpStatusCode.Conflict, early.StatusCode);
        Assert.Equal("application/problem+json", early.Content.Headers.ContentType?.MediaType);
        var noReason = await system.PostAsJsonAsync($"/api/v1/referrals/{_referralA}/decline", new { });
        Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await system.PostAsJsonAsync($"/api/v1/referrals/{_referralA}/accept", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await system.PostAsJsonAsync($"/api/v1/referrals/{_referralA}/accept", new { })).StatusCode);
        var badAmount = await system.PostAsJsonAsync($"/api/v1/referrals/{_referralA}/deliveries", new { deliveredOn = "2026-11-02", amount = 0 });
        Assert.Equal(HttpStatusCode.BadRequest, badAmount.StatusCode);
        Assert.Equal(0, await _app.InTenant(_tenant, (_, db) => db.ServiceDeliveries.CountAsync()));
    }

    [Fact]
    public async Task A_key_sees_nothing_of_another_organization_and_nothing_else_of_the_tenant()
    {
        var key = await CreateKeyAsync(await _app.SignedInAsync("alpha@keys.test"), "/ApiKeys");
        var system = System(key);
        Assert.Equal(HttpStatusCode.NotFound, (await system.GetAsync($"/api/v1/referrals/{_referralB}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await system.PostAsJsonAsync($"/api/v1/referrals/{_referralB}/accept", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await system.GetAsync("/api/v1/students")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await system.GetAsync("/api/v1/schools")).StatusCode);
        Assert.Equal(ReferralStatus.Sent, await _app.InTenant(_tenant, (_, db) => db.Referrals.Where(r => r.Id == _referralB).Select(r => r.Status).SingleAsync()));
    }

    [Fact]
    public async Task A_revoked_key_stops_working_at_once()
    {
        var provider = await _app.SignedInAsync("alpha@keys.test");
        var key = await CreateKeyAsync(provider, "/ApiKeys");
        var system = System(key);
        Assert.Equal(HttpStatusCode.OK, (await system.GetAsync("/api/v1/referrals")).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await provider.SubmitFormAsync("/ApiKeys", [], formSelector: "form[action*='handler=Revoke']")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await system.GetAsync("/api/v1/referrals")).StatusCode);
    }

    [Theory]
    [InlineData("not-a-key")]
    [InlineData("sp_1_000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public async Task Unknown_or_malformed_keys_get_401(string key) =>
        Assert.Equal(HttpStatusCode.Unauthorized, (await System(key).GetAsync("/api/v1/referrals")).StatusCode);

    [Fact]
    public async Task A_key_claiming_another_tenant_gets_nothing()
    {
        var key = await CreateKeyAsync(await _app.SignedInAsync("alpha@keys.test"), "/ApiKeys");
        var other = (await _app.CreateTenantAsync("keys-other")).Id;
        var forged = key.Replace($"sp_{_tenant}_", $"sp_{other}_");
        Assert.Equal(HttpStatusCode.Unauthorized, (await System(forged).GetAsync("/api/v1/referrals")).StatusCode);
    }

    [Fact]
    public async Task The_admin_manages_keys_for_any_organization_and_coordinators_for_none()
    {
        var admin = await _app.SignedInAsync("admin@keys.test");
        var key = await CreateKeyAsync(admin, $"/ApiKeys?organizationId={_orgB}");
        var list = JsonDocument.Parse(await System(key).GetStringAsync("/api/v1/referrals")).RootElement;
        Assert.Equal(_referralB, list[0].GetProperty("id").GetInt32());
        var coordinator = await _app.SignedInAsync("coord@keys.test");
        Assert.StartsWith("https://localhost/Account/AccessDenied", (await coordinator.GetAsync("/ApiKeys")).Location());
        // A provider cannot reach another organization's keys by changing the query.
        var provider = await _app.SignedInAsync("alpha@keys.test");
        var page = await (await provider.GetAsync($"/ApiKeys?organizationId={_orgB}")).Content.ReadAsStringAsync();
        Assert.Contains("Alpha Tutors", page);
        Assert.DoesNotContain("Beta Health", page);
    }
}
