using Microsoft.EntityFrameworkCore;
using SuccessPlans.Features.Cabinet;
using SuccessPlans.Features.Directory;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Referrals;
using SuccessPlans.Features.Retention;
using SuccessPlans.Features.Students;
using SuccessPlans.Tests.Infrastructure;

namespace SuccessPlans.Tests.Cabinet;

/// <summary>
/// The referral funnel's monthly rollup (<see cref="FunnelMonth"/>), kept on every save, equals the raw computation over
/// the referrals and needs after each kind of change, compacted, rebuilt and built for a tenant that had none; another
/// tenant's rows never count.
/// </summary>
public class FunnelRollupTests : IAsyncLifetime
{
    // 20 November 2026, 15:00 UTC: the school year 2026-27.
    private readonly AppFactory _app = new(new DateTimeOffset(2026, 11, 20, 15, 0, 0, TimeSpan.Zero));
    private int _tenant, _school, _serviceId;
    private readonly Actor _actor = new(null, "test");

    private static DateOnly D(string s) => DateOnly.Parse(s, System.Globalization.CultureInfo.InvariantCulture);

    private static readonly Period[] Periods =
    [
        new(D("2026-08-01"), D("2027-07-31")), new(D("2026-11-01"), D("2026-11-30")), new(D("2026-12-01"), D("2026-12-31")),
        new(D("2026-10-01"), D("2026-11-30")), new(D("2025-08-01"), D("2026-07-31")),
    ];

