using System.Text.Json;
using Microsoft.Playwright;
using SuccessPlans.Tests.Infrastructure;

namespace SuccessPlans.Tests.Browser;

/// <summary>
/// Debian's Chromium driven by Playwright (TOOLCHAIN.md: Playwright cannot download its own browsers here).
/// tests/run.sh installs chromium and the axe-core npm package when they are missing.
/// </summary>
public sealed class Chromium : IAsyncDisposable
{
    private readonly IPlaywright _playwright;
    public IBrowser Browser { get; }

    private Chromium(IPlaywright playwright, IBrowser browser) => (_playwright, Browser) = (playwright, browser);

    public static async Task<Chromium> LaunchAsync()
    {
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        return new Chromium(playwright, browser);
    }

    /// <summary>A fresh browser profile (its own cookies) on the app; 1280 px wide, or a phone's 390.</summary>
    public async Task<IPage> NewPageAsync(string baseUrl, int width = 1280, int height = 900)
    {
        var context = await Browser.NewContextAsync(new() { BaseURL = baseUrl, ViewportSize = new() { Width = width, Height = height }, Locale = "en-US", TimezoneId = "America/New_York" });
        context.SetDefaultTimeout(15_000);
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, m) => { if (m.Type == "error") errors.Add(m.Text); };
        page.PageError += (_, e) => errors.Add(e);
        Errors[page] = errors;
        return page;
    }

    /// <summary>What the browser reported as errors on the page (a script error, a CSP refusal, a failed load).</summary>
    public static Dictionary<IPage, List<string>> Errors { get; } = new();

    public async ValueTask DisposeAsync()
    {
        await Browser.CloseAsync();
        _playwright.Dispose();
    }
}

/// <summary>
/// axe-core, from its npm package, run inside the page: any serious or critical violation fails the test,
/// with the rule, its help text and the elements it found.
/// </summary>
public static class Axe
{
    private static readonly Lazy<string> Source = new(() =>
    {
        var path = Path.Combine(Model.ModelTests.RepositoryRoot(), "tests", "SuccessPlans.Tests", "Browser", "node_modules", "axe-core", "axe.min.js");
        Assert.True(File.Exists(path), $"axe-core is not installed at {path}: run bash tests/run.sh (it runs npm ci in tests/SuccessPlans.Tests/Browser).");
        return File.ReadAllText(path);
    });

    public static readonly List<string> Checked = [];

    public static async Task CheckAsync(IPage page)
    {
        // Evaluated through the DevTools protocol, which the page's Content-Security-Policy does not block,
        // so the app's own CSP stays on while axe runs.
        if (!await page.EvaluateAsync<bool>("() => typeof window.axe !== 'undefined'"))
            await page.EvaluateAsync(Source.Value + "\n;undefined");
        var violations = await page.EvaluateAsync<JsonElement>("""
            async () => {
              const result = await axe.run(document, { resultTypes: ['violations'] });
              return result.violations
                .filter(v => v.impact === 'serious' || v.impact === 'critical')
                .map(v => `${v.impact} ${v.id}: ${v.help} [${v.nodes.slice(0, 5).map(n => n.target.join(' ')).join(' | ')}]`);
            }
            """);
        var found = violations.EnumerateArray().Select(v => v.GetString()!).ToList();
        Assert.True(found.Count == 0, $"axe on {page.Url}:\n" + string.Join("\n", found));
        Checked.Add(new Uri(page.Url).AbsolutePath);
    }
}

/// <summary>The app on a real local port, for a real browser.</summary>
public static class RealServer
{
    public static string Start(AppFactory app)
    {
        app.UseKestrel(0);
        app.StartServer();
        using var client = app.CreateClient();
        return client.BaseAddress!.ToString().TrimEnd('/');
    }
}
