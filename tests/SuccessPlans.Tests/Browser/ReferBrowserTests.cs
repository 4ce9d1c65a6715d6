using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using SuccessPlans.Features.Directory;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Students;
using SuccessPlans.Features.Users;
using SuccessPlans.Tests.Infrastructure;

namespace SuccessPlans.Tests.Browser;

/// <summary>
/// Find a service on a 390 px phone with the keyboard alone: search, switch a filter, choose, record the missing
/// consent on the way and send; axe in every page, and no page wider than the screen.
/// </summary>
public class ReferBrowserTests : IAsyncLifetime
{
    private readonly AppFactory _app = new();
    private Chromium _chromium = null!;
    private string _url = "";
    private int _tenant, _student, _need;

    public async Task InitializeAsync()
    {
        _url = RealServer.Start(_app);
        _chromium = await Chromium.LaunchAsync();
        _tenant = (await _app.CreateTenantAsync("phone")).Id;
        var school = (await _app.CreateSchoolAsync(_tenant, "Phone Middle")).Id;
        var today = DateOnly.FromDateTime(_app.Time.GetUtcNow().UtcDateTime);
        await _app.InTenant(_tenant, async (_, db) =>
        {
            var harbor = new ProviderOrganization { Name = "Harbor Learning Collaborative of the Greater Metropolitan Area" };
            var bay = new ProviderOrganization { Name = "Bay Tutors" };
            db.Services.AddRange(
                new Service { Name = "After-school tutoring", Description = "Small-group reading and math tutoring twice a week.", Organization = harbor, Domain = Domain.Academic, Capacity = 3, Languages = "en pt", MinimumAge = 10, MaximumAge = 14,
                    Locations = [new ServiceAtLocation { Location = new ServiceLocation { Name = "Harbor Community Center, second floor reading room", City = "Springfield" } }] },
                new Service { Name = "Tutoring", Description = "One-to-one sessions.", Organization = bay, Domain = Domain.Academic, Capacity = 5, Languages = "en" },
                new Service { Name = "Reading club", Organization = bay, Domain = Domain.Academic, Capacity = 0, Languages = "en pt" });
            var ana = new Student { GivenName = "Ana", FamilyName = "Costa", SchoolId = school, Grade = "06", HomeLanguage = "pt", BirthDate = today.AddYears(-11), GuardianName = "Rita Costa" };
            var plan = new SuccessPlan { Student = ana, SchoolYear = SchoolYears.For(today), Tier = 2, Status = PlanStatus.Active };
            plan.Items.Add(new PlanItem { Domain = Domain.Academic, Kind = PlanItemKind.Need, Description = "Falling behind in math", Status = NeedStatus.Open, IdentifiedOn = today });
            db.Plans.Add(plan);
            await db.SaveChangesAsync();
            (_student, _need) = (ana.Id, plan.Items[0].Id);
        });
        await _app.CreateUserAsync(_tenant, "coord@phone.test", UserRole.Coordinator, [school]);
    }

    public async Task DisposeAsync()
    {
        await _chromium.DisposeAsync();
        await _app.DisposeAsync();
    }

    /// <summary>axe, no browser error, and the page no wider than the phone's screen.</summary>
    private static async Task CheckAsync(IPage page)
    {
        await Navigation.LoadedAsync(page);
        await Axe.CheckAsync(page);
        Assert.True(Chromium.Errors[page].Count == 0, $"browser errors on {page.Url}: {string.Join("; ", Chromium.Errors[page])}");
        Assert.True(await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth") <= page.ViewportSize!.Width, $"{page.Url} is wider than the screen");
    }

    private static async Task<string> FocusedAsync(IPage page) =>
        await page.EvaluateAsync<string>("() => (document.activeElement?.id || document.activeElement?.textContent || '').trim()");

    /// <summary>Presses Tab until the focused element's id or text starts with the given one.</summary>
    private static async Task TabToAsync(IPage page, string idOrText)
    {
        for (var i = 0; i < 80 && !(await FocusedAsync(page)).StartsWith(idOrText, StringComparison.Ordinal); i++)
            await page.Keyboard.PressAsync("Tab");
        Assert.StartsWith(idOrText, await FocusedAsync(page));
    }

    [Fact]
    public async Task On_a_phone_with_the_keyboard_alone_a_coordinator_searches_chooses_records_the_consent_and_sends()
    {
        var page = await _chromium.NewPageAsync(_url, width: 390, height: 844);
        await page.GotoAsync("/Account/Login");
        await page.GetByLabel("Email").FillAsync("coord@phone.test");
        await page.GetByLabel("Password").FillAsync(AppFactory.Password);
        await BrowserSignIn.SubmitAsync(page, () => page.Keyboard.PressAsync("Enter"));

        await page.GotoAsync($"/Students/{_student}/Needs/{_need}/Refer");
        await CheckAsync(page);
        Assert.Equal(3, await page.Locator("ol.matches > li").CountAsync());
        Assert.Contains("speaks Portuguese", await page.Locator("ol.matches > li").First.InnerTextAsync());
        Assert.Contains("full", await page.Locator("ol.matches > li").Last.InnerTextAsync());

        // Keyword and a filter by keyboard: only the Portuguese-speaking services with open places remain.
        await TabToAsync(page, "q");
        await page.Keyboard.TypeAsync("tutoring");
        await TabToAsync(page, "f-language");
        await page.Keyboard.PressAsync("Space");
        await TabToAsync(page, "Search");
        await Navigation.ByAsync(page, () => page.Keyboard.PressAsync("Enter"));
        Assert.Matches("q=tutoring.*language=true", page.Url);
        await CheckAsync(page);
        Assert.Equal(["After-school tutoring"], await page.Locator("ol.matches h3 .service").AllInnerTextsAsync());

        await TabToAsync(page, "Choose");
        await Navigation.ByAsync(page, () => page.Keyboard.PressAsync("Enter"));
        Assert.Contains("serviceId=", page.Url);
        await CheckAsync(page);
        await TabToAsync(page, "Record the guardian's consent");
        await Navigation.ByAsync(page, () => page.Keyboard.PressAsync("Enter"));
        Assert.Contains("/Consent", page.Url);
        await CheckAsync(page);
        Assert.True(await page.GetByLabel("Harbor Learning Collaborative of the Greater Metropolitan Area").IsCheckedAsync());
        await TabToAsync(page, "Record consent");
        await Navigation.ByAsync(page, () => page.Keyboard.PressAsync("Enter"));
        Assert.Matches("/Refer\\?.*serviceId=", page.Url);
        await CheckAsync(page);
        Assert.Contains("consent of Rita Costa", await page.Locator("main").InnerTextAsync());

        await TabToAsync(page, "Send the referral");
        await Navigation.ByAsync(page, () => page.Keyboard.PressAsync("Enter"));
        Assert.Matches($"/Students/{_student}(#referrals)?$", page.Url);
        await CheckAsync(page);
        var referral = await _app.InTenant(_tenant, (_, db) => db.Referrals.Include(r => r.Service).SingleAsync());
        Assert.Equal("After-school tutoring", referral.Service.Name);
        Assert.NotNull(referral.ConsentId);
    }
}
