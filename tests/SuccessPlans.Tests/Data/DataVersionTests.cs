using Microsoft.EntityFrameworkCore;
using SuccessPlans.Data;
using SuccessPlans.Features.Students;
using SuccessPlans.Tests.Infrastructure;

namespace SuccessPlans.Tests.Data;

/// <summary>
/// Issue 15: every committed write to what <see cref="TenantReadCache"/> keeps moves its tenant's <see cref="DataVersion"/>,
/// whatever way it is written, so another app process on the database knows at once that what it keeps is old. A write
/// that is rolled back, a read, another tenant's write and a write to a table nothing kept reads leave it.
/// </summary>
public class DataVersionTests : IAsyncLifetime
{
    private readonly AppFactory _app = new();
    private int _tenant, _other, _school, _student;

    public async Task InitializeAsync()
    {
        _tenant = (await _app.CreateTenantAsync("versions-a")).Id;
        _other = (await _app.CreateTenantAsync("versions-b")).Id;
        _school = (await _app.CreateSchoolAsync(_tenant, "Elm School")).Id;
        await _app.CreateSchoolAsync(_other, "Oak School");
        _student = await _app.InTenant(_tenant, async (_, db) =>
        {
            var student = new Student { SchoolId = _school, GivenName = "Ana", FamilyName = "Elm" };
            db.Students.Add(student);
            await db.SaveChangesAsync();
            return student.Id;
        });
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    // As another process reads it: committed rows only, on a connection of its own.
    private async Task<long> CommittedAsync(int tenant)
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_app.Root, "app.db")};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT COALESCE(SUM(\"Version\"), 0) FROM \"DataVersions\" WHERE \"TenantId\" IN (0, {tenant})";
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private Task<long> ReadAsync(int tenant) => _app.InTenant(tenant, (_, db) => DataVersions.ReadAsync(db, default));

    public static TheoryData<string> Writers() => new("a save", "a save, not async", "a save of several rows", "SQL", "SQL, not async", "ExecuteUpdate", "ExecuteDelete");

    [Theory]
    [MemberData(nameof(Writers))]
    public async Task Every_way_of_writing_moves_the_tenants_version_and_no_other(string writer)
    {
        var (before, otherBefore) = (await CommittedAsync(_tenant), await CommittedAsync(_other));
        Assert.Equal(before, await ReadAsync(_tenant));
        await _app.InTenant(_tenant, async (_, db) =>
        {
            switch (writer)
            {
                case "a save":
                    (await db.Students.SingleAsync(s => s.Id == _student)).GivenName = "Anna";
                    await db.SaveChangesAsync();
                    break;
                case "a save, not async":
                    db.Students.Add(new Student { SchoolId = _school, GivenName = "Ben", FamilyName = "Elm" });
                    db.SaveChanges();
                    break;
                case "a save of several rows":
                    db.Students.AddRange(new Student { SchoolId = _school, GivenName = "Cy", FamilyName = "Elm" }, new Student { SchoolId = _school, GivenName = "Dee", FamilyName = "Elm" });
                    (await db.Students.SingleAsync(s => s.Id == _student)).GivenName = "Anna";
                    await db.SaveChangesAsync();
                    break;
                case "SQL":
                    await db.Database.ExecuteSqlAsync($"UPDATE \"Students\" SET \"GivenName\" = 'Anna' WHERE \"Id\" = {_student}");
                    break;
                case "SQL, not async":
                    db.Database.ExecuteSql($"UPDATE \"Students\" SET \"GivenName\" = 'Anna' WHERE \"Id\" = {_student}");
                    break;
                case "ExecuteUpdate":
                    await db.Students.Where(s => s.Id == _student).ExecuteUpdateAsync(u => u.SetProperty(s => s.GivenName, "Anna"));
                    break;
                default:
                    await db.Students.Where(s => s.Id == _student).ExecuteDeleteAsync();
                    break;
            }
        });
        var after = await CommittedAsync(_tenant);
        Assert.True(after > before, $"{writer}: the version stayed at {before}");
        Assert.Equal(after, await ReadAsync(_tenant));
        Assert.Equal(otherBefore, await CommittedAsync(_other));
    }

    [Fact]
    public async Task A_transactions_writes_move_the_version_when_it_commits_and_not_when_it_rolls_back()
    {
        var before = await CommittedAsync(_tenant);
        // Under the execution strategy, as the app's own transactions run (Transactions.InTransactionAsync).
        await _app.InTenant(_tenant, (_, db) => db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            await using (var rolledBack = await db.Database.BeginTransactionAsync())
            {
                await db.Database.ExecuteSqlAsync($"UPDATE \"Students\" SET \"GivenName\" = 'Anna' WHERE \"Id\" = {_student}");
                await rolledBack.RollbackAsync();
            }
            Assert.Equal(before, await CommittedAsync(_tenant));

            await using var transaction = await db.Database.BeginTransactionAsync();
            await db.Database.ExecuteSqlAsync($"UPDATE \"Students\" SET \"GivenName\" = 'Anna' WHERE \"Id\" = {_student}");
            db.Students.Add(new Student { SchoolId = _school, GivenName = "Ben", FamilyName = "Elm" });
            await db.SaveChangesAsync();
            Assert.Equal(before, await CommittedAsync(_tenant)); // not before the data is committed
            await transaction.CommitAsync();
        }));
        Assert.Equal(before + 1, await CommittedAsync(_tenant)); // once, with the commit
    }

    [Fact]
    public async Task A_write_whose_tenant_is_not_known_moves_every_tenants_version()
    {
        var (before, otherBefore) = (await CommittedAsync(_tenant), await CommittedAsync(_other));
        await _app.InTenant(null, (_, db) => db.Database.ExecuteSqlAsync($"UPDATE \"Flags\" SET \"Summary\" = NULL WHERE \"Id\" < 0"));
        Assert.True(await CommittedAsync(_tenant) > before);
        Assert.True(await CommittedAsync(_other) > otherBefore);
        Assert.Equal(await CommittedAsync(_tenant), await ReadAsync(_tenant));
    }

    [Fact]
    public async Task Reads_and_writes_to_tables_nothing_kept_reads_leave_it()
    {
        var before = await CommittedAsync(_tenant);
        await _app.InTenant(_tenant, async (_, db) =>
        {
            Assert.Equal(1, await db.Students.CountAsync());
            db.SchoolDays.Add(new SuccessPlans.Features.Indicators.SchoolDay { SchoolId = _school, Date = new DateOnly(2026, 11, 2) });
            await db.SaveChangesAsync();
        });
        Assert.Equal(before, await CommittedAsync(_tenant));
    }

    [Fact]
    public async Task A_tenants_scope_reads_no_other_tenants_version_and_cannot_write_one()
    {
        await _app.InTenant(_other, async (_, db) =>
        {
            db.Students.Add(new Student { SchoolId = (await db.Schools.SingleAsync()).Id, GivenName = "Zed", FamilyName = "Oak" });
            await db.SaveChangesAsync();
        });
        var rows = await _app.InTenant(_tenant, (_, db) => db.DataVersions.Select(v => v.TenantId).ToListAsync());
        Assert.DoesNotContain(_other, rows);
        await Assert.ThrowsAsync<SuccessPlans.Tenancy.TenantViolationException>(() => _app.InTenant(_tenant, async (_, db) =>
        {
            db.DataVersions.Add(new DataVersion { TenantId = _tenant, Version = 1 });
            await db.SaveChangesAsync();
        }));
    }
}
