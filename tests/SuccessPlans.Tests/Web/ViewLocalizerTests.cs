using System.Globalization;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Html;
using Microsoft.AspNetCore.Mvc.Localization;
using Microsoft.Extensions.Localization;
using SuccessPlans.Tests.Infrastructure;
using SuccessPlans.Web.Hosting;

namespace SuccessPlans.Tests.Web;

/// <summary>
/// The views' and forms' localizers, as the app registers them: the same resources as ASP.NET Core finds them, each
/// culture's texts read once (<see cref="TranslatedLocalizerFactory"/>), so a text shown costs no resource lookup, and
/// each view's text made once and written as ASP.NET Core writes it (<see cref="TranslatedHtmlLocalizerFactory"/>).
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
        var text = TestCulture.ReadIn(culture, () => StudentPage()["Flags"]);
        Assert.Equal((expected, notFound), (text.Value, text.IsResourceNotFound));
    }

    [Fact]
    public void A_text_with_arguments_keeps_them_for_the_view_to_encode()
    {
        var text = TestCulture.ReadIn("es-US", () => StudentPage()["refer \"{0}\" to a service", "<Glasses>"]);
        var html = new StringWriter();
        ((IHtmlContent)text).WriteTo(html, HtmlEncoder.Default);
        Assert.Equal("refiera \"&lt;Glasses&gt;\" a un servicio", html.ToString());
    }

    [Fact]
    public void A_page_and_a_form_attribute_read_their_own_resources()
    {
        var factory = _app.Services.GetRequiredService<IStringLocalizerFactory>();
        Assert.IsType<TranslatedLocalizerFactory>(factory);
        var forms = factory.Create(typeof(SuccessPlans.Web.Features.FormTexts));
        Assert.Equal("The {0} field is required.", TestCulture.ReadIn("en-US", () => forms["The {0} field is required."].Value));
        Assert.NotEqual("The {0} field is required.", TestCulture.ReadIn("es-US", () => forms["The {0} field is required."].Value));
        // A composite format is filled in with the reader's culture, as ASP.NET Core's localizer does.
        Assert.Equal("The 1,5 field is required.", TestCulture.ReadIn("en-US", () => { CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE"); return forms["The {0} field is required.", 1.5m].Value; }));
    }

    [Fact]
    public void A_text_shown_is_made_once_per_culture_and_costs_nothing_after()
    {
        // ASP.NET Core's own localizer built a key string and asked the resource manager for each text shown, every
        // time; then its HTML localizer made two objects a text (TranslatedHtmlLocalizer, issue 15).
        var factory = _app.Services.GetRequiredService<IHtmlLocalizerFactory>();
        Assert.IsType<TranslatedHtmlLocalizerFactory>(factory);
        var page = StudentPage();
        Assert.Same(page, StudentPage());
        Assert.Same(TestCulture.ReadIn("en-US", () => page["See the plan"]), TestCulture.ReadIn("en-US", () => page["See the plan"]));
        Assert.NotSame(TestCulture.ReadIn("en-US", () => page["Flags"]), TestCulture.ReadIn("es-US", () => page["Flags"]));
        var bytes = TestCulture.ReadIn("en-US", () =>
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 1_000; i++) _ = page["See the plan"];
            return GC.GetAllocatedBytesForCurrentThread() - before;
        });
        Assert.True(bytes < 1_000, $"{bytes} bytes for 1,000 texts");
    }

    [Fact]
    public void Writing_a_text_without_arguments_makes_nothing()
    {
        // ASP.NET Core's LocalizedHtmlString writes every text through string.Format with an encoding format provider:
        // three objects and a copy of the text, even with no arguments.
        var text = TestCulture.ReadIn("en-US", () => StudentPage()["See the plan"]);
        var html = new StringWriter(new System.Text.StringBuilder(100_000));
        IHtmlContent content = text;
        content.WriteTo(html, HtmlEncoder.Default);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1_000; i++) content.WriteTo(html, HtmlEncoder.Default);
        var bytes = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(bytes < 1_000, $"{bytes} bytes for 1,000 writes");
        Assert.Equal(string.Concat(Enumerable.Repeat("See the plan", 1_001)), html.ToString());
    }

    public static TheoryData<string> Formats() =>
    [
        "plain text", "a {{b}} c", "{0}", "x {0} y {1}", "{1}{0}", "{0:N0} items", "{0,5}|", "{0:yyyy-MM-dd}", "{{{0}}}", "{0}}}",
        "{ 0}", "bad } brace", "{0:x}}", "{2}", "{0", "{}", "{0:}", "{0:{1}}", "<b>{0}</b> & {1}", "",
    ];

    /// <summary>A text writes exactly what ASP.NET Core's LocalizedHtmlString writes, or fails as it fails, in either culture.</summary>
    [Theory]
    [MemberData(nameof(Formats))]
    public void A_text_writes_what_the_frameworks_own_writes(string format)
    {
        object?[][] argumentSets =
        [
            [], ["<b>\"Ada\" & 'Bea'</b>", 1_234_567], [1.5m, new DateOnly(2026, 12, 6)], [new HtmlString("<i>raw</i>"), new HtmlContentBuilder().Append("<x>")],
            [null, "é ü"], [new DateOnly(2026, 1, 2), 42, "third"],
        ];
        foreach (var culture in new[] { "en-US", "es-US", "de-DE" })
        foreach (var arguments in argumentSets)
        {
            string Write(IHtmlContent content) => TestCulture.ReadIn(culture, () =>
            {
                CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo(culture);
                var html = new StringWriter();
                try { content.WriteTo(html, HtmlEncoder.Default); }
                catch (FormatException) { return "FormatException"; }
                return html.ToString();
            });
            var expected = Write(new LocalizedHtmlString("key", format, false, arguments!));
            Assert.Equal(expected, Write(new ViewText("key", format, false, arguments!)));
            Assert.Equal(expected, Write(new ViewText(new ViewText("key", format, false, []), arguments!)));
        }
    }

    [Fact]
    public void Texts_past_the_limit_are_made_each_time_not_kept()
    {
        var strings = _app.Services.GetRequiredService<IStringLocalizerFactory>().Create(typeof(SuccessPlans.Web.Features.FormTexts));
        var localizer = new TranslatedHtmlLocalizer(strings);
        TestCulture.ReadIn("en-US", () =>
        {
            for (var i = 0; i < TranslatedHtmlLocalizer.MaxKeptPerCulture; i++) _ = localizer[$"text {i}"];
            Assert.Same(localizer["text 7"], localizer["text 7"]);
            Assert.NotSame(localizer["one more"], localizer["one more"]);
            Assert.Equal("one more", localizer["one more"].Value);
            return 0;
        });
    }
}
