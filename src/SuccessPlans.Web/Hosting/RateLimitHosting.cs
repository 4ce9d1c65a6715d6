using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace SuccessPlans.Web.Hosting;

/// <summary>
/// How fast anyone may try passwords, reset links, invitations, API keys and exports: a fixed window per client address
/// (RemoteIpAddress, which the forwarded headers of a known proxy set), each policy configured under RateLimits:{Policy}.
/// A refused request gets 429 with Retry-After; the API a ProblemDetails, a browser a short page.
/// </summary>
public static class RateLimits
{
    public const string SignIn = "SignIn";
    public const string PasswordReset = "PasswordReset";
    public const string Invitation = "Invitation";
    public const string ApiKey = "ApiKey";
    public const string Export = "Export";

    /// <summary>Production defaults: requests per window, and the window in seconds.</summary>
    public static readonly IReadOnlyDictionary<string, (int PermitLimit, int WindowSeconds)> Defaults = new Dictionary<string, (int, int)>
    {
        // A school's staff may share one address behind NAT: generous per address, while lockout guards each account.
        [SignIn] = (30, 60),
        [PasswordReset] = (10, 300),
        [Invitation] = (10, 300),
        [ApiKey] = (300, 60),
        [Export] = (30, 60),
    };

    /// <summary>
    /// Requests at work at once by default (RateLimits:MaxConcurrentRequests). On SQLite two a core, at least 4: a
    /// request's queries run on its own thread, so a request at work is a core's work, and a few at a time each finish
    /// sooner (the waiting is done in order, in the queue); the one wait that uses no CPU, the access log's commit, is
    /// waited without the permit (<see cref="WorkGate"/>). On SQL Server four a core, at least 8: there a request also
    /// waits for the database server, with its permit (not measured here: no SQL Server on the project's machine).
    /// </summary>
    public static int DefaultMaxConcurrentRequests(SuccessPlans.Data.DatabaseProvider provider) => provider == SuccessPlans.Data.DatabaseProvider.SqlServer
        ? Math.Max(8, 4 * Environment.ProcessorCount)
        : Math.Max(4, 2 * Environment.ProcessorCount);

    /// <summary>Requests that may wait for their turn; past this a request is refused with 429 (a flood, not a busy day).</summary>
    public const int MaxQueuedRequests = 5000;

    /// <summary>Which requests of an endpoint the policy counts: forms' POSTs; every API-key request; every export.</summary>
    private static bool Counts(string policy, HttpContext http) => policy switch
    {
        SignIn or PasswordReset or Invitation => HttpMethods.IsPost(http.Request.Method),
        // Only requests that present a key: provider users signed in with a cookie are covered by sign-in's limits.
        ApiKey => HttpMethods.IsPost(http.Request.Method) && !http.Request.Path.StartsWithSegments("/api")
                  || http.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                  || http.Request.Headers.ContainsKey("X-Api-Key"),
        // A page (directory, audit log, end of contract) counts only its export handler; the cabinet's API group only exports.
        Export => http.Request.Path.StartsWithSegments("/api") || string.Equals(http.Request.Query["handler"], "Export", StringComparison.OrdinalIgnoreCase),
        _ => true,
    };

    public static void AddRateLimits(this WebApplicationBuilder builder)
    {
        var config = builder.Configuration.GetSection("RateLimits");
        AddWorkGate(builder, config);
        // Read here, at start, with the gate's counts: a bad value stops the app before it serves anything.
        var policies = Defaults.ToDictionary(d => d.Key, d => (
            Limit: Count(config, $"{d.Key}:PermitLimit") ?? d.Value.PermitLimit,
            Window: TimeSpan.FromSeconds(Count(config, $"{d.Key}:WindowSeconds") ?? d.Value.WindowSeconds)));
        builder.Services.AddRateLimiter(o =>
        {
            foreach (var (name, (limit, window)) in policies)
            {
                o.AddPolicy(name, http => Counts(name, http)
                    ? RateLimitPartition.GetFixedWindowLimiter($"{name}:{http.Connection.RemoteIpAddress}", _ => new FixedWindowRateLimiterOptions
                    {
                        PermitLimit = limit, Window = window, QueueLimit = 0, AutoReplenishment = true,
                    })
                    : RateLimitPartition.GetNoLimiter($"{name}:uncounted"));
            }
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = (context, ct) => TooManyAsync(context.HttpContext,
                context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1), ct);
        });
    }

    /// <summary>The permits to work first (a request waits its turn holding nothing), then the policies' limits.</summary>
    public static IApplicationBuilder UseRateLimits(this IApplicationBuilder app) => app.UseWorkGate().UseRateLimiter();

    /// <summary>
    /// The node's permits to work (<see cref="WorkGate"/>, RateLimits:MaxConcurrentRequests): a request waits its turn
    /// here, in order, holding nothing; health probes never wait. Past <see cref="MaxQueuedRequests"/> waiting, 429.
    /// RateLimits:MaxBegunRequests bounds the requests begun at once, at work or waiting outside for their access log
    /// entry (by default <see cref="WorkGate.BegunPerPermit"/> times the permits).
    /// </summary>
    private static void AddWorkGate(WebApplicationBuilder builder, IConfigurationSection config)
    {
        var configured = Count(config, "MaxConcurrentRequests");
        var begun = Count(config, "MaxBegunRequests");
        // The default follows the database the app's services were given (DatabaseSettings, read once at start).
        builder.Services.AddSingleton(sp => new WorkGate(
            configured ?? DefaultMaxConcurrentRequests(sp.GetRequiredService<SuccessPlans.Data.DatabaseSettings>().Provider), MaxQueuedRequests, begun));
    }

    // A count that is set (permits, begun requests, a policy's limit or window) must be a whole number of at least 1: said
    // in one line at start, not a stack trace.
    private static int? Count(IConfigurationSection config, string key)
    {
        var text = config[key];
        if (string.IsNullOrWhiteSpace(text)) return null;
        return int.TryParse(text.Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n >= 1
            ? n
            : throw new SuccessPlans.Data.StartupException($"RateLimits:{key} is '{text}': set it to a whole number of at least 1, or leave it out.");
    }

    private static IApplicationBuilder UseWorkGate(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        if (http.Request.Path.StartsWithSegments("/health"))
        {
            await next(http);
            return;
        }
        var permit = http.RequestServices.GetRequiredService<WorkPermit>();
        bool entered;
        try
        {
            entered = await permit.EnterAsync(http.RequestAborted);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            return; // the client left while waiting: nobody to answer
        }
        if (!entered)
        {
            await TooManyAsync(http, TimeSpan.FromMinutes(1), http.RequestAborted);
            return;
        }
        try
        {
            await next(http);
        }
        finally
        {
            permit.Leave();
        }
    });

    /// <summary>The answer to a refused request: 429 with Retry-After; the API a ProblemDetails, a browser a short page.</summary>
    private static async ValueTask TooManyAsync(HttpContext http, TimeSpan retryAfter, CancellationToken ct)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        var detail = $"Too many requests from your address. Try again in {seconds} seconds.";
        if (http.Request.Path.StartsWithSegments("/api"))
        {
            await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
            {
                HttpContext = http,
                ProblemDetails = { Status = StatusCodes.Status429TooManyRequests, Title = "Too many requests.", Detail = detail },
            });
            return;
        }
        http.Response.ContentType = "text/html; charset=utf-8";
        await http.Response.WriteAsync(
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Too many requests - SuccessPlans</title></head>" +
            $"<body><main><h1>Too many requests</h1><p>{detail}</p><p><a href=\"/\">Back to SuccessPlans</a></p></main></body></html>", ct);
    }
}
