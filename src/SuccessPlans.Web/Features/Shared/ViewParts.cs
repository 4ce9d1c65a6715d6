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
}
