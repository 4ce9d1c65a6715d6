using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SuccessPlans.Data;
using SuccessPlans.Features.Notifications;
using SuccessPlans.Features.Observability;
using SuccessPlans.Features.Tenants;
using SuccessPlans.Tenancy;

namespace SuccessPlans.Features.Jobs;

/// <summary>A job that runs inside one tenant's scope; its result is a one-line summary for the Admin.</summary>
public interface ITenantJob
{
    Task<string> RunAsync(CancellationToken ct);
}

/// <summary>A tenant job the scheduler knows: its name, what it does, and its local hour relative to the tenant's nightly hour.</summary>
public sealed record TenantJobDefinition(string Name, string Description, int HourOffset)
{
    /// <summary>The local hour the job runs at, given the tenant's nightly hour.</summary>
    public int LocalHour(int nightlyHour) => ((nightlyHour + HourOffset) % 24 + 24) % 24;
}

public static class TenantJobCatalog
{
    public static readonly TenantJobDefinition NotificationRetention =
        new("notification-retention", "Purges sent emails older than the tenant's retention period.", -1);

    public static readonly TenantJobDefinition NightlyCheck =
        new("nightly-check", "Expires unanswered referrals, flags unmet needs, silent providers, stalled referrals and overdue reviews, and emails each coordinator a digest.", 0);

    public static readonly TenantJobDefinition UploadRetention =
        new("upload-retention", "Purges roster and directory uploads already imported, or not imported within the tenant's retention period.", -1);

    public static readonly IReadOnlyList<TenantJobDefinition> All = [NightlyCheck, NotificationRetention, UploadRetention];

    public static TenantJobDefinition? Find(string name) => All.FirstOrDefault(j => j.Name == name);

    public static string RecurringJobId(int tenantId, TenantJobDefinition job) => $"tenant-{tenantId}:{job.Name}";

    public static IServiceCollection AddTenantJobs(this IServiceCollection services)
    {
        services.AddKeyedScoped<ITenantJob, NotificationRetentionJob>(NotificationRetention.Name);
        services.AddKeyedScoped<ITenantJob, SuccessPlans.Features.Retention.UploadRetentionJob>(UploadRetention.Name);
        services.AddKeyedScoped<ITenantJob, SuccessPlans.Features.Flags.NightlyCheckJob>(NightlyCheck.Name);
        services.AddScoped<TenantJobRunner>();
        services.AddSingleton<RecurringJobsRegistrar>();
        return services;
    }
}

/// <summary>
/// What Hangfire calls for a tenant job: opens a scope for the tenant, records the run (start, end, summary,
/// error) in JobRuns for that tenant's Admin, and runs the job in a scope of its own so a failure leaves no
/// half-written changes behind the record.
/// </summary>
public sealed class TenantJobRunner(IServiceScopeFactory scopes, TimeProvider time, AppMetrics metrics, ILogger<TenantJobRunner> log)
{
    [AutomaticRetry(Attempts = 2)]
    public async Task RunAsync(string jobName, int tenantId, string triggeredBy, CancellationToken ct)
    {
        await using var recordScope = scopes.CreateTenantScope(tenantId);
        var db = recordScope.ServiceProvider.GetRequiredService<AppDbContext>();
        if (!await db.Tenants.AnyAsync(ct))
            return;

        using var activity = AppMetrics.Activities.StartActivity(TelemetryNames.JobActivity + jobName);
        activity?.SetTag("job", jobName);
        activity?.SetTag("tenant.id", tenantId);
        // A run still "Running" long after any run could take was on a node that died (killed, out of memory,
        // redeployed) before it could record its end. Say so, rather than show it running for ever.
        var abandonedBefore = Now - InterruptedAfter;
        await db.JobRuns.Where(r => r.JobName == jobName && r.Status == JobRunStatus.Running && r.StartedAt < abandonedBefore)
            .ExecuteUpdateAsync(u => u.SetProperty(r => r.Status, JobRunStatus.Failed).SetProperty(r => r.FinishedAt, Now)
                .SetProperty(r => r.Error, InterruptedMessage), ct);

        var run = new JobRun { JobName = jobName, StartedAt = Now, TriggeredBy = triggeredBy };
        db.JobRuns.Add(run);
        await db.SaveChangesAsync(ct);

        try
        {
            await using var jobScope = scopes.CreateTenantScope(tenantId);
            var job = jobScope.ServiceProvider.GetRequiredKeyedService<ITenantJob>(jobName);
            run.Summary = await job.RunAsync(ct);
            run.Status = JobRunStatus.Succeeded;
            metrics.JobFinished(jobName, succeeded: true);
        }
        catch (Exception e)
        {
            // Type and stack only: a database error's message can quote the values it refused (a child's name).
            log.LogError("Job {Job} failed for tenant {TenantId}: {ErrorType}\n{StackTrace}", jobName, tenantId, e.GetType().FullName, e.StackTrace);
            metrics.JobFinished(jobName, succeeded: false);
            activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, e.GetType().Name);
            run.Status = JobRunStatus.Failed;
            run.Error = e.Message.Length > 2000 ? e.Message[..2000] : e.Message;
            throw;
        }
        finally
        {
            run.FinishedAt = Now;
            await db.SaveChangesAsync(CancellationToken.None);
        }
    }

    private DateTime Now => time.GetUtcNow().UtcDateTime;

    /// <summary>Far beyond the longest run (the nightly check of 200,000 students takes under a minute).</summary>
    public static readonly TimeSpan InterruptedAfter = TimeSpan.FromHours(2);

    public const string InterruptedMessage = "Interrupted: the node running it stopped before the run finished. The next run does the work again.";
}

