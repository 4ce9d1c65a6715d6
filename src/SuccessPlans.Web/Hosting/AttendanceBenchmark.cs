using System.Diagnostics;
using System.Globalization;
using System.Text;
using SuccessPlans.Features.Indicators;
using SuccessPlans.Features.Students;

namespace SuccessPlans.Web.Hosting;

/// <summary>
/// A school year of daily attendance as a district exports it: one row per student and school day, present days
/// included (180 days: 50,000 students give 9,000,000 rows), imported through the indicator import (check, then
/// write), timed, with the peak working set:
///   dotnet run -c Release --project src/SuccessPlans.Web -- benchmark attendance --students 50000
/// </summary>
internal static class AttendanceBenchmark
{
    private const int SchoolDays = 180;
    private const int StudentsPerSchool = 2000;

    public static async Task<int> RunAsync(string dir, int students)
    {
        await using var services = await Benchmarks.ThrowawayAppAsync(dir);
        var clock = Stopwatch.StartNew();
        var tenantId = await SeedAsync(services, students);
        var today = new DateOnly(2026, 6, 30);
        var attendance = Path.Combine(dir, IndicatorImporter.AttendanceFile);
        var (calendar, rows, absences) = Files(students, new DateOnly(2025, 9, 2), attendance);
        Console.WriteLine($"{students:N0} students seeded and {rows:N0} attendance rows ({absences:N0} not present, {new FileInfo(attendance).Length / 1024.0 / 1024.0:N0} MB) written in {clock.Elapsed.TotalSeconds:0} s.");

        // The seeding's pooled connections (each with its own page cache) are closed, so the figure is the import's.
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        GC.Collect();
        Benchmarks.ResetPeakMemory();
        var process = Process.GetCurrentProcess();
        var startMegabytes = process.WorkingSet64 / 1024 / 1024;
        var cpu0 = process.TotalProcessorTime;
        clock.Restart();
        await using (var scope = services.CreateTenantScopeFor(tenantId))
        {
            var importer = scope.ServiceProvider.GetRequiredService<IndicatorImporter>();
            // The attendance file is read from disk as a stream, as a district's year-long export must be.
            var files = new Dictionary<string, Func<TextReader>>
            {
                [IndicatorImporter.CalendarFile] = () => new StringReader(calendar), [IndicatorImporter.AttendanceFile] = () => new StreamReader(attendance, Encoding.UTF8, true, 1 << 16),
            };
            var preview = await importer.PreviewAsync(files);
            var check = clock.Elapsed;
            var checkPeak = Benchmarks.PeakMemoryMegabytes();
            if (!preview.CanImport)
            {
                Console.Error.WriteLine($"The import was refused: {preview.Errors.FirstOrDefault()}");
                return 1;
            }
            var result = await importer.ApplyAsync(preview, today);
            process.Refresh();
            Console.WriteLine($"  import: check {check.TotalSeconds:0.0} s + write {(clock.Elapsed - check).TotalSeconds:0.0} s = {clock.Elapsed.TotalSeconds:0.0} s " +
                              $"(CPU {(process.TotalProcessorTime - cpu0).TotalSeconds:0.0} s), peak working set {Benchmarks.PeakMemoryMegabytes()} MB " +
                              $"(at the start {startMegabytes:N0} MB, during the check {checkPeak} MB; {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")} GC); {rows / clock.Elapsed.TotalSeconds:N0} rows/s");
            Console.WriteLine($"  {result}");
            return preview.Attendance.Add == absences ? 0 : 1;
        }
    }

    private static async Task<int> SeedAsync(IServiceProvider services, int students)
    {
        var (tenantId, schools) = await NightlyData.SeedTenantAsync(services, "Attendance City", "attendance", Schools(students));
        await using var scope = services.CreateTenantScopeFor(tenantId);
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        foreach (var chunk in Enumerable.Range(0, students).Chunk(5000))
        {
            db.Students.AddRange(chunk.Select(i => new Student
            {
                GivenName = $"Given{i}", FamilyName = $"Family{i}", Grade = "05", ExternalId = $"st{i}", SchoolId = schools[i / StudentsPerSchool],
            }));
            await db.SaveChangesAsync();
            db.ChangeTracker.Clear();
        }
        return tenantId;
    }

    private static int Schools(int students) => (students + StudentsPerSchool - 1) / StudentsPerSchool;

    /// <summary>Deterministic: 93 % of rows present, the rest absences and tardies, as a typical district's year.</summary>
    private static (string Calendar, long Rows, int NotPresent) Files(int students, DateOnly first, string attendancePath)
    {
        var inv = CultureInfo.InvariantCulture;
        var days = new List<DateOnly>();
        for (var d = first; days.Count < SchoolDays; d = d.AddDays(1))
            if (d.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday)) days.Add(d);
        var calendar = new StringBuilder("schoolId,date,calendarEventDescriptor\n");
        for (var s = 1; s <= Schools(students); s++)
            foreach (var d in days)
                calendar.Append(inv, $"s{s},{d:yyyy-MM-dd},Instructional day\n");
        var random = new Random(9);
        using var attendance = new StreamWriter(attendancePath, false, new UTF8Encoding(false), 1 << 16);
        attendance.Write("sourceId,studentUniqueId,schoolId,eventDate,attendanceEventCategoryDescriptor\n");
        long rows = 0;
        var notPresent = 0;
        for (var i = 0; i < students; i++)
            foreach (var d in days)
            {
                var r = random.NextDouble();
                var category = r < 0.93 ? "In Attendance" : r < 0.96 ? "Excused Absence" : r < 0.99 ? "Unexcused Absence" : "Tardy";
                if (r >= 0.93) notPresent++;
                attendance.Write(string.Create(inv, $"a{i}-{d:yyyyMMdd},st{i},s{i / StudentsPerSchool + 1},{d:yyyy-MM-dd},{category}\n"));
                rows++;
            }
        return (calendar.ToString(), rows, notPresent);
    }
}
