using Microsoft.EntityFrameworkCore;
using SuccessPlans.Features.Directory;
using SuccessPlans.Features.Flags;
using SuccessPlans.Features.Jobs;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Referrals;
using SuccessPlans.Features.Students;
using SuccessPlans.Tests.Infrastructure;

namespace SuccessPlans.Tests.Flags;

/// <summary>
/// A need's <see cref="PlanItem.ReferralState"/>, which the nightly rule UnmetNeed reads, follows every way a referral is
/// written: the service's send and transitions, the nightly expiry's set-based UPDATE, an EF insert (imports, seeding),
/// a set-based delete (erasure); each step is compared with what the need's referrals say.
/// </summary>
public class NightlyNeedStateTests : IAsyncLifetime
{
    // 04:00 in New York on Monday 2 November 2026.
    private static readonly DateTimeOffset Day0 = new(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);
    private readonly AppFactory _app = new(Day0);
    private int _tenant, _student, _need, _otherNeed, _service, _otherService;
    private readonly Actor _actor = new(null, "Test Admin");

    public async Task InitializeAsync()
    {
        _tenant = (await _app.CreateTenantAsync("needstate")).Id;
        var school = (await _app.CreateSchoolAsync(_tenant, "State School")).Id;
        await _app.InTenant(_tenant, async (_, db) =>
        {
            var org = new ProviderOrganization { Name = "Helpers" };
            db.Services.AddRange(new Service { Name = "Tutoring", Organization = org, Domain = Domain.Academic },
                new Service { Name = "Reading club", Organization = org, Domain = Domain.Academic });
            var student = new Student { GivenName = "Ada", FamilyName = "Lane", SchoolId = school };
            var plan = new SuccessPlan { Student = student, SchoolYear = 2026 };
            plan.Items.Add(new PlanItem { Domain = Domain.Academic, Kind = PlanItemKind.Need, Description = "Reading", Status = NeedStatus.Open, IdentifiedOn = new DateOnly(2026, 11, 2) });
            plan.Items.Add(new PlanItem { Domain = Domain.Health, Kind = PlanItemKind.Need, Description = "Glasses", Status = NeedStatus.Open, IdentifiedOn = new DateOnly(2026, 11, 2) });
            db.Plans.Add(plan);
            await db.SaveChangesAsync();
            (_student, _need, _otherNeed) = (student.Id, plan.Items[0].Id, plan.Items[1].Id);
            _service = await db.Services.Where(s => s.Name == "Tutoring").Select(s => s.Id).SingleAsync();
            _otherService = await db.Services.Where(s => s.Name == "Reading club").Select(s => s.Id).SingleAsync();
        });
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private Task<NeedReferralState> StateAsync(int need) => _app.InTenant(_tenant, (_, db) => db.PlanItems.Where(i => i.Id == need).Select(i => i.ReferralState).SingleAsync());

    /// <summary>What the need's referrals say, computed here from the rows, as the rule did before the state was kept.</summary>
    private Task<NeedReferralState> ExpectedAsync(int need) => _app.InTenant(_tenant, async (_, db) =>
    {
        var referrals = await db.Referrals.Where(r => r.NeedId == need).Select(r => new { r.Status, r.Outcome }).ToListAsync();
        return referrals.Any(r => r.Status is ReferralStatus.Sent or ReferralStatus.Accepted or ReferralStatus.InService
                                  || (r.Status == ReferralStatus.Completed && r.Outcome == ReferralOutcome.GotHelp)) ? NeedReferralState.UnderWay
            : referrals.Any(r => r.Status is ReferralStatus.Declined or ReferralStatus.Expired or ReferralStatus.ClosedUnsuccessful) ? NeedReferralState.EndedWithoutHelp
            : NeedReferralState.None;
    });

    private async Task AssertStateAsync(NeedReferralState expected)
    {
        Assert.Equal(expected, await ExpectedAsync(_need));
        Assert.Equal(expected, await StateAsync(_need));
        // The other need of the same plan has no referral and is never touched.
        Assert.Equal(NeedReferralState.None, await StateAsync(_otherNeed));
    }

    private Task<int> SendAsync(int service, int? need = null) => _app.InTenant(_tenant, async (sp, db) =>
    {
        var student = await db.Students.SingleAsync(s => s.Id == _student);
        // An Admin's override stands in for a consent: the state does not depend on it.
        return (await sp.GetRequiredService<ReferralService>().SendAsync(student, need ?? _need, service, _actor, true, "Test override without a consent", CancellationToken.None)).Id;
    });

    private Task MoveAsync(int referral, Func<ReferralService, Referral, Task> move) => _app.InTenant(_tenant, async (sp, db) =>
        await move(sp.GetRequiredService<ReferralService>(), await db.Referrals.SingleAsync(r => r.Id == referral)));

    [Fact]
    public async Task The_service_sending_and_moving_referrals_keeps_the_need_state()
    {
        await AssertStateAsync(NeedReferralState.None);
        var first = await SendAsync(_service);
        await AssertStateAsync(NeedReferralState.UnderWay);
        await MoveAsync(first, (s, r) => s.DeclineAsync(r, ReferralOutcome.NoCapacity, null, _actor, null));
        await AssertStateAsync(NeedReferralState.EndedWithoutHelp);

        var second = await SendAsync(_otherService);
        await AssertStateAsync(NeedReferralState.UnderWay);
        await MoveAsync(second, (s, r) => s.AcceptAsync(r, _actor, null));
        await AssertStateAsync(NeedReferralState.UnderWay);
        await MoveAsync(second, (s, r) => s.CloseUnsuccessfulAsync(r, ReferralOutcome.CouldNotContact, null, _actor, null));
        await AssertStateAsync(NeedReferralState.EndedWithoutHelp);

        var third = await SendAsync(_service);
        await MoveAsync(third, (s, r) => s.AcceptAsync(r, _actor, null));
        // A first delivery moves it to "in service" (the delivery's own write path).
        await MoveAsync(third, (s, r) => s.RecordDeliveryAsync(r, new DateOnly(2026, 11, 2), 1, DeliveryUnit.Sessions, null, _actor, null));
        Assert.Equal(ReferralStatus.InService, await _app.InTenant(_tenant, (_, db) => db.Referrals.Where(r => r.Id == third).Select(r => r.Status).SingleAsync()));
        await AssertStateAsync(NeedReferralState.UnderWay);
        await MoveAsync(third, (s, r) => s.CompleteAsync(r, null, _actor, null));
        // Completed with the goal met: waits for the coordinator's confirmation, not unmet.
        await AssertStateAsync(NeedReferralState.UnderWay);
    }

    [Fact]
    public async Task A_withdrawal_the_nightly_expiry_and_a_set_based_delete_keep_the_need_state()
    {
        var sent = await SendAsync(_service);
        await MoveAsync(sent, (s, r) => s.WithdrawAsync(r, null, _actor, null));
        await AssertStateAsync(NeedReferralState.None);

        // Sent and never answered: the nightly check's set-based UPDATE expires it 30 days later.
        var unanswered = await SendAsync(_otherService);
        await AssertStateAsync(NeedReferralState.UnderWay);
        _app.Time.SetUtcNow(Day0.AddDays(30));
        await _app.Services.GetRequiredService<TenantJobRunner>().RunAsync(TenantJobCatalog.NightlyCheck.Name, _tenant, "test", CancellationToken.None);
        Assert.Equal(ReferralStatus.Expired, await _app.InTenant(_tenant, (_, db) => db.Referrals.Where(r => r.Id == unanswered).Select(r => r.Status).SingleAsync()));
        await AssertStateAsync(NeedReferralState.EndedWithoutHelp);
        // ... and the same night's rule saw it: the need is flagged.
        Assert.True(await _app.InTenant(_tenant, (_, db) => db.Flags.AnyAsync(f => f.Kind == FlagKind.UnmetNeed && f.SubjectId == _need && f.ResolvedAt == null)));

        // A set-based delete (as an erasure removes a child's referrals) leaves only the withdrawn one.
        await _app.InTenant(_tenant, async (_, db) =>
        {
            await db.ReferralEvents.Where(e => e.ReferralId == unanswered).ExecuteDeleteAsync();
            await db.ReferralUpdates.Where(u => u.ReferralId == unanswered).ExecuteDeleteAsync();
            await db.Disclosures.Where(d => d.ReferralId == unanswered).ExecuteDeleteAsync();
            await db.Referrals.Where(r => r.Id == unanswered).ExecuteDeleteAsync();
        });
        await AssertStateAsync(NeedReferralState.None);
    }

    [Fact]
    public async Task The_expiry_sets_the_states_of_its_needs_at_once_and_every_later_write_keeps_them()
    {
        // The first need: one referral that expires, one accepted that stays under way. The second: only one that expires.
        var expiring = await SendAsync(_service);
        var accepted = await SendAsync(_otherService);
        await MoveAsync(accepted, (s, r) => s.AcceptAsync(r, _actor, null));
        var alone = await SendAsync(_service, _otherNeed);
        Assert.Equal(NeedReferralState.UnderWay, await StateAsync(_otherNeed));

        _app.Time.SetUtcNow(Day0.AddDays(30));
        await _app.Services.GetRequiredService<TenantJobRunner>().RunAsync(TenantJobCatalog.NightlyCheck.Name, _tenant, "test", CancellationToken.None);
        Assert.Equal([ReferralStatus.Expired, ReferralStatus.Accepted, ReferralStatus.Expired], await _app.InTenant(_tenant, (_, db) =>
            db.Referrals.Where(r => r.Id == expiring || r.Id == accepted || r.Id == alone).OrderBy(r => r.Id).Select(r => r.Status).ToListAsync()));
        Assert.Equal(NeedReferralState.UnderWay, await ExpectedAsync(_need));
        Assert.Equal(NeedReferralState.UnderWay, await StateAsync(_need));
        Assert.Equal(NeedReferralState.EndedWithoutHelp, await ExpectedAsync(_otherNeed));
        Assert.Equal(NeedReferralState.EndedWithoutHelp, await StateAsync(_otherNeed));
        // The expiry's version is unlisted before its commit: nothing is left deferred ...
        Assert.Equal(0, await _app.InTenant(_tenant, (_, db) => db.Database.SqlQueryRaw<int>("SELECT COUNT(*) AS \"Value\" FROM \"NeedStateDeferrals\"").SingleAsync()));
        // ... and the service's next write of a referral keeps its need's state, by the trigger.
        await MoveAsync(accepted, (s, r) => s.CloseUnsuccessfulAsync(r, ReferralOutcome.CouldNotContact, null, _actor, null));
        Assert.Equal(NeedReferralState.EndedWithoutHelp, await ExpectedAsync(_need));
        Assert.Equal(NeedReferralState.EndedWithoutHelp, await StateAsync(_need));
    }

    [Fact]
    public async Task The_expiry_writes_each_need_state_once_not_once_a_referral()
    {
        // Every write of a need's state is logged by a trigger of the test's own: with the per-row trigger the expiry of two
        // referrals of one need wrote the need twice, and then once more in its set-based UPDATE; deferred, it writes it once.
        await _app.InTenant(_tenant, async (_, db) => await db.Database.ExecuteSqlRawAsync("""
            CREATE TABLE "TestNeedStateWrites" ("NeedId" INTEGER NOT NULL);
            CREATE TRIGGER "TestLogNeedStateWrites" AFTER UPDATE OF "ReferralState" ON "PlanItems" BEGIN
              INSERT INTO "TestNeedStateWrites" ("NeedId") VALUES (NEW."Id");
            END;
            """));
        await SendAsync(_service);
        await SendAsync(_otherService);
        Task<int> WritesAsync() => _app.InTenant(_tenant, (_, db) => db.Database.SqlQueryRaw<int>(
            "SELECT COUNT(*) AS \"Value\" FROM \"TestNeedStateWrites\" WHERE \"NeedId\" = {0}", _need).SingleAsync());
        var before = await WritesAsync();

        _app.Time.SetUtcNow(Day0.AddDays(30));
        await _app.Services.GetRequiredService<TenantJobRunner>().RunAsync(TenantJobCatalog.NightlyCheck.Name, _tenant, "test", CancellationToken.None);
        Assert.Equal(2, await _app.InTenant(_tenant, (_, db) => db.Referrals.CountAsync(r => r.NeedId == _need && r.Status == ReferralStatus.Expired)));
        Assert.Equal(1, await WritesAsync() - before);
        await AssertStateAsync(NeedReferralState.EndedWithoutHelp);
    }

    [Fact]
    public async Task The_expirys_need_state_is_the_triggers_and_only_its_own_rows_skip_the_trigger()
    {
        var triggers = await _app.InTenant(_tenant, (_, db) => db.Database.SqlQueryRaw<string>(
            "SELECT \"sql\" AS \"Value\" FROM sqlite_master WHERE \"type\" = 'trigger' AND \"name\" LIKE 'TR_Referrals_NeedState_%' ORDER BY \"name\"").ToListAsync());
        static string Words(string sql) => string.Join(' ', sql.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(3, triggers.Count);
        // One rule: every trigger (delete, insert, update) sets the state with the expiry's own CASE.
        Assert.All(triggers, t => Assert.Contains("SET \"ReferralState\" = " + Words(NightlyCheckJob.NeedStateSql), Words(t)));
        // Only the update trigger is deferred, and only for a version listed while the expiry runs.
        Assert.Contains("WHEN NOT EXISTS (SELECT 1 FROM \"NeedStateDeferrals\" AS d WHERE d.\"Version\" = NEW.\"Version\")", Words(triggers[2]));
        Assert.DoesNotContain("NeedStateDeferrals", triggers[0] + triggers[1]);
    }
}
