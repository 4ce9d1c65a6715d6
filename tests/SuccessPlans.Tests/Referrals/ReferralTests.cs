using System.Net;
using Microsoft.EntityFrameworkCore;
using SuccessPlans.Features.Directory;
using SuccessPlans.Features.Notifications;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Referrals;
using SuccessPlans.Features.Students;
using SuccessPlans.Features.Users;
using SuccessPlans.Tests.Infrastructure;

namespace SuccessPlans.Tests.Referrals;

/// <summary>The closed loop: find, send with consent, provider answers and delivers, coordinator sees it all.</summary>
public class ReferralTests : IAsyncLifetime
{
    private readonly AppFactory _app = new();
    private int _tenant, _school, _student, _need, _orgA, _orgB, _serviceA, _serviceB, _otherStudent;

    public async Task InitializeAsync()
    {
        _tenant = (await _app.CreateTenantAsync("loop")).Id;
        _school = (await _app.CreateSchoolAsync(_tenant, "Loop School")).Id;
        var today = DateOnly.FromDateTime(_app.Time.GetUtcNow().UtcDateTime);
        await _app.InTenant(_tenant, async (_, db) =>
        {
            var a = new ProviderOrganization { Name = "Bright Eyes", Email = "intake@brighteyes.test" };
            var b = new ProviderOrganization { Name = "Smile Van" };
            db.ProviderOrganizations.AddRange(a, b);
            var student = new Student
            {
                GivenName = "Mia", FamilyName = "Lopez", SchoolId = _school, Grade = "02", HomeLanguage = "es", BirthDate = today.AddYears(-7),
                GuardianName = "Rosa Lopez", GuardianPhone = "555-0101", GuardianEmail = "rosa@example.net",
            };
            var other = new Student { GivenName = "Noah", FamilyName = "Secret", SchoolId = _school, Grade = "02" };
            db.Students.AddRange(student, other);
            db.Services.AddRange(
                new Service { Name = "Glasses", Organization = a, Domain = Domain.Health, Capacity = 4, Languages = "en es", MinimumAge = 3, MaximumAge = 14 },
                new Service { Name = "Dental", Organization = b, Domain = Domain.Health, Capacity = 0, Languages = "en es" },
                new Service { Name = "Eye clinic (adults)", Organization = b, Domain = Domain.Health, MinimumAge = 18 },
                new Service { Name = "Tutoring", Organization = b, Domain = Domain.Academic, Capacity = 9 },
                new Service { Name = "English-only checkups", Organization = b, Domain = Domain.Health, Languages = "en" },
                new Service { Name = "Closed clinic", Organization = b, Domain = Domain.Health, Status = "inactive" });
            var plan = new SuccessPlan { Student = student, SchoolYear = SchoolYears.For(today), Tier = 2, Status = PlanStatus.Active };
            plan.Items.Add(new PlanItem { Domain = Domain.Health, Kind = PlanItemKind.Need, Description = "Cannot see the board", Status = NeedStatus.Open, IdentifiedOn = today });
            db.Plans.Add(plan);
            await db.SaveChangesAsync();
            (_student, _otherStudent, _orgA, _orgB) = (student.Id, other.Id, a.Id, b.Id);
            _need = plan.Items[0].Id;
            _serviceA = (await db.Services.SingleAsync(s => s.Name == "Glasses")).Id;
            _serviceB = (await db.Services.SingleAsync(s => s.Name == "Dental")).Id;
        });
        await _app.CreateUserAsync(_tenant, "coord@loop.test", UserRole.Coordinator, [_school]);
        await _app.CreateUserAsync(_tenant, "admin@loop.test", UserRole.Admin);
        await _app.CreateUserAsync(_tenant, "eyes1@loop.test", UserRole.Provider, organizationId: _orgA);
        await _app.CreateUserAsync(_tenant, "eyes2@loop.test", UserRole.Provider, organizationId: _orgA);
        await _app.CreateUserAsync(_tenant, "smile@loop.test", UserRole.Provider, organizationId: _orgB);
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private string ReferUrl => $"/Students/{_student}/Needs/{_need}/Refer";

    private async Task RecordConsentAsync(int organizationId) => await _app.InTenant(_tenant, async (_, db) =>
    {
        db.Consents.Add(new Consent
        {
            StudentId = _student, GuardianName = "Rosa Lopez", GivenOn = DateOnly.FromDateTime(_app.Time.GetUtcNow().UtcDateTime.AddDays(-1)),
            RecordedByName = "test", Organizations = [new ConsentOrganization { OrganizationId = organizationId }],
        });
        await db.SaveChangesAsync();
    });

    private async Task<int> SendAsync(HttpClient coordinator, int serviceId)
    {
        var sent = await coordinator.SubmitFormAsync($"{ReferUrl}?serviceId={serviceId}", []);
        Assert.Equal(HttpStatusCode.Redirect, sent.StatusCode);
        return await _app.InTenant(_tenant, (_, db) => db.Referrals.OrderByDescending(r => r.Id).Select(r => r.Id).FirstAsync());
    }

    [Fact]
    public async Task The_services_that_fit_come_with_open_places_first()
    {
        var c = await _app.SignedInAsync("coord@loop.test");
        var page = await c.GetDocumentAsync(ReferUrl);
        var names = page.QuerySelectorAll("ol.matches h3 .service").Select(h => h.TextContent.Trim()).ToArray();
        // Same domain, active, age 7 in range; Spanish speakers with open places first, full last; English-only is listed, not hidden.
        Assert.Equal(["Glasses", "English-only checkups", "Dental"], names);
    }

    [Fact]
    public async Task Without_consent_a_coordinator_cannot_send_and_nothing_is_shared()
    {
        var c = await _app.SignedInAsync("coord@loop.test");
        var page = await c.GetDocumentAsync($"{ReferUrl}?serviceId={_serviceA}");
        Assert.Contains("No consent in force", page.Body!.TextContent);
        Assert.Empty(page.QuerySelectorAll("main form button.primary"));

        var token = page.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        var forced = await c.PostAsync(ReferUrl, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["ServiceId"] = _serviceA.ToString(),
        }));
        Assert.Contains("No consent in force", await forced.Content.ReadAsStringAsync());
        Assert.Equal(0, await _app.InTenant(_tenant, (_, db) => db.Referrals.CountAsync()));
        Assert.Equal(0, await _app.InTenant(_tenant, (_, db) => db.Disclosures.CountAsync()));
    }

    [Fact]
    public async Task A_consent_for_another_organization_does_not_count()
    {
        await RecordConsentAsync(_orgB);
        var c = await _app.SignedInAsync("coord@loop.test");
        Assert.Contains("No consent in force", (await c.GetDocumentAsync($"{ReferUrl}?serviceId={_serviceA}")).Body!.TextContent);
    }

    [Fact]
    public async Task An_admin_may_override_with_a_written_reason_which_is_logged()
    {
        var admin = await _app.SignedInAsync("admin@loop.test");
        var noReason = await admin.SubmitFormAsync($"{ReferUrl}?serviceId={_serviceA}", new() { ["OverrideReason"] = "urgent" });
        Assert.Contains("at least 10 characters", await noReason.Content.ReadAsStringAsync());
        var sent = await admin.SubmitFormAsync($"{ReferUrl}?serviceId={_serviceA}", new() { ["OverrideReason"] = "Child cannot read the board; guardian unreachable for two weeks." });
        Assert.Equal(HttpStatusCode.Redirect, sent.StatusCode);
        var disclosure = await _app.InTenant(_tenant, (_, db) => db.Disclosures.SingleAsync());
        Assert.Null(disclosure.ConsentId);
        Assert.StartsWith("Child cannot read the board", disclosure.OverrideReason);
    }

    [Fact]
    public async Task The_whole_loop_from_referral_to_two_deliveries_and_completion()
    {
        await RecordConsentAsync(_orgA);
        var c = await _app.SignedInAsync("coord@loop.test");
        var confirm = await c.GetDocumentAsync($"{ReferUrl}?serviceId={_serviceA}");
        var shared = confirm.QuerySelector("dl.facts")!.TextContent;
        foreach (var expected in new[] { "Mia Lopez", "02", "Loop School", "Rosa Lopez", "555-0101", "Cannot see the board" })
            Assert.Contains(expected, shared);
        var referralId = await SendAsync(c, _serviceA);

        // One disclosure, with what and on what basis.
        var disclosure = await _app.InTenant(_tenant, (_, db) => db.Disclosures.SingleAsync());
        Assert.Equal((_student, _orgA, referralId), (disclosure.StudentId, disclosure.OrganizationId, disclosure.ReferralId));
        Assert.Equal("Child's name, Grade, School, Guardian, Guardian contact, Need", disclosure.FieldsShared);
        Assert.NotNull(disclosure.ConsentId);
        // The organization and its two users are told, without the child's name in the email.
        var emails = await _app.InTenant(_tenant, (_, db) => db.Notifications.Where(n => n.Kind == "referral").ToListAsync());
        Assert.Equal(["eyes1@loop.test", "eyes2@loop.test", "intake@brighteyes.test"], emails.Select(e => e.RecipientEmail).Order());
        Assert.All(emails, e => Assert.DoesNotContain("Mia", e.BodyText));

        var p = await _app.SignedInAsync("eyes1@loop.test");
        var inbox = await p.GetDocumentAsync("/Provider/Referrals");
        Assert.Contains("Mia Lopez", inbox.QuerySelector("tbody")!.TextContent);
        var url = $"/Provider/Referrals/{referralId}";
        Assert.Equal(HttpStatusCode.Redirect, (await p.SubmitFormAsync(url, [], formSelector: "form[action*='handler=Accept']")).StatusCode);
        // Today in the tenant's time zone (New York): in the evening there, the UTC date is already tomorrow.
        var day1 = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(_app.Time.GetUtcNow().UtcDateTime, TimeZoneInfo.FindSystemTimeZoneById("America/New_York"))).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(HttpStatusCode.Redirect, (await p.SubmitFormAsync(url, new() { ["deliveredOn"] = day1, ["amount"] = "1", ["note"] = "Eye exam" }, formSelector: "form[action*='handler=Deliver']")).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await p.SubmitFormAsync(url, new() { ["deliveredOn"] = day1, ["amount"] = "1", ["note"] = "Glasses fitted" }, formSelector: "form[action*='handler=Deliver']")).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await p.SubmitFormAsync(url, new() { ["outcome"] = "GotHelp", ["note"] = "Wears glasses in class" }, formSelector: "form[action*='handler=Close']")).StatusCode);

        var referral = await _app.InTenant(_tenant, (_, db) => db.Referrals.Include(r => r.Events).Include(r => r.Deliveries).SingleAsync());
        Assert.Equal(ReferralStatus.Completed, referral.Status);
        Assert.Equal([ReferralStatus.Sent, ReferralStatus.Accepted, ReferralStatus.InService, ReferralStatus.Completed], referral.Events.OrderBy(e => e.Id).Select(e => e.To));
        Assert.All(referral.Events.Skip(1), e => Assert.Equal("eyes1", e.UserName));
        Assert.Equal(2, referral.Deliveries.Count);

        var student = await c.GetDocumentAsync($"/Students/{_student}");
        var section = student.QuerySelector("#referrals")!.ParentElement!.TextContent;
        Assert.Contains("completed", section);
        Assert.Contains("Services delivered: 2", section);
        Assert.Contains("Wears glasses in class", section);
        Assert.Single(student.QuerySelectorAll("#disclosures ~ table tbody tr"));
    }

    [Fact]
    public async Task Illegal_transitions_are_refused_and_change_nothing()
    {
        await RecordConsentAsync(_orgA);
        var c = await _app.SignedInAsync("coord@loop.test");
        var id = await SendAsync(c, _serviceA);
        var p = await _app.SignedInAsync("eyes1@loop.test");
        var url = $"/Provider/Referrals/{id}";
        var page = await p.GetDocumentAsync(url);
        var token = page.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        async Task<HttpResponseMessage> Post(string handler, Dictionary<string, string> fields)
        {
            fields["__RequestVerificationToken"] = token;
            return await p.PostAsync($"{url}?handler={handler}", new FormUrlEncodedContent(fields));
        }

        // Deliver on a referral not yet accepted.
        var early = await Post("Deliver", new() { ["deliveredOn"] = "2026-01-01", ["amount"] = "1" });
        Assert.Contains("only on an accepted referral", WebUtility.HtmlDecode(await early.Content.ReadAsStringAsync()));
        // Decline needs a reason; other needs a note.
        Assert.Contains("Choose the outcome for declining", WebUtility.HtmlDecode(await (await Post("Decline", [])).Content.ReadAsStringAsync()));
        Assert.Contains("Choose the outcome for declining", WebUtility.HtmlDecode(await (await Post("Decline", new() { ["outcome"] = "GotHelp" })).Content.ReadAsStringAsync()));
        Assert.Contains("Choose the outcome for declining", WebUtility.HtmlDecode(await (await Post("Decline", new() { ["outcome"] = "Bogus" })).Content.ReadAsStringAsync()));
        Assert.Contains("Say why in a note", WebUtility.HtmlDecode(await (await Post("Decline", new() { ["outcome"] = "CouldNotGetHelp" })).Content.ReadAsStringAsync()));
        Assert.Equal(HttpStatusCode.Redirect, (await Post("Decline", new() { ["outcome"] = "NoCapacity" })).StatusCode);
        // Accept after declining, deliver on a declined referral.
        Assert.Contains("cannot become accepted", await (await Post("Accept", [])).Content.ReadAsStringAsync());
        Assert.Contains($"referral #{id} is declined", WebUtility.HtmlDecode(await (await Post("Deliver", new() { ["deliveredOn"] = "2026-01-01", ["amount"] = "1" })).Content.ReadAsStringAsync()));

        var r = await _app.InTenant(_tenant, (_, db) => db.Referrals.Include(x => x.Events).Include(x => x.Deliveries).SingleAsync());
        Assert.Equal(ReferralStatus.Declined, r.Status);
        Assert.Equal(ReferralOutcome.NoCapacity, r.Outcome);
        Assert.Equal(2, r.Events.Count);
        Assert.Empty(r.Deliveries);
    }

    [Fact]
    public async Task A_withdrawn_referral_cannot_be_answered_and_accepting_twice_is_refused()
    {
        await RecordConsentAsync(_orgA);
        var c = await _app.SignedInAsync("coord@loop.test");
        var id = await SendAsync(c, _serviceA);
        var p = await _app.SignedInAsync("eyes1@loop.test");
        var stale = await p.GetDocumentAsync($"/Provider/Referrals/{id}");

        Assert.Equal(HttpStatusCode.Redirect, (await c.SubmitFormAsync($"/Students/{_student}", new() { ["note"] = "Family moved" }, formSelector: "form[action*='handler=Withdraw']")).StatusCode);
        var answer = await p.PostAsync($"/Provider/Referrals/{id}?handler=Accept", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = stale.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!,
            ["Version"] = stale.QuerySelector("form[action*='handler=Accept'] input[name=Version]")!.GetAttribute("value")!,
        }));
        Assert.Contains("cannot become accepted", WebUtility.HtmlDecode(await answer.Content.ReadAsStringAsync()));
        Assert.Equal(ReferralStatus.Withdrawn, await _app.InTenant(_tenant, (_, db) => db.Referrals.Select(r => r.Status).SingleAsync()));

        var second = await SendAsync(c, _serviceA);
        Assert.Equal(HttpStatusCode.Redirect, (await p.SubmitFormAsync($"/Provider/Referrals/{second}", [], formSelector: "form[action*='handler=Accept']")).StatusCode);
        var again = await p.PostAsync($"/Provider/Referrals/{second}?handler=Accept", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = stale.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!,
        }));
        Assert.Contains("already accepted", WebUtility.HtmlDecode(await again.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task Two_provider_users_answering_at_once_one_wins_and_the_other_is_told()
    {
        await RecordConsentAsync(_orgA);
        var id = await SendAsync(await _app.SignedInAsync("coord@loop.test"), _serviceA);
        var one = await _app.SignedInAsync("eyes1@loop.test");
        var two = await _app.SignedInAsync("eyes2@loop.test");
        var pageOne = await one.GetDocumentAsync($"/Provider/Referrals/{id}");
        var pageTwo = await two.GetDocumentAsync($"/Provider/Referrals/{id}");
        FormUrlEncodedContent Form(AngleSharp.Html.Dom.IHtmlDocument page, Dictionary<string, string> fields)
        {
            fields["__RequestVerificationToken"] = page.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
            fields["Version"] = page.QuerySelector("input[name=Version]")!.GetAttribute("value")!;
            return new FormUrlEncodedContent(fields);
        }
        Assert.Equal(HttpStatusCode.Redirect, (await one.PostAsync($"/Provider/Referrals/{id}?handler=Accept", Form(pageOne, []))).StatusCode);
        var loser = await two.PostAsync($"/Provider/Referrals/{id}?handler=Decline", Form(pageTwo, new() { ["outcome"] = "NoCapacity" }));
        Assert.Equal(HttpStatusCode.OK, loser.StatusCode);
        Assert.Contains("cannot become declined", WebUtility.HtmlDecode(await loser.Content.ReadAsStringAsync()));
        Assert.Equal(ReferralStatus.Accepted, await _app.InTenant(_tenant, (_, db) => db.Referrals.Select(r => r.Status).SingleAsync()));
    }

    [Fact]
    public async Task A_provider_sees_only_their_organizations_referrals_and_only_what_was_shared()
    {
        await RecordConsentAsync(_orgA);
        var id = await SendAsync(await _app.SignedInAsync("coord@loop.test"), _serviceA);
        var smile = await _app.SignedInAsync("smile@loop.test");
        Assert.Equal(HttpStatusCode.NotFound, (await smile.GetAsync($"/Provider/Referrals/{id}")).StatusCode);
        Assert.DoesNotContain("Mia", await (await smile.GetAsync("/Provider/Referrals?tab=new")).Content.ReadAsStringAsync());

        var eyes = await _app.SignedInAsync("eyes1@loop.test");
        var page = await (await eyes.GetAsync($"/Provider/Referrals/{id}")).Content.ReadAsStringAsync();
        Assert.DoesNotContain("Tier", page);          // not the plan
        Assert.DoesNotContain("Secret", page);        // not another child
        foreach (var url in new[] { $"/Students/{_student}", $"/Students/{_otherStudent}", "/Students", ReferUrl })
            Assert.StartsWith("https://localhost/Account/AccessDenied", (await eyes.GetAsync(url)).Location());
    }

    [Fact]
    public async Task Another_tenants_provider_gets_nothing()
    {
        await RecordConsentAsync(_orgA);
        var id = await SendAsync(await _app.SignedInAsync("coord@loop.test"), _serviceA);
        var other = (await _app.CreateTenantAsync("loop-other")).Id;
        var otherOrg = await _app.InTenant(other, async (_, db) =>
        {
            var o = new ProviderOrganization { Name = "Elsewhere" };
            db.ProviderOrganizations.Add(o);
            await db.SaveChangesAsync();
            return o.Id;
        });
        await _app.CreateUserAsync(other, "p@loop-other.test", UserRole.Provider, organizationId: otherOrg);
        var stranger = await _app.SignedInAsync("p@loop-other.test");
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync($"/Provider/Referrals/{id}")).StatusCode);
        Assert.Contains("No referral here", await (await stranger.GetAsync("/Provider/Referrals")).Content.ReadAsStringAsync());
    }
}
