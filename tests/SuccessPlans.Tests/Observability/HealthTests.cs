using Microsoft.EntityFrameworkCore;
using System.Net;
using SuccessPlans.Features.Jobs;
using SuccessPlans.Features.Notifications;
using SuccessPlans.Tests.Infrastructure;

namespace SuccessPlans.Tests.Observability;

/// <summary>Liveness and readiness with fake time: the outbox's oldest unsent email and each tenant's last nightly check.</summary>
public class HealthTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 11, 2, 12, 0, 0, TimeSpan.Zero);
    private readonly AppFactory _app = new(Start);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private async Task<(HttpStatusCode Status, string Body)> GetAsync(string path)
    {
        var response = await _app.Browser().GetAsync(path);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Live_answers_without_asking_anything_and_ready_lists_each_check()
    {
        Assert.Equal((HttpStatusCode.OK, """{"status":"Healthy"}"""), await GetAsync("/health/live"));
        var ready = """{"status":"Healthy","database":"Healthy","outbox":"Healthy","nightly-check":"Healthy"}""";
        Assert.Equal((HttpStatusCode.OK, ready), await GetAsync("/health/ready"));
        // The address probes used before: the same answer.
        Assert.Equal((HttpStatusCode.OK, ready), await GetAsync("/health"));
    }

    [Fact]
    public async Task An_email_waiting_longer_than_the_limit_makes_the_node_unready_until_it_is_sent()
    {
        var tenant = await _app.CreateTenantAsync("outbox");
        await RunNightlyCheckAsync(tenant.Id);
        await _app.InTenant(tenant.Id, async (sp, db) =>
        {
            sp.GetRequiredService<Outbox>().Enqueue("test", "someone@outbox.test", null, "Hello", "Hello.");
            await db.SaveChangesAsync();
        });

        _app.Time.Advance(TimeSpan.FromMinutes(29));
        Assert.Equal(HttpStatusCode.OK, (await GetAsync("/health/ready")).Status);

        _app.Time.Advance(TimeSpan.FromMinutes(2));
        var stale = await GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, stale.Status);
        Assert.Equal("""{"status":"Unhealthy","database":"Healthy","outbox":"Unhealthy","nightly-check":"Healthy"}""", stale.Body);
        // Liveness does not care: restarting the node would not send the email.
        Assert.Equal(HttpStatusCode.OK, (await GetAsync("/health/live")).Status);

        Assert.Equal(1, await _app.Services.GetRequiredService<OutboxDispatcher>().SendPendingAsync(CancellationToken.None));
        Assert.Equal(HttpStatusCode.OK, (await GetAsync("/health/ready")).Status);
    }

    [Fact]
    public async Task A_tenant_has_until_its_first_night_then_each_successful_check_counts_for_26_hours()
    {
        var tenant = await _app.CreateTenantAsync("nightly");

        // New: not stale before its first night could have come.
        _app.Time.Advance(TimeSpan.FromHours(25));
        Assert.Equal(HttpStatusCode.OK, (await GetAsync("/health/ready")).Status);

        // The night never came.
        _app.Time.Advance(TimeSpan.FromHours(2));
        var stale = await GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, stale.Status);
        Assert.Equal("""{"status":"Unhealthy","database":"Healthy","outbox":"Healthy","nightly-check":"Unhealthy"}""", stale.Body);
        // Nothing about the tenant in the anonymous answer.
        Assert.DoesNotContain("nightly\"", stale.Body.Replace("nightly-check", ""));

        await RunNightlyCheckAsync(tenant.Id);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync("/health/ready")).Status);

        _app.Time.Advance(TimeSpan.FromHours(25.9));
        Assert.Equal(HttpStatusCode.OK, (await GetAsync("/health/ready")).Status);
        _app.Time.Advance(TimeSpan.FromHours(0.2));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await GetAsync("/health/ready")).Status);
    }

    [Fact]
    public async Task A_failed_nightly_check_does_not_count()
    {
        var tenant = await _app.CreateTenantAsync("failing");
        await RunNightlyCheckAsync(tenant.Id);
        await _app.InTenant(tenant.Id, async (_, db) =>
        {
            db.JobRuns.Add(new JobRun { JobName = TenantJobCatalog.NightlyCheck.Name, StartedAt = _app.Time.GetUtcNow().UtcDateTime.AddHours(20),
                FinishedAt = _app.Time.GetUtcNow().UtcDateTime.AddHours(20), Status = JobRunStatus.Failed, Error = "x" });
            await db.SaveChangesAsync();
        });
        _app.Time.Advance(TimeSpan.FromHours(27));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await GetAsync("/health/ready")).Status);
    }

    [Fact]
    public async Task A_run_left_running_by_a_node_that_died_is_marked_interrupted_by_the_next_run_and_a_live_one_is_not()
    {
        var tenant = await _app.CreateTenantAsync("killed");
        var other = await _app.CreateTenantAsync("killed-other");
        var now = _app.Time.GetUtcNow().UtcDateTime;
        var name = TenantJobCatalog.NightlyCheck.Name;
        // A node died three hours into nothing; another node's run started a minute ago; another tenant's old run is its own.
        var (dead, live) = await _app.InTenant(tenant.Id, async (_, db) =>
        {
            var d = new JobRun { JobName = name, StartedAt = now.AddHours(-3) };
            var l = new JobRun { JobName = name, StartedAt = now.AddMinutes(-1) };
            db.JobRuns.AddRange(d, l);
            await db.SaveChangesAsync();
            return (d.Id, l.Id);
        });
        var otherDead = await _app.InTenant(other.Id, async (_, db) =>
        {
            var d = new JobRun { JobName = name, StartedAt = now.AddHours(-3) };
            db.JobRuns.Add(d);
            await db.SaveChangesAsync();
            return d.Id;
        });

        await RunNightlyCheckAsync(tenant.Id);

        var runs = await _app.InTenant(tenant.Id, (_, db) => db.JobRuns.ToDictionaryAsync(r => r.Id));
        Assert.Equal((JobRunStatus.Failed, TenantJobRunner.InterruptedMessage), (runs[dead].Status, runs[dead].Error));
        Assert.NotNull(runs[dead].FinishedAt);
        Assert.Equal(JobRunStatus.Running, runs[live].Status);
        Assert.Single(runs.Values, r => r.Status == JobRunStatus.Succeeded);
        Assert.Equal(JobRunStatus.Running, await _app.InTenant(other.Id, (_, db) => db.JobRuns.Where(r => r.Id == otherDead).Select(r => r.Status).SingleAsync()));
    }

    private Task RunNightlyCheckAsync(int tenantId) =>
        _app.Services.GetRequiredService<TenantJobRunner>().RunAsync(TenantJobCatalog.NightlyCheck.Name, tenantId, "test", CancellationToken.None);
}
