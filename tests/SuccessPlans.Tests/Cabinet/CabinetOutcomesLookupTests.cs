using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using SuccessPlans.Features.Cabinet;
using SuccessPlans.Features.Directory;
using SuccessPlans.Features.Indicators;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Retention;
using SuccessPlans.Tests.Infrastructure;

namespace SuccessPlans.Tests.Cabinet;

/// <summary>
/// The outcomes as a lookup (issue 15): computed once per version of what they read and kept in
/// <see cref="CabinetFiguresCache"/> beside the report's figures. Every kind of write they depend on (a delivery, attendance
/// written or deleted, school days, a child moving school, an erasure, the bands, a new day) shows at the very next request,
/// also when a second app process on the same database makes it; another tenant's writes neither stale nor reach them.
/// </summary>
public class CabinetOutcomesLookupTests : IAsyncLifetime
{
    // Friday 20 November 2026; the school year began on 1 August.
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 15, 0, 0, TimeSpan.Zero);
    private static readonly DateOnly Today = new(2026, 11, 20);
    private static readonly Period SchoolYear = Period.SchoolYearOf(Today);
    private readonly AppFactory _app = new(Now);
    private AppFactory? _second;
    private int _tenant, _north, _south, _east, _service;
    private int _source;

    private static DateOnly D(int month, int day) => new(2026, month, day);

    private static IEnumerable<DateOnly> Weekdays(DateOnly from, DateOnly to)
    {
        for (var d = from; d <= to; d = d.AddDays(1))
            if (d.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday)) yield return d;
    }

    public async Task InitializeAsync()
    {
        _tenant = (await _app.CreateTenantAsync("outlook")).Id;
        _north = (await _app.CreateSchoolAsync(_tenant, "North")).Id;
        _south = (await _app.CreateSchoolAsync(_tenant, "South")).Id;
        _east = (await _app.CreateSchoolAsync(_tenant, "East")).Id; // no calendar imported: nobody there can be compared
        _service = await ServiceAsync(_app, _tenant);
        await _app.InTenant(_tenant, async (_, db) =>
        {
            (await db.Tenants.SingleAsync()).SuppressionThreshold = 1; // every figure shown, so that each change can be read
            foreach (var school in new[] { _north, _south })
                foreach (var day in Weekdays(D(8, 17), D(11, 19)))
                    db.SchoolDays.Add(new SchoolDay { SchoolId = school, Date = day });
            await db.SaveChangesAsync();
        });
        // Four at North absent six days of September and none lately (improved), three at South never absent (stayed).
        await _app.ServeAsync(_tenant, _north, Domain.Academic, _service, 4, [D(10, 5)], "Ida");
        await _app.ServeAsync(_tenant, _south, Domain.Academic, _service, 3, [D(10, 6)], "Sid");
        await AbsentAsync(_app, _tenant, "Ida", Weekdays(D(9, 1), D(9, 8)));
    }

    public async Task DisposeAsync()
    {
        if (_second is not null) await _second.DisposeAsync();
        await _app.DisposeAsync();
    }

    private static Task<int> ServiceAsync(AppFactory app, int tenant) =>
        app.InTenant(tenant, async (_, db) =>
        {
            var service = new Service { Name = "Tutoring", Organization = new ProviderOrganization { Name = "Help" }, Domain = Domain.Academic, Tier = ServiceTier.EarlyIntervention };
            db.Services.Add(service);
            await db.SaveChangesAsync();
            return service.Id;
        });

    /// <summary>Absences for the tenant's children whose given name starts with the prefix, written by EF as a tracked insert.</summary>
    private Task AbsentAsync(AppFactory app, int tenant, string prefix, IEnumerable<DateOnly> days) =>
        app.InTenant(tenant, async (_, db) =>
        {
            // Names are filtered here, not in SQL: the query stays plain whatever the names' storage.
            foreach (var s in (await db.Students.Select(s => new { s.Id, s.SchoolId, s.GivenName }).ToListAsync()).Where(s => s.GivenName.StartsWith(prefix, StringComparison.Ordinal)))
                foreach (var day in days)
                    db.AttendanceEvents.Add(new AttendanceEvent { SourceId = $"lookup-{_source++}", StudentId = s.Id, SchoolId = s.SchoolId, Date = day, Category = AttendanceCategory.UnexcusedAbsence });
            await db.SaveChangesAsync();
        });

    private AppFactory Second()
    {
        _second ??= new AppFactory(Now) { Settings = { ["ConnectionStrings:Sqlite"] = $"Data Source={Path.Combine(_app.Root, "app.db")}" } };
        return _second;
    }

    private Task<Outcomes> OutcomesAsync(int tenant, DateOnly? today = null) =>
        _app.InTenant(tenant, (sp, _) => sp.GetRequiredService<CabinetOutcomes>().BuildAsync(SchoolYear, today ?? Today));

    private int Cached() => _app.Services.GetRequiredService<CabinetFiguresCache>().Count;

    private static async Task<int> IdaAsync(SuccessPlans.Data.AppDbContext db, bool last)
    {
        var ids = (await db.Students.OrderBy(s => s.Id).Select(s => new { s.Id, s.GivenName }).ToListAsync()).Where(s => s.GivenName.StartsWith("Ida", StringComparison.Ordinal)).ToList();
        return last ? ids[^1].Id : ids[0].Id;
    }

    private static (long?, long?, long?, long?) Counts(Outcomes o) => (o.Total.Measured.Value, o.Total.Improved.Value, o.Total.Stayed.Value, o.Total.Worsened.Value);

    [Fact]
    public async Task The_outcomes_are_computed_once_and_each_kind_of_write_shows_at_the_next_request()
    {
        var first = await OutcomesAsync(_tenant);
        Assert.Equal((7L, 4L, 3L, 0L), Counts(first));
        var kept = Cached();
        Assert.True(kept > 0);
        var again = await OutcomesAsync(_tenant);
        Assert.Equal(kept, Cached()); // read from the cache: nothing was computed again
        Assert.Equal(JsonSerializer.Serialize(first), JsonSerializer.Serialize(again));

        // Attendance written by a second process (a tracked insert): the three at South were absent lately.
        var second = Second();
        await AbsentAsync(second, _tenant, "Sid", Weekdays(D(11, 2), D(11, 9)));
        Assert.Equal((7L, 4L, 0L, 3L), Counts(await OutcomesAsync(_tenant)));

        // Deleted by a set-based statement, as an import replacing rows does.
        await second.InTenant(_tenant, (_, db) => db.AttendanceEvents.Where(e => e.Date >= D(11, 1)).ExecuteDeleteAsync());
        Assert.Equal((7L, 4L, 3L, 0L), Counts(await OutcomesAsync(_tenant)));

        // South's September taken out of its calendar: its children's first window has no school days left to compare.
        await second.InTenant(_tenant, (_, db) => db.SchoolDays.Where(d => d.SchoolId == _south && d.Date < D(10, 1)).ExecuteDeleteAsync());
        Assert.Equal((4L, 4L, 0L, 0L), Counts(await OutcomesAsync(_tenant)));

        // A child moving to a school with no calendar is compared no more.
        await second.InTenant(_tenant, async (_, db) =>
        {
            var id = await IdaAsync(db, last: false);
            (await db.Students.SingleAsync(s => s.Id == id)).SchoolId = _east;
            await db.SaveChangesAsync();
        });
        Assert.Equal((3L, 3L, 0L, 0L), Counts(await OutcomesAsync(_tenant)));

        // An erased child's attendance goes with the child's record: the child stays served, with no absence left.
        var erased = await _app.InTenant(_tenant, (_, db) => IdaAsync(db, last: true));
        await _app.InTenant(_tenant, (sp, _) => sp.GetRequiredService<StudentErasure>().EraseAsync(erased, $"{erased}", new Actor(null, "Test Admin"), "admin@test"));
        var afterErasure = await OutcomesAsync(_tenant);
        Assert.Equal((3L, 2L, 1L, 0L), Counts(afterErasure));
        Assert.Equal(7, afterErasure.ChildrenServed.Value);

        // Bands lowered so far that six days absent of September are satisfactory: nobody improved.
        await second.InTenant(_tenant, async (_, db) =>
        {
            var tenant = await db.Tenants.SingleAsync();
            (tenant.AttendanceSatisfactoryPercent, tenant.AttendanceAtRiskPercent, tenant.AttendanceChronicPercent) = (70, 60, 50);
            await db.SaveChangesAsync();
        });
        Assert.Equal((3L, 0L, 3L, 0L), Counts(await OutcomesAsync(_tenant)));

        // Two more children served (too recently to compare) by the second process.
        await second.ServeAsync(_tenant, _north, Domain.Academic, _service, 2, [D(11, 16)], "New");
        var served = await OutcomesAsync(_tenant);
        Assert.Equal(9, served.ChildrenServed.Value);
        Assert.Equal((3L, 0L, 3L, 0L), Counts(served));

        // A new day: a month on, the last 30 days hold no school day imported yet, so nobody can be compared.
        Assert.Equal((0L, 0L, 0L, 0L), Counts(await OutcomesAsync(_tenant, D(12, 21))));
        Assert.Equal((3L, 0L, 3L, 0L), Counts(await OutcomesAsync(_tenant)));

        // Suppression is applied at each request over the kept counts: a threshold raised hides them at once.
        var before = Cached();
        await second.InTenant(_tenant, async (_, db) => { (await db.Tenants.SingleAsync()).SuppressionThreshold = 10; await db.SaveChangesAsync(); });
        var suppressed = await OutcomesAsync(_tenant);
        Assert.Equal(before, Cached());
        Assert.True(suppressed.ChildrenServed.Suppressed);
        Assert.True(suppressed.Total.Measured.Suppressed);
        Assert.Null(suppressed.Total.Stayed.Value);
        Assert.True(suppressed.Table("domain").Rows.Single(r => r.Label == Labels.Words(Domain.Academic)).Measured.Suppressed);
    }

    // One more session of the first Ida's referral, recorded by the provider as users do.
    private Task DeliverAsync(DateOnly on) =>
        _app.InTenant(_tenant, async (sp, db) =>
        {
            var ida = await IdaAsync(db, last: false);
            var referral = await db.Referrals.SingleAsync(r => r.StudentId == ida);
            await sp.GetRequiredService<SuccessPlans.Features.Referrals.ReferralService>().RecordDeliveryAsync(referral, on, 1,
                SuccessPlans.Features.Referrals.DeliveryUnit.Sessions, null, new Actor(null, "Test Provider"), referral.Version);
        });

    [Fact]
    public async Task A_further_service_in_a_month_already_served_keeps_the_outcomes_and_a_first_service_in_a_month_computes_them_again()
    {
        var first = await OutcomesAsync(_tenant);
        Assert.Equal((7L, 4L, 3L, 0L), Counts(first));
        var kept = Cached();

        // Another session in October, the month of her first: who was served, from which month, in which domain, school
        // and tier is as it was, so the kept outcomes answer (nothing is computed again), and no child is noted as changed.
        var notes = await NotesAsync();
        await DeliverAsync(D(10, 20));
        var again = await OutcomesAsync(_tenant);
        Assert.Equal(kept, Cached());
        Assert.Equal(JsonSerializer.Serialize(first), JsonSerializer.Serialize(again));
        Assert.Equal(notes, await NotesAsync());

        // A session in September, before her first: her first month and her window before it move (August, no absence),
        // so she stayed satisfactory instead of improving. She is noted as changed.
        await DeliverAsync(D(9, 21));
        var moved = await OutcomesAsync(_tenant);
        Assert.True(Cached() > kept);
        Assert.Equal((7L, 3L, 4L, 0L), Counts(moved));
        Assert.Equal(notes + 1, await NotesAsync());
    }

    private Task<int> NotesAsync() => _app.InTenant(_tenant, (_, db) => db.ServedChanges.CountAsync());

    /// <summary>The outcomes as a process that has computed nothing yet works them out: every child from the rollup.</summary>
    private async Task<Outcomes> FromScratchAsync()
    {
        await using var fresh = new AppFactory(Now) { Settings = { ["ConnectionStrings:Sqlite"] = $"Data Source={Path.Combine(_app.Root, "app.db")}" } };
        return await fresh.InTenant(_tenant, (sp, _) => sp.GetRequiredService<CabinetOutcomes>().BuildAsync(SchoolYear, Today));
    }

    // Every rollup row of the children whose given name starts with the prefix, set behind the app's back: no child is
    // noted as changed, as no write of the app would do. Only a computation of every child sees it.
    private Task UnnotedAsync(string prefix, int monthsServed) =>
        _app.InTenant(_tenant, async (_, db) =>
        {
            var ids = (await db.Students.Select(s => new { s.Id, s.GivenName }).ToListAsync()).Where(s => s.GivenName.StartsWith(prefix, StringComparison.Ordinal)).Select(s => s.Id).ToList();
            return await db.DeliveryYears.Where(m => ids.Contains(m.StudentId)).ExecuteUpdateAsync(u => u.SetProperty(m => m.MonthsServed, monthsServed));
        });

    [Fact]
    public async Task After_a_first_service_in_a_month_only_the_children_noted_since_are_worked_out_again_and_agree_with_all_of_them()
    {
        Assert.Equal((7L, 4L, 3L, 0L), Counts(await OutcomesAsync(_tenant)));

        // Real writes, each followed by the kept outcomes and a computation from scratch side by side: Ida's first service
        // in September (her first month moves), two new children served, and a service taken back that leaves Ida's
        // September empty again.
        await DeliverAsync(D(9, 21));
        var moved = await OutcomesAsync(_tenant);
        Assert.Equal((7L, 3L, 4L, 0L), Counts(moved));
        Assert.Equal(JsonSerializer.Serialize(await FromScratchAsync()), JsonSerializer.Serialize(moved));

        await _app.ServeAsync(_tenant, _south, Domain.Health, _service, 2, [D(10, 14)], "Ned");
        var served = await OutcomesAsync(_tenant);
        Assert.Equal(9, served.ChildrenServed.Value);
        Assert.Equal((9L, 3L, 6L, 0L), Counts(served));
        Assert.Equal(JsonSerializer.Serialize(await FromScratchAsync()), JsonSerializer.Serialize(served));

        await _app.InTenant(_tenant, async (sp, db) =>
        {
            var ida = await IdaAsync(db, last: false);
            var referral = await db.Referrals.Include(r => r.Deliveries).SingleAsync(r => r.StudentId == ida);
            await sp.GetRequiredService<SuccessPlans.Features.Referrals.ReferralService>().CorrectDeliveryAsync(referral,
                referral.Deliveries.Single(d => d.DeliveredOn == D(9, 21)).Id, true, null, null, null, null, "Entered twice", new Actor(null, "Test Provider"), referral.Version);
        });
        var back = await OutcomesAsync(_tenant);
        Assert.Equal((9L, 4L, 5L, 0L), Counts(back));
        Assert.Equal(JsonSerializer.Serialize(await FromScratchAsync()), JsonSerializer.Serialize(back));

        // Only the noted children are read again: the three at South set unserved behind the app's back stay as they were
        // when Ida is noted, and a process computing from scratch no longer counts them.
        await UnnotedAsync("Sid", 0);
        await DeliverAsync(D(9, 22));
        var kept = await OutcomesAsync(_tenant);
        Assert.Equal((9L, 3L, 6L, 0L), Counts(kept));
        Assert.Equal((6L, 3L, 3L, 0L), Counts(await FromScratchAsync()));
    }

    [Fact]
    public async Task A_note_committed_late_or_notes_pruned_make_the_outcomes_work_out_every_child_again()
    {
        Assert.Equal((7L, 4L, 3L, 0L), Counts(await OutcomesAsync(_tenant)));
        await UnnotedAsync("Sid", 0);
        Assert.Equal((7L, 4L, 3L, 0L), Counts(await OutcomesAsync(_tenant))); // nothing noted: the kept outcomes

        // A note below the newest the outcomes had seen (as SQL Server's identities can commit out of order): the counts of
        // notes no longer add up, so every child is worked out, and South's three are not served any more.
        await _app.InTenant(_tenant, async (_, db) =>
        {
            db.ServedChanges.Add(new ServedChange { Id = -1, StudentId = await IdaAsync(db, last: false), At = Now.UtcDateTime });
            return await db.SaveChangesAsync();
        });
        Assert.Equal((4L, 4L, 0L, 0L), Counts(await OutcomesAsync(_tenant)));

        // The nightly prune of notes older than a day: the count falls, and every child is worked out again.
        await UnnotedAsync("Sid", 1 << DeliveryYear.MonthIndex(10));
        Assert.Equal((4L, 4L, 0L, 0L), Counts(await OutcomesAsync(_tenant)));
        var pruned = await _app.InTenant(_tenant, async (_, db) =>
        {
            await db.ServedChanges.Where(c => c.Id != -1).ExecuteUpdateAsync(u => u.SetProperty(c => c.At, Now.UtcDateTime - ServedChanges.KeptFor - TimeSpan.FromMinutes(1)));
            await DeliveryRollup.CompactAsync(db, Now.UtcDateTime);
            return await db.ServedChanges.CountAsync();
        });
        Assert.Equal(1, pruned); // the note of today stays
        Assert.Equal((7L, 4L, 3L, 0L), Counts(await OutcomesAsync(_tenant)));
    }

    [Fact]
    public async Task Another_tenants_writes_neither_stale_the_outcomes_nor_reach_them()
    {
        var mine = await OutcomesAsync(_tenant);
        var kept = Cached();

        var other = (await _app.CreateTenantAsync("outlook-other")).Id;
        var school = (await _app.CreateSchoolAsync(other, "Elsewhere")).Id;
        var elsewhere = (await _app.CreateSchoolAsync(other, "Elsewhere Two")).Id;
        await _app.InTenant(other, async (_, db) =>
        {
            (await db.Tenants.SingleAsync()).SuppressionThreshold = 1;
            foreach (var day in Weekdays(D(8, 17), D(11, 19)))
                db.SchoolDays.Add(new SchoolDay { SchoolId = school, Date = day });
            await db.SaveChangesAsync();
        });
        await _app.ServeAsync(other, school, Domain.Academic, await ServiceAsync(_app, other), 5, [D(10, 5)], "Eli");
        await AbsentAsync(_app, other, "Eli", Weekdays(D(11, 2), D(11, 9)));
        await _app.InTenant(other, async (_, db) =>
        {
            (await db.Students.OrderBy(s => s.Id).FirstAsync()).SchoolId = elsewhere;
            await db.SaveChangesAsync();
        });

        // Still a lookup for the first tenant (its versions did not move), with the same outcomes.
        var still = await OutcomesAsync(_tenant);
        Assert.Equal(kept, Cached());
        Assert.Equal(JsonSerializer.Serialize(mine), JsonSerializer.Serialize(still));

        // The other tenant gets its own outcomes, never the first tenant's kept ones: four of its five worsened.
        var theirs = await OutcomesAsync(other);
        Assert.Equal((4L, 0L, 0L, 4L), Counts(theirs));
        Assert.DoesNotContain(theirs.Table("school").Rows, r => r.Label is "North" or "South");
    }
}
