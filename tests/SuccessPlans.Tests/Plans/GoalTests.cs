using System.Net;
using System.Text.Json;
using AngleSharp.Html.Dom;
using Microsoft.EntityFrameworkCore;
using SuccessPlans.Features.Directory;
using SuccessPlans.Features.Indicators;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Referrals;
using SuccessPlans.Features.Schools;
using SuccessPlans.Features.Students;
using SuccessPlans.Features.Users;
using SuccessPlans.Tests.Infrastructure;

namespace SuccessPlans.Tests.Plans;

/// <summary>
/// Goals you can measure on the student page: a measure with baseline and target, values by hand (validated) or month by
/// month from the imported attendance, the chart with its text, the referral that served the goal; and nobody else sees it.
/// </summary>
public class GoalTests : IAsyncLifetime
{
    // Monday 16 November 2026, 12:00 in New York.
    private readonly AppFactory _app = new(new DateTimeOffset(2026, 11, 16, 17, 0, 0, TimeSpan.Zero));
    private static readonly DateOnly Today = new(2026, 11, 16);
    private int _tenant, _north, _student, _need, _organization;

    public async Task InitializeAsync()
    {
        _tenant = (await _app.CreateTenantAsync("goal")).Id;
        _north = (await _app.CreateSchoolAsync(_tenant, "North")).Id;
        var south = (await _app.CreateSchoolAsync(_tenant, "South")).Id;
        (_student, _need, _organization) = await _app.InTenant(_tenant, async (_, db) =>
        {
            var child = new Student { GivenName = "Gina", FamilyName = "Goal", SchoolId = _north, Grade = "04" };
            var plan = new SuccessPlan { Student = child, SchoolYear = 2026, Tier = 2, Status = PlanStatus.Active };
            plan.Items.Add(new PlanItem { Domain = Domain.Academic, Kind = PlanItemKind.Need, Description = "Reading", Goal = "Reads 20 minutes a day", Status = NeedStatus.Open, IdentifiedOn = new DateOnly(2026, 9, 1) });
            plan.Items.Add(new PlanItem { Domain = Domain.Family, Kind = PlanItemKind.Need, Description = "Getting to school", Goal = "Attends 95 % of days", Status = NeedStatus.Open, IdentifiedOn = new DateOnly(2026, 9, 1) });
            db.Plans.Add(plan);
            var organization = new ProviderOrganization { Name = "Reading Buddies" };
            db.Services.Add(new Service { Name = "Reading club", Organization = organization, Domain = Domain.Academic });
            db.ProviderOrganizations.Add(new ProviderOrganization { Name = "Someone Else" });
            await db.SaveChangesAsync();
            return (child.Id, plan.Items[0].Id, organization.Id);
        });
        await _app.CreateUserAsync(_tenant, "north@goal.test", UserRole.Coordinator, [_north]);
        await _app.CreateUserAsync(_tenant, "south@goal.test", UserRole.Coordinator, [south]);
        await _app.CreateUserAsync(_tenant, "buddies@goal.test", UserRole.Provider, organizationId: _organization);
        var other = (await _app.CreateTenantAsync("goal-other")).Id;
        await _app.CreateUserAsync(other, "admin@goal-other.test", UserRole.Admin);
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private string Page => $"/Students/{_student}";
    private string GoalForm(string handler) => $"#need-goal-{_need} form[action*='handler={handler}']";

    [Fact]
    public async Task A_coordinator_measures_a_goal_records_values_sees_the_chart_and_its_text_and_no_one_else_sees_it()
    {
        var north = await _app.SignedInAsync("north@goal.test");
        var set = await north.SubmitFormAsync(Page, new()
        {
            ["measure"] = "Recorded", ["measureLabel"] = "minutes read a day", ["baseline"] = "5", ["baselineOn"] = "2026-09-01", ["target"] = "20", ["targetOn"] = "2027-01-31",
        }, GoalForm("Measure"));
        Assert.Equal(HttpStatusCode.Redirect, set.StatusCode);

        // A bad measure: target before the baseline's date, target equal to the baseline; nothing saved, errors shown.
        var bad = await Forms.ParseAsync(await north.SubmitFormAsync(Page, new() { ["target"] = "5", ["targetOn"] = "2026-08-01" }, GoalForm("Measure")));
        Assert.Contains("The target must differ from the baseline", bad.Body!.TextContent);
        Assert.Contains("The target date must be after the baseline's date", bad.Body!.TextContent);

        // Values: none in the future (the tenant's today), none out of range; then two good ones.
        var future = await Forms.ParseAsync(await north.SubmitFormAsync(Page, new() { ["pointOn"] = "2026-11-17", ["pointValue"] = "9" }, GoalForm("GoalPoint")));
        Assert.Contains("The date cannot be in the future.", future.Body!.TextContent);
        var before = await Forms.ParseAsync(await north.SubmitFormAsync(Page, new() { ["pointOn"] = "2026-08-31", ["pointValue"] = "2000000" }, GoalForm("GoalPoint")));
        Assert.Contains("cannot be before the baseline (Sep 1, 2026).", before.Body!.TextContent);
        Assert.Contains("The value must be a number from", before.Body!.TextContent);
        Assert.Equal(HttpStatusCode.Redirect, (await north.SubmitFormAsync(Page, new() { ["pointOn"] = "2026-10-01", ["pointValue"] = "8" }, GoalForm("GoalPoint"))).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await north.SubmitFormAsync(Page, new() { ["pointOn"] = "2026-11-16", ["pointValue"] = "14.5" }, GoalForm("GoalPoint"))).StatusCode);

        var page = await north.GetDocumentAsync(Page);
        var goal = page.QuerySelector($"#need-goal-{_need}")!;
        Assert.Equal(2, goal.QuerySelectorAll("svg.goal-chart circle").Length);
        var summary = goal.QuerySelector(".goal-summary")!.TextContent;
        Assert.Contains("Baseline 5 on Sep 1, 2026; target 20 by Jan 31, 2027.", summary);
        Assert.Contains("Latest 14.5 on Nov 16, 2026:", summary);
        Assert.Equal("Progressing", goal.QuerySelector(".progress-code")!.TextContent);
        Assert.Equal("goal-summary-" + _need, goal.QuerySelector("svg.goal-chart")!.GetAttribute("aria-labelledby"));
        Assert.Equal(new[] { "2026-10-01", "2026-11-16" }, goal.QuerySelectorAll("table.goal-values tbody tr td:first-child time").Select(t => t.GetAttribute("datetime")).ToArray());

        // The plan API gives the measure and its progress, read-only.
        var json = JsonDocument.Parse(await north.GetStringAsync($"/api/v1/students/{_student}/plan")).RootElement;
        var item = json.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("id").GetInt32() == _need).GetProperty("measure");
        Assert.Equal("Progressing", item.GetProperty("progress").GetString());
        Assert.Equal(20m, item.GetProperty("target").GetDecimal());
        Assert.Equal(2, item.GetProperty("values").GetArrayLength());

