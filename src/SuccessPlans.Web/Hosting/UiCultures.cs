using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Localization;

namespace SuccessPlans.Web.Hosting;

/// <summary>
/// The request's culture, among the languages of <see cref="Languages"/>. English is the source text; Spanish is complete
/// (a test holds every view's es.resx to every L["…"] key and every literal text of the compiled views).
/// </summary>
public static class UiCultures
{
    /// <summary>The claim that carries the user's own choice ("en", "es"); absent when they follow the browser.</summary>
    public const string LanguageClaim = "successplans:lang";

    /// <summary>A stored choice, kept only when it names a supported language.</summary>
    public static string? Normalize(string? code) => Languages.For(code)?.TwoLetterISOLanguageName;

    public static RequestLocalizationOptions Options() => new()
    {
        DefaultRequestCulture = new RequestCulture(Languages.English),
        SupportedCultures = [.. Languages.Supported],
        SupportedUICultures = [.. Languages.Supported],
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
            Task.FromResult(httpContext.Request.Path.StartsWithSegments("/api") ? Result(Languages.English) : null);
    }

    private static ProviderCultureResult Result(CultureInfo c) => new(c.Name, c.Name);

    private sealed class UserLanguageProvider : RequestCultureProvider
    {
        public override Task<ProviderCultureResult?> DetermineProviderCultureResult(HttpContext httpContext) =>
            Task.FromResult(Languages.For(httpContext.User.FindFirstValue(LanguageClaim)) is { } c ? Result(c) : null);
    }

    private sealed class CookieProvider : RequestCultureProvider
    {
        public override Task<ProviderCultureResult?> DetermineProviderCultureResult(HttpContext httpContext)
        {
            var value = httpContext.Request.Cookies[CookieRequestCultureProvider.DefaultCookieName];
            var parsed = value is null ? null : CookieRequestCultureProvider.ParseCookieValue(value);
            var culture = parsed?.UICultures.Select(u => Languages.For(u.Value)).FirstOrDefault(c => c is not null);
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
                .Select(h => Languages.For(h.Value.Value)).FirstOrDefault(c => c is not null);
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
