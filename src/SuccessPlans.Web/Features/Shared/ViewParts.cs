using Microsoft.AspNetCore.Html;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace SuccessPlans.Web.Features.Shared;

/// <summary>
/// Pieces of HTML many pages show, written by code instead of as partial views: a partial costs a view lookup, a view
/// context and the activation of its page at each use, for a few lines of HTML (issue 15).
/// </summary>
public static class ViewParts
{
    /// <summary>Every validation message of the page, in one list; nothing (and no inline style) when there is none.</summary>
    public static IHtmlContent Errors(ModelStateDictionary modelState)
    {
        if (modelState.ErrorCount == 0) return HtmlString.Empty;
        var messages = modelState.Values.SelectMany(v => v.Errors).Select(e => e.ErrorMessage).Distinct().ToList();
        var html = new HtmlContentBuilder(2 + 3 * messages.Count).AppendHtml("<div class=\"errors\" role=\"alert\"><ul>");
        foreach (var message in messages)
            html.AppendHtml("<li>").Append(message).AppendHtml("</li>");
        return html.AppendHtml("</ul></div>");
    }

    /// <summary>
    /// A field's validation message, for the span beside it: its first, as Html.ValidationMessage showed, encoded; nothing
    /// when it has none. Without the helper's tag builder and its empty span for client-side validation, which this app
    /// does not use: the review walk asks for one a field of every row (issue 15).
    /// </summary>
    public static IHtmlContent FieldError(ModelStateDictionary modelState, string key)
    {
        if (modelState.ErrorCount == 0 || !modelState.TryGetValue(key, out var entry) || entry.Errors.Count == 0) return HtmlString.Empty;
        // The first message, as the helper showed; a binding error may carry only its exception.
        var message = entry.Errors.FirstOrDefault(e => e.ErrorMessage.Length > 0)?.ErrorMessage ?? "The value is not valid.";
        return new HtmlContentBuilder(1).Append(message);
    }

    /// <summary>
    /// A child's attendance band in words with its rate, so it never depends on colour; <paramref name="noData"/> (the
    /// calling view's "no data", in its reader's language) when there is neither. The caseload's rows and the indicators'
    /// table write it.
    /// </summary>
    public static IHtmlContent AttendanceBand(SuccessPlans.Features.Indicators.AttendanceBand? band, int? rate, IHtmlContent noData)
    {
        if (band is null && rate is null)
            return new HtmlContentBuilder(3).AppendHtml("<span class=\"muted\">").AppendHtml(noData).AppendHtml("</span>");
        var percent = SuccessPlans.Features.Indicators.StudentIndicators.Percent(rate);
        return new HtmlContentBuilder(3).AppendHtml("<span class=\"attendance-band\">")
            .Append(band is { } b ? $"{SuccessPlans.Labels.Words(b)} ({percent})" : percent).AppendHtml("</span>");
    }
}
