using Microsoft.AspNetCore.Html;
using SuccessPlans.Tests.Infrastructure;
using SuccessPlans.Web.Hosting;

namespace SuccessPlans.Tests.Web;

/// <summary>
/// A page's days (<see cref="LocalTime.Date"/>): written once per day and language in a request, as a list's rows share
/// a few days (issue 15), and always in the request's language; the language's culture found from the request's.
/// </summary>
public class LocalTimeTests : IAsyncLifetime
{
    private readonly AppFactory _app = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public void A_day_is_written_once_per_request_and_language()
    {
        using var scope = _app.Services.CreateScope();
        var time = scope.ServiceProvider.GetRequiredService<LocalTime>();
        var day = new DateOnly(2026, 12, 6);
        var (english, again, spanish, other) = TestCulture.ReadIn("en-US", () => (time.Date(day), time.Date(day), TestCulture.ReadIn("es-MX", () => time.Date(day)), time.Date(day.AddDays(1))));
        Assert.Same(english, again);
        Assert.Equal("<time datetime=\"2026-12-06\">Dec 6, 2026</time>", Html(english));
        Assert.Equal("<time datetime=\"2026-12-06\">6 dic 2026</time>", Html(spanish));
        Assert.Equal("<time datetime=\"2026-12-07\">Dec 7, 2026</time>", Html(other));
        Assert.Same(HtmlString.Empty, time.Date(null));

        // Another request writes its own.
        using var next = _app.Services.CreateScope();
        Assert.NotSame(english, TestCulture.ReadIn("en-US", () => next.ServiceProvider.GetRequiredService<LocalTime>().Date(day)));
    }

    [Theory]
    [InlineData("en-US", "en-US")]
    [InlineData("en-GB", "en-US")]
    [InlineData("es-US", "es-US")]
    [InlineData("es-MX", "es-US")]
    [InlineData("es", "es-US")]
    [InlineData("de-DE", "en-US")]
    [InlineData("", "en-US")]
    public void The_language_written_in_is_the_supported_one_of_the_requests(string requested, string written) =>
        Assert.Equal(written, TestCulture.ReadIn(requested, () => Languages.Current.Name));

    private static string Html(IHtmlContent content)
    {
        var writer = new StringWriter();
        content.WriteTo(writer, System.Text.Encodings.Web.HtmlEncoder.Default);
        return writer.ToString();
    }
}
