using System.Diagnostics;
using System.Globalization;

namespace SuccessPlans.Features.Flags;

/// <summary>
/// Wall time, CPU time and working set of each phase of one nightly check, for the job's log and the benchmark: a
/// total alone does not say whether the rules, the expiry, the indicator refresh or the digest is slow.
/// </summary>
public sealed class NightlyPhases
{
    /// <summary>
    /// Set by the benchmark: each phase resets the process's peak resident set (Linux, /proc/self/clear_refs) so its
    /// own peak can be read. Off in the app, which reports the working set at each phase's end instead.
    /// </summary>
    public static bool MeasurePeakPerPhase { get; set; }

    /// <param name="Megabytes">The phase's peak resident set if <see cref="MeasurePeakPerPhase"/>, else the working set at its end.</param>
    public sealed record Phase(string Name, TimeSpan Wall, TimeSpan Cpu, long Megabytes);

    private readonly List<Phase> _phases = [];

    public IReadOnlyList<Phase> All => _phases;

    public async Task<T> TimeAsync<T>(string name, Func<Task<T>> work)
    {
        using var phase = Start(name);
        return await work();
    }

    /// <summary>A phase that ends when disposed, for work that is not one call.</summary>
    public IDisposable Start(string name)
    {
        if (MeasurePeakPerPhase) ResetPeak();
        using var process = Process.GetCurrentProcess();
        return new Running(this, name, process.TotalProcessorTime, Stopwatch.GetTimestamp());
    }

    private sealed class Running(NightlyPhases phases, string name, TimeSpan cpu, long started) : IDisposable
    {
        private bool _ended;

        public void Dispose()
        {
            if (_ended) return;
            _ended = true;
            var wall = Stopwatch.GetElapsedTime(started);
            using var process = Process.GetCurrentProcess();
            phases._phases.Add(new Phase(name, wall, process.TotalProcessorTime - cpu, (MeasurePeakPerPhase ? PeakBytes() ?? process.WorkingSet64 : process.WorkingSet64) / 1024 / 1024));
        }
    }

    public async Task TimeAsync(string name, Func<Task> work) => await TimeAsync(name, async () => { await work(); return 0; });

    /// <summary>One line a phase: "name: wall s (CPU s, MB)".</summary>
    public override string ToString() => string.Join("; ", _phases.Select(p =>
        string.Create(CultureInfo.InvariantCulture, $"{p.Name} {p.Wall.TotalSeconds:0.000} s (CPU {p.Cpu.TotalSeconds:0.000} s, {p.Megabytes} MB)")));

    private static void ResetPeak()
    {
        try { File.WriteAllText("/proc/self/clear_refs", "5"); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static long? PeakBytes()
    {
        try
        {
            var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            return line is null ? null : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }
}
