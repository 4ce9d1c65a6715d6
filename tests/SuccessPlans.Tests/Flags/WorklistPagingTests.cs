using SuccessPlans.Features.Directory;
using SuccessPlans.Features.Flags;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Referrals;
using SuccessPlans.Features.Students;
using SuccessPlans.Features.Users;
using SuccessPlans.Tests.Infrastructure;

namespace SuccessPlans.Tests.Flags;

/// <summary>
/// Issue 15: the worklist's open flags come 50 to a page (it rendered up to 500 rows, thousands exist for a coordinator of
/// 10,000 children), with the count of them all, a page that stays in range, and nothing of another tenant's. So do the
/// referrals to follow up (it rendered up to 300), one row per need for ended referrals.
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

                // Each child: an open need with a referral sent long ago and never answered (a follow-up, "no answer"); the
                // first child's second need was declined twice, nothing else under way (one follow-up: the later decline).
                var service = new Service { Name = $"Tutoring {slug}", Organization = new ProviderOrganization { Name = $"Helpers {slug}" }, Domain = Domain.Academic };
                db.Services.Add(service);
                var sent = _app.Time.GetUtcNow().UtcDateTime.AddDays(-30);
                foreach (var (s, i) in students.Select((s, i) => (s, i)))
                {
                    var plan = new SuccessPlan { StudentId = s.Id, SchoolYear = 2026, Tier = 2, Status = PlanStatus.Active };
                    var need = new PlanItem { Domain = Domain.Academic, Kind = PlanItemKind.Need, Description = $"Reading {slug} {i:D3}", Status = NeedStatus.Open, IdentifiedOn = new DateOnly(2026, 10, 1) };
                    plan.Items.Add(need);
                    db.Plans.Add(plan);
                    db.Referrals.Add(new Referral { StudentId = s.Id, Need = need, Service = service, Organization = service.Organization, SchoolId = school,
                        Status = ReferralStatus.Sent, SentByName = "coord", SentAt = sent.AddMinutes(i) });
                    if (i > 0) continue;
                    var declined = new PlanItem { Domain = Domain.Health, Kind = PlanItemKind.Need, Description = $"Glasses {slug}", Status = NeedStatus.Open, IdentifiedOn = new DateOnly(2026, 10, 1) };
                    plan.Items.Add(declined);
                    foreach (var outcome in new[] { ReferralOutcome.NoCapacity, ReferralOutcome.FamilyDeclined })
                        db.Referrals.Add(new Referral { StudentId = s.Id, Need = declined, Service = service, Organization = service.Organization, SchoolId = school,
                            Status = ReferralStatus.Declined, Outcome = outcome, SentByName = "coord", SentAt = sent, ClosedAt = sent.AddDays(1) });
                }
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

    [Fact]
    public async Task Fifty_follow_ups_a_page_one_row_per_declined_need_and_no_other_tenants()
    {
        var browser = await _app.SignedInAsync("coord@paged-a.test");
        var first = await browser.GetDocumentAsync("/Home/Coordinator");
        // 120 unanswered referrals and one need declined twice: 121 follow-ups, the ended one first.
        Assert.Contains("Referrals to follow up (121)", first.QuerySelector("h2#follow-ups")!.TextContent);
        var rows = first.QuerySelectorAll("#follow-ups ~ table tbody tr");
        Assert.Equal(50, rows.Length);
        Assert.Contains("Ended without help", rows[0].TextContent);
        Assert.Contains("family declined", rows[0].TextContent);
        Assert.Single(rows, r => r.TextContent.Contains("Glasses paged-a", StringComparison.Ordinal));
        Assert.Contains("Page 1 of 3", first.QuerySelector("#follow-ups ~ nav.pager")!.TextContent);

        var seen = new HashSet<string>();
        foreach (var (page, count) in new[] { (1, 50), (2, 50), (3, 21) })
        {
            var doc = await browser.GetDocumentAsync($"/Home/Coordinator?fp={page}");
            var needs = doc.QuerySelectorAll("#follow-ups ~ table tbody tr td:nth-child(3)").Select(td => td.ChildNodes[0].TextContent.Trim()).ToList();
            Assert.Equal(count, needs.Count);
            Assert.All(needs, n => Assert.True(seen.Add(n), $"{n} shown twice"));
            // The oldest unanswered first: in the order they were sent.
            var reading = needs.Where(n => n.StartsWith("Reading", StringComparison.Ordinal)).ToList();
            Assert.Equal(reading.Order(StringComparer.Ordinal), reading);
            // The flags' page stays where it was.
            Assert.Equal(50, doc.QuerySelectorAll("input[name=flagIds]").Length);
        }
        Assert.Equal(121, seen.Count);
        Assert.Equal(21, (await browser.GetDocumentAsync("/Home/Coordinator?fp=99")).QuerySelectorAll("#follow-ups ~ table tbody tr").Length);
        Assert.Equal(50, (await browser.GetDocumentAsync("/Home/Coordinator?fp=-4")).QuerySelectorAll("#follow-ups ~ table tbody tr").Length);
        // The two pagers keep each other's page.
        var both = await browser.GetDocumentAsync("/Home/Coordinator?fp=2&p=3");
        Assert.Equal(20, both.QuerySelectorAll("input[name=flagIds]").Length);
        Assert.Contains(both.QuerySelectorAll("nav.pager a"), a => a.GetAttribute("href") == "/Home/Coordinator?fp=2&p=2#flags");
        Assert.Contains(both.QuerySelectorAll("nav.pager a"), a => a.GetAttribute("href") == "/Home/Coordinator?fp=3&p=3#follow-ups");
        Assert.DoesNotContain("paged-b", both.Body!.TextContent);

        var other = await (await _app.SignedInAsync("coord@paged-b.test")).GetDocumentAsync("/Home/Coordinator");
        Assert.Contains("Referrals to follow up (4)", other.QuerySelector("h2#follow-ups")!.TextContent);
        Assert.Null(other.QuerySelector("#follow-ups ~ nav.pager"));
        Assert.DoesNotContain("paged-a", other.Body!.TextContent);
    }

    /// <summary>The caseload counts only when its first page is full: a narrow filter's rows are its count.</summary>
    [Fact]
    public async Task The_caseload_counts_every_match_and_a_first_page_that_is_not_full_holds_them_all()
    {
        var browser = await _app.SignedInAsync("coord@paged-a.test");
        async Task<(string Status, int Rows)> CaseloadAsync(string query)
        {
            var doc = await browser.GetDocumentAsync("/Students" + query);
            return (doc.QuerySelector("main p[role=status]")!.TextContent.Trim(), doc.QuerySelectorAll("main table tbody tr").Length);
        }
        Assert.Equal(("120 student(s), page 1 of 3.", 50), await CaseloadAsync(""));
        Assert.Equal(("120 student(s), page 3 of 3.", 20), await CaseloadAsync("?p=3"));
        Assert.Equal(("120 student(s), page 3 of 3.", 20), await CaseloadAsync("?p=99"));
        Assert.Equal(("120 student(s), page 1 of 3.", 50), await CaseloadAsync("?p=-2"));
        Assert.Equal(("100 student(s), page 2 of 2.", 50), await CaseloadAsync("?q=Child0&p=2"));
        Assert.Equal(("10 student(s).", 10), await CaseloadAsync("?q=Child00"));
        Assert.Equal(("10 student(s).", 10), await CaseloadAsync("?q=Child00&p=5"));
        Assert.Equal(("0 student(s).", 0), await CaseloadAsync("?q=nobody"));

        var other = await (await _app.SignedInAsync("coord@paged-b.test")).GetDocumentAsync("/Students?q=Child");
        Assert.Equal("3 student(s).", other.QuerySelector("main p[role=status]")!.TextContent.Trim());
        Assert.DoesNotContain("paged-a", other.Body!.TextContent);
    }
}
