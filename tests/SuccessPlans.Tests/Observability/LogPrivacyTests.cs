using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using SuccessPlans.Data;
using SuccessPlans.Features.Jobs;
using SuccessPlans.Features.Notifications;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Referrals;
using SuccessPlans.Features.Roster;
using SuccessPlans.Features.Seeding;
using SuccessPlans.Tests.Infrastructure;
using SuccessPlans.Web.Hosting;

namespace SuccessPlans.Tests.Observability;

/// <summary>
/// A day on the demo community (1,200 children with guardians), every log entry written by Production's JSON formatter
/// at more detail than Production logs (Information everywhere, EF Core's commands included): no line names a child or
/// carries a guardian's email or a note, and every line is one JSON object.
/// </summary>
public class LogPrivacyTests : IAsyncLifetime
{
    private sealed class CapturingApp(DateTimeOffset start) : AppFactory(start)
    {
        public CapturedLog Log { get; } = new();

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureLogging(l => l.AddProvider(Log));
            builder.ConfigureTestServices(s => s.AddKeyedScoped<ITenantJob, JobThatQuotesAChild>("quotes-a-child"));
        }
    }

    /// <summary>A job whose error message names a child, as a database's refusal can.</summary>
    private sealed class JobThatQuotesAChild(AppDbContext db) : ITenantJob
    {
        public async Task<string> RunAsync(CancellationToken ct)
        {
            var child = await db.Students.OrderBy(s => s.Id).Select(s => s.GivenName + " " + s.FamilyName + " <" + s.GuardianEmail + ">").FirstAsync(ct);
            throw new DbUpdateException($"Cannot insert duplicate key row. The duplicate key value is ({child}).");
        }
    }

    /// <summary>Each entry formatted into a line exactly as the Production console writes it.</summary>
    private sealed class CapturedLog : ILoggerProvider
    {
        private readonly List<string> _lines = [];
        private readonly LoggerExternalScopeProvider _scopes = new();
        private readonly SafeJsonFormatter _formatter = new(new Options());

        public IReadOnlyList<string> Lines { get { lock (_lines) return _lines.ToList(); } }

        public ILogger CreateLogger(string category) => new Logger(this, category);

        public void Dispose() { }

        private sealed class Options : IOptionsMonitor<ConsoleFormatterOptions>
        {
            public ConsoleFormatterOptions CurrentValue { get; } = new() { UseUtcTimestamp = true, IncludeScopes = true };
            public ConsoleFormatterOptions Get(string? name) => CurrentValue;
            public IDisposable? OnChange(Action<ConsoleFormatterOptions, string?> listener) => null;
        }

        private sealed class Logger(CapturedLog log, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => log._scopes.Push(state);
            public bool IsEnabled(LogLevel level) => level != LogLevel.None;
            public void Log<TState>(LogLevel level, EventId id, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                using var writer = new StringWriter();
                log._formatter.Write(new LogEntry<TState>(level, category, id, state, exception, formatter), log._scopes, writer);
                var text = writer.ToString();
                if (text.Length == 0) return;
                lock (log._lines) log._lines.AddRange(text.TrimEnd('\n', '\r').Split('\n'));
            }
        }
    }

    private readonly CapturingApp _app = new(new DateTimeOffset(2026, 11, 20, 15, 0, 0, TimeSpan.Zero));
    private int _tenant;

    public async Task InitializeAsync()
    {
        _app.Settings["Demo:Enabled"] = "true";
        _app.Settings["Demo:SeedDataDirectory"] = Path.Combine(Model.ModelTests.RepositoryRoot(), "seed-data", "demo");
        // More than Production logs: every request line and every EF Core command.
        _app.Settings["Logging:LogLevel:Default"] = "Information";
        _app.Settings["Logging:LogLevel:Microsoft.AspNetCore"] = "Information";
        _app.Settings["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "Information";
        _ = _app.Server;
        _tenant = await _app.InTenant(null, (_, db) => db.Tenants.Where(t => t.Slug == DemoSeeder.TenantSlug).Select(t => t.Id).SingleAsync());
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task A_day_on_the_demo_leaves_no_childs_name_guardian_email_or_note_in_any_log_line()
    {
        // The coordinator's day: home, caseload, a search by a child's name, the child's page.
        var coordinator = await _app.SignedInAsync("coordinator@demo.test", DemoSeeder.Password);
        var child = await _app.InTenant(_tenant, (_, db) => db.Referrals.Where(r => r.Status == ReferralStatus.Sent)
            .Select(r => new { r.Id, r.StudentId, r.Student.FamilyName, r.OrganizationId }).OrderBy(r => r.Id).FirstAsync());
        foreach (var page in new[] { "/Home/Coordinator", "/Students", $"/Students?q={Uri.EscapeDataString(child.FamilyName)}", $"/Students/{child.StudentId}", "/Notifications" })
            Assert.True((await coordinator.GetAsync(page)).IsSuccessStatusCode, page);
        // A case note and a plan change that name the child.
        await _app.InTenant(_tenant, async (sp, db) =>
        {
            var student = await db.Students.SingleAsync(s => s.Id == child.StudentId);
            await sp.GetRequiredService<PlanService>().RecordReviewAsync(student, 2,
                [new NewPlanItem(Domain.Family, PlanItemKind.Need, $"{student.GivenName} needs a winter coat")], new Actor(null, "Demo Coordinator"), null);
        });

        // The provider accepts and records a service with a note naming the child.
        var provider = await _app.SignedInAsync("provider@demo.test", DemoSeeder.Password);
        Assert.True((await provider.GetAsync("/Provider/Referrals")).IsSuccessStatusCode);
        await _app.InTenant(_tenant, async (sp, db) =>
        {
            var referrals = sp.GetRequiredService<ReferralService>();
            var r = await db.Referrals.Include(x => x.Student).SingleAsync(x => x.Id == child.Id);
            var actor = new Actor(null, "Demo Provider");
            await referrals.AcceptAsync(r, actor, null);
            await referrals.RecordDeliveryAsync(r, DateOnly.FromDateTime(_app.Time.GetUtcNow().UtcDateTime), 1, DeliveryUnit.Sessions,
                $"Met {r.Student.GivenName} {r.Student.FamilyName} and the family", actor, null);
        });

        // The night: the check and its digests (which name children), the outbox, a job that fails quoting a child.
        var runner = _app.Services.GetRequiredService<TenantJobRunner>();
        await runner.RunAsync(TenantJobCatalog.NightlyCheck.Name, _tenant, "test", CancellationToken.None);
        Assert.True(await _app.Services.GetRequiredService<OutboxDispatcher>().SendPendingAsync(CancellationToken.None) > 0);
        await Assert.ThrowsAsync<DbUpdateException>(() => runner.RunAsync("quotes-a-child", _tenant, "test", CancellationToken.None));

        // The Admin re-imports the roster.
        var roster = Directory.EnumerateFiles(Path.Combine(Model.ModelTests.RepositoryRoot(), "seed-data", "demo", "oneroster"))
            .ToDictionary(f => Path.GetFileName(f), f => File.ReadAllText(f));
        await _app.InTenant(_tenant, async (sp, _) =>
        {
            var importer = sp.GetRequiredService<OneRosterImporter>();
            await importer.ApplyAsync(await importer.PreviewAsync(roster), new Actor(null, "Demo Admin"));
        });
        var admin = await _app.SignedInAsync("admin@demo.test", DemoSeeder.Password);
        Assert.True((await admin.GetAsync("/Jobs")).IsSuccessStatusCode);

        var lines = _app.Log.Lines;
        Assert.True(lines.Count > 100, $"only {lines.Count} log lines: the capture is not working");
        // The capture sees what it must: the EF Core commands, the failed job, the caseload search request.
        Assert.Contains(lines, l => l.Contains("Executed DbCommand"));
        Assert.Contains(lines, l => l.Contains("quotes-a-child") && l.Contains("DbUpdateException"));
        // Every line one JSON object; its strings as a reader of the log sees them (JSON escapes accented letters).
        var strings = new List<string>();
        foreach (var line in lines)
        {
            using var json = JsonDocument.Parse(line);
            Assert.Equal(JsonValueKind.Object, json.RootElement.ValueKind);
            Collect(json.RootElement, strings);
        }

        var people = await _app.InTenant(_tenant, async (_, db) => await db.Students
            .Select(s => new { s.GivenName, s.FamilyName, s.GuardianName, s.GuardianEmail }).ToListAsync());
        Assert.True(people.Count >= 1200);
        // Whole words, as written ("Page" the family name is not RazorPages); emails whole.
        var text = string.Join("\n", strings);
        var tokens = Regex.Matches(text, @"[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\w+").Select(m => m.Value).ToHashSet();
        var names = people.SelectMany(p => new[] { p.GivenName, p.FamilyName, p.GuardianName })
            .SelectMany(n => Regex.Matches(n ?? "", @"\w{2,}").Select(m => m.Value));
        var emails = people.Select(p => p.GuardianEmail).Where(e => !string.IsNullOrEmpty(e)).Select(e => e!);
        // A name that is also a word of the schema (the rollup's "Jan" and "May" columns) is the schema's word in SQL text.
        var schema = await _app.InTenant(_tenant, (_, db) => Task.FromResult(db.Model.GetEntityTypes()
            .SelectMany(e => e.GetProperties().Select(p => p.GetColumnName()).Append(e.GetTableName() ?? "")).ToHashSet()));
        var found = names.Where(n => !schema.Contains(n)).Concat(emails).Distinct().Where(tokens.Contains).Take(20).ToList();
        Assert.True(found.Count == 0, $"the log names children or guardians: {string.Join(", ", found)}\n" +
            string.Join("\n", lines.Where(l => found.Any(l.Contains)).Take(3)));
    }

    private static void Collect(JsonElement e, List<string> into)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object: foreach (var p in e.EnumerateObject()) Collect(p.Value, into); break;
            case JsonValueKind.Array: foreach (var v in e.EnumerateArray()) Collect(v, into); break;
            case JsonValueKind.String: into.Add(e.GetString()!); break;
        }
    }
}
