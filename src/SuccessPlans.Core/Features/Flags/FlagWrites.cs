using System.Data.Common;
using SuccessPlans.Data;

namespace SuccessPlans.Features.Flags;

/// <summary>
/// The nightly check's writes for one rule, set-based around the rule's own query (EF's SQL for it), which runs once:
/// its subjects go into a temporary table of the check's connection (<see cref="Subjects"/>), then each open flag of the
/// kind whose subject is not in it is resolved (UPDATE ... WHERE NOT IN) and a flag is opened for each subject without an
/// open flag of the kind (INSERT ... SELECT). Nothing is read into memory: the first check of a 50,000-student tenant
/// opens tens of thousands of flags. The SQL is common to SQLite and SQL Server but for the temporary table's name.
/// </summary>
public static class FlagWrites
{
    public sealed record Statement(string Sql, IReadOnlyList<DbParameter> Parameters);

    /// <summary>
    /// The temporary table of a rule's subjects: SQLite's temp schema, SQL Server's session #table. Created by a statement
    /// without parameters (<see cref="CreateSubjectsSql"/>): on SQL Server a #table made inside sp_executesql would end with it.
    /// </summary>
    public static string Subjects(bool sqlServer) => sqlServer ? "#NightlySubjects" : "temp.\"NightlySubjects\"";

    /// <summary>Drops a leftover table (a retried attempt, a pooled SQLite connection) and creates it empty.</summary>
    public static string CreateSubjectsSql(bool sqlServer) => DropSubjectsSql(sqlServer) + " " + (sqlServer
        ? "CREATE TABLE #NightlySubjects (\"Subject\" int NOT NULL PRIMARY KEY, \"Student\" int NOT NULL, \"Summary\" nvarchar(1000) NULL);"
        : "CREATE TEMP TABLE \"NightlySubjects\" (\"Subject\" INTEGER NOT NULL PRIMARY KEY, \"Student\" INTEGER NOT NULL, \"Summary\" TEXT NULL);");

    /// <summary>Dropped after the rules: a pooled SQLite connection would keep it (and its pages) otherwise.</summary>
    public static string DropSubjectsSql(bool sqlServer) => $"DROP TABLE IF EXISTS {Subjects(sqlServer)};";

    /// <summary>
    /// Fill the subjects' table with the rule's rows, resolve, open: for the flags of <paramref name="kind"/> of the
    /// scope's tenant, in this order, after <see cref="CreateSubjectsSql"/> on the same connection (public: its T-SQL is
    /// parsed in the tests).
    /// </summary>
    public static (Statement Fill, Statement Resolve, Statement Open) For(AppDbContext db, FlagKind kind, IQueryable<NightlyCheckJob.Subject> rule, int tenantId, DateOnly today, DateTime now)
    {
        var sqlServer = !db.Database.IsSqlite();
        var subjects = Subjects(sqlServer);
        // The rule as EF writes it, with its own parameters (taken off EF's command). Its columns are named by position
        // (the CTE's column list), whatever aliases EF gives them. "+ 0" keeps the child a column of its own where it is
        // the subject too (IndicatorWithoutPlan): EF selects one expression once.
        using var command = rule.Select(s => new { s.Id, StudentId = s.StudentId + 0, s.Summary }).CreateDbCommand();
        var ruleParameters = command.Parameters.Cast<DbParameter>().ToList();
        command.Parameters.Clear();
        DbParameter Parameter(string name, object value)
        {
            var p = command.CreateParameter();
            (p.ParameterName, p.Value) = (name, value);
            return p;
        }
        // Each statement gets its own parameter objects: a parameter belongs to one command.
        List<DbParameter> Flag() =>
        [
            Parameter("@flagTenant", tenantId), Parameter("@flagKind", kind.ToString()), Parameter("@flagToday", today), Parameter("@flagNow", now),
            // One new version for the rows a statement writes (as EF stores a Guid: upper-case text on SQLite).
            Parameter("@flagVersion", sqlServer ? Guid.NewGuid() : Guid.NewGuid().ToString().ToUpperInvariant()),
        ];

        var fill = new Statement($"DELETE FROM {subjects}; "
            + $"WITH r (\"FlagSubject\", \"FlagStudent\", \"FlagSummary\") AS ({command.CommandText}) "
            + $"INSERT INTO {subjects} (\"Subject\", \"Student\", \"Summary\") SELECT r.\"FlagSubject\", r.\"FlagStudent\", substring(r.\"FlagSummary\", 1, 1000) FROM r",
            ruleParameters);
        var resolve = new Statement(
            "UPDATE \"Flags\" SET \"ResolvedAt\" = @flagNow, \"Version\" = @flagVersion "
            + "WHERE \"TenantId\" = @flagTenant AND \"Kind\" = @flagKind AND \"ResolvedAt\" IS NULL "
            + $"AND \"SubjectId\" NOT IN (SELECT s.\"Subject\" FROM {subjects} AS s)",
            Flag());
        var open = new Statement(
            "INSERT INTO \"Flags\" (\"TenantId\", \"Kind\", \"SubjectId\", \"StudentId\", \"FirstSeenOn\", \"Summary\", \"Version\") "
            + $"SELECT @flagTenant, @flagKind, s.\"Subject\", s.\"Student\", @flagToday, s.\"Summary\", @flagVersion FROM {subjects} AS s "
            + "WHERE s.\"Subject\" NOT IN (SELECT f.\"SubjectId\" FROM \"Flags\" AS f WHERE f.\"TenantId\" = @flagTenant AND f.\"Kind\" = @flagKind AND f.\"ResolvedAt\" IS NULL)",
            Flag());
        return (fill, resolve, open);
    }
}
