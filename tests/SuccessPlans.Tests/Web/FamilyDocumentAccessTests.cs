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
        (_tenant, _student) = await SpanishFamily.SeedAsync(_app);
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
        await _app.FlushAccessLogAsync();
        var entries = await _app.InTenant(_tenant, (_, db) => db.AccessLog.Where(e => e.StudentId == _student).Select(e => e.Action).ToListAsync());
        Assert.Equal([AccessAction.ViewStudent, AccessAction.ViewPlan], entries.Order());

        // The consent's "how long" is a day in the family's language, with the machine date inside, whoever prints it.
        var consent = await coordinator.GetStringAsync($"/Students/{_student}/Family/Consent");
        Assert.Matches(@"Hasta el <time datetime=""(\d{4})-06-30"">30 jun \1</time>, a menos que", consent);
    }
}
