using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using SuccessPlans.Features.Indicators;
using SuccessPlans.Features.Roster;
using SuccessPlans.Features.Schools;
using SuccessPlans.Features.Students;
using SuccessPlans.Features.Users;
using SuccessPlans.Tests.Infrastructure;

namespace SuccessPlans.Tests.Indicators;

/// <summary>
/// Attendance, incidents and marks from CSV: bad rows stop everything, re-imports change nothing, the summary follows; the
/// bands show to those who may see the child, and the nightly check flags poor attendance with no need in the plan.
/// </summary>
public class IndicatorTests : IAsyncLifetime
{
    // Monday 16 November 2026, 12:00 in New York: the school year began on 1 August, the fall term too.
    private readonly AppFactory _app = new(new DateTimeOffset(2026, 11, 16, 17, 0, 0, TimeSpan.Zero));
    private static readonly DateOnly Today = new(2026, 11, 16);
    private int _tenant, _other, _north;
    private readonly Dictionary<string, int> _students = [];

    public async Task InitializeAsync()
    {
        _tenant = (await _app.CreateTenantAsync("ind")).Id;
        _other = (await _app.CreateTenantAsync("ind-other")).Id;
        await _app.CreateUserAsync(_tenant, "admin@ind.test", UserRole.Admin);
        await _app.CreateUserAsync(_other, "admin@ind-other.test", UserRole.Admin);
        await _app.CreateUserAsync(_tenant, "coord@ind.test", UserRole.Coordinator);
        await _app.InTenant(_tenant, async (_, db) =>
        {
            var north = new School { Name = "North", ExternalId = "sch-n" };
            var south = new School { Name = "South", ExternalId = "sch-s" };
            db.Schools.AddRange(north, south);
            foreach (var (id, school) in new[] { ("u1", north), ("u2", north), ("u3", south) })
                db.Students.Add(new Student { GivenName = id, FamilyName = "Test", ExternalId = id, School = school });
            await db.SaveChangesAsync();
            foreach (var s in await db.Students.ToListAsync()) _students[s.ExternalId!] = s.Id;
            _north = north.Id;
        });
        await _app.CreateUserAsync(_tenant, "north@ind.test", UserRole.Coordinator, [_north]);
        // The other tenant has a school and a student with ids this tenant's files use: they must never match.
        await _app.InTenant(_other, async (_, db) =>
        {
            var school = new School { Name = "Other North", ExternalId = "sch-n" };
            db.Students.Add(new Student { GivenName = "x", FamilyName = "Other", ExternalId = "x9", School = school });
            await db.SaveChangesAsync();
        });
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private static readonly DateOnly Holiday = new(2026, 11, 11);

    /// <summary>Every weekday from 1 September to the day before <see cref="Today"/>, at North.</summary>
    private static List<DateOnly> Weekdays()
    {
        var days = new List<DateOnly>();
        for (var d = new DateOnly(2026, 9, 1); d < Today; d = d.AddDays(1))
            if (d.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday)) days.Add(d);
        return days;
    }

    private static string Calendar() =>
        "schoolId,date,calendarEventDescriptor\n" + string.Concat(Weekdays().Where(d => d != Holiday).Select(d => FormattableString.Invariant($"sch-n,{d:yyyy-MM-dd},uri://ed-fi.org/CalendarEventDescriptor#Instructional day\n")))
        + "sch-n,2026-11-11,Holiday\n";

    /// <summary>u1 absent on the last 8 school days, u2 late once and present once.</summary>
    private static string Attendance()
    {
        var days = Weekdays().Where(d => d != Holiday).ToList();
        var sb = new StringBuilder("sourceId,studentUniqueId,schoolId,eventDate,attendanceEventCategoryDescriptor,attendanceEventReason\r\n");
        foreach (var (d, i) in days.TakeLast(8).Select((d, i) => (d, i)))
            sb.Append(FormattableString.Invariant($"a{i},u1,sch-n,{d:yyyy-MM-dd},{(i % 2 == 0 ? "Excused Absence" : "Unexcused Absence")},\"sick, at home\"\r\n"));
        sb.Append(FormattableString.Invariant($"t1,u2,sch-n,{days[^1]:yyyy-MM-dd},Tardy,\r\n"));
        sb.Append(FormattableString.Invariant($"p1,u2,sch-n,{days[^2]:yyyy-MM-dd},In Attendance,\r\n"));
        return sb.ToString();
    }