    public async Task InitializeAsync()
    {
        _tenant = (await _app.CreateTenantAsync("funnel")).Id;
        _school = (await _app.CreateSchoolAsync(_tenant, "North Elementary")).Id;
        _serviceId = await ServiceAsync(_tenant, "Tutoring");
        // Sent and accepted on 20 November, served in October and November.
        await _app.ServeAsync(_tenant, _school, Domain.Academic, _serviceId, 12, [D("2026-10-05"), D("2026-11-02")], "Ann");
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private Task<int> ServiceAsync(int tenant, string name) => _app.InTenant(tenant, async (_, db) =>
    {
        var service = new Service { Name = name, Organization = new ProviderOrganization { Name = $"{name} org" }, Domain = Domain.Academic, Tier = ServiceTier.EarlyIntervention };
        db.Services.Add(service);
        await db.SaveChangesAsync();
        return service.Id;
    });

    /// <summary>A new child with an open need, referred (sent) now.</summary>
    private Task<int> SendAsync(string name) => _app.InTenant(_tenant, async (sp, db) =>
    {
        var student = new Student { GivenName = name, FamilyName = "Funnel", SchoolId = _school, Grade = "04" };
        var plan = new SuccessPlan { Student = student, SchoolYear = 2026, Tier = 2, Status = PlanStatus.Active };
        plan.Items.Add(new PlanItem { Domain = Domain.Academic, Kind = PlanItemKind.Need, Description = "Reading", Status = NeedStatus.Open, IdentifiedOn = D("2026-11-01") });
        db.Plans.Add(plan);
        db.Consents.Add(new Consent { Student = student, GuardianName = "Guardian", GivenOn = D("2026-11-01"), SharesWithAnyPartner = true, RecordedByName = "test" });
        await db.SaveChangesAsync();
        return (await sp.GetRequiredService<ReferralService>().SendAsync(student, plan.Items[0].Id, _serviceId, _actor, false, null)).Id;
    });

    private Task Act(int referralId, Func<ReferralService, Referral, Task> act) => _app.InTenant(_tenant, async (sp, db) =>
    {
        var referral = await db.Referrals.SingleAsync(r => r.Id == referralId);
        await act(sp.GetRequiredService<ReferralService>(), referral);
        return 0;
    });

    /// <summary>The funnel's figures of a period as the raw queries over referrals and needs compute them.</summary>
    private Task<string> RawAsync(Period period, int? tenant = null) => _app.InTenant(tenant ?? _tenant, async (_, db) =>
    {
        var zone = (await db.Tenants.SingleAsync()).TimeZone;
        var q = CabinetReport.FunnelQueriesFor(db, period, zone);
        var counts = await q.Counts.SingleOrDefaultAsync();
        var histogram = await q.Histogram.ToListAsync();
        return Describe(counts?.Made ?? 0, counts?.Accepted ?? 0, counts?.Completed ?? 0, await q.NeedsMet.CountAsync(), histogram.Select(h => (h.Days, h.Count)));
    });

    /// <summary>The same figures as the dashboard reads them from the rollup.</summary>
    private Task<string> KeptAsync(Period period, int? tenant = null) => _app.InTenant(tenant ?? _tenant, async (_, db) =>
    {
        var sums = await CabinetReport.FunnelSums(db, period).ToListAsync();
        int Sum(FunnelMeasure m) => sums.Where(s => s.Measure == m).Sum(s => s.Count);
        return Describe(Sum(FunnelMeasure.Made), Sum(FunnelMeasure.Accepted), Sum(FunnelMeasure.Completed), Sum(FunnelMeasure.NeedsMet),
            sums.Where(s => s.Measure == FunnelMeasure.FirstServed).Select(s => (s.Days, s.Count)));
    });

    private static string Describe(int made, int accepted, int completed, int needsMet, IEnumerable<(int Days, int Count)> days) =>
        $"made {made}, accepted {accepted}, completed {completed}, needs met {needsMet}, days to first service " +
        string.Join(" ", days.Where(d => d.Count != 0).OrderBy(d => d.Days).Select(d => $"{d.Days}:{d.Count}"));

    private async Task<List<string>> AssertKeptEqualsRawAsync(int? tenant = null)
    {
        var all = new List<string>();
        foreach (var period in Periods)
        {
            var raw = await RawAsync(period, tenant);
            Assert.Equal(raw, await KeptAsync(period, tenant));
            all.Add($"{period.Label}: {raw}");
        }
        return all;
    }

    [Fact]
    public async Task The_funnel_months_kept_on_every_change_equal_the_referrals_own_counts_compacted_rebuilt_and_built_late()
    {
        Assert.Contains("school year 2026–27: made 12, accepted 12, completed 0, needs met 0, days to first service 0:12", await AssertKeptEqualsRawAsync());

        // Sent at 03:00 UTC on 1 December, which is still 30 November in New York: November's referrals.
        _app.Time.SetUtcNow(new DateTimeOffset(2026, 12, 1, 3, 0, 0, TimeSpan.Zero));
        var declined = await SendAsync("Dee");
        var withdrawn = await SendAsync("Will");
        var completed = await SendAsync("Cole");
        var accepted = await SendAsync("Ace");
        Assert.Contains(await AssertKeptEqualsRawAsync(), p => p.StartsWith("November 2026: made 16, accepted 12, completed 0,", StringComparison.Ordinal));

        _app.Time.SetUtcNow(new DateTimeOffset(2026, 12, 3, 15, 0, 0, TimeSpan.Zero));
        await Act(declined, (s, r) => s.DeclineAsync(r, ReferralOutcome.NoCapacity, null, _actor, r.Version));
        await Act(withdrawn, (s, r) => s.AcceptAsync(r, _actor, r.Version));
        await Act(withdrawn, (s, r) => s.WithdrawAsync(r, "Moved away", _actor, r.Version));
        await Act(accepted, (s, r) => s.AcceptAsync(r, _actor, r.Version));
        await Act(completed, (s, r) => s.AcceptAsync(r, _actor, r.Version));
        await Act(completed, (s, r) => s.RecordDeliveryAsync(r, D("2026-12-03"), 1, DeliveryUnit.Sessions, null, _actor, r.Version));
        await Act(completed, (s, r) => s.CompleteAsync(r, null, _actor, r.Version));
        // The coordinator confirms the need met.
        await _app.InTenant(_tenant, async (sp, db) =>
        {
            var referral = await db.Referrals.SingleAsync(r => r.Id == completed);
            var plan = await db.Plans.Include(p => p.Items).SingleAsync(p => p.StudentId == referral.StudentId);
            var student = await db.Students.SingleAsync(s => s.Id == referral.StudentId);
            await sp.GetRequiredService<PlanService>().ConfirmNeedMetAsync(student, plan, completed, _actor, plan.Version);
            return 0;
        });
        var afterChanges = await AssertKeptEqualsRawAsync();
        Assert.Contains(afterChanges, p => p.StartsWith("November 2026: made 16, accepted 15, completed 1, needs met 0,", StringComparison.Ordinal));
        // The completed referral's first service and its need met fall in December.
        Assert.Contains(afterChanges, p => p.StartsWith("December 2026: made 0, accepted 0, completed 0, needs met 1, days to first service ", StringComparison.Ordinal) && !p.EndsWith("service ", StringComparison.Ordinal));

        // Erasing a child moves no count: the child still was referred, accepted and served.
        var erased = await _app.InTenant(_tenant, (_, db) => db.Referrals.Where(r => r.Id == accepted).Select(r => r.StudentId).SingleAsync());
        await _app.InTenant(_tenant, async (sp, _) => await sp.GetRequiredService<StudentErasure>().EraseAsync(erased, $"{erased}", _actor, "admin@test"));
        Assert.Equal(afterChanges, await AssertKeptEqualsRawAsync());

        // Folded into one row per key, rebuilt, and built at the first reading of a tenant that never had it.
        async Task<int> Rows() => await _app.InTenant(_tenant, (_, db) => db.FunnelMonths.CountAsync());
        var appended = await Rows();
        await _app.InTenant(_tenant, async (_, db) => { await FunnelRollup.CompactAsync(db); return 0; });
        Assert.Equal(afterChanges, await AssertKeptEqualsRawAsync());
        var keys = await _app.InTenant(_tenant, (_, db) => db.FunnelMonths.Select(m => new { m.Measure, m.MonthNumber, m.Days }).Distinct().CountAsync());
        Assert.Equal(keys, await Rows());
        Assert.True(appended > keys, $"{appended} appended rows fold into {keys}");
        await _app.InTenant(_tenant, async (_, db) => { await FunnelRollup.RebuildAsync(db); return 0; });
        Assert.Equal(afterChanges, await AssertKeptEqualsRawAsync());
        await _app.InTenant(_tenant, (_, db) => db.FunnelMonths.ExecuteDeleteAsync());
        var dashboard = await _app.InTenant(_tenant, (sp, _) => sp.GetRequiredService<CabinetReport>().BuildAsync(Periods[0]));
        Assert.Equal(16, dashboard.Totals.ReferralsMade.Value);
        Assert.Equal(afterChanges, await AssertKeptEqualsRawAsync());
    }

    [Fact]
    public async Task Another_tenants_referrals_never_count()
    {
        var mine = await AssertKeptEqualsRawAsync();
        var other = (await _app.CreateTenantAsync("elsewhere")).Id;
        var school = (await _app.CreateSchoolAsync(other, "Elsewhere Academy")).Id;
        await _app.ServeAsync(other, school, Domain.Academic, await ServiceAsync(other, "Elsewhere tutoring"), 15, [D("2026-11-05")], "Eli");

        Assert.Equal(mine, await AssertKeptEqualsRawAsync());
        Assert.Contains(await AssertKeptEqualsRawAsync(other), p => p.StartsWith("school year 2026–27: made 15, accepted 15,", StringComparison.Ordinal));
        var dashboard = await _app.InTenant(_tenant, (sp, _) => sp.GetRequiredService<CabinetReport>().BuildAsync(Periods[0]));
        Assert.Equal(12, dashboard.Totals.ReferralsMade.Value);
        // Rebuilding one tenant leaves the other's rows alone.
        await _app.InTenant(other, async (_, db) => { await FunnelRollup.RebuildAsync(db); return 0; });
        Assert.Equal(mine, await AssertKeptEqualsRawAsync());
    }

    /// <summary>
    /// The funnel rollup and the tenant rules ride on the one pass of change detection a save makes: a large import tracks
    /// tens of thousands of entities, and every extra pass of DetectChanges walks them all. Counted by EF's own event.
    /// </summary>
    [Fact]
    public async Task A_save_detects_changes_once_and_still_appends_the_funnel_difference_and_the_new_version()
    {
        var first = await SendAsync("Once");
        var second = await SendAsync("Twice");
        Task<int> Completed() => _app.InTenant(_tenant, (_, db) => db.FunnelMonths.Where(m => m.Measure == FunnelMeasure.Completed).SumAsync(m => m.Count));
        Task<Guid> Version(int id) => _app.InTenant(_tenant, (_, db) => db.Referrals.Where(r => r.Id == id).Select(r => r.Version).SingleAsync());
        Assert.Equal(0, await Completed());

        foreach (var (id, autoDetect) in new[] { (first, true), (second, false) })
        {
            var before = await Version(id);
            var passes = await _app.InTenant(_tenant, async (_, db) =>
            {
                // Other tracked rows: each pass would walk them too.
                await db.Referrals.ToListAsync();
                var referral = await db.Referrals.SingleAsync(r => r.Id == id);
                var passes = 0;
                db.ChangeTracker.DetectedAllChanges += (_, _) => passes++;
                // Off as bulk writers set it: the save must still see a change made on the entity alone.
                db.ChangeTracker.AutoDetectChangesEnabled = autoDetect;
                (referral.Status, referral.AnsweredAt, referral.ClosedAt) = (ReferralStatus.Completed, _app.Time.GetUtcNow().UtcDateTime, _app.Time.GetUtcNow().UtcDateTime);
                await db.SaveChangesAsync();
                return passes;
            });
            Assert.Equal(1, passes);
            Assert.NotEqual(before, await Version(id));
        }
        // Both completions reached the rollup, and it still equals the referrals' own counts.
        Assert.Equal(2, await Completed());
        await AssertKeptEqualsRawAsync();
    }
}
