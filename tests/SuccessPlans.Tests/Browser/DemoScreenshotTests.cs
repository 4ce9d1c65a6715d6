using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using SuccessPlans.Features.Seeding;
using SuccessPlans.Tests.Infrastructure;

namespace SuccessPlans.Tests.Browser;

/// <summary>
/// The demo community in a real browser: each role's main page (checked by axe, and photographed for the README
/// by infra/scripts/screenshots.sh), and the cabinet's whole visit: the school year's counts and charts, another
/// period, a CSV downloaded, and a count that moves when the provider records a service.
/// </summary>
public class DemoScreenshotTests : IAsyncLifetime
{
    // A fixed day well into the school year: the demo's history is seeded relative to "now", and the figures
    // checked here should not depend on the calendar day the tests run on.
    private readonly AppFactory _app = new(new DateTimeOffset(2026, 11, 20, 15, 0, 0, TimeSpan.Zero));
    private Chromium _chromium = null!;
    private string _url = "";

    /// <summary>Where the pictures go: SCREENSHOTS_DIR (the script sets infra/screenshots), else a temp folder.</summary>
    private static readonly string Output = Environment.GetEnvironmentVariable("SCREENSHOTS_DIR") is { Length: > 0 } dir
        ? dir : Directory.CreateTempSubdirectory("successplans-shots-").FullName;

    public async Task InitializeAsync()
    {
        _app.Settings["Demo:Enabled"] = "true";
        _app.Settings["Demo:SeedDataDirectory"] = Path.Combine(Model.ModelTests.RepositoryRoot(), "seed-data", "demo");
        _url = RealServer.Start(_app);
        _chromium = await Chromium.LaunchAsync();
        Directory.CreateDirectory(Output);
    }

    public async Task DisposeAsync()
    {
        await _chromium.DisposeAsync();
        await _app.DisposeAsync();
    }

    private async Task<IPage> SignInAsync(string email, int width = 1280, int height = 900, string locale = "en-US")
    {
        var page = await _chromium.NewPageAsync(_url, width, height, locale);
        await page.GotoAsync("/Account/Login");
        // By the fields' ids: the labels are in the browser's language.
        await page.Locator("#Input_Email").FillAsync(email);
        await page.Locator("#Input_Password").FillAsync(DemoSeeder.Password);
        // The demo Admin comes enrolled with the README's demo-only authenticator key.
        await BrowserSignIn.SubmitAsync(page, () => page.Keyboard.PressAsync("Enter"), DemoSeeder.AuthenticatorKey);
        return page;
    }

    private static async Task ShootAsync(IPage page, string path, string name)
    {
        var response = await page.GotoAsync(path);
        Assert.Equal(200, response!.Status);
        await Axe.CheckAsync(page);
        Assert.Empty(Chromium.Errors[page]);
        var file = Path.Combine(Output, name + ".png");
        await page.ScreenshotAsync(new() { Path = file, FullPage = true });
        Assert.True(new FileInfo(file).Length > 10_000, $"{file} looks empty");
    }

