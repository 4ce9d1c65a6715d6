using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.EntityFrameworkCore.Diagnostics;
using SuccessPlans.Features.Referrals;

namespace SuccessPlans.Features.Observability;

/// <summary>
/// Every metric and activity name the app emits, in one place (infra/RUNBOOK.md, "Signals", says what each means).
/// Tags never carry a child, a user or a tenant's name: only job names, referral states and outcomes.
/// </summary>
public static class TelemetryNames
{
    public const string Meter = "SuccessPlans";
    public const string ActivitySource = "SuccessPlans";

    public const string JobRuns = "successplans.jobs.runs";
    public const string JobFailures = "successplans.jobs.failed";
    public const string EmailsSent = "successplans.emails.sent";
    public const string EmailsFailed = "successplans.emails.failed";
    public const string EmailsQueued = "successplans.emails.queued";
    public const string ReferralTransitions = "successplans.referrals.transitions";
    public const string NightlyCheckDuration = "successplans.nightly_check.duration";

    public const string JobActivity = "job ";
    public const string OutboxActivity = "outbox dispatch";
    public const string DigestActivity = "nightly-check digests";
}

/// <summary>
/// The app's own meters, made by the host's IMeterFactory (so a test listens to its own app only) and exported by
/// OpenTelemetry under <see cref="TelemetryNames.Meter"/>. Activities use one static source: jobs, digests, the outbox.
/// </summary>
public sealed class AppMetrics
{
    public static readonly ActivitySource Activities = new(TelemetryNames.ActivitySource);

    private readonly Counter<long> _jobRuns;
    private readonly Counter<long> _jobFailures;
    private readonly Counter<long> _emailsSent;
    private readonly Counter<long> _emailsFailed;
    private readonly Counter<long> _transitions;
    private readonly Histogram<double> _nightlyCheck;
    private long _queued;

    public AppMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(TelemetryNames.Meter);
        _jobRuns = meter.CreateCounter<long>(TelemetryNames.JobRuns, "{run}", "Tenant and platform job runs finished, by job and outcome.");
        _jobFailures = meter.CreateCounter<long>(TelemetryNames.JobFailures, "{run}", "Job runs that threw, by job.");
        _emailsSent = meter.CreateCounter<long>(TelemetryNames.EmailsSent, "{email}", "Emails the SMTP relay (or pickup folder) accepted.");
        _emailsFailed = meter.CreateCounter<long>(TelemetryNames.EmailsFailed, "{email}", "Email attempts that failed, by whether the message was given up.");
        _transitions = meter.CreateCounter<long>(TelemetryNames.ReferralTransitions, "{referral}", "Referral status changes, by from and to.");
        _nightlyCheck = meter.CreateHistogram<double>(TelemetryNames.NightlyCheckDuration, "s", "How long one tenant's nightly check took.");
        meter.CreateObservableGauge(TelemetryNames.EmailsQueued, () => Interlocked.Read(ref _queued), "{email}",
            "Emails waiting in the outbox (pending or being sent) after this node's last dispatch.");
    }

    public void JobFinished(string job, bool succeeded)
    {
        _jobRuns.Add(1, new("job", job), new("outcome", succeeded ? "succeeded" : "failed"));
        if (!succeeded) _jobFailures.Add(1, new KeyValuePair<string, object?>("job", job));
    }

    public void EmailSent(string kind) => _emailsSent.Add(1, new KeyValuePair<string, object?>("kind", kind));

    public void EmailFailed(string kind, bool gaveUp) => _emailsFailed.Add(1, new("kind", kind), new("gave_up", gaveUp));

    public void EmailsQueued(long count) => Interlocked.Exchange(ref _queued, count);

    public void ReferralTransition(ReferralStatus? from, ReferralStatus to) =>
        _transitions.Add(1, new("from", from?.ToString() ?? "new"), new("to", to.ToString()));

    public void NightlyCheckTook(TimeSpan elapsed) => _nightlyCheck.Record(elapsed.TotalSeconds);
}

/// <summary>
/// Counts referral transitions where they become true: every ReferralEvent saved with a new status (sent, answered,
/// expired by the nightly check ...), whichever code path wrote it. A note on an unchanged status is not a transition.
/// </summary>
public sealed class ReferralTransitionCounter(AppMetrics metrics) : SaveChangesInterceptor
{
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<DbContext, List<(ReferralStatus? From, ReferralStatus To)>> _pending = new();

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken ct = default)
    {
        Collect(eventData.Context);
        return base.SavingChangesAsync(eventData, result, ct);
    }

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Collect(eventData.Context);
        return base.SavingChanges(eventData, result);
    }

    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken ct = default)
    {
        Record(eventData.Context);
        return base.SavedChangesAsync(eventData, result, ct);
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        Record(eventData.Context);
        return base.SavedChanges(eventData, result);
    }

    public override void SaveChangesFailed(DbContextErrorEventData eventData) => _pending.Remove(eventData.Context!);

    public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken ct = default)
    {
        _pending.Remove(eventData.Context!);
        return Task.CompletedTask;
    }

    // A cancelled save too: the contexts come from a pool, and an entry left here would outlive its request.
    public override void SaveChangesCanceled(DbContextEventData eventData) => _pending.Remove(eventData.Context!);

    public override Task SaveChangesCanceledAsync(DbContextEventData eventData, CancellationToken ct = default)
    {
        _pending.Remove(eventData.Context!);
        return Task.CompletedTask;
    }

    private void Collect(DbContext? context)
    {
        if (context is null) return;
        var moves = context.ChangeTracker.Entries<ReferralEvent>()
            .Where(e => e.State == EntityState.Added && e.Entity.From != e.Entity.To)
            .Select(e => (e.Entity.From, e.Entity.To)).ToList();
        if (moves.Count > 0) _pending.AddOrUpdate(context, moves);
        else _pending.Remove(context);
    }

    private void Record(DbContext? context)
    {
        if (context is null || !_pending.TryGetValue(context, out var moves)) return;
        _pending.Remove(context);
        foreach (var (from, to) in moves)
            metrics.ReferralTransition(from, to);
    }
}
