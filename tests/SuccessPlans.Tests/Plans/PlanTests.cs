using System.Net;
using Microsoft.EntityFrameworkCore;
using SuccessPlans.Features.Directory;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Students;
using SuccessPlans.Features.Users;
using SuccessPlans.Tests.Infrastructure;

namespace SuccessPlans.Tests.Plans;

/// <summary>The coordinator's work: whole-class review, the plan, consent, history, and who may see what.</summary>
public class PlanTests : IAsyncLifetime
{
    private readonly AppFactory _app = new();
    private int _tenant, _schoolX, _schoolY, _org;
    private readonly List<int> _grade3 = [];
    private int _studentOfY, _studentOfOtherTenant;

    public async Task InitializeAsync()
    {
        _tenant = (await _app.CreateTenantAsync("plans")).Id;
        _schoolX = (await _app.CreateSchoolAsync(_tenant, "X School")).Id;
        _schoolY = (await _app.CreateSchoolAsync(_tenant, "Y School")).Id;
        await _app.InTenant(_tenant, async (_, db) =>
        {
            foreach (var (given, family) in new[] { ("Ava", "Adams"), ("Ben", "Brown"), ("Cy", "Clark") })
                db.Students.Add(new Student { GivenName = given, FamilyName = family, SchoolId = _schoolX, Grade = "03", GuardianName = $"Parent {family}" });
            db.Students.Add(new Student { GivenName = "Dee", FamilyName = "Dunn", SchoolId = _schoolY, Grade = "03" });
            var org = new ProviderOrganization { Name = "Bright Eyes" };
            db.ProviderOrganizations.Add(org);
            await db.SaveChangesAsync();
            _org = org.Id;
        });
        _grade3.AddRange(await _app.InTenant(_tenant, (_, db) => db.Students.Where(s => s.SchoolId == _schoolX).OrderBy(s => s.FamilyName).Select(s => s.Id).ToListAsync()));
        _studentOfY = await _app.InTenant(_tenant, (_, db) => db.Students.Where(s => s.SchoolId == _schoolY).Select(s => s.Id).SingleAsync());
        await _app.CreateUserAsync(_tenant, "coord.x@plans.test", UserRole.Coordinator, [_schoolX]);
        await _app.CreateUserAsync(_tenant, "coord.x2@plans.test", UserRole.Coordinator, [_schoolX]);
        await _app.CreateUserAsync(_tenant, "cabinet@plans.test", UserRole.Cabinet);
        await _app.CreateUserAsync(_tenant, "provider@plans.test", UserRole.Provider, organizationId: _org);

        var other = (await _app.CreateTenantAsync("plans-other")).Id;
        var otherSchool = await _app.CreateSchoolAsync(other, "Other School");
        _studentOfOtherTenant = await _app.InTenant(other, async (_, db) =>
        {
            var s = new Student { GivenName = "Eve", FamilyName = "Elsewhere", SchoolId = otherSchool.Id, Grade = "03" };
            db.Students.Add(s);
            await db.SaveChangesAsync();
            return s.Id;
        });
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private Task<SuccessPlan?> PlanOf(int studentId) =>
        _app.InTenant(_tenant, (_, db) => db.Plans.Include(p => p.Items).AsNoTracking().SingleOrDefaultAsync(p => p.StudentId == studentId));

    private static string Walk(int school) => $"/Review/Walk?school={school}&grade=03";

    [Fact]
    public async Task A_coordinator_walks_a_grade_setting_tiers_and_needs_in_two_domains()
    {
        var c = await _app.SignedInAsync("coord.x@plans.test");
        var first = await c.GetDocumentAsync(Walk(_schoolX));
        Assert.Contains("student 1 of 3", first.QuerySelector(".progress")!.TextContent);
        Assert.Contains("0 of 3 reviewed", first.QuerySelector(".progress")!.TextContent);
        Assert.Equal("Ava Adams", first.QuerySelector("h1")!.TextContent.Trim());

        var saved = await c.SubmitFormAsync(Walk(_schoolX), new()
        {
            ["Tier"] = "3",
            ["Items[0].Kind"] = "Strength", ["Items[0].Description"] = "Loves reading",
            ["Items[1].Kind"] = "Need", ["Items[1].Description"] = "Anxious at recess", ["Items[1].Goal"] = "Joins a lunch group",
            ["Items[2].Kind"] = "Need", ["Items[2].Description"] = "Needs glasses",
        });
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        Assert.Contains("i=1", saved.Location());

        var plan = await PlanOf(_grade3[0]);
        Assert.NotNull(plan);
        Assert.Equal(3, plan.Tier);
        Assert.Equal(PlanStatus.Active, plan.Status);
        Assert.NotNull(plan.NextReviewDue); // tier 3: every six weeks
        Assert.Equal(3, plan.Items.Count);
        var needs = plan.Items.Where(i => i.Kind == PlanItemKind.Need).ToList();
        Assert.Equal([Domain.SocialEmotionalBehavioral, Domain.Health], needs.Select(n => n.Domain).Order());
        Assert.All(needs, n => Assert.Equal(NeedStatus.Open, n.Status));

        var second = await c.GetDocumentAsync(saved.Location());
        Assert.Equal("Ben Brown", second.QuerySelector("h1")!.TextContent.Trim());
        Assert.Contains("1 of 3 reviewed", second.QuerySelector(".progress")!.TextContent);

        // The history says who did what.
        var history = (await c.GetDocumentAsync($"/Students/{_grade3[0]}")).QuerySelector("#history")!.ParentElement!.TextContent;
        Assert.Contains("need added: Health: Needs glasses", history);
        Assert.Contains("tier set: Tier 3", history);
        Assert.Contains("coord.x", history);
    }

    [Fact]
    public async Task The_walk_counts_this_terms_reviews_only_and_starts_a_child_without_a_plan_on_their_last_tier()
    {
        // Ben was reviewed last school year (tier 2) and has no plan this year; Cy was reviewed this term (tier 3).
        var today = await _app.InTenant(_tenant, (sp, _) => sp.GetRequiredService<PlanService>().TodayAsync());
        var (year, term) = (SchoolYears.For(today), SchoolYears.TermFor(today));
        await _app.InTenant(_tenant, async (_, db) =>
        {
            db.Reviews.Add(new Review { StudentId = _grade3[1], SchoolYear = year - 1, Term = term, Tier = 2, ReviewerName = "last year", ReviewedOn = today.AddYears(-1) });
            db.Reviews.Add(new Review { StudentId = _grade3[2], SchoolYear = year, Term = term, Tier = 3, ReviewerName = "this term", ReviewedOn = today });
            await db.SaveChangesAsync();
        });
        var c = await _app.SignedInAsync("coord.x@plans.test");
        string? Checked(AngleSharp.Dom.IDocument page) => page.QuerySelector("input[name=Tier][checked]")?.GetAttribute("value");

        AngleSharp.Dom.IDocument ava;
        using (var sql = SqlLog.OfDatabase(_app.Root))
        {
            ava = await c.GetDocumentAsync(Walk(_schoolX));
            // The list and this term's progress in one query: no second one sent every id of the walk back as a list.
            var reviews = sql.Commands.Where(q => q.Contains("\"Reviews\"", StringComparison.Ordinal)).ToList();
            Assert.DoesNotContain(reviews, q => q.Contains("COUNT(", StringComparison.Ordinal));
            Assert.Equal(2, reviews.Count); // the list with its EXISTS, and Ava's last tier (she has no plan)
        }
        Assert.Contains("1 of 3 reviewed", ava.QuerySelector(".progress")!.TextContent);
        Assert.DoesNotContain("reviewed this term", ava.QuerySelector("h1")!.TextContent);
        Assert.Null(Checked(ava));

        var ben = await c.GetDocumentAsync(Walk(_schoolX) + "&i=1");
        Assert.Equal("Ben Brown", ben.QuerySelector("h1")!.TextContent.Trim());
        Assert.DoesNotContain("reviewed this term", ben.QuerySelector("h1")!.TextContent);
        Assert.Equal("2", Checked(ben));

        var cy = await c.GetDocumentAsync(Walk(_schoolX) + "&i=2");
        Assert.Equal("Cy Clark (reviewed this term)", System.Text.RegularExpressions.Regex.Replace(cy.QuerySelector("h1")!.TextContent, @"\s+", " ").Trim());
        Assert.Equal("3", Checked(cy));
    }

    /// <summary>
    /// The walk's children and progress are kept between screens (TenantReadCache), read again only after a write to
    /// what they come from: a review saved here or elsewhere, a child who leaves, and each shows on the next screen.
    /// </summary>
    [Fact]
    public async Task The_walks_kept_list_is_read_once_and_every_change_to_it_shows_on_the_next_screen()
    {
        var c = await _app.SignedInAsync("coord.x@plans.test");
        await c.GetDocumentAsync(Walk(_schoolX));
        using (var sql = SqlLog.OfDatabase(_app.Root))
        {
            var again = await c.GetDocumentAsync(Walk(_schoolX) + "&i=1");
            Assert.Contains("0 of 3 reviewed", again.QuerySelector(".progress")!.TextContent);
            // Ben's own last tier is still read; the list with its EXISTS is not.
            Assert.DoesNotContain(sql.Commands, q => q.Contains("EXISTS", StringComparison.Ordinal) && q.Contains("\"Reviews\"", StringComparison.Ordinal));
        }

        // Saved on this screen.
        await c.SubmitFormAsync(Walk(_schoolX), new() { ["Tier"] = "1" });
        Assert.Contains("1 of 3 reviewed", (await c.GetDocumentAsync(Walk(_schoolX))).QuerySelector(".progress")!.TextContent);

        // Saved by another way (the API, an import): any write to the reviews.
        var today = await _app.InTenant(_tenant, (sp, _) => sp.GetRequiredService<PlanService>().TodayAsync());
        await _app.InTenant(_tenant, async (_, db) =>
        {
            db.Reviews.Add(new Review { StudentId = _grade3[2], SchoolYear = SchoolYears.For(today), Term = SchoolYears.TermFor(today), Tier = 3, ReviewerName = "elsewhere", ReviewedOn = today });
            await db.SaveChangesAsync();
        });
        Assert.Contains("2 of 3 reviewed", (await c.GetDocumentAsync(Walk(_schoolX))).QuerySelector(".progress")!.TextContent);

        // A child who leaves the school leaves the walk.
        await _app.InTenant(_tenant, async (_, db) =>
        {
            (await db.Students.SingleAsync(s => s.Id == _grade3[1])).Status = StudentStatus.Withdrawn;
            await db.SaveChangesAsync();
        });
        Assert.Contains("2 of 2 reviewed", (await c.GetDocumentAsync(Walk(_schoolX))).QuerySelector(".progress")!.TextContent);
    }

    [Fact]
    public async Task A_typed_row_whose_kind_was_not_chosen_is_refused_never_filed_as_a_strength()
    {
        var c = await _app.SignedInAsync("coord.x@plans.test");
        var form = await c.GetDocumentAsync(Walk(_schoolX));
        // The four domain rows start on their domain, but no kind is chosen for the reviewer.
        Assert.All(Enumerable.Range(0, 4), i => Assert.Equal("", ((AngleSharp.Html.Dom.IHtmlSelectElement)form.QuerySelector($"select[name='Items[{i}].Kind']")!).Value));

        var refused = await c.SubmitFormAsync(Walk(_schoolX), new() { ["Tier"] = "2", ["Items[0].Description"] = "Reads two grades below" });
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        Assert.Contains("Choose strength, need or interest.", (await Forms.ParseAsync(refused)).QuerySelector(".review-items")!.TextContent);
        Assert.Null(await PlanOf(_grade3[0]));

        // Untouched rows are skipped; the one typed and chosen is filed as what was chosen.
        var saved = await c.SubmitFormAsync(Walk(_schoolX), new() { ["Tier"] = "2", ["Items[0].Kind"] = "Need", ["Items[0].Description"] = "Reads two grades below" });
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        var item = Assert.Single((await PlanOf(_grade3[0]))!.Items);
        Assert.Equal((Domain.Academic, PlanItemKind.Need), (item.Domain, item.Kind));
    }

    [Fact]
    public async Task A_teachers_class_can_be_walked_instead_of_a_grade()
    {
        var classId = await _app.InTenant(_tenant, async (_, db) =>
        {
            var c = new SuccessPlans.Features.Schools.SchoolClass
            {
                SchoolId = _schoolX, ExternalId = "homeroom-3b", Title = "Grade 3 · Room B", TeacherName = "Ms. Rivera",
                Enrollments = [new() { StudentId = _grade3[1] }, new() { StudentId = _grade3[2] }],
            };
            db.Classes.Add(c);
            await db.SaveChangesAsync();
            return c.Id;
        });
        var c = await _app.SignedInAsync("coord.x@plans.test");
        var index = await c.GetDocumentAsync("/Review");
        Assert.Contains("Ms. Rivera", index.Body!.TextContent);
        var walk = await c.GetDocumentAsync($"/Review/Walk?class={classId}");
        Assert.Contains("Grade 3 · Room B (Ms. Rivera) · student 1 of 2", walk.QuerySelector(".progress")!.TextContent);
        Assert.Equal("Ben Brown", walk.QuerySelector("h1")!.TextContent.Trim());
        var saved = await c.SubmitFormAsync($"/Review/Walk?class={classId}", new() { ["Tier"] = "1" });
        Assert.Contains($"class={classId}", saved.Location());
        var next = await c.GetDocumentAsync(saved.Location());
        Assert.Equal("Cy Clark", next.QuerySelector("h1")!.TextContent.Trim());
    }

    [Fact]
    public async Task A_review_without_a_tier_or_with_an_unknown_domain_is_refused_and_saves_nothing()
    {
        var c = await _app.SignedInAsync("coord.x@plans.test");
        var noTier = await c.SubmitFormAsync(Walk(_schoolX), new() { ["Items[0].Description"] = "Kind to others" });
        Assert.Contains("Choose tier 1, 2 or 3.", await noTier.Content.ReadAsStringAsync());

        var page = await c.GetDocumentAsync(Walk(_schoolX));
        var form = new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = page.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!,
            ["StudentId"] = _grade3[0].ToString(), ["School"] = _schoolX.ToString(), ["Grade"] = "03", ["Tier"] = "2",
            ["Items[0].Domain"] = "Astrology", ["Items[0].Kind"] = "Need", ["Items[0].Description"] = "Something",
        };
        var unknown = await c.PostAsync(Walk(_schoolX), new FormUrlEncodedContent(form));
        Assert.Equal(HttpStatusCode.OK, unknown.StatusCode);
        Assert.Contains("Choose a domain", await unknown.Content.ReadAsStringAsync());
        Assert.Null(await PlanOf(_grade3[0]));
    }