    [Fact]
    public async Task Each_roles_main_page_on_the_demo_passes_axe_and_is_photographed()
    {
        await ShootAsync(await SignInAsync("admin@demo.test"), "/Home/Admin", "admin");
        var coordinator = await SignInAsync("coordinator@demo.test");
        await ShootAsync(coordinator, "/Home/Coordinator", "coordinator");
        var studentId = await _app.InTenant(await TenantAsync(), (_, db) => db.Referrals.OrderBy(r => r.Id).Select(r => r.StudentId).FirstAsync());
        await ShootAsync(coordinator, $"/Students/{studentId}", "coordinator-student");
        await ShootAsync(await SignInAsync("coordinator@demo.test", 390, 844), $"/Students/{studentId}", "coordinator-phone");
        // The same page for a coordinator whose browser speaks Spanish.
        var spanishCoordinator = await SignInAsync("coordinator@demo.test", locale: "es-MX");
        await ShootAsync(spanishCoordinator, $"/Students/{studentId}", "coordinator-student-spanish");
        Assert.Equal("es", await spanishCoordinator.Locator("html").GetAttributeAsync("lang"));
        // The caseload with its attendance bands, and the printable plan of a Spanish-speaking family, in Spanish.
        await ShootAsync(coordinator, "/Students?openNeeds=true", "coordinator-caseload");
        var coordinatorSchools = await _app.InTenant(await TenantAsync(), (_, db) => db.CoordinatorSchools
            .Where(c => db.Users.Any(u => u.Id == c.UserId && u.Email == "coordinator@demo.test")).Select(c => c.SchoolId).ToListAsync());
        var spanish = await _app.InTenant(await TenantAsync(), (_, db) => db.Students
            .Where(s => s.HomeLanguage == "es" && coordinatorSchools.Contains(s.SchoolId) && db.Plans.Any(p => p.StudentId == s.Id && p.SchoolYear == 2026 && p.Items.Any(i => i.Kind == SuccessPlans.Features.Plans.PlanItemKind.Need))
                && db.Referrals.Any(r => r.StudentId == s.Id && r.Need.Plan.SchoolYear == 2026 && r.Status == SuccessPlans.Features.Referrals.ReferralStatus.InService))
            .OrderBy(s => s.Id).Select(s => s.Id).FirstAsync());
        await ShootAsync(coordinator, $"/Students/{spanish}/Family/Plan", "family-plan-spanish");
        await ShootAsync(await SignInAsync("provider@demo.test"), "/Provider/Referrals", "provider");
        await ShootAsync(await SignInAsync("cabinet@demo.test"), "/Cabinet", "cabinet");
    }

    [Fact]
    public async Task The_cabinet_changes_the_period_downloads_a_csv_and_sees_a_count_move()
    {
        var cabinet = await SignInAsync("cabinet@demo.test");
        Assert.EndsWith("/Home/Cabinet", cabinet.Url);
        await Axe.CheckAsync(cabinet);
        Assert.Contains("school year", await cabinet.Locator("main > p.muted").First.InnerTextAsync());
        Assert.Equal(1, await cabinet.Locator("svg[aria-labelledby^='chart-month']").CountAsync());
        Assert.Equal(1, await cabinet.Locator("svg[aria-labelledby^='chart-domain']").CountAsync());
        var yearTotal = await FigureAsync(cabinet);

        // Another period, through the month pickers: September alone.
        await cabinet.GetByLabel("From month", new() { Exact = true }).FillAsync("2026-09");
        await cabinet.GetByLabel("To month", new() { Exact = true }).FillAsync("2026-09");
        await Navigation.ClickAsync(cabinet, cabinet.GetByRole(AriaRole.Button, new() { Name = "Show" }));
        Assert.Contains("from=2026-09", cabinet.Url);
        await Axe.CheckAsync(cabinet);
        Assert.Contains("Counts for the September 2026.", await cabinet.Locator("main").InnerTextAsync());

        // A CSV of the domain table, as the browser downloads it.
        var download = await cabinet.RunAndWaitForDownloadAsync(() => cabinet.Locator("#table-domain caption a.csv").ClickAsync());
        Assert.EndsWith(".csv", download.SuggestedFilename);
        var csv = await File.ReadAllTextAsync((await download.PathAsync())!);
        Assert.StartsWith("Domain,Children served,Services delivered", csv);

        // The provider records a service today; back on the school year, the count has moved by one.
        var provider = await SignInAsync("provider@demo.test");
        var referralId = await _app.InTenant(await TenantAsync(), (_, db) => db.Referrals
            .Where(r => r.Status == SuccessPlans.Features.Referrals.ReferralStatus.InService && r.OrganizationId == db.Users.Where(u => u.Email == "provider@demo.test").Select(u => u.ProviderOrganizationId).Single())
            .Select(r => r.Id).FirstAsync());
        await provider.GotoAsync($"/Provider/Referrals/{referralId}");
        await Navigation.ClickAsync(provider, provider.GetByRole(AriaRole.Button, new() { Name = "Record service" }));
        await Navigation.ClickAsync(cabinet, cabinet.GetByRole(AriaRole.Link, new() { Name = "This school year" }));
        Assert.Equal(yearTotal + 1, await FigureAsync(cabinet));
    }

    private Task<int> TenantAsync() => _app.InTenant(null, (_, db) => db.Tenants.Select(t => t.Id).FirstAsync());

    private static async Task<int> FigureAsync(IPage cabinet) =>
        int.Parse((await cabinet.Locator("[data-measure='Services delivered'] dd").InnerTextAsync()).Trim(), NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
}
