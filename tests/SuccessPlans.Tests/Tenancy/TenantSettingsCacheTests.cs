using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Tenants;
using SuccessPlans.Tests.Infrastructure;

namespace SuccessPlans.Tests.Tenancy;

/// <summary>Issue 15's per-tenant settings cache: a change shows at once, and one tenant never sees another's value.</summary>
public class TenantSettingsCacheTests : IAsyncLifetime
{
    private readonly AppFactory _app = new();
    private int _a, _b;

    public async Task InitializeAsync()
    {
        _ = _app.Server;
        _a = (await _app.CreateTenantAsync("cache-a")).Id;
        _b = (await _app.CreateTenantAsync("cache-b")).Id;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private Task<TenantSettings> SettingsOf(int tenantId) =>
        _app.InTenant(tenantId, (sp, _) => sp.GetRequiredService<TenantSettingsCache>().GetAsync());

    [Fact]
    public async Task A_saved_change_shows_at_once_in_the_next_request()
    {
        Assert.Equal(7, (await SettingsOf(_a)).NoResponseDays); // now cached
        await _app.InTenant(_a, async (_, db) =>
        {
            var tenant = await db.Tenants.SingleAsync();
            tenant.NoResponseDays = 3;
            tenant.TimeZoneId = "Pacific/Auckland";
            await db.SaveChangesAsync();
        });
        var after = await SettingsOf(_a);
        Assert.Equal(3, after.NoResponseDays);
        Assert.Equal("Pacific/Auckland", after.TimeZoneId);
        // The tenant's calendar day, which every plan and review page reads, follows the new time zone at once.
        await _app.InTenant(_a, async (sp, _) =>
        {
            var today = await sp.GetRequiredService<PlanService>().TodayAsync();
            Assert.Equal(DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(DateTime.UtcNow, TimeZoneInfo.FindSystemTimeZoneById("Pacific/Auckland"))), today);
        });
    }

    [Fact]
    public async Task One_tenant_never_sees_another_tenants_cached_settings()
    {
        await _app.InTenant(_a, async (_, db) =>
        {
            (await db.Tenants.SingleAsync()).StalledDays = 99;
            await db.SaveChangesAsync();
        });
        Assert.Equal(99, (await SettingsOf(_a)).StalledDays);
        Assert.Equal(21, (await SettingsOf(_b)).StalledDays);
        Assert.Equal(99, (await SettingsOf(_a)).StalledDays);
    }
}
