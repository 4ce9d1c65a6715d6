using System.Globalization;
using System.Reflection;
using System.Reflection.Emit;
using System.Text;
using System.Text.RegularExpressions;
using SuccessPlans.Features.Users;
using SuccessPlans.Tests.Infrastructure;
using SuccessPlans.Web.Hosting;

namespace SuccessPlans.Tests.Web;

/// <summary>
/// Core's messages reach Spanish readers in Spanish: every message Core's code can build (read from its IL, so a new
/// throw site cannot be forgotten) has a translation in Resources/CoreMessages.es.resx with the same arguments, and a
/// page shows one in Spanish to a Spanish browser and in English to the others.
/// </summary>
public class CoreMessagesTests
{
    private static readonly Regex Placeholder = new(@"(?<!\{)\{(\d+)(:[^}]*)?\}");

    [Fact]
    public void Every_message_of_Core_has_a_Spanish_translation_with_the_same_arguments()
    {
        var (formats, untranslatable) = CoreFormats();
        // Texts stored in English and read back in shapes (an import's result, a history entry's details) need Spanish too.
        var stored = StoredFormats();
        Assert.Contains(SuccessPlans.Features.Roster.ImportReports.Roster, stored);
        Assert.Contains("Referral #{0}: no answer in time", stored);
        formats.UnionWith(stored);
        // The scan sees both kinds of message: fixed texts and interpolated ones with their argument formats.
        Assert.Contains("Write a message.", formats);
        Assert.Contains("The message is longer than {0:N0} characters.", formats);
        Assert.True(formats.Count > 50, $"only {formats.Count} messages found in Core");
        Assert.True(untranslatable.Count == 0, "a string computed at run time is used as a message (write a literal or an interpolated string): " + string.Join("; ", untranslatable));

        var missing = new List<string>();
        var resource = new System.Resources.ResourceManager(CoreText.Translations.BaseName, typeof(CoreText).Assembly);
        foreach (var format in formats)
        {
            // "{0}: {1}" (a file and its reason) has no words to translate: its arguments are shown each in the reader's language.
            if (!Placeholder.Replace(format, "").Any(char.IsLetter)) continue;
            var spanish = TranslationCoverageTests.SpanishOf(resource, format);
            if (spanish is null || spanish == format)
                missing.Add(format);
            else
                Assert.True(Arguments(format).SetEquals(Arguments(spanish)), $"'{spanish}' does not use the arguments of '{format}'");
        }
        Assert.True(missing.Count == 0, $"{missing.Count} of Core's messages have no Spanish in Resources/CoreMessages.es.resx:\n" + string.Join("\n", missing));
    }

    [Fact]
    public void A_message_is_filled_in_with_the_readers_culture()
    {
        CoreMessage message = $"The message is longer than {4000:N0} characters.";
        Assert.Equal("The message is longer than {0:N0} characters.", message.Format);
        var previous = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("en-US");
            Assert.Equal("The message is longer than 4,000 characters.", CoreText.Show(message));
            CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("es-US");
            Assert.StartsWith("El mensaje tiene más de 4", CoreText.Show(message));
        }
        finally
        {
            (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture) = previous;
        }
    }

    [Fact]
    public async Task A_refusal_of_Core_shows_in_Spanish_on_a_Spanish_page_and_in_English_otherwise()
    {
        await using var app = new AppFactory(new DateTimeOffset(2026, 11, 20, 15, 0, 0, TimeSpan.Zero));
        var tenant = await app.CreateTenantAsync("msg");
        await app.CreateUserAsync(tenant.Id, "cabinet@msg.test", UserRole.Cabinet);
        var english = await app.SignedInAsync("cabinet@msg.test");
        var spanish = await app.SignedInAsync("cabinet@msg.test");
        spanish.DefaultRequestHeaders.AcceptLanguage.ParseAdd("es-US");

        static async Task<string> FieldErrors(HttpClient client) =>
            string.Join(" ", (await client.GetDocumentAsync("/Cabinet?from=2026-09-15&to=2026-10")).QuerySelectorAll(".field-error").Select(e => e.TextContent));
        Assert.Contains("A period starts on the first day of a month", await FieldErrors(english));
        var es = await FieldErrors(spanish);
        Assert.Contains("Un período empieza el primer día de un mes", es);
        Assert.DoesNotContain("A period starts", es);
    }

    /// <summary>The shapes of every <see cref="StoredText"/> Core declares (a static field, public or not).</summary>
    private static HashSet<string> StoredFormats() =>
    [
        .. typeof(StoredText).Assembly.GetTypes()
            .SelectMany(t => t.GetFields(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .Where(f => f.FieldType == typeof(StoredText))
            .SelectMany(f => ((StoredText)f.GetValue(null)!).Formats),
    ];

    private static HashSet<string> Arguments(string format) => [.. Placeholder.Matches(format).Select(m => m.Value)];

    /// <summary>
    /// The formats of every <see cref="CoreMessage"/> Core's code builds: a string literal converted to one, or an
    /// interpolated string the compiler builds through its handler methods (AppendLiteral, AppendFormatted). A
    /// conversion of a computed string is reported: it could never be translated.
    /// </summary>
    private static (HashSet<string> Formats, List<string> Untranslatable) CoreFormats()
    {
        var formats = new HashSet<string>();
        var untranslatable = new List<string>();
        var core = typeof(CoreMessage).Assembly;
        foreach (var type in core.GetTypes().Where(t => t != typeof(CoreMessage)))
            foreach (var method in type.GetMethods(IlReader.All).Cast<MethodBase>().Concat(type.GetConstructors(IlReader.All)))
            {
                var il = method.GetMethodBody()?.GetILAsByteArray();
                if (il is null) continue;
                StringBuilder? current = null;
                var argument = 0;
                string? lastString = null;
                var previous = OpCodes.Nop;
                foreach (var (_, op, operand, _, _) in IlReader.Instructions(il))
                {
                    if (op == OpCodes.Ldstr)
                        lastString = method.Module.ResolveString(operand);
                    else if (op == OpCodes.Call || op == OpCodes.Callvirt || op == OpCodes.Newobj)
                    {
                        var called = IlReader.ResolveMethod(method, operand);
                        if (called?.DeclaringType == typeof(CoreMessage))
                        {
                            switch (called.Name)
                            {
                                case ".ctor":
                                    if (current is not null) formats.Add(current.ToString());
                                    current = new StringBuilder();
                                    argument = 0;
                                    break;
                                case nameof(CoreMessage.AppendLiteral) when current is not null && previous == OpCodes.Ldstr:
                                    current.Append(Escape(lastString!));
                                    break;
                                case nameof(CoreMessage.AppendFormatted) when current is not null:
                                    var withFormat = called.GetParameters().Length == 2 && previous == OpCodes.Ldstr;
                                    current.Append('{').Append(argument++).Append(withFormat ? ":" + lastString : "").Append('}');
                                    break;
                                case "op_Implicit" when previous == OpCodes.Ldstr:
                                    formats.Add(Escape(lastString!));
                                    break;
                                case "op_Implicit":
                                    untranslatable.Add($"{type.FullName}.{method.Name}");
                                    break;
                            }
                        }
                    }
                    previous = op;
                }
                if (current is not null) formats.Add(current.ToString());
            }
        return (formats, untranslatable);
    }

    private static string Escape(string literal) => literal.Replace("{", "{{").Replace("}", "}}");
}
