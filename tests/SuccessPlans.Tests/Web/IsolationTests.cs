using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using SuccessPlans.Features.Users;
using SuccessPlans.Tests.Infrastructure;

namespace SuccessPlans.Tests.Web;

/// <summary>Over HTTP: another tenant's ids answer 404, the wrong role gets nothing.</summary>
public class IsolationTests : IAsyncLifetime
{
    private readonly AppFactory _app = new();
    private int _schoolOfA, _otherSchoolOfA, _schoolOfB, _userOfA;

    public async Task InitializeAsync()
    {
        var a = await _app.CreateTenantAsync("iso-a");
        var b = await _app.CreateTenantAsync("iso-b");
        _schoolOfA = (await _app.CreateSchoolAsync(a.Id, "Alpha School")).Id;
        _otherSchoolOfA = (await _app.CreateSchoolAsync(a.Id, "Aleph School")).Id;
        _schoolOfB = (await _app.CreateSchoolAsync(b.Id, "Beta School")).Id;
        await _app.CreateUserAsync(a.Id, "admin@a.test", UserRole.Admin);
        _userOfA = (await _app.CreateUserAsync(a.Id, "coord@a.test", UserRole.Coordinator, [_schoolOfA])).Id;
        await _app.CreateUserAsync(a.Id, "cabinet@a.test", UserRole.Cabinet);
        await _app.CreateUserAsync(a.Id, "provider@a.test", UserRole.Provider);
        await _app.CreateUserAsync(b.Id, "admin@b.test", UserRole.Admin);
        await _app.CreateUserAsync(null, "operator@platform.test", UserRole.Operator);
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Another_tenants_school_answers_404_on_the_api_and_the_pages()
    {
        var b = await _app.SignedInAsync("admin@b.test");
        var api = await b.GetAsync($"/api/v1/schools/{_schoolOfA}");
        Assert.Equal(HttpStatusCode.NotFound, api.StatusCode);
        Assert.Equal("application/problem+json", api.Content.Headers.ContentType?.MediaType);
        var body = await api.Content.ReadAsStringAsync();
        Assert.DoesNotContain("Alpha", body);
        Assert.Equal(HttpStatusCode.NotFound, (await b.GetAsync($"/Schools/Edit/{_schoolOfA}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await b.GetAsync($"/Users/Edit/{_userOfA}")).StatusCode);

        // The same ids, missing altogether, answer the same way: nothing tells the two apart.
        var missing = await b.GetAsync("/api/v1/schools/999999");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);

        var list = await b.GetFromJsonAsync<List<SchoolDto>>("/api/v1/schools");
        Assert.Equal(["Beta School"], list!.Select(s => s.Name));
        var usersPage = await (await b.GetAsync("/Users")).Content.ReadAsStringAsync();
        Assert.DoesNotContain("a.test", usersPage);
        var schoolsPage = await (await b.GetAsync("/Schools")).Content.ReadAsStringAsync();
        Assert.DoesNotContain("Alpha", schoolsPage);
    }

    [Fact]
    public async Task Posting_to_another_tenants_school_changes_nothing()
    {
        var b = await _app.SignedInAsync("admin@b.test");
        // A form of B's own school, re-aimed at A's id.
        var page = await b.GetDocumentAsync($"/Schools/Edit/{_schoolOfB}");
        var token = page.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        var response = await b.PostAsync($"/Schools/Edit/{_schoolOfA}", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["Input.Name"] = "Taken over", ["Input.Version"] = Guid.Empty.ToString(),
        }));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var tenantA = await _app.InTenant(null, (_, db) => db.Tenants.Where(t => t.Slug == "iso-a").Select(t => t.Id).SingleAsync());
        Assert.Equal("Alpha School", await _app.InTenant(tenantA, (_, db) => db.Schools.Where(s => s.Id == _schoolOfA).Select(s => s.Name).SingleAsync()));
    }

    [Fact]
    public async Task A_coordinator_sees_only_the_schools_assigned_to_them()
    {
        var coordinator = await _app.SignedInAsync("coord@a.test");
        var list = await coordinator.GetFromJsonAsync<List<SchoolDto>>("/api/v1/schools");
        Assert.Equal(["Alpha School"], list!.Select(s => s.Name));
        Assert.Equal(HttpStatusCode.OK, (await coordinator.GetAsync($"/api/v1/schools/{_schoolOfA}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await coordinator.GetAsync($"/api/v1/schools/{_otherSchoolOfA}")).StatusCode);
    }

    [Theory]
    [InlineData("coord@a.test", "/Users")]
    [InlineData("coord@a.test", "/Schools")]
    [InlineData("coord@a.test", "/Settings")]
    [InlineData("coord@a.test", "/Jobs")]
    [InlineData("coord@a.test", "/Tenants")]
    [InlineData("coord@a.test", "/Audit")]
    [InlineData("cabinet@a.test", "/Audit")]
    [InlineData("cabinet@a.test", "/Users")]
    [InlineData("cabinet@a.test", "/Home/Coordinator")]
    [InlineData("provider@a.test", "/Home/Admin")]
    [InlineData("provider@a.test", "/Home/Cabinet")]
    [InlineData("admin@a.test", "/Tenants")]
    [InlineData("admin@a.test", "/Tenants/Create")]
    [InlineData("operator@platform.test", "/Users")]
    [InlineData("operator@platform.test", "/Home/Admin")]
    public async Task The_wrong_role_is_refused(string email, string page)
    {
        var client = await _app.SignedInAsync(email);
        var response = await client.GetAsync(page);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("https://localhost/Account/AccessDenied", response.Location());
    }

    [Theory]
    [InlineData("cabinet@a.test")]
    [InlineData("provider@a.test")]
    public async Task Roles_without_schools_get_403_from_the_schools_api(string email)
    {
        var client = await _app.SignedInAsync(email);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/api/v1/schools")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync($"/api/v1/schools/{_schoolOfA}")).StatusCode);
    }

    [Fact]
    public async Task Only_the_platform_operator_opens_the_hangfire_dashboard()
    {
        var admin = await _app.SignedInAsync("admin@a.test");
        var refused = await admin.GetAsync("/hangfire");
        Assert.NotEqual(HttpStatusCode.OK, refused.StatusCode);
        Assert.DoesNotContain("Hangfire", await refused.Content.ReadAsStringAsync());
        Assert.StartsWith("https://localhost/Account/Login", (await _app.Browser().GetAsync("/hangfire")).Location());

        var op = await _app.SignedInAsync("operator@platform.test");
        var dashboard = await op.GetAsync("/hangfire");
        Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
        Assert.Contains("SuccessPlans jobs (all tenants)", await dashboard.Content.ReadAsStringAsync());
        // The dashboard's own inline scripts need a looser policy; nothing else gets it.
        Assert.Contains("'unsafe-inline'", dashboard.Headers.GetValues("Content-Security-Policy").Single());
        Assert.DoesNotContain("'unsafe-inline'", (await op.GetAsync("/Tenants")).Headers.GetValues("Content-Security-Policy").Single());
    }

    private sealed record SchoolDto(int Id, string Name, string? ExternalId);
}
