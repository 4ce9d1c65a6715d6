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

    /// <summary>Requests at work at once by default (RateLimits:MaxConcurrentRequests): four a core, at least 8.</summary>
    public static int DefaultMaxConcurrentRequests => Math.Max(8, 4 * Environment.ProcessorCount);

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
        builder.Services.AddRateLimiter(o =>
        {
            foreach (var (name, (permits, seconds)) in Defaults)
            {
                var limit = config.GetValue($"{name}:PermitLimit", permits);
                var window = TimeSpan.FromSeconds(config.GetValue($"{name}:WindowSeconds", seconds));
                if (limit < 1 || window <= TimeSpan.Zero)
                    throw new SuccessPlans.Data.StartupException($"RateLimits:{name} needs a PermitLimit of at least 1 and a WindowSeconds above 0.");
                o.AddPolicy(name, http => Counts(name, http)
                    ? RateLimitPartition.GetFixedWindowLimiter($"{name}:{http.Connection.RemoteIpAddress}", _ => new FixedWindowRateLimiterOptions
                    {
                        PermitLimit = limit, Window = window, QueueLimit = 0, AutoReplenishment = true,
                    })
                    : RateLimitPartition.GetNoLimiter($"{name}:uncounted"));
            }
            // Requests at work at once, the rest wait their turn in order (issue 15's memory): each request at work holds
            // its objects and a pooled SQLite connection with its page cache, and on a few cores 32 requests at once finish
            // no sooner than 8 (the CPU is the limit), they only hold more memory. Health probes never wait.
            var concurrent = config.GetValue("MaxConcurrentRequests", DefaultMaxConcurrentRequests);
            if (concurrent < 1)
                throw new SuccessPlans.Data.StartupException("RateLimits:MaxConcurrentRequests needs to be at least 1.");
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http => http.Request.Path.StartsWithSegments("/health")
                ? RateLimitPartition.GetNoLimiter("health")
                : RateLimitPartition.GetConcurrencyLimiter("requests", _ => new ConcurrencyLimiterOptions
                {
                    PermitLimit = concurrent, QueueLimit = MaxQueuedRequests, QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
                }));
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = async (context, ct) =>
            {
                var http = context.HttpContext;
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
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
            };
        });
    }

    public static IApplicationBuilder UseRateLimits(this IApplicationBuilder app) => app.UseRateLimiter();
}
