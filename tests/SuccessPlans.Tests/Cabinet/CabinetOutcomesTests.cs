using System.Net;
using System.Text.Json;
using SuccessPlans.Features.Cabinet;
using SuccessPlans.Features.Directory;
using SuccessPlans.Features.Indicators;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Users;
using SuccessPlans.Tests.Infrastructure;

namespace SuccessPlans.Tests.Cabinet;

/// <summary>
/// Outcomes for the cabinet: of the children served in a period, whose attendance band improved, stayed or worsened, by
/// domain, school and tier, with the cabinet's suppression on both axes, and never a child.
/// </summary>
public class CabinetOutcomesTests : IAsyncLifetime
{
    // Friday 20 November 2026; the school year began on 1 August.
    private readonly AppFactory _app = new(new DateTimeOffset(2026, 11, 20, 15, 0, 0, TimeSpan.Zero));
    private int _tenant, _other;
    private readonly List<string> _names = [];

    private static DateOnly D(int month, int day) => new(2026, month, day);

    private static IEnumerable<DateOnly> Weekdays(DateOnly from, DateOnly to)
    {
        for (var d = from; d <= to; d = d.AddDays(1))
            if (d.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday)) yield return d;
    }

    public async Task InitializeAsync()
    {
        _tenant = (await _app.CreateTenantAsync("out")).Id;
        _other = (await _app.CreateTenantAsync("out-other")).Id;
        var north = (await _app.CreateSchoolAsync(_tenant, "North")).Id;
        var south = (await _app.CreateSchoolAsync(_tenant, "South")).Id;
        var west = (await _app.CreateSchoolAsync(_tenant, "West")).Id;
        var (tutoring, counseling, dental) = await _app.InTenant(_tenant, async (_, db) =>
        {
            var org = new ProviderOrganization { Name = "Help" };
            var t = new Service { Name = "Tutoring", Organization = org, Domain = Domain.Academic, Tier = ServiceTier.EarlyIntervention };
            var c = new Service { Name = "Counseling", Organization = org, Domain = Domain.SocialEmotionalBehavioral, Tier = ServiceTier.PreventionEnrichment };
            var d = new Service { Name = "Dental van", Organization = org, Domain = Domain.Health, Tier = ServiceTier.IntensiveCrisis };
            db.Services.AddRange(t, c, d);
            foreach (var school in new[] { north, south, west })
                foreach (var day in Weekdays(D(8, 17), D(11, 19)))
                    db.SchoolDays.Add(new SchoolDay { SchoolId = school, Date = day });
            await db.SaveChangesAsync();
            return (t.Id, c.Id, d.Id);
        });
        // 15 at North improve (absent six days of September, none lately), 12 at South stay, 3 at West worsen (absent
        // six days lately), all served from October; 2 at South first served in November are too recent to compare.
        var improve = await _app.ServeAsync(_tenant, north, Domain.Academic, tutoring, 15, [D(10, 5)], "Ida");
        var stay = await _app.ServeAsync(_tenant, south, Domain.SocialEmotionalBehavioral, counseling, 12, [D(10, 6)], "Sid");
        var worsen = await _app.ServeAsync(_tenant, west, Domain.Health, dental, 3, [D(10, 7)], "Wes");
        var recent = await _app.ServeAsync(_tenant, south, Domain.Health, dental, 2, [D(11, 5)], "Rex");
        _names.AddRange([.. improve, .. stay, .. worsen, .. recent]);
        await _app.InTenant(_tenant, async (_, db) =>
        {
            var ids = db.Students.Select(s => new { s.Id, s.FamilyName, s.SchoolId }).ToList();
            var n = 0;
            void Absent(IEnumerable<string> names, IEnumerable<DateOnly> days)
            {
                foreach (var s in ids.Where(s => names.Contains(s.FamilyName)))
                    foreach (var day in days)
                        db.AttendanceEvents.Add(new AttendanceEvent { SourceId = $"e{n++}", StudentId = s.Id, SchoolId = s.SchoolId, Date = day, Category = AttendanceCategory.ExcusedAbsence });
            }
            Absent(improve, Weekdays(D(9, 1), D(9, 8)));
            // Absences recorded on days with no school (the weekends of the last 30 days) count for nothing: were they
            // counted, the children at North would be in a worse band lately, not a better one.
            for (var day = D(10, 22); day <= D(11, 20); day = day.AddDays(1))
                if (day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday) Absent(improve, [day]);
            Absent(worsen, Weekdays(D(11, 2), D(11, 9)));
            await db.SaveChangesAsync();
        });
        await _app.CreateUserAsync(_tenant, "cabinet@out.test", UserRole.Cabinet);
        await _app.CreateUserAsync(_tenant, "coord@out.test", UserRole.Coordinator, [north, south, west]);
        await _app.CreateUserAsync(_other, "cabinet@out-other.test", UserRole.Cabinet);
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private Task<Outcomes> OutcomesAsync(int tenant) =>
        _app.InTenant(tenant, (sp, _) => sp.GetRequiredService<CabinetOutcomes>().BuildAsync(Period.SchoolYearOf(D(11, 20)), D(11, 20)));

    /// <summary>No row shows its measured total while hiding exactly one band; no column shows its total while hiding exactly one row.</summary>
    private static void AssertNothingCanBeWorkedOut(Outcomes o)
    {
        foreach (var row in o.Tables.SelectMany(t => t.Rows).Append(o.Total))
            if (!row.Measured.Suppressed)
                Assert.NotEqual(1, new[] { row.Improved, row.Stayed, row.Worsened }.Count(f => f.Suppressed));
        foreach (var table in o.Tables)
            foreach (var column in new Func<OutcomeRow, Figure>[] { r => r.Measured, r => r.Improved, r => r.Stayed, r => r.Worsened })
                if (!column(table.Total).Suppressed)
                    Assert.NotEqual(1, table.Rows.Count(r => column(r).Suppressed));
    }

    [Fact]
    public async Task Served_children_are_compared_before_and_after_with_small_cells_and_their_complements_hidden()
    {
        var o = await OutcomesAsync(_tenant);
        Assert.Equal(32, o.ChildrenServed.Value);
        // 30 compared: 15 improved, 12 stayed, 3 worsened. Three is small; the twelve who stayed are all at South, in
        // counseling, whose row is hidden as the complement of the three at West, so down the column it goes too.
        Assert.Equal(30, o.Total.Measured.Value);
        Assert.Equal((15L, 50), (o.Total.Improved.Value!.Value, o.Total.ImprovedPercent!.Value));
        Assert.True(o.Total.Stayed.Suppressed);
        Assert.True(o.Total.Worsened.Suppressed);
        Assert.Null(o.Total.WorsenedPercent);

        var domain = o.Table("domain");
        var academic = domain.Rows.Single(r => r.Label == Labels.Words(Domain.Academic));
        Assert.Equal((15L, 15L, 0L, 0L), (academic.Measured.Value!.Value, academic.Improved.Value!.Value, academic.Stayed.Value!.Value, academic.Worsened.Value!.Value));
        Assert.Equal(100, academic.ImprovedPercent);
        // Health: three compared (the two served lately are not): hidden, with a complement down the column.
        Assert.True(domain.Rows.Single(r => r.Label == Labels.Words(Domain.Health)).Measured.Suppressed);
        Assert.True(domain.Rows.Single(r => r.Label == Labels.Words(Domain.SocialEmotionalBehavioral)).Measured.Suppressed);
        Assert.Equal(15, o.Table("school").Rows.Single(r => r.Label == "North").Measured.Value);
        Assert.True(o.Table("school").Rows.Single(r => r.Label == "West").Worsened.Suppressed);
        Assert.True(o.Table("tier").Rows.Single(r => r.Label == Labels.Words(ServiceTier.IntensiveCrisis)).Measured.Suppressed);
        AssertNothingCanBeWorkedOut(o);

        // Another tenant's children never mix in.
        var other = await OutcomesAsync(_other);
        Assert.Equal(0, other.ChildrenServed.Value);
        Assert.Equal(0, other.Total.Measured.Value);
    }

    [Fact]
    public async Task The_cabinet_sees_the_shares_on_its_page_and_in_the_api_and_never_a_child_and_other_roles_nothing()
    {
        var cabinet = await _app.SignedInAsync("cabinet@out.test");
        var page = await cabinet.GetDocumentAsync("/Cabinet");
        var section = page.QuerySelector("#outcomes")!.TextContent;
        Assert.Contains("Of 30 children served whose attendance could be compared: 50%", section);
        Assert.Contains("100%", page.QuerySelector("#outcomes-domain")!.TextContent);
        var json = await cabinet.GetStringAsync("/api/v1/cabinet/outcomes?from=2026-08&to=2027-07");
        var total = JsonDocument.Parse(json).RootElement.GetProperty("total");
        Assert.Equal(30, total.GetProperty("measured").GetProperty("value").GetInt32());
        Assert.True(total.GetProperty("worsened").GetProperty("suppressed").GetBoolean());
        foreach (var body in new[] { page.Body!.OuterHtml, json })
            Assert.DoesNotContain(_names, body.Contains);
        Assert.Equal(HttpStatusCode.BadRequest, (await cabinet.GetAsync("/api/v1/cabinet/outcomes?from=2026-08-03&to=2026-09-30")).StatusCode);

        var coordinator = await (await _app.SignedInAsync("coord@out.test")).GetAsync("/api/v1/cabinet/outcomes");
        Assert.True(coordinator.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized, $"{(int)coordinator.StatusCode}");
        var otherTenant = await (await _app.SignedInAsync("cabinet@out-other.test")).GetStringAsync("/api/v1/cabinet/outcomes");
        Assert.Equal(0, JsonDocument.Parse(otherTenant).RootElement.GetProperty("total").GetProperty("measured").GetProperty("value").GetInt32());
    }
}
