using System.Diagnostics;
using System.Runtime.InteropServices;

namespace SuccessPlans.Web.Hosting;

/// <summary>
/// Hands the memory that glibc's malloc holds free back to the system, every <c>Memory:NativeHeapTrimInterval</c>
/// (10 s by default; 0 turns it off). Why (issue 15's memory): SQLite's page caches and statements, the runtime and
/// OpenSSL allocate from the C heap, and glibc returns freed memory to the system only from the top of its heap, so
/// after a load the node kept tens of megabytes of free pages in its working set. <c>malloc_trim(0)</c> releases every
/// free page of the heap, wherever it is (infra/RUNBOOK.md, "Memory"). On a C library without it (musl) it is off.
/// </summary>
public sealed class NativeHeapTrim(IConfiguration config, ILogger<NativeHeapTrim> logger) : BackgroundService
{
    public const string IntervalKey = "Memory:NativeHeapTrimInterval";

    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(10);

    /// <summary>The configured interval; zero or less: off. A value that is no time span stops the start-up with a message.</summary>
    public static TimeSpan IntervalFrom(IConfiguration config)
    {
        var raw = config[IntervalKey];
        if (string.IsNullOrWhiteSpace(raw)) return DefaultInterval;
        return TimeSpan.TryParse(raw, System.Globalization.CultureInfo.InvariantCulture, out var interval) ? interval
            : throw new StartupException($"{IntervalKey} '{raw}' is not a time span: write it as 00:00:10 (0 turns the trim off).");
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = IntervalFrom(config);
        if (interval <= TimeSpan.Zero || !OperatingSystem.IsLinux()) return;
        // The system's clock, not the app's TimeProvider: the trim is about this process's memory, and a test clock moved
        // on by months would fire it once for every 10 s in between (it held a test run for minutes).
        using var timer = new PeriodicTimer(interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            if (!TryTrim(out var took))
            {
                logger.LogInformation("The C library has no malloc_trim: the native heap is not trimmed");
                return;
            }
            if (took > TimeSpan.FromMilliseconds(50))
                logger.LogWarning("Trimming the native heap took {Milliseconds} ms", (int)took.TotalMilliseconds);
        }
    }

    /// <summary>One trim; false where the C library has no malloc_trim (not glibc).</summary>
    public static bool TryTrim(out TimeSpan took)
    {
        var start = Stopwatch.GetTimestamp();
        try
        {
            MallocTrim(0);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            took = TimeSpan.Zero;
            return false;
        }
        took = Stopwatch.GetElapsedTime(start);
        return true;
    }

    // glibc's soname: "libc" alone may resolve to the linker script libc.so, which cannot be loaded.
    [DllImport("libc.so.6", EntryPoint = "malloc_trim")]
    private static extern int MallocTrim(nuint pad);
}
