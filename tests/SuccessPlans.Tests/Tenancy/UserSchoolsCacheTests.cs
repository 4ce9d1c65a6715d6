using System.Net;
using Microsoft.EntityFrameworkCore;
using SuccessPlans.Features.Students;
using SuccessPlans.Features.Users;
using SuccessPlans.Tests.Infrastructure;

namespace SuccessPlans.Tests.Tenancy;

/// <summary>
/// Issue 15's cache of each user's schools (the scope of every coordinator page): a change of a coordinator's schools
/// shows in the very next request, and nobody else's scope leaks in.
/// </summary>
public class UserSchoolsCacheTests : IAsyncLifetime
{
    private readonly AppFactory _app = new();
    private int _tenant, _other, _north, _south, _northChild, _southChild;

    public async Task InitializeAsync()
    {
        _ = _app.Server;
        _tenant = (await _app.CreateTenantAsync("scope-a")).Id;
        _other = (await _app.CreateTenantAsync("scope-b")).Id;
        _north = (await _app.CreateSchoolAsync(_tenant, "North School")).Id;
        _south = (await _app.CreateSchoolAsync(_tenant, "South School")).Id;
        _northChild = await AddStudentAsync(_north, "Nadia", "Northcote");
        _southChild = await AddStudentAsync(_south, "Sami", "Southgate");
        await _app.CreateUserAsync(_tenant, "scope.coordinator@a.test", UserRole.Coordinator, [_north]);
        var otherSchool = (await _app.CreateSchoolAsync(_other, "Other School")).Id;
        await _app.CreateUserAsync(_other, "scope.coordinator@b.test", UserRole.Coordinator, [otherSchool]);
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private Task<int> AddStudentAsync(int school, string given, string family, string grade = "03") => _app.InTenant(_tenant, async (_, db) =>
    {
        var student = new Student { GivenName = given, FamilyName = family, SchoolId = school, Grade = grade };
        db.Students.Add(student);
        await db.SaveChangesAsync();
        return student.Id;
    });

    [Fact]
    public async Task A_coordinators_changed_schools_show_in_the_next_request()
    {
        var browser = await _app.SignedInAsync("scope.coordinator@a.test");
        var caseload = await browser.GetStringAsync("/Students");
        Assert.Contains("Northcote", caseload);
        Assert.DoesNotContain("Southgate", caseload);
        Assert.Equal(HttpStatusCode.NotFound, (await browser.GetAsync($"/Students/{_southChild}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync($"/Students/{_northChild}")).StatusCode); // now cached

        // The Admin moves the coordinator from North to South (as the user page does: rows of the join removed and added).
        await _app.InTenant(_tenant, async (_, db) =>
        {
            var user = await db.Users.Include(u => u.CoordinatorSchools).SingleAsync(u => u.Email == "scope.coordinator@a.test");
            db.CoordinatorSchools.RemoveRange(user.CoordinatorSchools);
            db.CoordinatorSchools.Add(new CoordinatorSchool { UserId = user.Id, SchoolId = _south });
            await db.SaveChangesAsync();
        });

        caseload = await browser.GetStringAsync("/Students");
        Assert.Contains("Southgate", caseload);
        Assert.DoesNotContain("Northcote", caseload);
        Assert.Equal(HttpStatusCode.NotFound, (await browser.GetAsync($"/Students/{_northChild}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync($"/Students/{_southChild}")).StatusCode);

        // A renamed school shows under its new name in the caseload's school list at once.
        Assert.Contains(">South School</option>", caseload);
        await _app.InTenant(_tenant, async (_, db) =>
        {
            (await db.Schools.SingleAsync(s => s.Id == _south)).Name = "South Campus";
            await db.SaveChangesAsync();
        });
        caseload = await browser.GetStringAsync("/Students");
        Assert.Contains(">South Campus</option>", caseload);
        Assert.DoesNotContain("South School", caseload);
    }

    [Fact]
    public async Task The_caseloads_grade_list_follows_a_new_grade_a_moved_child_and_an_erasure_at_once()
    {
        var browser = await _app.SignedInAsync("scope.coordinator@a.test");
        Assert.Equal(["03"], await GradesAsync(browser)); // now cached

        var child = await AddStudentAsync(_north, "Kim", "Kindle", "KG");
        Assert.Equal(["KG", "03"], await GradesAsync(browser));

        // The child moves to a school the coordinator does not have: its grade leaves the list.
        await _app.InTenant(_tenant, async (_, db) =>
        {
            (await db.Students.SingleAsync(s => s.Id == child)).SchoolId = _south;
            await db.SaveChangesAsync();
        });
        Assert.Equal(["03"], await GradesAsync(browser));

        // Erased (in SQL, then its record saved): Northcote's grade 03 was the only one left.
        await _app.InTenant(_tenant, async (sp, _) =>
        {
            await sp.GetRequiredService<SuccessPlans.Features.Retention.StudentErasure>()
                .EraseAsync(_northChild, "Nadia Northcote", new SuccessPlans.Features.Plans.Actor(null, "Test"), "admin@a.test");
        });
        Assert.Empty(await GradesAsync(browser));

        // Another tenant's children never add a grade.
        await _app.InTenant(_other, async (_, db) =>
        {
            db.Students.Add(new Student { GivenName = "Otto", FamilyName = "Other", SchoolId = (await db.Schools.SingleAsync()).Id, Grade = "07" });
            await db.SaveChangesAsync();
        });
        Assert.Empty(await GradesAsync(browser));
    }

    [Fact]
    public async Task Reading_a_child_keeps_the_cache_and_only_a_changed_scope_row_starts_a_new_one()
    {
        var store = _app.Services.GetRequiredService<UserSchoolsStore>();
        var browser = await _app.SignedInAsync("scope.coordinator@a.test");
        Assert.Contains("Northcote", await browser.GetStringAsync("/Students"));
        var generation = store.Generation(_tenant);

        // The student's page loads the child (tracked), records the view in the access log and marks updates read: a save
        // that changes no school, student, user or coordinator school. It used to start a new generation on every view.
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync($"/Students/{_northChild}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync($"/Students/{_northChild}")).StatusCode);
        await _app.InTenant(_tenant, async (_, db) =>
        {
            var child = await db.Students.SingleAsync(s => s.Id == _northChild);
            db.CaseNotes.Add(new CaseNote { StudentId = child.Id, Text = "Read, not changed.", AuthorName = "Test" });
            await db.SaveChangesAsync();
        });
        Assert.Equal(generation, store.Generation(_tenant));

        // A changed child does.
        await _app.InTenant(_tenant, async (_, db) =>
        {
            (await db.Students.SingleAsync(s => s.Id == _northChild)).Grade = "04";
            await db.SaveChangesAsync();
        });
        Assert.NotEqual(generation, store.Generation(_tenant));
        Assert.Equal(["04"], await GradesAsync(browser));
    }

    [Fact]
    public async Task The_worklists_children_per_school_follow_a_withdrawal_and_a_new_child_at_once()
    {
        var browser = await _app.SignedInAsync("scope.coordinator@a.test");
        Assert.Equal([("North School", "1", "0")], await SchoolCountsAsync(browser)); // now cached

        await _app.InTenant(_tenant, async (_, db) =>
        {
            (await db.Students.SingleAsync(s => s.Id == _northChild)).Status = StudentStatus.Withdrawn;
            await db.SaveChangesAsync();
        });
        Assert.Equal([("North School", "0", "1")], await SchoolCountsAsync(browser));

        await AddStudentAsync(_north, "Nell", "Newcome");
        Assert.Equal([("North School", "1", "1")], await SchoolCountsAsync(browser));

        // A child of the tenant's other school, and another tenant's, count nowhere here.
        await AddStudentAsync(_south, "Sol", "Southby");
        await _app.InTenant(_other, async (_, db) =>
        {
            db.Students.Add(new Student { GivenName = "Otto", FamilyName = "Other", SchoolId = (await db.Schools.SingleAsync()).Id, Grade = "07" });
            await db.SaveChangesAsync();
        });
        Assert.Equal([("North School", "1", "1")], await SchoolCountsAsync(browser));
    }

    private static async Task<List<(string, string, string)>> SchoolCountsAsync(HttpClient browser) =>
        (await browser.GetDocumentAsync("/Home/Coordinator")).QuerySelectorAll("#schools ~ table tbody tr, section[aria-labelledby=schools] tbody tr")
            .Select(r => r.QuerySelectorAll("td").Select(td => td.TextContent.Trim()).ToArray())
            .Select(c => (c[0], c[1], c[2])).Distinct().ToList();

    private static async Task<List<string>> GradesAsync(HttpClient browser) =>
        (await browser.GetDocumentAsync("/Students")).QuerySelectorAll("select#grade option").Skip(1).Select(o => o.GetAttribute("value")!).ToList();

    [Fact]
    public async Task Another_tenants_coordinator_sees_none_of_the_cached_scope()
    {
        var first = await _app.SignedInAsync("scope.coordinator@a.test");
        Assert.Contains("Northcote", await first.GetStringAsync("/Students")); // cached for this tenant's coordinator

        var other = await _app.SignedInAsync("scope.coordinator@b.test");
        var caseload = await other.GetStringAsync("/Students");
        Assert.DoesNotContain("Northcote", caseload);
        Assert.DoesNotContain("Southgate", caseload);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/Students/{_northChild}")).StatusCode);
    }
}
