using System.Net;
using Microsoft.EntityFrameworkCore;
using AngleSharp.Html.Dom;
using SuccessPlans.Features.Directory;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Students;
using SuccessPlans.Features.Users;
using SuccessPlans.Tests.Infrastructure;

namespace SuccessPlans.Tests.Referrals;

/// <summary>
/// Referring in few clicks, as a coordinator clicks through the real pages: three from the student's page when a
/// consent is in force, and a missing consent recorded inside the flow without losing the chosen service.
/// </summary>
public class ReferFlowTests : IAsyncLifetime
{
    private readonly AppFactory _app = new();
    private int _tenant, _student, _need, _withdrawn, _orgA, _orgB, _serviceA, _serviceB;

    public async Task InitializeAsync()
    {
        _tenant = (await _app.CreateTenantAsync("flow")).Id;
        var school = (await _app.CreateSchoolAsync(_tenant, "Flow School")).Id;
        var today = DateOnly.FromDateTime(_app.Time.GetUtcNow().UtcDateTime);
        await _app.InTenant(_tenant, async (_, db) =>
        {
            var a = new ProviderOrganization { Name = "Bright Eyes" };
            var b = new ProviderOrganization { Name = "Smile Van" };
            var student = new Student { GivenName = "Mia", FamilyName = "Lopez", SchoolId = school, Grade = "02", HomeLanguage = "es", BirthDate = today.AddYears(-7), GuardianName = "Rosa Lopez" };
            var withdrawn = new Student { GivenName = "Leo", FamilyName = "Gone", SchoolId = school, Grade = "02", Status = StudentStatus.Withdrawn };
            db.AddRange(a, b, student, withdrawn);
            db.Services.AddRange(
                new Service { Name = "Glasses", Organization = a, Domain = Domain.Health, Capacity = 4, Languages = "en es" },
                new Service { Name = "Dental", Organization = b, Domain = Domain.Health, Capacity = 2, Languages = "en" });
            var plan = new SuccessPlan { Student = student, SchoolYear = SchoolYears.For(today), Tier = 2, Status = PlanStatus.Active };
            plan.Items.Add(new PlanItem { Domain = Domain.Health, Kind = PlanItemKind.Need, Description = "Cannot see the board", Status = NeedStatus.Open, IdentifiedOn = today });
            db.Plans.Add(plan);
            // A consent in force for Bright Eyes only.
            db.Consents.Add(new Consent { Student = student, GuardianName = "Rosa Lopez", GivenOn = today.AddDays(-3), RecordedByName = "test", Organizations = [new ConsentOrganization { Organization = a }] });
            await db.SaveChangesAsync();
            (_student, _need, _withdrawn, _orgA, _orgB) = (student.Id, plan.Items[0].Id, withdrawn.Id, a.Id, b.Id);
            _serviceA = (await db.Services.SingleAsync(s => s.Name == "Glasses")).Id;
            _serviceB = (await db.Services.SingleAsync(s => s.Name == "Dental")).Id;
        });
        await _app.CreateUserAsync(_tenant, "coord@flow.test", UserRole.Coordinator, [school]);
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    /// <summary>A coordinator's clicks: following a link or pressing a button, counted, with redirects followed as a browser would.</summary>
    private sealed class Clicks(HttpClient client)
    {
        public int Count { get; private set; }

        public async Task<IHtmlDocument> FollowAsync(IHtmlDocument page, string text, string? naming = null)
        {
            var links = page.QuerySelectorAll("main a").Where(a => a.TextContent.Trim().StartsWith(text) && (naming is null || a.TextContent.Contains(naming))).ToList();
            Assert.True(links.Count > 0, $"No link '{text}' {naming} on {page.Url}");
            Count++;
            return await client.GetDocumentAsync(links[0].GetAttribute("href")!);
        }

        public async Task<IHtmlDocument> PressAsync(IHtmlDocument page, string text, Dictionary<string, string>? fields = null)
        {
            var button = page.QuerySelectorAll("main button").SingleOrDefault(b => b.TextContent.Trim() == text) as IHtmlElement;
            Assert.True(button is not null, $"No button '{text}' on {page.Url}");
            Count++;
            var response = await client.SubmitAsync(button, fields);
            Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"'{text}' answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            return await client.GetDocumentAsync(response.Location());
        }
    }

    [Fact]
    public async Task With_a_consent_in_force_a_referral_is_three_clicks_from_the_students_page()
    {
        var c = await _app.SignedInAsync("coord@flow.test");
        var clicks = new Clicks(c);
        var page = await c.GetDocumentAsync($"/Students/{_student}");
        page = await clicks.FollowAsync(page, "Find a service");
        page = await clicks.FollowAsync(page, "Choose", "Glasses");
        Assert.Contains("consent of Rosa Lopez", page.Body!.TextContent);
        page = await clicks.PressAsync(page, "Send the referral");

        Assert.Equal(3, clicks.Count);
        Assert.EndsWith($"/Students/{_student}", page.Url.Split('#')[0]);
        Assert.Contains("Referral sent to Bright Eyes", page.Body!.TextContent);
        var referral = await _app.InTenant(_tenant, (_, db) => db.Referrals.SingleAsync());
        Assert.Equal((_serviceA, _need), (referral.ServiceId, referral.NeedId));
    }

    [Fact]
    public async Task A_missing_consent_is_recorded_inside_the_flow_and_the_chosen_service_is_still_chosen()
    {
        var c = await _app.SignedInAsync("coord@flow.test");
        var refer = await c.GetDocumentAsync($"/Students/{_student}/Needs/{_need}/Refer?q=dental");
        var clicks = new Clicks(c);
        var page = await clicks.FollowAsync(refer, "Choose", "Dental");
        Assert.Contains("No consent in force", page.Body!.TextContent);
        Assert.Empty(page.QuerySelectorAll("main button.primary"));

        page = await clicks.FollowAsync(page, "Record the guardian's consent");
        // Pre-filled: the guardian, today, and the organization of the chosen service (and no other).
        Assert.Equal("Rosa Lopez", ((IHtmlInputElement)page.QuerySelector("input[name='Input.GuardianName']")!).Value);
        Assert.False(string.IsNullOrEmpty(((IHtmlInputElement)page.QuerySelector("input[name='Input.GivenOn']")!).Value));
        var boxes = page.QuerySelectorAll("input[name='Input.OrganizationIds']").Cast<IHtmlInputElement>().ToList();
        Assert.Equal([_orgB.ToString()], boxes.Where(b => b.IsChecked).Select(b => b.Value));
        Assert.Contains("Smile Van", page.Body!.TextContent);

        page = await clicks.PressAsync(page, "Record consent");
        Assert.Contains("Refer to Dental (Smile Van)", page.Body!.TextContent);
        Assert.Contains("consent of Rosa Lopez", page.Body!.TextContent);
        Assert.Contains("Consent recorded", page.Body!.TextContent);
        // The search the coordinator came from is kept too.
        Assert.Contains("q=dental", page.QuerySelectorAll("a").Single(a => a.TextContent.Contains("Choose another service")).GetAttribute("href"));

        page = await clicks.PressAsync(page, "Send the referral");
        Assert.Equal(4, clicks.Count);
        Assert.Contains("Referral sent to Smile Van", page.Body!.TextContent);
        var (referral, consent) = await _app.InTenant(_tenant, async (_, db) => (await db.Referrals.SingleAsync(),
            await db.Consents.Include(x => x.Organizations).OrderByDescending(x => x.Id).FirstAsync()));
        Assert.Equal((_serviceB, consent.Id), (referral.ServiceId, referral.ConsentId));
        Assert.Equal([_orgB], consent.Organizations.Select(o => o.OrganizationId));
    }

    [Theory]
    [InlineData("https://evil.example/steal")]
    [InlineData("//evil.example/steal")]
    [InlineData("/\\evil.example/steal")]
    [InlineData("javascript:alert(1)")]
    public async Task After_saving_a_consent_a_foreign_return_address_is_not_followed(string returnUrl)
    {
        var c = await _app.SignedInAsync("coord@flow.test");
        var url = $"/Students/{_student}/Consent?organizationId={_orgB}&returnUrl={Uri.EscapeDataString(returnUrl)}";
        var form = await c.GetDocumentAsync(url);
        Assert.DoesNotContain(form.QuerySelectorAll("a"), a => a.GetAttribute("href")!.Contains("evil") || a.GetAttribute("href")!.StartsWith("javascript"));
        var saved = await c.SubmitFormAsync(url, []);
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        Assert.Equal($"/Students/{_student}", saved.Location());
    }

    [Fact]
    public async Task The_consent_form_returns_only_to_a_local_address_and_cancel_goes_back_there()
    {
        var c = await _app.SignedInAsync("coord@flow.test");
        var back = $"/Students/{_student}/Needs/{_need}/Refer?serviceId={_serviceB}";
        var url = $"/Students/{_student}/Consent?organizationId={_orgB}&returnUrl={Uri.EscapeDataString(back)}";
        var form = await c.GetDocumentAsync(url);
        Assert.Equal(back, form.QuerySelectorAll("main a").Single(a => a.TextContent.Trim() == "Cancel").GetAttribute("href"));
        var saved = await c.SubmitFormAsync(url, []);
        Assert.Equal(back, saved.Location());
    }

    [Theory]
    [InlineData("organizationId=abc")]
    [InlineData("organizationId=-5")]
    [InlineData("organizationId=999999")]
    [InlineData("returnUrl=")]
    public async Task A_garbage_organization_or_return_address_prefills_nothing_and_is_no_error(string query)
    {
        var c = await _app.SignedInAsync("coord@flow.test");
        var page = await c.GetDocumentAsync($"/Students/{_student}/Consent?{query}");
        Assert.DoesNotContain(page.QuerySelectorAll("input[name='Input.OrganizationIds']").Cast<IHtmlInputElement>(), b => b.IsChecked);
    }

    [Fact]
    public async Task The_consent_rules_answer_on_the_form_and_nothing_is_written()
    {
        var c = await _app.SignedInAsync("coord@flow.test");
        var url = $"/Students/{_student}/Consent";
        var today = DateOnly.FromDateTime(_app.Time.GetUtcNow().UtcDateTime);
        async Task<string> Post(Dictionary<string, string> fields, string[]? check = null, string[]? uncheck = null) =>
            WebUtility.HtmlDecode(await (await c.SubmitFormAsync(url, fields, check: check, uncheck: uncheck)).Content.ReadAsStringAsync());

        Assert.Contains("The expiry date is before the date given.", await Post(new() { ["Input.ExpiresOn"] = today.AddDays(-10).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) }));
        Assert.Contains("A consent must cover services or sharing with at least one organization.", await Post([], uncheck: ["Input.CoversServices"]));
        Assert.Contains("Give the name of the guardian who gave consent.", await Post(new() { ["Input.GuardianName"] = " " }));
        Assert.Contains("at most 200 characters", await Post(new() { ["Input.GuardianName"] = new string('x', 5000) }));
        Assert.Contains("cannot be in the future", await Post(new() { ["Input.GivenOn"] = today.AddDays(2).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) }));
        Assert.Contains("is not valid", await Post(new() { ["Input.GivenOn"] = "garbage" }));
        Assert.Equal(1, await _app.InTenant(_tenant, (_, db) => db.Consents.CountAsync()));

