using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SuccessPlans.Data;
using SuccessPlans.Tests.Infrastructure;

namespace SuccessPlans.Tests.Model;

/// <summary>
/// The SQLite settings and, below, the students' fixed statistics. The settings are sent once per native connection
/// (issue 15), so every open of a pooled connection, the first and the reused ones, must still carry them: secure_delete above all, which erasure relies on (docs/retention.md).
/// </summary>
public class SqlitePragmasTests : IAsyncLifetime
{
    private readonly AppFactory _app = new();

    public Task InitializeAsync()
    {
        _ = _app.Server;
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Every_open_of_a_pooled_connection_has_the_settings()
    {
        for (var i = 0; i < 4; i++)
        {
            await using var scope = _app.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            await db.Database.OpenConnectionAsync();
            try
            {
                var connection = db.Database.GetDbConnection();
                async Task<string?> Pragma(string name)
                {
                    await using var command = connection.CreateCommand();
                    command.CommandText = $"PRAGMA {name};";
                    return Convert.ToString(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
                }
                Assert.Equal("1", await Pragma("secure_delete"));
                Assert.Equal(SqlitePragmas.BusyTimeoutMilliseconds.ToString(System.Globalization.CultureInfo.InvariantCulture), await Pragma("busy_timeout"));
                Assert.Equal("1", await Pragma("synchronous")); // NORMAL
                Assert.Equal($"-{SqlitePragmas.DefaultCacheKiB}", await Pragma("cache_size"));
                Assert.Equal("wal", await Pragma("journal_mode"));
            }
            finally
            {
                await db.Database.CloseConnectionAsync();
            }
        }
    }

    // Issue 15: SQLite plans the students' queries with fixed statistics (SqliteStatistics), written at start. Each index
    // of the students has its figures, so a new index cannot go without them, and the started app's database holds them.
    // How the figures change the plans: PageQueryPlanTests and CaseloadQueryPlanTests.
    [Fact]
    public async Task Every_index_of_the_students_has_its_figures_in_the_started_database()
    {
        await using var scope = _app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var indexes = SqliteStatistics.StudentIndexes(db.Model).ToList();
        Assert.NotEmpty(indexes);
        Assert.All(indexes, i => Assert.True(i.Stat is not null, $"{i.Index} ({i.Columns}) has no figures in SqliteStatistics.Students"));

        var stored = await db.Database.SqlQuery<Stat1>($"SELECT idx AS Idx, stat AS Stat FROM sqlite_stat1 WHERE tbl = 'Students'").ToListAsync();
        Assert.Equal(indexes.Select(i => (i.Index, i.Stat!)).Order(), stored.Select(s => (s.Idx, s.Stat)).Order());
        // Each figure counts one more column than the index has (the rows, then each prefix), never more rows than before.
        Assert.All(indexes, i => Assert.Equal(i.Columns.Split(',').Length + 1, i.Stat!.Split(' ').Length));
        Assert.All(indexes, i => Assert.True(i.Stat!.Split(' ').Select(int.Parse).Zip(i.Stat.Split(' ').Skip(1).Select(int.Parse)).All(p => p.First >= p.Second), i.Stat));
    }

    [Fact]
    public async Task Writing_them_again_replaces_them()
    {
        await using var scope = _app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        // An ANALYZE of the students (a few rows) or an operator's own figures are replaced at the next start.
        await db.Database.ExecuteSqlRawAsync("ANALYZE \"Students\"");
        await db.Database.ExecuteSqlRawAsync("INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES ('Students', 'IX_Gone', '5 1')");
        await SqliteStatistics.WriteAsync(db);
        var stored = await db.Database.SqlQuery<Stat1>($"SELECT idx AS Idx, stat AS Stat FROM sqlite_stat1 WHERE tbl = 'Students'").ToListAsync();
        Assert.Equal(SqliteStatistics.StudentIndexes(db.Model).Select(i => (i.Index, i.Stat!)).Order(), stored.Select(s => (s.Idx, s.Stat)).Order());
    }

    private sealed record Stat1(string Idx, string Stat);
}
