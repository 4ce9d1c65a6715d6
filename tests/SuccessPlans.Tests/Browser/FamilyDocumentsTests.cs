using System.Text.RegularExpressions;
using System.Xml.Linq;
using Microsoft.EntityFrameworkCore;
using SuccessPlans.Features.Audit;
using SuccessPlans.Features.Directory;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Referrals;
using SuccessPlans.Features.Students;
using SuccessPlans.Features.Users;
using SuccessPlans.Tests.Infrastructure;

namespace SuccessPlans.Tests.Browser;

/// <summary>The family's printable plan and consent form: one Letter page each in Spanish, for the student page's users only.</summary>
public class FamilyDocumentsTests : IAsyncLifetime
{
    private readonly AppFactory _app = new();
    private Chromium _chromium = null!;
    private string _url = "";
    private int _tenant, _student;

    public async Task InitializeAsync()
    {
        _url = RealServer.Start(_app);
        _chromium = await Chromium.LaunchAsync();
        (_tenant, _student) = await SpanishFamily.SeedAsync(_app);
    }

    public async Task DisposeAsync()
    {
        await _chromium.DisposeAsync();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task The_plan_and_the_consent_form_print_on_one_Letter_page_each_in_Spanish()
    {
        var page = await _chromium.NewPageAsync(_url);
        await page.GotoAsync("/Account/Login");
        await page.GetByLabel("Email").FillAsync("coord@family.test");
        await page.GetByLabel("Password").FillAsync(AppFactory.Password);
        await BrowserSignIn.SubmitAsync(page, () => page.Keyboard.PressAsync("Enter"));

        await page.GotoAsync($"/Students/{_student}");
        // The goal's chart, drawn on the server, with its text alternative (summary and table); axe finds nothing.
        Assert.True(await page.Locator("svg.goal-chart").First.IsVisibleAsync());
        Assert.Equal(2, await page.Locator("svg.goal-chart").First.Locator("circle").CountAsync());
        Assert.Contains(await page.Locator(".goal-summary .progress-code").First.InnerTextAsync(), new[] { "Progressing", "Avanza" });
        Assert.Equal(2, await page.Locator("table.goal-values").First.Locator("tbody tr").CountAsync());
        await Axe.CheckAsync(page);
        foreach (var (link, title) in new[] { ("printable success plan", "Plan de éxito de María José Hernández Villanueva"), ("consent form to print", "Permiso para compartir información sobre María José Hernández Villanueva") })
        {
            await page.GotoAsync($"/Students/{_student}");
            // Followed by its address rather than a click: a click's navigation raced the page's own load on a busy machine.
            var href = await page.GetByRole(Microsoft.Playwright.AriaRole.Link, new() { Name = link }).GetAttributeAsync("href");
            Assert.Matches("/Family/", href);
            await page.GotoAsync(href!);
            Assert.Equal(title, (await page.Locator("h1").InnerTextAsync()).Trim());
            Assert.Equal("es", await page.Locator("html").GetAttributeAsync("lang"));
            await Axe.CheckAsync(page);
            var pdf = await page.PdfAsync(new() { Format = "Letter", PrintBackground = true });
            var pages = Regex.Matches(System.Text.Encoding.Latin1.GetString(pdf), @"/Type\s*/Page(?![a-z])").Count;
            Assert.True(pages == 1, $"{page.Url} prints on {pages} pages");
        }
        Assert.Contains("Trabajo escolar", await (await page.GotoAsync($"/Students/{_student}/Family/Plan"))!.TextAsync());
        Assert.Empty(Chromium.Errors[page]);
    }

    [Fact]
    public void Every_English_text_of_the_family_documents_has_a_Spanish_translation()
    {
        var folder = Path.Combine(Model.ModelTests.RepositoryRoot(), "src", "SuccessPlans.Web", "Resources", "Features", "Students");
        static Dictionary<string, string> Read(string path) => XDocument.Load(path).Root!.Elements("data")
            .ToDictionary(d => d.Attribute("name")!.Value, d => d.Element("value")?.Value ?? "");
        var english = Read(Path.Combine(folder, "FamilyDocuments.resx"));
        Assert.NotEmpty(english);
        foreach (var language in SuccessPlans.Web.Features.Students.FamilyDocuments.Translated)
        {
            var translated = Read(Path.Combine(folder, $"FamilyDocuments.{language}.resx"));
            var missing = english.Keys.Where(k => string.IsNullOrWhiteSpace(translated.GetValueOrDefault(k))).ToList();
            Assert.True(missing.Count == 0, $"{language} lacks: {string.Join(", ", missing)}");
            // A placeholder the English text fills must be in the translation too.
            Assert.All(english.Where(e => e.Value.Contains("{0}")), e => Assert.Contains("{0}", translated[e.Key]));
        }
    }
}
