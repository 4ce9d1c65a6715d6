using System.Globalization;
using SuccessPlans.Features.Plans;

namespace SuccessPlans.Web.Hosting;

/// <summary>
/// The one place where Core's messages (<see cref="CoreMessage"/>: validation errors, refusals) are put in the
/// reader's language: the English format is the key of Resources/CoreMessages.es.resx, and the arguments are filled in
/// with the request's culture. Pages show messages through it (<see cref="CorePageResults"/>); the API keeps English.
/// </summary>
public static class CoreText
{
    /// <summary>The resource (Resources/CoreMessages.es.resx); static so that the ModelState extensions need no service.</summary>
    public static readonly Translator Translations = new("SuccessPlans.Web.Resources.CoreMessages", typeof(CoreText).Assembly);

    /// <summary>The message in the current UI culture (English when there is no translation).</summary>
    public static string Show(CoreMessage message) =>
        message.Render(Translations[message.Format], CultureInfo.CurrentCulture, message.Args.Select(a => a is CoreMessage inner ? Show(inner) : a).ToList());

    /// <summary>A use case's refusal as one text in the current UI culture (a validation failure's messages joined).</summary>
    public static string Of(Exception e) => e switch
    {
        ValidationFailedException v => string.Join(" ", v.Messages.SelectMany(m => m.Value).Select(Show)),
        CoreException c => Show(c.Text),
        _ => e.Message,
    };
}

