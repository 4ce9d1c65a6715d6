using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using SuccessPlans.Data;
using SuccessPlans.Features.Cabinet;
using SuccessPlans.Features.Flags;
using SuccessPlans.Features.Referrals;
using SuccessPlans.Features.Roster;
using SuccessPlans.Features.Students;
using SuccessPlans.Tenancy;

namespace SuccessPlans.Tests.Model;

/// <summary>
/// The app's main queries translated for SQL Server (the app's own options: compatibility level, migrations
/// assembly), without a server: ToQueryString opens no connection. A query that would evaluate on the client or
/// not translate throws here; the SQL that comes out is parsed by SQL Server's parser.
/// </summary>
public class SqlServerTranslationTests
{
    private static AppDbContext SqlServer()
    {
        var tenant = new CurrentTenant();
        tenant.Set(1);
        return AppDbContext.Create(DesignTimeDbContextFactory.Options(DatabaseProvider.SqlServer), tenant);
    }

    private static void Translates<T>(IQueryable<T> query, string what)
    {
        var sql = query.ToQueryString();
        Assert.Contains("SELECT", sql);
        // The tenant filter is in every query.
        Assert.Contains("[TenantId]", sql);
        var errors = TSql.Errors(sql, what);
        Assert.True(errors.Count == 0, $"{string.Join("\n", errors)}\n{sql}");
    }

    /// <summary>
    /// The access log's INSERT declares each parameter alike whatever is null (a view without a plan, a referral, a user,
    /// a path): SQL Server keeps a plan per statement text and declarations, and untyped nulls, which its client sends as
    /// nvarchar, would make one for each pattern of nulls in a batch. The command is built as EF sends it, without a server.
    /// </summary>
    [Fact]
    public void The_access_log_insert_declares_its_parameters_alike_whatever_is_null()
    {
        using var db = SqlServer();
        SuccessPlans.Features.Audit.AccessLogEntry Entry(bool full) => new()
        {
            At = new DateTime(2026, 12, 4, 12, 0, 0, DateTimeKind.Utc), ActorName = "alice", Role = "Coordinator",
            Action = SuccessPlans.Features.Audit.AccessAction.ViewStudent, UserId = full ? 1 : null, OrganizationId = full ? 2 : null,
            StudentId = full ? 3 : null, PlanId = full ? 4 : null, ReferralId = full ? 5 : null, Path = full ? "GET /Students/3" : null,
            IpAddress = full ? "10.0.0.1" : null,
        };
        List<string> Declared(params bool[] full)
        {
            var values = SuccessPlans.Features.Audit.AccessLog.Values(db, full.Select(f => (1, Entry(f))).ToList());
            var raw = db.GetService<Microsoft.EntityFrameworkCore.Storage.IRawSqlCommandBuilder>()
                .Build(SuccessPlans.Features.Audit.AccessLog.AppendSql(full.Length), values, db.Model);
            using var command = raw.RelationalCommand.CreateDbCommand(new Microsoft.EntityFrameworkCore.Storage.RelationalCommandParameterObject(
                db.GetService<Microsoft.EntityFrameworkCore.Storage.IRelationalConnection>(), raw.ParameterValues, null, db, null),
                Guid.NewGuid(), Microsoft.EntityFrameworkCore.Diagnostics.DbCommandMethod.ExecuteNonQuery);
            return [.. command.Parameters.Cast<Microsoft.Data.SqlClient.SqlParameter>().Select(p => $"{p.SqlDbType}({p.Size})")];
        }

        var full = Declared(true);
        Assert.Equal(["Int(0)", "DateTime2(0)", "Int(0)", "NVarChar(4000)"], full.Take(4));
        Assert.Equal(full, Declared(false));
        Assert.Equal([.. full, .. full], Declared(false, true));
    }

    public static TheoryData<string> CaseloadSorts() => new("name", "grade", "tier", "needs", "review", "attendance");

