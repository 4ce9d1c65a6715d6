using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using SuccessPlans.Features.Schools;
using SuccessPlans.Features.Tenants;
using SuccessPlans.Features.Students;
using SuccessPlans.Features.Users;
using SuccessPlans.Tests.Infrastructure;

namespace SuccessPlans.Tests.Web;

/// <summary>The caseload as a coordinator reads it: grades in school order, names found the way the list shows them.</summary>
public class CaseloadTests : IAsyncLifetime
{
    private readonly AppFactory _app = new();

    public async Task InitializeAsync()
    {
        var a = await _app.CreateTenantAsync("caseload-a");
        var b = await _app.CreateTenantAsync("caseload-b");
        var school = await _app.CreateSchoolAsync(a.Id, "Elm School");
        var other = await _app.CreateSchoolAsync(b.Id, "Oak School");
        await _app.CreateUserAsync(a.Id, "coord@a.test", UserRole.Coordinator, [school.Id]);
        await _app.CreateUserAsync(b.Id, "coord@b.test", UserRole.Coordinator, [other.Id]);
        await _app.InTenant(a.Id, async (_, db) =>
        {
            // Grades spelled as real rosters spell them, out of order on purpose.
            foreach (var (given, family, grade, id) in new[]
            {
                ("Tina", "Aufderhar", "10", "stu-10"), ("Ben", "Kessler", "KG", "stu-kg"), ("Ada", "Lind", "02", "stu-02"),
                ("Cal", "Moss", "PK", "stu-pk"), ("Dee", "Nash", "1", "stu-1"), ("Eli", "Orr", "12", "stu-12"), ("Fay", "Park", "09", "stu-09"),
            })
                db.Students.Add(new Student { SchoolId = school.Id, GivenName = given, FamilyName = family, Grade = grade, ExternalId = id });
            await db.SaveChangesAsync();
        });
        await _app.InTenant(b.Id, async (_, db) =>
        {
            db.Students.Add(new Student { SchoolId = other.Id, GivenName = "Tina", FamilyName = "Aufderhar", Grade = "03", ExternalId = "stu-b" });
            await db.SaveChangesAsync();
        });
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public void Grades_compare_in_school_order_whatever_the_spelling()
    {
        string?[] grades = ["12", "01", "KG", "03", "PK", "2", "10", "k", "Ungraded", null];
        Assert.Equal(["PK", "KG", "k", "01", "2", "03", "10", "12", null, "Ungraded"], grades.Order(Grades.Comparer));
        Assert.Equal(Grades.Order("1"), Grades.Order(" 01 "));
    }

    [Theory]
    [InlineData("en", new[] { "Pre-K", "K", "K", "1", "2", "9", "12", "TK", "Ungraded", "" })]
    [InlineData("es", new[] { "Prekínder", "Kínder", "Kínder", "1", "2", "9", "12", "TK", "Ungraded", "" })]
    public void Grades_show_as_a_school_says_them_in_the_readers_language(string language, string[] shown)
    {
        string?[] grades = ["PK", "KG", "k", "01", "2", "09", "12", "TK", "Ungraded", null];
        using var _ = SuccessPlans.Languages.Use(language);
        Assert.Equal(shown, grades.Select(SuccessPlans.Labels.Grade));
    }

    [Fact]
    public async Task The_grade_sort_and_the_grade_filter_list_grades_in_school_order()
    {
        var client = await _app.SignedInAsync("coord@a.test");
        var page = await client.GetDocumentAsync("/Students?sort=grade");
        var sorted = page.QuerySelectorAll("main tbody tr").Select(tr => tr.QuerySelectorAll("td")[1].TextContent.Trim()).ToList();
        Assert.Equal(["Pre-K", "K", "1", "2", "9", "10", "12"], sorted);
        var choices = page.QuerySelectorAll("select#grade option").Skip(1).ToList();
        Assert.Equal(["Pre-K", "K", "1", "2", "9", "10", "12"], choices.Select(o => o.TextContent.Trim()));
        Assert.Equal(["PK", "KG", "1", "02", "09", "10", "12"], choices.Select(o => o.GetAttribute("value")));
    }

    [Fact]
    public async Task The_search_finds_a_child_as_the_list_shows_the_name_by_either_name_or_by_id_and_no_one_else()
    {
        var client = await _app.SignedInAsync("coord@a.test");
        async Task<IEnumerable<string>> Found(string q) =>
            (await client.GetDocumentAsync($"/Students?q={Uri.EscapeDataString(q)}")).QuerySelectorAll("main tbody tr td:first-child a").Select(a => a.TextContent.Trim());
        foreach (var q in new[] { "Aufderhar, Tina", "aufderhar, ti", "Tina Aufderhar", "tina auf", "derha", "stu-10" })
            Assert.Equal(["Aufderhar, Tina"], await Found(q));
        foreach (var q in new[] { "Kessler, Tina", "Ben Aufderhar", "%", "stu-b" })
            Assert.Empty(await Found(q));
    }

    [Fact]
    public async Task Another_tenants_coordinator_finds_only_their_own_child_of_the_same_name()
    {
        var client = await _app.SignedInAsync("coord@b.test");
        var page = await client.GetDocumentAsync("/Students?q=Aufderhar%2C%20Tina");
        Assert.Equal(["3"], page.QuerySelectorAll("main tbody tr").Select(tr => tr.QuerySelectorAll("td")[1].TextContent.Trim()));
        Assert.Empty((await client.GetDocumentAsync("/Students?q=stu-10")).QuerySelectorAll("main tbody tr td:first-child a"));
        var api = await client.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/v1/students?q=Tina%20Aufderhar");
        Assert.DoesNotContain("stu-10", api.GetRawText());
        Assert.Contains("stu-b", api.GetRawText());
    }

    [Fact]
    public async Task The_history_shows_times_in_the_tenants_zone_with_the_zone_named()
    {
        var tenant = await _app.InTenant(null, (_, db) => db.Tenants.Where(t => t.Slug == "caseload-a").Select(t => t.Id).SingleAsync());
        var child = await _app.InTenant(tenant, async (_, db) =>
        {
            var s = await db.Students.SingleAsync(s => s.ExternalId == "stu-kg");
            db.StudentEvents.Add(new StudentEvent { StudentId = s.Id, At = new DateTime(2026, 7, 1, 2, 30, 0, DateTimeKind.Utc), UserName = "Pat", Action = "summer note" });
            db.StudentEvents.Add(new StudentEvent { StudentId = s.Id, At = new DateTime(2026, 1, 15, 14, 5, 0, DateTimeKind.Utc), UserName = "Pat", Action = "winter note" });
            await db.SaveChangesAsync();
            return s.Id;
        });
        var page = await (await _app.SignedInAsync("coord@a.test")).GetDocumentAsync($"/Students/{child}");
        var rows = page.QuerySelectorAll("tr").Select(tr => (Text: tr.TextContent, At: tr.QuerySelector("time")?.GetAttribute("datetime"))).ToList();
        // 02:30 UTC on July 1st is still June 30th in New York; the zone is named.
        Assert.Contains(rows, r => r.Text.Contains("summer note") && r.At == "2026-06-30T22:30-04:00" && r.Text.Contains("Jun 30, 2026, 10:30") && r.Text.Contains("EDT"));
        Assert.Contains(rows, r => r.Text.Contains("winter note") && r.At == "2026-01-15T09:05-05:00" && r.Text.Contains("Jan 15, 2026, 9:05") && r.Text.Contains("EST"));
        Assert.Equal("UTC+01:00", LocalTimes.Zone(new DateTime(2026, 1, 15, 0, 0, 0, DateTimeKind.Utc), TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin")));
    }
}
