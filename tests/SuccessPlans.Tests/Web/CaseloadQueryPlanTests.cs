using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using SuccessPlans.Data;
using SuccessPlans.Features.Indicators;
using SuccessPlans.Features.Students;
using SuccessPlans.Tests.Infrastructure;

namespace SuccessPlans.Tests.Web;

/// <summary>
/// Issue 15: the caseload's SQL as SQLite plans it. The count reads one covering index of students (no join, no table
/// row), and every open-needs lookup goes by the plan's id: before, a plan's open needs were found by scanning every open
/// need of the tenant (5 ms of a 1,200-student demo's request, 15 ms at 10,000).
/// </summary>
public class CaseloadQueryPlanTests : IAsyncLifetime
{
    private readonly AppFactory _app = new();
    private int _tenant, _school;

    public async Task InitializeAsync()
    {
        _tenant = (await _app.CreateTenantAsync("plan-shape")).Id;
        _school = (await _app.CreateSchoolAsync(_tenant, "Elm School")).Id;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    public static TheoryData<string> Filters() => new("none", "school", "tier", "plan-active", "plan-none", "open-needs", "open-flags", "band", "grade");

    private CaseloadFilter Filter(string name) => name switch
    {
        "tier" => new(Tier: 2),
        "plan-active" => new(Plan: "active"),
        "plan-none" => new(Plan: "none"),
        "open-needs" => new(OpenNeeds: true),
        "open-flags" => new(OpenFlags: true),
        "band" => new(Band: AttendanceBand.Chronic),
        "grade" => new(Grade: "03"),
        "school" => new(School: _school),
        _ => new(),
    };

    [Theory]
    [MemberData(nameof(Filters))]
    public async Task The_count_reads_a_covering_index_of_students_and_joins_nothing(string filter)
    {
        var plan = await PlanAsync(db => Caseload.Filtered(db, Visible(db), Filter(filter), 2026).Select(s => 1), count: true);
        var students = plan.Where(l => l.Contains("IX_Students", StringComparison.Ordinal)).ToList();
        Assert.True(students.Count == 1 && students[0].Contains("COVERING INDEX", StringComparison.Ordinal), string.Join("\n", plan));
        // The one scan allowed is of the school ids' json_each, a virtual table (the parameter itself, a few values).
        Assert.DoesNotContain(plan, l => l.Contains("LEFT-JOIN", StringComparison.Ordinal)
            || (l.TrimStart().StartsWith("SCAN", StringComparison.Ordinal) && !l.Contains("VIRTUAL TABLE", StringComparison.Ordinal)));
        AssertNeedsByPlan(plan);
    }

    [Theory]
    [MemberData(nameof(Filters))]
    public async Task The_rows_find_each_plans_open_needs_by_the_plan(string filter)
    {
        var plan = await PlanAsync(db => Caseload.Query(db, Visible(db), Filter(filter), 2026).Skip(0).Take(50), count: false);
        Assert.Contains(plan, l => l.Contains("IX_PlanItems", StringComparison.Ordinal));
        AssertNeedsByPlan(plan);
        // The page's 50 in name order from an index, stopping at them: never every child of a school sorted first (the
        // school filter at the coordinator of 10,000 took 3 ms against 0.3 ms; SqliteStatistics says why).
        Assert.DoesNotContain(plan, l => l.Contains("TEMP B-TREE", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_grade_is_walked_in_name_order_on_its_own_index()
    {
        // Across the coordinator's schools: the grade's children in name order from one index, never the name index with each
        // child's row read for its grade (ten rows read for every one kept).
        var plan = await PlanAsync(db => Caseload.Query(db, Visible(db), Filter("grade"), 2026).Skip(0).Take(50), count: false);
        Assert.Contains(plan, l => l.Contains("COVERING INDEX IX_Students_TenantId_Grade_FamilyName_GivenName_SchoolId_Status (TenantId=? AND Grade=?)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_open_flags_filter_asks_each_child_from_the_flags_index_alone()
    {
        var plan = await PlanAsync(db => Caseload.Query(db, Visible(db), Filter("open-flags"), 2026).Skip(0).Take(50), count: false);
        Assert.Contains(plan, l => l.Contains("SEARCH", StringComparison.Ordinal) && l.Contains("COVERING INDEX IX_Flags_", StringComparison.Ordinal)
            && l.Contains("DismissedAt=?", StringComparison.Ordinal));
    }

    // Every lookup of plan items is by the plan's id, never a scan of the tenant's needs of a kind and status.
    private static void AssertNeedsByPlan(List<string> plan) =>
        Assert.All(plan.Where(l => l.Contains("PlanItems", StringComparison.Ordinal)), l => Assert.Contains("PlanId=?", l, StringComparison.Ordinal));

    // As the app scopes them (StudentAccess): the school ids are one json_each parameter.
    private IQueryable<Student> Visible(AppDbContext db) => StudentScope.InSchools(db, [_school]);

    private async Task<List<string>> PlanAsync<T>(Func<AppDbContext, IQueryable<T>> query, bool count)
    {
        var lines = new List<string>();
        await _app.InTenant(_tenant, async (_, db) =>
        {
            await using var command = query(db).CreateDbCommand();
            // As the app's commands go to SQLite: the LIMIT a number (the planner reads no bound value).
            SqliteLimits.Inline(command);
            if (count)
                command.CommandText = $"SELECT COUNT(*) FROM ({command.CommandText})";
            command.CommandText = "EXPLAIN QUERY PLAN " + command.CommandText;
            await db.Database.OpenConnectionAsync();
            command.Connection = db.Database.GetDbConnection();
            await using DbDataReader reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                lines.Add(reader.GetString(3));
        });
        return lines;
    }
}