    [Theory]
    [MemberData(nameof(CaseloadSorts))]
    public void The_caseload_with_every_filter_translates(string sort)
    {
        using var db = SqlServer();
        var visible = StudentScope.InSchools(db, [1, 2]);
        Translates(Caseload.Query(db, visible, new CaseloadFilter(Q: "Ann", School: 1, Grade: "05", Tier: 2, Plan: "active", OpenNeeds: true, OpenFlags: true, Withdrawn: true, Sort: sort, Band: SuccessPlans.Features.Indicators.AttendanceBand.Chronic), 2026)
            .Skip(50).Take(50), $"caseload {sort}");
        Translates(Caseload.Query(db, visible, new CaseloadFilter(Plan: "none", Sort: sort), 2026), $"caseload {sort}, no plan");
        Translates(Caseload.Query(db, visible, new CaseloadFilter(Q: "Aufderhar, Ti", Sort: sort), 2026), $"caseload {sort}, 'Family, Given'");
        Translates(Caseload.Query(db, visible, new CaseloadFilter(Q: "Tina Auf", Sort: sort), 2026), $"caseload {sort}, 'Given Family'");
        // The count the page shows: students alone, each filter an EXISTS.
        Translates(Caseload.Filtered(db, visible, new CaseloadFilter(Q: "Ann", School: 1, Grade: "05", Tier: 2, Plan: "active", OpenNeeds: true, OpenFlags: true, Band: SuccessPlans.Features.Indicators.AttendanceBand.Chronic), 2026)
            .Select(s => s.Id), $"caseload count {sort}");
        Translates(Caseload.Filtered(db, visible, new CaseloadFilter(Plan: "none"), 2026).Select(s => s.Id), $"caseload count {sort}, no plan");
    }

    /// <summary>The worklist's follow-ups and the review walk's children: compiled queries whose trees Inline.Expand put together.</summary>
    [Fact]
    public void The_worklist_and_the_review_walk_translate()
    {
        using var db = SqlServer();
        var now = new DateTime(2026, 12, 1, 0, 0, 0, DateTimeKind.Utc);
        Translates(Worklist.FollowUpIds(db, [1, 2], now.AddDays(-7), now.AddDays(-21)), "the follow-ups' ids in order");
        Translates(Worklist.FollowUpRows(db, [1, 2], now.AddDays(-7), now.AddDays(-21), [5, 6, 7]), "the follow-ups' rows by id");
        Translates(Worklist.FlagRows(db, [1, 2], [5, 6, 7]), "the worklist's flags by id");
        Translates(SuccessPlans.Web.Features.Review.WalkModel.GradeWalkQuery(db, [1, 2], 1, "03", 2026, SuccessPlans.Features.Plans.Term.Fall), "a grade's walk");
        Translates(SuccessPlans.Web.Features.Review.WalkModel.ClassWalkQuery(db, [1, 2], 4, 2026, SuccessPlans.Features.Plans.Term.Spring), "a class's walk");
    }

    [Fact]
    public void The_student_page_translates()
    {
        using var db = SqlServer();
        Translates(StudentPage.Head(db, 7, 2026, 3), "the child, which sections have rows, an unread update");
        Translates(StudentPage.PastPlans(db, 7, 2026), "past plans");
        Translates(StudentPage.Consents(db, 7), "consents");
        Translates(StudentPage.Reviews(db, 7), "reviews");
        Translates(StudentPage.Referrals(db, 7), "referrals");
        Translates(StudentPage.OpenFlags(db, 7), "flags");
        Translates(StudentPage.Disclosures(db, 7), "disclosures");
        Translates(StudentPage.History(db, 7), "history");
        Translates(StudentPage.Notes(db, 7), "notes");
        Translates(StudentPage.Messages(db, [1, 2, 3]), "messages");
        Translates(SuccessPlans.Features.Plans.GoalSeries.Points(db, [1, 2]), "goal points");
        Translates(SuccessPlans.Features.Plans.GoalSeries.Dated(db, 7, new DateOnly(2026, 9, 1), new DateOnly(2026, 12, 1)), "the dates of a child's goals' months");
        Translates(ServiceMatcher.PlainSearchQuery(db), "Find a service without a keyword");
    }

