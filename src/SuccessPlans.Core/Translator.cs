using System.Globalization;
using System.Reflection;
using System.Resources;

namespace SuccessPlans;

/// <summary>
/// A resource keyed by the English text: the translation in the current UI culture, else the English key. Labels,
/// emails' texts and Core's messages each read one.
/// </summary>
public sealed class Translator(string resourceName, Assembly assembly)
{
    private readonly ResourceManager _resources = new(resourceName, assembly);

    public string BaseName => _resources.BaseName;

    /// <summary>The text in the current UI culture's language; the English key when no translation exists.</summary>
    public string this[string english]
    {
        get
        {
            try
            {
                return _resources.GetString(english, CultureInfo.CurrentUICulture) is { Length: > 0 } s ? s : english;
            }
            catch (MissingManifestResourceException)
            {
                // English has no resource of its own where the key is the text (CoreMessages).
                return english;
            }
        }
    }

    /// <summary>The translated composite format filled in with the current culture's number and date formats.</summary>
    public string Format(string english, params object?[] args) =>
        args.Length == 0 ? this[english] : string.Format(CultureInfo.CurrentCulture, this[english], args);
}
