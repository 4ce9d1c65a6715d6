using System.Data;
using System.Data.Common;
using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using SuccessPlans.Data;
using SuccessPlans.Features.Students;
using SuccessPlans.Tests.Infrastructure;

namespace SuccessPlans.Tests.Model;

/// <summary>
/// The app's contexts keep their SQLite connections open with the statements they prepared (issue 15): a query runs again
/// on its prepared statement, reads the data of now, with the parameters of its own run (another tenant's context on the
/// same connection finds nothing of the first), and a connection left in a transaction is not kept.
/// </summary>
public class SqliteStatementsTests : IAsyncLifetime
{
    private readonly AppFactory _app = new();
    private int _a, _b, _schoolA, _schoolB;

    public async Task InitializeAsync()
    {
        _a = (await _app.CreateTenantAsync("statements-a")).Id;
        _b = (await _app.CreateTenantAsync("statements-b")).Id;
        _schoolA = (await _app.CreateSchoolAsync(_a, "A School")).Id;
        _schoolB = (await _app.CreateSchoolAsync(_b, "B School")).Id;
        await _app.InTenant(_a, async (_, db) =>
        {
            db.Students.Add(new Student { SchoolId = _schoolA, GivenName = "Ada", FamilyName = "Alder", Grade = "03" });
            await db.SaveChangesAsync();
        });
        await _app.InTenant(_b, async (_, db) =>
        {
            db.Students.Add(new Student { SchoolId = _schoolB, GivenName = "Bea", FamilyName = "Birch", Grade = "03" });
            await db.SaveChangesAsync();
        });
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    // The same LINQ for every tenant and school: one SQL text, one prepared statement a connection.
    private static Task<List<string>> NamesOfGrade3(AppDbContext db) =>
        db.Students.AsNoTracking().Where(s => s.Grade == "03").OrderBy(s => s.GivenName).Select(s => s.GivenName).ToListAsync();

    [Fact]
    public async Task A_query_runs_again_on_its_prepared_statement_and_reads_the_data_of_now()
    {
        var (names, connection) = await _app.InTenant(_a, async (_, db) =>
        {
            var first = await NamesOfGrade3(db);
            var second = await NamesOfGrade3(db);
            Assert.Equal(first, second);
            return (second, db.Database.GetDbConnection());
        });
        Assert.Equal(["Ada"], names);
        // After the scope: still open, with its statements, and the statement of that SQL has run twice.
        Assert.Equal(ConnectionState.Open, connection.State);
        Assert.True(SqliteStatements.CountOn(connection) > 0);
        Assert.True(RunsOf(connection, "\"GivenName\"") >= 2);

        // A row added since: the prepared statement reads it.
        await _app.InTenant(_a, async (_, db) =>
        {
            db.Students.Add(new Student { SchoolId = _schoolA, GivenName = "Abe", FamilyName = "Ash", Grade = "03" });
            await db.SaveChangesAsync();
        });
        for (var i = 0; i < 6; i++)
            Assert.Equal(["Abe", "Ada"], await _app.InTenant(_a, (_, db) => NamesOfGrade3(db)));
    }

    [Fact]
    public async Task Another_tenant_on_the_same_connection_finds_nothing_of_the_first()
    {
        // Scopes one after the other, in the order A, A, B: EF's pool hands its contexts round, so connections serve both.
        var tenantsOf = new Dictionary<DbConnection, HashSet<int>>();
        for (var i = 0; i < 30; i++)
        {
            var tenant = i % 3 == 2 ? _b : _a;
            var (names, connection) = await _app.InTenant(tenant, async (_, db) => (await NamesOfGrade3(db), db.Database.GetDbConnection()));
            Assert.Equal(tenant == _a ? ["Ada"] : ["Bea"], names);
            if (!tenantsOf.TryGetValue(connection, out var tenants)) tenantsOf[connection] = tenants = [];
            tenants.Add(tenant);
        }
        Assert.Contains(tenantsOf, c => c.Value.Count == 2 && SqliteStatements.CountOn(c.Key) > 0);
    }

    [Fact]
    public async Task A_query_run_again_with_other_values_is_not_planned_again()
    {
        // The caseload as its page runs it, searched and paged: the search's LIKE patterns and the page's LIMIT are
        // parameters, and SQLite's planner, left to read their values, marks the statement to be prepared again whenever
        // one is bound again (SqlitePragmas, SqliteLimits).
        var connection = await _app.InTenant(_a, async (_, db) =>
        {
            foreach (var q in new[] { "Al", "Bi", "Al" })
            {
                await Caseload.Query(db, StudentScope.InSchools(db, [_schoolA]), new CaseloadFilter(Q: q), 2026).ToListAsync();
                await Caseload.Query(db, StudentScope.InSchools(db, [_schoolA]), new CaseloadFilter(), 2026).Skip(0).Take(50).ToListAsync();
            }
            return db.Database.GetDbConnection();
        });
        var statements = StatusOf(connection);
        Assert.Contains(statements, s => s.Sql.Contains("LIKE", StringComparison.Ordinal) && s.Runs >= 3);
        // The page's LIMIT went as a number (SqliteLimits), so the planner still plans for 50 rows; the OFFSET stays a parameter.
        Assert.Contains(statements, s => s.Sql.Contains("LIMIT 50 OFFSET @", StringComparison.Ordinal) && s.Runs >= 3);
        Assert.DoesNotContain(statements, s => s.Sql.Contains("LIMIT @", StringComparison.Ordinal));
        var again = statements.Where(s => s.Reprepared > 0).Select(s => $"prepared again {s.Reprepared} times in {s.Runs} runs: {s.Sql}").ToList();
        Assert.True(again.Count == 0, string.Join("\n\n", again));
    }

    [Fact]
    public void A_limit_parameter_is_written_as_its_number_and_nothing_else_changes()
    {
        // An OFFSET sharing the LIMIT's parameter keeps it; a LIMIT in a subquery is written too.
        using var command = new SqliteCommand("SELECT 1 FROM (SELECT 1 LIMIT @p0) LIMIT @p OFFSET @p");
        command.Parameters.AddWithValue("@p", 50);
        command.Parameters.AddWithValue("@p0", 3L);
        SqliteLimits.Inline(command);
        Assert.Equal("SELECT 1 FROM (SELECT 1 LIMIT 3) LIMIT 50 OFFSET @p", command.CommandText);
        // No value, or no integer: the SQL stays as it was, for SQLite to report.
        using var other = new SqliteCommand("SELECT 1 LIMIT @missing OFFSET @n; SELECT 2 LIMIT @text");
        other.Parameters.AddWithValue("@n", 2);
        other.Parameters.AddWithValue("@text", "50");
        SqliteLimits.Inline(other);
        Assert.Equal("SELECT 1 LIMIT @missing OFFSET @n; SELECT 2 LIMIT @text", other.CommandText);
    }

    [Fact]
    public void A_texts_written_limit_is_kept_for_each_value_and_never_given_to_another_value()
    {
        // EF gives a query shape one text instance; each run with the same page size gets the same written SQL, not a new copy.
        var sql = string.Concat("SELECT \"s\".\"Id\" FROM \"Students\" AS \"s\" ORDER BY \"s\".\"Id\" LIMIT @p", "");
        string Run(int rows)
        {
            using var command = new SqliteCommand(sql);
            command.Parameters.AddWithValue("@p", rows);
            SqliteLimits.Inline(command);
            return command.CommandText;
        }
        var fifty = Run(50);
        Assert.Equal("SELECT \"s\".\"Id\" FROM \"Students\" AS \"s\" ORDER BY \"s\".\"Id\" LIMIT 50", fifty);
        Assert.Same(fifty, Run(50));
        Assert.EndsWith("LIMIT 25", Run(25));
        Assert.EndsWith("LIMIT 50", Run(50));
        // Past the kept values a text is written out each time, still right.
        for (var rows = 100; rows < 200; rows++)
            Assert.EndsWith($"LIMIT {rows}", Run(rows));
        Assert.Same(fifty, Run(50));
    }

    [Fact]
    public async Task A_connection_left_in_a_transaction_is_closed_not_kept()
    {
        var connection = await _app.InTenant(_a, async (_, db) =>
        {
            await NamesOfGrade3(db);
            var c = db.Database.GetDbConnection();
            await using var begin = c.CreateCommand();
            begin.CommandText = "BEGIN";
            await begin.ExecuteNonQueryAsync();
            return c;
        });
        await AssertClosedNotKeptAndTheAppGoesOnAsync(connection, "Cy");
    }

    // The connection was closed, not kept, and the app reads and writes on (a child of grade 4 added, grade 3 read).
    private async Task AssertClosedNotKeptAndTheAppGoesOnAsync(DbConnection connection, string newChild)
    {
        Assert.Equal(ConnectionState.Closed, connection.State);
        Assert.Equal(-1, SqliteStatements.CountOn(connection));
        await _app.InTenant(_a, async (_, db) =>
        {
            db.Students.Add(new Student { SchoolId = _schoolA, GivenName = newChild, FamilyName = "Later", Grade = "04" });
            await db.SaveChangesAsync();
        });
        Assert.Equal(["Ada"], await _app.InTenant(_a, (_, db) => NamesOfGrade3(db)));
    }

    [Fact]
    public async Task The_same_query_inside_its_own_reading_runs_on_a_command_of_its_own()
    {
        var pairs = await _app.InTenant(_a, async (_, db) =>
        {
            var found = new List<(string, List<string>)>();
            await foreach (var name in db.Students.AsNoTracking().Where(s => s.Grade == "03").OrderBy(s => s.GivenName).Select(s => s.GivenName).AsAsyncEnumerable())
                found.Add((name, await NamesOfGrade3(db)));
            return found;
        });
        var (outer, inner) = Assert.Single(pairs);
        Assert.Equal("Ada", outer);
        Assert.Equal(["Ada"], inner);
    }

    [Fact]
    public async Task A_statement_that_failed_is_dropped_and_its_connection_goes_on()
    {
        await _app.InTenant(_a, async (_, db) =>
        {
            db.Schools.Add(new SuccessPlans.Features.Schools.School { Name = "First", ExternalId = "same" });
            await db.SaveChangesAsync();
            db.Schools.Add(new SuccessPlans.Features.Schools.School { Name = "Second", ExternalId = "same" });
            await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());
            db.ChangeTracker.Clear();
            // The same INSERT again, on the same connection, with values that fit.
            db.Schools.Add(new SuccessPlans.Features.Schools.School { Name = "Third", ExternalId = "other" });
            await db.SaveChangesAsync();
        });
        var names = await _app.InTenant(_a, (_, db) => db.Schools.Where(s => s.ExternalId == "same" || s.ExternalId == "other").OrderBy(s => s.Name).Select(s => s.Name).ToListAsync());
        Assert.Equal(["First", "Third"], names);
    }

