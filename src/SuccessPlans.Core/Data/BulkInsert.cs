using System.Text;
using SuccessPlans.Features.Indicators;

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
    public static readonly string[] SummaryColumns =
    [
        "StudentId", "AsOf",
        "YearDays", "YearAbsences", "YearAttendance", "YearBand", "YearIncidents", "YearFailures",
        "TermDays", "TermAbsences", "TermAttendance", "TermBand", "TermIncidents", "TermFailures",
        "RecentDays", "RecentAbsences", "RecentAttendance", "RecentBand", "RecentIncidents", "RecentFailures",
    ];

    public static int RowsPerStatement(int columns) => (MaxParameters - 1) / columns;

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
        foreach (var chunk in rows.Chunk(RowsPerStatement(columns.Length)))
        {
            var parameters = new List<object?>(1 + chunk.Length * columns.Length) { tenantId };
            foreach (var row in chunk) parameters.AddRange(values(row));
            await db.Database.ExecuteSqlRawAsync(InsertSql(table, columns, chunk.Length), parameters!, ct);
        }
    }

    public static Task AttendanceAsync(AppDbContext db, int tenantId, IReadOnlyList<AttendanceEvent> rows, CancellationToken ct) =>
        InsertAsync(db, tenantId, "AttendanceEvents", AttendanceColumns, rows, e => [e.SourceId, e.StudentId, e.Date, e.SchoolId, e.Category.ToString()], ct);

    public static Task IncidentsAsync(AppDbContext db, int tenantId, IReadOnlyList<BehaviorIncident> rows, CancellationToken ct) =>
        InsertAsync(db, tenantId, "BehaviorIncidents", IncidentColumns, rows, e => [e.SourceId, e.StudentId, e.Date, e.SchoolId, e.Behavior, e.Severity.ToString()], ct);

    public static Task MarksAsync(AppDbContext db, int tenantId, IReadOnlyList<CourseMark> rows, CancellationToken ct) =>
        InsertAsync(db, tenantId, "CourseMarks", MarkColumns, rows, e => [e.SourceId, e.StudentId, e.Date, e.Course, e.Term, e.Mark, e.Passing], ct);

    public static Task SchoolDaysAsync(AppDbContext db, int tenantId, IReadOnlyList<SchoolDay> rows, CancellationToken ct) =>
        InsertAsync(db, tenantId, "SchoolDays", SchoolDayColumns, rows, e => [e.SchoolId, e.Date], ct);

    public static Task SummaryAsync(AppDbContext db, int tenantId, IReadOnlyList<StudentIndicators> rows, CancellationToken ct) =>
        InsertAsync(db, tenantId, "StudentIndicators", SummaryColumns, rows, e => [e.StudentId, e.AsOf,
            e.YearDays, e.YearAbsences, e.YearAttendance, e.YearBand?.ToString(), e.YearIncidents, e.YearFailures,
            e.TermDays, e.TermAbsences, e.TermAttendance, e.TermBand?.ToString(), e.TermIncidents, e.TermFailures,
            e.RecentDays, e.RecentAbsences, e.RecentAttendance, e.RecentBand?.ToString(), e.RecentIncidents, e.RecentFailures], ct);
}
