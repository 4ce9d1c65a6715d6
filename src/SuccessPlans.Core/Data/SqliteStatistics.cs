using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using SuccessPlans.Features.Students;

namespace SuccessPlans.Data;

/// <summary>
/// SQLite: fixed planner statistics (sqlite_stat1) for the students' indexes, written at every start, so that every
/// database, the newcomer's demo and a test's few rows alike, is planned as a community of 10,000 children.
/// </summary>
/// <remarks>
/// Without statistics SQLite takes an equality on an index's first column to leave about ten rows. Every index here
/// starts with TenantId, so a tenant's whole roster looked like ten rows: the page of a kept caseload sort (50 children
/// by id, within the coordinator's schools) walked the schools' index over every child of them instead of looking up the
/// 50 ids, 1.3-2 ms a page at the coordinator of 10,000 against 0.2 ms (issue 15; PageQueryPlanTests). Fixed figures,
/// not ANALYZE: a plan then does not change with the data a database happens to hold, and the tests see the plans a
/// city sees (SQLite's "query planner stability guarantee" holds for fixed statistics). Only the students have them: with
/// ANALYZE of every table the other pages measured the same. SQL Server keeps statistics of its own.
/// </remarks>
public static class SqliteStatistics
{
    /// <summary>The rows the figures describe: ten communities of 10,000 children.</summary>
    public const int Rows = 100_000;

    /// <summary>
    /// By each index's columns: the rows one value of its first column selects, then of its first two, and so on
    /// (sqlite_stat1's format). A community of 10,000; a family name, 6; a school, 5,000, half the community, and a
    /// grade of it 400: SQLite does not count on a page's LIMIT ending a walk in name order early, so with a school of a
    /// tenth it sorted every child of the school (or of a grade of the coordinator's schools) before taking the first
    /// 50, where walking the name index reads a few hundred: the school filter at the coordinator of 10,000 took 3 ms a
    /// page against 0.3 ms (CaseloadQueryPlanTests: no sort of the scope).
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> Students = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["TenantId,Id"] = "10000 1",
        ["TenantId,ExternalId"] = "10000 1",
        ["TenantId,SchoolId,Grade,FamilyName,GivenName,Status"] = "10000 5000 400 2 1 1",
        ["TenantId,FamilyName,GivenName,SchoolId,Status"] = "10000 6 1 1 1",
        ["TenantId,Grade,FamilyName,GivenName,SchoolId,Status"] = "10000 1000 2 1 1 1",
        ["SchoolId"] = "5000",
    };

    /// <summary>Each index of the students in the model, by its name, with its figures (null: an index not described here).</summary>
    public static IEnumerable<(string Index, string Columns, string? Stat)> StudentIndexes(IModel model)
    {
        var students = model.FindEntityType(typeof(Student))!;
        foreach (var index in students.GetIndexes())
        {
            var columns = string.Join(',', index.Properties.Select(p => p.GetColumnName()));
            yield return (index.GetDatabaseName()!, columns, Students.TryGetValue(columns, out var stat) ? $"{Rows} {stat}" : null);
        }
    }

    /// <summary>Writes the figures, replacing any the students' table had, and has this connection read them.</summary>
    /// <remarks>
    /// At start, before the app serves: the connections opened later read them as they read the schema. A connection
    /// that was open already reads them at <c>ANALYZE sqlite_schema</c> (here, the start's own).
    /// </remarks>
    public static async Task WriteAsync(AppDbContext db, CancellationToken ct = default)
    {
        var table = db.Model.FindEntityType(typeof(Student))!.GetTableName()!;
        var rows = StudentIndexes(db.Model).Where(i => i.Stat is not null).ToList();
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            // Analysing sqlite_schema (no index) writes no figure; it creates sqlite_stat1 when the database has none.
            await db.Database.ExecuteSqlRawAsync("ANALYZE sqlite_schema", ct);
            await db.InTransactionAsync(async ct =>
            {
                await db.Database.ExecuteSqlAsync($"DELETE FROM sqlite_stat1 WHERE tbl = {table}", ct);
                foreach (var (index, _, stat) in rows)
                    await db.Database.ExecuteSqlAsync($"INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES ({table}, {index}, {stat})", ct);
            }, ct);
            await db.Database.ExecuteSqlRawAsync("ANALYZE sqlite_schema", ct);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }
}
