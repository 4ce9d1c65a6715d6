using System.Net;
using Hangfire;
using Hangfire.Storage;
using Microsoft.EntityFrameworkCore;
using SuccessPlans.Features.Users;
using SuccessPlans.Tests.Infrastructure;

namespace SuccessPlans.Tests.Web;

public class OperatorTests : IAsyncLifetime
{
    private readonly AppFactory _app = new();

    public async Task InitializeAsync() => await _app.CreateUserAsync(null, "op@platform.test", UserRole.Operator);

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task The_operator_creates_a_tenant_and_invites_its_first_admin()
    {
        var op = await _app.SignedInAsync("op@platform.test");
        var created = await op.SubmitFormAsync("/Tenants/Create", new()
        {
            ["Input.Name"] = "Salem Children's Cabinet", ["Input.Slug"] = "salem", ["Input.TimeZoneId"] = "America/Chicago",
            ["Input.AdminEmail"] = "first.admin@salem.test", ["Input.AdminName"] = "First Admin",
        });
        Assert.Equal("/Tenants", created.Location());
        Assert.Contains("Salem Children&#x27;s Cabinet", await (await op.GetAsync("/Tenants")).Content.ReadAsStringAsync());

        var tenant = await _app.InTenant(null, (_, db) => db.Tenants.SingleAsync(t => t.Slug == "salem"));
        var admin = await _app.InTenant(tenant.Id, (_, db) => db.Users.SingleAsync());
        Assert.Equal(UserRole.Admin, admin.Role);
        Assert.Equal("first.admin@salem.test", admin.Email);
        var invitation = await _app.InTenant(tenant.Id, (_, db) => db.Notifications.SingleAsync());
        Assert.Equal("invitation", invitation.Kind);

        using var connection = JobStorage.Current.GetConnection();
        Assert.Equal("America/Chicago", connection.GetRecurringJobs().Single(j => j.Id == $"tenant-{tenant.Id}:notification-retention").TimeZoneId);
    }

    [Fact]
    public async Task A_bad_tenant_form_is_explained_and_writes_nothing()
    {
        var op = await _app.SignedInAsync("op@platform.test");
        var response = await op.SubmitFormAsync("/Tenants/Create", new()
        {
            ["Input.Name"] = "X", ["Input.Slug"] = "Bad Slug!", ["Input.TimeZoneId"] = "Mars/Olympus", ["Input.AdminEmail"] = "not-an-email", ["Input.AdminName"] = "",
        });
        var html = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("lower-case letters", html);
        Assert.Contains("known time zone", html);
        Assert.Contains("first Admin&#x27;s email", html);
        Assert.Equal(0, await _app.InTenant(null, (_, db) => db.Tenants.CountAsync()));
    }
}
