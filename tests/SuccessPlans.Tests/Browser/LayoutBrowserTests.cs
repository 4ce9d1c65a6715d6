using System.Text.Json;
using Microsoft.Playwright;
using SuccessPlans.Features.Directory;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Referrals;
using SuccessPlans.Features.Students;
using SuccessPlans.Features.Users;
using SuccessPlans.Tests.Infrastructure;

namespace SuccessPlans.Tests.Browser;

/// <summary>
/// Every page of every role, found from its navigation (so a new page is covered), on a 390 × 844 phone and a
/// 1366 × 768 laptop, in English and in Spanish (a Mexican Spanish browser: the pages speak es, the host is shared): no
/// sideways scrolling, the title and the start of the content on the first screen, axe clean.
/// </summary>
public class LayoutBrowserTests : IAsyncLifetime
{
    private readonly AppFactory _app = new();
    private Chromium _chromium = null!;
    private string _url = "";
    private int _student, _referral;

    public async Task InitializeAsync()
    {
        _url = RealServer.Start(_app);
        _chromium = await Chromium.LaunchAsync();
        var tenant = (await _app.CreateTenantAsync("layout")).Id;
        var school = (await _app.CreateSchoolAsync(tenant, "Layout Elementary")).Id;
        var today = DateOnly.FromDateTime(_app.Time.GetUtcNow().UtcDateTime);
        var org = await _app.InTenant(tenant, async (_, db) =>
        {
            var bay = new ProviderOrganization { Name = "Bay Tutors" };
            var service = new Service { Name = "Reading tutoring", Organization = bay, Domain = Domain.Academic, Capacity = 4, Languages = "en es" };
            db.Services.Add(service);
            var ana = new Student { GivenName = "Ana", FamilyName = "Costa-Villanueva", SchoolId = school, Grade = "KG", HomeLanguage = "es", GuardianName = "Rita Costa" };
            db.Students.Add(new Student { GivenName = "Ben", FamilyName = "Ode", SchoolId = school, Grade = "03" });
            var plan = new SuccessPlan { Student = ana, SchoolYear = SchoolYears.For(today), Tier = 2, Status = PlanStatus.Active, NextReviewDue = today.AddDays(30) };
            var need = new PlanItem { Domain = Domain.Academic, Kind = PlanItemKind.Need, Description = "Reads below grade level", Goal = "Reads at grade level by June", Status = NeedStatus.Open, IdentifiedOn = today };
            plan.Items.Add(need);
            plan.Items.Add(new PlanItem { Domain = Domain.Family, Kind = PlanItemKind.Strength, Description = "A grandmother reads with her every night" });
            db.Plans.Add(plan);
            await db.SaveChangesAsync();
            var referral = new Referral { StudentId = ana.Id, NeedId = need.Id, ServiceId = service.Id, OrganizationId = bay.Id, SchoolId = school, Status = ReferralStatus.Sent, SentByName = "coord", SentAt = _app.Time.GetUtcNow().UtcDateTime };
            db.Referrals.Add(referral);
            // Stored texts the history and the access log read back in the reader's language (change lists, a job's name, an email).
            var at = _app.Time.GetUtcNow().UtcDateTime.AddDays(-1);
            db.StudentEvents.AddRange(
                new StudentEvent { StudentId = ana.Id, At = at, UserName = "coord", Action = "need updated", Details = "Academic: Reads below grade level (status Open → Met, goal changed, priority Low → High)" },
                new StudentEvent { StudentId = ana.Id, At = at, UserName = "admin", Action = "changed by roster import", Details = "roster upload #1: grade PK → KG; preferred name none → Anita; home language en → es" },
                new StudentEvent { StudentId = ana.Id, At = at, UserName = "nightly check", Action = "referral expired", Details = "Referral #1: no answer in time" },
                new StudentEvent { StudentId = ana.Id, At = at, UserName = "Bay Tutors", Action = "referral declined", Details = "Referral #1: no capacity: full until May" });
            db.AccessLog.Add(new SuccessPlans.Features.Audit.AccessLogEntry { At = at, ActorName = "coord", Role = "Coordinator",
                Action = SuccessPlans.Features.Audit.AccessAction.DigestEmail, StudentId = ana.Id, Path = "nightly digest email" });
            await db.SaveChangesAsync();
            (_student, _referral) = (ana.Id, referral.Id);
            return bay.Id;
        });
        await _app.CreateUserAsync(tenant, "admin@layout.test", UserRole.Admin);
        await _app.CreateUserAsync(tenant, "coord@layout.test", UserRole.Coordinator, [school]);
        await _app.CreateUserAsync(tenant, "provider@layout.test", UserRole.Provider, organizationId: org);
        await _app.CreateUserAsync(tenant, "cabinet@layout.test", UserRole.Cabinet);
    }

