using System.Net;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using SuccessPlans.Features.Directory;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Students;
using SuccessPlans.Features.Users;
using SuccessPlans.Tests.Infrastructure;

namespace SuccessPlans.Tests.Web;

/// <summary>
/// Issue 15: the student page reads only the sections that have rows (one statement says which), so a child with a plan
/// and nothing else costs no query per empty section; a section with rows is still read and shown.
/// </summary>
public class StudentPageReadsTests : IAsyncLifetime
{
    private readonly AppFactory _app = new(new DateTimeOffset(2026, 11, 20, 15, 0, 0, TimeSpan.Zero));
    private int _tenant, _school, _served, _lone;

    public async Task InitializeAsync()
    {
        _tenant = (await _app.CreateTenantAsync("reads-a")).Id;
        _school = (await _app.CreateSchoolAsync(_tenant, "Reads Elementary")).Id;
        var service = await _app.InTenant(_tenant, async (_, db) =>
        {
            var s = new Service { Name = "Tutoring", Organization = new ProviderOrganization { Name = "Helpers United" }, Domain = Domain.Academic };
            db.Services.Add(s);
            await db.SaveChangesAsync();
            return s.Id;
        });
        // A child referred (a disclosure to Helpers United), accepted and served once.
        await _app.ServeAsync(_tenant, _school, Domain.Academic, service, 1, [new DateOnly(2026, 11, 2)], "Kid");
        _served = await _app.InTenant(_tenant, (_, db) => db.Referrals.Select(r => r.StudentId).SingleAsync());
        // A child with a plan and one need, and nothing else.
        _lone = await _app.InTenant(_tenant, async (_, db) =>
        {
            var student = new Student { GivenName = "Lone", FamilyName = "Planned", SchoolId = _school, Grade = "05" };
            var plan = new SuccessPlan { Student = student, SchoolYear = 2026, Tier = 2, Status = PlanStatus.Active };
            plan.Items.Add(new PlanItem { Domain = Domain.Health, Kind = PlanItemKind.Need, Description = "Glasses", Status = NeedStatus.Open, IdentifiedOn = new DateOnly(2026, 10, 1) });
            db.Plans.Add(plan);
            await db.SaveChangesAsync();
            return student.Id;
        });
        await _app.CreateUserAsync(_tenant, "coordinator@reads-a.test", UserRole.Coordinator, [_school]);
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    // A section's own query reads its table at the statement's top level (EF writes a subquery's FROM indented).
    private static bool Reads(IReadOnlyList<string> commands, string table) =>
        commands.Any(c => Regex.IsMatch(c, $"^FROM \"{table}\" AS", RegexOptions.Multiline));

    private async Task<(string Html, IReadOnlyList<string> Commands)> ViewAsync(HttpClient browser, int student)
    {
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync($"/Students/{student}")).StatusCode); // warm: the user's schools cached
        _app.Faults.Record();
        var response = await browser.GetAsync($"/Students/{student}");
        var commands = _app.Faults.Recorded();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadAsStringAsync(), commands);
    }

    [Fact]
    public async Task A_child_with_only_a_plan_costs_no_query_for_the_empty_sections()
    {
        var browser = await _app.SignedInAsync("coordinator@reads-a.test");
        var (html, commands) = await ViewAsync(browser, _lone);
        Assert.Contains("Glasses", html);
        foreach (var empty in new[] { "Consents", "Reviews", "Referrals", "Flags", "Disclosures", "CaseNotes", "StudentIndicators" })
            Assert.False(Reads(commands, empty), $"an empty section's table was read: {empty}\n{string.Join("\n---\n", commands)}");
    }

    [Fact]
    public async Task A_section_with_rows_is_read_and_shown()
    {
        var browser = await _app.SignedInAsync("coordinator@reads-a.test");
        var (html, commands) = await ViewAsync(browser, _served);
        Assert.True(Reads(commands, "Referrals"), string.Join("\n---\n", commands));
        Assert.True(Reads(commands, "Disclosures"), string.Join("\n---\n", commands));
        Assert.Contains("Tutoring", html);
        Assert.Contains("Helpers United", html);
        Assert.False(Reads(commands, "CaseNotes"));
    }
}