    [Fact]
    public async Task Two_coordinators_saving_the_same_plan_the_second_is_told_and_sees_the_current_version()
    {
        var one = await _app.SignedInAsync("coord.x@plans.test");
        var two = await _app.SignedInAsync("coord.x2@plans.test");
        await one.SubmitFormAsync(Walk(_schoolX), new() { ["Tier"] = "1", ["Items[0].Kind"] = "Strength", ["Items[0].Description"] = "Curious" });
        var studentPage = $"/Students/{_grade3[0]}";
        var stale = await two.GetDocumentAsync(studentPage);

        Assert.Equal(HttpStatusCode.Redirect, (await one.SubmitFormAsync(studentPage,
            new() { ["NewItem.Domain"] = "Family", ["NewItem.Kind"] = "Need", ["NewItem.Description"] = "Housing is unstable" },
            formSelector: "form[action*='handler=AddItem']")).StatusCode);

        var form = new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = stale.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!,
            ["PlanVersion"] = stale.QuerySelector("form[action*='handler=AddItem'] input[name=PlanVersion]")!.GetAttribute("value")!,
            ["NewItem.Domain"] = "Health", ["NewItem.Kind"] = "Need", ["NewItem.Description"] = "Dental pain",
        };
        var second = await two.PostAsync($"{studentPage}?handler=AddItem", new FormUrlEncodedContent(form));
        var html = WebUtility.HtmlDecode(await second.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Contains("Someone else changed this plan", html);
        Assert.Contains("Housing is unstable", html);
        var plan = await PlanOf(_grade3[0]);
        Assert.DoesNotContain(plan!.Items, i => i.Description == "Dental pain");
    }

