using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using System.Resources;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Html;
using Microsoft.AspNetCore.Mvc.Localization;
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

/// <summary>
/// The views' localizers (<c>L["..."]</c> through ASP.NET Core's ViewLocalizer, and <c>IHtmlLocalizer&lt;T&gt;</c>): one per
/// resource, kept, and each text without arguments made once per culture (<see cref="ViewText"/>).
/// </summary>
/// <remarks>
/// Why (issue 15): ASP.NET Core's HtmlLocalizer makes two objects for every text a view shows (the string localizer's
/// result and the HTML one), and the HTML one writes itself through string.Format with an encoding format provider even
/// when it has no arguments: two more objects and a copy of the text. The worklist shows about 400 texts, and this was a
/// fifth of the bytes its request allocated. ViewLocalizer also asked the factory for a new localizer at every rendering
/// of a view.
/// </remarks>
public sealed class TranslatedHtmlLocalizerFactory : HtmlLocalizerFactory
{
    private readonly IStringLocalizerFactory _strings;

    public TranslatedHtmlLocalizerFactory(IStringLocalizerFactory strings) : base(strings) => _strings = strings;

    private readonly ConcurrentDictionary<Type, IHtmlLocalizer> _byType = new();
    private readonly ConcurrentDictionary<(string BaseName, string Location), IHtmlLocalizer> _byName = new();

    public override IHtmlLocalizer Create(Type resourceSource)
    {
        ArgumentNullException.ThrowIfNull(resourceSource);
        return _byType.TryGetValue(resourceSource, out var kept)
            ? kept
            : _byType.GetOrAdd(resourceSource, static (type, factory) => new TranslatedHtmlLocalizer(factory.Create(type)), _strings);
    }

    public override IHtmlLocalizer Create(string baseName, string location)
    {
        ArgumentNullException.ThrowIfNull(baseName);
        ArgumentNullException.ThrowIfNull(location);
        return _byName.TryGetValue((baseName, location), out var kept)
            ? kept
            : _byName.GetOrAdd((baseName, location), static (key, factory) => new TranslatedHtmlLocalizer(factory.Create(key.BaseName, key.Location)), _strings);
    }
}

/// <summary>One resource's texts for views, each without arguments kept per culture once it has been shown.</summary>
public sealed class TranslatedHtmlLocalizer(IStringLocalizer strings) : HtmlLocalizer(strings)
{
    /// <summary>Texts kept per culture at most: the views' own keys are a few hundred; a key from elsewhere is not kept past this.</summary>
    public const int MaxKeptPerCulture = 4096;

    private readonly ConcurrentDictionary<CultureInfo, ConcurrentDictionary<string, ViewText>> _byCulture = new();

    public override LocalizedHtmlString this[string name] => Text(name);

    public override LocalizedHtmlString this[string name, params object[] arguments]
    {
        get
        {
            ArgumentNullException.ThrowIfNull(arguments);
            var text = Text(name);
            return arguments.Length == 0 ? text : new ViewText(text, arguments);
        }
    }

    private ViewText Text(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var culture = CultureInfo.CurrentUICulture;
        if (!_byCulture.TryGetValue(culture, out var texts))
            texts = _byCulture.GetOrAdd(culture, static _ => new ConcurrentDictionary<string, ViewText>(StringComparer.Ordinal));
        if (texts.TryGetValue(name, out var kept)) return kept;
        var found = GetString(name);
        var text = new ViewText(found.Name, found.Value, found.ResourceNotFound, []);
        return texts.Count < MaxKeptPerCulture ? texts.GetOrAdd(name, text) : text;
    }
}

/// <summary>
/// A view's text, written as <see cref="LocalizedHtmlString"/> writes it (its arguments HTML-encoded in the current
/// culture's formats, the text itself as it is) without string.Format: a text with no arguments and no braces as it is,
/// and one with arguments from its format read once into parts (<see cref="Template"/>).
/// </summary>
public sealed class ViewText : LocalizedHtmlString, IHtmlContent
{
    private static readonly Template NoTemplate = new([], []);
    private readonly object[] _arguments;
    private readonly bool _asItIs;
    // The format's parts, read at the first writing with arguments and shared by the texts made from this one.
    private Template? _template;
    private readonly ViewText? _keptText;