        // A stale page: someone saved a value since; the removal is refused with the current version shown.
        var stale = await north.GetDocumentAsync(Page);
        Assert.Equal(HttpStatusCode.Redirect, (await north.SubmitFormAsync(Page, new() { ["pointOn"] = "2026-11-02", ["pointValue"] = "12" }, GoalForm("GoalPoint"))).StatusCode);
        var conflict = await Forms.ParseAsync(await north.SubmitAsync((IHtmlElement)stale.QuerySelector($"#need-goal-{_need} form[action*='handler=RemoveGoalPoint'] button")!));
        Assert.Contains("Someone else changed this plan", conflict.Body!.TextContent);
        Assert.Equal(3, await _app.InTenant(_tenant, (_, db) => db.GoalPoints.CountAsync()));

        // Another school's coordinator and another tenant's Admin get nothing, nor does a provider.
        foreach (var who in new[] { "south@goal.test", "admin@goal-other.test" })
        {
            var other = await _app.SignedInAsync(who);
            Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync(Page)).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/api/v1/students/{_student}/plan")).StatusCode);
        }
        var provider = await (await _app.SignedInAsync("buddies@goal.test")).GetAsync(Page);
        Assert.NotEqual(HttpStatusCode.OK, provider.StatusCode);
    }

    [Fact]
    public async Task An_attendance_goal_takes_its_values_month_by_month_from_the_imports_and_a_successful_referral_names_the_goal()
    {
        var family = await _app.InTenant(_tenant, async (sp, db) =>
        {
            // North's school days: every weekday from 1 September to the day before today; absent on four days of October.
            for (var d = new DateOnly(2026, 9, 1); d < Today; d = d.AddDays(1))
                if (d.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday)) db.SchoolDays.Add(new SchoolDay { SchoolId = _north, Date = d });
            foreach (var (day, i) in new[] { 5, 6, 7, 7 }.Select((d, i) => (d, i)))
                db.AttendanceEvents.Add(new AttendanceEvent { SourceId = $"a{i}", StudentId = _student, SchoolId = _north, Date = new DateOnly(2026, 10, day), Category = AttendanceCategory.UnexcusedAbsence });
            await db.SaveChangesAsync();
            var student = await db.Students.SingleAsync(s => s.Id == _student);
            var plan = await db.Plans.Include(p => p.Items).SingleAsync();
            var need = plan.Items.Single(i => i.Domain == Domain.Family).Id;
            await sp.GetRequiredService<PlanService>().SetMeasureAsync(student, plan, need,
                new GoalMeasureInput(GoalMeasure.AttendanceRate, null, 80, new DateOnly(2026, 9, 30), 95, new DateOnly(2027, 6, 15)), new Actor(null, "test"), plan.Version);
            return need;
        });
        var view = await _app.InTenant(_tenant, async (sp, db) =>
            (await sp.GetRequiredService<GoalSeries>().ForAsync(_student, await db.PlanItems.ToListAsync(), Today))[family]);
        // October: 22 school days, 3 with an absence (two events on the 7th count once); November so far: 10 days, none missed.
        Assert.Equal(new[] { new GoalValue(new DateOnly(2026, 10, 31), 86.4m), new GoalValue(Today, 100.0m) }, view.Values);
        Assert.Equal(GoalProgress.Met, view.Progress);
        // Values of an imported measure are not typed by hand.
        var refused = await Assert.ThrowsAsync<ValidationFailedException>(() => _app.InTenant(_tenant, async (sp, db) =>
        {
            var plan = await db.Plans.Include(p => p.Items).SingleAsync();
            return await sp.GetRequiredService<PlanService>().AddPointAsync(await db.Students.SingleAsync(), plan, family, Today, 90, new Actor(null, "test"), plan.Version);
        }));
        Assert.Contains("imported data", refused.Message);

        // The provider completes a referral for the reading need with the goal met: the referral names the goal it served.
        var referral = await _app.InTenant(_tenant, async (sp, db) =>
        {
            var service = await db.Services.SingleAsync();
            var r = new Referral { StudentId = _student, NeedId = _need, ServiceId = service.Id, OrganizationId = _organization, SchoolId = _north, Domain = Domain.Academic,
                Status = ReferralStatus.InService, SentByName = "coord", SentAt = new DateTime(2026, 10, 1, 12, 0, 0, DateTimeKind.Utc) };
            db.Referrals.Add(r);
            await db.SaveChangesAsync();
            await sp.GetRequiredService<ReferralService>().CompleteAsync(r, "Reads every day now", new Actor(null, "Buddy"), r.Version);
            return r.Id;
        });
        Assert.Equal("Reads 20 minutes a day", await _app.InTenant(_tenant, (_, db) => db.Referrals.Where(r => r.Id == referral).Select(r => r.GoalServed).SingleAsync()));
        var provider = await _app.SignedInAsync("buddies@goal.test");
        Assert.Contains("Goal served: Reads 20 minutes a day", (await provider.GetDocumentAsync($"/Provider/Referrals/{referral}")).Body!.TextContent);
        // In Spanish too (the browser's language).
        var spanish = new HttpRequestMessage(HttpMethod.Get, $"/Provider/Referrals/{referral}");
        spanish.Headers.AcceptLanguage.ParseAdd("es-US");
        Assert.Contains("Meta atendida: Reads 20 minutes a day", await (await provider.SendAsync(spanish)).Content.ReadAsStringAsync());
        var page = await (await _app.SignedInAsync("north@goal.test")).GetDocumentAsync(Page);
        Assert.Contains("Served by Reading Buddies (Reading club): completed with the goal met", page.QuerySelector($"#need-goal-{_need}")!.TextContent);
        Assert.Contains("86.4%", page.QuerySelector($"#need-goal-{family} table.goal-values")!.TextContent);

        // A Spanish coordinator reads the measure, and the disclosure log's fields (stored in English), in Spanish.
        await _app.InTenant(_tenant, async (_, db) =>
        {
            db.Disclosures.Add(new Disclosure { StudentId = _student, OrganizationId = _organization, ReferralId = referral, FieldsShared = "Child's name, Grade, Need", At = new DateTime(2026, 10, 1, 12, 0, 0, DateTimeKind.Utc), ByName = "coord" });
            await db.SaveChangesAsync();
            return 0;
        });
        var coordinator = await _app.SignedInAsync("north@goal.test");
        coordinator.DefaultRequestHeaders.AcceptLanguage.ParseAdd("es-US");
        var es = await coordinator.GetDocumentAsync(Page);
        Assert.Contains("Medida: tasa de asistencia (% de días escolares del mes).", es.QuerySelector($"#need-goal-{family}")!.TextContent);
        Assert.Contains("Nombre del niño, Grado, Necesidad", es.QuerySelector("section[aria-labelledby=disclosures]")!.TextContent);
    }

    [Fact]
    public async Task Every_kind_of_goal_takes_its_months_from_its_own_child_and_school_in_two_statements()
    {
        var (needs, other) = await _app.InTenant(_tenant, async (_, db) =>
        {
            var south = await db.Schools.Where(s => s.Id != _north).Select(s => s.Id).SingleAsync();
            var brother = new Student { GivenName = "Gus", FamilyName = "Goal", SchoolId = _north, Grade = "02" };
            db.Students.Add(brother);
            // North's weekdays from 1 September to the day before today; South's weekend days of October must not count.
            for (var d = new DateOnly(2026, 9, 1); d < Today; d = d.AddDays(1))
                if (d.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday)) db.SchoolDays.Add(new SchoolDay { SchoolId = _north, Date = d });
                else if (d.Month == 10) db.SchoolDays.Add(new SchoolDay { SchoolId = south, Date = d });
            await db.SaveChangesAsync();
            var n = 0;
            AttendanceEvent Attendance(int studentId, DateOnly on, AttendanceCategory category) => new() { SourceId = $"a{n++}", StudentId = studentId, SchoolId = _north, Date = on, Category = category };
            // Absent three days of October (two events on the 7th count once); a tardy is no absence; the brother's absence is his.
            db.AttendanceEvents.AddRange(Attendance(_student, new(2026, 10, 5), AttendanceCategory.UnexcusedAbsence), Attendance(_student, new(2026, 10, 6), AttendanceCategory.ExcusedAbsence),
                Attendance(_student, new(2026, 10, 7), AttendanceCategory.UnexcusedAbsence), Attendance(_student, new(2026, 10, 7), AttendanceCategory.ExcusedAbsence),
                Attendance(_student, new(2026, 10, 8), AttendanceCategory.Tardy), Attendance(brother.Id, new(2026, 10, 9), AttendanceCategory.UnexcusedAbsence));
            // Incidents: one before the baseline, two in October, one in November, and the brother's.
            foreach (var (who, on) in new[] { (_student, new DateOnly(2026, 9, 15)), (_student, new(2026, 10, 12)), (_student, new(2026, 10, 20)), (_student, new(2026, 11, 3)), (brother.Id, new(2026, 11, 4)) })
                db.BehaviorIncidents.Add(new BehaviorIncident { SourceId = $"i{n++}", StudentId = who, SchoolId = _north, Date = on, Severity = IncidentSeverity.Minor });
            // Failing marks: two in October, one in November; a passing mark and the brother's failing one do not count.
            foreach (var (who, on, passing) in new[] { (_student, new DateOnly(2026, 10, 30), false), (_student, new(2026, 10, 31), false), (_student, new(2026, 11, 2), true), (_student, new(2026, 11, 10), false), (brother.Id, new(2026, 11, 10), false) })
                db.CourseMarks.Add(new CourseMark { SourceId = $"m{n++}", StudentId = who, Date = on, Course = "Math", Term = "Q1", Mark = passing ? "B" : "F", Passing = passing });
            var plan = await db.Plans.Include(p => p.Items).SingleAsync();
            var baselineOn = new DateOnly(2026, 9, 30);
            PlanItem Measured(GoalMeasure measure, decimal baseline, decimal target) => new()
            {
                Domain = Domain.Academic, Kind = PlanItemKind.Need, Description = measure.ToString(), Status = NeedStatus.Open, IdentifiedOn = new DateOnly(2026, 9, 1),
                Measure = measure, MeasureLabel = measure == GoalMeasure.Recorded ? "minutes read a day" : null, Baseline = baseline, BaselineOn = baselineOn, Target = target, TargetOn = new DateOnly(2027, 6, 15),
            };
            var items = new[] { Measured(GoalMeasure.AttendanceRate, 80, 95), Measured(GoalMeasure.Incidents, 4, 0), Measured(GoalMeasure.CourseFailures, 3, 0), Measured(GoalMeasure.Recorded, 5, 20) };
            plan.Items.AddRange(items);
            await db.SaveChangesAsync();
            db.GoalPoints.AddRange(new GoalPoint { NeedId = items[3].Id, On = new(2026, 11, 16), Value = 14.5m, RecordedBy = "test" }, new GoalPoint { NeedId = items[3].Id, On = new(2026, 10, 1), Value = 8, RecordedBy = "test" });
            await db.SaveChangesAsync();
            return (items.Select(i => i.Id).ToArray(), brother.Id);
        });

        var (views, commands) = await _app.InTenant(_tenant, async (sp, db) =>
        {
            var items = await db.PlanItems.AsNoTracking().ToListAsync();
            // Listening before the series' first command: EF Core caches for a second whether anyone listens.
            using var log = SqlLog.Start();
            var series = await sp.GetRequiredService<GoalSeries>().ForAsync(_student, items, Today);
            return (series, log.Commands.ToList());
        });
        GoalValue[] Months(decimal october, decimal november) => [new(new DateOnly(2026, 10, 31), october), new(Today, november)];
        // October: 22 school days at North, 3 with an absence; November so far: 10 days, none missed.
        Assert.Equal(Months(86.4m, 100.0m), views[needs[0]].Values);
        Assert.Equal(Months(2, 1), views[needs[1]].Values);
        Assert.Equal(Months(2, 1), views[needs[2]].Values);
        Assert.Equal(new GoalValue[] { new(new DateOnly(2026, 10, 1), 8), new(Today, 14.5m) }, views[needs[3]].Values);
        Assert.Equal(GoalProgress.Met, views[needs[0]].Progress);
        // The goal points, then the months of every indicator at once: a statement a kind cost a query's machinery each (issue 15).
        Assert.True(commands.Count == 2, string.Join("\n----\n", commands));
        Assert.NotEqual(0, other);
    }
}
