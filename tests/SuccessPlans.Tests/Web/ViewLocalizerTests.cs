using System.Globalization;
using Microsoft.AspNetCore.Mvc.Localization;
using Microsoft.Extensions.Localization;
using SuccessPlans.Tests.Infrastructure;
using SuccessPlans.Web.Hosting;

namespace SuccessPlans.Tests.Web;

/// <summary>
/// The views' and forms' localizers, as the app registers them: the same resources as ASP.NET Core finds them, each
/// culture's texts read once (<see cref="TranslatedLocalizerFactory"/>), so a text shown costs no resource lookup.
/// </summary>
public class ViewLocalizerTests : IAsyncLifetime
{
    private readonly AppFactory _app = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    /// <summary>The student page's localizer, named as IViewLocalizer names it (the application, then the view's path).</summary>
    private IHtmlLocalizer StudentPage() =>
        _app.Services.GetRequiredService<IHtmlLocalizerFactory>().Create("SuccessPlans.Web.Features.Students.Details", "SuccessPlans.Web");

    [Theory]
    [InlineData("es-US", "Alertas", false)]
    [InlineData("es-MX", "Alertas", false)]
    [InlineData("en-US", "Flags", true)]
    [InlineData("de-DE", "Flags", true)]
    public void A_view_text_is_read_in_the_culture_or_stays_English(string culture, string expected, bool notFound)
    {
        var text = In(culture, () => StudentPage()["Flags"]);
        Assert.Equal((expected, notFound), (text.Value, text.IsResourceNotFound));
    }

    [Fact]
    public void A_text_with_arguments_keeps_them_for_the_view_to_encode()
    {
        var text = In("es-US", () => StudentPage()["refer \"{0}\" to a service", "<Glasses>"]);
        var html = new StringWriter();
        text.WriteTo(html, System.Text.Encodings.Web.HtmlEncoder.Default);
        Assert.Equal("refiera \"&lt;Glasses&gt;\" a un servicio", html.ToString());
    }

    [Fact]
    public void A_page_and_a_form_attribute_read_their_own_resources()
    {
        var factory = _app.Services.GetRequiredService<IStringLocalizerFactory>();
        Assert.IsType<TranslatedLocalizerFactory>(factory);
        var forms = factory.Create(typeof(SuccessPlans.Web.Features.FormTexts));
        Assert.Equal("The {0} field is required.", In("en-US", () => forms["The {0} field is required."].Value));
        Assert.NotEqual("The {0} field is required.", In("es-US", () => forms["The {0} field is required."].Value));
        // A composite format is filled in with the reader's culture, as ASP.NET Core's localizer does.
        Assert.Equal("The 1,5 field is required.", In("en-US", () => { CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE"); return forms["The {0} field is required.", 1.5m].Value; }));
    }

    [Fact]
    public void A_text_shown_in_English_is_not_looked_up_again()
    {
        // ASP.NET Core's own localizer built a key string and asked the resource manager for each text shown, every
        // time: for English (the keys themselves, no resource) each of a page's hundred texts was a miss looked up again.
        var page = StudentPage();
        In("en-US", () => page["See the plan"]);
        var bytes = In("en-US", () =>
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 1_000; i++) _ = page["See the plan"];
            return GC.GetAllocatedBytesForCurrentThread() - before;
        });
        // What is left a text: its LocalizedString and the view's HTML wrapper, 96 bytes (ASP.NET Core's localizer: 184).
        Assert.True(bytes < 1_000 * 128, $"{bytes / 1_000} bytes a text");
    }

    private static T In<T>(string culture, Func<T> read)
    {
        var (ui, format) = (CultureInfo.CurrentUICulture, CultureInfo.CurrentCulture);
        try
        {
            CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo(culture);
            return read();
        }
        finally
        {
            (CultureInfo.CurrentUICulture, CultureInfo.CurrentCulture) = (ui, format);
        }
    }
}
