using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SuccessPlans.Data;
using SuccessPlans.Tests.Infrastructure;

namespace SuccessPlans.Tests.Model;

/// <summary>
/// The SQLite settings are sent once per native connection (issue 15), so every open of a pooled connection, the first
/// and the reused ones, must still carry them: secure_delete above all, which erasure relies on (docs/retention.md).
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
}