    [Fact]
    public async Task Needs_change_status_the_next_review_cannot_be_in_the_past_and_a_plan_closes()
    {
        var c = await _app.SignedInAsync("coord.x@plans.test");
        await c.SubmitFormAsync(Walk(_schoolX), new() { ["Tier"] = "2", ["Items[0].Kind"] = "Need", ["Items[0].Description"] = "Reading below grade" });
        var page = $"/Students/{_grade3[0]}";
        var need = (await PlanOf(_grade3[0]))!.Items.Single();

        var met = await c.SubmitFormAsync(page, new() { ["status"] = "Met" }, formSelector: $"form[action*='itemId={need.Id}'][action*='handler=Need']");
        Assert.Equal(HttpStatusCode.Redirect, met.StatusCode);
        Assert.Equal(NeedStatus.Met, (await PlanOf(_grade3[0]))!.Items.Single().Status);

        var past = await c.SubmitFormAsync(page, new() { ["nextReviewDue"] = "2001-01-01" }, formSelector: "form[action*='handler=NextReview']");
        Assert.Contains("cannot be in the past", await past.Content.ReadAsStringAsync());

        var future = DateOnly.FromDateTime(_app.Time.GetUtcNow().UtcDateTime.AddDays(30)).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(HttpStatusCode.Redirect, (await c.SubmitFormAsync(page, new() { ["nextReviewDue"] = future }, formSelector: "form[action*='handler=NextReview']")).StatusCode);

        Assert.Equal(HttpStatusCode.Redirect, (await c.SubmitFormAsync(page, [], formSelector: "form[action*='handler=Close']")).StatusCode);
        var closed = await PlanOf(_grade3[0]);
        Assert.Equal(PlanStatus.Closed, closed!.Status);
        Assert.Equal(DateOnly.Parse(future, System.Globalization.CultureInfo.InvariantCulture), closed.NextReviewDue);
        Assert.Empty((await c.GetDocumentAsync(page)).QuerySelectorAll("form[action*='handler=AddItem']"));
    }

