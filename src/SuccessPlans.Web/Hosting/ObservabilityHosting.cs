using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using SuccessPlans.Features.Jobs;
using SuccessPlans.Features.Notifications;
using SuccessPlans.Features.Observability;
using SuccessPlans.Tenancy;

namespace SuccessPlans.Web.Hosting;

/// <summary>
/// What an operator sees (infra/RUNBOOK.md, "Signals"): JSON logs in Production, OpenTelemetry traces and metrics
/// (exported over OTLP when an endpoint is configured), and the liveness and readiness probes.
/// </summary>
public static class ObservabilityHosting
{
    public const string LivePath = "/health/live";
    public const string ReadyPath = "/health/ready";
    private const string ReadyTag = "ready";

    public static void AddObservability(this WebApplicationBuilder builder)
    {
        var config = builder.Configuration;
        if (builder.Environment.IsProduction())
        {
            // One JSON object a line, UTC, with the request's scope (trace id, path): what a log shipper parses.
            builder.Logging.ClearProviders();
            builder.Logging.AddConsole(o => o.FormatterName = SafeJsonFormatter.FormatterName)
                .AddConsoleFormatter<SafeJsonFormatter, ConsoleFormatterOptions>(o => { o.UseUtcTimestamp = true; o.IncludeScopes = true; });
        }
        if (!builder.Environment.IsDevelopment())
            KeepChildrenOutOfTheLog(builder.Logging);

        AddTelemetry(builder.Services, config);

        builder.Services.AddOptions<ReadinessOptions>().Bind(config.GetSection(ReadinessOptions.Section));
        builder.Services.AddHealthChecks()
            .AddDbContextCheck<AppDbContext>("database", tags: [ReadyTag])
            .AddCheck<OutboxBacklogCheck>("outbox", tags: [ReadyTag])
            .AddCheck<NightlyCheckFreshness>("nightly-check", tags: [ReadyTag]);
    }

