using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using SuccessPlans.Features.Students;
using SuccessPlans.Features.Users;
using SuccessPlans.Tests.Infrastructure;

namespace SuccessPlans.Tests.Plans;

/// <summary>/api/v1/students: the same rules and scoping as the pages, errors as ProblemDetails.</summary>
public class StudentsApiTests : IAsyncLifetime
{
    private readonly AppFactory _app = new();
    private int _tenant, _mine, _notMine, _otherTenants, _withdrawn;

    public async Task InitializeAsync()
    {
        _tenant = (await _app.CreateTenantAsync("api")).Id;
        var x = (await _app.CreateSchoolAsync(_tenant, "X School")).Id;
        var y = (await _app.CreateSchoolAsync(_tenant, "Y School")).Id;
        (_mine, _notMine, _withdrawn) = await _app.InTenant(_tenant, async (_, db) =>
        {
            var a = new Student { GivenName = "Ava", FamilyName = "Adams", SchoolId = x, Grade = "02" };
            var b = new Student { GivenName = "Bo", FamilyName = "Young", SchoolId = y, Grade = "02" };
            var w = new Student { GivenName = "Wes", FamilyName = "Gone", SchoolId = x, Grade = "02", Status = StudentStatus.Withdrawn };
            db.Students.AddRange(a, b, w);
            await db.SaveChangesAsync();
            return (a.Id, b.Id, w.Id);
        });
        await _app.CreateUserAsync(_tenant, "coord@api.test", UserRole.Coordinator, [x]);
        await _app.CreateUserAsync(_tenant, "cabinet@api.test", UserRole.Cabinet);
        var other = (await _app.CreateTenantAsync("api-other")).Id;
        var otherSchool = await _app.CreateSchoolAsync(other, "Other");
        _otherTenants = await _app.InTenant(other, async (_, db) =>
        {
            var s = new Student { GivenName = "Eve", FamilyName = "Else", SchoolId = otherSchool.Id };
            db.Students.Add(s);
            await db.SaveChangesAsync();
            return s.Id;
        });
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private static async Task<JsonElement> Json(HttpResponseMessage r) => JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement;

    [Fact]
    public async Task The_list_holds_only_the_coordinators_students()
    {
        var c = await _app.SignedInAsync("coord@api.test");
        var page = await Json(await c.GetAsync("/api/v1/students"));
        Assert.Equal(1, page.GetProperty("total").GetInt32());
        Assert.Equal("Adams", page.GetProperty("items")[0].GetProperty("familyName").GetString());
        var all = await Json(await c.GetAsync("/api/v1/students?includeWithdrawn=true"));
        Assert.Equal(2, all.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Students_outside_the_scope_answer_404_problem_details()
    {
        var c = await _app.SignedInAsync("coord@api.test");
        foreach (var id in new[] { _notMine, _otherTenants, 999999 })
        {
            foreach (var response in new[]
                     {
                         await c.GetAsync($"/api/v1/students/{id}"),
                         await c.GetAsync($"/api/v1/students/{id}/plan"),
                         await c.PostAsJsonAsync($"/api/v1/students/{id}/plan/review", new { tier = 2 }),
                     })
            {
                Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                var body = await response.Content.ReadAsStringAsync();
                Assert.DoesNotContain("Young", body);
                Assert.DoesNotContain("Else", body);
            }
        }
        var tenantOf = await _app.InTenant(_tenant, (_, db) => db.Plans.CountAsync());
        Assert.Equal(0, tenantOf);
    }

    [Fact]
    public async Task A_plan_is_built_through_the_api()
    {
        var c = await _app.SignedInAsync("coord@api.test");
        Assert.Equal(HttpStatusCode.NotFound, (await c.GetAsync($"/api/v1/students/{_mine}/plan")).StatusCode);
        var review = await c.PostAsJsonAsync($"/api/v1/students/{_mine}/plan/review", new
        {
            tier = 2,
            items = new object[]
            {
                new { domain = "Academic", kind = "Need", description = "Reading below grade", goal = "Reads at grade level by June" },
                new { domain = "Family", kind = "Strength", description = "Engaged grandmother" },
            },
        });
        Assert.Equal(HttpStatusCode.OK, review.StatusCode);
        var plan = await Json(review);
        Assert.Equal(2, plan.GetProperty("tier").GetInt32());
        Assert.Equal(2, plan.GetProperty("items").GetArrayLength());
        var need = plan.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("kind").GetString() == "Need");

        var met = await c.PatchAsJsonAsync($"/api/v1/students/{_mine}/plan/needs/{need.GetProperty("id").GetInt32()}",
            new { status = "Met", planVersion = plan.GetProperty("version").GetGuid() });
        Assert.Equal(HttpStatusCode.OK, met.StatusCode);
        Assert.Equal("Met", (await Json(met)).GetProperty("items").EnumerateArray().Single(i => i.GetProperty("kind").GetString() == "Need").GetProperty("status").GetString());

        // The version seen before the change is stale now.
        var stale = await c.PostAsJsonAsync($"/api/v1/students/{_mine}/plan/items",
            new { domain = "Health", kind = "Need", description = "Dental pain", planVersion = plan.GetProperty("version").GetGuid() });
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        Assert.Equal("application/problem+json", stale.Content.Headers.ContentType?.MediaType);
        var history = await _app.InTenant(_tenant, (_, db) => db.StudentEvents.Where(e => e.StudentId == _mine).Select(e => e.Action).ToListAsync());
        Assert.Contains("need updated", history);
        Assert.DoesNotContain(await _app.InTenant(_tenant, (_, db) => db.PlanItems.Select(i => i.Description).ToListAsync()), d => d == "Dental pain");
    }

    [Fact]
    public async Task Bad_input_gets_400_problem_details_and_nothing_is_half_saved()
    {
        var c = await _app.SignedInAsync("coord@api.test");
        var unknownDomain = await c.PostAsync($"/api/v1/students/{_mine}/plan/review",
            new StringContent("""{"tier":2,"items":[{"domain":"Astrology","kind":"Need","description":"x"}]}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, unknownDomain.StatusCode);
        Assert.Equal("application/problem+json", unknownDomain.Content.Headers.ContentType?.MediaType);

        var emptyNeed = await c.PostAsJsonAsync($"/api/v1/students/{_mine}/plan/review",
            new { tier = 2, items = new object[] { new { domain = "Health", kind = "Need", description = "Glasses" }, new { domain = "Health", kind = "Need", description = " " } } });
        Assert.Equal(HttpStatusCode.BadRequest, emptyNeed.StatusCode);
        var errors = (await Json(emptyNeed)).GetProperty("errors");
        Assert.True(errors.TryGetProperty("Items[1].Description", out _));

        var noTier = await c.PostAsJsonAsync($"/api/v1/students/{_mine}/plan/review", new { tier = 7 });
        Assert.Equal(HttpStatusCode.BadRequest, noTier.StatusCode);
        Assert.Equal(0, await _app.InTenant(_tenant, (_, db) => db.Plans.CountAsync()));
        Assert.Equal(0, await _app.InTenant(_tenant, (_, db) => db.PlanItems.CountAsync()));

        await c.PostAsJsonAsync($"/api/v1/students/{_mine}/plan/review", new { tier = 1 });
        var past = await c.PutAsJsonAsync($"/api/v1/students/{_mine}/plan/next-review", new { nextReviewDue = "2001-01-01" });
        Assert.Equal(HttpStatusCode.BadRequest, past.StatusCode);
        Assert.Contains("cannot be in the past", await past.Content.ReadAsStringAsync());

        var withdrawn = await c.PostAsJsonAsync($"/api/v1/students/{_withdrawn}/plan/review", new { tier = 1 });
        Assert.Equal(HttpStatusCode.BadRequest, withdrawn.StatusCode);
        Assert.Contains("withdrawn", await withdrawn.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_cabinet_gets_nothing_from_the_students_api()
    {
        var cabinet = await _app.SignedInAsync("cabinet@api.test");
        Assert.Equal(HttpStatusCode.Forbidden, (await cabinet.GetAsync("/api/v1/students")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await cabinet.GetAsync($"/api/v1/students/{_mine}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _app.Browser().GetAsync($"/api/v1/students/{_mine}")).StatusCode);
    }

    [Fact]
    public async Task The_openapi_document_and_reference_page_are_served()
    {
        var doc = await Json(await _app.Browser().GetAsync("/openapi/v1.json"));
        var paths = doc.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/api/v1/students", out _));
        Assert.True(paths.TryGetProperty("/api/v1/students/{id}/plan/review", out _));
        Assert.True(paths.TryGetProperty("/api/v1/students/{id}/plan/needs/{itemId}", out _));
        var reference = await _app.CreateClient(new() { BaseAddress = new Uri("https://localhost"), AllowAutoRedirect = true }).GetAsync("/api/reference/");
        Assert.Equal(HttpStatusCode.OK, reference.StatusCode);
        Assert.Contains("scalar.js", await reference.Content.ReadAsStringAsync());
    }
}