    private const string Incidents = "incidentIdentifier,schoolId,studentUniqueId,incidentDate,behaviorDescriptor,severity\n" +
                                     "inc1,sch-n,u1,2026-10-01,Fighting,major\n" +
                                     "inc1,sch-n,u2,2026-10-01,Fighting,minor\n" +
                                     "inc2,sch-s,u3,2026-11-02,uri://ed-fi.org/BehaviorDescriptor#Disruption,\n";

    private const string Sessions = "sourcedId,status,dateLastModified,title,type,startDate,endDate,parentSourcedId,schoolYear\n" +
                                    "q1,active,,Quarter 1,gradingPeriod,2026-08-26,2026-10-30,,2027\n";
    private const string LineItems = "sourcedId,status,dateLastModified,title,description,assignDate,dueDate,classSourcedId,categorySourcedId,gradingPeriodSourcedId,resultValueMin,resultValueMax\n" +
                                     "li-math,active,,Q1 grade,,2026-08-26,2026-10-30,c-math,final,q1,0,100\n" +
                                     "li-read,active,,Q1 grade,,2026-08-26,2026-10-30,c-read,final,q1,0,4\n";
    private const string Classes = "sourcedId,status,dateLastModified,title\nc-math,active,,Math 3\nc-read,active,,Reading 3\n";
    private const string Results = "sourcedId,status,dateLastModified,lineItemSourcedId,studentSourcedId,scoreStatus,score,textScore,scoreDate,comment\n" +
                                   "r1,active,,li-math,u1,fully graded,55,,2026-10-30,\n" +
                                   "r2,active,,li-read,u1,fully graded,1,F,2026-10-30,\n" +
                                   "r3,active,,li-math,u2,fully graded,91,,2026-10-30,\n" +
                                   "r4,active,,li-read,u2,fully graded,3.5,,2026-10-30,\n";

    private static Dictionary<string, string> Files() => new()
    {
        ["calendarDates.csv"] = Calendar(), ["attendance.csv"] = Attendance(), ["incidents.csv"] = Incidents,
        ["academicSessions.csv"] = Sessions, ["lineItems.csv"] = LineItems, ["classes.csv"] = Classes, ["results.csv"] = Results,
    };

    private Task<IndicatorImportPreview> Preview(int tenant, Dictionary<string, string> files) =>
        _app.InTenant(tenant, (sp, _) => sp.GetRequiredService<IndicatorImporter>().PreviewAsync(files));

    private Task<string> Import(int tenant, Dictionary<string, string> files) =>
        _app.InTenant(tenant, async (sp, _) =>
        {
            var importer = sp.GetRequiredService<IndicatorImporter>();
            return await importer.ApplyAsync(await importer.PreviewAsync(files), Today);
        });

    private Task<int> Rows(int tenant) => _app.InTenant(tenant, async (_, db) =>
        await db.AttendanceEvents.CountAsync() + await db.BehaviorIncidents.CountAsync() + await db.CourseMarks.CountAsync() + await db.SchoolDays.CountAsync());

