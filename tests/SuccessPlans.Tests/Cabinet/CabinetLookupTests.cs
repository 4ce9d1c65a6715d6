using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using SuccessPlans.Features.Cabinet;
using SuccessPlans.Features.Directory;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Referrals;
using SuccessPlans.Features.Users;
using SuccessPlans.Tests.Infrastructure;

namespace SuccessPlans.Tests.Cabinet;

/// <summary>
/// The dashboard as a lookup (issue 15): its figures are computed once per version of the tenant's rollups and kept
/// in the process (<see cref="CabinetFiguresCache"/>); every write that feeds them shows at the very next request,
/// also when it is made by a second app process on the same database, and another tenant's writes neither stale nor leak.
/// </summary>
public class CabinetLookupTests : IAsyncLifetime
{
    // 20 November 2026: the school year 2026-27 began on 1 August.
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 15, 0, 0, TimeSpan.Zero);
    private static readonly Period SchoolYear = Period.SchoolYearOf(new DateOnly(2026, 11, 20));
    private readonly AppFactory _app = new(Now);
    private AppFactory? _second;
    private int _tenant, _school, _service;
    private readonly Actor _actor = new(null, "Test Coordinator");

    private static DateOnly D(string s) => DateOnly.Parse(s, System.Globalization.CultureInfo.InvariantCulture);

    public async Task InitializeAsync()
    {
        _tenant = (await _app.CreateTenantAsync("lookup")).Id;
        _school = (await _app.CreateSchoolAsync(_tenant, "North Elementary")).Id;
        _service = await ServiceAsync(_app, _tenant, "Tutoring");
        // Every figure shown, so that each change can be read (suppression has its own tests, and one below).
        await SetThresholdAsync(_app, 1);
        await _app.ServeAsync(_tenant, _school, Domain.Academic, _service, 3, [D("2026-10-01"), D("2026-10-08")], "Ana");
    }

    public async Task DisposeAsync()
    {
        if (_second is not null) await _second.DisposeAsync();
        await _app.DisposeAsync();
    }

    private static async Task<int> ServiceAsync(AppFactory app, int tenant, string name) =>
        await app.InTenant(tenant, async (_, db) =>
        {
            var service = new Service { Name = name, Organization = new ProviderOrganization { Name = $"{name} Org" }, Domain = Domain.Academic, Tier = ServiceTier.EarlyIntervention };
            db.Services.Add(service);
            await db.SaveChangesAsync();
            return service.Id;
        });

    private Task SetThresholdAsync(AppFactory app, int threshold) =>
        app.InTenant(_tenant, async (_, db) => { (await db.Tenants.SingleAsync()).SuppressionThreshold = threshold; await db.SaveChangesAsync(); });

    private static Task<Dashboard> DashboardAsync(AppFactory app, int tenant) =>
        app.InTenant(tenant, (sp, _) => sp.GetRequiredService<CabinetReport>().BuildAsync(SchoolYear));

    private static int Cached(AppFactory app) => app.Services.GetRequiredService<CabinetFiguresCache>().Count;

    /// <summary>A process of the app of its own on the first one's database file.</summary>
    private AppFactory Second()
    {
        _second ??= new AppFactory(Now) { Settings = { ["ConnectionStrings:Sqlite"] = $"Data Source={Path.Combine(_app.Root, "app.db")}" } };
        return _second;
    }

    private Task ActAsync(AppFactory app, int referralId, Func<ReferralService, Referral, Task> act) =>
        app.InTenant(_tenant, async (sp, db) => await act(sp.GetRequiredService<ReferralService>(), await db.Referrals.SingleAsync(r => r.Id == referralId)));

    [Fact]
    public async Task The_figures_are_computed_once_and_each_write_of_a_second_process_shows_at_the_next_request()
    {
        var first = await DashboardAsync(_app, _tenant);
        Assert.Equal((6, 3, 3), (first.Totals.ServicesDelivered.Value, first.Totals.ChildrenServed.Value, first.Totals.ReferralsMade.Value));
        var kept = Cached(_app);
        Assert.True(kept > 0);
        var again = await DashboardAsync(_app, _tenant);
        Assert.Equal(kept, Cached(_app)); // read from the cache: nothing was computed again
        Assert.Equal(6, again.Totals.ServicesDelivered.Value);

        // A child referred, accepted and served by the second process: the first one shows it at once.
        var second = Second();
        await second.ServeAsync(_tenant, _school, Domain.Academic, _service, 1, [D("2026-11-19")], "Bea");
        var served = await DashboardAsync(_app, _tenant);
        Assert.Equal((7, 4, 4, 4), (served.Totals.ServicesDelivered.Value, served.Totals.ChildrenServed.Value, served.Totals.ReferralsMade.Value, served.Totals.ReferralsAccepted.Value));
        Assert.Equal(1, served.Table("month").Rows.Single(r => r.Label.StartsWith("Nov", StringComparison.Ordinal)).Figures[1].Value);
        Assert.Equal(0, served.Totals.ReferralsCompleted.Value);

        // A delivery corrected away, a referral closed and its need met, each in the second process.
        var referralId = await second.InTenant(_tenant, (_, db) => db.Referrals.OrderByDescending(r => r.Id).Select(r => r.Id).FirstAsync());
        var deliveryId = await second.InTenant(_tenant, (_, db) => db.ServiceDeliveries.Where(d => d.ReferralId == referralId).Select(d => d.Id).SingleAsync());
        await ActAsync(second, referralId, (s, r) => s.CorrectDeliveryAsync(r, deliveryId, true, null, null, null, null, "Entered twice", _actor, r.Version));
        var corrected = await DashboardAsync(_app, _tenant);
        Assert.Equal((6, 3), (corrected.Totals.ServicesDelivered.Value, corrected.Totals.ChildrenServed.Value));
        await ActAsync(second, referralId, (s, r) => s.RecordDeliveryAsync(r, D("2026-11-19"), 1, DeliveryUnit.Sessions, null, _actor, r.Version));
        await ActAsync(second, referralId, (s, r) => s.CompleteAsync(r, null, _actor, r.Version));
        Assert.Equal(1, (await DashboardAsync(_app, _tenant)).Totals.ReferralsCompleted.Value);
        await second.InTenant(_tenant, async (sp, db) =>
        {
            var referral = await db.Referrals.SingleAsync(r => r.Id == referralId);
            var plan = await db.Plans.Include(p => p.Items).SingleAsync(p => p.StudentId == referral.StudentId);
            var student = await db.Students.SingleAsync(s => s.Id == referral.StudentId);
            await sp.GetRequiredService<PlanService>().ConfirmNeedMetAsync(student, plan, referralId, _actor, plan.Version);
        });
        var met = await DashboardAsync(_app, _tenant);
        Assert.Equal((7, 4, 1, 1), (met.Totals.ServicesDelivered.Value, met.Totals.ChildrenServed.Value, met.Totals.ReferralsCompleted.Value, met.Totals.NeedsMet.Value));

        // The school renamed and the threshold raised there: the names and the suppression of the next request are the new ones.
        await second.InTenant(_tenant, async (_, db) => { (await db.Schools.SingleAsync(s => s.Id == _school)).Name = "North Academy"; await db.SaveChangesAsync(); });
        await SetThresholdAsync(second, 10);
        var suppressed = await DashboardAsync(_app, _tenant);
        Assert.Equal("North Academy", Assert.Single(suppressed.Table("school").Rows).Label);
        Assert.True(suppressed.Totals.ChildrenServed.Suppressed);
        Assert.Null(suppressed.Totals.ServicesDelivered.Value);
        // The threshold is part of the key (the children counts stop at it): lowering it back finds the figures kept for it.
        await SetThresholdAsync(second, 1);
        var before = Cached(_app);
        Assert.Equal(7, (await DashboardAsync(_app, _tenant)).Totals.ServicesDelivered.Value);
        Assert.Equal(before, Cached(_app));
    }

    [Fact]
    public async Task Another_tenants_writes_neither_stale_the_figures_nor_reach_them()
    {
        var mine = await DashboardAsync(_app, _tenant);
        var kept = Cached(_app);

        var other = (await _app.CreateTenantAsync("elsewhere")).Id;
        var school = (await _app.CreateSchoolAsync(other, "Elsewhere Academy")).Id;
        await _app.ServeAsync(other, school, Domain.Academic, await ServiceAsync(_app, other, "Elsewhere tutoring"), 12, [D("2026-10-05")], "Eli");

        // Still a lookup for the first tenant (its version did not move), with the same figures.
        var still = await DashboardAsync(_app, _tenant);
        Assert.Equal(kept, Cached(_app));
        Assert.Equal(JsonSerializer.Serialize(mine), JsonSerializer.Serialize(still));

        // The other tenant's cabinet, through the API, sees its own figures only, never the first tenant's cached ones.
        await _app.CreateUserAsync(other, "cabinet@elsewhere.test", UserRole.Cabinet);
        var cabinet = await _app.SignedInAsync("cabinet@elsewhere.test");
        var response = await cabinet.GetAsync("/api/v1/cabinet/dashboard?from=2026-08&to=2027-07");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        using var json = JsonDocument.Parse(body);
        Assert.Equal(12, json.RootElement.GetProperty("totals").GetProperty("servicesDelivered").GetProperty("value").GetInt64());
        Assert.DoesNotContain("North Elementary", body);
        Assert.Contains("Elsewhere Academy", body);
        // And a coordinator of the first tenant still gets no dashboard.
        await _app.CreateUserAsync(_tenant, "coord@lookup.test", UserRole.Coordinator, [_school]);
        var coordinator = await _app.SignedInAsync("coord@lookup.test");
        Assert.Equal(HttpStatusCode.Forbidden, (await coordinator.GetAsync("/api/v1/cabinet/dashboard")).StatusCode);
    }
}
