using System.Data.Common;
using System.Globalization;
using System.Text;
using Microsoft.EntityFrameworkCore.Storage;
using SuccessPlans.Features.Indicators;
using SuccessPlans.Features.Students;

namespace SuccessPlans.Data;

/// <summary>
/// Rows in multi-row INSERTs, the app's one builder of them: a year of attendance is millions of rows, which EF's change
/// tracker would add one by one. (The nightly check's flags need no rows from C#: FlagWrites inserts them in SQL.)
/// Placeholder {0} is the scope's tenant (the same value SaveChanges would stamp); then one placeholder per column and
/// row. Enums go in by name and dates as EF writes them; the SQL is common to SQLite and SQL Server.
/// </summary>
public static class BulkInsert
{
    /// <summary>SQL Server takes at most 2,100 parameters a statement.</summary>
    private const int MaxParameters = 2000;

    public static readonly string[] AttendanceColumns = ["SourceId", "StudentId", "Date", "SchoolId", "Category"];
    public static readonly string[] IncidentColumns = ["SourceId", "StudentId", "Date", "SchoolId", "Behavior", "Severity"];
    public static readonly string[] MarkColumns = ["SourceId", "StudentId", "Date", "Course", "Term", "Mark", "Passing"];
    public static readonly string[] SchoolDayColumns = ["SchoolId", "Date"];
    public static readonly string[] DeliveryColumns = ["ReferralId", "DeliveredOn", "Amount", "Unit", "DeliveredBy", "RecordedAt", "Version"];
    public static readonly string[] SummaryColumns =
    [
        "StudentId", "AsOf",
        "YearDays", "YearAbsences", "YearAttendance", "YearBand", "YearIncidents", "YearFailures",
        "TermDays", "TermAbsences", "TermAttendance", "TermBand", "TermIncidents", "TermFailures",
        "RecentDays", "RecentAbsences", "RecentAttendance", "RecentBand", "RecentIncidents", "RecentFailures",
    ];

    public static readonly string[] EnrollmentColumns = ["ClassId", "StudentId"];
    public static readonly string[] StudentColumns =
    [
        "SchoolId", "ExternalId", "LocalId", "GivenName", "FamilyName", "PreferredGivenName", "PreferredFamilyName", "Pronouns",
        "BirthDate", "Grade", "HomeLanguage", "GuardianName", "GuardianEmail", "GuardianPhone", "Status", "Version",
    ];

    public static readonly string[] AccessLogColumns = ["At", "UserId", "ActorName", "Role", "OrganizationId", "Action", "StudentId", "PlanId", "ReferralId", "Path", "IpAddress"];

    /// <summary>
    /// SQLite looks each named parameter up by a walk along the statement's parameter list, so binding a statement of
    /// n parameters costs n squared: a few hundred a statement keep it small.
    /// </summary>
    private const int MaxSqliteParameters = 400;

    public static int RowsPerStatement(int columns) => (MaxParameters - 1) / columns;


    /// <summary>A DELETE of no row: to EF's interceptors, a write to <paramref name="table"/> (public: its T-SQL is parsed in the tests).</summary>
    public static string AnnounceSql(string table) => $"DELETE FROM \"{table}\" WHERE 1 = 0";

    /// <summary>The INSERT of <paramref name="rows"/> rows into <paramref name="table"/> (public: its T-SQL is parsed in the tests).</summary>
    public static string InsertSql(string table, IReadOnlyList<string> columns, int rows)
    {
        var sql = new StringBuilder($"INSERT INTO \"{table}\" (\"TenantId\", ").Append(string.Join(", ", columns.Select(c => $"\"{c}\""))).Append(") VALUES ");
        for (var i = 0; i < rows; i++)
        {
            sql.Append(i == 0 ? "({0}" : ", ({0}");
            for (var c = 0; c < columns.Count; c++)
                sql.Append(", {").Append(1 + i * columns.Count + c).Append('}');
            sql.Append(')');
        }
        return sql.ToString();
    }