    [Fact]
    public void The_readiness_probe_translates_to_one_statement_each()
    {
        using var db = SqlServer();
        Translates(SuccessPlans.Features.Observability.ReadinessQueries.OldestUnsent(db), "oldest unsent email");
        Translates(SuccessPlans.Features.Observability.ReadinessQueries.LastNightlyChecks(db), "last nightly checks");
    }

    [Fact]
    public void The_referrals_inbox_translates()
    {
        using var db = SqlServer();
        var mine = ProviderInbox.Of(db, 3);
        Translates(ProviderInbox.CountsByStatus(mine), "inbox counts");
        Translates(ProviderInbox.Rows(mine, [ReferralStatus.Completed, ReferralStatus.Declined]), "inbox rows");
    }

    [Fact]
    public void Each_nightly_rule_translates()
    {
        using var db = SqlServer();
        var today = new DateOnly(2026, 11, 30);
        Translates(NightlyCheckJob.UnmetNeeds(db, today.AddDays(-30)), "unmet needs");
        Translates(NightlyCheckJob.NoResponse(db, new DateTime(2026, 11, 20, 5, 0, 0, DateTimeKind.Utc)), "no response");
        Translates(NightlyCheckJob.Stalled(db, new DateTime(2026, 11, 16, 5, 0, 0, DateTimeKind.Utc)), "stalled");
        Translates(NightlyCheckJob.ReviewOverdue(db, today), "review overdue");
        Translates(NightlyCheckJob.IndicatorWithoutPlan(db), "indicator without a plan");
        Translates(NightlyCheckJob.NotImproving(db, today.AddDays(-30)), "not improving");
    }

    [Fact]
    public void The_cabinet_dashboard_translates()
    {
        using var db = SqlServer();
        var period = Period.SchoolYearOf(new DateOnly(2026, 11, 30));
        var funnel = CabinetReport.FunnelQueriesFor(db, period, TimeZoneInfo.FindSystemTimeZoneById("America/New_York"));
        Translates(funnel.Counts, "funnel counts");
        Translates(funnel.Histogram, "days to first service");
        Translates(CabinetReport.ChildrenQuery(db, funnel, 11), "children of the funnel, up to the threshold, in one command");
        Translates(CabinetReport.ServedCells(db, period), "children and services by breakdown and by month");
        Translates(CabinetReport.HeadQuery(db), "the tenant's settings and the rollups' version");
        Translates(CabinetReport.NamesQuery(db), "schools and providers by name");
        Translates(CabinetReport.FunnelSums(db, period), "funnel counts by measure");
    }

    [Fact]
    public void The_cabinet_outcomes_absences_translate()
    {
        using var db = SqlServer();
        Translates(CabinetOutcomes.AbsenceDays(db, new DateOnly(2026, 7, 2), new DateOnly(2026, 11, 30)), "absence days");
        Translates(CabinetOutcomes.HeadQuery(db), "the tenant's bands and the outcomes' versions");
        Translates(CabinetOutcomes.ServedRows(db, 2025, 2026), "the delivery rollup's months as bits");
        Translates(CabinetOutcomes.ServedRowsOf(db, [3, 5, 8], 2025), "the changed children's rollup rows");
        Translates(ServedChanges.NotedBetween(db, 10, 20), "the children noted as changed");
    }

    [Fact]
    public void The_roster_import_lookups_translate()
    {
        using var db = SqlServer();
        Translates(OneRosterImporter.OpenWork(db, [1, 2, 3]), "open work on withdrawal");
        Translates(OneRosterImporter.StudentsByExternalId(db, ["S1", "s2"]), "students by OneRoster id");
    }

    [Fact]
    public void A_query_sql_server_cannot_run_fails_here()
    {
        // The check can fail: a method EF cannot translate throws instead of running on the client.
        using var db = SqlServer();
        Assert.Throws<InvalidOperationException>(() => Translates(db.Students.Where(s => Reverse(s.GivenName) == "nnA"), "untranslatable"));
    }

    private static string Reverse(string s) => new(s.Reverse().ToArray());
}
