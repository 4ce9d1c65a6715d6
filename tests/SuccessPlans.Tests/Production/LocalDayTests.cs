using System.Net;
using Microsoft.EntityFrameworkCore;
using SuccessPlans.Features.Jobs;
using SuccessPlans.Features.Tenants;
using SuccessPlans.Features.Users;
using SuccessPlans.Tests.Infrastructure;

namespace SuccessPlans.Tests.Production;

/// <summary>
/// A tenant's local day as UTC instants, where daylight saving starts at midnight and 00:00 never happens
/// (America/Santiago, America/Asuncion, Asia/Beirut, America/Havana): the day begins at the end of the gap.
/// </summary>
public class LocalDayTests
{
    public static TheoryData<string, string, int> MidnightGaps => new()
    {
        // zone, a day whose midnight is skipped, the local hour the day starts at
        { "America/Santiago", "2026-09-06", 1 },
        { "America/Asuncion", "2023-10-01", 1 },
        { "Asia/Beirut", "2024-03-31", 1 },
        { "America/Havana", "2024-03-10", 1 },
        { "America/Coyhaique", "2024-09-08", 1 },
    };

    [Theory]
    [MemberData(nameof(MidnightGaps))]
    public void A_day_whose_midnight_is_skipped_starts_at_the_end_of_the_gap(string zoneId, string date, int startHour)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(zoneId);
        var day = DateOnly.Parse(date, System.Globalization.CultureInfo.InvariantCulture);
        // The naive conversion throws here, or (America/Asuncion) answers an instant of the day before.
        var naive = Record.Exception(() => TimeZoneInfo.ConvertTimeToUtc(day.ToDateTime(TimeOnly.MinValue), zone)) is null
            ? LocalDays.Of(TimeZoneInfo.ConvertTimeToUtc(day.ToDateTime(TimeOnly.MinValue), zone), zone) : day.AddDays(-1);
        Assert.Equal(day.AddDays(-1), naive);

        var start = LocalDays.StartUtc(day, zone);
        Assert.Equal(DateTimeKind.Utc, start.Kind);
        Assert.Equal(day.ToDateTime(new TimeOnly(startHour, 0)), TimeZoneInfo.ConvertTimeFromUtc(start, zone));
        Assert.Equal(day.AddDays(-1), LocalDays.Of(start.AddTicks(-1), zone));
    }

    [Fact]
    public void Every_day_of_three_years_starts_on_that_day_in_every_zone()
    {
        var failures = new List<string>();
        foreach (var zone in TimeZoneInfo.GetSystemTimeZones().Where(z => z.Id.Contains('/')))
        {
            for (var day = new DateOnly(2023, 1, 1); day <= new DateOnly(2026, 12, 31); day = day.AddDays(1))
            {
                var start = LocalDays.StartUtc(day, zone);
                // The first instant of the day: on that day, and the instant before it on an earlier one.
                if (LocalDays.Of(start, zone) != day || LocalDays.Of(start.AddTicks(-1), zone) >= day)
                    failures.Add($"{zone.Id} {day:yyyy-MM-dd}");
            }
        }
        Assert.Empty(failures);
    }
}

/// <summary>The nightly check and the cabinet's dashboard of a tenant in America/Santiago, across the night clocks skip midnight.</summary>
public sealed class MidnightGapTenantTests : IAsyncLifetime
{
    // Saturday 12 September 2026, 12:00 in Santiago (UTC-3 since the gap on Sunday 6 September).
    private readonly AppFactory _app = new(new DateTimeOffset(2026, 9, 12, 15, 0, 0, TimeSpan.Zero));
    private int _tenant;

    public async Task InitializeAsync()
    {
        _tenant = (await _app.CreateTenantAsync("santiago", "America/Santiago")).Id;
        await _app.CreateUserAsync(_tenant, "admin@santiago.test", UserRole.Admin);
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task The_nightly_check_runs_when_a_threshold_lands_on_the_skipped_midnight()
    {
        // No response after 7 days: "sent before the start of 6 September", the day with no 00:00.
        await _app.Services.GetRequiredService<TenantJobRunner>().RunAsync(TenantJobCatalog.NightlyCheck.Name, _tenant, "test", CancellationToken.None);
        var run = await _app.InTenant(_tenant, (_, db) => db.JobRuns.SingleAsync());
        Assert.True(run.Status == JobRunStatus.Succeeded, run.Error);
    }

    [Fact]
    public async Task The_dashboard_of_the_month_with_the_skipped_midnight_answers()
    {
        // Periods are whole months (docs/cabinet-periods.md): September 2026 holds Santiago's day with no 00:00.
        var admin = await _app.SignedInAsync("admin@santiago.test");
        var response = await admin.GetAsync("/api/v1/cabinet/dashboard?from=2026-09&to=2026-09");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
