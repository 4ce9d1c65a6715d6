using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using SuccessPlans.Features.Directory;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Referrals;
using SuccessPlans.Features.Students;
using SuccessPlans.Features.Users;
using SuccessPlans.Tests.Infrastructure;

namespace SuccessPlans.Tests.Browser;

/// <summary>Closing a plan whose referrals are still open asks first, with the keyboard alone, and does it only when confirmed.</summary>
public class ConfirmBrowserTests : IAsyncLifetime
{
    private readonly AppFactory _app = new();
    private Chromium _chromium = null!;
    private string _url = "";
    private int _tenant, _student;

    public async Task InitializeAsync()
    {
        _url = RealServer.Start(_app);
        _chromium = await Chromium.LaunchAsync();
        _tenant = (await _app.CreateTenantAsync("confirm")).Id;
        var school = (await _app.CreateSchoolAsync(_tenant, "Confirm Elementary")).Id;
        var today = DateOnly.FromDateTime(_app.Time.GetUtcNow().UtcDateTime);
        await _app.InTenant(_tenant, async (_, db) =>
        {
            var org = new ProviderOrganization { Name = "Bay Tutors" };
            var service = new Service { Name = "Tutoring", Organization = org, Domain = Domain.Academic, Capacity = 5 };
            db.Services.Add(service);
            var lea = new Student { GivenName = "Lea", FamilyName = "Moreau", SchoolId = school, Grade = "04" };
            var plan = new SuccessPlan { Student = lea, SchoolYear = SchoolYears.For(today), Tier = 2, Status = PlanStatus.Active };
            var need = new PlanItem { Domain = Domain.Academic, Kind = PlanItemKind.Need, Description = "Behind in reading", Status = NeedStatus.Open, IdentifiedOn = today };
            plan.Items.Add(need);
            db.Plans.Add(plan);
            await db.SaveChangesAsync();
            db.Referrals.Add(new Referral { StudentId = lea.Id, NeedId = need.Id, ServiceId = service.Id, OrganizationId = org.Id, SchoolId = school, Status = ReferralStatus.Sent, SentByName = "Coordinator", SentAt = _app.Time.GetUtcNow().UtcDateTime });
            await db.SaveChangesAsync();
            _student = lea.Id;
        });
        await _app.CreateUserAsync(_tenant, "coord@confirm.test", UserRole.Coordinator, [school]);
    }

    public async Task DisposeAsync()
    {
        await _chromium.DisposeAsync();
        await _app.DisposeAsync();
    }

    private Task<PlanStatus> PlanStatusAsync() => _app.InTenant(_tenant, (_, db) => db.Plans.Where(p => p.StudentId == _student).Select(p => p.Status).SingleAsync());

    [Fact]
    public async Task Closing_a_plan_with_an_open_referral_is_refused_until_confirmed()
    {
        var page = await _chromium.NewPageAsync(_url);
        await page.GotoAsync("/Account/Login");
        await page.GetByLabel("Email").FillAsync("coord@confirm.test");
        await page.GetByLabel("Password").FillAsync(AppFactory.Password);
        await BrowserSignIn.SubmitAsync(page, () => page.Keyboard.PressAsync("Enter"));

        await page.GotoAsync($"/Students/{_student}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Close the plan" }).FocusAsync();
        await Navigation.MarkAsync(page);
        await page.Keyboard.PressAsync("Enter");
        await Navigation.ArrivedAsync(page);
        await Expect(page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "still open" })).ToBeVisibleAsync();
        await Axe.CheckAsync(page);
        Assert.Equal(PlanStatus.Active, await PlanStatusAsync());

        // "No" keeps it open; "Yes" closes it.
        var yes = page.GetByRole(AriaRole.Button, new() { Name = "Yes, close the plan" });
        await yes.FocusAsync();
        await Navigation.ByAsync(page, () => page.Keyboard.PressAsync("Enter"));
        Assert.Contains($"/Students/{_student}", page.Url);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Yes, close the plan" })).ToHaveCountAsync(0);
        Assert.Equal(PlanStatus.Closed, await PlanStatusAsync());
    }

    [Fact]
    public async Task Withdrawing_a_referral_asks_in_a_labelled_modal_dialog_that_Escape_cancels()
    {
        var page = await _chromium.NewPageAsync(_url);
        await page.GotoAsync("/Account/Login");
        await page.GetByLabel("Email").FillAsync("coord@confirm.test");
        await page.GetByLabel("Password").FillAsync(AppFactory.Password);
        await BrowserSignIn.SubmitAsync(page, () => page.Keyboard.PressAsync("Enter"));
        await page.GotoAsync($"/Students/{_student}");

        var withdraw = page.GetByRole(AriaRole.Button, new() { Name = "Withdraw the referral" });
        await withdraw.FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        // Named by its question, modal (the page behind is inert), focus on the safe answer.
        var dialog = page.GetByRole(AriaRole.Dialog, new() { Name = "Withdraw this referral? The provider is told." });
        await Expect(dialog).ToBeVisibleAsync();
        await Expect(dialog.GetByRole(AriaRole.Button, new() { Name = "Cancel" })).ToBeFocusedAsync();
        Assert.True(await page.EvaluateAsync<bool>("() => document.getElementById('confirm-dialog').matches(':modal')"));
        await Axe.CheckAsync(page);
        await page.Keyboard.PressAsync("Tab");
        await Expect(dialog.GetByRole(AriaRole.Button, new() { Name = "Yes, go ahead" })).ToBeFocusedAsync();

        // Escape cancels: nothing is posted, and focus is back on the button.
        await page.Keyboard.PressAsync("Escape");
        await Expect(dialog).ToBeHiddenAsync();
        await Expect(withdraw).ToBeFocusedAsync();
        Assert.Equal(ReferralStatus.Sent, await ReferralStatusAsync());

        // Asked again, "Yes" posts the form.
        await page.Keyboard.PressAsync("Enter");
        await Expect(dialog).ToBeVisibleAsync();
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.PressAsync("Enter");
        await Expect(withdraw).ToHaveCountAsync(0);
        Assert.Equal(ReferralStatus.Withdrawn, await ReferralStatusAsync());
    }

    private Task<ReferralStatus> ReferralStatusAsync() => _app.InTenant(_tenant, (_, db) => db.Referrals.Where(r => r.StudentId == _student).Select(r => r.Status).SingleAsync());

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);
}
