using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using SuccessPlans.Data;
using SuccessPlans.Features.Cabinet;
using SuccessPlans.Tenancy;

namespace SuccessPlans.Tests.Cabinet;

/// <summary>
/// <see cref="DeliveryYear.MonthsServed"/>, which the cabinet's outcomes read instead of the twelve months' counts, follows
/// every count and every count taken back.
/// </summary>
public class DeliveryYearTests
{
    [Fact]
    public void The_months_served_follow_each_count_and_each_count_taken_back()
    {
        var row = new DeliveryYear { SchoolYear = 2026 };
        Assert.Equal(0, row.MonthsServed);
        row.Count(new DateOnly(2026, 8, 3));                // August: bit 0
        row.Count(new DateOnly(2026, 8, 4));
        row.Count(new DateOnly(2027, 7, 1), services: 3);   // July: bit 11
        row.Count(new DateOnly(2026, 12, 1));               // December: bit 4
        Assert.Equal(1 | 1 << 4 | 1 << 11, row.MonthsServed);
        row.Count(new DateOnly(2026, 12, 1), services: -1); // December's only service taken back
        Assert.Equal(1 | 1 << 11, row.MonthsServed);
        row.Count(new DateOnly(2026, 8, 3), services: -1);  // one of August's two: still served
        Assert.Equal(1 | 1 << 11, row.MonthsServed);
        for (var i = 0; i < 12; i++)
            Assert.Equal(row.ByIndex()[i] > 0, (row.MonthsServed & 1 << i) != 0);
    }

    [Fact]
    public async Task The_migration_fills_the_months_served_of_the_rows_already_there()
    {
        // A database as it stood before migration MonthsServed, with rollup rows in it, then migrated: the rows' months as
        // bits are the ones Count would have kept.
        var folder = Directory.CreateTempSubdirectory("successplans-months-");
        var file = Path.Combine(folder.FullName, "app.db");
        var builder = new DbContextOptionsBuilder<AppDbContext>();
        new DatabaseSettings(DatabaseProvider.Sqlite, $"Data Source={file};Pooling=False", false).Configure(builder);
        await using var db = AppDbContext.Create(builder.Options, new CurrentTenant());
        var migrator = db.GetService<IMigrator>();
        var migrations = db.Database.GetMigrations().ToList();
        var before = migrations[migrations.FindIndex(m => m.EndsWith("_MonthsServed", StringComparison.Ordinal)) - 1];
        await migrator.MigrateAsync(before);
        await using (var connection = new SqliteConnection($"Data Source={file};Pooling=False;Foreign Keys=False"))
        {
            await connection.OpenAsync();
            await using var insert = connection.CreateCommand();
            insert.CommandText = """
                INSERT INTO "DeliveryYears" ("TenantId", "ReferralId", "SchoolYear", "StudentId", "SchoolId", "OrganizationId", "Domain", "Tier",
                  "Aug", "Sep", "Oct", "Nov", "Dec", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul") VALUES
                  (1, 1, 2026, 1, 1, 1, 0, NULL, 2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 5),
                  (1, 2, 2026, 2, 1, 1, 1, 0,    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
                  (1, 3, 2026, 3, 1, 1, 2, 2,    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1);
                """;
            await insert.ExecuteNonQueryAsync();
        }
        await migrator.MigrateAsync();
        var rows = await db.DeliveryYears.IgnoreQueryFilters([AppDbContext.TenantFilter]).OrderBy(m => m.ReferralId).ToListAsync();
        Assert.Equal([1 | 1 << 4 | 1 << 11, 0, 0xFFF], rows.Select(r => r.MonthsServed));
        Assert.All(rows, r => Assert.Equal(Enumerable.Range(0, 12).Sum(i => r.ByIndex()[i] > 0 ? 1 << i : 0), r.MonthsServed));
        await db.DisposeAsync();
        folder.Delete(recursive: true);
    }
}
