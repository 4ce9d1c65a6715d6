using System.Globalization;
using SuccessPlans.Features.Tenants;

namespace SuccessPlans;

/// <summary>
/// The one way a date, a time, a month or a number is written for a person: in the reader's culture (the request's on
/// pages, the recipient's in emails: <see cref="Languages.Current"/>), a readable medium date ("Dec 2, 2026",
/// "2 dic 2026"), times in the tenant's zone with the zone shown ("Dec 2, 2026, 3:05 PM EST"). Machine formats (CSV,
/// JSON, the API, form values, file names, logs) stay ISO and invariant and never come through here.
/// </summary>
public static class Readable
{
    /// <summary>The ISO day a machine reads ("2026-12-02"): a <c>&lt;time datetime&gt;</c>'s value.</summary>
    public static string Iso(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>"Dec 2, 2026" / "2 dic 2026": .NET has no medium date pattern, so each language names its own.</summary>
    public static string Date(DateOnly day, CultureInfo? culture = null)
    {
        var c = culture ?? Languages.Current;
        return day.ToString(c.TwoLetterISOLanguageName == "en" ? "MMM d, yyyy" : "d MMM yyyy", c);
    }

    public static string Date(DateOnly? day) => day is { } d ? Date(d) : "";

    /// <summary>The local day of an instant in the zone, as <see cref="Date(DateOnly, CultureInfo?)"/> writes it.</summary>
    public static DateOnly Day(DateTime utc, TimeZoneInfo zone) => DateOnly.FromDateTime(Local(utc, zone));

    /// <summary>"Dec 2, 2026, 3:05 PM EST" / "2 dic 2026, 3:05 p. m. EST": the local date and time, then the zone.</summary>
    public static string Time(DateTime utc, TimeZoneInfo zone)
    {
        var c = Languages.Current;
        var local = Local(utc, zone);
        return $"{Date(DateOnly.FromDateTime(local), c)}, {local.ToString(c.DateTimeFormat.ShortTimePattern, c)} {LocalTimes.Zone(utc, zone)}";
    }

    /// <summary>The local instant with its offset ("2026-12-02T15:05-05:00"): a <c>&lt;time datetime&gt;</c>'s value.</summary>
    public static string IsoTime(DateTime utc, TimeZoneInfo zone)
    {
        var offset = zone.GetUtcOffset(DateTime.SpecifyKind(utc, DateTimeKind.Utc));
        return new DateTimeOffset(Local(utc, zone), offset).ToString("yyyy-MM-dd'T'HH:mmzzz", CultureInfo.InvariantCulture);
    }

    /// <summary>"December 2026" / "diciembre de 2026": the culture's year-month pattern.</summary>
    public static string Month(DateOnly month) => month.ToString(Languages.Current.DateTimeFormat.YearMonthPattern, Languages.Current);

    /// <summary>"1,234" / "12.5": the culture's digit grouping and decimal separator.</summary>
    public static string Number(decimal value, int decimals = 0) => value.ToString("N" + decimals.ToString(CultureInfo.InvariantCulture), Languages.Current);

    /// <summary>A share of one (0.925) as the culture writes a percentage: "92.5%" / "92.5 %".</summary>
    public static string Percent(double share, int decimals = 0) => share.ToString("P" + decimals.ToString(CultureInfo.InvariantCulture), Languages.Current);

    /// <summary>
    /// A day stored inside an English text ("2026-11-05" in a history entry, a flag's summary): a value that writes
    /// itself readably in the culture it is formatted with, and as stored (ISO) with the invariant culture, so a stored
    /// text compared in English stays the same. Any other text comes back as it is.
    /// </summary>
    public static object Stored(string text) =>
        text.Length == 10 && DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) ? new StoredDay(day) : text;

    /// <summary>
    /// A day inside a message a use case gives (<see cref="CoreMessage"/>): written as <see cref="Date(DateOnly, CultureInfo?)"/>
    /// in the reader's culture when the message is shown, ISO in the invariant culture the message is compared in.
    /// </summary>
    public static IFormattable InMessage(DateOnly day) => new StoredDay(day);

    private static DateTime Local(DateTime utc, TimeZoneInfo zone) => TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), zone);

    private sealed record StoredDay(DateOnly Day) : IFormattable
    {
        public string ToString(string? format, IFormatProvider? formatProvider) =>
            formatProvider is CultureInfo c && !Equals(c, CultureInfo.InvariantCulture) ? Date(Day, Languages.CultureFor(c.Name)) : Iso(Day);

        public override string ToString() => ToString(null, CultureInfo.CurrentCulture);
    }
}
