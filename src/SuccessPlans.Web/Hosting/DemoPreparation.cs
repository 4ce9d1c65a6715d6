using SuccessPlans.Csv;
using SuccessPlans.Features.Jobs;
using SuccessPlans.Features.Seeding;

namespace SuccessPlans.Web.Hosting;

/// <summary>
/// The demo community is seeded after the app starts listening: a newcomer who opens the address at once sees
/// "Preparing the demo" (503 with Retry-After, refreshing itself) instead of a refused connection, and the pages once
/// it is ready. Without the demo, or with a database already seeded, there is nothing to wait for.
/// </summary>
public sealed class DemoPreparation
{
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool IsPreparing => !_done.Task.IsCompleted;

    /// <summary>Completes when the demo is ready (faults when its seed data was malformed).</summary>
    public Task Completion => _done.Task;

    /// <summary>Set when seeding failed: the app then stops with exit code 1 and one clear line.</summary>
    public bool Failed { get; private set; }

    internal void Finish() => _done.TrySetResult();

    internal void Fail(Exception e)
    {
        Failed = true;
        _done.TrySetException(e);
    }
}

public static class DemoPreparationHosting
{
    public const string PreparingPage = """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="3">
        <meta name="viewport" content="width=device-width, initial-scale=1"><title>Preparing the demo - SuccessPlans</title></head>
        <body style="font-family: system-ui, sans-serif; max-width: 36rem; margin: 4rem auto; padding: 0 1rem; line-height: 1.5">
        <main><h1>Preparing the demo</h1>
        <p role="status">SuccessPlans is creating the demo community (schools, children, providers and a term of work).
        This takes about half a minute the first time; this page opens the app by itself when it is ready.</p></main>
        </body></html>
        """;

    /// <summary>While the demo is prepared, every request but the liveness probe gets the preparing answer.</summary>
    public static void UseDemoPreparation(this WebApplication app)
    {
        var preparation = app.Services.GetRequiredService<DemoPreparation>();
        // Once the demo is ready, no state machine of its own on every request (issue 15).
        app.Use((context, next) => !preparation.IsPreparing || context.Request.Path.StartsWithSegments("/health/live") ? next(context) : PreparingAsync(context));
    }

    private static async Task PreparingAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Response.Headers.RetryAfter = "3";
        context.Response.Headers.CacheControl = "no-store";
        if (context.Request.Path.StartsWithSegments("/api"))
        {
            await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails = { Status = StatusCodes.Status503ServiceUnavailable, Title = "Preparing the demo.", Detail = "The demo community is being created; try again in a few seconds." },
            });
            return;
        }
        context.Response.ContentType = "text/html; charset=utf-8";
        await context.Response.WriteAsync(PreparingPage, context.RequestAborted);
    }

    /// <summary>
    /// Once the app listens: seeds the demo (when on, into an empty database) and then registers the recurring jobs,
    /// which need the demo's tenant. Without the demo the jobs are registered before the app starts, as ever.
    /// </summary>
    public static async Task StartAfterDemoAsync(this WebApplication app)
    {
        var preparation = app.Services.GetRequiredService<DemoPreparation>();
        var seedData = CoreHosting.DemoSeedData(app);
        if (seedData is null)
        {
            await app.StartJobsAsync();
            preparation.Finish();
            return;
        }
        app.Lifetime.ApplicationStarted.Register(() => _ = Task.Run(async () =>
        {
            try
            {
                if (await app.Services.GetRequiredService<DemoSeeder>().SeedIfEmptyAsync(seedData, app.Lifetime.ApplicationStopping))
                {
                    var (before, after) = ReleaseSeedingMemory();
                    app.Logger.LogInformation("The demo's seeding handed its memory back: the GC heap's committed memory went from {BeforeMegabytes} to {AfterMegabytes} MB",
                        before, after);
                }
                await app.StartJobsAsync();
                preparation.Finish();
                Console.WriteLine("The demo is ready.");
            }
            catch (ImportFileException e)
            {
                // As any other start-up failure: one clear line, exit code 1.
                Console.Error.WriteLine($"SuccessPlans cannot start: The demo seed data in {seedData} is malformed: {e.Message}");
                preparation.Fail(e);
                app.Lifetime.StopApplication();
            }
            catch (Exception e)
            {
                Console.Error.WriteLine($"SuccessPlans cannot start: preparing the demo failed ({e.GetType().Name}).");
                preparation.Fail(e);
                app.Lifetime.StopApplication();
            }
        }));
    }

    /// <summary>
    /// Seeding is a one-time burst: the demo's rows, the generator and the imports' buffers, which the node never uses
    /// again. Server GC hands freed heap back only at its own pace, so a node that had just seeded its demo sat at
    /// 288-290 MB against 197 MB started on the seeded database (issue 15, 2026-12-07). One full, compacting collection
    /// that gives the freed heap back (Aggressive), then glibc's trim: 206-208 MB. Returns the GC heap's committed MB.
    /// </summary>
    internal static (long BeforeMegabytes, long AfterMegabytes) ReleaseSeedingMemory()
    {
        var before = GC.GetGCMemoryInfo().TotalCommittedBytes;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        NativeHeapTrim.TryTrim(out _);
        return (before >> 20, GC.GetGCMemoryInfo().TotalCommittedBytes >> 20);
    }
}
