using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using SuccessPlans.Features.Directory;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Users;
using SuccessPlans.Tests.Infrastructure;

namespace SuccessPlans.Tests.Web;

/// <summary>
/// A value a field cannot take shows the form again with the field's error, or answers 400 ProblemDetails naming
/// the field: never a 500, and never a stack trace, in Development as in production.
/// </summary>
public class BadInputTests
{
    private sealed class Factory(string environment) : AppFactory(new DateTimeOffset(2026, 11, 20, 15, 0, 0, TimeSpan.Zero))
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseEnvironment(environment);
        }
    }

    private static async Task<(Factory App, int Tenant, int Student, int UserId)> StartAsync(string environment)
    {
        var app = new Factory(environment);
        var tenant = (await app.CreateTenantAsync("bad")).Id;
        var school = (await app.CreateSchoolAsync(tenant, "Bad Input School")).Id;
        var service = await app.InTenant(tenant, async (_, db) =>
        {
            var s = new Service { Name = "Tutoring", Organization = new ProviderOrganization { Name = "Helpers" }, Domain = Domain.Academic };
            db.Services.Add(s);
            await db.SaveChangesAsync();
            return s.Id;
        });
        await app.ServeAsync(tenant, school, Domain.Academic, service, 1, [new DateOnly(2026, 11, 2)], "Bea");
        var student = await app.InTenant(tenant, (_, db) => db.Students.Select(s => s.Id).SingleAsync());
        await app.CreateUserAsync(tenant, "admin@bad.test", UserRole.Admin);
        await app.CreateUserAsync(tenant, "coord@bad.test", UserRole.Coordinator, [school]);
        var user = await app.CreateUserAsync(tenant, "edited@bad.test", UserRole.Coordinator, [school]);
        return (app, tenant, student, user.Id);
    }

    [Theory]
    [InlineData("Development")]
    [InlineData("Production")]
    public async Task A_checkbox_that_is_not_true_or_false_shows_the_form_again_with_its_error(string environment)
    {
        var (app, tenant, student, userId) = await StartAsync(environment);
        await using var _ = app;
        var coordinator = await app.SignedInAsync("coord@bad.test");
        var consents = await app.InTenant(tenant, (_, db) => db.Consents.CountAsync());
        foreach (var field in new[] { "Input.CoversServices", "Input.SharesWithAnyPartner" })
        {
            var response = await coordinator.SubmitFormAsync($"/Students/{student}/Consent",
                new() { ["Input.GuardianName"] = "Pat Brown", ["Input.GivenOn"] = "2026-11-19", [field] = "garbage" }, check: [field]);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var page = await Forms.ParseAsync(response);
            // The hidden "false" a checkbox posts comes along: "The value 'garbage,false' is not valid for ...".
            Assert.Matches("The value 'garbage[^']*' is not valid for", page.QuerySelector($"span.field-error[data-valmsg-for='{field}']")!.TextContent);
            Assert.NotNull(page.QuerySelector($"main form input[name='{field}'][type=checkbox]"));
        }
        Assert.Equal(consents, await app.InTenant(tenant, (_, db) => db.Consents.CountAsync()));

        var admin = await app.SignedInAsync("admin@bad.test");
        var edited = await admin.SubmitFormAsync($"/Users/Edit/{userId}", new() { ["Input.Active"] = "garbage", ["Input.DisplayName"] = "Renamed" }, check: ["Input.Active"]);
        Assert.Equal(HttpStatusCode.OK, edited.StatusCode);
        Assert.Matches("The value 'garbage[^']*' is not valid for", (await Forms.ParseAsync(edited)).QuerySelector("span.field-error[data-valmsg-for='Input.Active']")!.TextContent);
        Assert.Equal("edited", await app.InTenant(tenant, (_, db) => db.Users.Where(u => u.Id == userId).Select(u => u.DisplayName).SingleAsync()));
    }

    [Theory]
    [InlineData("Development")]
    [InlineData("Production")]
    public async Task Malformed_json_an_unknown_enum_name_and_a_wrong_type_answer_400_naming_the_field(string environment)
    {
        var (app, _, student, _) = await StartAsync(environment);
        await using var _app = app;
        var coordinator = await app.SignedInAsync("coord@bad.test");
        var items = $"/api/v1/students/{student}/plan/items";
        foreach (var (body, field, says) in new[]
                 {
                     ("{\"domain\": \"Health\", ", "body", "not valid JSON"),
                     ("{\"domain\": \"Astrology\", \"kind\": \"Need\", \"description\": \"x\"}", "domain", "must be one of: Academic, SocialEmotionalBehavioral, Health, Family"),
                     ("{\"domain\": 99, \"kind\": \"Need\", \"description\": \"x\"}", "domain", "must be one of"),
                     ("{\"domain\": \"Health\", \"kind\": \"Need\", \"description\": 5}", "description", "is not a valid text"),
                     ("{\"domain\": \"Health\", \"kind\": \"Need\", \"description\": \"x\", \"planVersion\": \"soon\"}", "planVersion", "is not a valid version"),
                     ("[1, 2]", "body", "must be a JSON object"),
                 })
        {
            var response = await coordinator.PostAsync(items, new StringContent(body, Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
            var text = await response.Content.ReadAsStringAsync();
            Assert.DoesNotContain("   at ", text); // no stack trace
            using var problem = JsonDocument.Parse(text);
            var errors = problem.RootElement.GetProperty("errors");
            Assert.Contains(says, errors.GetProperty(field)[0].GetString());
        }

        var query = await coordinator.GetAsync("/api/v1/students?page=garbage");
        Assert.Equal(HttpStatusCode.BadRequest, query.StatusCode);
        using (var problem = JsonDocument.Parse(await query.Content.ReadAsStringAsync()))
            Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty("page", out _));

        // Nothing was added by any of them.
        Assert.Equal(1, await app.InTenant(await app.InTenant(null, (_, db) => db.Tenants.Select(t => t.Id).SingleAsync()), (_, db) => db.PlanItems.CountAsync()));
    }
}