    [Fact]
    public async Task A_bad_row_is_reported_with_file_and_line_and_nothing_is_written()
    {
        var files = Files();
        files["attendance.csv"] = Attendance() +
                                  "b1,u1,sch-n,16/11/2026,Tardy,\r\n" +            // line 12: not an ISO date
                                  "b2,u1,sch-n,2026-11-13,Sleeping in,\r\n" +       // 13: unknown category
                                  "b3,x9,sch-n,2026-11-13,Tardy,\r\n" +             // 14: the other tenant's student
                                  "b4,u3,sch-n,2026-11-13,Tardy,\r\n";              // 15: a student of another school
        files["incidents.csv"] = Incidents + "inc3,sch-x,u1,2026-10-01,Fighting,\n"; // 5: unknown school
        var preview = await Preview(_tenant, files);
        Assert.False(preview.CanImport);
        Assert.Equal(
        [
            new RejectedRow("attendance.csv", 12, "eventDate '16/11/2026' is not a date (yyyy-MM-dd)"),
            new RejectedRow("attendance.csv", 13, "attendanceEventCategoryDescriptor 'sleeping in' is not In Attendance, Excused Absence, Unexcused Absence, Tardy or Early departure"),
            new RejectedRow("attendance.csv", 14, "student 'x9' is not on this tenant's roster"),
            new RejectedRow("attendance.csv", 15, "student 'u3' is not a student of school 'sch-n'"),
            new RejectedRow("incidents.csv", 5, "school 'sch-x' is not one of this tenant's schools"),
        ], preview.Errors);
        await Assert.ThrowsAsync<InvalidOperationException>(() => _app.InTenant(_tenant, (sp, _) => sp.GetRequiredService<IndicatorImporter>().ApplyAsync(preview, Today)));
        Assert.Equal(0, await Rows(_tenant));

        // The duplicate source id, alone, is reported too.
        files = Files();
        files["attendance.csv"] = Attendance() + "a0,u2,sch-n,2026-11-13,Tardy,\r\n";
        Assert.Equal([new RejectedRow("attendance.csv", 12, "source id 'a0' is also on line 2")], (await Preview(_tenant, files)).Errors);
    }

    [Fact]
    public async Task Importing_twice_changes_nothing_and_a_correction_replaces_or_removes_by_source_id()
    {
        var first = await Preview(_tenant, Files());
        Assert.True(first.CanImport, string.Join("; ", first.Errors));
        Assert.Equal(new IndicatorCounts(9, 0, 0, 0), first.Attendance); // 8 absences and a tardy; "In Attendance" is not stored
        Assert.Equal(new IndicatorCounts(3, 0, 0, 0), first.Incidents);
        Assert.Equal(new IndicatorCounts(4, 0, 0, 0), first.Marks);
        Assert.Equal(Weekdays().Count - 1, first.SchoolDays.Add); // the holiday is not an instructional day
        await Import(_tenant, Files());
        var rows = await Rows(_tenant);

        var again = await Preview(_tenant, Files());
        Assert.Equal((0, 9), (again.Attendance.Total, again.Attendance.Unchanged));
        Assert.Equal((0, 0, 0), (again.Incidents.Total, again.Marks.Total, again.SchoolDays.Total));
        await Import(_tenant, Files());
        Assert.Equal(rows, await Rows(_tenant));

        // The district corrects a0 to present, and a1 from unexcused to excused.
        var files = Files();
        var lines = files["attendance.csv"].Split("\r\n").ToList();
        lines[1] = string.Join(',', lines[1].Split(',').Take(4).Append("In Attendance").Append(""));
        lines[2] = lines[2].Replace("Unexcused Absence", "Excused Absence");
        files = new Dictionary<string, string> { ["attendance.csv"] = string.Join("\r\n", lines) };
        var correction = await Preview(_tenant, files);
        Assert.Equal(new IndicatorCounts(0, 1, 7, 1), correction.Attendance);
        await Import(_tenant, files);
        var stored = await _app.InTenant(_tenant, (_, db) => db.AttendanceEvents.OrderBy(e => e.SourceId).Select(e => new { e.SourceId, e.Category }).ToListAsync());
        Assert.DoesNotContain(stored, e => e.SourceId == "a0");
        Assert.Equal(AttendanceCategory.ExcusedAbsence, stored.Single(e => e.SourceId == "a1").Category);
        Assert.Equal(0, await Rows(_other));
    }

