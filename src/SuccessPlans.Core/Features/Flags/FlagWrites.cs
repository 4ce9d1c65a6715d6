using System.Data.Common;
using SuccessPlans.Data;

namespace SuccessPlans.Features.Flags;

/// <summary>
/// The nightly check's writes for one rule, as two set-based statements over the rule's own query (EF's SQL for it):
/// open a flag for each subject without an open flag of the kind (INSERT ... SELECT), and resolve each open flag of the
/// kind whose subject the rule no longer finds (UPDATE ... WHERE NOT IN). Nothing is read into memory: the first check
/// of a 50,000-student tenant opens tens of thousands of flags. Both subqueries are uncorrelated, so each database runs
/// the rule once per statement. The SQL is common to SQLite and SQL Server (a CTE, quoted names, substring).
/// </summary>
public static class FlagWrites
{
    public sealed record Statement(string Sql, IReadOnlyList<DbParameter> Parameters);

    /// <summary>Open and resolve, for the flags of <paramref name="kind"/> of the scope's tenant (public: its T-SQL is parsed in the tests).</summary>
    public static (Statement Open, Statement Resolve) For(AppDbContext db, FlagKind kind, IQueryable<NightlyCheckJob.Subject> rule, int tenantId, DateOnly today, DateTime now)
    {
        var sqlite = db.Database.IsSqlite();
        // The rule as EF writes it, with its own parameters (taken off EF's command: each statement gets its own).
        // Its columns are named by position (the CTE's column list), whatever aliases EF gives them. "+ 0" keeps the
        // child a column of its own where it is the subject too (IndicatorWithoutPlan): EF selects one expression once.
        (string Rows, List<DbParameter> Parameters) Rule()
        {
            using var command = rule.Select(s => new { s.Id, StudentId = s.StudentId + 0, s.Summary }).CreateDbCommand();
            var list = command.Parameters.Cast<DbParameter>().ToList();
            command.Parameters.Clear();
            void Add(string name, object value)
            {
                var p = command.CreateParameter();
                (p.ParameterName, p.Value) = (name, value);
                list.Add(p);
            }
            Add("@flagTenant", tenantId);
            Add("@flagKind", kind.ToString());
            Add("@flagToday", today);
            Add("@flagNow", now);
            // One new version for the rows a statement writes (as EF stores a Guid: upper-case text on SQLite).
            Add("@flagVersion", sqlite ? Guid.NewGuid().ToString().ToUpperInvariant() : Guid.NewGuid());
            return ($"WITH r (\"FlagSubject\", \"FlagStudent\", \"FlagSummary\") AS ({command.CommandText}) ", list);
        }

        var (rows, parameters) = Rule();
        var open = new Statement(rows +
            "INSERT INTO \"Flags\" (\"TenantId\", \"Kind\", \"SubjectId\", \"StudentId\", \"FirstSeenOn\", \"Summary\", \"Version\") " +
            "SELECT @flagTenant, @flagKind, r.\"FlagSubject\", r.\"FlagStudent\", @flagToday, substring(r.\"FlagSummary\", 1, 1000), @flagVersion FROM r " +
            "WHERE r.\"FlagSubject\" NOT IN (SELECT f.\"SubjectId\" FROM \"Flags\" AS f WHERE f.\"TenantId\" = @flagTenant AND f.\"Kind\" = @flagKind AND f.\"ResolvedAt\" IS NULL)",
            parameters);
        (rows, parameters) = Rule();
        var resolve = new Statement(rows +
            "UPDATE \"Flags\" SET \"ResolvedAt\" = @flagNow, \"Version\" = @flagVersion " +
            "WHERE \"TenantId\" = @flagTenant AND \"Kind\" = @flagKind AND \"ResolvedAt\" IS NULL " +
            "AND \"SubjectId\" NOT IN (SELECT r.\"FlagSubject\" FROM r)",
            parameters);
        return (open, resolve);
    }
}
