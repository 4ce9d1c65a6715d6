using System.Globalization;

namespace SuccessPlans;

/// <summary>
/// The languages the product writes in, for screens, emails and files for people: the one list, and the one map from a
/// language code or tag ("es", "es-MX", "en-GB") to its culture. US cultures: dates and decimal points as the communities
/// we serve write them (es-US uses a decimal point, like en-US). The Web's UiCultures builds the request's culture on it.
/// </summary>
public static class Languages
{
    public static readonly CultureInfo English = CultureInfo.GetCultureInfo("en-US");
    public static readonly CultureInfo Spanish = CultureInfo.GetCultureInfo("es-US");
    public static readonly IReadOnlyList<CultureInfo> Supported = [English, Spanish];

    /// <summary>The choices a user can store: the language code and the language's own name.</summary>
    public static readonly IReadOnlyList<(string Code, string Name)> Choices = [("en", "English"), ("es", "Español")];

    /// <summary>
    /// The supported culture for a language code or tag, by its primary language; null when none. Parent-culture fallback
    /// alone never reaches es-US from es-MX.
    /// </summary>
    public static CultureInfo? For(string? tag)
    {
        // A supported culture's own name (every request's, most stored choices) is found without splitting it: a page
        // writes a date per row (issue 15).
        if (tag == English.Name) return English;
        if (tag == Spanish.Name) return Spanish;
        var primary = tag?.Trim().Split('-', '_')[0];
        return primary is { Length: > 0 } ? Supported.FirstOrDefault(c => c.TwoLetterISOLanguageName.Equals(primary, StringComparison.OrdinalIgnoreCase)) : null;
    }

    /// <summary>The culture to write in for a stored choice: English when there is none or it is not supported.</summary>
    public static CultureInfo CultureFor(string? language) => For(language) ?? English;

    /// <summary>
    /// The supported culture of the thread's UI language: what a request set, else English. Never the server's own
    /// culture, so a job or a test on a de-DE machine still writes "February", not "Februar".
    /// </summary>
    public static CultureInfo Current => CultureFor(CultureInfo.CurrentUICulture.Name);

    /// <summary>Writes in the language until disposed (then the caller's culture is back).</summary>
    public static Scope Use(string? language) => new(CultureFor(language));

    public readonly struct Scope : IDisposable
    {
        private readonly CultureInfo _culture, _uiCulture;

        internal Scope(CultureInfo culture)
        {
            (_culture, _uiCulture) = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
            (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture) = (culture, culture);
        }

        public void Dispose() => (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture) = (_culture, _uiCulture);
    }
}
