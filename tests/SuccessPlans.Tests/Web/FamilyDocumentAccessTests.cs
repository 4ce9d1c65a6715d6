using System.Net;
using Microsoft.EntityFrameworkCore;
using SuccessPlans.Features.Audit;
using SuccessPlans.Features.Directory;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Referrals;
using SuccessPlans.Features.Students;
using SuccessPlans.Features.Users;
using SuccessPlans.Tests.Infrastructure;

namespace SuccessPlans.Tests.Web;

/// <summary>The family documents over HTTP: the student page's users only, one access-log entry per view.</summary>
public class FamilyDocumentAccessTests : IAsyncLifetime
{
    private readonly AppFactory _app = new();
    private int _tenant, _student;

    public async Task InitializeAsync()
    {
        _tenant = (await _app.CreateTenantAsync("family")).Id;
        var school = (await _app.CreateSchoolAsync(_tenant, "Escuela Primaria Roberto Clemente")).Id;
        var today = DateOnly.FromDateTime(_app.Time.GetUtcNow().UtcDateTime);
        var org = await _app.InTenant(_tenant, async (_, db) =>
        {
            // A full plan: four domains, needs with goals, two helpers, and six organizations to tick on the form.
            var orgs = Enumerable.Range(1, 6).Select(i => new ProviderOrganization { Name = $"Community Partner Organization Number {i} of the Greater Area" }).ToList();
            var services = orgs.Take(2).Select(o => new Service { Name = "After-school tutoring and family support", Organization = o, Domain = Domain.Academic }).ToList();
            db.Services.AddRange(services);
            var child = new Student { GivenName = "María José", FamilyName = "Hernández Villanueva", SchoolId = school, Grade = "03", HomeLanguage = "es", GuardianName = "Rosa Villanueva" };
            var plan = new SuccessPlan { Student = child, SchoolYear = SchoolYears.For(today), Tier = 3, Status = PlanStatus.Active, NextReviewDue = today.AddDays(42) };
            foreach (var d in Enum.GetValues<Domain>())
            {
                plan.Items.Add(new PlanItem { Domain = d, Kind = PlanItemKind.Strength, Description = "Kind to classmates, loves drawing and helps her younger brother every morning" });
                plan.Items.Add(new PlanItem { Domain = d, Kind = PlanItemKind.Need, Description = "Reads about a year below grade level and avoids reading aloud in class", Goal = "Reads grade-level books aloud with confidence by the spring review", Status = NeedStatus.Open, IdentifiedOn = today });
            }
            db.Plans.Add(plan);
            await db.SaveChangesAsync();
            foreach (var s in services)
                db.Referrals.Add(new Referral { StudentId = child.Id, NeedId = plan.Items.First(i => i.Kind == PlanItemKind.Need).Id, ServiceId = s.Id, OrganizationId = s.OrganizationId, SchoolId = school, Status = ReferralStatus.Accepted, SentByName = "coord" });
            await db.SaveChangesAsync();
            _student = child.Id;
            return orgs[0].Id;
        });
        await _app.CreateUserAsync(_tenant, "coord@family.test", UserRole.Coordinator, [school]);
        await _app.CreateUserAsync(_tenant, "coord.other@family.test", UserRole.Coordinator, [(await _app.CreateSchoolAsync(_tenant, "Other School")).Id]);
        await _app.CreateUserAsync(_tenant, "provider@family.test", UserRole.Provider, organizationId: org);
        await _app.CreateUserAsync(_tenant, "cabinet@family.test", UserRole.Cabinet);
        var other = (await _app.CreateTenantAsync("family-other")).Id;
        await _app.CreateUserAsync(other, "admin@other.test", UserRole.Admin);
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Each_view_is_in_the_access_log_and_no_one_outside_the_childs_school_sees_them()
    {
        var coordinator = await _app.SignedInAsync("coord@family.test");
        foreach (var doc in new[] { "Plan", "Consent" })
        {
            var url = $"/Students/{_student}/Family/{doc}";
            Assert.Equal(HttpStatusCode.OK, (await coordinator.GetAsync(url)).StatusCode);
            foreach (var outsider in new[] { "coord.other@family.test", "admin@other.test" })
            {
                var response = await (await _app.SignedInAsync(outsider)).GetAsync(url);
                Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
                Assert.DoesNotContain("Hernández", await response.Content.ReadAsStringAsync());
            }
            foreach (var wrongRole in new[] { "provider@family.test", "cabinet@family.test" })
            {
                var response = await (await _app.SignedInAsync(wrongRole)).GetAsync(url);
                Assert.True(response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.NotFound or HttpStatusCode.Redirect, $"{wrongRole}: {response.StatusCode}");
                Assert.DoesNotContain("Hernández", await response.Content.ReadAsStringAsync());
            }
        }
        var entries = await _app.InTenant(_tenant, (_, db) => db.AccessLog.Where(e => e.StudentId == _student).Select(e => e.Action).ToListAsync());
        Assert.Equal([AccessAction.ViewStudent, AccessAction.ViewPlan], entries.Order());
    }
}