        // A posted organization that does not exist (or is another tenant's) is a field error, not a 500.
        var page = await c.GetDocumentAsync(url);
        var token = page.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        Task<HttpResponseMessage> Forge(string organizationId) => c.PostAsync(url, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["Input.GuardianName"] = "Rosa Lopez", ["Input.GivenOn"] = today.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), ["Input.OrganizationIds"] = organizationId,
        }));
        var unknown = await Forge("987654");
        Assert.Equal(HttpStatusCode.OK, unknown.StatusCode);
        Assert.Contains("does not exist", await unknown.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await Forge("x")).StatusCode);
        Assert.Equal(1, await _app.InTenant(_tenant, (_, db) => db.Consents.CountAsync()));
    }

    [Fact]
    public async Task The_consent_service_refuses_a_withdrawn_student_and_records_the_history()
    {
        // The tenant's own day (New York): after midnight UTC, the UTC date is still the future there.
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(_app.Time.GetUtcNow().UtcDateTime, TimeZoneInfo.FindSystemTimeZoneById("America/New_York")));
        await _app.InTenant(_tenant, async (sp, db) =>
        {
            var consents = sp.GetRequiredService<ConsentService>();
            var actor = new Actor(null, "Test Coordinator");
            var gone = await db.Students.SingleAsync(s => s.Id == _withdrawn);
            var refused = await Assert.ThrowsAsync<ValidationFailedException>(() =>
                consents.RecordAsync(gone, new ConsentRequest("Guardian", today, true, false, [], null), actor));
            Assert.Contains("withdrawn", refused.Message);

            var mia = await db.Students.SingleAsync(s => s.Id == _student);
            var recorded = await consents.RecordAsync(mia, new ConsentRequest("  Rosa Lopez ", today, false, false, [_orgA, _orgB, _orgB], today.AddYears(1)), actor);
            Assert.Equal("Rosa Lopez", recorded.GuardianName);
            Assert.Equal([_orgA, _orgB], recorded.Organizations.Select(o => o.OrganizationId).Order());
        });
        var history = await _app.InTenant(_tenant, (_, db) => db.StudentEvents.Where(e => e.StudentId == _student && e.Action == "consent recorded").Select(e => e.Details).SingleAsync());
        Assert.Contains("sharing with Bright Eyes, Smile Van", history);
        Assert.Equal(0, await _app.InTenant(_tenant, (_, db) => db.Consents.CountAsync(x => x.StudentId == _withdrawn)));
    }
}
