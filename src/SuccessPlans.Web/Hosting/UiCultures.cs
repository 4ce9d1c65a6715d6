using System.Globalization;
using Microsoft.AspNetCore.Localization;

namespace SuccessPlans.Web.Hosting;

/// <summary>
/// The languages the UI is written in. English is the source text; Spanish is complete (a test holds every view's
/// es.resx to every L["…"] key and every literal text of the compiled views). US cultures: dates and decimal points
/// as the communities we serve write them (es-US uses a decimal point, like en-US).
/// </summary>
public static class UiCultures
{
    public static readonly CultureInfo English = CultureInfo.GetCultureInfo("en-US");
    public static readonly CultureInfo Spanish = CultureInfo.GetCultureInfo("es-US");
    public static readonly IReadOnlyList<CultureInfo> Supported = [English, Spanish];

    public static RequestLocalizationOptions Options() => new()
    {
        DefaultRequestCulture = new RequestCulture(English),
        SupportedCultures = [.. Supported],
        SupportedUICultures = [.. Supported],
        // Parent cultures let "es", "es-MX" or "es-419" from a browser land on es-US.
        FallBackToParentCultures = true,
        FallBackToParentUICultures = true,
        // The user's own choice (cookie) first, then the browser's language.
        RequestCultureProviders = [new CookieRequestCultureProvider(), new AcceptLanguageHeaderRequestCultureProvider()],
    };
}
