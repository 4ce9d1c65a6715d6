using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace SuccessPlans;

/// <summary>
/// Texts stored in English when written (an import's result, a history entry's details) and read back as a
/// <see cref="CoreMessage"/>, so a page shows them in the reader's language with no schema change and old rows too:
/// each shape is an English composite format (its Spanish sits in Web's Resources/CoreMessages.es.resx), written with
/// <see cref="Write"/> and recognised by <see cref="Read"/>. A text that matches no shape is shown as it was stored.
/// </summary>
public sealed class StoredText
{
    private static readonly Regex Placeholder = new(@"\{(\d+)(?::[^}]*)?\}", RegexOptions.Compiled);
    private readonly (string Format, Regex Pattern)[] _shapes;

    public StoredText(params string[] formats)
    {
        Formats = formats;
        _shapes = [.. formats.Select(f => (f, Compile(f)))];
    }

    /// <summary>The English formats: the keys of their translations.</summary>
    public IReadOnlyList<string> Formats { get; }

    /// <summary>The text as stored: the format filled in with the invariant culture.</summary>
    public static string Write(string format, params object?[] args) => string.Format(CultureInfo.InvariantCulture, format, args);

    /// <summary>
    /// The stored text as a message in its shape, its arguments passed through <paramref name="argument"/> (an English
    /// word of the product, such as a domain, put in the reader's language); else the stored text, untranslated.
    /// </summary>
    public CoreMessage Read(string? stored, Func<int, string, object?>? argument = null) =>
        string.IsNullOrEmpty(stored) ? CoreMessage.Untranslated("")
        : TryRead(stored, out var message, argument) ? message : CoreMessage.Untranslated(stored);

    /// <summary>As <see cref="Read"/>, false when the text is of none of these shapes (a caller tries shapes in turn).</summary>
    public bool TryRead(string? stored, out CoreMessage message, Func<int, string, object?>? argument = null)
    {
        message = CoreMessage.Untranslated(stored ?? "");
        if (string.IsNullOrEmpty(stored)) return false;
        foreach (var (format, pattern) in _shapes)
        {
            if (pattern.Match(stored) is not { Success: true } m) continue;
            var count = m.Groups.Count - 1;
            var args = new object?[count];
            for (var i = 0; i < count; i++)
            {
                var value = argument is null ? m.Groups["a" + i].Value : argument(i, m.Groups["a" + i].Value);
                // A day inside the text ("given 2026-10-01") is written as the reader writes dates.
                args[i] = value is string text ? Readable.Stored(text) : value;
            }
            message = CoreMessage.Of(format, args);
            return true;
        }
        return false;
    }

    /// <summary>The format as a pattern: its text literally, each argument any text (the shortest that fits).</summary>
    private static Regex Compile(string format)
    {
        var pattern = new StringBuilder("^");
        var at = 0;
        var seen = new HashSet<string>();
        foreach (Match p in Placeholder.Matches(format))
        {
            pattern.Append(Regex.Escape(Literal(format[at..p.Index])));
            var name = "a" + p.Groups[1].Value;
            pattern.Append(seen.Add(name) ? $"(?<{name}>.*?)" : $"\\k<{name}>");
            at = p.Index + p.Length;
        }
        pattern.Append(Regex.Escape(Literal(format[at..]))).Append('$');
        return new Regex(pattern.ToString(), RegexOptions.Singleline | RegexOptions.CultureInvariant);
    }

    private static string Literal(string part) => part.Replace("{{", "{").Replace("}}", "}");
}
