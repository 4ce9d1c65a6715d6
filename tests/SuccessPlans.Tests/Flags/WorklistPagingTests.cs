using SuccessPlans.Features.Flags;
using SuccessPlans.Features.Students;
using SuccessPlans.Features.Users;
using SuccessPlans.Tests.Infrastructure;

namespace SuccessPlans.Tests.Flags;

/// <summary>
/// Issue 15: the worklist's open flags come 50 to a page (it rendered up to 500 rows, thousands exist for a coordinator of
/// 10,000 children), with the count of them all, a page that stays in range, and nothing of another tenant's.
/// </summary>
public class WorklistPagingTests : IAsyncLifetime
{
    private readonly AppFactory _app = new();

    public async Task InitializeAsync()
    {
        foreach (var (slug, children) in new[] { ("paged-a", 120), ("paged-b", 3) })
        {
            var tenant = (await _app.CreateTenantAsync(slug)).Id;
            var school = (await _app.CreateSchoolAsync(tenant, "Elm School")).Id;
            await _app.CreateUserAsync(tenant, $"coord@{slug}.test", UserRole.Coordinator, [school]);
            await _app.InTenant(tenant, async (_, db) =>
            {
                var students = Enumerable.Range(0, children).Select(i => new Student { GivenName = $"Child{i:D3}", FamilyName = slug, SchoolId = school }).ToList();
                db.Students.AddRange(students);
                await db.SaveChangesAsync();
                db.Flags.AddRange(students.Select(s => new Flag { Kind = FlagKind.ReviewOverdue, SubjectId = s.Id, StudentId = s.Id, FirstSeenOn = new DateOnly(2026, 11, 2) }));
                await db.SaveChangesAsync();
            });
        }
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Fifty_flags_a_page_the_count_of_all_and_no_other_tenants()
    {
        var browser = await _app.SignedInAsync("coord@paged-a.test");
        var first = await browser.GetDocumentAsync("/Home/Coordinator");
        Assert.Contains("Open flags (120)", first.QuerySelector("h2#flags")!.TextContent);
        Assert.Equal(50, first.QuerySelectorAll("input[name=flagIds]").Length);
        Assert.Contains("Page 1 of 3", first.QuerySelector("nav.pager")!.TextContent);

        var seen = new HashSet<string>();
        foreach (var (page, rows) in new[] { (1, 50), (2, 50), (3, 20) })
        {
            var doc = await browser.GetDocumentAsync($"/Home/Coordinator?p={page}");
            var ids = doc.QuerySelectorAll("input[name=flagIds]").Select(i => i.GetAttribute("value")!).ToList();
            Assert.Equal(rows, ids.Count);
            Assert.All(ids, id => Assert.True(seen.Add(id), $"flag {id} shown twice"));
        }
        // A page past the end shows the last; nonsense shows the first.
        Assert.Equal(20, (await browser.GetDocumentAsync("/Home/Coordinator?p=99")).QuerySelectorAll("input[name=flagIds]").Length);
        Assert.Equal(50, (await browser.GetDocumentAsync("/Home/Coordinator?p=-4")).QuerySelectorAll("input[name=flagIds]").Length);
        Assert.DoesNotContain("paged-b", (await browser.GetDocumentAsync("/Home/Coordinator?p=3")).Body!.TextContent);

        var other = await (await _app.SignedInAsync("coord@paged-b.test")).GetDocumentAsync("/Home/Coordinator");
        Assert.Contains("Open flags (3)", other.QuerySelector("h2#flags")!.TextContent);
        Assert.Null(other.QuerySelector("nav.pager"));
        Assert.DoesNotContain("paged-a", other.Body!.TextContent);
    }
}
