using System.Net;
using SuccessPlans.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace SuccessPlans.Tests.Web;

/// <summary>
/// Issue 15's memory: at most RateLimits:MaxConcurrentRequests requests at work at once; the others wait their turn
/// (never refused on a busy day), and health probes never wait.
/// </summary>
public class ConcurrencyLimitTests : IAsyncLifetime
{
    private readonly AppFactory _app = new();

    public Task InitializeAsync()
    {
        _app.Settings["RateLimits:MaxConcurrentRequests"] = "1";
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    /// <summary>A request body that arrives only when the test says so: the request holds its permit until then.</summary>
    private sealed class HeldBody(TaskCompletionSource release) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync("Input.Email="u8.ToArray());
            await stream.FlushAsync();
            await release.Task;
            await stream.WriteAsync("x%40limit.test"u8.ToArray());
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    /// <summary>
    /// Takes the one permit with a sign-in POST whose body waits for <paramref name="release"/>, and returns it with a page
    /// request <paramref name="ask"/> made that waits behind it. <paramref name="beforeAsk"/> runs before each try, so what a
    /// test sets up for the waiting request is not used up by a try that answered before the permit was taken.
    /// </summary>
    private static async Task<(Task<HttpResponseMessage> Held, Task<HttpResponseMessage> Waiting)> HoldThePermitAsync(
        HttpClient client, TaskCompletionSource release, Func<Task<HttpResponseMessage>> ask, Action? beforeAsk = null)
    {
        // Warm: the page's first answer (views compiled) takes longer than the wait below.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/Account/Login")).StatusCode);
        var held = client.PostAsync("/Account/Login", new HeldBody(release) { Headers = { { "Content-Type", "application/x-www-form-urlencoded" } } });

        // The held request takes the one permit when the server gets to it, which the client cannot see: until then a
        // page answers at once (on a loaded machine that took long enough for a page asked right away to pass first).
        // The first page that does not answer within half a second waits behind it.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            beforeAsk?.Invoke();
            var waiting = ask();
            if (await Task.WhenAny(waiting, Task.Delay(TimeSpan.FromMilliseconds(500))) != waiting) return (held, waiting);
            (await waiting).Dispose();
            Assert.True(DateTime.UtcNow < deadline, "the held request never took the permit");
        }
    }

    [Fact]
    public async Task A_request_past_the_limit_waits_its_turn_and_health_probes_never_wait()
    {
        var client = _app.Browser();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var (held, waiting) = await HoldThePermitAsync(client, release, () => client.GetAsync("/Account/Login"));

        // The one permit is taken: a health probe still answers, the page still waits.
        using (var probe = await client.GetAsync("/health/live").WaitAsync(TimeSpan.FromSeconds(30)))
            Assert.Equal(HttpStatusCode.OK, probe.StatusCode);
        await Task.WhenAny(waiting, Task.Delay(TimeSpan.FromSeconds(1)));
        Assert.False(waiting.IsCompleted, "the page answered while the only permit was held");

        // The held request ends: the waiting page gets its turn, and no request was refused.
        release.SetResult();
        using var first = await held.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.NotEqual(HttpStatusCode.TooManyRequests, first.StatusCode);
        using var second = await waiting.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);

