namespace SuccessPlans.Features.Tenants;

/// <summary>A tenant's local calendar days as UTC instants, correct in every IANA zone.</summary>
public static class LocalDays
{
    /// <summary>
    /// The first instant of a local day, in UTC. Where daylight saving starts at midnight (America/Santiago,
    /// America/Asuncion, Asia/Beirut, America/Havana ...) 00:00 never happens and the day begins at the end of the gap;
    /// where 00:00 happens twice, the day begins at the first. Only conversions from UTC are trusted here:
    /// TimeZoneInfo.ConvertTimeToUtc throws on a skipped midnight, and for some zones (America/Asuncion) it answers an
    /// instant of the day before.
    /// </summary>
    public static DateTime StartUtc(DateOnly day, TimeZoneInfo zone)
    {
        var midnight = DateTime.SpecifyKind(day.ToDateTime(TimeOnly.MinValue), DateTimeKind.Utc);
        // The offsets in force well before and well after: a transition near midnight lies between them.
        DateTime? first = null;
        foreach (var offset in new[] { zone.GetUtcOffset(midnight.AddHours(-18)), zone.GetUtcOffset(midnight.AddHours(18)) })
        {
            var candidate = midnight - offset;
            if (Of(candidate, zone) == day && (first is null || candidate < first))
                first = candidate;
        }
        // Neither offset reads 00:00 on the day, or the day began inside a gap before it: find where the date turns.
        var end = first ?? midnight.AddHours(18);
        var start = midnight.AddHours(-18);
        if (first is null || Of(end.AddTicks(-1), zone) == day)
        {
            while (end - start > TimeSpan.FromTicks(1))
            {
                var middle = start + (end - start) / 2;
                if (Of(middle, zone) >= day) end = middle; else start = middle;
            }
        }
        return end;
    }

    /// <summary>The local day an instant falls on.</summary>
    public static DateOnly Of(DateTime utc, TimeZoneInfo zone) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(utc, zone));
}
