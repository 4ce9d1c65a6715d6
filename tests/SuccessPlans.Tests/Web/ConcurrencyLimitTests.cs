using System.Net;
using SuccessPlans.Tests.Infrastructure;

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
    /// request <paramref name="ask"/> made that waits behind it.
    /// </summary>
    private static async Task<(Task<HttpResponseMessage> Held, Task<HttpResponseMessage> Waiting)> HoldThePermitAsync(
        HttpClient client, TaskCompletionSource release, Func<Task<HttpResponseMessage>> ask)
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

        _app.Time.Advance(TimeSpan.FromMinutes(2)); // the stamp check is due at the coordinator's next request
        _app.Faults.Record();
        var (held, waiting) = await HoldThePermitAsync(anonymous, release, () => coordinator.GetAsync("/Students"));
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
}
