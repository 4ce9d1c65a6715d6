using System.Globalization;

namespace SuccessPlans.Features.Tenants;

/// <summary>
/// The zone an instant is shown in, named as the tenant's people name it ("EST", "EDT"): <see cref="Readable.Time"/>
/// writes their local date and time with it, so a history, a job run and an email never disagree by the server's UTC.
/// </summary>
public static class LocalTimes
{
    // tzdata's abbreviations for the zones US partnerships use; the runtime does not give them (nor under invariant
    // globalization any names), so elsewhere the offset is shown.
    private static readonly Dictionary<string, (string Standard, string Daylight)> Abbreviations = new(StringComparer.Ordinal)
    {
        ["America/New_York"] = ("EST", "EDT"), ["America/Detroit"] = ("EST", "EDT"), ["America/Indiana/Indianapolis"] = ("EST", "EDT"),
        ["America/Chicago"] = ("CST", "CDT"), ["America/Denver"] = ("MST", "MDT"), ["America/Phoenix"] = ("MST", "MST"),
        ["America/Los_Angeles"] = ("PST", "PDT"), ["America/Anchorage"] = ("AKST", "AKDT"), ["Pacific/Honolulu"] = ("HST", "HST"),
        ["America/Puerto_Rico"] = ("AST", "AST"), ["Etc/UTC"] = ("UTC", "UTC"), ["UTC"] = ("UTC", "UTC"),
    };

    /// <summary>The zone's abbreviation at that instant ("EDT" in summer), else its offset ("UTC+01:00").</summary>
    public static string Zone(DateTime utc, TimeZoneInfo zone)
    {
        var daylight = zone.IsDaylightSavingTime(DateTime.SpecifyKind(utc, DateTimeKind.Utc));
        if (Abbreviations.TryGetValue(zone.Id, out var names)) return daylight ? names.Daylight : names.Standard;
        var offset = zone.GetUtcOffset(DateTime.SpecifyKind(utc, DateTimeKind.Utc));
        return offset == TimeSpan.Zero ? "UTC" : "UTC" + (offset < TimeSpan.Zero ? "−" : "+") + offset.Duration().ToString(@"hh\:mm", CultureInfo.InvariantCulture);
    }
}
