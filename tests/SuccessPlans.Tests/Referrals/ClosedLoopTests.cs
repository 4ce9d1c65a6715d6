using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SuccessPlans.Features.Cabinet;
using SuccessPlans.Features.Directory;
using SuccessPlans.Features.Flags;
using SuccessPlans.Features.Jobs;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Referrals;
using SuccessPlans.Features.Students;
using SuccessPlans.Features.Users;
using SuccessPlans.Tests.Infrastructure;

namespace SuccessPlans.Tests.Referrals;

/// <summary>
/// The loop closes: outcomes settle needs (with the coordinator's one click), the sender is told at once and by one
/// email a day, the worklist shows what needs action, messages and notes stay with their parties, capacity stays true.
/// </summary>
public class ClosedLoopTests : IAsyncLifetime
{
    // 10:00 in New York on Tuesday 3 November 2026: a school day, well inside the school year.
    private static readonly DateTimeOffset Start = new(2026, 11, 3, 15, 0, 0, TimeSpan.Zero);
    private readonly AppFactory _app = new(Start);
    private int _tenant, _school, _otherSchool, _student, _classmate, _need, _classmateNeed, _orgA, _orgB, _serviceA, _serviceB, _plan;

    public async Task InitializeAsync()
    {
        _tenant = (await _app.CreateTenantAsync("closed")).Id;
        _school = (await _app.CreateSchoolAsync(_tenant, "Loop School")).Id;
        _otherSchool = (await _app.CreateSchoolAsync(_tenant, "Far School")).Id;
        var today = new DateOnly(2026, 11, 3);
        await _app.InTenant(_tenant, async (_, db) =>
        {
            var a = new ProviderOrganization { Name = "Bright Eyes" };
            var b = new ProviderOrganization { Name = "Smile Van" };
            var mia = new Student { GivenName = "Mia", FamilyName = "Lopez", SchoolId = _school, Grade = "02", BirthDate = today.AddYears(-7), GuardianName = "Rosa Lopez" };
            var leo = new Student { GivenName = "Leo", FamilyName = "Park", SchoolId = _school, Grade = "02", BirthDate = today.AddYears(-7) };
            db.Services.AddRange(
                new Service { Name = "Glasses", Organization = a, Domain = Domain.Health, Capacity = 4 },
                new Service { Name = "Eye clinic", Organization = b, Domain = Domain.Health, Capacity = 2 });
            var plan = new SuccessPlan { Student = mia, SchoolYear = 2026, Tier = 2, Status = PlanStatus.Active };
            plan.Items.Add(new PlanItem { Domain = Domain.Health, Kind = PlanItemKind.Need, Description = "Cannot see the board", Status = NeedStatus.Open, IdentifiedOn = today });
            var leoPlan = new SuccessPlan { Student = leo, SchoolYear = 2026, Tier = 2, Status = PlanStatus.Active };
            leoPlan.Items.Add(new PlanItem { Domain = Domain.Health, Kind = PlanItemKind.Need, Description = "Squints at books", Status = NeedStatus.Open, IdentifiedOn = today });
            db.Plans.AddRange(plan, leoPlan);
            foreach (var s in new[] { mia, leo })
                db.Consents.Add(new Consent { Student = s, GuardianName = "Guardian", GivenOn = today.AddDays(-1), SharesWithAnyPartner = true, RecordedByName = "test" });
            await db.SaveChangesAsync();
            (_student, _classmate, _orgA, _orgB, _plan) = (mia.Id, leo.Id, a.Id, b.Id, plan.Id);
            (_need, _classmateNeed) = (plan.Items[0].Id, leoPlan.Items[0].Id);
            _serviceA = (await db.Services.SingleAsync(s => s.Name == "Glasses")).Id;
            _serviceB = (await db.Services.SingleAsync(s => s.Name == "Eye clinic")).Id;
        });
        await _app.CreateUserAsync(_tenant, "coord@closed.test", UserRole.Coordinator, [_school]);
        await _app.CreateUserAsync(_tenant, "far@closed.test", UserRole.Coordinator, [_otherSchool]);
        await _app.CreateUserAsync(_tenant, "admin@closed.test", UserRole.Admin);
        await _app.CreateUserAsync(_tenant, "cabinet@closed.test", UserRole.Cabinet);
        await _app.CreateUserAsync(_tenant, "eyes@closed.test", UserRole.Provider, organizationId: _orgA);
        await _app.CreateUserAsync(_tenant, "smile@closed.test", UserRole.Provider, organizationId: _orgB);
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private async Task<int> SendAsync(HttpClient coordinator, int studentId, int needId, int serviceId)
    {
        var sent = await coordinator.SubmitFormAsync($"/Students/{studentId}/Needs/{needId}/Refer?serviceId={serviceId}", [], formSelector: "main form[method=post]");
        Assert.Equal(HttpStatusCode.Redirect, sent.StatusCode);
        return await _app.InTenant(_tenant, (_, db) => db.Referrals.OrderByDescending(r => r.Id).Select(r => r.Id).FirstAsync());
    }

    private static Task<HttpResponseMessage> ActAsync(HttpClient provider, int referralId, string handler, Dictionary<string, string> fields) =>
        provider.SubmitFormAsync($"/Provider/Referrals/{referralId}", fields, formSelector: $"form[action*='handler={handler}']");

    private Task<string> LocalTodayAsync() => Task.FromResult(DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(_app.Time.GetUtcNow().UtcDateTime,
        TimeZoneInfo.FindSystemTimeZoneById("America/New_York"))).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));

    private async Task<int> InServiceAsync(HttpClient provider, int referralId)
    {
        Assert.Equal(HttpStatusCode.Redirect, (await ActAsync(provider, referralId, "Accept", [])).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await ActAsync(provider, referralId, "Deliver", new() { ["deliveredOn"] = await LocalTodayAsync(), ["amount"] = "1" })).StatusCode);
        return referralId;
    }

    private Task NightlyCheckAsync() =>
        _app.Services.GetRequiredService<TenantJobRunner>().RunAsync(TenantJobCatalog.NightlyCheck.Name, _tenant, "test", CancellationToken.None);

    private Task<List<Flag>> OpenFlagsAsync() => _app.InTenant(_tenant, (_, db) => db.Flags.Where(f => f.ResolvedAt == null).ToListAsync());

    [Fact]
    public async Task A_goal_met_completion_is_confirmed_in_one_click_and_the_nightly_check_never_calls_it_unmet()
    {
        var coordinator = await _app.SignedInAsync("coord@closed.test");
        var provider = await _app.SignedInAsync("eyes@closed.test");
        var id = await InServiceAsync(provider, await SendAsync(coordinator, _student, _need, _serviceA));
        Assert.Equal(HttpStatusCode.Redirect, (await ActAsync(provider, id, "Close", new() { ["outcome"] = "GotHelp", ["note"] = "Wears glasses" })).StatusCode);

        // Waiting for confirmation, long past the unmet-need threshold: no unmet-need flag.
        _app.Time.Advance(TimeSpan.FromDays(30));
        await NightlyCheckAsync();
        Assert.DoesNotContain(await OpenFlagsAsync(), f => f.Kind == FlagKind.UnmetNeed && f.SubjectId == _need);
        coordinator = await _app.SignedInAsync("coord@closed.test"); // a month later: a new session

        var home = await coordinator.GetDocumentAsync("/Home/Coordinator");
        Assert.Contains("Goal met: confirm the need", home.QuerySelector("#follow-ups")!.ParentElement!.TextContent);
        Assert.Equal(HttpStatusCode.Redirect, (await coordinator.SubmitFormAsync("/Home/Coordinator", [], formSelector: "form[action*='handler=ConfirmMet']")).StatusCode);

        var need = await _app.InTenant(_tenant, (_, db) => db.PlanItems.SingleAsync(i => i.Id == _need));
        Assert.Equal(NeedStatus.Met, need.Status);
        var history = await _app.InTenant(_tenant, (_, db) => db.StudentEvents.Where(e => e.StudentId == _student && e.Action == "need met").SingleAsync());
        Assert.Contains($"referral #{id}", history.Details);
        Assert.Equal("coord", history.UserName);
        Assert.DoesNotContain("Goal met: confirm", (await coordinator.GetDocumentAsync("/Home/Coordinator")).Body!.TextContent);
        _app.Time.Advance(TimeSpan.FromDays(1));
        await NightlyCheckAsync();
        Assert.DoesNotContain(await OpenFlagsAsync(), f => f.Kind == FlagKind.UnmetNeed && f.SubjectId == _need);
    }

    [Fact]
    public async Task An_unsuccessful_close_leaves_the_need_open_and_a_re_referral_closes_the_flag_at_once()
    {
        var coordinator = await _app.SignedInAsync("coord@closed.test");
        var provider = await _app.SignedInAsync("eyes@closed.test");
        var id = await SendAsync(coordinator, _student, _need, _serviceA);
        Assert.Equal(HttpStatusCode.Redirect, (await ActAsync(provider, id, "Accept", [])).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await ActAsync(provider, id, "Close", new() { ["outcome"] = "CouldNotContact" })).StatusCode);
        var referral = await _app.InTenant(_tenant, (_, db) => db.Referrals.SingleAsync(r => r.Id == id));
        Assert.Equal((ReferralStatus.ClosedUnsuccessful, ReferralOutcome.CouldNotContact), (referral.Status, referral.Outcome));
        Assert.Equal(NeedStatus.Open, await _app.InTenant(_tenant, (_, db) => db.PlanItems.Where(i => i.Id == _need).Select(i => i.Status).SingleAsync()));
        Assert.Contains("the need stays open", (await coordinator.GetDocumentAsync($"/Students/{_student}")).QuerySelector($"#referral-{id}")!.TextContent);

        // "Got help" cannot close a referral with nothing delivered.
        var id2 = await SendAsync(coordinator, _student, _need, _serviceB);
        var smile = await _app.SignedInAsync("smile@closed.test");
        Assert.Equal(HttpStatusCode.Redirect, (await ActAsync(smile, id2, "Accept", [])).StatusCode);
        var page = await smile.GetDocumentAsync($"/Provider/Referrals/{id2}");
        Assert.DoesNotContain(page.QuerySelectorAll("#close-outcome option"), o => o.GetAttribute("value") == "GotHelp");
        Assert.Equal(HttpStatusCode.Redirect, (await ActAsync(smile, id2, "Close", new() { ["outcome"] = "FamilyDeclined" })).StatusCode);

        await NightlyCheckAsync();
        var flag = Assert.Single(await OpenFlagsAsync(), f => f.Kind == FlagKind.UnmetNeed && f.SubjectId == _need);
        var home = await coordinator.GetDocumentAsync("/Home/Coordinator");
        var row = Assert.Single(home.QuerySelectorAll("#follow-ups ~ table tbody tr"));
        Assert.Contains("Ended without help", row.TextContent);
        Assert.Contains("family declined", row.TextContent);
        Assert.Equal($"/Students/{_student}/Needs/{_need}/Refer", row.QuerySelector("a.button")!.GetAttribute("href"));

        // Re-referring closes the unmet-need flag now, not at the next night.
        await SendAsync(coordinator, _student, _need, _serviceA);
        Assert.NotNull(await _app.InTenant(_tenant, (_, db) => db.Flags.Where(f => f.Id == flag.Id).Select(f => f.ResolvedAt).SingleAsync()));
        Assert.Empty((await coordinator.GetDocumentAsync("/Home/Coordinator")).QuerySelectorAll("#follow-ups ~ table tbody tr"));
    }

    [Fact]
    public async Task The_unread_marker_is_counted_once_after_each_write_not_on_every_page()
    {
        var coordinator = await _app.SignedInAsync("coord@closed.test");
        var provider = await _app.SignedInAsync("eyes@closed.test");
        var referral = await SendAsync(coordinator, _student, _need, _serviceA);
        Assert.Null((await coordinator.GetDocumentAsync("/Home/Coordinator")).QuerySelector("nav .badge.unread"));
        static int Counts(SqlLog log) => log.Commands.Count(c => c.Contains("COUNT(*)", StringComparison.Ordinal) && c.Contains("\"ReferralUpdates\"", StringComparison.Ordinal));

        // Nothing written since: the pages show the kept count (every page's layout asked the database before).
        using (var log = SqlLog.OfDatabase(_app.Root))
        {
            foreach (var page in new[] { "/Home/Coordinator", "/Students", $"/Students/{_classmate}", "/Home/Coordinator" })
                Assert.Null((await coordinator.GetDocumentAsync(page)).QuerySelector("nav .badge.unread"));
            Assert.Equal(0, Counts(log));
        }

        // The provider's answer is a write: the next page counts again, once, and shows it at once.
        Assert.Equal(HttpStatusCode.Redirect, (await ActAsync(provider, referral, "Accept", [])).StatusCode);
        using (var log = SqlLog.OfDatabase(_app.Root))
        {
            Assert.Equal("1", (await coordinator.GetDocumentAsync("/Home/Coordinator")).QuerySelector("nav .badge.unread")!.FirstChild!.TextContent.Trim());
            Assert.Equal("1", (await coordinator.GetDocumentAsync("/Students")).QuerySelector("nav .badge.unread")!.FirstChild!.TextContent.Trim());
            Assert.Equal(1, Counts(log));
        }

        // Opening the child's page reads the update (a write too): the marker is gone from that page on.
        Assert.Null((await coordinator.GetDocumentAsync($"/Students/{_student}")).QuerySelector("nav .badge.unread"));
        Assert.Null((await coordinator.GetDocumentAsync("/Home/Coordinator")).QuerySelector("nav .badge.unread"));
    }

    /// <summary>
    /// A child's page asks only whether that child's referrals have unread updates: the user's whole count stays the kept
    /// one (issue 15: the page counted them all again at every view, then asked about its own).
    /// </summary>
    [Fact]
    public async Task A_childs_page_asks_about_its_own_updates_only_and_the_marker_keeps_the_kept_count()
    {
        var coordinator = await _app.SignedInAsync("coord@closed.test");
        var provider = await _app.SignedInAsync("eyes@closed.test");
        var referral = await SendAsync(coordinator, _student, _need, _serviceA);
        await SendAsync(coordinator, _classmate, _classmateNeed, _serviceA);
        Assert.Equal(HttpStatusCode.Redirect, (await ActAsync(provider, referral, "Accept", [])).StatusCode);
        Assert.Equal("1", (await coordinator.GetDocumentAsync("/Home/Coordinator")).QuerySelector("nav .badge.unread")!.FirstChild!.TextContent.Trim());
        static int Counts(SqlLog log) => log.Commands.Count(c => c.Contains("COUNT(*)", StringComparison.Ordinal) && c.Contains("\"ReferralUpdates\"", StringComparison.Ordinal));
        static int Asks(SqlLog log) => log.Commands.Count(c => c.Contains("EXISTS", StringComparison.Ordinal) && c.Contains("\"ReferralUpdates\"", StringComparison.Ordinal));

        // The classmate's page: one question about the classmate's referral, no count, nothing written.
        using (var log = SqlLog.OfDatabase(_app.Root))
        {
            Assert.Equal("1", (await coordinator.GetDocumentAsync($"/Students/{_classmate}")).QuerySelector("nav .badge.unread")!.FirstChild!.TextContent.Trim());
            Assert.Equal((0, 1), (Counts(log), Asks(log)));
            // Asked in the page's first statement, with the child and which sections have rows (issue 15).
            var ask = Assert.Single(log.Commands, c => c.Contains("EXISTS", StringComparison.Ordinal) && c.Contains("\"ReferralUpdates\"", StringComparison.Ordinal));
            Assert.Contains("FROM \"Students\"", ask, StringComparison.Ordinal);
            Assert.Contains("\"CaseNotes\"", ask, StringComparison.Ordinal);
        }
        var me = await _app.InTenant(_tenant, (_, db) => db.Users.Where(u => u.Email == "coord@closed.test").Select(u => u.Id).SingleAsync());
        Assert.Null(await _app.InTenant(_tenant, (_, db) => db.ReferralUpdates.Where(u => u.ReferralId == referral && u.UserId == me).Select(u => u.ReadAt).SingleAsync()));

        // The child's own page reads it.
        Assert.Null((await coordinator.GetDocumentAsync($"/Students/{_student}")).QuerySelector("nav .badge.unread"));
        Assert.NotNull(await _app.InTenant(_tenant, (_, db) => db.ReferralUpdates.Where(u => u.ReferralId == referral && u.UserId == me).Select(u => u.ReadAt).SingleAsync()));
    }

    [Fact]
    public async Task Opening_the_child_reads_an_update_another_app_process_wrote_while_a_count_of_none_is_kept()
    {
        var coordinator = await _app.SignedInAsync("coord@closed.test");
        var referral = await SendAsync(coordinator, _student, _need, _serviceA);
        Assert.Null((await coordinator.GetDocumentAsync("/Home/Coordinator")).QuerySelector("nav .badge.unread"));
        var me = await _app.InTenant(_tenant, (_, db) => db.Users.Where(u => u.Email == "coord@closed.test").Select(u => u.Id).SingleAsync());

        // The provider's answer, taken by another node: this process keeps its count of none until its lifetime ends.
        await _app.WriteElsewhereAsync($"""INSERT INTO "ReferralUpdates" ("TenantId", "UserId", "ReferralId", "Kind", "Text", "At", "Version") VALUES ({_tenant}, {me}, {referral}, 'Accepted', 'Bright Eyes accepted', '2026-11-03 15:05:00', 'elsewhere')""");
        Assert.Null((await coordinator.GetDocumentAsync($"/Students/{_student}")).QuerySelector("nav .badge.unread"));
        Assert.NotNull(await _app.InTenant(_tenant, (_, db) => db.ReferralUpdates.Where(u => u.ReferralId == referral && u.UserId == me).Select(u => u.ReadAt).SingleAsync()));
    }

    [Fact]
    public async Task A_no_capacity_decline_tells_the_coordinator_at_once_marks_the_service_full_and_makes_one_email_a_day()
    {
        var coordinator = await _app.SignedInAsync("coord@closed.test");
        var provider = await _app.SignedInAsync("eyes@closed.test");
        var first = await SendAsync(coordinator, _student, _need, _serviceA);
        var second = await SendAsync(coordinator, _classmate, _classmateNeed, _serviceA);
        Assert.Equal(HttpStatusCode.Redirect, (await ActAsync(provider, first, "Decline", new() { ["outcome"] = "NoCapacity", ["note"] = "Full until January" })).StatusCode);
        // Full as of the decline: the directory's export dates the count (HSDS service_capacity.updated).
        var full = await _app.InTenant(_tenant, (_, db) => db.Services.Where(s => s.Id == _serviceA).Select(s => new { s.Capacity, s.CapacityUpdatedAt }).SingleAsync());
        Assert.Equal(((int?)0, (DateTime?)_app.Time.GetUtcNow().UtcDateTime), (full.Capacity, full.CapacityUpdatedAt));

        // At once, in the app: the marker on every page and the list.
        var home = await coordinator.GetDocumentAsync("/Home/Coordinator");
        Assert.Equal("1", home.QuerySelector("nav .badge.unread")!.FirstChild!.TextContent.Trim());
        var updates = await coordinator.GetDocumentAsync("/Notifications");
        Assert.Contains("Bright Eyes declined Mia Lopez's referral to Glasses: no capacity", updates.QuerySelector("ul.updates")!.TextContent);
        Assert.Null((await coordinator.GetDocumentAsync("/Home/Coordinator")).QuerySelector("nav .badge.unread"));

        // A burst of answers is one email; the second after it waits for tomorrow.
        Assert.Equal(HttpStatusCode.Redirect, (await ActAsync(provider, second, "Accept", [])).StatusCode);
        var mailer = _app.Services.GetRequiredService<ReferralUpdatesMailer>();
        Assert.Equal(0, await mailer.SendAsync(CancellationToken.None)); // still within the quiet period
        _app.Time.Advance(TimeSpan.FromMinutes(6));
        Assert.Equal(1, await mailer.SendAsync(CancellationToken.None));
        Assert.Equal(0, await mailer.SendAsync(CancellationToken.None));
        var emails = await _app.InTenant(_tenant, (_, db) => db.Notifications.Where(n => n.Kind == "referral-updates").ToListAsync());
        var email = Assert.Single(emails);
        Assert.Equal("coord@closed.test", email.RecipientEmail);
        Assert.Contains("Park's referral to Glasses", email.BodyText);   // the accept, unread
        Assert.DoesNotContain("declined", email.BodyText);              // read in the app already

        var provider2 = await _app.SignedInAsync("smile@closed.test");
        var third = await SendAsync(coordinator, _student, _need, _serviceB);
        Assert.Equal(HttpStatusCode.Redirect, (await ActAsync(provider2, third, "Accept", [])).StatusCode);
        _app.Time.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(0, await mailer.SendAsync(CancellationToken.None));
        _app.Time.Advance(TimeSpan.FromDays(1));
        Assert.Equal(1, await mailer.SendAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_user_who_turns_the_email_off_gets_none_but_still_sees_the_updates()
    {
        var coordinator = await _app.SignedInAsync("coord@closed.test");
        Assert.Equal(HttpStatusCode.Redirect, (await coordinator.SubmitFormAsync("/Account/Settings", [], uncheck: ["EmailReferralUpdates"])).StatusCode);
        var provider = await _app.SignedInAsync("eyes@closed.test");
        Assert.Equal(HttpStatusCode.Redirect, (await ActAsync(provider, await SendAsync(coordinator, _student, _need, _serviceA), "Accept", [])).StatusCode);
        _app.Time.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(0, await _app.Services.GetRequiredService<ReferralUpdatesMailer>().SendAsync(CancellationToken.None));
        Assert.Contains("accepted", (await coordinator.GetDocumentAsync("/Notifications")).QuerySelector("ul.updates")!.TextContent);
    }

    [Fact]
    public async Task Coordinator_and_provider_exchange_messages_that_no_one_else_reads()
    {
        var coordinator = await _app.SignedInAsync("coord@closed.test");
        var provider = await _app.SignedInAsync("eyes@closed.test");
        var id = await SendAsync(coordinator, _student, _need, _serviceA);
        Assert.Equal(HttpStatusCode.Redirect, (await coordinator.SubmitFormAsync($"/Students/{_student}", new() { ["text"] = "Mornings work best for the family." }, formSelector: $"form[action*='handler=Message'][action*='referralId={id}']")).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await ActAsync(provider, id, "Message", new() { ["text"] = "We can see her Tuesday at 9." })).StatusCode);

        var thread = (await provider.GetDocumentAsync($"/Provider/Referrals/{id}")).QuerySelector("ol.messages")!.TextContent;
        Assert.Contains("Mornings work best", thread);
        Assert.Contains("Tuesday at 9", thread);
        Assert.Contains("Tuesday at 9", (await coordinator.GetDocumentAsync($"/Students/{_student}")).QuerySelector($"#referral-{id} ol.messages")!.TextContent);
        // The provider's update about the school's message names no child.
        var providerUpdate = await _app.InTenant(_tenant, (_, db) => db.ReferralUpdates.Where(u => u.Kind == ReferralUpdateKind.Message && u.UserId != db.Users.Single(x => x.Email == "coord@closed.test").Id).SingleAsync());
        Assert.DoesNotContain("Mia", providerUpdate.Text);

        // Another organization, another school's coordinator, the cabinet, another tenant: nothing.
        var smile = await _app.SignedInAsync("smile@closed.test");
        Assert.Equal(HttpStatusCode.NotFound, (await smile.GetAsync($"/Provider/Referrals/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await smile.GetAsync($"/api/v1/referrals/{id}/messages")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await smile.PostAsJsonAsync($"/api/v1/referrals/{id}/messages", new { text = "Hello?" })).StatusCode);
        var far = await _app.SignedInAsync("far@closed.test");
        Assert.Equal(HttpStatusCode.NotFound, (await far.GetAsync($"/Students/{_student}")).StatusCode);
        var cabinet = await _app.SignedInAsync("cabinet@closed.test");
        Assert.StartsWith("https://localhost/Account/AccessDenied", (await cabinet.GetAsync($"/Students/{_student}")).Location());
        var other = (await _app.CreateTenantAsync("closed-other")).Id;
        var otherOrg = await _app.InTenant(other, async (_, db) => { var o = new ProviderOrganization { Name = "Elsewhere" }; db.Add(o); await db.SaveChangesAsync(); return o.Id; });
        await _app.CreateUserAsync(other, "p@closed-other.test", UserRole.Provider, organizationId: otherOrg);
        var stranger = await _app.SignedInAsync("p@closed-other.test");
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync($"/api/v1/referrals/{id}/messages")).StatusCode);
        Assert.Equal(2, await _app.InTenant(_tenant, (_, db) => db.ReferralMessages.CountAsync()));

        // Bad input: a clear error, nothing written.
        var empty = await ActAsync(provider, id, "Message", new() { ["text"] = "   " });
        Assert.Contains("Write a message", await empty.Content.ReadAsStringAsync());
        var tooLong = await provider.PostAsJsonAsync($"/api/v1/referrals/{id}/messages", new { text = new string('x', 20_000) });
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.Equal(2, await _app.InTenant(_tenant, (_, db) => db.ReferralMessages.CountAsync()));
    }

    [Fact]
    public async Task Two_people_writing_at_once_lose_nothing()
    {
        var coordinator = await _app.SignedInAsync("coord@closed.test");
        var id = await SendAsync(coordinator, _student, _need, _serviceA);
        var provider = await _app.SignedInAsync("eyes@closed.test");
        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(i =>
            provider.PostAsJsonAsync($"/api/v1/referrals/{id}/messages", new { text = $"Note {i}" })));
        Assert.All(results, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        Assert.Equal(6, await _app.InTenant(_tenant, (_, db) => db.ReferralMessages.CountAsync(m => m.ReferralId == id)));
    }

    [Fact]
    public async Task Case_notes_are_for_coordinators_and_admins_only()
    {
        var coordinator = await _app.SignedInAsync("coord@closed.test");
        Assert.Equal(HttpStatusCode.Redirect, (await coordinator.SubmitFormAsync($"/Students/{_student}", new() { ["text"] = "Mother prefers Spanish by phone." }, formSelector: "form[action*='handler=Note']")).StatusCode);
        var tooLong = await coordinator.SubmitFormAsync($"/Students/{_student}", new() { ["text"] = new string('n', 20_000) }, formSelector: "form[action*='handler=Note']");
        Assert.Equal(HttpStatusCode.OK, tooLong.StatusCode);
        Assert.Contains("longer than 4,000 characters", await tooLong.Content.ReadAsStringAsync());
        Assert.Equal(1, await _app.InTenant(_tenant, (_, db) => db.CaseNotes.CountAsync()));
        Assert.Contains("Mother prefers Spanish", (await (await _app.SignedInAsync("admin@closed.test")).GetDocumentAsync($"/Students/{_student}")).QuerySelector("ul.notes")!.TextContent);

        // The provider with a referral for this child still never sees the notes.
        var provider = await _app.SignedInAsync("eyes@closed.test");
        var id = await SendAsync(coordinator, _student, _need, _serviceA);
        Assert.DoesNotContain("Mother prefers", await (await provider.GetAsync($"/Provider/Referrals/{id}")).Content.ReadAsStringAsync());
        Assert.DoesNotContain("Mother prefers", await (await provider.GetAsync($"/api/v1/referrals/{id}")).Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await (await _app.SignedInAsync("far@closed.test")).GetAsync($"/Students/{_student}")).StatusCode);
    }

    [Fact]
    public async Task A_need_with_a_referral_cannot_be_removed_but_can_be_closed_as_no_longer_needed()
    {
        var coordinator = await _app.SignedInAsync("coord@closed.test");
        var id = await SendAsync(coordinator, _student, _need, _serviceA);
        var page = await coordinator.GetDocumentAsync($"/Students/{_student}");
        Assert.Null(page.QuerySelector($"form[action*='handler=RemoveItem'][action*='itemId={_need}']"));

        // Posted anyway (a stale page): a message, not a 500, and nothing removed.
        var token = page.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        var forced = await coordinator.PostAsync($"/Students/{_student}?handler=RemoveItem&itemId={_need}", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["PlanVersion"] = page.QuerySelector("input[name=PlanVersion]")!.GetAttribute("value")!,
        }));
        Assert.Equal(HttpStatusCode.OK, forced.StatusCode);
        Assert.Contains("Close it as no longer needed", await forced.Content.ReadAsStringAsync());
        Assert.True(await _app.InTenant(_tenant, (_, db) => db.PlanItems.AnyAsync(i => i.Id == _need)));

        Assert.Equal(HttpStatusCode.Redirect, (await coordinator.SubmitFormAsync($"/Students/{_student}", [], formSelector: $"form[action*='handler=Need'][action*='itemId={_need}']:has(button[aria-label^='Close as no longer'])")).StatusCode);
        Assert.Equal(NeedStatus.ClosedUnmet, await _app.InTenant(_tenant, (_, db) => db.PlanItems.Where(i => i.Id == _need).Select(i => i.Status).SingleAsync()));
        Assert.Equal(ReferralStatus.Sent, await _app.InTenant(_tenant, (_, db) => db.Referrals.Where(r => r.Id == id).Select(r => r.Status).SingleAsync()));
    }

    [Fact]
    public async Task Closing_a_plan_with_open_referrals_asks_first()
    {
        var coordinator = await _app.SignedInAsync("coord@closed.test");
        await SendAsync(coordinator, _student, _need, _serviceA);
        var asked = await coordinator.SubmitFormAsync($"/Students/{_student}", [], formSelector: "#close-plan");
        Assert.Equal(HttpStatusCode.OK, asked.StatusCode);
        var question = await Forms.ParseAsync(asked);
        Assert.Contains("1 referral(s) of this plan are still open", question.QuerySelector("#close-plan")!.TextContent);
        Assert.Equal(PlanStatus.Active, await _app.InTenant(_tenant, (_, db) => db.Plans.Where(p => p.Id == _plan).Select(p => p.Status).SingleAsync()));

        var token = question.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        var confirmed = await coordinator.PostAsync($"/Students/{_student}?handler=Close", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["confirm"] = "true",
            ["PlanVersion"] = question.QuerySelector("#close-plan input[name=PlanVersion]")!.GetAttribute("value")!,
        }));
        Assert.Equal(HttpStatusCode.Redirect, confirmed.StatusCode);
        Assert.Equal(PlanStatus.Closed, await _app.InTenant(_tenant, (_, db) => db.Plans.Where(p => p.Id == _plan).Select(p => p.Status).SingleAsync()));
    }

    [Fact]
    public async Task Group_attendance_records_one_session_for_many_children_all_or_nothing()
    {
        var coordinator = await _app.SignedInAsync("coord@closed.test");
        var provider = await _app.SignedInAsync("eyes@closed.test");
        var one = await SendAsync(coordinator, _student, _need, _serviceA);
        var two = await SendAsync(coordinator, _classmate, _classmateNeed, _serviceA);
        foreach (var id in new[] { one, two })
            Assert.Equal(HttpStatusCode.Redirect, (await ActAsync(provider, id, "Accept", [])).StatusCode);

        var page = await provider.GetDocumentAsync($"/Provider/Attendance?serviceId={_serviceA}");
        Assert.Equal(2, page.QuerySelectorAll("input[name=referralIds]").Length);
        var recorded = await provider.SubmitFormAsync($"/Provider/Attendance?serviceId={_serviceA}", new() { ["deliveredOn"] = await LocalTodayAsync() },
            formSelector: "main form[method=post]", check: ["referralIds"]);
        Assert.Equal(HttpStatusCode.Redirect, recorded.StatusCode);
        var referrals = await _app.InTenant(_tenant, (_, db) => db.Referrals.Include(r => r.Deliveries).Where(r => r.ServiceId == _serviceA).ToListAsync());
        Assert.All(referrals, r => Assert.Equal((ReferralStatus.InService, 1), (r.Status, r.Deliveries.Count)));
        Assert.Equal(2, await _app.InTenant(_tenant, (_, db) => db.DeliveryYears.SumAsync(y => y.Nov)));

        // Another organization's referral in the list: nothing is written.
        var smile = await _app.SignedInAsync("smile@closed.test");
        var foreign = await SendAsync(coordinator, _student, _need, _serviceB);
        Assert.Equal(HttpStatusCode.Redirect, (await ActAsync(smile, foreign, "Accept", [])).StatusCode);
        var token = page.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        var mixed = await provider.PostAsync("/Provider/Attendance", new FormUrlEncodedContent(
        [
            new("__RequestVerificationToken", token), new("serviceId", _serviceA.ToString()), new("deliveredOn", await LocalTodayAsync()),
            new("amount", "1"), new("referralIds", one.ToString()), new("referralIds", foreign.ToString()),
        ]));
        Assert.Equal(HttpStatusCode.OK, mixed.StatusCode);
        Assert.Equal(2, await _app.InTenant(_tenant, (_, db) => db.ServiceDeliveries.CountAsync()));
    }

    [Fact]
    public async Task A_wrong_delivery_is_corrected_or_removed_with_a_reason_and_the_cabinet_follows()
    {
        var coordinator = await _app.SignedInAsync("coord@closed.test");
        var provider = await _app.SignedInAsync("eyes@closed.test");
        var id = await InServiceAsync(provider, await SendAsync(coordinator, _student, _need, _serviceA)); // 3 November
        _app.Time.Advance(TimeSpan.FromDays(30));
        provider = await _app.SignedInAsync("eyes@closed.test"); // a month later: a new session
        Assert.Equal(HttpStatusCode.Redirect, (await ActAsync(provider, id, "Deliver", new() { ["deliveredOn"] = await LocalTodayAsync(), ["amount"] = "3" })).StatusCode);
        var deliveries = await _app.InTenant(_tenant, (_, db) => db.ServiceDeliveries.OrderBy(d => d.Id).Select(d => d.Id).ToListAsync());
        Task<DeliveryYear> RollupAsync() => _app.InTenant(_tenant, (_, db) => db.DeliveryYears.SingleAsync());
        Assert.Equal((1, 1), ((await RollupAsync()).Nov, (await RollupAsync()).Dec));

        var noReason = await provider.SubmitFormAsync($"/Provider/Referrals/{id}", [], formSelector: $"form[action*='deliveryId={deliveries[1]}']", buttonSelector: "button[name=remove]");
        Assert.Contains("Say why", await noReason.Content.ReadAsStringAsync());
        var removed = await provider.SubmitFormAsync($"/Provider/Referrals/{id}", new() { ["reason"] = "Recorded twice" },
            formSelector: $"form[action*='deliveryId={deliveries[1]}']", buttonSelector: "button[name=remove]");
        Assert.Equal(HttpStatusCode.Redirect, removed.StatusCode);
        Assert.Equal((1, 0), ((await RollupAsync()).Nov, (await RollupAsync()).Dec));

        // A date in the future is refused; a real correction moves the cabinet's month.
        var future = await provider.SubmitFormAsync($"/Provider/Referrals/{id}", new() { ["deliveredOn"] = "2027-01-20", ["reason"] = "Wrong date" },
            formSelector: $"form[action*='deliveryId={deliveries[0]}']");
        Assert.Contains("cannot be in the future", await future.Content.ReadAsStringAsync());
        var corrected = await provider.SubmitFormAsync($"/Provider/Referrals/{id}", new() { ["deliveredOn"] = "2026-12-01", ["reason"] = "Wrong date" },
            formSelector: $"form[action*='deliveryId={deliveries[0]}']");
        Assert.Equal(HttpStatusCode.Redirect, corrected.StatusCode);
        Assert.Equal((0, 1), ((await RollupAsync()).Nov, (await RollupAsync()).Dec));
        var referral = await _app.InTenant(_tenant, (_, db) => db.Referrals.Include(r => r.Events).SingleAsync(r => r.Id == id));
        Assert.Equal(new DateOnly(2026, 12, 1), referral.FirstServiceOn);
        Assert.Equal(28, referral.DaysToFirstService);
        Assert.Contains(referral.Events, e => e.Note?.Contains("removed: Recorded twice") == true);
        Assert.Contains(referral.Events, e => e.Note?.Contains("corrected to 2026-12-01") == true);
    }

    [Fact]
    public async Task Flags_are_dismissed_in_bulk_with_one_reason_and_only_ones_own()
    {
        _app.Time.Advance(TimeSpan.FromDays(20));
        await NightlyCheckAsync();
        var flags = await OpenFlagsAsync();
        Assert.Equal(2, flags.Count(f => f.Kind == FlagKind.UnmetNeed));
        var coordinator = await _app.SignedInAsync("coord@closed.test");
        var noReason = await coordinator.SubmitFormAsync("/Home/Coordinator", [], formSelector: "form[action*='handler=Dismiss']", check: ["flagIds"]);
        Assert.Contains("Say why you dismiss", await noReason.Content.ReadAsStringAsync());
        var dismissed = await coordinator.SubmitFormAsync("/Home/Coordinator", new() { ["reason"] = "Handled at the parent meeting" }, formSelector: "form[action*='handler=Dismiss']", check: ["flagIds"]);
        Assert.Equal(HttpStatusCode.Redirect, dismissed.StatusCode);
        Assert.All(await OpenFlagsAsync(), f => Assert.Equal("Handled at the parent meeting", f.DismissReason));

        // Another school's coordinator cannot dismiss them (nothing changes, and nothing says they exist).
        await _app.InTenant(_tenant, async (_, db) => { await db.Flags.ExecuteUpdateAsync(u => u.SetProperty(f => f.DismissedAt, (DateTime?)null)); });
        var far = await _app.SignedInAsync("far@closed.test");
        var farHome = await far.GetDocumentAsync("/Home/Coordinator");
        Assert.Empty(farHome.QuerySelectorAll("input[name=flagIds]"));
        var token = farHome.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        var forced = await far.PostAsync("/Home/Coordinator?handler=Dismiss", new FormUrlEncodedContent(
            flags.Select(f => new KeyValuePair<string, string>("flagIds", f.Id.ToString())).Append(new("reason", "not mine")).Append(new("__RequestVerificationToken", token))));
        Assert.Equal(HttpStatusCode.OK, forced.StatusCode);
        Assert.All(await OpenFlagsAsync(), f => Assert.Null(f.DismissedAt));
    }

    [Fact]
    public async Task The_provider_api_speaks_the_outcome_vocabulary_and_keeps_capacity_true()
    {
        var coordinator = await _app.SignedInAsync("coord@closed.test");
        var id = await SendAsync(coordinator, _student, _need, _serviceA);
        var provider = await _app.SignedInAsync("eyes@closed.test");
        var wrong = await provider.PostAsJsonAsync($"/api/v1/referrals/{id}/decline", new { outcome = "GotHelp" });
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        Assert.Contains("outcome", (await wrong.Content.ReadAsStringAsync()).ToLowerInvariant());
        var declined = await provider.PostAsJsonAsync($"/api/v1/referrals/{id}/decline", new { outcome = "NoCapacity" });
        Assert.Equal(HttpStatusCode.OK, declined.StatusCode);
        Assert.Contains("\"outcome\":\"NoCapacity\"", await declined.Content.ReadAsStringAsync());

        var services = await provider.GetStringAsync("/api/v1/services");
        Assert.Contains("\"full\":true", services);
        Assert.Equal(HttpStatusCode.BadRequest, (await provider.PutAsJsonAsync($"/api/v1/services/{_serviceA}/capacity", new { openPlaces = -1 })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await provider.PutAsJsonAsync($"/api/v1/services/{_serviceB}/capacity", new { openPlaces = 3 })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await provider.PutAsJsonAsync($"/api/v1/services/{_serviceA}/capacity", new { openPlaces = 5, hasWaitlist = true })).StatusCode);
        var service = await _app.InTenant(_tenant, (_, db) => db.Services.SingleAsync(s => s.Id == _serviceA));
        Assert.Equal((5, true), (service.Capacity, service.HasWaitlist));
        Assert.Equal(2, await _app.InTenant(_tenant, (_, db) => db.Services.Where(s => s.Id == _serviceB).Select(s => s.Capacity).SingleAsync()));

        // Full with a waitlist: Find a service says so.
        Assert.Equal(HttpStatusCode.OK, (await provider.PutAsJsonAsync($"/api/v1/services/{_serviceA}/capacity", new { openPlaces = 0, hasWaitlist = true })).StatusCode);
        var matches = await coordinator.GetDocumentAsync($"/Students/{_classmate}/Needs/{_classmateNeed}/Refer");
        var glasses = matches.QuerySelectorAll("ol.matches > li").Single(li => li.TextContent.Contains("Glasses"));
        Assert.Contains("takes referrals onto its waitlist", glasses.TextContent);
    }
}