        // Many at once: all answered in turn, none refused.
        var many = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => client.GetAsync("/Account/Login")));
        Assert.All(many, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
    }

    [Fact]
    public async Task A_signed_in_request_waiting_its_turn_reads_nothing_from_the_database()
    {
        // A waiting request that had checked its cookie's security stamp (a read of the user, due each minute) held a
        // pooled context and its SQLite connection in the queue: at 32 connections every context of the pool stayed
        // open with its page cache and statements, not only the 8 at work (issue 15's memory).
        var tenant = (await _app.CreateTenantAsync("limit")).Id;
        var school = (await _app.CreateSchoolAsync(tenant, "Limit School")).Id;
        await _app.CreateUserAsync(tenant, "coordinator@limit.test", SuccessPlans.Features.Users.UserRole.Coordinator, [school]);
        var coordinator = await _app.SignedInAsync("coordinator@limit.test");
        var anonymous = _app.Browser();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // The stamp check is due at the coordinator's next request, and the SQL is recorded from it on; again before each
        // try, as a try that answered before the held request took the permit (a loaded machine) checked the stamp itself.
        var (held, waiting) = await HoldThePermitAsync(anonymous, release, () => coordinator.GetAsync("/Students"), () =>
        {
            _app.Time.Advance(TimeSpan.FromMinutes(2));
            _app.Faults.Record();
        });
        await Task.WhenAny(waiting, Task.Delay(TimeSpan.FromSeconds(1)));
        Assert.False(waiting.IsCompleted, "the page answered while the only permit was held");
        var inTheQueue = _app.Faults.Recorded();
        Assert.DoesNotContain(inTheQueue, sql => sql.Contains("AspNetUsers", StringComparison.Ordinal));

        // Its turn: the stamp is checked then, and the page answers.
        _app.Faults.Record();
        release.SetResult();
        (await held.WaitAsync(TimeSpan.FromSeconds(30))).Dispose();
        using var page = await waiting.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains(_app.Faults.Recorded(), sql => sql.Contains("AspNetUsers", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_bound_on_begun_requests_is_set_by_RateLimits_MaxBegunRequests_or_six_times_the_permits()
    {
        var gate = _app.Services.GetRequiredService<SuccessPlans.WorkGate>();
        Assert.Equal(1, gate.Permits);
        Assert.Equal(6, gate.MaxBegun);

        await using var bounded = new AppFactory();
        bounded.Settings["RateLimits:MaxConcurrentRequests"] = "2";
        bounded.Settings["RateLimits:MaxBegunRequests"] = "3";
        var set = bounded.Services.GetRequiredService<SuccessPlans.WorkGate>();
        Assert.Equal((2, 3), (set.Permits, set.MaxBegun));
    }

    [Fact]
    public async Task A_view_waiting_for_its_log_entry_lets_other_requests_work()
    {
        // Each view of a child waits for its access log entry's commit, and it waits without its permit (issue 15): with
        // one permit and the log busy (the entry cannot commit yet: on SQLite the views' entries go to the access log's
        // staging file first), another page still answers, and the view answers once its entry is written.
        var tenant = (await _app.CreateTenantAsync("views")).Id;
        var school = (await _app.CreateSchoolAsync(tenant, "Views School")).Id;
        await _app.CreateUserAsync(tenant, "coordinator@views.test", SuccessPlans.Features.Users.UserRole.Coordinator, [school]);
        var student = await _app.InTenant(tenant, async (_, db) =>
        {
            var s = new SuccessPlans.Features.Students.Student { GivenName = "Viewed", FamilyName = "Often", SchoolId = school, Grade = "03" };
            db.Students.Add(s);
            await db.SaveChangesAsync();
            return s.Id;
        });
        var coordinator = await _app.SignedInAsync("coordinator@views.test");
        (await coordinator.GetAsync($"/Students/{student}")).EnsureSuccessStatusCode(); // warm: views compiled, stamp checked
        (await coordinator.GetAsync("/Students")).EnsureSuccessStatusCode();

        Task<HttpResponseMessage> view;
        var log = _app.Services.GetRequiredService<SuccessPlans.Features.Audit.AccessLogStaging>().FilePath!;
        await using (var busy = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={log};Pooling=False"))
        {
            await busy.OpenAsync();
            await using (var begin = busy.CreateCommand())
            {
                begin.CommandText = "BEGIN IMMEDIATE";
                await begin.ExecuteNonQueryAsync();
            }
            view = coordinator.GetAsync($"/Students/{student}");
            await Task.WhenAny(view, Task.Delay(TimeSpan.FromSeconds(1)));
            Assert.False(view.IsCompleted, "the view answered before its entry could be written");

            using (var other = await coordinator.GetAsync("/Students").WaitAsync(TimeSpan.FromSeconds(30)))
                Assert.Equal(HttpStatusCode.OK, other.StatusCode);
            Assert.False(view.IsCompleted, "the view answered before its entry could be written");

            await using var commit = busy.CreateCommand();
            commit.CommandText = "COMMIT";
            await commit.ExecuteNonQueryAsync();
        }
        using var answered = await view.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        await _app.FlushAccessLogAsync();
        var logged = await _app.InTenant(tenant, (_, db) => db.Database.SqlQueryRaw<int>(
            "SELECT COUNT(*) AS \"Value\" FROM \"AccessLogEntries\" WHERE \"StudentId\" = {0} AND \"Action\" = 'ViewStudent'", student).SingleAsync());
        Assert.Equal(2, logged);
    }
}

/// <summary>
/// The gate itself (<see cref="SuccessPlans.WorkGate"/>): in order, a request that steps out for a wait gives its permit
/// to the next and comes back before any later arrival, a cancelled wait takes nothing, and a full line refuses.
/// </summary>
public class WorkGateTests
{
    private static readonly TimeSpan Short = TimeSpan.FromMilliseconds(200);

    [Fact]
    public async Task Requests_enter_in_the_order_they_came()
    {
        var gate = new SuccessPlans.WorkGate(1, 10);
        Assert.True(await gate.EnterAsync(default));
        var second = gate.EnterAsync(default).AsTask();
        var third = gate.EnterAsync(default).AsTask();
        Assert.False(second.IsCompleted);
        Assert.Equal(2, gate.Waiting);

        gate.Leave();
        Assert.True(await second.WaitAsync(TimeSpan.FromSeconds(5)));
        await Task.Delay(Short);
        Assert.False(third.IsCompleted, "the third entered while the second held the only permit");
        gate.Leave();
        Assert.True(await third.WaitAsync(TimeSpan.FromSeconds(5)));
        gate.Leave();
        Assert.True(await gate.EnterAsync(default)); // the permit is free again
    }

    [Fact]
    public async Task A_request_waiting_outside_lets_the_next_work_and_comes_back_before_later_arrivals()
    {
        var gate = new SuccessPlans.WorkGate(1, 10);
        var viewer = new SuccessPlans.WorkPermit(gate);
        Assert.True(await viewer.EnterAsync(default));
        var next = gate.EnterAsync(default).AsTask();

        // The viewer waits for its commit outside: the next request gets the permit meanwhile.
        var commit = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var outside = viewer.WaitOutsideAsync(commit.Task);
        Assert.True(await next.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.False(viewer.Held);

        // A later arrival waits; the commit comes: the viewer is next, ahead of it.
        var later = gate.EnterAsync(default).AsTask();
        commit.SetResult();
        await Task.Delay(Short);
        Assert.False(outside.IsCompleted, "the viewer came back while the next request held the only permit");
        gate.Leave();
        await outside.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(viewer.Held);
        await Task.Delay(Short);
        Assert.False(later.IsCompleted, "a later arrival went before the returning viewer");

        viewer.Leave();
        Assert.True(await later.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Waits_outside_let_no_more_than_the_bound_begin()
    {
        // Each begun request holds a context and its connection: a wait outside frees a permit, but only up to MaxBegun
        // requests are begun at once (the mixed load's memory, issue 15).
        var gate = new SuccessPlans.WorkGate(1, 10, maxBegun: 2);
        var first = new SuccessPlans.WorkPermit(gate);
        var second = new SuccessPlans.WorkPermit(gate);
        Assert.True(await first.EnterAsync(default));
        var firstCommit = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var firstOutside = first.WaitOutsideAsync(firstCommit.Task);
        Assert.True(await second.EnterAsync(default).AsTask().WaitAsync(TimeSpan.FromSeconds(5)));
        var secondCommit = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var secondOutside = second.WaitOutsideAsync(secondCommit.Task);

        // Both wait outside: the permit is free, but two have begun, so a third waits.
        var third = gate.EnterAsync(default).AsTask();
        await Task.Delay(Short);
        Assert.False(third.IsCompleted, "a third request began while two waited outside");

        firstCommit.SetResult();
        await firstOutside.WaitAsync(TimeSpan.FromSeconds(5));
        first.Leave(); // one ended: the third begins
        Assert.True(await third.WaitAsync(TimeSpan.FromSeconds(5)));
        secondCommit.SetResult();
        await Task.Delay(Short);
        Assert.False(secondOutside.IsCompleted, "the second came back while the third held the only permit");
        gate.Leave();
        await secondOutside.WaitAsync(TimeSpan.FromSeconds(5));
        second.Leave();
        Assert.True(await gate.EnterAsync(default));
    }

    [Fact]
    public async Task By_default_six_requests_begin_for_each_permit_so_views_waiting_for_their_log_keep_the_cores_busy()
    {
        // At twice the permits the logged views were held back: each waits a few milliseconds for its entry's commit, and
        // with every begun view waiting, no other request could begin while the cores stood idle (issue 15).
        var gate = new SuccessPlans.WorkGate(1, 10);
        Assert.Equal(6, gate.MaxBegun);
        var commit = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var views = new List<(SuccessPlans.WorkPermit Permit, Task Outside)>();
        for (var i = 0; i < 6; i++)
        {
            var view = new SuccessPlans.WorkPermit(gate);
            Assert.True(await view.EnterAsync(default).AsTask().WaitAsync(TimeSpan.FromSeconds(5)), $"view {i + 1} did not begin");
            views.Add((view, view.WaitOutsideAsync(commit.Task)));
        }

        // Six wait outside: the seventh waits to begin.
        var seventh = gate.EnterAsync(default).AsTask();
        await Task.Delay(Short);
        Assert.False(seventh.IsCompleted, "a seventh request began while six waited outside");

        // The commit comes: the views come back one at a time, and as each ends the next comes back, then the seventh begins.
        commit.SetResult();
        foreach (var (permit, outside) in views)
        {
            await outside.WaitAsync(TimeSpan.FromSeconds(5));
            permit.Leave();
        }
        Assert.True(await seventh.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task A_failed_wait_outside_still_comes_back_with_its_permit()
    {
        var gate = new SuccessPlans.WorkGate(1, 10);
        var viewer = new SuccessPlans.WorkPermit(gate);
        Assert.True(await viewer.EnterAsync(default));
        var commit = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var outside = viewer.WaitOutsideAsync(commit.Task);
        commit.SetException(new InvalidOperationException("the database is gone"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => outside);
        Assert.True(viewer.Held);
        viewer.Leave();
        Assert.True(await gate.EnterAsync(default));
    }

    [Fact]
    public async Task Without_a_permit_a_wait_outside_is_a_plain_wait()
    {
        // A job or a command: no gate, or a scope that never entered.
        var none = new SuccessPlans.WorkPermit();
        Assert.True(await none.EnterAsync(default));
        Assert.False(none.Held);
        await none.WaitOutsideAsync(Task.Delay(10));

        var gate = new SuccessPlans.WorkGate(1, 10);
        var job = new SuccessPlans.WorkPermit(gate);
        await job.WaitOutsideAsync(Task.Delay(10));
        Assert.False(job.Held);
        Assert.True(await gate.EnterAsync(default)); // the gate's one permit was never taken
    }

    [Fact]
    public async Task A_cancelled_wait_takes_nothing_and_a_full_line_refuses()
    {
        var gate = new SuccessPlans.WorkGate(1, 2);
        Assert.True(await gate.EnterAsync(default));
        using var cts = new CancellationTokenSource();
        var leaving = gate.EnterAsync(cts.Token).AsTask();
        var staying = gate.EnterAsync(default).AsTask();
        Assert.False(await gate.EnterAsync(default)); // two wait already: refused at once
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => leaving);
        Assert.Equal(1, gate.Waiting);

        gate.Leave();
        Assert.True(await staying.WaitAsync(TimeSpan.FromSeconds(5)));
        gate.Leave();
        Assert.True(await gate.EnterAsync(default));
    }
}