    public async Task DisposeAsync()
    {
        await _chromium.DisposeAsync();
        await _app.DisposeAsync();
    }

    [Theory]
    [InlineData("admin@layout.test")]
    [InlineData("coord@layout.test")]
    [InlineData("provider@layout.test")]
    [InlineData("cabinet@layout.test")]
    public async Task Every_page_of_the_role_fits_a_phone_and_a_laptop(string email)
    {
        var problems = new List<string>();
        foreach (var (locale, lang, width, height) in new[] { ("en-US", "en", 390, 844), ("en-US", "en", 1366, 768), ("es-MX", "es", 390, 844), ("es-MX", "es", 1366, 768) })
        {
            var page = await _chromium.NewPageAsync(_url, width, height, locale);
            await page.GotoAsync("/Account/Login");
            await page.Locator("#Input_Email").FillAsync(email);
            await page.Locator("#Input_Password").FillAsync(AppFactory.Password);
            await BrowserSignIn.SubmitAsync(page, () => page.Keyboard.PressAsync("Enter"), _app.AuthenticatorKeys.GetValueOrDefault(email));

            var urls = new List<string> { new Uri(page.Url).PathAndQuery };
            urls.AddRange((await page.Locator("header.top nav a[href^='/']").EvaluateAllAsync<string[]>("links => links.map(a => a.getAttribute('href'))"))
                .Where(h => !h.StartsWith("/hangfire", StringComparison.Ordinal)));
            if (email.StartsWith("coord", StringComparison.Ordinal)) urls.Add($"/Students/{_student}");
            if (email.StartsWith("provider", StringComparison.Ordinal)) urls.Add($"/Provider/Referrals/{_referral}");
            if (email.StartsWith("admin", StringComparison.Ordinal)) urls.AddRange(["/Audit", $"/Audit/Students/{_student}"]);
            Assert.True(urls.Count >= 2, string.Join(", ", urls));

            foreach (var url in urls.Distinct())
            {
                await page.GotoAsync(url);
                var layout = await page.EvaluateAsync<JsonElement>("""
                    () => {
                      const top = el => el ? el.getBoundingClientRect().top + window.scrollY : 1e9;
                      const main = document.querySelector('main');
                      const first = [...main.children].find(el => el.getBoundingClientRect().height > 0 && el.tagName !== 'H1');
                      return { wide: document.documentElement.scrollWidth, inner: window.innerWidth, height: window.innerHeight,
                               h1: top(main.querySelector('h1')), first: top(first),
                               list: top(main.querySelector('form.filters ~ table tbody tr, form.filters ~ .empty')) % 1e9 };
                    }
                    """);
                var (wide, inner, screen) = (layout.GetProperty("wide").GetDouble(), layout.GetProperty("inner").GetDouble(), layout.GetProperty("height").GetDouble());
                if (await page.Locator("html").GetAttributeAsync("lang") != lang) problems.Add($"{locale} {url}: not in {lang}");
                if (wide > inner) problems.Add($"{width} px {url}: {wide} px wide");
                if (layout.GetProperty("h1").GetDouble() >= screen) problems.Add($"{width} px {url}: the title starts below the first screen");
                if (layout.GetProperty("first").GetDouble() >= screen) problems.Add($"{width} px {url}: the content starts below the first screen");
                // A filtered list (the caseload, the access log; "list" is 0 without one): its filters leave room for its first line.
                if (layout.GetProperty("list").GetDouble() >= screen) problems.Add($"{width} px {url}: the list starts below the first screen, under its filters");
                await Axe.CheckAsync(page);
                // The history's and the access log's stored texts: no English left in Spanish.
                if (lang == "es" && (url.StartsWith("/Students/", StringComparison.Ordinal) || url.StartsWith("/Audit", StringComparison.Ordinal)))
                {
                    var text = string.Join("\n", await page.Locator("main table").AllInnerTextsAsync());
                    foreach (var english in new[] { "status ", "priority ", "goal changed", "grade PK", "none", "nightly", "email", "no capacity", "no answer" })
                        if (text.Contains(english, StringComparison.Ordinal)) problems.Add($"{locale} {url}: '{english}' in English");
                }
            }
            Assert.Empty(Chromium.Errors[page]);
            await page.Context.CloseAsync();
        }
        Assert.Empty(problems);
    }
}
