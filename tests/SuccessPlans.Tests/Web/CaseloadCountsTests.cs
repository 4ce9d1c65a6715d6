using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using SuccessPlans.Features.Flags;
using SuccessPlans.Features.Indicators;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Schools;
using SuccessPlans.Features.Students;
using SuccessPlans.Features.Users;
using SuccessPlans.Data;
using SuccessPlans.Tests.Infrastructure;

namespace SuccessPlans.Tests.Web;

/// <summary>
/// Issue 15: the caseload's counts are kept per tenant, user's schools and filter, and every write to what they read
/// (a save, raw SQL, the indicator refresh's bulk rows, a transaction's commit) shows in the next count. Another
/// tenant's count is never served, even for the same schools' ids.
/// </summary>
public class CaseloadCountsTests : IAsyncLifetime
{
    // Monday 16 November 2026: school year 2026.
    private readonly AppFactory _app = new(new DateTimeOffset(2026, 11, 16, 17, 0, 0, TimeSpan.Zero));
    private static readonly DateOnly Today = new(2026, 11, 16);
    private const int Year = 2026;
    private int _tenant, _other, _elm, _oak, _otherSchool;
    private readonly List<int> _elmStudents = [];

    public async Task InitializeAsync()
    {
        _tenant = (await _app.CreateTenantAsync("counts-a")).Id;
        _other = (await _app.CreateTenantAsync("counts-b")).Id;
        _elm = (await _app.CreateSchoolAsync(_tenant, "Elm School")).Id;
        _oak = (await _app.CreateSchoolAsync(_tenant, "Oak School")).Id;
        _otherSchool = (await _app.CreateSchoolAsync(_other, "Other School")).Id;
        await _app.InTenant(_tenant, async (_, db) =>
        {
            // 55 children at Elm (a full first page, so the page counts), 3 at Oak; the first three at Elm have a tier-2 plan.
            var elm = Enumerable.Range(1, 55).Select(i => new Student { SchoolId = _elm, GivenName = $"E{i:00}", FamilyName = "Elm", Grade = "03" }).ToList();
            db.Students.AddRange(elm);
            db.Students.AddRange(Enumerable.Range(1, 3).Select(i => new Student { SchoolId = _oak, GivenName = $"O{i}", FamilyName = "Oak", Grade = "03" }));
            db.Plans.AddRange(elm.Take(3).Select(s => new SuccessPlan { Student = s, SchoolYear = Year, Tier = 2 }));
            await db.SaveChangesAsync();
            _elmStudents.AddRange(elm.Select(s => s.Id));
        });
        await _app.InTenant(_other, async (_, db) =>
        {
            var child = new Student { SchoolId = _otherSchool, GivenName = "Bea", FamilyName = "Other", Grade = "03" };
            db.Students.Add(child);
            db.Plans.Add(new SuccessPlan { Student = child, SchoolYear = Year, Tier = 2 });
            await db.SaveChangesAsync();
        });
        await _app.CreateUserAsync(_tenant, "elm@counts.test", UserRole.Coordinator, [_elm]);
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    // The second page: its count is always read (or the kept one used), never taken from a first page's rows.
    private Task<int> CountAsync(CaseloadFilter filter, int? tenant = null, int[]? schools = null) =>
        _app.InTenant(tenant ?? _tenant, async (sp, db) =>
            (await Caseload.PageAsync(db, sp.GetRequiredService<TenantReadCache>(), schools ?? [_elm], filter, Year, 2, 50, CancellationToken.None)).Total);

    private TenantReadCache Counts => _app.Services.GetRequiredService<TenantReadCache>();

    private static readonly CaseloadFilter Tier2 = new(Tier: 2);

    [Fact]
    public async Task A_count_is_kept_until_this_process_writes_what_it_reads()
    {
        Assert.Equal(3, await CountAsync(Tier2));
        Assert.Equal(2, Counts.Count); // the count and the page shown

        // Another process moves a child to tier 2: this process keeps its count for up to TenantReadCache.Lifetime.
        await _app.WriteElsewhereAsync($"UPDATE \"Students\" SET \"GivenName\" = 'Renamed' WHERE \"Id\" = {_elmStudents[10]}");
        await _app.WriteElsewhereAsync($"INSERT INTO \"Plans\" (\"TenantId\", \"StudentId\", \"SchoolYear\", \"Status\", \"Tier\", \"CreatedAt\", \"UpdatedAt\", \"Version\") " +
                                  $"VALUES ({_tenant}, {_elmStudents[10]}, {Year}, 'Active', 2, '2026-11-16 00:00:00', '2026-11-16 00:00:00', '{Guid.NewGuid()}')");
        Assert.Equal(3, await CountAsync(Tier2));
        // The sort, a blank search and the page are not part of the key.
        Assert.Equal(3, await CountAsync(Tier2 with { Sort = "name", Q = "  " }));

        // A save here of something no count reads keeps the counts.
        await _app.InTenant(_tenant, async (_, db) =>
        {
            db.SchoolDays.Add(new SchoolDay { SchoolId = _oak, Date = Today });
            await db.SaveChangesAsync();
        });
        Assert.Equal(3, await CountAsync(Tier2));

        // A save here of a plan retires them: the next count reads both changes.
        await _app.InTenant(_tenant, async (_, db) =>
        {
            db.Plans.Add(new SuccessPlan { StudentId = _elmStudents[11], SchoolYear = Year, Tier = 2 });
            await db.SaveChangesAsync();
        });
        Assert.Equal(5, await CountAsync(Tier2));
    }

    public static TheoryData<string> Writers() => new("plan saved", "need added", "flag raised in SQL", "flag dismissed", "child withdrawn in SQL",
        "indicators refreshed", "child erased", "children added in bulk");

    [Theory]
    [MemberData(nameof(Writers))]
    public async Task Every_writer_of_what_a_count_reads_shows_in_the_next_count(string writer)
    {
        var child = _elmStudents[20];
        var (filter, before, after) = writer switch
        {
            "plan saved" => (Tier2, 3, 4),
            "need added" => (new CaseloadFilter(OpenNeeds: true), 0, 1),
            "flag raised in SQL" or "flag dismissed" => (new CaseloadFilter(OpenFlags: true), writer == "flag dismissed" ? 1 : 0, writer == "flag dismissed" ? 0 : 1),
            "indicators refreshed" => (new CaseloadFilter(Band: AttendanceBand.Severe), 0, 1),
            "children added in bulk" => (new CaseloadFilter(), 55, 56),
            _ => (new CaseloadFilter(), 55, 54),
        };
        if (writer == "flag dismissed")
            await _app.InTenant(_tenant, async (_, db) =>
            {
                db.Flags.Add(new Flag { Kind = FlagKind.ReviewOverdue, SubjectId = child, StudentId = child, FirstSeenOn = Today });
                await db.SaveChangesAsync();
            });
        if (writer == "need added")
            await _app.InTenant(_tenant, async (_, db) =>
            {
                db.Plans.Add(new SuccessPlan { StudentId = child, SchoolYear = Year, Tier = 1 });
                await db.SaveChangesAsync();
            });
        Assert.Equal(before, await CountAsync(filter));
        Assert.Equal(before, await CountAsync(filter)); // kept

        await _app.InTenant(_tenant, async (sp, db) =>
        {
            switch (writer)
            {
                case "plan saved":
                    db.Plans.Add(new SuccessPlan { StudentId = child, SchoolYear = Year, Tier = 2 });
                    await db.SaveChangesAsync();
                    break;
                case "need added":
                    var plan = await db.Plans.SingleAsync(p => p.StudentId == child);
                    db.PlanItems.Add(new PlanItem { PlanId = plan.Id, Kind = PlanItemKind.Need, Status = NeedStatus.Open, Domain = Domain.Health, Description = "Glasses", IdentifiedOn = Today });
                    await db.SaveChangesAsync();
                    break;
                case "flag raised in SQL":
                    // As the nightly check raises its flags: one INSERT ... SELECT, no entity.
                    await db.Database.ExecuteSqlAsync($"""
                        INSERT INTO "Flags" ("TenantId", "Kind", "SubjectId", "StudentId", "FirstSeenOn", "Version")
                        SELECT "TenantId", 'ReviewOverdue', "Id", "Id", '2026-11-16', 'F1' FROM "Students" WHERE "Id" = {child}
                        """);
                    break;
                case "flag dismissed":
                    var flag = await db.Flags.SingleAsync(f => f.StudentId == child);
                    await sp.GetRequiredService<FlagService>().DismissAsync([flag.Id], "Seen to", db.Students.Select(s => s.Id), new Actor(null, "Test"), CancellationToken.None);
                    break;
                case "child withdrawn in SQL":
                    await db.Students.Where(s => s.Id == child).ExecuteUpdateAsync(u => u.SetProperty(s => s.Status, StudentStatus.Withdrawn));
                    break;
                case "indicators refreshed":
                    // Absent every school day so far: the refresh writes the child's summary row in bulk (no EF entity).
                    for (var d = new DateOnly(2026, 11, 2); d < Today; d = d.AddDays(1))
                    {
                        if (d.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday) continue;
                        db.SchoolDays.Add(new SchoolDay { SchoolId = _elm, Date = d });
                        db.AttendanceEvents.Add(new AttendanceEvent { SourceId = $"a{d:MMdd}", StudentId = child, SchoolId = _elm, Date = d, Category = AttendanceCategory.UnexcusedAbsence });
                    }
                    await db.SaveChangesAsync();
                    await sp.GetRequiredService<IndicatorSummary>().RefreshAsync(Today);
                    break;
                case "children added in bulk":
                    // As the roster import adds a district's children: multi-row INSERTs past EF's interceptors, in a transaction.
                    await db.InTransactionAsync(ct => BulkInsert.StudentsAsync(db, _tenant,
                        [new Student { SchoolId = _elm, GivenName = "New", FamilyName = "Elm", ExternalId = "bulk-1", Grade = "03" }], ct));
                    break;
                case "child erased":
                    await sp.GetRequiredService<SuccessPlans.Features.Retention.StudentErasure>().EraseAsync(child, $"{child}", new Actor(null, "Test Admin"), "admin@test");
                    break;
            }
        });
        Assert.Equal(after, await CountAsync(filter));
    }

    [Fact]
    public async Task A_first_page_that_is_not_full_keeps_its_count_and_a_kept_zero_reads_no_rows_until_a_write()
    {
        Task<Caseload.Page> FirstPageAsync(CaseloadFilter filter) => _app.InTenant(_tenant, (sp, db) =>
            Caseload.PageAsync(db, sp.GetRequiredService<TenantReadCache>(), [_elm], filter, Year, 1, 50, CancellationToken.None));
        var tier2 = await FirstPageAsync(Tier2);
        Assert.Equal((3, 3, 1), (tier2.Rows.Count, tier2.Total, tier2.Number));
        Assert.Equal(3, await CountAsync(Tier2)); // the same key: kept from the first page's rows

        var none = await FirstPageAsync(new CaseloadFilter(Tier: 3));
        Assert.Equal((0, 0), (none.Rows.Count, none.Total));
        // A child moved to tier 3 by another process: the kept zero answers (no rows read) until the lifetime ends...
        await _app.WriteElsewhereAsync($"UPDATE \"Plans\" SET \"Tier\" = 3 WHERE \"StudentId\" = {_elmStudents[0]}");
        Assert.Equal((0, 0), ((await FirstPageAsync(new CaseloadFilter(Tier: 3))).Rows.Count, (await FirstPageAsync(new CaseloadFilter(Tier: 3))).Total));
        // ... or a write here.
        await _app.InTenant(_tenant, async (_, db) =>
        {
            db.Plans.Add(new SuccessPlan { StudentId = _elmStudents[50], SchoolYear = Year, Tier = 3 });
            await db.SaveChangesAsync();
        });
        var after = await FirstPageAsync(new CaseloadFilter(Tier: 3));
        Assert.Equal((2, 2), (after.Rows.Count, after.Total));
    }

    [Fact]
    public async Task A_page_past_the_last_shows_the_last()
    {
        var page = await _app.InTenant(_tenant, (sp, db) =>
            Caseload.PageAsync(db, sp.GetRequiredService<TenantReadCache>(), [_elm], new CaseloadFilter(), Year, 9, 50, CancellationToken.None));
        Assert.Equal((5, 55, 2), (page.Rows.Count, page.Total, page.Number));
        // It is kept as the last page, not as page 9: asking for page after page past the last keeps nothing more.
        var kept = Counts.Count;
        foreach (var number in new[] { 10, 11, 2 })
            Assert.Equal(2, (await PageAsync(new CaseloadFilter(), number)).Number);
        Assert.Equal(kept, Counts.Count);
    }

    [Fact]
    public async Task A_count_read_while_a_write_is_uncommitted_is_not_kept_past_the_commit()
    {
        Assert.Equal(3, await CountAsync(Tier2));
        await _app.InTenant(_tenant, async (_, db) =>
        {
            // The house's transaction (retried as a unit); it commits when the work returns.
            await db.InTransactionAsync(async ct =>
            {
                db.Plans.Add(new SuccessPlan { StudentId = _elmStudents[30], SchoolYear = Year, Tier = 2 });
                await db.SaveChangesAsync(ct);
                // Another request counts now, from the data before the commit (its own connection), and keeps that count.
                Assert.Equal(3, await CountAsync(Tier2));
            });
        });
        Assert.Equal(4, await CountAsync(Tier2));
    }

    [Fact]
    public async Task Another_tenants_count_is_never_served_even_for_the_same_school_ids()
    {
        Assert.Equal(3, await CountAsync(Tier2));
        // The other tenant asks with this tenant's school ids: its query filter keeps nothing, and the kept count of this
        // tenant is not its answer.
        Assert.Equal(0, await CountAsync(Tier2, _other, [_elm]));
        Assert.Equal(1, await CountAsync(Tier2, _other, [_otherSchool]));
        // And a coordinator's other schools are another key.
        Assert.Equal(0, await CountAsync(Tier2, schools: [_oak]));
        Assert.Equal(3, await CountAsync(Tier2, schools: [_oak, _elm]));
    }

    [Fact]
    public async Task The_caseload_page_shows_a_new_plan_in_its_count_at_once()
    {
        var browser = await _app.SignedInAsync("elm@counts.test");
        Assert.Equal(55, Total(await browser.GetStringAsync("/Students")));
        Assert.Equal(3, Total(await browser.GetStringAsync("/Students?Tier=2&p=2")));
        await _app.InTenant(_tenant, async (_, db) =>
        {
            db.Plans.Add(new SuccessPlan { StudentId = _elmStudents[40], SchoolYear = Year, Tier = 2 });
            await db.SaveChangesAsync();
        });
        Assert.Equal(4, Total(await browser.GetStringAsync("/Students?Tier=2&p=2")));
        await _app.InTenant(_tenant, (_, db) => db.Students.Where(s => s.Id == _elmStudents[41]).ExecuteUpdateAsync(u => u.SetProperty(s => s.Status, StudentStatus.Withdrawn)));
        Assert.Equal(54, Total(await browser.GetStringAsync("/Students")));
    }

    private static int Total(string page) =>
        int.Parse(Regex.Match(page, @"(\d+) student\(s\)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);

    private Task<Caseload.Page> PageAsync(CaseloadFilter filter, int number = 1) => _app.InTenant(_tenant, (sp, db) =>
        Caseload.PageAsync(db, sp.GetRequiredService<TenantReadCache>(), [_elm], filter, Year, number, 50, CancellationToken.None));

    private static string Names(Caseload.Page page, int take = 3) => string.Join(" ", page.Rows.Take(take).Select(r => r.GivenName));

    [Fact]
    public async Task A_sort_by_a_joined_column_keeps_its_page_until_a_write()
    {
        // By tier: the three tier-2 children first, then the rest by name.
        var byTier = new CaseloadFilter(Sort: "tier");
        Assert.Equal(("E01 E02 E03 E04", 55), (Names(await PageAsync(byTier), 4), (await PageAsync(byTier)).Total));
        Assert.Equal(5, (await PageAsync(byTier, 2)).Rows.Count);
        var tier2 = new CaseloadFilter(Tier: 2, Sort: "tier");
        Assert.Equal(("E01 E02 E03", 3), (Names(await PageAsync(tier2)), (await PageAsync(tier2)).Total));

        // SQL from a tool, not an app process, renames the first child and moves the second to tier 1: it moves no data
        // version, so the pages are kept until their lifetime; then read afresh, order, rows and count.
        await _app.WriteElsewhereAsync($"UPDATE \"Students\" SET \"GivenName\" = 'Renamed' WHERE \"Id\" = {_elmStudents[0]}");
        await _app.WriteElsewhereAsync($"UPDATE \"Plans\" SET \"Tier\" = 1 WHERE \"StudentId\" = {_elmStudents[1]}");
        Assert.Equal(("E01 E02 E03", 3), (Names(await PageAsync(tier2)), (await PageAsync(tier2)).Total));
        _app.Time.Advance(TenantReadCache.Lifetime);
        var fresh = await PageAsync(tier2);
        Assert.Equal(("E03 Renamed", 2), (Names(fresh), fresh.Total));

        // A save here retires them at once: the next page reads it afresh, with the change.
        await _app.InTenant(_tenant, async (_, db) =>
        {
            db.Plans.Add(new SuccessPlan { StudentId = _elmStudents[10], SchoolYear = Year, Tier = 3 });
            await db.SaveChangesAsync();
        });
        Assert.Equal("E11 E03 Renamed", Names(await PageAsync(byTier)));
        Assert.Equal(("E11", 1), (Names(await PageAsync(new CaseloadFilter(Tier: 3, Sort: "review"))), (await PageAsync(new CaseloadFilter(Tier: 3, Sort: "review"))).Total));
    }

    [Fact]
    public async Task A_write_by_another_app_process_shows_in_the_next_page()
    {
        var tier2 = new CaseloadFilter(Tier: 2, Sort: "tier");
        Assert.Equal(("E01 E02 E03", 3), (Names(await PageAsync(tier2)), (await PageAsync(tier2)).Total));
        Assert.Equal("E01 E02 E03", Names(await PageAsync(new CaseloadFilter())));
        Assert.Equal("Elm School", (await PageAsync(new CaseloadFilter())).Rows[0].School);

        // A second app on the same database file, as a second node is: this app's cache never hears of its writes, but
        // each moves the tenant's data version, which every page reads first.
        await using var other = new AppFactory(_app.Time.GetUtcNow()) { Settings = { ["ConnectionStrings:Sqlite"] = $"Data Source={Path.Combine(_app.Root, "app.db")}" } };
        await other.InTenant(_tenant, async (_, db) =>
        {
            (await db.Students.SingleAsync(s => s.Id == _elmStudents[0])).GivenName = "Renamed";
            await db.SaveChangesAsync();
        });
        Assert.Equal("E02 E03 E04", Names(await PageAsync(new CaseloadFilter())));
        Assert.Equal(("E02 E03 Renamed", 3), (Names(await PageAsync(tier2)), (await PageAsync(tier2)).Total));

        await other.InTenant(_tenant, (_, db) => db.Database.ExecuteSqlAsync($"UPDATE \"Plans\" SET \"Tier\" = 1 WHERE \"StudentId\" = {_elmStudents[1]}"));
        Assert.Equal(("E03 Renamed", 2), (Names(await PageAsync(tier2)), (await PageAsync(tier2)).Total));

        // The school's name, shown in every row, is what the page reads too.
        Assert.Equal("Elm School", (await PageAsync(new CaseloadFilter())).Rows[0].School);
        await other.InTenant(_tenant, async (_, db) =>
        {
            (await db.Schools.SingleAsync(s => s.Id == _elm)).Name = "Elm Elementary";
            await db.SaveChangesAsync();
        });
        Assert.Equal("Elm Elementary", (await PageAsync(new CaseloadFilter())).Rows[0].School);
    }

    [Theory]
    [InlineData("tier")]
    [InlineData("open needs")]
    public async Task A_filter_on_another_table_keeps_its_page_in_names_until_a_write(string filter)
    {
        // Three children in the filter, E01-E03 (tier 2; or each with an open need).
        var f = filter == "tier" ? Tier2 : new CaseloadFilter(OpenNeeds: true);
        if (filter == "open needs")
            await _app.InTenant(_tenant, async (_, db) =>
            {
                foreach (var plan in await db.Plans.Where(p => p.Tier == 2).ToListAsync())
                    plan.Items.Add(new PlanItem { Kind = PlanItemKind.Need, Status = NeedStatus.Open, Domain = Domain.Health, Description = "Glasses", IdentifiedOn = Today });
                await db.SaveChangesAsync();
            });
        Assert.Equal(("E01 E02 E03", 3), (Names(await PageAsync(f)), (await PageAsync(f)).Total));

        // SQL from a tool renames the first child (now last by name) and takes the second out of the filter: the page is
        // kept until its lifetime, then read afresh in names, without the one out.
        await _app.WriteElsewhereAsync($"UPDATE \"Students\" SET \"GivenName\" = 'Renamed' WHERE \"Id\" = {_elmStudents[0]}");
        await _app.WriteElsewhereAsync(filter == "tier"
            ? $"UPDATE \"Plans\" SET \"Tier\" = 1 WHERE \"StudentId\" = {_elmStudents[1]}"
            : $"UPDATE \"PlanItems\" SET \"Status\" = 'Met' WHERE \"PlanId\" IN (SELECT \"Id\" FROM \"Plans\" WHERE \"StudentId\" = {_elmStudents[1]})");
        Assert.Equal(("E01 E02 E03", 3), (Names(await PageAsync(f)), (await PageAsync(f)).Total));
        _app.Time.Advance(TenantReadCache.Lifetime);
        var kept = await PageAsync(f);
        Assert.Equal(("E03 Renamed", 2), (Names(kept), kept.Total));

        // A save here retires the page at once: the next one reads it afresh, in names, with every change.
        await _app.InTenant(_tenant, async (_, db) =>
        {
            var plan = new SuccessPlan { StudentId = _elmStudents[10], SchoolYear = Year, Tier = 2 };
            plan.Items.Add(new PlanItem { Kind = PlanItemKind.Need, Status = NeedStatus.Open, Domain = Domain.Health, Description = "Glasses", IdentifiedOn = Today });
            db.Plans.Add(plan);
            await db.SaveChangesAsync();
        });
        var fresh = await PageAsync(f);
        Assert.Equal(("E03 E11 Renamed", 3), (Names(fresh), fresh.Total));
    }

    public static TheoryData<string> KeptSorts() => new("review", "tier", "needs", "attendance", "grade");

    [Theory]
    [MemberData(nameof(KeptSorts))]
    public async Task A_write_to_what_a_kept_sort_orders_by_shows_in_the_next_page(string sort)
    {
        var filter = new CaseloadFilter(Sort: sort);
        var child = _elmStudents[30]; // E31
        var before = Names(await PageAsync(filter), 1);
        Assert.NotEqual("E31", before);
        Assert.Equal(before, Names(await PageAsync(filter), 1)); // kept

        await _app.InTenant(_tenant, async (_, db) =>
        {
            switch (sort)
            {
                case "review": // the earliest next review
                    db.Plans.Add(new SuccessPlan { StudentId = child, SchoolYear = Year, Tier = 1, NextReviewDue = new DateOnly(2026, 11, 20) });
                    break;
                case "tier":
                    db.Plans.Add(new SuccessPlan { StudentId = child, SchoolYear = Year, Tier = 3 });
                    break;
                case "needs": // the only open need
                    var plan = new SuccessPlan { StudentId = child, SchoolYear = Year, Tier = 1 };
                    plan.Items.Add(new PlanItem { Kind = PlanItemKind.Need, Status = NeedStatus.Open, Domain = Domain.Health, Description = "Glasses", IdentifiedOn = Today });
                    db.Plans.Add(plan);
                    break;
                case "attendance": // the only child with a rate, the lowest
                    db.StudentIndicators.Add(new StudentIndicators { StudentId = child, AsOf = Today, YearDays = 10, YearAbsences = 5, YearAttendance = 50, YearBand = AttendanceBand.Severe });
                    break;
                default: // the youngest grade
                    (await db.Students.SingleAsync(s => s.Id == child)).Grade = "PK";
                    break;
            }
            await db.SaveChangesAsync();
        });
        Assert.Equal("E31", Names(await PageAsync(filter), 1));
    }
}
