using SuccessPlans.Tests.Infrastructure;
using SuccessPlans.Web.Hosting;

namespace SuccessPlans.Tests.Web;

/// <summary>
/// The translator reads each culture's texts once: a regional culture finds its language's texts, English and any
/// culture without a resource get the English key, and a resource with no neutral part (CoreMessages) answers too.
/// </summary>
public class TranslatorTests
{
    [Theory]
    [InlineData("es", "Académico")]
    [InlineData("es-MX", "Académico")]
    [InlineData("en-US", "Academic")]
    [InlineData("fr-FR", "Academic")]
    [InlineData("", "Academic")]
    public void A_label_is_read_in_the_culture_or_its_parent(string culture, string expected) =>
        Assert.Equal(expected, TestCulture.ReadIn(culture, () => Labels.T("Academic")));

    [Theory]
    [InlineData("es-US", "Un período puede abarcar como máximo {0} años.")]
    [InlineData("en", "A period can span at most {0} years.")]
    [InlineData("de-DE", "A period can span at most {0} years.")]
    public void A_core_message_with_no_neutral_resource_is_read_in_every_culture(string culture, string expected) =>
        Assert.Equal(expected, TestCulture.ReadIn(culture, () => CoreText.Translations["A period can span at most {0} years."]));

    [Fact]
    public void A_text_with_no_translation_stays_in_English() =>
        Assert.Equal("No such text, anywhere.", TestCulture.ReadIn("es", () => CoreText.Translations["No such text, anywhere."]));

    [Fact]
    public void One_translator_answers_each_thread_in_its_own_culture()
    {
        var answers = Enumerable.Range(0, 64).AsParallel().Select(i =>
            TestCulture.ReadIn(i % 2 == 0 ? "es-MX" : "en-GB", () => Labels.T("Academic"))).ToList();
        Assert.Equal(32, answers.Count(a => a == "Académico"));
        Assert.Equal(32, answers.Count(a => a == "Academic"));
    }
}