    /// <summary>OpenTelemetry's traces and metrics, exported over OTLP; registered only when there is an endpoint.</summary>
    private static void AddTelemetry(IServiceCollection services, IConfiguration config)
    {
        var endpoint = config["OpenTelemetry:OtlpEndpoint"];
        // Without an endpoint nothing leaves the node, so nothing is recorded: no tracer or meter provider, no listener on
        // EF Core's and ASP.NET Core's diagnostics. Listening with every span sampled out still took some 3% of the student
        // page's samples in a profile (the listeners' work on every query's events; issue 15). The logs keep their trace
        // ids: ASP.NET Core starts each request's activity for its log scope.
        if (string.IsNullOrEmpty(endpoint) && string.IsNullOrEmpty(config["OTEL_EXPORTER_OTLP_ENDPOINT"])) return;
        var otel = services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(TelemetryNames.Meter, serviceInstanceId: Environment.MachineName + ":" + Environment.ProcessId))
            .WithTracing(t => t
                .AddSource(TelemetryNames.ActivitySource)
                // Probes every few seconds would drown the traces that matter.
                .AddAspNetCoreInstrumentation(o => o.Filter = http => !http.Request.Path.StartsWithSegments("/health"))
                .AddHttpClientInstrumentation()
                // The SQL text has placeholders only; parameter values (names, notes) stay out: never set
                // OTEL_DOTNET_EXPERIMENTAL_EFCORE_ENABLE_TRACE_DB_QUERY_PARAMETERS (TelemetryTests checks the tags).
                .AddEntityFrameworkCoreInstrumentation())
            .WithMetrics(m => m
                .AddMeter(TelemetryNames.Meter)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation());
        if (!string.IsNullOrEmpty(endpoint))
        {
            var protocol = string.Equals(config["OpenTelemetry:OtlpProtocol"], "http/protobuf", StringComparison.OrdinalIgnoreCase)
                ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
            otel.UseOtlpExporter(protocol, Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) ? uri
                : throw new StartupException($"OpenTelemetry:OtlpEndpoint '{endpoint}' is not an address: write it as http://collector:4317."));
        }
        else
        {
            otel.UseOtlpExporter();
        }
    }

    /// <summary>
    /// Whatever levels the configuration asks for (these rules come after it, so they win): EF Core's own error events
    /// put the database's message in theirs (SQL Server's duplicate-key error quotes the values), and the request line
    /// carries the query string (a caseload search by a child's name). The exception still reaches the caller, whose
    /// log has its type and stack; traces keep the path with the query redacted.
    /// </summary>
    internal static void KeepChildrenOutOfTheLog(ILoggingBuilder logging)
    {
        logging.AddFilter("Microsoft.EntityFrameworkCore.Update", LogLevel.None);
        logging.AddFilter("Microsoft.EntityFrameworkCore.Query", LogLevel.None);
        logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);
    }

    public static void MapHealthEndpoints(this WebApplication app)
    {
        // Live: the process answers; no dependency, so a database outage never restarts every node at once.
        app.MapHealthChecks(LivePath, new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteHealthAsync }).AllowAnonymous();
        var ready = new HealthCheckOptions { Predicate = c => c.Tags.Contains(ReadyTag), ResponseWriter = WriteHealthAsync };
        app.MapHealthChecks(ReadyPath, ready).AllowAnonymous();
        // The address probes used before /health/ready existed.
        app.MapHealthChecks("/health", ready).AllowAnonymous();
    }

    /// <summary>`dotnet SuccessPlans.Web.dll probe http://127.0.0.1:8080/health/live`, for a container's healthcheck.</summary>
    public static async Task<int> ProbeAsync(string url)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            return (await http.GetAsync(url)).IsSuccessStatusCode ? 0 : 1;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or InvalidOperationException or UriFormatException)
        {
            return 1;
        }
    }

    /// <summary>
    /// {"status":"Healthy","database":"Healthy",...}: each check's status, nothing more. The probes are anonymous, so
    /// the details (ages, tenant ids) go to the log (HealthCheckService logs every check that is not healthy).
    /// </summary>
    private static Task WriteHealthAsync(HttpContext http, HealthReport report)
    {
        http.Response.ContentType = "application/json";
        var body = new Dictionary<string, string> { ["status"] = report.Status.ToString() };
        foreach (var (name, entry) in report.Entries)
            body[name] = entry.Status.ToString();
        return http.Response.WriteAsync(JsonSerializer.Serialize(body));
    }
}

/// <summary>Section "Health": when readiness reports the outbox or the nightly check unhealthy.</summary>
public sealed class ReadinessOptions
{
    public const string Section = "Health";

    /// <summary>The oldest unsent email may wait this long (its backoff included) before readiness fails.</summary>
    public TimeSpan OutboxMaxAge { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Every tenant's last successful nightly check (or its creation, before the first) must be this recent.</summary>
    public TimeSpan NightlyCheckMaxAge { get; set; } = TimeSpan.FromHours(26);
}

/// <summary>Unhealthy when an email has waited too long: the relay refuses, or no node runs the dispatcher.</summary>
internal sealed class OutboxBacklogCheck(IServiceScopeFactory scopes, TimeProvider time, IOptions<ReadinessOptions> options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        var now = time.GetUtcNow().UtcDateTime;
        await using var scope = scopes.CreateAsyncScope();
        var oldest = await ReadinessQueries.OldestUnsentAsync(scope.ServiceProvider.GetRequiredService<AppDbContext>(), ct);
        var age = oldest is { } o ? now - o : TimeSpan.Zero;
        var data = new Dictionary<string, object> { ["oldestUnsentSeconds"] = (long)age.TotalSeconds };
        return age > options.Value.OutboxMaxAge
            ? HealthCheckResult.Unhealthy($"The oldest unsent email has waited {age.TotalMinutes:F0} min (limit {options.Value.OutboxMaxAge.TotalMinutes:F0}).", data: data)
            : HealthCheckResult.Healthy(data: data);
    }

}