    [Fact]
    public async Task The_summary_gives_rates_bands_incidents_and_failures_per_period()
    {
        await Import(_tenant, Files());
        var rows = await _app.InTenant(_tenant, (_, db) => db.StudentIndicators.ToDictionaryAsync(i => i.StudentId));
        var u1 = rows[_students["u1"]];
        Assert.Equal((53, 8, 849), (u1.YearDays, u1.YearAbsences, u1.YearAttendance)); // 45 of 53 days
        Assert.Equal(AttendanceBand.Chronic, u1.YearBand);
        Assert.Equal((53, 8, AttendanceBand.Chronic), (u1.TermDays, u1.TermAbsences, u1.TermBand)); // the fall term began with the year
        Assert.Equal((19, 8, 578, AttendanceBand.Severe), (u1.RecentDays, u1.RecentAbsences, u1.RecentAttendance, u1.RecentBand)); // 19 school days since 18 October
        Assert.Equal((1, 0), (u1.YearIncidents, u1.RecentIncidents));
        Assert.Equal(2, u1.YearFailures); // 55 of 100, and F
        var u2 = rows[_students["u2"]];
        Assert.Equal((0, 1000, AttendanceBand.Satisfactory, 1, 0), (u2.YearAbsences, u2.YearAttendance, u2.YearBand, u2.YearIncidents, u2.YearFailures)); // a tardy is not an absence
        // South has no calendar: u3's incident is counted, with no rate and no band.
        var u3 = rows[_students["u3"]];
        Assert.Equal((0, (int?)null, (AttendanceBand?)null, 1, 1), (u3.YearDays, u3.YearAttendance, u3.YearBand, u3.YearIncidents, u3.RecentIncidents));
        Assert.Empty(await _app.InTenant(_other, (_, db) => db.StudentIndicators.ToListAsync()));
    }

    [Fact]
    public async Task The_nightly_refresh_rewrites_only_the_rows_whose_figures_changed_and_moves_every_rows_date()
    {
        await Import(_tenant, Files());
        var before = await _app.InTenant(_tenant, (_, db) => db.StudentIndicators.AsNoTracking().ToDictionaryAsync(i => i.StudentId));
        // u2 gets a second incident; u3's only incident is withdrawn; u1's figures are the same the next day.
        await _app.InTenant(_tenant, async (_, db) =>
        {
            db.BehaviorIncidents.Add(new BehaviorIncident { SourceId = "inc3", StudentId = _students["u2"], Date = Today, SchoolId = _north, Severity = IncidentSeverity.Minor });
            db.BehaviorIncidents.RemoveRange(db.BehaviorIncidents.Where(e => e.StudentId == _students["u3"]));
            await db.SaveChangesAsync();
        });
        var next = Today.AddDays(1);
        await _app.InTenant(_tenant, (sp, _) => sp.GetRequiredService<IndicatorSummary>().RefreshAsync(next));

        var after = await _app.InTenant(_tenant, (_, db) => db.StudentIndicators.AsNoTracking().ToDictionaryAsync(i => i.StudentId));
        Assert.Equal([_students["u1"], _students["u2"]], after.Keys.Order());
        var (u1, u2) = (after[_students["u1"]], after[_students["u2"]]);
        Assert.Equal(before[_students["u1"]].Id, u1.Id); // not rewritten
        Assert.Equal((53, 8, 849, AttendanceBand.Chronic, 2), (u1.YearDays, u1.YearAbsences, u1.YearAttendance, u1.YearBand, u1.YearFailures));
        Assert.NotEqual(before[_students["u2"]].Id, u2.Id);
        Assert.Equal((2, 1), (u2.YearIncidents, u2.RecentIncidents));
        Assert.All(after.Values, i => Assert.Equal(next, i.AsOf));
        Assert.Empty(await _app.InTenant(_other, (_, db) => db.StudentIndicators.ToListAsync()));
    }

