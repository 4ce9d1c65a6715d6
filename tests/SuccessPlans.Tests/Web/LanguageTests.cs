using System.Net;
using System.Net.Http.Headers;
using Microsoft.EntityFrameworkCore;
using SuccessPlans.Features.Users;
using SuccessPlans.Tests.Infrastructure;

namespace SuccessPlans.Tests.Web;

/// <summary>The user's language: the browser's by default, the footer's switch, and a stored choice that follows the user.</summary>
public class LanguageTests : IAsyncLifetime
{
    private readonly AppFactory _app = new();
    private int _tenant;

    public async Task InitializeAsync()
    {
        _tenant = (await _app.CreateTenantAsync("lang")).Id;
        await _app.CreateUserAsync(_tenant, "coord@lang.test", UserRole.Coordinator);
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private HttpClient Browser(string acceptLanguage)
    {
        var client = _app.Browser();
        client.DefaultRequestHeaders.AcceptLanguage.ParseAdd(acceptLanguage);
        return client;
    }

    [Theory]
    [InlineData("es-MX", "es", "Iniciar sesión")]
    [InlineData("es-419,es;q=0.9", "es", "Iniciar sesión")]
    [InlineData("es", "es", "Iniciar sesión")]
    [InlineData("fr-FR, es;q=0.5", "es", "Iniciar sesión")]
    [InlineData("de-DE, en;q=0.5, es;q=0.4", "en", "Sign in")]
    [InlineData("fr-FR", "en", "Sign in")]
    public async Task An_anonymous_page_follows_the_browser(string acceptLanguage, string lang, string heading)
    {
        var page = await Browser(acceptLanguage).GetDocumentAsync("/Account/Login");
        Assert.Equal(lang, page.DocumentElement.GetAttribute("lang"));
        Assert.Equal(heading, page.QuerySelector("h1")!.TextContent.Trim());
    }

    [Fact]
    public async Task The_footer_switch_sets_the_language_and_never_leaves_the_site()
    {
        var client = Browser("en-US");
        var switched = await client.SubmitFormAsync("/Account/Login", new() { ["returnUrl"] = "/Account/ForgotPassword" },
            formSelector: "form.language-switch", buttonSelector: "button[value=es]");
        Assert.Equal("/Account/ForgotPassword", switched.Location());
        var page = await client.GetDocumentAsync("/Account/ForgotPassword");
        Assert.Equal("es", page.DocumentElement.GetAttribute("lang"));
        Assert.Equal("Olvidé mi contraseña", page.QuerySelector("h1")!.TextContent.Trim());

        // A foreign return address goes home instead.
        var garbage = await client.SubmitFormAsync("/Account/Login", new() { ["returnUrl"] = "https://evil.example/" },
            formSelector: "form.language-switch", buttonSelector: "button[value=en]");
        Assert.Equal("/", garbage.Location());
    }

    [Fact]
    public async Task A_stored_choice_follows_the_user_to_another_browser_and_back_to_the_browser_language()
    {
        var first = await _app.SignedInAsync("coord@lang.test");
        var saved = await first.SubmitFormAsync("/Account/Settings", new() { ["Language"] = "es" });
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        var settings = await first.GetDocumentAsync("/Account/Settings");
        Assert.Equal("es", settings.DocumentElement.GetAttribute("lang"));
        Assert.Contains("Configuración guardada.", settings.QuerySelector(".notice")!.TextContent);
        Assert.Equal("es", await _app.InTenant(_tenant, (_, db) => db.Users.Where(u => u.Email == "coord@lang.test").Select(u => u.Language).SingleAsync()));

        // Another device whose browser asks for English: the user's choice wins, from the sign-in on.
        var other = _app.Browser();
        other.DefaultRequestHeaders.AcceptLanguage.Add(new StringWithQualityHeaderValue("en-US"));
        var signIn = await other.SubmitFormAsync("/Account/Login", new() { ["Input.Email"] = "coord@lang.test", ["Input.Password"] = AppFactory.Password });
        Assert.Contains(signIn.Headers.GetValues("Set-Cookie"), c => c.StartsWith(".AspNetCore.Culture=", StringComparison.Ordinal) && c.Contains("es-US"));
        var worklist = await other.GetDocumentAsync("/Home/Coordinator");
        Assert.Equal("es", worklist.DocumentElement.GetAttribute("lang"));
        Assert.Equal("Mis pendientes", worklist.QuerySelector("h1")!.TextContent.Trim());

        // Back to the browser's language.
        await other.SubmitFormAsync("/Account/Settings", new() { ["Language"] = "" });
        Assert.Equal("en", (await other.GetDocumentAsync("/Home/Coordinator")).DocumentElement.GetAttribute("lang"));
        Assert.Null(await _app.InTenant(_tenant, (_, db) => db.Users.Where(u => u.Email == "coord@lang.test").Select(u => u.Language).SingleAsync()));
    }

    [Fact]
    public async Task An_unknown_language_is_a_validation_message()
    {
        var client = await _app.SignedInAsync("coord@lang.test");
        var document = await client.GetDocumentAsync("/Account/Settings");
        var form = document.QuerySelector("main form")!;
        var token = form.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        var response = await client.PostAsync("/Account/Settings", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["Language"] = "xx-garbage", ["EmailReferralUpdates"] = "true",
        }));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Choose a language from the list.", await response.Content.ReadAsStringAsync());
    }
}
