using System.Text.RegularExpressions;
using SuccessPlans.Data;
using SuccessPlans.Features.Flags;
using SuccessPlans.Features.Indicators;
using SuccessPlans.Features.Roster;

namespace SuccessPlans.Tests.Model;

/// <summary>
/// Every piece of SQL the app sends to SQL Server, or has an operator run there, parsed by SQL Server's own parser
/// (ScriptDom, T-SQL of SQL Server 2022): the schema script, Hangfire's script, and each raw SQL string of the app.
/// </summary>
public class TSqlParseTests
{
    private static string Infra(string file) => File.ReadAllText(Path.Combine(ModelTests.RepositoryRoot(), "infra", "sql", file));

    [Fact]
    public void The_idempotent_migration_script_parses_batch_by_batch()
    {
        var script = Infra("successplans-sqlserver.sql");
        Assert.True(TSql.Batches(script).Count > 5, "the script should have a batch per migration");
        // The migrations' own SQL (migrationBuilder.Sql) is in the script, inside EXEC(N'...'), and parsed with it.
        Assert.Contains("UPDATE Referrals SET AnswerNote", script);
        var errors = TSql.ScriptErrors(script, "successplans-sqlserver.sql");
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [Fact]
    public void No_migration_names_a_column_in_the_batch_that_adds_it()
    {
        var batches = TSql.Batches(Infra("successplans-sqlserver.sql"));
        var errors = batches.SelectMany((b, i) => TSql.ColumnsUsedBeforeAdded(b, $"successplans-sqlserver.sql batch {i + 1}")).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors));
        // The check can fail: an UPDATE of a column added in the same batch, as SQL Server refuses it; through EXEC it runs.
        Assert.NotEmpty(TSql.ColumnsUsedBeforeAdded("IF 1 = 1 BEGIN ALTER TABLE [T] ADD [C] int NOT NULL DEFAULT 0; END; IF 1 = 1 BEGIN UPDATE [T] SET [C] = 1; END;", "test"));
        Assert.Empty(TSql.ColumnsUsedBeforeAdded("IF 1 = 1 BEGIN ALTER TABLE [T] ADD [C] int NOT NULL DEFAULT 0; END; IF 1 = 1 BEGIN EXEC(N'UPDATE [T] SET [C] = 1'); END;", "test"));
    }

    [Fact]
    public void No_migration_names_a_column_a_later_step_drops_or_renames()
    {
        var errors = TSql.ColumnsUsedThenRemoved(TSql.Batches(Infra("successplans-sqlserver.sql")), "successplans-sqlserver.sql");
        Assert.True(errors.Count == 0, string.Join("\n", errors));
        // The check can fail: an UPDATE of a column a later batch renames, or drops; through EXEC it compiles only when it runs.
        Assert.NotEmpty(TSql.ColumnsUsedThenRemoved(["IF 1 = 0 BEGIN UPDATE [T] SET [C] = 1; END;", "EXEC sp_rename N'[T].[C]', N'D', 'COLUMN';"], "test"));
        Assert.NotEmpty(TSql.ColumnsUsedThenRemoved(["IF 1 = 0 BEGIN UPDATE [T] SET [A] = [C]; END; ALTER TABLE [T] DROP COLUMN [C];"], "test"));
        Assert.Empty(TSql.ColumnsUsedThenRemoved(["IF 1 = 0 BEGIN EXEC(N'UPDATE [T] SET [C] = 1'); END;", "EXEC sp_rename N'[T].[C]', N'D', 'COLUMN';"], "test"));
    }

    [Fact]
    public void The_hangfire_script_parses()
    {
        var errors = TSql.ScriptErrors(Infra("hangfire-sqlserver.sql"), "hangfire-sqlserver.sql");
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [Fact]
    public void The_parser_reports_what_sql_server_would_refuse()
    {
        // The checks above can fail: SQLite's syntax, a broken EXEC body, and a misplaced GO are all caught.
        Assert.NotEmpty(TSql.Errors("INSERT OR IGNORE INTO Flags (Id) VALUES (1)", "sqlite"));
        Assert.NotEmpty(TSql.Errors("EXEC(N'CREATE INDEX ON [Flags]')", "exec"));
        Assert.NotEmpty(TSql.ScriptErrors("SELECT 1\nGO\nSELECT FROM WHERE\nGO", "script"));
        Assert.Empty(TSql.ScriptErrors("SELECT 1;\nGO\nSELECT 2;\n", "script"));
    }

    /// <summary>The app's raw SQL, as EF sends it: each {n} placeholder becomes the parameter @pn.</summary>
    public static TheoryData<string, string> RawSql()
    {
        var data = new TheoryData<string, string>();
        foreach (var rows in new[] { 1, 2, 500 })
            data.Add($"{nameof(OneRosterImporter.InsertHistorySql)}({rows})", AsSent(OneRosterImporter.InsertHistorySql(rows), 4 + rows * 4));
        // Indicator imports and the per-student summary: one statement shape per table, at its largest and smallest.
        foreach (var (table, columns) in new[] { ("AttendanceEvents", BulkInsert.AttendanceColumns), ("BehaviorIncidents", BulkInsert.IncidentColumns),
                     ("CourseMarks", BulkInsert.MarkColumns), ("SchoolDays", BulkInsert.SchoolDayColumns), ("StudentIndicators", BulkInsert.SummaryColumns),
                     ("ServiceDeliveries", BulkInsert.DeliveryColumns), ("Students", BulkInsert.StudentColumns), ("ClassEnrollments", BulkInsert.EnrollmentColumns) })
            foreach (var rows in new[] { 1, BulkInsert.RowsPerStatement(columns.Length) })
                data.Add($"{nameof(BulkInsert.InsertSql)}({table}, {rows})", AsSent(BulkInsert.InsertSql(table, columns, rows), 1 + rows * columns.Length));
        data.Add(nameof(BulkInsert.AnnounceSql), AsSent(BulkInsert.AnnounceSql("Students"), 0));
        data.Add(nameof(OneRosterImporter.InsertAddedHistorySql), AsSent(OneRosterImporter.InsertAddedHistorySql(sqlServer: true), 7));
        // Tenant erasure: one DELETE per table, generated from the SQL Server model.
        var tenant = new SuccessPlans.Tenancy.CurrentTenant();
        using var sqlServer = SuccessPlans.Data.AppDbContext.Create(SuccessPlans.Data.DesignTimeDbContextFactory.Options(SuccessPlans.Data.DatabaseProvider.SqlServer), tenant);
        foreach (var (table, sql) in SuccessPlans.Features.Retention.TenantErasure.DeletionStatements(sqlServer))
            data.Add($"TenantErasure {table}", AsSent(sql, 1));
        // The nightly check's flag writes: the rule into the temporary table, an UPDATE and an INSERT ... SELECT per rule, around EF's SQL Server query of the rule.
        var today = new DateOnly(2026, 11, 20);
        var instant = new DateTime(2026, 11, 20, 5, 0, 0, DateTimeKind.Utc);
        foreach (var (kind, rule) in new (FlagKind, IQueryable<NightlyCheckJob.Subject>)[]
                 {
                     (FlagKind.UnmetNeed, NightlyCheckJob.UnmetNeeds(sqlServer, today)), (FlagKind.NoResponse, NightlyCheckJob.NoResponse(sqlServer, instant)),
                     (FlagKind.Stalled, NightlyCheckJob.Stalled(sqlServer, instant)), (FlagKind.ReviewOverdue, NightlyCheckJob.ReviewOverdue(sqlServer, today)),
                     (FlagKind.IndicatorWithoutPlan, NightlyCheckJob.IndicatorWithoutPlan(sqlServer)), (FlagKind.NotImproving, NightlyCheckJob.NotImproving(sqlServer, today)),
                 })
        {
            var (fill, resolve, open) = FlagWrites.For(sqlServer, kind, rule, 1, today, instant);
            data.Add($"FlagWrites fill {kind}", fill.Sql);
            data.Add($"FlagWrites open {kind}", open.Sql);
            data.Add($"FlagWrites resolve {kind}", resolve.Sql);
        }
        // The rules' subjects' temporary table, created and dropped around them.
        data.Add(nameof(FlagWrites.CreateSubjectsSql), FlagWrites.CreateSubjectsSql(sqlServer: true));
        data.Add(nameof(FlagWrites.DropSubjectsSql), FlagWrites.DropSubjectsSql(sqlServer: true));
        // The expiry's history rows, built in SQL from the referrals it changed.
        data.Add(nameof(NightlyCheckJob.ExpiryHistorySql), AsSent(NightlyCheckJob.ExpiryHistorySql(sqlServer: true), 5));
        data.Add(nameof(NightlyCheckJob.DigestAccessLogSql), AsSent(NightlyCheckJob.DigestAccessLogSql(sqlServer: true), 7));
        // The digest's first flags of each school and kind, a window around EF's SQL Server query of the open flags.
        data.Add(nameof(NightlyCheckJob.DigestNamedSql), NightlyCheckJob.DigestNamedSql(sqlServer).Sql);
        // The tenant's data version, moved with each write to what is kept (TenantReadCacheInvalidator).
        data.Add(nameof(DataVersions.MoveSql), DataVersions.MoveSql(sqlServer: true));
        // A view's access log entry (the student page, the review screen, the API's reads), alone or with others (AccessLogWriter).
        foreach (var rows in new[] { 1, 2, SuccessPlans.Features.Audit.AccessLogWriter.BatchRows })
            data.Add($"{nameof(SuccessPlans.Features.Audit.AccessLog.AppendSql)}({rows})",
                AsSent(SuccessPlans.Features.Audit.AccessLog.AppendSql(rows), rows * SuccessPlans.Features.Audit.AccessLog.ValuesPerRow));
        return data;
    }

    private static string AsSent(string sql, int parameters) =>
        string.Format(System.Globalization.CultureInfo.InvariantCulture, sql, Enumerable.Range(0, parameters).Select(i => (object)$"@p{i}").ToArray());

    [Theory]
    [MemberData(nameof(RawSql))]
    public void Each_raw_sql_string_parses(string name, string sql)
    {
        var errors = TSql.Errors(sql, name);
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    /// <summary>
    /// Where the app sends SQL of its own, file by file, with how many call sites: each SQL Server one is in
    /// <see cref="RawSql"/>. SqlitePragmas, SqliteStatistics and SqliteDisposal run only on SQLite connections.
    /// </summary>
    private static readonly Dictionary<string, int> KnownCallSites = new()
    {
        // History rows: those built in SQL for the children a batch added, and the changed and withdrawn ones.
        ["src/SuccessPlans.Core/Features/Roster/OneRosterImporter.cs"] = 2,
        ["src/SuccessPlans.Core/Data/SqlitePragmas.cs"] = 2,
        // Multi-row INSERTs of imported indicators and the per-student summary: through EF on SQL Server, as a prepared
        // command on SQLite (the same InsertSql text), then on SQLite a write of no row that tells EF's interceptors.
        ["src/SuccessPlans.Core/Data/BulkInsert.cs"] = 3,
        // The nightly check's flags, opened and resolved in SQL around each rule's query (FlagWrites builds both).
        ["src/SuccessPlans.Core/Features/Flags/FlagWrites.cs"] = 1,
        // ... sent by the job (the subjects' table created, filled, read by the two writes, dropped), the expiry's history
        // rows, INSERT ... SELECT from the referrals it expired, the digests' access log entries, and the digests' first
        // flags of each school and kind (EF's query of the open flags in a window); on SQLite only, the expiry's deferral
        // of the need-state trigger and its needs' states set after it (SQLite's text, not T-SQL).
        ["src/SuccessPlans.Core/Features/Flags/NightlyCheckJob.cs"] = 11,
        ["src/SuccessPlans.Core/Features/Retention/TenantErasure.cs"] = 1,
        // One access log entry a view, one INSERT (not SaveChanges: issue 15), in the caller's transaction or, with the
        // entries of other views, by the group commit.
        ["src/SuccessPlans.Core/Features/Audit/AccessLog.cs"] = 1,
        ["src/SuccessPlans.Core/Features/Audit/AccessLogWriter.cs"] = 1,
        // SQLite only: the access log's staging file (its schema, the views' INSERT, the move into AccessLogEntries, the
        // mark's table in the database, created at start, and the moves' checkpoint of the file): SQLite's text, never
        // sent to SQL Server.
        ["src/SuccessPlans.Core/Features/Audit/AccessLogStaging.cs"] = 6,
        ["src/SuccessPlans.Core/Data/DatabaseStartup.cs"] = 1,
        // The tenant's data version moved after a write to what TenantReadCache keeps.
        ["src/SuccessPlans.Core/Data/DataVersions.cs"] = 1,
        // SQLite only: the students' fixed planner statistics written at start (sqlite_stat1, ANALYZE sqlite_schema).
        ["src/SuccessPlans.Core/Data/SqliteStatistics.cs"] = 4,
        // SQLite only (a WAL checkpoint after an erasure); returns at once on SQL Server.
        ["src/SuccessPlans.Core/Features/Retention/SqliteDisposal.cs"] = 1,
        // Sends no SQL: reads the text of each command EF sends, to see which tables it writes (the caseload's counts).
        ["src/SuccessPlans.Core/Data/TenantReadCache.cs"] = 1,
        // Sends no SQL of its own: runs the SQL EF made on the connection's prepared command of the same text (SQLite only).
        ["src/SuccessPlans.Core/Data/SqliteStatements.cs"] = 4,
        // Sends no SQL of its own: writes a LIMIT parameter's value into the SQL EF made (SQLite only).
        ["src/SuccessPlans.Core/Data/SqliteLimits.cs"] = 4,
    };

    [Fact]
    public void No_raw_sql_call_site_goes_unparsed()
    {
        var root = ModelTests.RepositoryRoot();
        var rawSql = new Regex(@"\b(FromSql\w*|ExecuteSql\w*|SqlQuery\w*|CommandText)\b|migrationBuilder\.Sql\(");
        var found = Directory.EnumerateFiles(Path.Combine(root, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
            // The migrations' SQL is in the idempotent script, parsed above.
            .Where(f => !f.Contains("SuccessPlans.Migrations."))
            .Select(f => (File: Path.GetRelativePath(root, f).Replace('\\', '/'), Count: rawSql.Matches(File.ReadAllText(f)).Count))
            .Where(f => f.Count > 0)
            .ToDictionary(f => f.File, f => f.Count);
        Assert.True(found.OrderBy(f => f.Key).SequenceEqual(KnownCallSites.OrderBy(f => f.Key)),
            "Raw SQL call sites changed. Found: " + string.Join(", ", found.Select(f => $"{f.Key} ({f.Value})")) +
            ". Make each new SQL string reachable from TSqlParseTests.RawSql and list the file in KnownCallSites.");
    }
}
