using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using SuccessPlans.Features.Jobs;
using SuccessPlans.Features.Notifications;
using SuccessPlans.Features.Plans;
using SuccessPlans.Features.Referrals;
using SuccessPlans.Features.Users;
using SuccessPlans.Tests.Infrastructure;

namespace SuccessPlans.Tests.Browser;

/// <summary>
/// Every role's journey in a real browser (Debian's Chromium) against the app on a real port, with a real SMTP
/// server: import, review, plan, consent (by keyboard alone), refer, accept, deliver, complete, the nightly check
/// and its digest, the cabinet's count; then other tenants and wrong roles get nothing. axe-core checks every
/// page visited. It runs twice: in English on a 1,366 px laptop, and in Spanish (a Mexican Spanish browser) on a
/// 390 px phone, where the selectors are ids, values and the Spanish accessible names, and no English heading shows;
/// each page of either run is also checked at the other width, so every role's pages pass at both widths in both
/// languages.
/// </summary>
public class JourneyTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 11, 2, 14, 0, 0, TimeSpan.Zero); // a Monday, 9:00 in New York
    private readonly AppFactory _app = new(Start);
    private SmtpServer _smtp = null!;
    private Chromium _chromium = null!;
    private string _url = "";
    private int _tenant, _otherTenant;
    // The run's browser: its language (the pages follow it) and its width.
    private string _locale = "en-US";
    private int _width = 1366;
    private bool Spanish => _locale.StartsWith("es", StringComparison.Ordinal);

    /// <summary>The run's words: the English, or the Spanish of the .es.resx files.</summary>
    private string T(string english, string spanish) => Spanish ? spanish : english;

    public async Task InitializeAsync()
    {
        _smtp = await SmtpServer.StartNewAsync();
        _app.Settings["Email:Delivery"] = "Smtp";
        _app.Settings["Email:Smtp:Host"] = "127.0.0.1";
        _app.Settings["Email:Smtp:Port"] = _smtp.Port.ToString(CultureInfo.InvariantCulture);
        _app.Settings["Email:Smtp:Security"] = "None";
        _app.Settings["Jobs:RunServer"] = "true"; // "Run now" goes through Hangfire, as in production
        _url = RealServer.Start(_app);
        _chromium = await Chromium.LaunchAsync();

        _tenant = (await _app.CreateTenantAsync("journey")).Id;
        await _app.CreateUserAsync(_tenant, "admin@journey.test", UserRole.Admin);
        _otherTenant = (await _app.CreateTenantAsync("elsewhere")).Id;
        var otherSchool = await _app.CreateSchoolAsync(_otherTenant, "Elsewhere Elementary");
        await _app.CreateUserAsync(_otherTenant, "coordinator@elsewhere.test", UserRole.Coordinator, [otherSchool.Id]);
        await _app.CreateUserAsync(_otherTenant, "admin@elsewhere.test", UserRole.Admin);
    }

    public async Task DisposeAsync()
    {
        await _chromium.DisposeAsync();
        await _app.DisposeAsync();
        await _smtp.DisposeAsync();
    }

    private async Task<IPage> SignInAsync(string email)
    {
        var page = await _chromium.NewPageAsync(_url, _width, locale: _locale);
        await VisitAsync(page, "/Account/Login");
        Assert.Equal(Spanish ? "es" : "en", await page.Locator("html").GetAttributeAsync("lang"));
        await page.GetByLabel(T("Email", "Correo electrónico")).FillAsync(email);
        await page.GetByLabel(T("Password", "Contraseña")).FillAsync(AppFactory.Password);
        await BrowserSignIn.SubmitAsync(page, () => page.GetByRole(AriaRole.Button, new() { Name = T("Sign in", "Iniciar sesión") }).ClickAsync(),
            _app.AuthenticatorKeys.GetValueOrDefault(email));
        await CheckAsync(page);
        return page;
    }

    /// <summary>Goes to a page that must answer 200, then checks it.</summary>
    private static async Task VisitAsync(IPage page, string path)
    {
        var response = await page.GotoAsync(path);
        Assert.True(response!.Status == 200, $"{path} answered {response.Status}");
        await CheckAsync(page);
    }

    /// <summary>axe, no browser error, and on a phone no page wider than the screen.</summary>
    /// <summary>
    /// Checks the page at the run's width, then at the other one (a laptop's or a phone's) and back, so every page of
    /// both journeys is checked at 390 px and 1,366 px in its language: axe, browser errors, no sideways scrolling.
    /// </summary>
    private static async Task CheckAsync(IPage page)
    {
        await Navigation.LoadedAsync(page);
        var size = page.ViewportSize!;
        await CheckAtAsync(page);
        await ResizeAsync(page, size.Width < 500 ? 1366 : 390, size.Width < 500 ? 768 : 844);
        await CheckAtAsync(page);
        await ResizeAsync(page, size.Width, size.Height);
    }

    /// <summary>
    /// Resizes the viewport and waits two animation frames: the page's resize handler (site.js puts a table that now
    /// scrolls sideways into the tab order) runs in the frame's resize step, before its animation frame callbacks.
    /// </summary>
    private static async Task ResizeAsync(IPage page, int width, int height)
    {
        await page.SetViewportSizeAsync(width, height);
        await page.EvaluateAsync("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))");
    }

    private static async Task CheckAtAsync(IPage page)
    {
        await Axe.CheckAsync(page);
        Assert.True(Chromium.Errors[page].Count == 0, $"browser errors on {page.Url}: {string.Join("; ", Chromium.Errors[page])}");
        var width = page.ViewportSize!.Width;
        if (width < 500)
        {
            var scrollWidth = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth");
            if (scrollWidth > width)
            {
                var culprits = await page.EvaluateAsync<string>("""
                    w => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > w && !(e.parentElement && e.parentElement.getBoundingClientRect().right > w))
                      .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right) + ' ' + getComputedStyle(e.parentElement).display + '/' + getComputedStyle(e.parentElement).overflowX + '/' + e.parentElement.tagName).join(', ')
                    """, width);
                Assert.Fail($"{page.Url} is {scrollWidth} px wide on a {width} px screen: {culprits}");
            }
        }
    }

    private static async Task ClickAndCheckAsync(IPage page, ILocator target, float? timeout = null)
    {
        await Navigation.ClickAsync(page, target, timeout);
        await CheckAsync(page);
    }

    /// <summary>An import's "Import now" answers when the import is written: 1,200 students take seconds, and more than the default minute on a machine loaded by other builds.</summary>
    private const float ImportTimeout = 300_000;

    private static string Root => Model.ModelTests.RepositoryRoot();

    [Theory]
    [InlineData("en-US", 1366)]
    [InlineData("es-MX", 390)]
    public async Task Every_role_does_its_part_in_a_real_browser_and_others_get_nothing(string locale, int width)
    {
        (_locale, _width) = (locale, width);
        // An Admin imports the roster (OneRoster CSV) and the directory (HSDS CSV).
        var admin = await SignInAsync("admin@journey.test");
        await VisitAsync(admin, "/Roster/Import");
        await admin.Locator("#files").SetInputFilesAsync(Directory.GetFiles(Path.Combine(Root, "seed-data", "demo", "oneroster"), "*.csv"));
        await ClickAndCheckAsync(admin, admin.GetByRole(AriaRole.Button, new() { Name = T("Upload and check", "Subir y revisar") }));
        await ClickAndCheckAsync(admin, admin.GetByRole(AriaRole.Button, new() { Name = T("Import now", "Importar ahora") }), ImportTimeout);
        Assert.Equal(1200, await _app.InTenant(_tenant, (_, db) => db.Students.CountAsync()));
        await VisitAsync(admin, "/Directory");
        await admin.Locator("#files").SetInputFilesAsync(Directory.GetFiles(Path.Combine(Root, "seed-data", "demo", "hsds"), "*.csv"));
        await ClickAndCheckAsync(admin, admin.GetByRole(AriaRole.Button, new() { Name = T("Upload and check", "Subir y revisar") }));
        await ClickAndCheckAsync(admin, admin.GetByRole(AriaRole.Button, new() { Name = T("Import now", "Importar ahora") }), ImportTimeout);
        Assert.True(await _app.InTenant(_tenant, (_, db) => db.Services.CountAsync()) > 20);

        var schools = await _app.InTenant(_tenant, (_, db) => db.Schools.OrderBy(s => s.Name).Select(s => s.Id).ToListAsync());
        await _app.CreateUserAsync(_tenant, "coordinator@journey.test", UserRole.Coordinator, [schools[0]]);
        // In the Spanish run the coordinator has chosen Spanish (My settings), so the digest comes in Spanish too.
        if (Spanish) await _app.InTenant(_tenant, (_, db) => db.Users.Where(u => u.Email == "coordinator@journey.test").ExecuteUpdateAsync(u => u.SetProperty(x => x.Language, "es")));
        await _app.CreateUserAsync(_tenant, "cabinet@journey.test", UserRole.Cabinet);
        // The partnership's earlier work, in another school, so the cabinet's counts are above the suppression threshold.
        var earlierService = await _app.InTenant(_tenant, (_, db) => db.Services.Where(s => s.Domain == Domain.Family).Select(s => s.Id).FirstAsync());
        var earlier = await _app.ServeAsync(_tenant, schools[1], Domain.Family, earlierService, 12, [DateOnly.FromDateTime(Start.UtcDateTime.AddDays(-20))], "Earlier");

        // The cabinet's count before.
        var cabinet = await SignInAsync("cabinet@journey.test");
        Assert.Equal("12", await ServicesDeliveredAsync(cabinet));

        // A coordinator reviews two students of a grade: a need for each.
        var coordinator = await SignInAsync("coordinator@journey.test");
        await VisitAsync(coordinator, "/Review");
        await HeadingAsync(coordinator, "Whole-class review", "Revisión de toda la clase");
        await ClickAndCheckAsync(coordinator, coordinator.Locator("main a.button").First);
        var first = (await coordinator.Locator("h1").InnerTextAsync()).Trim();
        await coordinator.GetByLabel(T("2: moderate need", "2: necesidad moderada")).CheckAsync();
        await coordinator.GetByLabel(T("Kind, row 1", "Tipo, fila 1")).SelectOptionAsync("Need");
        await coordinator.GetByLabel(T("Description, row 1", "Descripción, fila 1")).FillAsync("Reads two grades below");
        await coordinator.GetByLabel(T("Goal, row 1", "Meta, fila 1")).FillAsync("Reading at grade level by June");
        await ClickAndCheckAsync(coordinator, coordinator.GetByRole(AriaRole.Button, new() { Name = T("Save and next", "Guardar y seguir") }));
        var second = (await coordinator.Locator("h1").InnerTextAsync()).Trim();
        Assert.NotEqual(first, second);
        await coordinator.GetByLabel(T("3: intensive need", "3: necesidad intensiva")).CheckAsync();
        await coordinator.GetByLabel(T("Kind, row 3", "Tipo, fila 3")).SelectOptionAsync("Need");
        await coordinator.GetByLabel(T("Description, row 3", "Descripción, fila 3")).FillAsync("Cannot see the board");
        await ClickAndCheckAsync(coordinator, coordinator.GetByRole(AriaRole.Button, new() { Name = T("Save and next", "Guardar y seguir") }));
        Assert.NotEqual(second, (await coordinator.Locator("h1").InnerTextAsync()).Trim());
        Assert.Equal(2, await _app.InTenant(_tenant, (_, db) => db.PlanItems.CountAsync(i => i.Kind == PlanItemKind.Need && i.Plan.Student.SchoolId == schools[0])));

        // Finds the first student, records the guardian's consent with the keyboard alone, finds a service and refers.
        var studentId = await _app.InTenant(_tenant, (_, db) => db.Students.Where(s => s.GivenName + " " + s.FamilyName == first).Select(s => s.Id).SingleAsync());
        await VisitAsync(coordinator, "/Students");
        await HeadingAsync(coordinator, "Caseload", "Mis estudiantes");
        await coordinator.GetByLabel(T("Name or id", "Nombre o identificador")).FillAsync(first);
        await Navigation.ByAsync(coordinator, () => coordinator.GetByLabel(T("Name or id", "Nombre o identificador")).PressAsync("Enter"));
        Assert.Contains("q=", coordinator.Url);
        await CheckAsync(coordinator);
        await ClickAndCheckAsync(coordinator, coordinator.Locator($"main a[href='/Students/{studentId}']"));
        Assert.EndsWith($"/Students/{studentId}", coordinator.Url);
        await ClickAndCheckAsync(coordinator, coordinator.GetByRole(AriaRole.Link, new() { Name = T("Record a consent", "Registrar un consentimiento") }));
        await RecordConsentByKeyboardAsync(coordinator, T("Record consent", "Registrar el consentimiento"), Spanish);
        Assert.Equal(1, await _app.InTenant(_tenant, (_, db) => db.Consents.CountAsync(c => c.StudentId == studentId && c.GuardianName == "Maria Keyboard")));
        await ClickAndCheckAsync(coordinator, coordinator.GetByRole(AriaRole.Link, new() { Name = T("Find a service", "Buscar un servicio") }).First);
        await ClickAndCheckAsync(coordinator, coordinator.GetByRole(AriaRole.Link, new() { Name = T("Choose", "Elegir") }).First);
        await ClickAndCheckAsync(coordinator, coordinator.GetByRole(AriaRole.Button, new() { Name = T("Send the referral", "Enviar la remisión") }));
        var referral = await _app.InTenant(_tenant, (_, db) => db.Referrals.Where(r => r.StudentId == studentId).Select(r => new { r.Id, r.OrganizationId, r.Status }).SingleAsync());
        Assert.Equal(ReferralStatus.Sent, referral.Status);

        // The provider accepts, records two services and completes.
        await _app.CreateUserAsync(_tenant, "provider@journey.test", UserRole.Provider, organizationId: referral.OrganizationId);
        var provider = await SignInAsync("provider@journey.test");
        await VisitAsync(provider, "/Provider/Referrals");
        await HeadingAsync(provider, "Referrals", "Remisiones");
        await ClickAndCheckAsync(provider, provider.Locator($"a[href='/Provider/Referrals/{referral.Id}']"));
        await ClickAndCheckAsync(provider, provider.GetByRole(AriaRole.Button, new() { Name = T("Accept", "Aceptar") }));
        await provider.GetByLabel(T("Note", "Nota"), new() { Exact = true }).Last.FillAsync("Session 1");
        await ClickAndCheckAsync(provider, provider.GetByRole(AriaRole.Button, new() { Name = T("Record service", "Registrar servicio") }));
        // The second by keyboard alone: Tab to the note, type, Enter.
        await TabToAsync(provider, "deliver-note");
        await provider.Keyboard.TypeAsync("Session 2");
        await provider.Keyboard.PressAsync("Enter");
        await provider.WaitForFunctionAsync("() => document.body.innerText.includes('Session 2')");
        await CheckAsync(provider);
        await provider.GetByLabel(T("Outcome", "Resultado")).SelectOptionAsync(new SelectOptionValue { Label = T("got help, goal met", "recibió ayuda, meta cumplida") });
        await provider.Locator("#close-note").FillAsync("Reading at grade level");
        // Closing asks first (the page's confirmation dialog); the provider says yes.
        await ConfirmDialog.YesAsync(provider, provider.GetByRole(AriaRole.Button, new() { Name = T("Close the referral", "Cerrar la remisión") }),
            T("Close this referral?", "¿Cerrar esta remisión?"), T("Yes, go ahead", "Sí, continuar"));
        await CheckAsync(provider);
        Assert.Equal(ReferralStatus.Completed, await _app.InTenant(_tenant, (_, db) => db.Referrals.Where(r => r.Id == referral.Id).Select(r => r.Status).SingleAsync()));
        Assert.Equal(2, await _app.InTenant(_tenant, (_, db) => db.ServiceDeliveries.CountAsync(d => d.ReferralId == referral.Id)));

        // The coordinator is told at once, and confirms the need met in one click from the worklist.
        await VisitAsync(coordinator, "/Home/Coordinator");
        var worklist = await coordinator.Locator("main").InnerTextAsync();
        Assert.Contains(T("Goal met: confirm the need", "Meta cumplida: confirme la necesidad"), worklist);
        if (Spanish) Assert.DoesNotContain("Goal met: confirm the need", worklist);
        await ClickAndCheckAsync(coordinator, coordinator.GetByRole(AriaRole.Button, new() { Name = T("Confirm need met", "Confirmar necesidad atendida") }).First);
        Assert.True(await _app.InTenant(_tenant, (_, db) => db.PlanItems.AnyAsync(i => i.Plan.StudentId == studentId && i.Status == NeedStatus.Met)));

        // The cabinet sees the count go up by two.
        await VisitAsync(cabinet, "/Cabinet");
        Assert.Equal("14", await ServicesDeliveredAsync(cabinet));

        // Fifteen days on, the Admin runs the nightly check: the second student's need is unmet, and the digest
        // reaches the coordinator at a real SMTP server.
        _app.Time.Advance(TimeSpan.FromDays(15));
        var admin2 = await SignInAsync("admin@journey.test");
        await VisitAsync(admin2, "/Jobs");
        await ClickAndCheckAsync(admin2, admin2.Locator($"form:has(input[value='{TenantJobCatalog.NightlyCheck.Name}']) button"));
        await WaitUntilAsync(() => _app.InTenant(_tenant, (_, db) => db.JobRuns.AnyAsync(r => r.JobName == TenantJobCatalog.NightlyCheck.Name && r.FinishedAt != null)));
        await _app.Services.GetRequiredService<OutboxDispatcher>().SendPendingAsync(CancellationToken.None);
        // The digest, picked by its subject: Hangfire's recurring referral-updates mailer runs on the wall clock, so
        // the coordinator's "referral update" email may go out in the same flush, or not. Its outbox dispatch may also
        // have claimed the digest first (the flush above then skips it), so the test waits for it to arrive.
        List<MimeKit.MimeMessage> ToCoordinator() => _smtp.Messages().Select(m => MimeKit.MimeMessage.Load(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(m))))
            .Where(m => m.To.Mailboxes.Any(a => a.Address == "coordinator@journey.test")).ToList();
        await WaitUntilAsync(() => Task.FromResult(ToCoordinator().Any(m => (m.Subject ?? "").Contains(T("open flag(s)", "alerta(s) abierta(s)"), StringComparison.Ordinal))));
        var toCoordinator = ToCoordinator();
        var digestMail = Assert.Single(toCoordinator, m => (m.Subject ?? "").Contains(T("open flag(s)", "alerta(s) abierta(s)"), StringComparison.Ordinal));
        Assert.All(toCoordinator.Where(m => m != digestMail), m => Assert.Contains(T("referral update", "remisi"), m.Subject ?? "", StringComparison.OrdinalIgnoreCase));
        var digest = digestMail.TextBody ?? "";
        Assert.Contains(T("Unmet need", "Necesidad no atendida"), digest); // in the language the coordinator chose
        Assert.True(digest.Contains(second), $"{second} not in the digest:\n{digest}");
        Assert.DoesNotContain(first, digest); // referred and served: nothing to flag
        var coordinator2 = await SignInAsync("coordinator@journey.test");
        Assert.Contains(second, await coordinator2.Locator("table.flags").InnerTextAsync());

        // Another tenant's users, and users of the wrong role, get nothing: not the page, not the child's name.
        var stranger = await SignInAsync("coordinator@elsewhere.test");
        var strangerAdmin = await SignInAsync("admin@elsewhere.test");
        var providerAgain = await SignInAsync("provider@journey.test");
        var cabinetAgain = await SignInAsync("cabinet@journey.test");
        var coordinatorWide = await SignInAsync("coordinator@journey.test");
        foreach (var (page, path) in new[]
                 {
                     (stranger, $"/Students/{studentId}"), (stranger, $"/Students/{studentId}/Consent"), (stranger, $"/Provider/Referrals/{referral.Id}"), (stranger, "/Cabinet"),
                     (strangerAdmin, $"/Students/{studentId}"), (strangerAdmin, $"/Students/{studentId}/Needs/1/Refer"),
                     (providerAgain, $"/Students/{studentId}"), (providerAgain, "/Review"), (providerAgain, "/Cabinet"),
                     (cabinetAgain, $"/Students/{studentId}"), (cabinetAgain, $"/Provider/Referrals/{referral.Id}"), (cabinetAgain, "/Students"),
                     (coordinatorWide, $"/Provider/Referrals/{referral.Id}"), (coordinatorWide, "/Roster/Import"), (coordinatorWide, "/Cabinet"),
                 })
        {
            var response = await page.GotoAsync(path);
            Assert.True(response!.Status is 403 or 404 || page.Url.Contains("/Account/AccessDenied"), $"{path} answered {response.Status} at {page.Url}");
            var text = await page.Locator("body").InnerTextAsync();
            Assert.DoesNotContain(first, text);
            Assert.Equal(0, await page.Locator("[data-measure]").CountAsync()); // no dashboard figure either
            await Axe.CheckAsync(page);
        }
        foreach (var name in earlier) Assert.DoesNotContain(name, await cabinet.Locator("body").InnerTextAsync());
    }

    /// <summary>The page's title is in the run's language, and in the Spanish run not in English.</summary>
    private async Task HeadingAsync(IPage page, string english, string spanish)
    {
        var h1 = await page.Locator("h1").InnerTextAsync();
        Assert.Contains(T(english, spanish), h1);
        if (Spanish) Assert.DoesNotContain(english, h1);
    }

    private static async Task<string> ServicesDeliveredAsync(IPage cabinet) =>
        (await cabinet.Locator("[data-measure='Services delivered'] dd").InnerTextAsync()).Trim();

    /// <summary>Presses Tab from wherever the focus is until the element with the id has it.</summary>
    private static async Task TabToAsync(IPage page, string id)
    {
        for (var i = 0; i < 80 && await page.EvaluateAsync<string>("() => document.activeElement?.id ?? ''") != id; i++)
            await page.Keyboard.PressAsync("Tab");
        Assert.Equal(id, await page.EvaluateAsync<string>("() => document.activeElement?.id ?? ''"));
    }

    /// <summary>The consent form with Tab, typing, Space and Enter only: no mouse, no clicks.</summary>
    private static async Task RecordConsentByKeyboardAsync(IPage page, string recordConsent, bool spanish)
    {
        async Task<string> Focused() => await page.EvaluateAsync<string>("() => document.activeElement?.id ?? ''");
        await TabToAsync(page, "Input_GuardianName");
        await page.Keyboard.TypeAsync("Maria Keyboard");
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("Input_GivenOn", await Focused());
        // The date field takes the browser's order: month, day, year in English; day, month, year in Mexican Spanish.
        await page.Keyboard.TypeAsync(spanish ? "01112026" : "11012026");
        for (var i = 0; i < 10 && await Focused() != "Input_SharesWithAnyPartner"; i++) await page.Keyboard.PressAsync("Tab");
        Assert.Equal("Input_SharesWithAnyPartner", await Focused());
        await page.Keyboard.PressAsync("Space");
        for (var i = 0; i < 60 && await page.EvaluateAsync<string>("() => document.activeElement?.textContent?.trim() ?? ''") != recordConsent; i++)
            await page.Keyboard.PressAsync("Tab");
        await Navigation.ByAsync(page, () => page.Keyboard.PressAsync("Enter"));
        Assert.Matches(@"/Students/\d+$", page.Url);
        await CheckAsync(page);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 300; i++) // up to a minute: a busy CI machine may be slow to pick the job up
        {
            if (await condition()) return;
            await Task.Delay(200);
        }
        Assert.Fail("timed out waiting for the background job");
    }
}
