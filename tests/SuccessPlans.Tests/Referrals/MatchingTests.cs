using System.Net;
using Microsoft.EntityFrameworkCore;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using SuccessPlans.Features.Directory;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Students;
using SuccessPlans.Features.Users;
using SuccessPlans.Tests.Infrastructure;

namespace SuccessPlans.Tests.Referrals;

/// <summary>
/// Find a service: the home language ranks and labels a service instead of hiding it, a keyword searches the
/// directory, each filter can be switched, full services sink, and every result says why it is there.
/// </summary>
public class MatchingTests : IAsyncLifetime
{
    private readonly AppFactory _app = new();
    private int _tenant, _otherTenant, _school, _otherSchool, _ana, _anaNeed;

    public async Task InitializeAsync()
    {
        _tenant = (await _app.CreateTenantAsync("match")).Id;
        _school = (await _app.CreateSchoolAsync(_tenant, "Harbor Middle")).Id;
        _otherSchool = (await _app.CreateSchoolAsync(_tenant, "Hill Elementary")).Id;
        var today = DateOnly.FromDateTime(_app.Time.GetUtcNow().UtcDateTime);
        await _app.InTenant(_tenant, async (_, db) =>
        {
            var harbor = new ProviderOrganization { Name = "Harbor Learning" };
            var bay = new ProviderOrganization { Name = "Bay Tutors" };
            var library = new ProviderOrganization { Name = "City Library" };
            var speech = new ProviderOrganization { Name = "Speech Partners" };
            var north = new ProviderOrganization { Name = "Northside Center" };
            db.ProviderOrganizations.AddRange(harbor, bay, library, speech, north);
            db.Services.AddRange(
                new Service { Name = "After-school tutoring", Description = "Small-group reading and math tutoring twice a week.", Organization = harbor, Domain = Domain.Academic, Capacity = 3, Languages = "en pt", MinimumAge = 10, MaximumAge = 14 },
                new Service { Name = "Tutoring", Description = "One-to-one sessions with a volunteer.", Organization = bay, Domain = Domain.Academic, Capacity = 5, Languages = "en", MinimumAge = 6, MaximumAge = 14 },
                new Service { Name = "Homework help", Description = "Free math help after school.", Organization = library, Domain = Domain.Academic, Languages = "en" },
                new Service { Name = "Speech and language therapy", Description = "Assessment and weekly therapy sessions.", Organization = speech, Domain = Domain.Academic, Capacity = 12, Languages = "en es pt", MinimumAge = 3, MaximumAge = 14 },
                new Service { Name = "Reading club", Description = "Books and snacks on Fridays.", Organization = harbor, Domain = Domain.Academic, Capacity = 0, Languages = "en pt" },
                new Service { Name = "Study hall", Description = "A quiet room with a teacher on hand.", Organization = north, Domain = Domain.Academic, Capacity = 2, Languages = "en",
                    Terms = [new ServiceTerm { TermHsdsId = "term-numeracy", Code = "LH-1234", Name = "Numeracy", Taxonomy = "211 LA" }] },
                new Service { Name = "Teen tutoring", Description = "Exam preparation.", Organization = bay, Domain = Domain.Academic, Capacity = 4, Languages = "en", MinimumAge = 15, MaximumAge = 18 },
                new Service { Name = "Eye exams", Description = "Glasses at school.", Organization = speech, Domain = Domain.Health, Capacity = 6, Languages = "en pt" },
                new Service { Name = "Closed tutoring", Organization = bay, Domain = Domain.Academic, Capacity = 9, Languages = "pt", Status = "inactive" });
            var ana = new Student { GivenName = "Ana", FamilyName = "Costa", SchoolId = _school, Grade = "06", HomeLanguage = "pt", BirthDate = today.AddYears(-11).AddMonths(-6), GuardianName = "Rita Costa" };
            db.Students.Add(ana);
            var plan = new SuccessPlan { Student = ana, SchoolYear = SchoolYears.For(today), Tier = 2, Status = PlanStatus.Active };
            plan.Items.Add(new PlanItem { Domain = Domain.Academic, Kind = PlanItemKind.Need, Description = "Falling behind in math", Status = NeedStatus.Open, IdentifiedOn = today });
            db.Plans.Add(plan);
            await db.SaveChangesAsync();
            (_ana, _anaNeed) = (ana.Id, plan.Items[0].Id);
        });
        // Another partnership with a Portuguese tutoring service that must never show.
        _otherTenant = (await _app.CreateTenantAsync("elsewhere")).Id;
        await _app.InTenant(_otherTenant, async (_, db) =>
        {
            db.Services.Add(new Service { Name = "Tutoring elsewhere", Description = "math", Organization = new ProviderOrganization { Name = "Elsewhere Org" }, Domain = Domain.Academic, Capacity = 10, Languages = "pt" });
            await db.SaveChangesAsync();
        });
        await _app.CreateUserAsync(_tenant, "coord@match.test", UserRole.Coordinator, [_school]);
        await _app.CreateUserAsync(_tenant, "hill@match.test", UserRole.Coordinator, [_otherSchool]);
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private string ReferUrl => $"/Students/{_ana}/Needs/{_anaNeed}/Refer";

    private sealed record Row(string Name, string Text, bool Full, string[] Reasons);

    private static List<Row> Rows(IHtmlDocument page) =>
        page.QuerySelectorAll("ol.matches > li").Select(li => new Row(
            li.QuerySelector("h3 .service")!.TextContent.Trim(),
            WebUtility.HtmlDecode(li.TextContent),
            li.ClassList.Contains("full"),
            li.QuerySelectorAll("ul.reasons li").Select(r => r.TextContent.Trim()).ToArray())).ToList();

    private async Task<List<Row>> SearchAsync(HttpClient c, string query = "") => Rows(await c.GetDocumentAsync(ReferUrl + query));

    [Fact]
    public async Task A_Portuguese_speaking_childs_tutoring_need_lists_every_tutoring_service_Portuguese_speaking_first()
    {
        var c = await _app.SignedInAsync("coord@match.test");
        var rows = await SearchAsync(c);
        var names = rows.Select(r => r.Name).ToList();
        // Same domain, ages that fit, active: every one of them, whatever languages it is offered in.
        Assert.Equal(["Speech and language therapy", "After-school tutoring", "Tutoring", "Study hall", "Homework help", "Reading club"], names);
        // Portuguese-speaking services with room come first, and say so in words, not codes.
        Assert.Contains("speaks Portuguese", rows[0].Reasons);
        Assert.Contains("speaks Portuguese", rows[1].Reasons);
        Assert.Contains("English, Portuguese", rows[1].Text);
        Assert.DoesNotContain(rows[2].Reasons, r => r.Contains("Portuguese"));
        Assert.Contains("no Portuguese listed", rows[2].Text);
        Assert.Contains("English", rows[2].Text);
        // Why each one matched.
        Assert.Contains("same domain", rows[1].Reasons);
        Assert.Contains("ages 10–14 fit", rows[1].Reasons);
        Assert.Contains("3 open places", rows[1].Reasons);
    }

    [Fact]
    public async Task Full_services_come_last_and_say_so_and_unknown_capacity_sits_between()
    {
        var c = await _app.SignedInAsync("coord@match.test");
        var rows = await SearchAsync(c, "?filtered=1&domain=true&age=true");
        Assert.Equal("Reading club", rows[^1].Name);
        Assert.True(rows[^1].Full);
        Assert.Contains("full", rows[^1].Text);
        Assert.Single(rows, r => r.Full);
        // Among the services that do not speak Portuguese: open places before a service that does not say.
        var english = rows.Where(r => !r.Full && !r.Reasons.Contains("speaks Portuguese")).Select(r => r.Name).ToList();
        Assert.Equal(["Tutoring", "Study hall", "Homework help"], english);
        Assert.Contains("open places not given", rows.Single(r => r.Name == "Homework help").Text);
    }

    [Theory]
    [InlineData("tutoring", new[] { "After-school tutoring", "Tutoring" }, "keyword 'tutoring' in name")]
    [InlineData("MATH", new[] { "After-school tutoring", "Homework help" }, "keyword 'MATH' in description")]
    [InlineData("numeracy", new[] { "Study hall" }, "keyword 'numeracy' in taxonomy term 'Numeracy'")]
    [InlineData("bay", new[] { "Tutoring" }, "keyword 'bay' in organization name")]
    [InlineData("math  small-group", new[] { "After-school tutoring" }, "keyword 'small-group' in description")]
    public async Task A_keyword_searches_name_description_organization_and_taxonomy_terms(string keyword, string[] expected, string reason)
    {
        var c = await _app.SignedInAsync("coord@match.test");
        var rows = await SearchAsync(c, $"?q={Uri.EscapeDataString(keyword)}");
        Assert.Equal(expected.Order(), rows.Select(r => r.Name).Order());
        Assert.Contains(rows, r => r.Reasons.Contains(reason));
    }

    [Theory]
    [InlineData("domain", "Eye exams")]
    [InlineData("age", "Teen tutoring")]
    [InlineData("language", "Tutoring")]
    [InlineData("open", "Homework help")]
    public async Task Each_filter_switched_off_widens_the_results(string filter, string comesBack)
    {
        var c = await _app.SignedInAsync("coord@match.test");
        var narrowUrl = $"{ReferUrl}?filtered=1&{filter}=true";
        var wideUrl = $"{ReferUrl}?filtered=1";
        var narrow = Rows(await c.GetDocumentAsync(narrowUrl)).Select(r => r.Name).ToList();
        var wider = Rows(await c.GetDocumentAsync(wideUrl)).Select(r => r.Name).ToList();
        Assert.DoesNotContain(comesBack, narrow);
        Assert.Contains(comesBack, wider);
        Assert.Superset(narrow.ToHashSet(), wider.ToHashSet());
        // The form shows the filters as the address set them, so the address can be shared as it is.
        var page = await c.GetDocumentAsync(narrowUrl);
        foreach (var box in page.QuerySelectorAll("form[role=search] input[type=checkbox]").Cast<IHtmlInputElement>())
            Assert.Equal(box.Name == filter, box.IsChecked);
    }

    [Fact]
    public async Task With_every_filter_off_a_service_outside_the_domain_says_how_it_differs()
    {
        var c = await _app.SignedInAsync("coord@match.test");
        var rows = await SearchAsync(c, "?filtered=1");
        Assert.Contains(rows, r => r.Name == "Eye exams" && r.Text.Contains("another domain: Health"));
        Assert.Contains(rows, r => r.Name == "Teen tutoring" && r.Text.Contains("ages 15–18") && !r.Reasons.Any(x => x.Contains("fit")));
        // Same domain comes first even when the filter is off; inactive services never show.
        Assert.Equal("Eye exams", rows.Where(r => !r.Full).Last().Name);
        Assert.DoesNotContain(rows, r => r.Name == "Closed tutoring");
    }

    [Fact]
    public async Task The_search_form_is_a_labelled_GET_form_and_choosing_keeps_the_search()
    {
        var c = await _app.SignedInAsync("coord@match.test");
        var page = await c.GetDocumentAsync(ReferUrl + "?q=tutoring&filtered=1&domain=true");
        var form = (IHtmlFormElement)page.QuerySelector("form[role=search]")!;
        Assert.Equal("get", form.Method.ToLowerInvariant());
        foreach (var input in form.QuerySelectorAll("input:not([type=hidden])"))
            Assert.True(input.Id is { Length: > 0 } id && page.QuerySelector($"label[for='{id}']") is not null || input.Closest("label") is not null, $"unlabelled input {input.OuterHtml}");
        Assert.Equal("tutoring", ((IHtmlInputElement)page.QuerySelector("input[name=q]")!).Value);
        var choose = page.QuerySelectorAll("ol.matches a").First(a => a.TextContent.StartsWith("Choose"));
        var href = choose.GetAttribute("href")!;
        Assert.Contains("serviceId=", href);
        Assert.Contains("q=tutoring", href);
        var confirm = await c.GetDocumentAsync(href);
        var back = confirm.QuerySelectorAll("a").Single(a => a.TextContent.Contains("Choose another service")).GetAttribute("href")!;
        Assert.Contains("q=tutoring", back);
        Assert.DoesNotContain("serviceId", back);
    }

    [Fact]
    public async Task Another_tenants_services_never_appear()
    {
        var c = await _app.SignedInAsync("coord@match.test");
        foreach (var query in new[] { "", "?filtered=1", "?q=elsewhere&filtered=1", "?q=math&filtered=1&language=true" })
        {
            var page = await c.GetDocumentAsync(ReferUrl + query);
            Assert.DoesNotContain("elsewhere", page.QuerySelector("main")!.TextContent, StringComparison.OrdinalIgnoreCase);
        }
        Assert.Contains("0 services", (await c.GetDocumentAsync(ReferUrl + "?q=elsewhere&filtered=1")).Body!.TextContent);
        var otherId = await _app.InTenant(_otherTenant, (_, db) => db.Services.Where(s => s.Name == "Tutoring elsewhere").Select(s => s.Id).SingleAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await c.GetAsync($"{ReferUrl}?serviceId={otherId}")).StatusCode);
    }

