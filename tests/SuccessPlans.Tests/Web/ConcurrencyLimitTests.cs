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

    [Fact]
    public async Task A_request_past_the_limit_waits_its_turn_and_health_probes_never_wait()
    {
        var client = _app.Browser();
        // Warm: the page's first answer (views compiled) takes longer than the wait below.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/Account/Login")).StatusCode);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var held = client.PostAsync("/Account/Login", new HeldBody(release) { Headers = { { "Content-Type", "application/x-www-form-urlencoded" } } });

        // The held request takes the one permit when the server gets to it, which the client cannot see: until then a
        // page answers at once (on a loaded machine that took long enough for a page asked right away to pass first).
        // The first page that does not answer within half a second waits behind it.
        Task<HttpResponseMessage> waiting;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            waiting = client.GetAsync("/Account/Login");
            if (await Task.WhenAny(waiting, Task.Delay(TimeSpan.FromMilliseconds(500))) != waiting) break;
            (await waiting).Dispose();
            Assert.True(DateTime.UtcNow < deadline, "the held request never took the permit");
        }

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
}