    [Fact]
    public async Task Bands_follow_the_tenants_thresholds()
    {
        var t = new IndicatorSummary.Thresholds(95, 90, 80);
        Assert.Equal((1000, AttendanceBand.Satisfactory), IndicatorSummary.Rate(20, 0, t));
        Assert.Equal((950, AttendanceBand.Satisfactory), IndicatorSummary.Rate(20, 1, t));
        Assert.Equal((900, AttendanceBand.AtRisk), IndicatorSummary.Rate(20, 2, t));
        Assert.Equal((850, AttendanceBand.Chronic), IndicatorSummary.Rate(20, 3, t));
        Assert.Equal((750, AttendanceBand.Severe), IndicatorSummary.Rate(20, 5, t));
        Assert.Equal((949, AttendanceBand.AtRisk), IndicatorSummary.Rate(1000, 51, t)); // 94.9 %, not rounded up into the band above
        Assert.Equal((500, (AttendanceBand?)null), IndicatorSummary.Rate(4, 2, t)); // too few days for a band
        Assert.Equal((null, null), IndicatorSummary.Rate(0, 0, t));

        await _app.InTenant(_tenant, async (_, db) =>
        {
            var tenant = await db.Tenants.SingleAsync();
            (tenant.AttendanceSatisfactoryPercent, tenant.AttendanceAtRiskPercent, tenant.AttendanceChronicPercent) = (90, 84, 70);
            await db.SaveChangesAsync();
        });
        await Import(_tenant, Files());
        var u1 = await _app.InTenant(_tenant, (_, db) => db.StudentIndicators.SingleAsync(i => i.StudentId == _students["u1"]));
        Assert.Equal((AttendanceBand.AtRisk, AttendanceBand.Severe), (u1.YearBand, u1.RecentBand)); // 84.9 % and 57.8 %
    }

