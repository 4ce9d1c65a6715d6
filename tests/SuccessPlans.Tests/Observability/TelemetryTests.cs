using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Activity = System.Diagnostics.Activity;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using SuccessPlans.Features.Directory;
using SuccessPlans.Features.Jobs;
using SuccessPlans.Features.Notifications;
using SuccessPlans.Features.Observability;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Referrals;
using SuccessPlans.Features.Students;
using SuccessPlans.Features.Users;
using SuccessPlans.Tests.Infrastructure;

namespace SuccessPlans.Tests.Observability;

/// <summary>
/// The app's metrics and activities as OpenTelemetry exports them (the in-memory exporter added to the app's own
/// providers, so the test also proves the meter and the source are registered): a referral's transitions, an email
/// sent and one given up, a nightly check's duration and digest, a failed job.
/// </summary>
public class TelemetryTests : IAsyncLifetime
{
    private sealed class ExportingApp : AppFactory
    {
        public List<Activity> Activities { get; } = [];
        public List<Metric> Metrics { get; } = [];

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            // An endpoint, as in production: the app registers its providers only then. Nothing listens there (the
            // exporter's attempts fail quietly); the in-memory exporter below is what the tests read.
            builder.UseSetting("OpenTelemetry:OtlpEndpoint", "http://127.0.0.1:4317");
            builder.ConfigureTestServices(s =>
            {
                // An exporter of its own, so every trace is recorded.
                s.ConfigureOpenTelemetryTracerProvider(t => t.AddInMemoryExporter(Activities).SetSampler(new AlwaysOnSampler()));
                s.ConfigureOpenTelemetryMeterProvider(m => m.AddInMemoryExporter(Metrics));
                s.AddKeyedScoped<ITenantJob, FailingJob>("always-fails");
            });
        }
    }

    private sealed class FailingJob : ITenantJob
    {
        public Task<string> RunAsync(CancellationToken ct) => throw new InvalidOperationException("Mia Lopez broke it");
    }

    private readonly ExportingApp _app = new();
    private int _tenant, _student, _need, _service, _org;

    public async Task InitializeAsync()
    {
        _tenant = (await _app.CreateTenantAsync("otel")).Id;
        var school = (await _app.CreateSchoolAsync(_tenant, "Otel School")).Id;
        var today = DateOnly.FromDateTime(_app.Time.GetUtcNow().UtcDateTime);
        await _app.InTenant(_tenant, async (_, db) =>
        {
            var org = new ProviderOrganization { Name = "Bright Eyes" };
            var service = new Service { Name = "Glasses", Organization = org, Domain = Domain.Health };
            var student = new Student { GivenName = "Mia", FamilyName = "Lopez", SchoolId = school, GuardianEmail = "rosa@example.net" };
            var plan = new SuccessPlan { Student = student, SchoolYear = SchoolYears.For(today), Status = PlanStatus.Active };
            // Open for a month: the nightly check flags it and the coordinator gets a digest.
            plan.Items.Add(new PlanItem { Domain = Domain.Health, Kind = PlanItemKind.Need, Description = "Cannot see the board", Status = NeedStatus.Open, IdentifiedOn = today.AddDays(-30) });
            db.AddRange(service, plan);
            await db.SaveChangesAsync();
            (_student, _need, _service, _org) = (student.Id, plan.Items[0].Id, service.Id, org.Id);
        });
        await _app.CreateUserAsync(_tenant, "coord@otel.test", UserRole.Coordinator, [school]);
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private List<MetricPoint> Points(string name)
    {
        _app.Services.GetRequiredService<MeterProvider>().ForceFlush();
        // Cumulative: the last export holds the totals so far.
        var last = _app.Metrics.LastOrDefault(m => m.Name == name);
        var points = new List<MetricPoint>();
        if (last is null) return points;
        foreach (ref readonly var p in last.GetMetricPoints()) points.Add(p);
        return points;
    }

    private static Dictionary<string, object?> Tags(MetricPoint p)
    {
        var tags = new Dictionary<string, object?>();
        foreach (var t in p.Tags) tags[t.Key] = t.Value;
        return tags;
    }

    private long Sum(string name, params (string Key, object Value)[] tags) =>
        Points(name).Where(p => tags.All(t => Equals(Tags(p).GetValueOrDefault(t.Key), t.Value))).Sum(p => p.GetSumLong());

    [Fact]
    public async Task Referral_transitions_are_counted_by_from_and_to_wherever_they_happen()
    {
        var actor = new Actor(null, "test");
        var referralId = await _app.InTenant(_tenant, async (sp, db) =>
        {
            var student = await db.Students.SingleAsync(s => s.Id == _student);
            var r = await sp.GetRequiredService<ReferralService>().SendAsync(student, _need, _service, actor, actorIsAdmin: true, overrideReason: "The guardian agreed on the phone.");
            return r.Id;
        });
        await _app.InTenant(_tenant, async (sp, db) =>
        {
            var referrals = sp.GetRequiredService<ReferralService>();
            var r = await db.Referrals.SingleAsync(x => x.Id == referralId);
            await referrals.AcceptAsync(r, actor, null);
            // A message is an event on an unchanged status: not a transition.
            await referrals.PostMessageAsync(r, MessageSide.Provider, "We will call the family.", actor);
        });

        Assert.Equal(1, Sum(TelemetryNames.ReferralTransitions, ("from", "new"), ("to", "Sent")));
        Assert.Equal(1, Sum(TelemetryNames.ReferralTransitions, ("from", "Sent"), ("to", "Accepted")));
        Assert.Equal(2, Sum(TelemetryNames.ReferralTransitions));
    }

    [Fact]
    public async Task Emails_sent_and_failed_are_counted_and_the_queue_is_measured()
    {
        await _app.InTenant(_tenant, async (sp, db) =>
        {
            var outbox = sp.GetRequiredService<Outbox>();
            outbox.Enqueue("invitation", "one@otel.test", null, "One", "One.");
            outbox.Enqueue("invitation", "two@otel.test", null, "Two", "Two.");
            await db.SaveChangesAsync();
        });
        using var parent = new ActivitySource("test").StartActivity("test");
        Assert.Equal(2, await _app.Services.GetRequiredService<OutboxDispatcher>().SendPendingAsync(CancellationToken.None));

        Assert.Equal(2, Sum(TelemetryNames.EmailsSent, ("kind", "invitation")));
        Assert.Equal(0, Sum(TelemetryNames.EmailsFailed));
        Assert.Equal(0, Points(TelemetryNames.EmailsQueued).Single().GetGaugeLastValueLong());
        Assert.Equal(1, Sum(TelemetryNames.JobRuns, ("job", OutboxDispatcher.RecurringJobId), ("outcome", "succeeded")));
        var dispatch = _app.Activities.Single(a => a.OperationName == TelemetryNames.OutboxActivity);
        Assert.Equal(2, dispatch.GetTagItem("emails.sent"));
    }

    [Fact]
    public async Task A_nightly_check_records_its_duration_its_run_and_its_activities_without_any_value_of_a_child()
    {
        var runner = _app.Services.GetRequiredService<TenantJobRunner>();
        await runner.RunAsync(TenantJobCatalog.NightlyCheck.Name, _tenant, "test", CancellationToken.None);

        var duration = Points(TelemetryNames.NightlyCheckDuration).Single();
        Assert.Equal(1, duration.GetHistogramCount());
        Assert.True(duration.GetHistogramSum() > 0);
        Assert.Equal(1, Sum(TelemetryNames.JobRuns, ("job", "nightly-check"), ("outcome", "succeeded")));

        var job = _app.Activities.Single(a => a.OperationName == TelemetryNames.JobActivity + "nightly-check");
        var digests = _app.Activities.Single(a => a.OperationName == TelemetryNames.DigestActivity);
        Assert.Equal(job.SpanId, digests.ParentSpanId);
        // EF Core's spans are children of the job, with SQL text and placeholders but no values.
        var queries = _app.Activities.Where(a => a.TraceId == job.TraceId && a.Source.Name.Contains("EntityFrameworkCore")).ToList();
        Assert.NotEmpty(queries);
        var everyTag = _app.Activities.SelectMany(a => a.TagObjects).Select(t => Convert.ToString(t.Value) ?? "").ToList();
        Assert.DoesNotContain(everyTag, v => v.Contains("Mia") || v.Contains("Lopez") || v.Contains("rosa@example.net") || v.Contains("Cannot see the board"));

        // The digest the check queued (it names the child) is one more email in the queue.
        await _app.Services.GetRequiredService<OutboxDispatcher>().SendPendingAsync(CancellationToken.None);
        Assert.Equal(1, Sum(TelemetryNames.EmailsSent, ("kind", "digest")));
    }

    [Fact]
    public async Task Without_an_exporter_nothing_is_recorded()
    {
        // The app as it runs with no OTLP endpoint: no tracer or meter provider, so nothing listens to EF Core's or ASP.NET
        // Core's diagnostics. Listening with every span sampled out took some 3% of the student page's samples (issue 15).
        await using var plain = new AppFactory();
        Assert.Null(plain.Services.GetService<TracerProvider>());
        Assert.Null(plain.Services.GetService<MeterProvider>());
        // With an endpoint, both are there (this class's app; every other test here reads what they recorded).
        Assert.NotNull(_app.Services.GetService<TracerProvider>());
        Assert.NotNull(_app.Services.GetService<MeterProvider>());
    }

    [Fact]
    public async Task A_failed_job_is_counted_by_name_and_its_activity_marked_failed()
    {
        var runner = _app.Services.GetRequiredService<TenantJobRunner>();
        await Assert.ThrowsAsync<InvalidOperationException>(() => runner.RunAsync("always-fails", _tenant, "test", CancellationToken.None));

        Assert.Equal(1, Sum(TelemetryNames.JobFailures, ("job", "always-fails")));
        Assert.Equal(1, Sum(TelemetryNames.JobRuns, ("job", "always-fails"), ("outcome", "failed")));
        Assert.Equal(ActivityStatusCode.Error, _app.Activities.Single(a => a.OperationName == TelemetryNames.JobActivity + "always-fails").Status);
    }
}
