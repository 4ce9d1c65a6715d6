using System.Globalization;
using System.Security.Claims;
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

    /// <summary>The claim that carries the user's own choice ("en", "es"); absent when they follow the browser.</summary>
    public const string LanguageClaim = "successplans:lang";

    /// <summary>The choices a user can store: the language code and the language's own name.</summary>
    public static readonly IReadOnlyList<(string Code, string Name)> Choices = [("en", "English"), ("es", "Español")];

    /// <summary>
    /// The supported culture for a language tag ("es", "es-MX", "es-419", "en-GB"), by its primary language; null when
    /// none. Parent-culture fallback alone never reaches es-US from es-MX.
    /// </summary>
    public static CultureInfo? For(string? tag)
    {
        var primary = tag?.Trim().Split('-', '_')[0];
        return primary is { Length: > 0 } ? Supported.FirstOrDefault(c => c.TwoLetterISOLanguageName.Equals(primary, StringComparison.OrdinalIgnoreCase)) : null;
    }

    /// <summary>A stored choice, kept only when it names a supported language.</summary>
    public static string? Normalize(string? code) => For(code)?.TwoLetterISOLanguageName;

    public static RequestLocalizationOptions Options() => new()
    {
        DefaultRequestCulture = new RequestCulture(English),
        SupportedCultures = [.. Supported],
        SupportedUICultures = [.. Supported],
        FallBackToParentCultures = false,
        FallBackToParentUICultures = false,
        // English for the API; for pages the signed-in user's choice (a claim: no database read), then the culture cookie (written at sign-in and by the
        // footer's switch), then the browser's language.
        RequestCultureProviders = [new ApiProvider(), new UserLanguageProvider(), new CookieProvider(), new BrowserLanguageProvider()],
    };

    /// <summary>The API speaks English to every client: its clients are programs (labels, period names, CSV headers).</summary>
    private sealed class ApiProvider : RequestCultureProvider
    {
        public override Task<ProviderCultureResult?> DetermineProviderCultureResult(HttpContext httpContext) =>
            Task.FromResult(httpContext.Request.Path.StartsWithSegments("/api") ? Result(English) : null);
    }

    private static ProviderCultureResult Result(CultureInfo c) => new(c.Name, c.Name);

    private sealed class UserLanguageProvider : RequestCultureProvider
    {
        public override Task<ProviderCultureResult?> DetermineProviderCultureResult(HttpContext httpContext) =>
            Task.FromResult(For(httpContext.User.FindFirstValue(LanguageClaim)) is { } c ? Result(c) : null);
    }

    private sealed class CookieProvider : RequestCultureProvider
    {
        public override Task<ProviderCultureResult?> DetermineProviderCultureResult(HttpContext httpContext)
        {
            var value = httpContext.Request.Cookies[CookieRequestCultureProvider.DefaultCookieName];
            var parsed = value is null ? null : CookieRequestCultureProvider.ParseCookieValue(value);
            var culture = parsed?.UICultures.Select(u => For(u.Value)).FirstOrDefault(c => c is not null);
            return Task.FromResult(culture is null ? null : Result(culture));
        }
    }

    /// <summary>Accept-Language in the browser's order of preference, each tag mapped by its primary language.</summary>
    private sealed class BrowserLanguageProvider : RequestCultureProvider
    {
        public override Task<ProviderCultureResult?> DetermineProviderCultureResult(HttpContext httpContext)
        {
            var header = httpContext.Request.GetTypedHeaders().AcceptLanguage;
            var culture = (header ?? []).Where(h => (h.Quality ?? 1) > 0).OrderByDescending(h => h.Quality ?? 1)
                .Select(h => For(h.Value.Value)).FirstOrDefault(c => c is not null);
            return Task.FromResult(culture is null ? null : Result(culture));
        }
    }

    /// <summary>The cookie that keeps a language for anonymous pages and across sign-outs, for a year.</summary>
    public static void Remember(HttpResponse response, CultureInfo culture, bool secure) =>
        response.Cookies.Append(CookieRequestCultureProvider.DefaultCookieName,
            CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(culture)),
            new CookieOptions { Expires = DateTimeOffset.UtcNow.AddYears(1), IsEssential = true, HttpOnly = true, SameSite = SameSiteMode.Lax, Secure = secure, Path = "/" });

    public static void Forget(HttpResponse response) => response.Cookies.Delete(CookieRequestCultureProvider.DefaultCookieName);
}