    private static async Task<HttpResponseMessage> UploadAsync(HttpClient client, params (string Name, string Content)[] files)
    {
        var page = await client.GetDocumentAsync("/Roster/Indicators");
        var token = page.QuerySelector("form[enctype] input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        var form = new MultipartFormDataContent { { new StringContent(token), "__RequestVerificationToken" } };
        foreach (var (name, content) in files)
            form.Add(new ByteArrayContent(Encoding.UTF8.GetBytes(content)), "files", name);
        return await client.PostAsync("/Roster/Indicators?handler=Upload", form);
    }

    [Fact]
    public async Task An_admin_uploads_reads_the_report_and_confirms_and_no_one_else_can()
    {
        var admin = await _app.SignedInAsync("admin@ind.test");
        var uploaded = await UploadAsync(admin, ("incidents.csv", Incidents + "inc9,sch-n,nobody,2026-10-01,,\n"));
        var report = await admin.GetDocumentAsync(uploaded.Location());
        Assert.Contains("student 'nobody' is not on this tenant's roster", report.QuerySelector("table.rejected")!.TextContent);
        Assert.Contains("5", report.QuerySelector("table.rejected td.num")!.TextContent);
        Assert.Empty(report.QuerySelectorAll("form[action*='handler=Apply']"));

        uploaded = await UploadAsync(admin, ("incidents.csv", Incidents));
        var reportUrl = uploaded.Location();
        report = await admin.GetDocumentAsync(reportUrl);
        Assert.Equal("3", report.QuerySelectorAll("table.report tbody tr")[2].QuerySelectorAll("td")[0].TextContent);
        Assert.Equal(0, await Rows(_tenant));

        var other = await _app.SignedInAsync("admin@ind-other.test");
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync(reportUrl)).StatusCode);
        // The roster page does not open an indicator upload, nor the reverse.
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync(reportUrl.Replace("/Roster/Indicators/", "/Roster/Import/"))).StatusCode);
        var coordinator = await _app.SignedInAsync("coord@ind.test");
        Assert.StartsWith("https://localhost/Account/AccessDenied", (await coordinator.GetAsync("/Roster/Indicators")).Location());

        var applied = await admin.SubmitFormAsync(reportUrl, [], formSelector: "form[action*='handler=Apply']");
        Assert.Equal(HttpStatusCode.Redirect, applied.StatusCode);
        Assert.Equal(3, await _app.InTenant(_tenant, (_, db) => db.BehaviorIncidents.CountAsync()));
        Assert.Contains("Incidents: 3 added", await (await admin.GetAsync(reportUrl)).Content.ReadAsStringAsync());
        Assert.Null(await _app.InTenant(_tenant, (_, db) => db.RosterUploads.Where(u => u.AppliedAt != null).Select(u => u.Package).SingleAsync()));
    }

    private async Task RunNightlyCheckAsync() =>
        await _app.Services.GetRequiredService<SuccessPlans.Features.Jobs.TenantJobRunner>().RunAsync(SuccessPlans.Features.Jobs.TenantJobCatalog.NightlyCheck.Name, _tenant, "test", CancellationToken.None);

    private Task<List<(int Subject, bool Open)>> IndicatorFlagsAsync() => _app.InTenant(_tenant, async (_, db) =>
        (await db.Flags.Where(f => f.Kind == SuccessPlans.Features.Flags.FlagKind.IndicatorWithoutPlan).OrderBy(f => f.Id).Select(f => new { f.SubjectId, f.ResolvedAt }).ToListAsync())
        .Select(f => (f.SubjectId, f.ResolvedAt == null)).ToList());

    private static Dictionary<string, string> AttendanceOnly(Func<string, string> change) => new() { ["attendance.csv"] = change(Attendance()) };

    [Fact]
    public async Task Poor_attendance_with_no_need_is_flagged_once_in_the_digest_and_closes_when_it_improves_or_a_need_is_added()
    {
        await Import(_tenant, Files());
        await RunNightlyCheckAsync();
        // u1: 84.9 % this year but 57.8 % in the last 30 days, a worse band; u2 is fine; u3 has no rate.
        Assert.Equal([(_students["u1"], true)], await IndicatorFlagsAsync());
        await RunNightlyCheckAsync();
        Assert.Equal([(_students["u1"], true)], await IndicatorFlagsAsync());
        var digest = await _app.InTenant(_tenant, (_, db) => db.Notifications.Where(n => n.RecipientEmail == "north@ind.test" && n.Kind == "digest").Select(n => n.BodyText).SingleAsync());
        Assert.Contains("Indicator without a plan (1)", digest);
        Assert.Contains("u1 Test", digest);

        // The district corrects every absence away: the band improves and the flag closes itself.
        await Import(_tenant, AttendanceOnly(a => a.Replace("Unexcused Absence", "In Attendance").Replace("Excused Absence", "In Attendance")));
        await RunNightlyCheckAsync();
        Assert.Equal([(_students["u1"], false)], await IndicatorFlagsAsync());

        // The absences return and so does the flag; a need in the plan closes it at once, and the next night agrees.
        await Import(_tenant, Files());
        await RunNightlyCheckAsync();
        Assert.Equal([(_students["u1"], false), (_students["u1"], true)], await IndicatorFlagsAsync());
        await _app.InTenant(_tenant, async (sp, db) =>
        {
            var student = await db.Students.Include(s => s.School).SingleAsync(s => s.Id == _students["u1"]);
            var plans = sp.GetRequiredService<SuccessPlans.Features.Plans.PlanService>();
            var plan = new SuccessPlans.Features.Plans.SuccessPlan { StudentId = student.Id, SchoolYear = 2026, Status = SuccessPlans.Features.Plans.PlanStatus.Active };
            db.Plans.Add(plan);
            await db.SaveChangesAsync();
            await plans.AddItemAsync(student, plan, new SuccessPlans.Features.Plans.NewPlanItem(SuccessPlans.Features.Plans.Domain.Family, SuccessPlans.Features.Plans.PlanItemKind.Need, "Getting to school", "Attend 95 % of days"),
                new SuccessPlans.Features.Plans.Actor(null, "test"), null);
        });
        Assert.Equal([(_students["u1"], false), (_students["u1"], false)], await IndicatorFlagsAsync());
        await RunNightlyCheckAsync();
        Assert.Equal([(_students["u1"], false), (_students["u1"], false)], await IndicatorFlagsAsync());
    }

    private Task<List<(int Subject, bool Open)>> NotImprovingFlagsAsync() => _app.InTenant(_tenant, async (_, db) =>
        (await db.Flags.Where(f => f.Kind == SuccessPlans.Features.Flags.FlagKind.NotImproving).OrderBy(f => f.Id).Select(f => new { f.SubjectId, f.ResolvedAt }).ToListAsync())
        .Select(f => (f.SubjectId, f.ResolvedAt == null)).ToList());

    [Fact]
    public async Task A_need_whose_services_began_over_30_days_ago_while_attendance_got_worse_is_flagged_not_improving_until_it_is_met()
    {
        // u1: chronically absent this year (84.9 %), severely in the last 30 days (57.8 %): worse lately.
        await Import(_tenant, Files());
        var (need, referral) = await _app.InTenant(_tenant, async (sp, db) =>
        {
            var student = await db.Students.Include(s => s.School).SingleAsync(s => s.Id == _students["u1"]);
            var plan = new SuccessPlans.Features.Plans.SuccessPlan { StudentId = student.Id, SchoolYear = 2026, Status = SuccessPlans.Features.Plans.PlanStatus.Active };
            db.Plans.Add(plan);
            var organization = new SuccessPlans.Features.Directory.ProviderOrganization { Name = "Attendance Mentors" };
            var service = new SuccessPlans.Features.Directory.Service { Name = "Check and connect", Organization = organization, Domain = SuccessPlans.Features.Plans.Domain.Family };
            db.Services.Add(service);
            await db.SaveChangesAsync();
            var item = await sp.GetRequiredService<SuccessPlans.Features.Plans.PlanService>().AddItemAsync(student, plan,
                new SuccessPlans.Features.Plans.NewPlanItem(SuccessPlans.Features.Plans.Domain.Family, SuccessPlans.Features.Plans.PlanItemKind.Need, "Getting to school", "Attend 95 % of days"),
                new SuccessPlans.Features.Plans.Actor(null, "test"), null);
            var needId = await db.PlanItems.Where(i => i.PlanId == plan.Id).Select(i => i.Id).SingleAsync();
            var r = new SuccessPlans.Features.Referrals.Referral { StudentId = student.Id, NeedId = needId, ServiceId = service.Id, OrganizationId = organization.Id,
                SchoolId = student.SchoolId, Status = SuccessPlans.Features.Referrals.ReferralStatus.InService, SentByName = "test" };
            db.Referrals.Add(r);
            await db.SaveChangesAsync();
            return (needId, r.Id);
        });
        async Task DeliverAsync(int daysAgo) => await _app.InTenant(_tenant, async (_, db) =>
        {
            db.ServiceDeliveries.Add(new SuccessPlans.Features.Referrals.ServiceDelivery { ReferralId = referral, DeliveredOn = Today.AddDays(-daysAgo), Amount = 1, DeliveredBy = "mentor" });
            await db.SaveChangesAsync();
        });

        // Services began ten days ago: too soon to tell, whatever the last 30 days say.
        await DeliverAsync(10);
        await RunNightlyCheckAsync();
        Assert.Empty(await NotImprovingFlagsAsync());

        // They began 40 days ago: the whole of the last 30 days is after, and attendance got worse. Once, however often checked.
        await DeliverAsync(40);
        await RunNightlyCheckAsync();
        await RunNightlyCheckAsync();
        Assert.Equal([(need, true)], await NotImprovingFlagsAsync());
        var digest = await _app.InTenant(_tenant, (_, db) => db.Notifications.Where(n => n.RecipientEmail == "north@ind.test" && n.Kind == "digest").OrderBy(n => n.Id).Select(n => n.BodyText).FirstAsync());
        Assert.Contains("Not improving (1)", digest);

        // The coordinator marks the need met: the flag closes at once, and the next night agrees.
        await _app.InTenant(_tenant, async (sp, db) =>
        {
            var student = await db.Students.Include(s => s.School).SingleAsync(s => s.Id == _students["u1"]);
            var plan = await db.Plans.Include(p => p.Items).SingleAsync(p => p.StudentId == student.Id);
            await sp.GetRequiredService<SuccessPlans.Features.Plans.PlanService>().UpdateNeedAsync(student, plan, need, SuccessPlans.Features.Plans.NeedStatus.Met,
                null, null, new SuccessPlans.Features.Plans.Actor(null, "test"), null);
        });
        Assert.Equal([(need, false)], await NotImprovingFlagsAsync());
        await RunNightlyCheckAsync();
        Assert.Equal([(need, false)], await NotImprovingFlagsAsync());
    }

    [Fact]
    public async Task The_band_shows_on_the_caseload_with_a_filter_and_a_sort_and_on_the_student_page_only_to_those_who_may_see_the_child()
    {
        await Import(_tenant, Files());
        var north = await _app.SignedInAsync("north@ind.test");
        var caseload = await north.GetDocumentAsync("/Students?band=Chronic");
        var rows = caseload.QuerySelectorAll("tbody tr").Select(r => r.TextContent).ToList();
        Assert.Single(rows);
        Assert.Contains("Chronically absent (84.9%)", rows[0]);
        var sorted = await north.GetDocumentAsync("/Students?sort=attendance");
        Assert.Equal(["u1", "u2"], sorted.QuerySelectorAll("tbody tr td:first-child a").Select(a => a.TextContent.Split(", ")[1]).ToArray());
        Assert.Contains("Satisfactory (100.0%)", sorted.QuerySelectorAll("tbody tr")[1].TextContent);

        var page = await north.GetDocumentAsync($"/Students/{_students["u1"]}");
        var table = page.QuerySelector("table.indicators")!.TextContent;
        Assert.Contains("Severely chronically absent (57.8%)", table);
        Assert.Contains("8 of 53", table);

        // A coordinator of other schools and another tenant's Admin get nothing of it.
        var noSchools = await _app.SignedInAsync("coord@ind.test");
        Assert.Equal(HttpStatusCode.NotFound, (await noSchools.GetAsync($"/Students/{_students["u1"]}")).StatusCode);
        Assert.Empty((await noSchools.GetDocumentAsync("/Students?band=Chronic")).QuerySelectorAll("tbody tr"));
        var other = await _app.SignedInAsync("admin@ind-other.test");
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/Students/{_students["u1"]}")).StatusCode);
    }

    [Fact]
    public async Task The_admin_sets_the_band_thresholds_in_settings_and_they_must_make_bands()
    {
        var admin = await _app.SignedInAsync("admin@ind.test");
        var bad = await admin.SubmitFormAsync("/Settings", new() { ["Input.AttendanceSatisfactoryPercent"] = "90", ["Input.AttendanceAtRiskPercent"] = "92" });
        Assert.Contains("Each attendance threshold must be lower than the one before it", await bad.Content.ReadAsStringAsync());
        var saved = await admin.SubmitFormAsync("/Settings", new() { ["Input.AttendanceSatisfactoryPercent"] = "92", ["Input.AttendanceAtRiskPercent"] = "85", ["Input.AttendanceChronicPercent"] = "75" });
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        Assert.Equal((92, 85, 75), await _app.InTenant(_tenant, async (_, db) => await db.Tenants.Select(t => new ValueTuple<int, int, int>(t.AttendanceSatisfactoryPercent, t.AttendanceAtRiskPercent, t.AttendanceChronicPercent)).SingleAsync()));
        Assert.Equal((95, 90, 80), await _app.InTenant(_other, async (_, db) => await db.Tenants.Select(t => new ValueTuple<int, int, int>(t.AttendanceSatisfactoryPercent, t.AttendanceAtRiskPercent, t.AttendanceChronicPercent)).SingleAsync()));
    }
}
