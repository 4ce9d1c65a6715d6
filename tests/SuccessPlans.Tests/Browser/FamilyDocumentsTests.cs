using System.Text.RegularExpressions;
using System.Xml.Linq;
using Microsoft.EntityFrameworkCore;
using SuccessPlans.Features.Audit;
using SuccessPlans.Features.Directory;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Referrals;
using SuccessPlans.Features.Students;
using SuccessPlans.Features.Users;
using SuccessPlans.Tests.Infrastructure;

namespace SuccessPlans.Tests.Browser;

/// <summary>The family's printable plan and consent form: one Letter page each in Spanish, for the student page's users only.</summary>
public class FamilyDocumentsTests : IAsyncLifetime
{
    private readonly AppFactory _app = new();
    private Chromium _chromium = null!;
    private string _url = "";
    private int _tenant, _student;

    public async Task InitializeAsync()
    {
        _url = RealServer.Start(_app);
        _chromium = await Chromium.LaunchAsync();
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
            // A measured goal with two values: the student page draws its chart.
            var measured = plan.Items.First(i => i.Kind == PlanItemKind.Need);
            (measured.Measure, measured.MeasureLabel, measured.Baseline, measured.BaselineOn, measured.Target, measured.TargetOn) =
                (GoalMeasure.Recorded, "books read aloud in a month", 1, today.AddDays(-60), 6, today.AddDays(120));
            db.GoalPoints.AddRange(new GoalPoint { NeedId = measured.Id, On = today.AddDays(-30), Value = 2, RecordedBy = "coord" },
                new GoalPoint { NeedId = measured.Id, On = today.AddDays(-3), Value = 4, RecordedBy = "coord" });
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

    public async Task DisposeAsync()
    {
        await _chromium.DisposeAsync();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task The_plan_and_the_consent_form_print_on_one_Letter_page_each_in_Spanish()
    {
        var page = await _chromium.NewPageAsync(_url);
        await page.GotoAsync("/Account/Login");
        await page.GetByLabel("Email").FillAsync("coord@family.test");
        await page.GetByLabel("Password").FillAsync(AppFactory.Password);
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForURLAsync(u => !u.Contains("/Account/Login"));

        await page.GotoAsync($"/Students/{_student}");
        // The goal's chart, drawn on the server, with its text alternative (summary and table); axe finds nothing.
        Assert.True(await page.Locator("svg.goal-chart").First.IsVisibleAsync());
        Assert.Equal(2, await page.Locator("svg.goal-chart").First.Locator("circle").CountAsync());
        Assert.Contains(await page.Locator(".goal-summary .progress-code").First.InnerTextAsync(), new[] { "Progressing", "Avanza" });
        Assert.Equal(2, await page.Locator("table.goal-values").First.Locator("tbody tr").CountAsync());
        await Axe.CheckAsync(page);
        foreach (var (link, title) in new[] { ("printable success plan", "Plan de éxito de María José Hernández Villanueva"), ("consent form to print", "Permiso para compartir información sobre María José Hernández Villanueva") })
        {
            await page.GotoAsync($"/Students/{_student}");
            await page.GetByRole(Microsoft.Playwright.AriaRole.Link, new() { Name = link }).ClickAsync();
            await page.WaitForURLAsync(new Regex("/Family/"));
            Assert.Equal(title, (await page.Locator("h1").InnerTextAsync()).Trim());
            Assert.Equal("es", await page.Locator("html").GetAttributeAsync("lang"));
            await Axe.CheckAsync(page);
            var pdf = await page.PdfAsync(new() { Format = "Letter", PrintBackground = true });
            var pages = Regex.Matches(System.Text.Encoding.Latin1.GetString(pdf), @"/Type\s*/Page(?![a-z])").Count;
            Assert.True(pages == 1, $"{page.Url} prints on {pages} pages");
        }
        Assert.Contains("Trabajo escolar", await (await page.GotoAsync($"/Students/{_student}/Family/Plan"))!.TextAsync());
        Assert.Empty(Chromium.Errors[page]);
    }

    [Fact]
    public void Every_English_text_of_the_family_documents_has_a_Spanish_translation()
    {
        var folder = Path.Combine(Model.ModelTests.RepositoryRoot(), "src", "SuccessPlans.Web", "Resources", "Features", "Students");
        static Dictionary<string, string> Read(string path) => XDocument.Load(path).Root!.Elements("data")
            .ToDictionary(d => d.Attribute("name")!.Value, d => d.Element("value")?.Value ?? "");
        var english = Read(Path.Combine(folder, "FamilyDocuments.resx"));
        Assert.NotEmpty(english);
        foreach (var language in SuccessPlans.Web.Features.Students.FamilyDocuments.Translated)
        {
            var translated = Read(Path.Combine(folder, $"FamilyDocuments.{language}.resx"));
            var missing = english.Keys.Where(k => string.IsNullOrWhiteSpace(translated.GetValueOrDefault(k))).ToList();
            Assert.True(missing.Count == 0, $"{language} lacks: {string.Join(", ", missing)}");
            // A placeholder the English text fills must be in the translation too.
            Assert.All(english.Where(e => e.Value.Contains("{0}")), e => Assert.Contains("{0}", translated[e.Key]));
        }
    }
}
