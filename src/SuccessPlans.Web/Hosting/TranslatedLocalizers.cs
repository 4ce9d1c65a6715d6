using System.Reflection;
using System.Resources;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;

namespace SuccessPlans.Web.Hosting;

/// <summary>
/// The localizers of the views (<c>L["..."]</c>), the pages and the forms' attributes, each reading its resource through a
/// <see cref="Translator"/>: a culture's texts are read once into a dictionary. ASP.NET Core still names and finds the
/// resources (Resources/Features/&lt;Folder&gt;/&lt;View&gt;.es.resx) as before; only the lookup of a text changes.
/// </summary>
/// <remarks>
/// Why (issue 15): ASP.NET Core's localizer builds a string key and asks the ResourceManager for every text it shows. A
/// page shows a hundred or more (the student page 130 in its view alone), and English, whose texts are the keys, has no
/// resource, so each of them was a miss looked up again at every request: 4% of the student page's allocations and 1%
/// of its CPU. Core's texts had the same fix earlier (<see cref="Translator"/>).
/// </remarks>
public sealed class TranslatedLocalizerFactory(IOptions<LocalizationOptions> options, ILoggerFactory loggers)
    : ResourceManagerStringLocalizerFactory(options, loggers)
{
    private readonly ILoggerFactory _loggers = loggers;

    protected override ResourceManagerStringLocalizer CreateResourceManagerStringLocalizer(Assembly assembly, string baseName) =>
        new TranslatedLocalizer(new Translator(baseName, assembly), assembly, _loggers.CreateLogger<ResourceManagerStringLocalizer>());
}

/// <summary>One resource's localizer: a text in the current UI culture, else the English key (marked not found).</summary>
public sealed class TranslatedLocalizer(Translator texts, Assembly assembly, ILogger logger)
    // The base keeps the resource for GetAllStrings; the texts shown are read from the translator.
    : ResourceManagerStringLocalizer(new ResourceManager(texts.BaseName, assembly), assembly, texts.BaseName, new ResourceNamesCache(), logger)
{
    public override LocalizedString this[string name]
    {
        get
        {
            ArgumentNullException.ThrowIfNull(name);
            var found = texts.TryGet(name, out var text);
            return new LocalizedString(name, text, resourceNotFound: !found, searchedLocation: texts.BaseName);
        }
    }

    /// <summary>The text as a composite format, filled in with the current culture (<see cref="Translator.Format"/>).</summary>
    public override LocalizedString this[string name, params object[] arguments] =>
        new(name, texts.Format(name, arguments), resourceNotFound: !texts.TryGet(name, out _), searchedLocation: texts.BaseName);
}