    public ViewText(string name, string value, bool isResourceNotFound, object[] arguments) : base(name, value, isResourceNotFound, arguments)
    {
        _arguments = arguments;
        _asItIs = arguments.Length == 0 && value.AsSpan().IndexOfAny('{', '}') < 0;
    }

    /// <summary>The kept text <paramref name="text"/> with arguments.</summary>
    public ViewText(ViewText text, object[] arguments) : this(text.Name, text.Value, text.IsResourceNotFound, arguments) => _keptText = text;

    // Re-implemented: views and tag helpers write a text through IHtmlContent.
    void IHtmlContent.WriteTo(TextWriter writer, HtmlEncoder encoder)
    {
        if (_asItIs)
        {
            writer.Write(Value);
            return;
        }
        var template = (_keptText ?? this).TemplateOf();
        if (template == NoTemplate || !template.Fits(_arguments))
        {
            // What Template does not read (an alignment, a brace in a hole's format, a wrong index): the framework's way.
            WriteTo(writer, encoder);
            return;
        }
        var culture = CultureInfo.CurrentCulture;
        for (var i = 0; i < template.Holes.Length; i++)
        {
            writer.Write(template.Literals[i]);
            var (index, format) = template.Holes[i];
            switch (_arguments[index])
            {
                case HtmlString html:
                    writer.Write(html.Value);
                    break;
                case IHtmlContent html:
                    html.WriteTo(writer, encoder);
                    break;
                case IFormattable formattable:
                    encoder.Encode(writer, formattable.ToString(format, culture) ?? "");
                    break;
                case { } other:
                    encoder.Encode(writer, other.ToString() ?? "");
                    break;
            }
        }
        writer.Write(template.Literals[^1]);
    }

    private Template TemplateOf() => _template ??= Template.Parse(Value) ?? NoTemplate;

    /// <summary>
    /// A composite format as its literal parts (braces unescaped) and its holes (an argument's index and format), in
    /// order: <c>Literals[0] Holes[0] Literals[1] ... Literals[^1]</c>. Null for what it does not read.
    /// </summary>
    internal sealed record Template(string[] Literals, (int Index, string? Format)[] Holes)
    {
        public bool Fits(object[] arguments)
        {
            foreach (var (index, _) in Holes)
                if (index >= arguments.Length) return false;
            return true;
        }

        public static Template? Parse(string format)
        {
            var literals = new List<string>();
            var holes = new List<(int, string?)>();
            var literal = new System.Text.StringBuilder();
            for (var i = 0; i < format.Length; i++)
            {
                var c = format[i];
                if (c is '{' or '}' && i + 1 < format.Length && format[i + 1] == c)
                {
                    literal.Append(c);
                    i++;
                }
                else if (c == '}')
                {
                    return null;
                }
                else if (c == '{')
                {
                    var close = format.IndexOf('}', i);
                    if (close < 0 || close + 1 < format.Length && format[close + 1] == '}') return null;
                    var hole = format.AsSpan(i + 1, close - i - 1);
                    var colon = hole.IndexOf(':');
                    var number = colon < 0 ? hole : hole[..colon];
                    if (number.Length == 0 || number.Length > 3 || !int.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var index)) return null;
                    var holeFormat = colon < 0 ? null : hole[(colon + 1)..].ToString();
                    if (holeFormat is not null && holeFormat.Contains('{')) return null;
                    literals.Add(literal.ToString());
                    literal.Clear();
                    holes.Add((index, holeFormat));
                    i = close;
                }
                else
                {
                    literal.Append(c);
                }
            }
            literals.Add(literal.ToString());
            return new Template([.. literals], [.. holes]);
        }
    }
}