    [Fact]
    public async Task A_statement_no_wrapper_knows_of_does_not_fail_the_request()
    {
        // A statement SQLite holds on the connection that no managed wrapper knows of: what a statement finalized by the
        // GC while another took its address looks like to SQLitePCL's statement map. Before the fix, the close at the
        // end of the scope walked that map and threw KeyNotFoundException (issue 15's mixed load: 4 requests answered 500).
        var orphan = IntPtr.Zero;
        try
        {
            var connection = await _app.InTenant(_a, async (_, db) =>
            {
                await NamesOfGrade3(db);
                var c = (SqliteConnection)db.Database.GetDbConnection();
                Assert.Equal(0, Native.sqlite3_prepare_v2(c.Handle!.DangerousGetHandle(), "SELECT \"Id\" FROM \"Students\"", -1, out orphan, IntPtr.Zero));
                return c;
            });
            // Not running, so nothing holds a transaction: the connection stays open with its statements.
            Assert.Equal(ConnectionState.Open, connection.State);
            Assert.True(SqliteStatements.CountOn(connection) > 0);
        }
        finally
        {
            Native.sqlite3_finalize(orphan);
        }
        Assert.Equal(["Ada"], await _app.InTenant(_a, (_, db) => NamesOfGrade3(db)));
    }