    private static async Task InsertAsync<T>(AppDbContext db, int tenantId, string table, string[] columns, IReadOnlyList<T> rows, Func<T, object?[]> values, CancellationToken ct)
    {
        if (rows.Count == 0) return;
        if (db.Database.IsSqlite())
        {
            await SqliteInsertAsync(db, tenantId, table, columns, rows, values, ct);
            return;
        }
        string? fullSql = null;
        foreach (var chunk in rows.Chunk(RowsPerStatement(columns.Length)))
        {
            var parameters = new List<object?>(1 + chunk.Length * columns.Length) { tenantId };
            foreach (var row in chunk) parameters.AddRange(values(row));
            // Every statement but the last has the same text: built once.
            var sql = chunk.Length == RowsPerStatement(columns.Length) ? fullSql ??= InsertSql(table, columns, chunk.Length) : InsertSql(table, columns, chunk.Length);
            await db.Database.ExecuteSqlRawAsync(sql, parameters!, ct);
        }
    }

    /// <summary>
    /// SQLite: the same statement, prepared once on the context's connection and transaction, run again with each batch's
    /// values. Through EF each statement of hundreds of parameters was built, mapped and prepared anew: some 70 µs of CPU
    /// a row, most of a year of attendance's write. Values are bound as EF stores them (DateOnly as yyyy-MM-dd text,
    /// bool as 0/1, enums passed in as their names). These commands pass no EF interceptor: the last command, through EF,
    /// says which table was written (<see cref="AnnounceSql"/>).
    /// </summary>
    private static async Task SqliteInsertAsync<T>(AppDbContext db, int tenantId, string table, string[] columns, IReadOnlyList<T> rows, Func<T, object?[]> values, CancellationToken ct)
    {
        var perStatement = Math.Max(1, (MaxSqliteParameters - 1) / columns.Length);
        await db.Database.OpenConnectionAsync(ct);
        DbCommand? full = null;
        try
        {
            foreach (var chunk in rows.Chunk(perStatement))
            {
                var command = chunk.Length == perStatement ? full ??= Prepare(chunk.Length) : Prepare(chunk.Length);
                var p = 1;
                foreach (var row in chunk)
                    foreach (var value in values(row))
                        command.Parameters[p++].Value = value ?? DBNull.Value;
                await command.ExecuteNonQueryAsync(ct);
                if (command != full) await command.DisposeAsync();
            }
        }
        finally
        {
            if (full is not null) await full.DisposeAsync();
            await db.Database.CloseConnectionAsync();
        }
        // These commands pass no EF interceptor; a write that changes nothing, naming the table, passes them all, so
        // that what is kept of the table (TenantReadCache) is retired now and again at the transaction's commit.
        await db.Database.ExecuteSqlRawAsync(AnnounceSql(table), ct);

        DbCommand Prepare(int count)
        {
            var command = db.Database.GetDbConnection().CreateCommand();
            command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
            var names = Enumerable.Range(0, 1 + count * columns.Length).Select(i => $"@p{i}").ToArray();
            command.CommandText = string.Format(CultureInfo.InvariantCulture, InsertSql(table, columns, count), names);
            foreach (var name in names)
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = name;
                command.Parameters.Add(parameter);
            }
            command.Parameters[0].Value = tenantId;
            command.Prepare();
            return command;
        }
    }

    /// <summary>Attendance rows of any shape (the import keeps compact values, not entities), given their <see cref="AttendanceColumns"/> values in order.</summary>
    internal static Task AttendanceAsync<T>(AppDbContext db, int tenantId, IReadOnlyList<T> rows, Func<T, object?[]> values, CancellationToken ct) =>
        InsertAsync(db, tenantId, "AttendanceEvents", AttendanceColumns, rows, values, ct);

    public static Task IncidentsAsync(AppDbContext db, int tenantId, IReadOnlyList<BehaviorIncident> rows, CancellationToken ct) =>
        InsertAsync(db, tenantId, "BehaviorIncidents", IncidentColumns, rows, e => [e.SourceId, e.StudentId, e.Date, e.SchoolId, e.Behavior, e.Severity.ToString()], ct);

    public static Task MarksAsync(AppDbContext db, int tenantId, IReadOnlyList<CourseMark> rows, CancellationToken ct) =>
        InsertAsync(db, tenantId, "CourseMarks", MarkColumns, rows, e => [e.SourceId, e.StudentId, e.Date, e.Course, e.Term, e.Mark, e.Passing], ct);

    public static Task SchoolDaysAsync(AppDbContext db, int tenantId, IReadOnlyList<SchoolDay> rows, CancellationToken ct) =>
        InsertAsync(db, tenantId, "SchoolDays", SchoolDayColumns, rows, e => [e.SchoolId, e.Date], ct);

    /// <summary>A roster's new children (a district's first import adds 50,000); their ids are read back by ExternalId.</summary>
    public static Task StudentsAsync(AppDbContext db, int tenantId, IReadOnlyList<Student> rows, CancellationToken ct) =>
        InsertAsync(db, tenantId, "Students", StudentColumns, rows, e => [e.SchoolId, e.ExternalId, e.LocalId, e.GivenName, e.FamilyName,
            e.PreferredGivenName, e.PreferredFamilyName, e.Pronouns, e.BirthDate, e.Grade, e.HomeLanguage, e.GuardianName, e.GuardianEmail,
            e.GuardianPhone, e.Status.ToString(), Guid.NewGuid().ToString().ToUpperInvariant()], ct);

    /// <summary>A roster's class enrollments (a district's are some 50,000 rows at each import).</summary>
    public static Task EnrollmentsAsync(AppDbContext db, int tenantId, IReadOnlyList<(int ClassId, int StudentId)> rows, CancellationToken ct) =>
        InsertAsync(db, tenantId, "ClassEnrollments", EnrollmentColumns, rows, e => [e.ClassId, e.StudentId], ct);

    /// <summary>Access log entries by the thousand (the nightly digests name every flagged child of a city), appended like EF would.</summary>
    public static Task AccessLogAsync(AppDbContext db, int tenantId, IReadOnlyList<SuccessPlans.Features.Audit.AccessLogEntry> rows, CancellationToken ct) =>
        InsertAsync(db, tenantId, "AccessLogEntries", AccessLogColumns, rows, e => [e.At, e.UserId, e.ActorName, e.Role, e.OrganizationId, e.Action.ToString(),
            e.StudentId, e.PlanId, e.ReferralId, e.Path, e.IpAddress], ct);

    /// <summary>
    /// Services delivered, for seeding history at city scale (the cabinet's benchmark: a million rows). Writes no rollup:
    /// the caller rebuilds them (DeliveryRollup.RebuildAsync), as the app's own saves would have kept them.
    /// </summary>
    public static Task DeliveriesAsync(AppDbContext db, int tenantId, IReadOnlyList<SuccessPlans.Features.Referrals.ServiceDelivery> rows, CancellationToken ct) =>
        InsertAsync(db, tenantId, "ServiceDeliveries", DeliveryColumns, rows, e => [e.ReferralId, e.DeliveredOn, e.Amount, e.Unit.ToString(), e.DeliveredBy, e.RecordedAt,
            // The concurrency token as EF writes a Guid on SQLite (upper-case text); SQL Server takes the same text.
            Guid.NewGuid().ToString().ToUpperInvariant()], ct);

    public static Task SummaryAsync(AppDbContext db, int tenantId, IReadOnlyList<StudentIndicators> rows, CancellationToken ct) =>
        InsertAsync(db, tenantId, "StudentIndicators", SummaryColumns, rows, e => [e.StudentId, e.AsOf,
            e.YearDays, e.YearAbsences, e.YearAttendance, e.YearBand?.ToString(), e.YearIncidents, e.YearFailures,
            e.TermDays, e.TermAbsences, e.TermAttendance, e.TermBand?.ToString(), e.TermIncidents, e.TermFailures,
            e.RecentDays, e.RecentAbsences, e.RecentAttendance, e.RecentBand?.ToString(), e.RecentIncidents, e.RecentFailures], ct);
}
