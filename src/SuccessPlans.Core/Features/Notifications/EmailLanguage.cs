namespace SuccessPlans.Features.Notifications;

/// <summary>
/// Emails are written in the recipient's language: the one they chose under My settings (AppUser.Language), else
/// English (an email has no browser to ask). Inside <see cref="Use"/>, <see cref="T"/> and <see cref="Labels"/> speak
/// that language. The English text is the key; the Spanish is in Resources/EmailTexts.es.resx, and a test holds every
/// text passed to <see cref="T"/> to a translation. Texts stored earlier in English (a flag's summary, a referral update)
/// stay as they were written.
/// </summary>
public static class EmailLanguage
{
    public const string ResourceName = "SuccessPlans.Resources.EmailTexts";
    private static readonly Translator Translations = new(ResourceName, typeof(EmailLanguage).Assembly);

    /// <summary>Writes in the language until disposed (then the caller's culture is back).</summary>
    public static Languages.Scope Use(string? language) => Languages.Use(language);

    /// <summary>The text in the current language, its {0}… filled in with that language's number formats.</summary>
    public static string T(string english, params object?[] args) => Translations.Format(english, args);
}
