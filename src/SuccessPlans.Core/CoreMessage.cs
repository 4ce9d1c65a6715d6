using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace SuccessPlans;

/// <summary>
/// A message a use case gives a user (a validation error, a refusal): its English composite format, which is also the
/// translation key, and its arguments. Written as an ordinary string or interpolated string at the throw site:
/// <c>$"Line {n}: …"</c> becomes the format "Line {0}: …" with the argument n, so the Web layer can look the format up
/// in one resource (Resources/CoreMessages.es.resx) and fill in the arguments in the reader's culture.
/// </summary>
[InterpolatedStringHandler]
public sealed class CoreMessage : IEquatable<CoreMessage>
{
    private readonly StringBuilder? _format;
    private readonly List<object?> _args = [];
    private readonly string? _fixed;

    /// <summary>Used by the compiler for <c>$"…"</c>.</summary>
    public CoreMessage(int literalLength, int formattedCount) => _format = new StringBuilder(literalLength + 4 * formattedCount);

    private CoreMessage(string text) => _fixed = text.Replace("{", "{{").Replace("}", "}}");

    public void AppendLiteral(string value) => _format!.Append(value.Replace("{", "{{").Replace("}", "}}"));

    public void AppendFormatted<T>(T value) => AppendFormatted(value, null);

    public void AppendFormatted<T>(T value, string? format)
    {
        _format!.Append('{').Append(_args.Count.ToString(CultureInfo.InvariantCulture));
        if (format is not null) _format.Append(':').Append(format);
        _format.Append('}');
        _args.Add(value);
    }

    /// <summary>The English composite format ("The message is longer than {0:N0} characters."): the resource key.</summary>
    public string Format => _fixed ?? _format!.ToString();

    public IReadOnlyList<object?> Args => _args;

    /// <summary>A fixed text ("Write a message."): its own key.</summary>
    public static implicit operator CoreMessage(string text) => new(text);

    /// <summary>Text from outside the product (an Identity error): shown as it is, never translated.</summary>
    public static CoreMessage Untranslated(string text)
    {
        var m = new CoreMessage(2, 1);
        m.AppendFormatted(text);
        return m;
    }

    /// <summary>A message read back from a text stored in English (<see cref="StoredText"/>): its format and arguments.</summary>
    public static CoreMessage Of(string format, params object?[] args)
    {
        var m = new CoreMessage(format.Length, args.Length);
        m._format!.Append(format);
        m._args.AddRange(args);
        return m;
    }

    /// <summary>The English text, in the current culture's numbers and dates (logs, the API's ProblemDetails).</summary>
    public override string ToString() => Render(Format);

    /// <summary>Two messages are the same when they say the same in English (an import's report compares its rows).</summary>
    public bool Equals(CoreMessage? other) => other is not null && Render(Format, CultureInfo.InvariantCulture) == other.Render(other.Format, CultureInfo.InvariantCulture);

    public override bool Equals(object? obj) => obj is CoreMessage other && Equals(other);

    public override int GetHashCode() => Render(Format, CultureInfo.InvariantCulture).GetHashCode(StringComparison.Ordinal);

    /// <summary>Fills <paramref name="format"/> (this message's format or its translation) with the arguments.</summary>
    public string Render(string format, IFormatProvider? culture = null) => Render(format, culture, _args);

    /// <summary>
    /// As <see cref="Render(string, IFormatProvider?)"/>, with the arguments given (a message inside a message, as an
    /// import's "users.csv line 3: …" holds its reason, is shown by the caller in the reader's language first).
    /// </summary>
    public string Render(string format, IFormatProvider? culture, IReadOnlyList<object?> args) =>
        args.Count == 0 ? format.Replace("{{", "{").Replace("}}", "}") : string.Format(culture ?? CultureInfo.CurrentCulture, format, [.. args]);
}
