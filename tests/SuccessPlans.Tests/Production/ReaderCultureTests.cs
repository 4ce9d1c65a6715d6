using SuccessPlans.Tests.Model;

namespace SuccessPlans.Tests.Production;

/// <summary>
/// Dates, times, months and numbers in the reader's culture (Readable), with ICU behind them: the production image keeps
/// it, or Spanish month names and each culture's time would be lost.
/// </summary>
public class ReaderCultureTests
{
    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");

    [Fact]
    public void A_day_a_time_a_month_and_a_share_read_as_each_language_writes_them()
    {
        var day = new DateOnly(2026, 12, 2);
        var instant = new DateTime(2026, 12, 2, 20, 5, 0, DateTimeKind.Utc);
        using (Languages.Use("en"))
        {
            Assert.Equal("Dec 2, 2026", Readable.Date(day));
            Assert.Matches(@"^Dec 2, 2026, 3:05\sPM EST$", Readable.Time(instant, NewYork));
            Assert.Equal("December 2026", Readable.Month(day));
            Assert.Equal("92.5%", Readable.Percent(0.925, 1));
            Assert.Equal("1,234", Readable.Number(1234m));
        }
        using (Languages.Use("es"))
        {
            Assert.Equal("2 dic 2026", Readable.Date(day));
            Assert.Matches(@"^2 dic 2026, 3:05\sp\.\sm\.\sEST$", Readable.Time(instant, NewYork));
            Assert.Equal("diciembre de 2026", Readable.Month(day));
            Assert.Equal("92.5 %", Readable.Percent(0.925, 1));
        }
        // The machine value inside <time datetime>: the local instant with its offset, the same in every language.
        Assert.Equal("2026-12-02T15:05-05:00", Readable.IsoTime(instant, NewYork));
        Assert.Equal("2026-07-01T16:05-04:00", Readable.IsoTime(new DateTime(2026, 7, 1, 20, 5, 0, DateTimeKind.Utc), NewYork));
    }

    [Fact]
    public void A_day_stored_in_a_text_reads_as_the_reader_writes_it_and_stays_ISO_for_machines()
    {
        var stored = Readable.Stored("2026-11-05");
        Assert.Equal("Nov 5, 2026", string.Format(Languages.English, "{0}", stored));
        Assert.Equal("5 nov 2026", string.Format(Languages.Spanish, "{0}", stored));
        Assert.Equal("2026-11-05", string.Format(System.Globalization.CultureInfo.InvariantCulture, "{0}", stored));
        Assert.Equal("2026-13-05", Readable.Stored("2026-13-05"));
        Assert.Equal("Review was due", Readable.Stored("Review was due"));
    }

    [Fact]
    public void The_production_image_keeps_ICU()
    {
        var root = ModelTests.RepositoryRoot();
        var dockerfile = File.ReadAllText(Path.Combine(root, "infra", "docker", "Dockerfile"));
        Assert.Contains("ENV DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=false", dockerfile);
        Assert.DoesNotMatch("(?i)FROM .*aspnet:.*(alpine|chiseled)", dockerfile);
        Assert.DoesNotContain("InvariantGlobalization", File.ReadAllText(Path.Combine(root, "src", "SuccessPlans.Web", "SuccessPlans.Web.csproj")));
        Assert.DoesNotContain("InvariantGlobalization", File.ReadAllText(Path.Combine(root, "Directory.Build.props")));
    }
}
