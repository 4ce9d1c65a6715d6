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

    private Task<int> AddStudentAsync(int school, string given, string family) => _app.InTenant(_tenant, async (_, db) =>
    {
        var student = new Student { GivenName = given, FamilyName = family, SchoolId = school, Grade = "03" };
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
