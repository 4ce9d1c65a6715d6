using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using SuccessPlans.Features.Flags;
using SuccessPlans.Tests.Infrastructure;

namespace SuccessPlans.Tests.Flags;

/// <summary>
/// Issue 15: the nightly check's rules as SQLite plans them. The rule "Not improving" read every delivery of the tenant
/// for each open need (its first delivery found by a scan of ServiceDeliveries): 160 s of CPU for a 50,000-student tenant
/// with 23,000 open needs and 13,000 deliveries, where the whole check takes under a second. Every table is now reached
/// by an index; none is scanned.
/// </summary>
public class NightlyRulePlanTests : IAsyncLifetime
{
    private readonly AppFactory _app = new();
    private int _tenant;

    public async Task InitializeAsync() => _tenant = (await _app.CreateTenantAsync("rule-plans")).Id;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Not_improving_reaches_every_table_by_an_index()
    {
        var plan = new List<string>();
        await _app.InTenant(_tenant, async (_, db) =>
        {
            await using var command = NightlyCheckJob.NotImproving(db, new DateOnly(2026, 10, 17)).CreateDbCommand();
            command.CommandText = "EXPLAIN QUERY PLAN " + command.CommandText;
            await db.Database.OpenConnectionAsync();
            command.Connection = db.Database.GetDbConnection();
            await using DbDataReader reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync()) plan.Add(reader.GetString(3));
        });
        var text = string.Join("\n", plan);
        // Not "(TenantId=?)" alone: an index's tenant prefix is every row of the tenant.
        Assert.True(plan.Any(l => l.Contains("IX_ServiceDeliveries", StringComparison.Ordinal)), text);
        Assert.All(plan.Where(l => l.Contains("IX_ServiceDeliveries", StringComparison.Ordinal)), l => Assert.Contains("ReferralId=?", l, StringComparison.Ordinal));
        Assert.All(plan.Where(l => l.Contains("IX_Referrals", StringComparison.Ordinal)), l => Assert.Contains("NeedId=?", l, StringComparison.Ordinal));
        Assert.DoesNotContain(plan, l => l.TrimStart().StartsWith("SCAN", StringComparison.Ordinal) && !l.Contains("VIRTUAL TABLE", StringComparison.Ordinal));
    }
}
