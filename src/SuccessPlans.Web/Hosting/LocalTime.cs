using System.Globalization;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Html;
using Microsoft.AspNetCore.Mvc.Filters;
using SuccessPlans.Features.Tenants;
using SuccessPlans.Tenancy;

namespace SuccessPlans.Web.Hosting;

/// <summary>
/// The one way pages show an instant: in the tenant's zone with the zone named (<see cref="LocalTimes"/>). The zone is
/// read once per request, before the page runs (<see cref="LocalTimeFilter"/>); without a tenant (the operator) it is UTC.
/// </summary>
public sealed class LocalTime(TenantSettingsCache settings, CurrentTenant tenant)
{
    public TimeZoneInfo Zone { get; private set; } = TimeZoneInfo.Utc;

    public async Task LoadAsync(CancellationToken ct)
    {
        if (tenant.HasTenant) Zone = (await settings.GetAsync(ct)).TimeZone;
    }

    /// <summary>
    /// An instant as <c>&lt;time datetime="2026-12-02T15:05-05:00"&gt;Dec 2, 2026, 3:05 PM EST&lt;/time&gt;</c>: readable in the
    /// request's culture (<see cref="Readable"/>), the machine value inside for screen readers and tests.
    /// </summary>
    public IHtmlContent Show(DateTime utc) => Tag(Readable.IsoTime(utc, Zone), Readable.Time(utc, Zone));

    public IHtmlContent Show(DateTime? utc) => utc is { } at ? Show(at) : HtmlString.Empty;

    /// <summary>A day as <c>&lt;time datetime="2026-12-02"&gt;Dec 2, 2026&lt;/time&gt;</c>.</summary>
    public IHtmlContent Date(DateOnly? day)
    {
        if (day is not { } d) return HtmlString.Empty;
        // Written once per day and language in a request: a list's rows share a few days (the flags of one night).
        var key = (d, CultureInfo.CurrentUICulture);
        _days ??= [];
        if (!_days.TryGetValue(key, out var shown)) _days[key] = shown = Tag(Readable.Iso(d), Readable.Date(d));
        return shown;
    }

    private Dictionary<(DateOnly, CultureInfo), HtmlString>? _days;

    /// <summary>The tenant's local day of an instant (a referral's sending, a key's creation), as <see cref="Date"/>.</summary>
    public IHtmlContent Day(DateTime? utc) => utc is { } at ? Date(Readable.Day(at, Zone)) : HtmlString.Empty;

    private static HtmlString Tag(string machine, string text) =>
        new($"<time datetime=\"{machine}\">{HtmlEncoder.Default.Encode(text)}</time>");
}

public sealed class LocalTimeFilter(LocalTime time) : IAsyncPageFilter
{
    public async Task OnPageHandlerSelectionAsync(PageHandlerSelectedContext context) => await time.LoadAsync(context.HttpContext.RequestAborted);

    public Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next) => next();
}
