using System.Diagnostics;
using SuccessPlans.Features.Roster;
using SuccessPlans.Features.Seeding;
using SuccessPlans.Features.Tenants;

namespace SuccessPlans.Web.Hosting;

/// <summary>
/// Speed figures the issues ask for, measured on a throwaway SQLite database (never the app's own):
///   dotnet run -c Release --project src/SuccessPlans.Web -- benchmark import --students 50000
/// and, for infra/scripts/bench-pages.sh, the minimal page the coordinator's pages are compared with:
///   ... benchmark minimal --db data/successplans.db --urls http://127.0.0.1:5091
/// </summary>
public static class Benchmarks
{
    public static async Task<int> RunAsync(string[] args)
    {
        var what = args.Length > 1 ? args[1] : "";
        if (what == "minimal")
            return await MinimalPageAsync(args);
        if (what == "nightly-check")
            return await NightlyCheckAsync(StringOption(args, "--db") ?? throw new ArgumentException("benchmark nightly-check needs --db FILE"));
        if (what == "scale-tenant")
            return await ScaleTenant.SeedAsync(StringOption(args, "--db") ?? throw new ArgumentException("benchmark scale-tenant needs --db FILE"),
                Option(args, "--students", 10_000), Option(args, "--per-school", 2_000));
        var students = Option(args, "--students", 50_000);
        if (what is not ("import" or "nightly" or "cabinet" or "attendance"))
        {
            Console.Error.WriteLine("usage: benchmark import|nightly|cabinet|attendance [--students N] [--seeded FILE (nightly, cabinet)] | benchmark minimal --db FILE --urls URL | benchmark scale-tenant --db FILE [--students N] [--per-school N]");
            return 2;
        }
        var dir = Directory.CreateTempSubdirectory("successplans-bench-").FullName;
        try
        {
            return what switch
            {
                "import" => await ImportAsync(dir, students),
                "nightly" => await NightlyAsync(dir, students, StringOption(args, "--seeded")),
                "attendance" => await AttendanceBenchmark.RunAsync(dir, students),
                _ => await CabinetAsync(dir, students, StringOption(args, "--seeded")),
            };
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task<int> ImportAsync(string dir, int students)
    {
        var clock = Stopwatch.StartNew();
        DemoDataGenerator.Write(Path.Combine(dir, "files"), students, seed: 1);
        var generated = clock.Elapsed;
        var rosterDir = Path.Combine(dir, "files", "oneroster");
        var megabytes = Directory.EnumerateFiles(rosterDir).Sum(f => new FileInfo(f).Length) / 1024.0 / 1024.0;

        await using var services = await ThrowawayAppAsync(dir);
        int tenantId;
        await using (var scope = services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            var tenant = new Tenant { Name = "Benchmark", Slug = "benchmark", CreatedAt = DateTime.UtcNow };
            db.Tenants.Add(tenant);
            await db.SaveChangesAsync();
            tenantId = tenant.Id;
        }

        // CPU time (all threads of the process) per phase as well as wall time: on a shared, loaded machine wall
        // times swing with the neighbours, CPU time much less, so two versions compare by CPU.
        async Task<(TimeSpan Preview, TimeSpan Apply, TimeSpan PreviewCpu, TimeSpan ApplyCpu, RosterImportResult Result)> RunOnceAsync()
        {
            await using var scope = services.CreateTenantScopeFor(tenantId);
            var importer = scope.ServiceProvider.GetRequiredService<OneRosterImporter>();
            var process = Process.GetCurrentProcess();
            var cpu0 = process.TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            var preview = await importer.PreviewAsync(SuccessPlans.Csv.CsvPackage.ReadDirectory(rosterDir));
            var previewTime = watch.Elapsed;
            process.Refresh();
            var cpu1 = process.TotalProcessorTime;
            var result = await importer.ApplyAsync(preview, new SuccessPlans.Features.Plans.Actor(null, "Benchmark"));
            var applyTime = watch.Elapsed - previewTime;
            process.Refresh();
            return (previewTime, applyTime, cpu1 - cpu0, process.TotalProcessorTime - cpu1, result);
        }

        var first = await RunOnceAsync();
        var second = await RunOnceAsync();
        var peak = Process.GetCurrentProcess().PeakWorkingSet64 / 1024 / 1024;
        Console.WriteLine($"OneRoster import of {students:N0} students ({megabytes:0.0} MB of CSV, generated in {generated.TotalSeconds:0.0} s), SQLite, {Environment.ProcessorCount} cores:");
        Console.WriteLine($"  first import:   check {first.Preview.TotalSeconds:0.00} s + write {first.Apply.TotalSeconds:0.00} s = {(first.Preview + first.Apply).TotalSeconds:0.00} s ({first.Result.StudentsAdded:N0} students added); CPU: check {first.PreviewCpu.TotalSeconds:0.00} s + write {first.ApplyCpu.TotalSeconds:0.00} s = {(first.PreviewCpu + first.ApplyCpu).TotalSeconds:0.00} s");
        Console.WriteLine($"  re-import:      check {second.Preview.TotalSeconds:0.00} s + write {second.Apply.TotalSeconds:0.00} s = {(second.Preview + second.Apply).TotalSeconds:0.00} s ({second.Result.StudentsAdded + second.Result.StudentsUpdated} changed); CPU: check {second.PreviewCpu.TotalSeconds:0.00} s + write {second.ApplyCpu.TotalSeconds:0.00} s = {(second.PreviewCpu + second.ApplyCpu).TotalSeconds:0.00} s");
        Console.WriteLine($"  peak working set: {peak:N0} MB");
        return first.Result.StudentsAdded == students && second.Result.StudentsAdded + second.Result.StudentsUpdated == 0 ? 0 : 1;
    }

    /// <summary>
    /// A tenant of N students with 3 needs, 2 referrals and 20 services delivered each (50,000 students:
    /// 150,000 needs, 100,000 referrals, 1,000,000 deliveries), then one nightly check, timed.
    /// </summary>
    /// <param name="seeded">
    /// A copy of the seeded file kept between runs (seeding 50,000 students takes minutes on a busy machine): used if it
    /// exists, written after seeding if not. Every run checks a fresh copy of it.
    /// </param>
    private static async Task<int> NightlyAsync(string dir, int students, string? seeded)
    {
        var file = await SeededFileAsync(dir, seeded, async services =>
        {
            var (_, counts) = await NightlyData.SeedAsync(services, students);
            return $"{students:N0} students, {counts.Needs:N0} needs, {counts.Referrals:N0} referrals, {counts.Deliveries:N0} services delivered";
        });
        // The warm-up tenant NightlyCheckAsync checks first, seeded here: the check runs in a process of its own, so its
        // peak working set is the checks', not a seeding's heap.
        await using (var services = await AppOnAsync(file))
            await NightlyData.SeedAsync(services, 450, name: "Warm-up", slug: WarmUpSlug);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var self = Environment.ProcessPath!;
        var start = new ProcessStartInfo(self) { UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
            start.ArgumentList.Add(typeof(Benchmarks).Assembly.Location);
        foreach (var a in new[] { "benchmark", "nightly-check", "--db", file })
            start.ArgumentList.Add(a);
        using var check = Process.Start(start)!;
        await check.WaitForExitAsync();
        return check.ExitCode;
    }

    /// <summary>
    /// The benchmark's database file in <paramref name="dir"/>: a copy of <paramref name="seeded"/> if it exists, else
    /// seeded now by <paramref name="seed"/> (which says what it wrote) and kept as <paramref name="seeded"/> if named.
    /// </summary>
    private static async Task<string> SeededFileAsync(string dir, string? seeded, Func<IServiceProvider, Task<string>> seed)
    {
        var file = Path.Combine(dir, "bench.db");
        if (seeded is not null && File.Exists(seeded))
        {
            File.Copy(seeded, file);
            Console.WriteLine($"Seeded tenant copied from {seeded} (--students is that file's).");
            return file;
        }
        var clock = Stopwatch.StartNew();
        await using (var services = await ThrowawayAppAsync(dir))
            Console.WriteLine($"Seeded {await seed(services)} in {clock.Elapsed.TotalSeconds:0} s.");
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (seeded is not null) File.Copy(file, seeded);
        return file;
    }

    private const string WarmUpSlug = "warm-up";

    private static SuccessPlans.Features.Flags.NightlyCheckJob NightlyJob(AsyncServiceScope scope) =>
        (SuccessPlans.Features.Flags.NightlyCheckJob)scope.ServiceProvider.GetRequiredKeyedService<SuccessPlans.Features.Jobs.ITenantJob>(SuccessPlans.Features.Jobs.TenantJobCatalog.NightlyCheck.Name);

    /// <summary>
    /// The nightly check of one tenant of a seeded file, twice (the first check, then a night with nothing new), each
    /// phase's wall and CPU time and peak resident set, and the process's peak (runtime, migrations check and check).
    /// </summary>
    private static async Task<int> NightlyCheckAsync(string dbFile)
    {
        await using var services = await AppOnAsync(dbFile);
        int tenantId;
        await using (var scope = services.CreateAsyncScope())
            tenantId = await scope.ServiceProvider.GetRequiredService<AppDbContext>().Tenants.Where(t => t.Slug == "bench").Select(t => t.Id).SingleAsync();
        // The app runs the nightly check in a process that has run it before (every tenant's, every night): the runtime's
        // JIT and EF's compiled queries and save pipeline are warm when a tenant's first check starts. A fresh process pays
        // them once (0.19 s for EF's first save alone): the file's small warm-up tenant is checked first, untimed. A file
        // without it (nightly-check --db on a seeded file) measures the check in a fresh process.
        int? warmUp;
        await using (var scope = services.CreateAsyncScope())
            warmUp = await scope.ServiceProvider.GetRequiredService<AppDbContext>().Tenants.Where(t => t.Slug == WarmUpSlug).Select(t => (int?)t.Id).SingleOrDefaultAsync();
        if (warmUp is { } warm)
        {
            await using var scope = services.CreateTenantScopeFor(warm);
            var clock = Stopwatch.StartNew();
            var summary = await NightlyJob(scope).RunAsync(CancellationToken.None);
            Console.WriteLine($"  warm-up: the file's 450-student tenant checked first in this process ({clock.Elapsed.TotalSeconds:0.00} s, the first check in the process: {summary})");
        }
        else Console.WriteLine("  no warm-up tenant in the file: the first check below runs in a fresh process");
        SuccessPlans.Features.Flags.NightlyPhases.MeasurePeakPerPhase = true;
        foreach (var run in new[] { "nightly check", "second run (nothing changes)" })
        {
            var clock = Stopwatch.StartNew();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            await using var scope = services.CreateTenantScopeFor(tenantId);
            var job = NightlyJob(scope);
            var summary = await job.RunAsync(CancellationToken.None);
            Console.WriteLine($"  {run}: {clock.Elapsed.TotalSeconds:0.00} s (CPU {(Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds:0.00} s), peak of its phases {job.Phases.All.Max(p => p.Megabytes):N0} MB ({summary})");
            foreach (var p in job.Phases.All)
                Console.WriteLine($"    {p.Name,-28} {p.Wall.TotalSeconds,7:0.000} s  CPU {p.Cpu.TotalSeconds,7:0.000} s  peak {p.Megabytes,5:N0} MB");
        }
        Console.WriteLine($"  peak working set of the checking process: {PeakMemoryMegabytes()} MB");
        return 0;
    }

    /// <summary>
    /// The cabinet's dashboard over a year of history: 50,000 students give 1,000,000 services delivered, weekly,
    /// all in the last whole school year. Timed as a request runs it (a fresh scope each time), for that school year
    /// and for September to June (periods are whole months: the rollups alone): warm (the same figures asked again) and
    /// cold (the first request after a write that moves the rollups: a delivery counted into them by the app's own
    /// <c>DeliveryRollup.CountAsync</c> and saved, untimed).
    /// </summary>
    /// <param name="seeded">As for the nightly benchmark: a copy of the seeded file kept between runs (seeding 50,000
    /// students takes some 17 minutes on the loaded machine); each run reads a fresh copy of it.</param>
    private static async Task<int> CabinetAsync(string dir, int students, string? seeded)
    {
        await SeededFileAsync(dir, seeded, async services =>
        {
            var (tenant, counts) = await NightlyData.SeedAsync(services, students, weekly: true);
            var (days, absences) = await SeedAttendanceAsync(services, tenant);
            return $"{students:N0} students, {counts.Referrals:N0} referrals, {counts.Deliveries:N0} services delivered, {days:N0} school days, {absences:N0} absences";
        });
        await using var services = await ThrowawayAppAsync(dir);
        int tenantId;
        await using (var scope = services.CreateAsyncScope())
            tenantId = await scope.ServiceProvider.GetRequiredService<AppDbContext>().Tenants.Where(t => t.Slug == "bench").Select(t => t.Id).SingleAsync();
        // The data was seeded relative to the day it was seeded on: the last whole school year of that day.
        int year;
        await using (var scope = services.CreateTenantScopeFor(tenantId))
            year = await scope.ServiceProvider.GetRequiredService<AppDbContext>().DeliveryYears.MaxAsync(d => d.SchoolYear);
        var process = Process.GetCurrentProcess();
        foreach (var (name, period) in new[]
                 {
                     ($"school year {SuccessPlans.Features.Plans.SchoolYears.Label(year)}", SuccessPlans.Features.Cabinet.Period.SchoolYearOf(new DateOnly(year, 8, 1))),
                     ($"September {year} to June {year + 1}", new SuccessPlans.Features.Cabinet.Period(new DateOnly(year, 9, 1), new DateOnly(year + 1, 6, 30))),
                 })
        {
            // Warm; cold after a further service in a month the child was already served in (most deliveries: the outcomes
            // stay as they were); cold after a child's first service in a month (the outcomes are computed again).
            foreach (var (cold, firstInMonth) in new[] { (false, false), (true, false), (true, true) })
            {
                // The writes: referrals of the period's school year served, or not yet, in one of its months (a different
                // referral each time, in the order of their rows).
                var writes = cold ? await RollupWritesAsync(services, tenantId, year, period, firstInMonth, 40) : [];
                var times = new List<double>();
                var cpu = new List<double>();
                var pageTimes = new List<double>();
                var pageCpus = new List<double>();
                SuccessPlans.Features.Cabinet.Dashboard? dashboard = null;
                SuccessPlans.Features.Cabinet.Outcomes? outcomes = null;
                for (var i = 0; i < (cold ? 40 : 60); i++)
                {
                    if (cold)
                    {
                        // A write the dashboard must show: one more service counted into the rollups as a delivery counts it
                        // (in a month the child was served in already, or the child's first service in that month).
                        await using var write = services.CreateTenantScopeFor(tenantId);
                        var wdb = write.ServiceProvider.GetRequiredService<AppDbContext>();
                        var (referralId, on) = writes[i];
                        var referral = await wdb.Referrals.SingleAsync(r => r.Id == referralId);
                        await SuccessPlans.Features.Cabinet.DeliveryRollup.CountAsync(wdb, referral, on, DateTime.UtcNow, default);
                        await wdb.SaveChangesAsync();
                    }
                    // CPU time of the process as well: on the shared 2-core machine wall times swing with the
                    // neighbours' load, the CPU a dashboard costs much less.
                    process.Refresh();
                    var cpu0 = process.TotalProcessorTime;
                    var watch = Stopwatch.StartNew();
                    await using (var scope = services.CreateTenantScopeFor(tenantId))
                        dashboard = await scope.ServiceProvider.GetRequiredService<SuccessPlans.Features.Cabinet.CabinetReport>().BuildAsync(period);
                    var elapsed = watch.Elapsed.TotalMilliseconds;
                    process.Refresh();
                    var reportCpu = (process.TotalProcessorTime - cpu0).TotalMilliseconds;
                    // The page also shows the outcomes (attendance of the children served), a lookup as the figures are:
                    // cold, the write above moved the delivery rollup's version they are kept under too.
                    await using (var scope = services.CreateTenantScopeFor(tenantId))
                        outcomes = await scope.ServiceProvider.GetRequiredService<SuccessPlans.Features.Cabinet.CabinetOutcomes>().BuildAsync(period, period.To.AddDays(1));
                    var page = watch.Elapsed.TotalMilliseconds;
                    process.Refresh();
                    var pageCpu = (process.TotalProcessorTime - cpu0).TotalMilliseconds;
                    if (i >= 10) // the first ten warm the JIT and EF's caches
                    {
                        times.Add(elapsed);
                        cpu.Add(reportCpu);
                        pageTimes.Add(page);
                        pageCpus.Add(pageCpu);
                    }
                    logSql = i == 58 && Environment.GetEnvironmentVariable("BENCHMARK_SQL") == "1";
                }
                times.Sort();
                pageTimes.Sort();
                Console.WriteLine($"  dashboard, {name}, {(!cold ? "warm" : firstInMonth ? "cold (first request after a child's first service in a month)" : "cold (first request after a further service)")} ({dashboard!.Totals.ServicesDelivered.Value:N0} services, {dashboard.Totals.ChildrenServed.Value:N0} children): " +
                                  $"p50 {times[times.Count / 2]:0.0} ms, p95 {times[(int)Math.Ceiling(times.Count * 0.95) - 1]:0.0} ms over {times.Count} runs; " +
                                  $"with the outcomes ({outcomes!.Total.Measured.Value:N0} children measured) p50 {pageTimes[pageTimes.Count / 2]:0.0} ms, p95 {pageTimes[(int)Math.Ceiling(pageTimes.Count * 0.95) - 1]:0.0} ms; " +
                                  $"CPU {cpu.Average():0.0} ms a dashboard, {pageCpus.Average():0.0} ms with the outcomes; load {(File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?")}");
            }
        }
        return 0;
    }

    /// <summary>
    /// Referrals to count a service for, and the day: in a month of the period their row already has a service in, or
    /// (<paramref name="firstInMonth"/>) in the first month of the period it has none in.
    /// </summary>
    private static async Task<List<(int ReferralId, DateOnly On)>> RollupWritesAsync(IServiceProvider services, int tenantId, int year, SuccessPlans.Features.Cabinet.Period period, bool firstInMonth, int count)
    {
        await using var scope = services.CreateTenantScopeFor(tenantId);
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var months = Enumerable.Range(0, 12).Where(i => SuccessPlans.Features.Cabinet.DeliveryYear.MonthAt(year, i) is var m && m >= period.From && m <= period.To).ToList();
        var rows = await db.DeliveryYears.Where(m => m.SchoolYear == year).OrderBy(m => m.Id).Select(m => new { m.ReferralId, m.MonthsServed }).ToListAsync();
        var writes = new List<(int, DateOnly)>();
        foreach (var row in rows)
        {
            var month = months.Cast<int?>().FirstOrDefault(i => ((row.MonthsServed >> i!.Value) & 1) == (firstInMonth ? 0 : 1));
            if (month is { } i) writes.Add((row.ReferralId, SuccessPlans.Features.Cabinet.DeliveryYear.MonthAt(year, i).AddDays(14)));
            if (writes.Count == count) return writes;
        }
        throw new InvalidOperationException($"The seeded tenant has fewer than {count} referrals to count a service for.");
    }

    /// <summary>
    /// A calendar and absences for the cabinet's outcomes, which compare each served child's attendance before and after
    /// the first month of service: every weekday from July before the seeded school year to its end is a school day of
    /// every school, and each child misses a share of them that differs between the halves of the year (deterministic,
    /// from the child's id: some improve, some stay, some worsen). Written by EF in chunks, as the rollup's rebuild does.
    /// </summary>
    private static async Task<(int Days, int Absences)> SeedAttendanceAsync(IServiceProvider services, int tenantId)
    {
        await using var scope = services.CreateTenantScopeFor(tenantId);
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var year = await db.DeliveryYears.MaxAsync(d => d.SchoolYear);
        var weekdays = new List<DateOnly>();
        for (var d = new DateOnly(year, 7, 1); d <= new DateOnly(year + 1, 7, 31); d = d.AddDays(1))
            if (d.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday)) weekdays.Add(d);
        var schools = await db.Schools.Select(s => s.Id).ToListAsync();
        var students = await db.Students.Select(s => new { s.Id, s.SchoolId }).ToListAsync();
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        db.SchoolDays.AddRange(schools.SelectMany(s => weekdays.Select(d => new SuccessPlans.Features.Indicators.SchoolDay { SchoolId = s, Date = d })));
        await db.SaveChangesAsync();
        db.ChangeTracker.Clear();
        int[] rates = [1, 6, 12, 25]; // percent: satisfactory, at risk, chronic, severe under the default bands
        var absences = 0;
        var pending = new List<SuccessPlans.Features.Indicators.AttendanceEvent>();
        foreach (var s in students)
        {
            var (early, late) = (rates[s.Id % 4], rates[s.Id / 4 % 4]);
            foreach (var d in weekdays)
            {
                var rate = d < new DateOnly(year, 12, 1) ? early : late;
                if (unchecked((uint)(s.Id * 73856093 ^ d.DayNumber * 19349663)) % 100 >= rate) continue; // not HashCode: seeded per process
                pending.Add(new SuccessPlans.Features.Indicators.AttendanceEvent
                {
                    SourceId = $"bench-{s.Id}-{d.DayNumber}", StudentId = s.Id, SchoolId = s.SchoolId, Date = d,
                    Category = SuccessPlans.Features.Indicators.AttendanceCategory.UnexcusedAbsence,
                });
            }
            if (pending.Count >= 20_000)
            {
                absences += pending.Count;
                db.AttendanceEvents.AddRange(pending);
                await db.SaveChangesAsync();
                db.ChangeTracker.Clear();
                pending.Clear();
            }
        }
        absences += pending.Count;
        db.AttendanceEvents.AddRange(pending);
        await db.SaveChangesAsync();
        return (schools.Count * weekdays.Count, absences);
    }

    /// <summary>
    /// The yardstick of issue 15: a bare ASP.NET Core app over the same SQLite file, one endpoint, no auth, no tenancy,
    /// no layout, that runs one EF Core AsNoTracking query of 25 students (Where/OrderBy/Take) and writes them as HTML.
    /// It lives only in the benchmark command, never as a route of the real app.
    /// </summary>
    private static async Task<int> MinimalPageAsync(string[] args)
    {
        var db = StringOption(args, "--db") ?? throw new ArgumentException("benchmark minimal needs --db FILE");
        var urls = StringOption(args, "--urls") ?? "http://127.0.0.1:5091";
        // SQLite in the same mode as the app's process (SqliteProcessSettings), so that the ratio measures the app, not the library's mode.
        SuccessPlans.Data.SqliteProcessSettings.EnsureApplied();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(urls);
        builder.Services.AddDbContext<MinimalDb>(o => o.UseSqlite($"Data Source={Path.GetFullPath(db)}"));
        var app = builder.Build();
        int tenantId;
        using (var scope = app.Services.CreateScope())
            tenantId = await MinimalTenantAsync(scope.ServiceProvider.GetRequiredService<MinimalDb>(), CancellationToken.None);
        app.MapGet("/", async (MinimalDb context, HttpContext http, CancellationToken ct) =>
        {
            http.Response.ContentType = "text/html; charset=utf-8";
            await http.Response.WriteAsync(await MinimalPageHtmlAsync(context, tenantId, ct), ct);
        });
        await app.RunAsync();
        return 0;
    }

    /// <summary>The community whose students the minimal page lists: the first one (the demo's, in the benchmark's database).</summary>
    internal static async Task<int> MinimalTenantAsync(MinimalDb context, CancellationToken ct) =>
        await context.Students.MinAsync(s => (int?)s.TenantId, ct) ?? throw new ArgumentException("benchmark minimal needs a database with students");

    /// <summary>
    /// The minimal page: the first 25 active students of a community by name, as a plain table. The query is the kind a
    /// page of the app runs, on the index the app keeps for it (the tenant, then the names), so the yardstick is a page
    /// done well; until 2026-12-07 it compared the status with a number while the app stores its name, found no row and
    /// read the whole table for it (0.6 ms of SQL a request at 11,200 students).
    /// </summary>
    internal static async Task<string> MinimalPageHtmlAsync(MinimalDb context, int tenantId, CancellationToken ct)
    {
        var rows = await context.Students.AsNoTracking()
            .Where(s => s.TenantId == tenantId && s.Status == "Active" && s.Grade != null)
            .OrderBy(s => s.FamilyName).ThenBy(s => s.GivenName)
            .Take(25)
            .Select(s => new { s.Id, s.FamilyName, s.GivenName, s.Grade })
            .ToListAsync(ct);
        var html = new System.Text.StringBuilder("<!DOCTYPE html><html><head><title>Minimal</title></head><body><table>");
        foreach (var r in rows)
            html.Append("<tr><td>").Append(r.Id).Append("</td><td>").Append(System.Net.WebUtility.HtmlEncode(r.FamilyName))
                .Append("</td><td>").Append(System.Net.WebUtility.HtmlEncode(r.GivenName)).Append("</td><td>")
                .Append(System.Net.WebUtility.HtmlEncode(r.Grade)).Append("</td></tr>");
        return html.Append("</table></body></html>").ToString();
    }

    /// <summary>The minimal page's own tiny model: the table it reads, nothing of the app's (filters, interceptors).</summary>
    internal sealed class MinimalDb(DbContextOptions<MinimalDb> options) : DbContext(options)
    {
        public DbSet<MinimalStudent> Students => Set<MinimalStudent>();
    }

    internal sealed class MinimalStudent
    {
        public int Id { get; set; }
        public int TenantId { get; set; }
        public required string FamilyName { get; set; }
        public required string GivenName { get; set; }
        public string? Grade { get; set; }
        /// <summary>The status as the app stores it: its name (AppDbContext stores every enum as its name).</summary>
        public required string Status { get; set; }
    }

    private static string? StringOption(string[] args, string name) =>
        Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;

    /// <summary>Linux: writing 5 to clear_refs resets the peak resident set (VmHWM), so the check's own peak can be read.</summary>
    internal static void ResetPeakMemory()
    {
        try { File.WriteAllText("/proc/self/clear_refs", "5"); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    internal static string PeakMemoryMegabytes()
    {
        try
        {
            var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            return (long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) / 1024).ToString("N0", System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (IOException) { return (Process.GetCurrentProcess().PeakWorkingSet64 / 1024 / 1024).ToString("N0", System.Globalization.CultureInfo.InvariantCulture); }
    }

    private static bool logSql;

    /// <summary>The core services on a fresh SQLite file in the given folder.</summary>
    internal static Task<ServiceProvider> ThrowawayAppAsync(string dir) => AppOnAsync(Path.Combine(dir, "bench.db"));

    /// <summary>The core services on the given SQLite file, migrated.</summary>
    internal static async Task<ServiceProvider> AppOnAsync(string dbFile, Action<IServiceCollection>? more = null)
    {
        var dir = Path.GetDirectoryName(dbFile)!;
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = "Sqlite",
            ["ConnectionStrings:Sqlite"] = $"Data Source={dbFile}",
            // Database__SqliteCacheKiB=65536 measures a benchmark with another SQLite page cache (infra/RUNBOOK.md, "Memory").
            ["Database:SqliteCacheKiB"] = Environment.GetEnvironmentVariable("Database__SqliteCacheKiB"),
        }).Build();
        var services = new ServiceCollection();
        // BENCHMARK_SQL=1 prints every SQL command with its time, to see where a figure comes from.
        // The app's own rules after it, as in Production: EF Core's query warnings are off there (their messages can quote
        // values), among them the one about the cabinet's deliberately unordered Take (CabinetReport.ChildrenQuery says why).
        services.AddLogging(b =>
        {
            b.AddSimpleConsole().AddFilter((category, level) =>
                level >= LogLevel.Warning || (logSql && category == "Microsoft.EntityFrameworkCore.Database.Command" && level == LogLevel.Information));
            ObservabilityHosting.KeepChildrenOutOfTheLog(b);
        });
        services.AddSingleton<IConfiguration>(config);
        var settings = services.AddSuccessPlansCore(config, dir);
        more?.Invoke(services);
        var provider = services.BuildServiceProvider();
        await DatabaseStartup.PrepareAsync(provider, settings);
        return provider;
    }

    internal static AsyncServiceScope CreateTenantScopeFor(this IServiceProvider services, int tenantId) =>
        services.GetRequiredService<IServiceScopeFactory>().CreateTenantScope(tenantId);

    private static int Option(string[] args, string name, int fallback) =>
        Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], out var v) && v > 0 ? v : fallback;
}