/// <summary>
/// Unhealthy when a tenant's last successful nightly check is older than the limit. A new tenant counts from its
/// creation, so it is not stale before its first night, and is stale if that night never comes.
/// </summary>
internal sealed class NightlyCheckFreshness(IServiceScopeFactory scopes, TimeProvider time, IOptions<ReadinessOptions> options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var limit = options.Value.NightlyCheckMaxAge;
        await using var scope = scopes.CreateAsyncScope();
        var lastRuns = await ReadinessQueries.LastNightlyCheckAsync(scope.ServiceProvider.GetRequiredService<AppDbContext>(), ct);
        var ages = lastRuns.Select(r => (r.TenantId, Age: now - r.Since)).ToList();
        var oldest = ages.Count == 0 ? TimeSpan.Zero : ages.Max(a => a.Age);
        var stale = ages.Where(a => a.Age > limit).Select(a => a.TenantId).ToList();
        var data = new Dictionary<string, object> { ["oldestSeconds"] = (long)oldest.TotalSeconds, ["staleTenants"] = stale.Count };
        return stale.Count > 0
            ? HealthCheckResult.Unhealthy($"No successful nightly check within {limit.TotalHours:F0} h for tenant id(s) {string.Join(", ", stale)}.", data: data)
            : HealthCheckResult.Healthy(data: data);
    }
}

/// <summary>
/// The JSON console log of Production: like the built-in JSON formatter, but an exception is written as its types and
/// stack trace without its message. Messages of database and mail errors can quote the values they refused (a child's
/// name, a guardian's email); the stack and the type say where to look.
/// </summary>
public sealed class SafeJsonFormatter(IOptionsMonitor<ConsoleFormatterOptions> options) : ConsoleFormatter(FormatterName)
{
    public const string FormatterName = "successplans-json";

    public override void Write<TState>(in LogEntry<TState> entry, IExternalScopeProvider? scopes, TextWriter writer)
    {
        var o = options.CurrentValue;
        var message = entry.Formatter(entry.State, entry.Exception);
        if (message is null && entry.Exception is null) return;
        using var buffer = new MemoryStream();
        // Relaxed escaping: a log is read by people and log shippers, never put in a page; quotes in SQL stay readable.
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            var now = o.UseUtcTimestamp ? DateTime.UtcNow : DateTime.Now;
            json.WriteString("Timestamp", now.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
            json.WriteNumber("EventId", entry.EventId.Id);
            json.WriteString("LogLevel", entry.LogLevel.ToString());
            json.WriteString("Category", entry.Category);
            json.WriteString("Message", message);
            if (entry.Exception is { } e) json.WriteString("Exception", Describe(e));
            if (entry.State is IReadOnlyList<KeyValuePair<string, object?>> state)
            {
                json.WriteStartObject("State");
                foreach (var (key, value) in state)
                    json.WriteString(key, Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture));
                json.WriteEndObject();
            }
            if (o.IncludeScopes && scopes is not null)
            {
                json.WriteStartArray("Scopes");
                scopes.ForEachScope((scope, w) =>
                {
                    if (scope is IEnumerable<KeyValuePair<string, object?>> pairs)
                    {
                        w.WriteStartObject();
                        foreach (var (key, value) in pairs)
                            w.WriteString(key, Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture));
                        w.WriteEndObject();
                    }
                    else
                    {
                        w.WriteStringValue(Convert.ToString(scope, System.Globalization.CultureInfo.InvariantCulture));
                    }
                }, json);
                json.WriteEndArray();
            }
            json.WriteEndObject();
        }
        writer.WriteLine(Encoding.UTF8.GetString(buffer.ToArray()));
    }

    /// <summary>"DbUpdateException ---> SqlException" and the stack traces: no message.</summary>
    internal static string Describe(Exception e)
    {
        var text = new StringBuilder();
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            if (x != e) text.Append(" ---> ");
            text.Append(x.GetType().FullName);
        }
        for (Exception? x = e; x is not null; x = x.InnerException)
            if (x.StackTrace is { } stack) text.Append('\n').Append(stack);
        return text.ToString();
    }
}
