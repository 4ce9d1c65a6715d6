using System.Collections;
using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Globalization;
using System.Reflection;
using System.Resources;

namespace SuccessPlans;

/// <summary>
/// A resource keyed by the English text: the translation in the current UI culture, else the English key. Labels,
/// emails' texts and Core's messages each read one.
/// </summary>
/// <remarks>
/// Each culture's texts are read once into a dictionary (the culture's own resource, then its parents'). Asking the
/// ResourceManager at every call cost 3% of the student page's CPU (issue 15): a resource with no neutral part
/// (CoreMessages: English is the key) made it look for satellite assemblies and throw MissingManifestResourceException
/// for every English text shown.
/// </remarks>
public sealed class Translator(string resourceName, Assembly assembly)
{
    private readonly ResourceManager _resources = new(resourceName, assembly);
    private readonly ConcurrentDictionary<CultureInfo, FrozenDictionary<string, string>> _byCulture = new();

    public string BaseName => _resources.BaseName;

    /// <summary>The text in the current UI culture's language; the English key when no translation exists.</summary>
    public string this[string english] => TryGet(english, out var text) ? text : english;

    /// <summary>The translation in the current UI culture's language, if the resource has one (an empty one counts as none).</summary>
    public bool TryGet(string english, out string text)
    {
        var culture = CultureInfo.CurrentUICulture;
        // Not GetOrAdd(culture, Read) alone: the method group is a new delegate at every call.
        if (!_byCulture.TryGetValue(culture, out var texts)) texts = _byCulture.GetOrAdd(culture, Read);
        if (texts.TryGetValue(english, out var s) && s.Length > 0)
        {
            text = s;
            return true;
        }
        text = english;
        return false;
    }

    /// <summary>The translated composite format filled in with the current culture's number and date formats.</summary>
    public string Format(string english, params object?[] args) =>
        args.Length == 0 ? this[english] : string.Format(CultureInfo.CurrentCulture, this[english], args);

    /// <summary>The culture's texts: its own resource's first, then each parent's (es-MX, es, the neutral resource).</summary>
    private FrozenDictionary<string, string> Read(CultureInfo culture)
    {
        var texts = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var c = culture; ; c = c.Parent)
        {
            ResourceSet? set = null;
            try
            {
                set = _resources.GetResourceSet(c, createIfNotExists: true, tryParents: false);
            }
            catch (MissingManifestResourceException)
            {
                // English has no resource of its own where the key is the text (CoreMessages).
            }
            if (set is not null)
                foreach (DictionaryEntry entry in set)
                    if (entry is { Key: string key, Value: string value })
                        texts.TryAdd(key, value);
            if (c.Equals(CultureInfo.InvariantCulture)) break;
        }
        return texts.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