    [Fact]
    public async Task A_coordinator_of_another_school_cannot_open_the_refer_page()
    {
        var c = await _app.SignedInAsync("hill@match.test");
        Assert.Equal(HttpStatusCode.NotFound, (await c.GetAsync(ReferUrl)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await c.GetAsync(ReferUrl + "?q=tutoring&filtered=1")).StatusCode);
    }

    [Theory]
    [InlineData("?domain=garbage&age=%00&language=1%3D1&open=true&open=false&filtered=maybe")]
    [InlineData("?serviceId=abc&q=%25%5F%5B%5D%27")]
    [InlineData("?q=%E2%80%8B%F0%9F%98%80&filtered=")]
    [InlineData("?serviceId=-1")]
    public async Task Bad_input_is_no_error(string query)
    {
        var c = await _app.SignedInAsync("coord@match.test");
        var response = await c.GetAsync(ReferUrl + query);
        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.NotFound, $"{query} answered {(int)response.StatusCode}");
    }

    [Fact]
    public async Task A_keyword_of_five_thousand_characters_is_no_error()
    {
        var c = await _app.SignedInAsync("coord@match.test");
        var response = await c.GetAsync(ReferUrl + "?q=" + new string('m', 5000));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var words = await c.GetAsync(ReferUrl + "?q=" + Uri.EscapeDataString(string.Join(' ', Enumerable.Repeat("math %", 900))));
        Assert.Equal(HttpStatusCode.OK, words.StatusCode);
    }

    [Fact]
    public async Task Without_a_birth_date_the_grade_gives_the_age_and_without_a_home_language_nothing_is_ranked_by_it()
    {
        var (student, need) = await _app.InTenant(_tenant, async (_, db) =>
        {
            var today = DateOnly.FromDateTime(_app.Time.GetUtcNow().UtcDateTime);
            var bea = new Student { GivenName = "Bea", FamilyName = "Nobirth", SchoolId = _school, Grade = "06" };
            var plan = new SuccessPlan { Student = bea, SchoolYear = SchoolYears.For(today), Tier = 1, Status = PlanStatus.Active };
            plan.Items.Add(new PlanItem { Domain = Domain.Academic, Kind = PlanItemKind.Need, Description = "Reading", Status = NeedStatus.Open, IdentifiedOn = today });
            db.Plans.Add(plan);
            await db.SaveChangesAsync();
            return (bea.Id, plan.Items[0].Id);
        });
        var c = await _app.SignedInAsync("coord@match.test");
        var page = await c.GetDocumentAsync($"/Students/{student}/Needs/{need}/Refer");
        var form = WebUtility.HtmlDecode(page.QuerySelector("form[role=search]")!.TextContent);
        Assert.Contains("about 11–12, from grade 6", form);
        Assert.Contains("the home language (not recorded)", form);
        var rows = Rows(page);
        Assert.DoesNotContain(rows, r => r.Name == "Teen tutoring");
        Assert.Contains("ages 10–14 fit", rows.Single(r => r.Name == "After-school tutoring").Reasons);
        Assert.DoesNotContain(rows, r => r.Text.Contains("speaks") || r.Text.Contains("listed"));
        // Open places first, by how many; full last.
        Assert.Equal(["Speech and language therapy", "Tutoring", "After-school tutoring", "Study hall", "Homework help", "Reading club"], rows.Select(r => r.Name));
    }

    [Theory]
    [InlineData("pt", "pt", "Portuguese")]
    [InlineData("PT-br", "pt", "Portuguese")]
    [InlineData("Portuguese", "pt", "Portuguese")]
    [InlineData("ht", "ht", "Haitian Creole")]
    [InlineData("%_", null, null)]
    [InlineData("  ", null, null)]
    [InlineData("Klingon language", null, null)]
    public void Home_languages_read_as_codes_or_english_names(string given, string? code, string? name)
    {
        var normalized = SuccessPlans.Features.Referrals.LanguageNames.Normalize(given);
        Assert.Equal(code, normalized);
        Assert.Equal(name, normalized is null ? null : SuccessPlans.Features.Referrals.LanguageNames.Name(normalized));
    }

    [Fact]
    public async Task Matching_is_one_query_for_the_services_and_one_for_the_terms_however_many_match()
    {
        await _app.InTenant(_tenant, async (_, db) =>
        {
            var org = await db.ProviderOrganizations.FirstAsync();
            for (var i = 0; i < 60; i++)
                db.Services.Add(new Service { Name = $"Math circle {i}", Organization = org, Domain = Domain.Academic, Capacity = i % 3, Languages = i % 2 == 0 ? "en pt" : "en",
                    Terms = [new ServiceTerm { TermHsdsId = $"t{i}", Name = "Mathematics" }], Locations = [new ServiceAtLocation { Location = new ServiceLocation { Name = $"Room {i}" } }] });
            await db.SaveChangesAsync();
        });
        var commands = await _app.InTenant(_tenant, async (sp, db) =>
        {
            // Listening before this context's first command: EF Core caches for a second whether anyone listens.
            using var log = SqlLog.Start();
            var student = await db.Students.SingleAsync(s => s.Id == _ana);
            var need = await db.PlanItems.SingleAsync(i => i.Id == _anaNeed);
            var matcher = sp.GetRequiredService<SuccessPlans.Features.Referrals.ServiceMatcher>();
            log.Commands.Clear();
            var results = await matcher.FindAsync(student, need, new() { Keyword = "math" });
            Assert.True(results.Matches.Count >= 60);
            Assert.All(results.Matches.Where(m => m.Service.StartsWith("Math circle")), m => Assert.Contains("keyword 'math' in name and taxonomy term 'Mathematics'", m.Reasons));
            Assert.Contains(results.Matches, m => m.Where.Count == 1);
            return log.Commands;
        });
        Assert.Single(commands, c => c.Contains("FROM \"Services\""));
        Assert.Single(commands, c => c.Contains("FROM \"ServiceTerms\"") && !c.Contains("FROM \"Services\""));
        Assert.True(commands.Count <= 3, string.Join("\n----\n", commands));
    }
}