    [Fact]
    public async Task An_empty_need_is_refused_on_the_student_page()
    {
        var c = await _app.SignedInAsync("coord.x@plans.test");
        await c.SubmitFormAsync(Walk(_schoolX), new() { ["Tier"] = "1" });
        var empty = await c.SubmitFormAsync($"/Students/{_grade3[0]}", new() { ["NewItem.Domain"] = "Health", ["NewItem.Kind"] = "Need", ["NewItem.Description"] = "  " },
            formSelector: "form[action*='handler=AddItem']");
        Assert.Contains("Describe the strength, need or interest.", await empty.Content.ReadAsStringAsync());
        Assert.Empty((await PlanOf(_grade3[0]))!.Items);
    }

    /// <summary>The add form is plain HTML (no asp-for): refused, it comes back with what was sent, chosen and typed.</summary>
    [Fact]
    public async Task A_refused_addition_comes_back_with_what_was_sent()
    {
        var c = await _app.SignedInAsync("coord.x@plans.test");
        await c.SubmitFormAsync(Walk(_schoolX), new() { ["Tier"] = "1" });
        var refused = await c.SubmitFormAsync($"/Students/{_grade3[0]}",
            new() { ["NewItem.Kind"] = "Need", ["NewItem.Priority"] = "High", ["NewItem.Description"] = "Needs <glasses> & a check", ["NewItem.Goal"] = "Reads the board" },
            formSelector: "form[action*='handler=AddItem']");
        Assert.Equal(HttpStatusCode.OK, refused.StatusCode);
        var page = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(await refused.Content.ReadAsStringAsync());
        Assert.NotNull(page.QuerySelector(".errors"));
        Assert.Equal("", page.QuerySelector("#NewItem_Domain option[selected]")?.GetAttribute("value") ?? "");
        Assert.Equal("Need", page.QuerySelector("#NewItem_Kind option[selected]")!.GetAttribute("value"));
        Assert.Equal("High", page.QuerySelector("#NewItem_Priority option[selected]")!.GetAttribute("value"));
        Assert.Equal("Needs <glasses> & a check", page.QuerySelector("#NewItem_Description")!.GetAttribute("value"));
        Assert.Equal("Reads the board", page.QuerySelector("#NewItem_Goal")!.GetAttribute("value"));
        Assert.Equal("Priority (for a need)", page.QuerySelector("label[for=NewItem_Priority]")!.TextContent);
        Assert.Empty((await PlanOf(_grade3[0]))!.Items);

        // A new form: the priority a need usually has, nothing typed.
        var fresh = await c.GetDocumentAsync($"/Students/{_grade3[0]}");
        Assert.Equal("Medium", fresh.QuerySelector("#NewItem_Priority option[selected]")!.GetAttribute("value"));
        Assert.Empty(fresh.QuerySelectorAll("#NewItem_Kind option[selected]"));
    }

