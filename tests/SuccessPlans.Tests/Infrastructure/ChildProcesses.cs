using System.Diagnostics;

namespace SuccessPlans.Tests.Infrastructure;

/// <summary>Ends a process a test started (the app, nginx, aiosmtpd) without ever waiting on it for good.</summary>
public static class ChildProcesses
{
    /// <summary>
    /// Kills the process and its children and waits for the exit, at most <paramref name="wait"/> (30 s): a wait without a
    /// bound on a process whose output is read as events also waits for the end of that output, which a descendant that
    /// slipped out of the tree would hold open, and a test run that hangs in a test's clean-up holds CI until its own limit.
    /// </summary>
    public static async Task StopAsync(Process process, TimeSpan? wait = null)
    {
        try
        {
            if (process.HasExited) return;
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            return; // never started, or already gone
        }
        using var timeout = new CancellationTokenSource(wait ?? TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine($"process {process.Id} ({process.StartInfo.FileName}) had not exited {(wait ?? TimeSpan.FromSeconds(30)).TotalSeconds} s after it was killed");
        }
    }
}