    [Fact]
    public async Task A_connection_with_a_reader_still_reading_is_closed_not_kept()
    {
        // A reader read once and never disposed holds a read transaction in autocommit mode: a connection kept with it
        // would keep that old snapshot (and stop the WAL's checkpoint) for as long as it stays open.
        var connection = await _app.InTenant(_a, async (_, db) =>
        {
            var c = db.Database.GetDbConnection();
            var command = c.CreateCommand();
            command.CommandText = "SELECT \"Id\" FROM \"Students\"";
            var reader = await command.ExecuteReaderAsync();
            Assert.True(await reader.ReadAsync());
            return c;
        });
        await AssertClosedNotKeptAndTheAppGoesOnAsync(connection, "Dee");
    }

    [Fact]
    public async Task At_most_MaxKept_connections_to_a_database_stay_open()
    {
        // More scopes at once than the allowance, each holding its context while the others open theirs.
        var all = new TaskCompletionSource();
        var started = 0;
        var connectionString = "";
        var scopes = Enumerable.Range(0, SqliteKeptConnection.MaxKept + 8).Select(_ => Task.Run(() => _app.InTenant(_a, async (_, db) =>
        {
            await NamesOfGrade3(db);
            connectionString = db.Database.GetDbConnection().ConnectionString;
            if (Interlocked.Increment(ref started) == SqliteKeptConnection.MaxKept + 8) all.SetResult();
            await all.Task.WaitAsync(TimeSpan.FromSeconds(60));
        }))).ToList();
        await Task.WhenAll(scopes);
        Assert.Equal(SqliteKeptConnection.MaxKept, SqliteKeptConnection.KeptCount(connectionString));
        // And the app reads on, from kept connections and the others.
        for (var i = 0; i < 10; i++)
            Assert.Equal(["Ada"], await _app.InTenant(_a, (_, db) => NamesOfGrade3(db)));
    }

