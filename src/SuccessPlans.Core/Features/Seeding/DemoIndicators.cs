using System.Globalization;
using System.Text;

namespace SuccessPlans.Features.Seeding;

/// <summary>
/// The demo's school year so far as a district would export it: a calendar per school, attendance events, incidents and
/// the first quarter's marks, in the CSV the indicator import reads (docs/indicators.md). Generated for the current date
/// (so the year is always "so far") and deterministic for a given date; most children attend well, a few are chronically
/// or severely absent, and some slipped in the last weeks, so the caseload shows every band and the nightly check flags some.
/// </summary>
public static class DemoIndicators
{
    public sealed record Child(string SourcedId, string SchoolSourcedId);

    private static readonly string[] Courses = ["Mathematics", "Reading", "Science", "Social Studies"];

    public static Dictionary<string, string> Files(IReadOnlyList<Child> children, DateOnly today, int seed = 2026)
    {
        var random = new Random(seed);
        var year = SuccessPlans.Features.Plans.SchoolYears.For(today);
        var first = new DateOnly(year, 8, 26);
        // Up to yesterday: today's attendance is not taken yet.
        var days = new List<DateOnly>();
        for (var d = first; d < today; d = d.AddDays(1))
            if (IsSchoolDay(d)) days.Add(d);
        var inv = CultureInfo.InvariantCulture;

        var calendar = new StringBuilder("schoolId,date,calendarEventDescriptor\n");
        foreach (var school in children.Select(c => c.SchoolSourcedId).Distinct(StringComparer.OrdinalIgnoreCase).Order())
            foreach (var d in days)
                calendar.Append(inv, $"{school},{d:yyyy-MM-dd},Instructional day\n");

        var attendance = new StringBuilder("sourceId,studentUniqueId,schoolId,eventDate,attendanceEventCategoryDescriptor\n");
        var incidents = new StringBuilder("incidentIdentifier,schoolId,studentUniqueId,incidentDate,behaviorDescriptor,severity\n");
        var results = new StringBuilder("sourcedId,status,dateLastModified,lineItemSourcedId,studentSourcedId,scoreStatus,score,textScore,scoreDate,comment\n");
        var quarterEnd = new DateOnly(year, 10, 31);
        var marks = today > quarterEnd;
        var slipFrom = today.AddDays(-30);
        var n = 0;
        foreach (var child in children)
        {
            // Most children attend well (2 % of days missed); 15 % are at risk, 7 % chronically and 3 % severely absent.
            var roll = random.NextDouble();
            var rate = roll < 0.75 ? 0.02 : roll < 0.90 ? 0.07 : roll < 0.97 ? 0.14 : 0.27;
            // One in twenty slips in the last 30 days.
            var slips = random.NextDouble() < 0.05;
            foreach (var d in days)
            {
                var p = slips && d >= slipFrom ? Math.Max(rate * 4, 0.3) : rate;
                var r = random.NextDouble();
                if (r < p)
                    attendance.Append(inv, $"att-{++n},{child.SourcedId},{child.SchoolSourcedId},{d:yyyy-MM-dd},{(r < p / 2 ? "Excused Absence" : "Unexcused Absence")}\n");
                else if (r < p * 1.5)
                    attendance.Append(inv, $"att-{++n},{child.SourcedId},{child.SchoolSourcedId},{d:yyyy-MM-dd},Tardy\n");
            }
            var incidentCount = rate >= 0.14 ? random.Next(0, 4) : random.NextDouble() < 0.06 ? 1 : 0;
            for (var i = 0; i < incidentCount && days.Count > 0; i++)
                incidents.Append(inv, $"inc-{++n},{child.SchoolSourcedId},{child.SourcedId},{days[random.Next(days.Count)]:yyyy-MM-dd},{(i % 2 == 0 ? "Disruption" : "Fighting")},{(i % 2 == 0 ? "minor" : "major")}\n");
            if (marks)
                foreach (var course in Courses)
                {
                    var score = Math.Clamp((int)Math.Round(88 - rate * 120 + (random.NextDouble() - 0.5) * 30), 20, 100);
                    results.Append(inv, $"res-{++n},active,,q1-{course.Replace(' ', '-').ToLowerInvariant()},{child.SourcedId},fully graded,{score},,{quarterEnd:yyyy-MM-dd},\n");
                }
        }

        var files = new Dictionary<string, string>
        {
            ["calendarDates.csv"] = calendar.ToString(), ["attendance.csv"] = attendance.ToString(), ["incidents.csv"] = incidents.ToString(),
        };
        if (marks)
        {
            files["academicSessions.csv"] = "sourcedId,status,dateLastModified,title,type,startDate,endDate,parentSourcedId,schoolYear\n" +
                                            string.Create(inv, $"q1,active,,Quarter 1,gradingPeriod,{first:yyyy-MM-dd},{quarterEnd:yyyy-MM-dd},,{year + 1}\n");
            files["lineItems.csv"] = "sourcedId,status,dateLastModified,title,description,assignDate,dueDate,classSourcedId,categorySourcedId,gradingPeriodSourcedId,resultValueMin,resultValueMax\n" +
                                     string.Concat(Courses.Select(c => $"q1-{c.Replace(' ', '-').ToLowerInvariant()},active,,{c} (Quarter 1),,,,,final,q1,0,100\n"));
            files["results.csv"] = results.ToString();
        }
        return files;
    }

    /// <summary>Weekdays, less Labor Day, Thanksgiving and the winter break.</summary>
    private static bool IsSchoolDay(DateOnly d)
    {
        if (d.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday) return false;
        if (d.Month == 9 && d.DayOfWeek == DayOfWeek.Monday && d.Day <= 7) return false;
        if (d.Month == 11 && d.DayOfWeek is DayOfWeek.Thursday or DayOfWeek.Friday && d.Day is >= 22 and <= 29) return false;
        if ((d.Month == 12 && d.Day >= 22) || (d.Month == 1 && d.Day <= 2)) return false;
        return true;
    }
}
