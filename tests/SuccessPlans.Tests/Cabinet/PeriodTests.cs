using SuccessPlans.Features.Cabinet;
using SuccessPlans.Features.Plans;

namespace SuccessPlans.Tests.Cabinet;

/// <summary>
/// Periods are whole months or a school year, so no two dashboards can be subtracted to single out less than a
/// month of data (docs/cabinet-periods.md).
/// </summary>
public class PeriodTests
{
    private static DateOnly D(string s) => DateOnly.Parse(s, System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void No_two_allowed_periods_differ_by_less_than_a_whole_month()
    {
        // Every range of days that can be asked for over a school year, as the page and the API read them.
        var year = Period.SchoolYearOf(D("2026-11-20"));
        var days = Enumerable.Range(0, year.To.DayNumber - year.From.DayNumber + 1).Select(i => year.From.AddDays(i)).ToList();
        var allowed = new List<Period>();
        foreach (var from in days)
            foreach (var to in days.Where(t => t >= from))
            {
                try { allowed.Add(Period.Parse(from.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), to.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), D("2026-11-20"))); }
                catch (ValidationFailedException) { }
            }
        // Exactly the runs of whole months: 12 + 11 + ... + 1 of them, the school year one of them.
        Assert.Equal(78, allowed.Count);
        Assert.Contains(year, allowed);

        static HashSet<DateOnly> Days(Period p) => Enumerable.Range(0, p.To.DayNumber - p.From.DayNumber + 1).Select(i => p.From.AddDays(i)).ToHashSet();
        foreach (var a in allowed)
            foreach (var b in allowed.Where(b => b != a))
            {
                var difference = Days(a);
                difference.SymmetricExceptWith(Days(b));
                // Whatever one dashboard shows that the other does not is whole months, never a day or a week.
                Assert.True(difference.Count >= 28, $"{a.Label} and {b.Label}");
                Assert.All(difference.GroupBy(d => (d.Year, d.Month)), m => Assert.Equal(DateTime.DaysInMonth(m.Key.Year, m.Key.Month), m.Count()));
            }
    }

    [Fact]
    public void Months_and_dates_that_start_and_end_months_read_the_same()
    {
        var today = D("2026-11-20");
        Assert.Equal(new Period(D("2026-09-01"), D("2026-11-30")), Period.Parse("2026-09", "2026-11", today));
        Assert.Equal(new Period(D("2026-09-01"), D("2026-11-30")), Period.Parse("2026-09-01", "2026-11-30", today));
        Assert.Equal(new Period(D("2027-02-01"), D("2027-02-28")), Period.Parse("2027-02", "2027-02", today));
        Assert.Equal(Period.SchoolYearOf(today), Period.Parse(null, " ", today));
        Assert.Equal("school year 2026–27", Period.Parse("2026-08", "2027-07", today).Label);
        Assert.Equal("February 2027", Period.Parse("2027-02", "2027-02", today).Label);
        Assert.Equal("September 2026 to November 2026", Period.Parse("2026-09", "2026-11", today).Label);
        using (Languages.Use("es"))
        {
            // The months as a Spanish reader writes them (Readable.Month), not "septiembre 2026".
            Assert.Equal("febrero de 2027", Period.Parse("2027-02", "2027-02", today).Label);
            Assert.Equal("septiembre de 2026 a noviembre de 2026", Period.Parse("2026-09", "2026-11", today).Label);
        }

        Assert.Contains("from", Assert.Throws<ValidationFailedException>(() => Period.Parse("2026-09-15", "2026-11", today)).Errors.Keys);
        Assert.Contains("to", Assert.Throws<ValidationFailedException>(() => Period.Parse("2026-09", "2026-11-29", today)).Errors.Keys);
        Assert.Contains("to", Assert.Throws<ValidationFailedException>(() => Period.Parse("2026-09", "2026-08", today)).Errors.Keys);
        Assert.Contains("to", Assert.Throws<ValidationFailedException>(() => Period.Parse("2026-08", "2036-08", today)).Errors.Keys);
        Assert.Equal(120, Period.Parse("2026-08", "2036-07", today).Months().Count());
        Assert.Equal(["from", "to"], Assert.Throws<ValidationFailedException>(() => Period.Parse("autumn", "31/10/2026", today)).Errors.Keys.Order());
    }
}