    private const int StatementReprepared = 5; // SQLITE_STMTSTATUS_REPREPARE

    // Every statement the connection holds: its SQL, how often it ran and how often SQLite prepared it again.
    private static List<(string Sql, int Runs, int Reprepared)> StatusOf(DbConnection connection)
    {
        var handle = ((SqliteConnection)connection).Handle!.DangerousGetHandle();
        var all = new List<(string, int, int)>();
        for (var stmt = Native.sqlite3_next_stmt(handle, IntPtr.Zero); stmt != IntPtr.Zero; stmt = Native.sqlite3_next_stmt(handle, stmt))
            all.Add((Marshal.PtrToStringUTF8(Native.sqlite3_sql(stmt)) ?? "", Native.sqlite3_stmt_status(stmt, StatementRuns, 0),
                Native.sqlite3_stmt_status(stmt, StatementReprepared, 0)));
        return all;
    }

    private const int StatementRuns = 6; // SQLITE_STMTSTATUS_RUN

    // How many times the connection's prepared statement whose SQL contains the text has run (SQLite's own count). It walks
    // SQLite's own list of the connection's statements: SQLitePCL's sqlite3_next_stmt works only with its statement map on.
    private static int RunsOf(DbConnection connection, string sqlContains) =>
        StatusOf(connection).Where(s => s.Sql.Contains(sqlContains, StringComparison.Ordinal) && s.Sql.Contains("'03'", StringComparison.Ordinal))
            .Select(s => s.Runs).DefaultIfEmpty(0).Max();

    // The SQLite library SQLitePCLRaw loads (e_sqlite3), called directly.
    private static class Native
    {
        [DllImport("e_sqlite3")] public static extern IntPtr sqlite3_next_stmt(IntPtr db, IntPtr stmt);
        [DllImport("e_sqlite3")] public static extern IntPtr sqlite3_sql(IntPtr stmt);
        [DllImport("e_sqlite3")] public static extern int sqlite3_stmt_status(IntPtr stmt, int op, int reset);
        [DllImport("e_sqlite3")] public static extern int sqlite3_finalize(IntPtr stmt);
        [DllImport("e_sqlite3", CharSet = CharSet.Ansi, BestFitMapping = false)]
        public static extern int sqlite3_prepare_v2(IntPtr db, [MarshalAs(UnmanagedType.LPUTF8Str)] string sql, int length, out IntPtr stmt, IntPtr tail);
    }
}
