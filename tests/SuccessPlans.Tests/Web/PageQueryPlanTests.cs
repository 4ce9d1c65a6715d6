using Microsoft.EntityFrameworkCore;
using System.Text.RegularExpressions;
using SuccessPlans.Data;
using SuccessPlans.Features.Directory;
using SuccessPlans.Features.Flags;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Referrals;
using SuccessPlans.Features.Students;
using SuccessPlans.Tests.Infrastructure;

namespace SuccessPlans.Tests.Web;

/// <summary>
/// Issue 15: what a page reads about a few rows, SQLite finds by their keys (the child's id, the rows' ids), never by
/// walking the tenant's rows. SQLite here has no statistics but the students' fixed ones (SqliteStatistics), so an index that merely starts with TenantId, or
/// one whose order matches an ORDER BY, can win over the key: the student page read a child's open flags from the
/// index of all the tenant's open flags by kind, and the worklist's 50 rows by id walked the tenant's open flags and
/// referrals. Each test records the plan of every query the use case runs (EXPLAIN QUERY PLAN with its parameters).
/// </summary>
public partial class PageQueryPlanTests : IAsyncLifetime
{
    // Monday 16 November 2026, 17:00 UTC: school year 2026.
    private readonly AppFactory _app = new(new DateTimeOffset(2026, 11, 16, 17, 0, 0, TimeSpan.Zero));
    private int _tenant, _school, _child;

