using Microsoft.AspNetCore.Hosting;
using System.Text.Json;
using Microsoft.Playwright;
using SuccessPlans.Tests.Infrastructure;

namespace SuccessPlans.Tests.Browser;

/// <summary>
/// Debian's Chromium driven by Playwright (Playwright cannot download its own browsers on this machine: see docs/toolchain.md).
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
    public async Task<IPage> NewPageAsync(string baseUrl, int width = 1280, int height = 900, string locale = "en-US")
    {
        var context = await Browser.NewContextAsync(new() { BaseURL = baseUrl, IgnoreHTTPSErrors = true, ViewportSize = new() { Width = width, Height = height }, Locale = locale, TimezoneId = "America/New_York" });
        // Generous: the browser tests share the two cores with the in-process half of the run (tests/run.sh).
        context.SetDefaultTimeout(60_000);
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
/// Following a link or posting a form, then waiting for the page it leads to.
/// </summary>
/// <remarks>
/// A click returns before the browser has necessarily started to navigate, so "wait for DOMContentLoaded" after it
/// races: it can answer for the page being left, or wait on a lifecycle event of a document Playwright has already
/// seen replaced (two CI runs hung there for their whole timeout after such a click). Instead the page being left is
/// marked, and the wait is for a document without the mark that has finished loading, which is the condition the
/// checks after it need. When that does not come, the message says where the browser stood.
/// </remarks>
public static class Navigation
{
    public static Task ClickAsync(IPage page, ILocator target, float? timeout = null) => ByAsync(page, () => target.ClickAsync(), timeout);

    /// <summary>Does <paramref name="action"/> (a key press, a click) that leaves the page, and waits for the new page to have loaded.</summary>
    public static async Task ByAsync(IPage page, Func<Task> action, float? timeout = null)
    {
        await MarkAsync(page);
        await action();
        await ArrivedAsync(page, timeout);
    }

    /// <summary>Marks the page being left, before a key press or click that leaves it.</summary>
    public static Task MarkAsync(IPage page) => page.EvaluateAsync("() => { window.__leaving = true; }");

    /// <summary>Waits for a new document (one without the mark of the page being left) to have loaded.</summary>
    public static async Task ArrivedAsync(IPage page, float? timeout = null)
    {
        try
        {
            await page.WaitForFunctionAsync("() => !window.__leaving && document.readyState === 'complete'", null,
                new() { Timeout = timeout ?? 60_000, PollingInterval = 50 });
        }
        catch (TimeoutException e)
        {
            var state = "unknown";
            try { state = await page.EvaluateAsync<string>("() => (window.__leaving ? 'still the page being left, ' : 'a new page, ') + document.readyState"); }
            catch (PlaywrightException) { }
            throw new TimeoutException($"No new page loaded after the click; the browser is at {page.Url}: {state}.", e);
        }
    }

    /// <summary>For checks of the page now shown: its document has loaded (a page opened by GotoAsync or a click).</summary>
    public static Task LoadedAsync(IPage page) =>
        page.WaitForFunctionAsync("() => document.readyState === 'complete'", null, new() { PollingInterval = 50 });
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

    // A page's check takes well under a second; Playwright's evaluate has no timeout of its own, so a run that never
    // ends would hold the test until the suite's hang timeout (tests/run.sh) instead of failing with the page's address.
    private static readonly TimeSpan AxeTimeout = TimeSpan.FromSeconds(60);

    public static async Task CheckAsync(IPage page)
    {
        // Evaluated through the DevTools protocol, which the page's Content-Security-Policy does not block,
        // so the app's own CSP stays on while axe runs.
        if (!await page.EvaluateAsync<bool>("() => typeof window.axe !== 'undefined'"))
            await page.EvaluateAsync(Source.Value + "\n;undefined");
        var run = page.EvaluateAsync<JsonElement>("""
            async () => {
              const result = await axe.run(document, { resultTypes: ['violations'] });
              return result.violations
                .filter(v => v.impact === 'serious' || v.impact === 'critical')
                .map(v => `${v.impact} ${v.id}: ${v.help} [${v.nodes.slice(0, 5).map(n => n.target.join(' ')).join(' | ')}]`);
            }
            """);
        JsonElement violations;
        try { violations = await run.WaitAsync(AxeTimeout); }
        catch (TimeoutException e) { throw new TimeoutException($"axe did not finish on {page.Url} within {AxeTimeout.TotalSeconds} s", e); }
        var found = violations.EnumerateArray().Select(v => v.GetString()!).ToList();
        Assert.True(found.Count == 0, $"axe on {page.Url}:\n" + string.Join("\n", found));
    }
}

/// <summary>
/// The app on a real local port, over HTTPS as in production (its cookies are Secure-only outside Development),
/// with a certificate made for the test run; the browser contexts accept it.
/// </summary>
public static class RealServer
{
    public static string Start(AppFactory app)
    {
        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=127.0.0.1", rsa,
            System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
        var names = new System.Security.Cryptography.X509Certificates.SubjectAlternativeNameBuilder();
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        using var made = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        var certificate = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12(made.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pfx), null);
        app.UseKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0, listen => listen.UseHttps(certificate)));
        app.StartServer();
        var addresses = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features
            .Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses;
        return addresses.Single(a => a.StartsWith("https://", StringComparison.Ordinal)).TrimEnd('/');
    }
}

/// <summary>Signing in through the real forms, the second factor included when the account has one.</summary>
/// <remarks>
/// It waits as <see cref="Navigation"/> does, for a new document to have loaded, not for a URL: a wait for the URL to
/// change can miss a navigation that ended before it began listening, and then waits for one that never comes (a 60 s
/// timeout in CI, once). A form that answers with itself (a wrong password, a refusal) fails at once, with its message.
/// </remarks>
public static class BrowserSignIn
{
    /// <summary>
    /// Submits the filled sign-in form with <paramref name="submit"/> (a key press or a click), answers the two-factor
    /// form with a code of <paramref name="authenticatorKey"/> when asked, and checks that the sign-in pages are left.
    /// </summary>
    public static async Task SubmitAsync(IPage page, Func<Task> submit, string? authenticatorKey = null)
    {
        await Navigation.MarkAsync(page);
        await submit();
        await Navigation.ArrivedAsync(page);
        if (page.Url.Contains("/Account/LoginWith2fa", StringComparison.Ordinal))
        {
            Assert.NotNull(authenticatorKey);
            // By id and role, not by words: the form may be in Spanish.
            await page.Locator("#Code").FillAsync(Totp.Code(authenticatorKey));
            await Navigation.ClickAsync(page, page.Locator("main form button[type=submit]"));
        }
        if (new Uri(page.Url).AbsolutePath.StartsWith("/Account/Login", StringComparison.OrdinalIgnoreCase))
            Assert.Fail($"The sign-in stayed at {page.Url}: {await page.Locator("main").InnerTextAsync()}");
    }
}

/// <summary>The page's confirmation dialog (a form marked data-confirm asks in it before it posts).</summary>
public static class ConfirmDialog
{
    /// <summary>Presses the button, checks the dialog asks the question, says yes, and waits for the form to have posted.</summary>
    public static async Task YesAsync(IPage page, ILocator button, string question, string yes = "Yes, go ahead")
    {
        await button.ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Assertions.Expect(dialog).ToContainTextAsync(question);
        // The confirmed form posts and leaves the page with what it did.
        await Navigation.ClickAsync(page, dialog.GetByRole(AriaRole.Button, new() { Name = yes }));
        await Assertions.Expect(button).ToHaveCountAsync(0);
    }
}