    [Fact]
    public async Task A_withdrawn_students_plan_cannot_change()
    {
        var c = await _app.SignedInAsync("coord.x@plans.test");
        await c.SubmitFormAsync(Walk(_schoolX), new() { ["Tier"] = "1" });
        var page = await c.GetDocumentAsync($"/Students/{_grade3[0]}");
        await _app.InTenant(_tenant, async (_, db) =>
        {
            (await db.Students.SingleAsync(s => s.Id == _grade3[0])).Status = StudentStatus.Withdrawn;
            await db.SaveChangesAsync();
        });
        var form = new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = page.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!,
            ["PlanVersion"] = page.QuerySelector("form[action*='handler=AddItem'] input[name=PlanVersion]")!.GetAttribute("value")!,
            ["NewItem.Domain"] = "Health", ["NewItem.Kind"] = "Need", ["NewItem.Description"] = "Dental pain",
        };
        var response = await c.PostAsync($"/Students/{_grade3[0]}?handler=AddItem", new FormUrlEncodedContent(form));
        Assert.Contains("has withdrawn", await response.Content.ReadAsStringAsync());
        Assert.Empty((await PlanOf(_grade3[0]))!.Items);
    }

    [Fact]
    public async Task Consent_is_recorded_shown_in_force_and_revoked()
    {
        var c = await _app.SignedInAsync("coord.x@plans.test");
        var page = $"/Students/{_grade3[1]}";
        Assert.Contains("No consent in force", await (await c.GetAsync(page)).Content.ReadAsStringAsync());

        var bad = await c.SubmitFormAsync($"{page}/Consent", new() { ["Input.GivenOn"] = "2099-01-01" });
        Assert.Contains("cannot be in the future", await bad.Content.ReadAsStringAsync());

        var today = DateOnly.FromDateTime(_app.Time.GetUtcNow().UtcDateTime.AddDays(-1)).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var recorded = await c.SubmitFormAsync($"{page}/Consent", new() { ["Input.GuardianName"] = "Pat Brown", ["Input.GivenOn"] = today },
            check: [$"Input.OrganizationIds={_org}"]);
        Assert.Equal(page, recorded.Location());
        var html = WebUtility.HtmlDecode(await (await c.GetAsync(page)).Content.ReadAsStringAsync());
        Assert.DoesNotContain("No consent in force", html);
        Assert.Contains("sharing with Bright Eyes", html);
        Assert.Contains("in force", html);
        var consent = await _app.InTenant(_tenant, (_, db) => db.Consents.Include(x => x.Organizations).SingleAsync(x => x.StudentId == _grade3[1]));
        Assert.True(consent.AllowsSharingWith(_org, DateOnly.Parse(today, System.Globalization.CultureInfo.InvariantCulture)));

        var revoked = await c.SubmitFormAsync(page, new() { ["reason"] = "Family moved" }, formSelector: "form[action*='handler=RevokeConsent']");
        Assert.Equal(HttpStatusCode.Redirect, revoked.StatusCode);
        var after = WebUtility.HtmlDecode(await (await c.GetAsync(page)).Content.ReadAsStringAsync());
        Assert.Contains("No consent in force", after);
        Assert.Contains("consent revoked", after);
    }

    [Fact]
    public async Task The_caseload_filters_searches_and_sorts_within_the_coordinators_schools()
    {
        var c = await _app.SignedInAsync("coord.x@plans.test");
        await c.SubmitFormAsync(Walk(_schoolX), new() { ["Tier"] = "3", ["Items[0].Kind"] = "Need", ["Items[0].Description"] = "Needs glasses" });

        static string[] Names(AngleSharp.Html.Dom.IHtmlDocument d) => d.QuerySelectorAll("tbody tr td:first-child a").Select(a => a.TextContent).ToArray();
        Assert.Equal(["Adams, Ava", "Brown, Ben", "Clark, Cy"], Names(await c.GetDocumentAsync("/Students")));
        Assert.Equal(["Adams, Ava"], Names(await c.GetDocumentAsync("/Students?tier=3")));
        Assert.Equal(["Adams, Ava"], Names(await c.GetDocumentAsync("/Students?openNeeds=true")));
        Assert.Equal(["Brown, Ben", "Clark, Cy"], Names(await c.GetDocumentAsync("/Students?plan=none")));
        Assert.Equal(["Clark, Cy"], Names(await c.GetDocumentAsync("/Students?q=cla")));
        Assert.Empty(Names(await c.GetDocumentAsync("/Students?q=Dunn")));      // school Y: not theirs
        Assert.Empty(Names(await c.GetDocumentAsync("/Students?q=Elsewhere"))); // another tenant
        Assert.Empty(Names(await c.GetDocumentAsync($"/Students?school={_schoolY}")));
        Assert.Equal("Adams, Ava", Names(await c.GetDocumentAsync("/Students?sort=tier"))[0]);
    }

    [Fact]
    public async Task A_coordinator_reaches_no_student_outside_their_schools()
    {
        var c = await _app.SignedInAsync("coord.x@plans.test");
        foreach (var id in new[] { _studentOfY, _studentOfOtherTenant })
        {
            Assert.Equal(HttpStatusCode.NotFound, (await c.GetAsync($"/Students/{id}")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await c.GetAsync($"/Students/{id}/Consent")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await c.GetAsync($"/Review/Student/{id}")).StatusCode);
        }
        Assert.Equal(HttpStatusCode.NotFound, (await c.GetAsync(Walk(_schoolY))).StatusCode);
        var review = await (await c.GetAsync("/Review")).Content.ReadAsStringAsync();
        Assert.DoesNotContain("Y School", review);

        // Posting a review for a student of school Y through school X's walk changes nothing.
        var page = await c.GetDocumentAsync(Walk(_schoolX));
        var response = await c.PostAsync(Walk(_schoolX), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = page.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!,
            ["StudentId"] = _studentOfY.ToString(), ["School"] = _schoolX.ToString(), ["Grade"] = "03", ["Tier"] = "3",
        }));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Null(await PlanOf(_studentOfY));
    }

    [Theory]
    [InlineData("cabinet@plans.test")]
    [InlineData("provider@plans.test")]
    public async Task Cabinet_and_providers_reach_no_student_page(string email)
    {
        var client = await _app.SignedInAsync(email);
        foreach (var url in new[] { "/Students", $"/Students/{_grade3[0]}", $"/Students/{_grade3[0]}/Consent", "/Review", Walk(_schoolX) })
        {
            var response = await client.GetAsync(url);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.StartsWith("https://localhost/Account/AccessDenied", response.Location());
        }
    }
}