    public async Task InitializeAsync()
    {
        _tenant = (await _app.CreateTenantAsync("plans-by-key")).Id;
        _school = (await _app.CreateSchoolAsync(_tenant, "Elm School")).Id;
        var now = _app.Time.GetUtcNow().UtcDateTime;
        await _app.InTenant(_tenant, async (_, db) =>
        {
            // 60 children, each with this year's plan and an open need, a referral with no answer for 30 days and an open flag.
            Caseloads.AddChildrenAwaitingAnswers(db, _school, 60, now.AddDays(-30), (i, plan) =>
            {
                plan.Tier = 1 + i % 3;
                plan.NextReviewDue = new DateOnly(2027, 1, 1).AddDays(-i);
            });
            await db.SaveChangesAsync();
            var students = db.Students.Local.OrderBy(s => s.Id).ToList();
            foreach (var s in students)
                db.Flags.Add(new Flag { Kind = FlagKind.ReviewOverdue, SubjectId = s.Id, StudentId = s.Id, FirstSeenOn = new DateOnly(2026, 11, 2) });
            // The first child has something in every section the page reads.
            var child = students[0];
            db.Flags.Add(new Flag { Kind = FlagKind.UnmetNeed, SubjectId = child.Id, StudentId = child.Id, FirstSeenOn = new DateOnly(2026, 11, 2) });
            db.Plans.Add(new SuccessPlan { StudentId = child.Id, SchoolYear = 2025, Tier = 1, Status = PlanStatus.Closed });
            db.CaseNotes.Add(new CaseNote { StudentId = child.Id, AuthorName = "coord", Text = "Met the family.", At = now });
            await db.SaveChangesAsync();
            _child = child.Id;
        });
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task The_student_page_reads_each_section_by_the_child()
    {
        var plans = await PlansOfAsync(db => StudentPage.LoadAsync(db, _child, 2026));
        // Every section with rows was read: the contents probe, past plans, referrals, open flags, history, notes.
        Assert.True(plans.Count >= 5, string.Join("\n", plans.Select(p => p.Sql)));
        AssertByKey(plans);
    }

    [Fact]
    public async Task The_worklist_reads_the_rows_it_shows_by_id()
    {
        // The first request finds and keeps both lists in order (a read of the scope, by design) and the first page of
        // each; a request for other pages reads the tenant's data version and the rows of those pages.
        var first = await _app.InTenant(_tenant, (sp, db) => WorklistAsync(sp, db, new WorklistQuery()));
        Assert.Equal((60, 61), (first.FollowUpCount, first.FlagCounts.Values.Sum()));
        var query = new WorklistQuery(FollowUpPage: 2, FlagPage: 2);
        var plans = await PlansOfAsync(async db =>
        {
            var page = await WorklistAsync(_app.Services, db, query);
            Assert.Equal((10, 11), (page.FollowUps.Count, page.Flags.Count));
        });
        Assert.Equal(3, plans.Count);
        AssertByKey(plans);
        Assert.Single(plans, p => p.Sql.Contains("FROM \"DataVersions\"", StringComparison.Ordinal));
        // Each looks a row's child up once (the scope's join gives the name too) and sorts nothing: the rows are put in
        // the kept order in memory. The follow-ups' rows joined the students twice and sorted them (issue 15).
        foreach (var (sql, plan) in plans.Where(p => !p.Sql.Contains("FROM \"DataVersions\"", StringComparison.Ordinal)))
        {
            Assert.Single(StudentsTable().Matches(sql));
            Assert.DoesNotContain("ORDER BY", sql, StringComparison.Ordinal);
            Assert.DoesNotContain(plan, l => l.Contains("TEMP B-TREE", StringComparison.Ordinal));
        }
        // Those pages are kept too: the next request for them reads the version alone.
        var again = await PlansOfAsync(db => WorklistAsync(_app.Services, db, query));
        Assert.Contains("FROM \"DataVersions\"", Assert.Single(again).Sql, StringComparison.Ordinal);
    }

    [GeneratedRegex("FROM \"Students\"")]
    private static partial Regex StudentsTable();

    [Theory]
    [InlineData("review")]
    [InlineData("tier")]
    [InlineData("needs")]
    [InlineData("attendance")]
    [InlineData("grade")]
    public async Task A_kept_sort_of_the_caseload_reads_its_page_by_id(string sort)
    {
        var filter = new CaseloadFilter(Sort: sort);
        var first = await _app.InTenant(_tenant, (sp, db) => Caseload.PageAsync(db, sp.GetRequiredService<TenantReadCache>(), [_school], filter, 2026, 2, 50, CancellationToken.None));
        Assert.Equal((10, 60), (first.Rows.Count, first.Total));
        var plans = await PlansOfAsync(async db =>
        {
            var page = await Caseload.PageAsync(db, _app.Services.GetRequiredService<TenantReadCache>(), [_school], filter, 2026, 1, 50, CancellationToken.None);
            Assert.Equal((50, 60), (page.Rows.Count, page.Total));
        });
        // The tenant's data version, and one query for the 50 children shown, by id: no ORDER BY over the scope (its
        // order was kept).
        Assert.Equal(2, plans.Count);
        AssertByKey(plans);
        Assert.Single(plans, p => p.Sql.Contains("FROM \"DataVersions\"", StringComparison.Ordinal));
        var (_, plan) = Assert.Single(plans, p => !p.Sql.Contains("FROM \"DataVersions\"", StringComparison.Ordinal));
        // The children by their key: not by the index of the scope's schools, which walks every child of them (at a
        // coordinator of 10,000, 1.3-2 ms a page against 0.2 ms by key).
        Assert.Contains(plan, l => ChildrenByKey().IsMatch(l));
        Assert.DoesNotContain(plan, l => l.Contains("ORDER BY", StringComparison.Ordinal));
        // That page is kept too: the next request for it reads the version alone.
        var again = await PlansOfAsync(db => Caseload.PageAsync(db, _app.Services.GetRequiredService<TenantReadCache>(), [_school], filter, 2026, 1, 50, CancellationToken.None));
        Assert.Contains("FROM \"DataVersions\"", Assert.Single(again).Sql, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_delivery_and_the_cabinets_outcomes_read_the_rollup_by_the_child()
    {
        // A delivery counted into the rollup reads the child's rows (every referral, every year); the outcomes read the
        // notes after the last they saw and the noted children's rows. At 50,000 students the delivery read every row
        // of the tenant's rollup (4-5 ms) before IX_DeliveryYears_Child.
        var referralId = await _app.InTenant(_tenant, (_, db) => db.Referrals.Where(r => r.StudentId == _child).Select(r => r.Id).FirstAsync());
        var plans = await PlansOfAsync(async db =>
        {
            var referral = await db.Referrals.SingleAsync(r => r.Id == referralId);
            await SuccessPlans.Features.Cabinet.DeliveryRollup.CountAsync(db, referral, new DateOnly(2026, 11, 2), _app.Time.GetUtcNow().UtcDateTime, CancellationToken.None);
            await SuccessPlans.Features.Cabinet.ServedChanges.NotedBetween(db, 0, 100).ToListAsync();
            await SuccessPlans.Features.Cabinet.CabinetOutcomes.ServedRowsOf(db, [_child, _child + 1], 2026).ToListAsync();
        });
        Assert.Equal(4, plans.Count);
        AssertByKey(plans);
        Assert.Contains(plans, p => p.Plan.Any(l => l.Contains("IX_DeliveryYears_Child", StringComparison.Ordinal)));
    }

    private Task<Worklist.Page> WorklistAsync(IServiceProvider sp, AppDbContext db, WorklistQuery query) =>
        Worklist.PageAsync(db, sp.GetRequiredService<TenantReadCache>(), [_school], 7, 21, _app.Time.GetUtcNow().UtcDateTime, query, CancellationToken.None);

    private async Task<IReadOnlyList<(string Sql, IReadOnlyList<string> Plan)>> PlansOfAsync(Func<AppDbContext, Task> work)
    {
        await _app.InTenant(_tenant, async (_, db) =>
        {
            _app.Faults.RecordPlans();
            await work(db);
        });
        return _app.Faults.RecordedPlans();
    }

    // A table is searched by a key: a constraint on an id column (StudentId=?, PlanId=?, Id=?, rowid=?) besides the
    // tenant's, never by TenantId alone or with a status. A scan is of a virtual table (a list parameter's json_each) or
    // of a subquery the plan itself built (a co-routine), never of a table.
    private static void AssertByKey(IReadOnlyList<(string Sql, IReadOnlyList<string> Plan)> plans)
    {
        foreach (var (sql, plan) in plans)
        {
            var built = plan.Select(l => BuiltName().Match(l)).Where(m => m.Success).Select(m => m.Groups[2].Value).ToHashSet();
            foreach (var line in plan)
            {
                var search = Search().Match(line);
                if (search.Success)
                    Assert.True(ByKey().IsMatch(search.Groups[1].Value.Replace("TenantId=?", "", StringComparison.Ordinal)), $"{line}\nin\n{string.Join("\n", plan)}\nof\n{sql}");
                var scan = Scan().Match(line);
                if (scan.Success)
                    Assert.True(line.Contains("VIRTUAL TABLE", StringComparison.Ordinal) || built.Contains(scan.Groups[1].Value), $"{line}\nin\n{string.Join("\n", plan)}\nof\n{sql}");
            }
        }
    }

    [GeneratedRegex(@"^\W*SEARCH \S+ USING .*\((.*)\)")]
    private static partial Regex Search();

    [GeneratedRegex(@"^\W*SEARCH s USING (INTEGER PRIMARY KEY \(rowid=\?\)|.*\(TenantId=\? AND Id=\?\))")]
    private static partial Regex ChildrenByKey();

    [GeneratedRegex(@"^\W*SCAN (\S+)")]
    private static partial Regex Scan();

    [GeneratedRegex(@"(CO-ROUTINE|MATERIALIZE) (\S+)")]
    private static partial Regex BuiltName();

    // A school's id is no key of a few rows: a school has hundreds of children.
    [GeneratedRegex(@"\b((?!SchoolId)\w*Id|rowid)[=<>]")]
    private static partial Regex ByKey();
}