/// <summary>Registers the recurring jobs with explicit ids: the outbox every Email:SendEvery (a minute), each tenant's jobs at its local hour.</summary>
public sealed class RecurringJobsRegistrar(IRecurringJobManager manager, IServiceScopeFactory scopes, IOptions<EmailOptions> email)
{
    public async Task RegisterAllAsync(CancellationToken ct = default)
    {
        manager.AddOrUpdate<OutboxDispatcher>(OutboxDispatcher.RecurringJobId, d => d.SendPendingAsync(CancellationToken.None), EmailOptions.SendSchedule(email.Value.SendEvery),
            new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc });
        manager.AddOrUpdate<SuccessPlans.Features.Referrals.ReferralUpdatesMailer>(SuccessPlans.Features.Referrals.ReferralUpdatesMailer.RecurringJobId,
            m => m.SendAsync(CancellationToken.None), "*/5 * * * *", new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc });

        await using var scope = scopes.CreateAsyncScope();
        var tenants = await scope.ServiceProvider.GetRequiredService<AppDbContext>().Tenants.AsNoTracking().ToListAsync(ct);
        foreach (var tenant in tenants)
            RegisterTenant(tenant);
    }

    /// <summary>Called when a tenant is erased: none of its jobs may run again.</summary>
    public void RemoveTenant(int tenantId)
    {
        foreach (var job in TenantJobCatalog.All)
            manager.RemoveIfExists(TenantJobCatalog.RecurringJobId(tenantId, job));
    }

    /// <summary>Called when a tenant is created or its time zone or hour changes.</summary>
    public void RegisterTenant(Tenant tenant)
    {
        foreach (var job in TenantJobCatalog.All)
        {
            var hour = job.LocalHour(tenant.NightlyHour);
            var tenantId = tenant.Id;
            var name = job.Name;
            manager.AddOrUpdate<TenantJobRunner>(
                TenantJobCatalog.RecurringJobId(tenantId, job),
                r => r.RunAsync(name, tenantId, "schedule", CancellationToken.None),
                Cron.Daily(hour),
                new RecurringJobOptions { TimeZone = tenant.TimeZone });
        }
    }
}

/// <summary>Sent emails can name children; keep their bodies no longer than the tenant allows.</summary>
public sealed class NotificationRetentionJob(AppDbContext db, TimeProvider time) : ITenantJob
{
    public async Task<string> RunAsync(CancellationToken ct)
    {
        var tenant = await db.Tenants.SingleAsync(ct);
        var cutoff = time.GetUtcNow().UtcDateTime.AddDays(-tenant.NotificationRetentionDays);
        // Set-based; the tenant query filter limits the delete to this tenant's rows.
        var purged = await db.Notifications
            .Where(n => (n.Status == NotificationStatus.Sent && n.SentAt < cutoff)
                     || (n.Status == NotificationStatus.Failed && n.CreatedAt < cutoff))
            .ExecuteDeleteAsync(ct);
        return $"Purged {purged} email(s) older than {tenant.NotificationRetentionDays} days.";
    }
}
