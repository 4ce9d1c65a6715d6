using SuccessPlans.Features.Directory;
using SuccessPlans.Features.Flags;
using SuccessPlans.Features.Roster;
using SuccessPlans.Features.Students;
using SuccessPlans.Features.Users;
using Microsoft.Extensions.DependencyInjection;
using SuccessPlans.Tests.Infrastructure;

namespace SuccessPlans.Tests.Web;

/// <summary>
/// The admin, directory, provider and cabinet screens speak Spanish to a browser that asks for it (headings, page
/// models' messages and validation texts) and stay English for the others.
/// </summary>
public class SpanishScreensTests : IAsyncLifetime
{
    private readonly AppFactory _app = new(new DateTimeOffset(2026, 11, 20, 15, 0, 0, TimeSpan.Zero));
    private int _organization, _tenant, _student;

    public async Task InitializeAsync()
    {
        var tenant = await _app.CreateTenantAsync("es");
        _tenant = tenant.Id;
        var school = await _app.CreateSchoolAsync(tenant.Id, "Escuela Norte");
        _student = await _app.InTenant(tenant.Id, async (_, db) =>
        {
            var child = new Student { GivenName = "Ana", FamilyName = "Ruiz", SchoolId = school.Id, Grade = "03" };
            db.Students.Add(child);
            await db.SaveChangesAsync();
            var at = new DateTime(2026, 11, 2, 15, 0, 0, DateTimeKind.Utc);
            db.StudentEvents.Add(new StudentEvent { StudentId = child.Id, At = at, UserName = "Coordinadora", Action = "plan created", Details = "2026–27" });
            db.StudentEvents.Add(new StudentEvent { StudentId = child.Id, At = at.AddDays(1), UserName = "Ayuda Grande", Action = "referral accepted", Details = "#7" });
            // Details in the shapes the use cases write them (English when stored): the product's words translate, the need's own stay.
            db.StudentEvents.Add(new StudentEvent { StudentId = child.Id, At = at.AddDays(2), UserName = "nightly check", Action = "referral expired", Details = "Referral #12: no answer in time" });
            db.StudentEvents.Add(new StudentEvent { StudentId = child.Id, At = at.AddDays(3), UserName = "Coordinadora", Action = "need added", Details = "Academic: Reading below grade level" });
            db.StudentEvents.Add(new StudentEvent { StudentId = child.Id, At = at.AddDays(4), UserName = "Coordinadora", Action = "tier set", Details = "Tier 2 (Fall review)" });
            db.StudentEvents.Add(new StudentEvent { StudentId = child.Id, At = at.AddDays(5), UserName = "Coordinadora", Action = "consent recorded",
                Details = "Rosa Lopez, given 2026-10-01; services; sharing with Bright Eyes, Smile Van; expires 2027-10-01" });
            // Change lists (HistoryTextsTests reads every kind): a need's, a roster import's, a delivery's correction, an outcome's note.
            db.StudentEvents.Add(new StudentEvent { StudentId = child.Id, At = at.AddDays(6), UserName = "Coordinadora", Action = "need updated",
                Details = "Academic: Reading below grade level (status Open → ClosedUnmet, goal changed, priority Low → High)" });
            db.StudentEvents.Add(new StudentEvent { StudentId = child.Id, At = at.AddDays(7), UserName = "Admin", Action = "changed by roster import",
                Details = "roster upload #4: school Escuela Sur → Escuela Norte; grade 02 → 03; preferred name none → Anita; home language en → es" });
            db.StudentEvents.Add(new StudentEvent { StudentId = child.Id, At = at.AddDays(8), UserName = "Ayuda Grande", Action = "delivery corrected",
                Details = "Referral #7: Delivery of 2026-11-01, 3 sessions corrected to 2026-11-02, 1 session: wrong day" });
            db.StudentEvents.Add(new StudentEvent { StudentId = child.Id, At = at.AddDays(9), UserName = "Ayuda Grande", Action = "referral declined",
                Details = "Referral #8: no capacity: full until May" });
            db.Flags.Add(new Flag { Kind = FlagKind.ReviewOverdue, SubjectId = child.Id, StudentId = child.Id, FirstSeenOn = new DateOnly(2026, 11, 3), Summary = "Review was due 2026-11-01" });
            db.Flags.Add(new Flag { Kind = FlagKind.IndicatorWithoutPlan, SubjectId = child.Id, StudentId = child.Id, FirstSeenOn = new DateOnly(2026, 11, 3),
                Summary = "Severely chronically absent this school year, and no open need in the plan" });
            await db.SaveChangesAsync();
            return child.Id;
        });
        await _app.CreateUserAsync(tenant.Id, "coord@es.test", UserRole.Coordinator, [school.Id]);
        _organization = await _app.InTenant(tenant.Id, async (_, db) =>
        {
            var o = new ProviderOrganization { Name = "Ayuda Grande" };
            db.ProviderOrganizations.Add(o);
            await db.SaveChangesAsync();
            return o.Id;
        });
        await _app.CreateUserAsync(tenant.Id, "admin@es.test", UserRole.Admin);
        await _app.CreateUserAsync(tenant.Id, "provider@es.test", UserRole.Provider, organizationId: _organization);
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Admin_and_provider_screens_are_in_Spanish_for_a_Spanish_browser_and_in_English_otherwise()
    {
        var english = await _app.SignedInAsync("admin@es.test");
        var spanish = await _app.SignedInAsync("admin@es.test");
        spanish.DefaultRequestHeaders.AcceptLanguage.ParseAdd("es-US");
        var pages = new (string Url, string English, string Spanish)[]
        {
            ("/Settings", "Settings", "Configuración"),
            ("/Users", "Users", "Usuarios"),
            ("/Users/Invite", "Invite a user", "Invitar a un usuario"),
            ("/Schools", "Schools", "Escuelas"),
            ("/Directory", "Provider directory", "Directorio de proveedores"),
            ("/Directory/Services/Edit", "Add a service", "Añadir un servicio"),
            ("/Directory/Import", "Import the directory (Open Referral HSDS CSV)", "Importar el directorio (CSV HSDS de Open Referral)"),
            ("/Roster/Import", "Import a roster (OneRoster 1.1 or 1.2 CSV)", "Importar un padrón (CSV OneRoster 1.1 o 1.2)"),
            ("/Roster/Indicators", "Import attendance, incidents and marks", "Importar asistencia, incidentes y calificaciones"),
            ("/Jobs", "Jobs & email", "Tareas y correo"),
            ("/Audit", "Access log", "Registro de accesos"),
            ($"/ApiKeys?organizationId={_organization}", "API keys of Ayuda Grande", "Claves de API de Ayuda Grande"),
        };
        foreach (var (url, en, es) in pages)
        {
            Assert.Equal(en, (await english.GetDocumentAsync(url)).QuerySelector("h1")!.TextContent.Trim());
            Assert.Equal(es, (await spanish.GetDocumentAsync(url)).QuerySelector("h1")!.TextContent.Trim());
        }
        // A form label written from the model's display name, and the settings' own help text.
        var settings = await spanish.GetDocumentAsync("/Settings");
        Assert.Equal("Nombre de la alianza", settings.QuerySelector("label[for='Input_Name']")!.TextContent.Trim());

        // A page model's own validation message.
        var refused = await spanish.SubmitFormAsync($"/ApiKeys?organizationId={_organization}", new() { ["name"] = "" }, formSelector: "form[action*='handler=Create']");
        Assert.Contains("Ponga un nombre a la clave", await refused.Content.ReadAsStringAsync());

        var provider = await _app.SignedInAsync("provider@es.test");
        provider.DefaultRequestHeaders.AcceptLanguage.ParseAdd("es-US");
        var inbox = await provider.GetDocumentAsync("/Provider/Referrals");
        Assert.Equal("Remisiones", inbox.QuerySelector("h1")!.TextContent.Trim());
        Assert.Contains("Nuevas (0)", inbox.QuerySelector("nav.tabs")!.TextContent);
    }

    [Fact]
    public async Task The_cabinet_names_its_tables_rows_and_period_in_Spanish_while_its_API_stays_English()
    {
        var spanish = await _app.SignedInAsync("admin@es.test");
        spanish.DefaultRequestHeaders.AcceptLanguage.ParseAdd("es-US");
        var page = await spanish.GetDocumentAsync("/Cabinet");
        Assert.Contains("Recuentos del período: año escolar 2026–27.", page.QuerySelector("main p.muted")!.TextContent);
        var domain = page.QuerySelector("#table-domain")!;
        Assert.StartsWith("Por área", domain.QuerySelector("caption")!.TextContent.Trim());
        Assert.Equal(["Área", "Niños atendidos", "Servicios prestados"], domain.QuerySelectorAll("thead th").Select(th => th.TextContent.Trim()));
        Assert.Equal("Académico", domain.QuerySelector("tbody th")!.TextContent.Trim());
        Assert.Equal("Total", domain.QuerySelector("tfoot th")!.TextContent.Trim());
        Assert.StartsWith("Por nivel de servicio", page.QuerySelector("#table-tier caption")!.TextContent.Trim());
        Assert.StartsWith("ago", page.QuerySelector("#table-month tbody th")!.TextContent.Trim());
        // The charts' text for screen readers speaks the table's language too.
        Assert.StartsWith("Niños atendidos por área: Académico ", page.QuerySelector("#chart-domain-desc")!.TextContent);

        // The confirmation dialog every page carries speaks the page's language.
        Assert.Equal(["Cancelar", "Sí, continuar"], page.QuerySelectorAll("#confirm-dialog button").Select(b => b.TextContent.Trim()));

        var csv = await spanish.GetStringAsync("/api/v1/cabinet/tables/domain.csv");
        Assert.StartsWith("Domain,Children served,Services delivered", csv);
        Assert.Contains("Academic,", csv);
    }

    [Fact]
    public async Task The_frameworks_own_validation_texts_are_in_Spanish_for_a_Spanish_reader()
    {
        var spanish = await _app.SignedInAsync("admin@es.test");
        spanish.DefaultRequestHeaders.AcceptLanguage.ParseAdd("es-US");
        var settings = await spanish.GetDocumentAsync("/Settings");
        // Typed as a browser without number fields would send it.
        settings.QuerySelector("input[name='Input.NightlyHour']")!.SetAttribute("type", "text");
        var refused = await spanish.SubmitAsync((AngleSharp.Html.Dom.IHtmlElement)settings.QuerySelector("main form button[type=submit]")!,
            new() { ["Input.Name"] = "", ["Input.NightlyHour"] = "abc", ["Input.SuppressionThreshold"] = "0" });
        var page = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(await refused.Content.ReadAsStringAsync()).Body!.TextContent;
        // [Required] without a message, model binding's text, and [Range] without a message.
        Assert.Contains("El campo Nombre de la alianza es obligatorio.", page);
        Assert.Contains("El valor «abc» no es válido para", page);
        Assert.Contains("debe estar entre 1 y 1000.", page);
        Assert.DoesNotContain("field is required", page);

        var english = await _app.SignedInAsync("admin@es.test");
        var englishPage = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(await (await english.SubmitFormAsync("/Settings", new() { ["Input.Name"] = "" })).Content.ReadAsStringAsync()).Body!.TextContent;
        Assert.Contains("The Partnership name field is required.", englishPage);
    }

    [Fact]
    public async Task Identitys_errors_are_in_the_readers_language()
    {
        await using var scope = _app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<AppUser>>();
        async Task<string> PasswordErrors(string language)
        {
            using var _ = SuccessPlans.Languages.Use(language);
            var errors = new List<string>();
            foreach (var validator in users.PasswordValidators)
                errors.AddRange((await validator.ValidateAsync(users, new AppUser { DisplayName = "Ana" }, "abc")).Errors.Select(e => e.Description));
            return string.Join(" ", errors);
        }
        Assert.Contains("Passwords must be at least 12 characters.", await PasswordErrors("en"));
        var es = await PasswordErrors("es");
        Assert.Contains("La contraseña debe tener al menos 12 caracteres.", es);
        Assert.Contains("La contraseña debe tener al menos una mayúscula (A-Z).", es);
        Assert.DoesNotContain("Passwords", es);
    }

    [Fact]
    public async Task A_students_flags_and_history_stored_in_English_read_in_Spanish()
    {
        var spanish = await _app.SignedInAsync("coord@es.test");
        spanish.DefaultRequestHeaders.AcceptLanguage.ParseAdd("es-US");
        var page = (await spanish.GetDocumentAsync($"/Students/{_student}")).Body!.TextContent;
        Assert.Contains("La revisión vencía el 1 nov 2026", page);
        Assert.Contains("Ausentismo crónico grave en este año escolar, y ninguna necesidad abierta en el plan", page);
        Assert.Contains("plan creado: 2026–27", page);
        Assert.Contains("remisión aceptada: #7", page);
        Assert.Contains("remisión vencida: Remisión n.º 12: sin respuesta a tiempo", page);
        Assert.Contains("Académico: Reading below grade level", page);
        Assert.Contains("Nivel 2 (revisión de otoño)", page);
        Assert.Contains("Rosa Lopez, dado el 1 oct 2026; servicios; se comparte con Bright Eyes, Smile Van; vence el 1 oct 2027", page);
        Assert.DoesNotContain("; expires", page);
        Assert.DoesNotContain("Review was due", page);
        Assert.DoesNotContain("referral accepted", page);
        Assert.DoesNotContain("no answer in time", page);
        Assert.DoesNotContain("Fall review", page);
        Assert.Contains("revisión nocturna", page);
        Assert.Contains("necesidad modificada: Académico: Reading below grade level (estado abierta → cerrada, no atendida, meta cambiada, prioridad baja → alta)", page);
        Assert.Contains("modificado por la importación del padrón: archivo de padrón subido n.º 4: escuela Escuela Sur → Escuela Norte; grado 02 → 03; nombre preferido sin dato → Anita; idioma del hogar inglés → español", page);
        Assert.Contains("Remisión n.º 7: servicio registrado del 1 nov 2026, 3 sesiones corregido a 2 nov 2026, 1 sesión: wrong day", page);
        Assert.Contains("remisión rechazada: Remisión n.º 8: sin cupo: full until May", page);
        foreach (var word in new[] { "status ", "priority ", "goal changed", "grade 0", "preferred name", "home language", " none", "session", "no capacity", "nightly check" })
            Assert.DoesNotContain(word, page);

        var english = (await (await _app.SignedInAsync("coord@es.test")).GetDocumentAsync($"/Students/{_student}")).Body!.TextContent;
        Assert.Contains("Review was due Nov 1, 2026", english);
        Assert.Contains("referral accepted: #7", english);
        Assert.Contains("Referral #12: no answer in time", english);
        Assert.Contains("Academic: Reading below grade level", english);
        Assert.Contains("Tier 2 (Fall review)", english);
        Assert.Contains("Rosa Lopez, given Oct 1, 2026; services; sharing with Bright Eyes, Smile Van; expires Oct 1, 2027", english);
        Assert.Contains("nightly check", english);
        Assert.Contains("need updated: Academic: Reading below grade level (status open → closed, unmet, goal changed, priority low → high)", english);
        Assert.Contains("changed by roster import: roster upload #4: school Escuela Sur → Escuela Norte; grade 02 → 03; preferred name none → Anita; home language English → Spanish", english);
        Assert.Contains("Referral #7: Delivery of Nov 1, 2026, 3 sessions corrected to Nov 2, 2026, 1 session: wrong day", english);
        Assert.Contains("referral declined: Referral #8: no capacity: full until May", english);
    }

    [Fact]
    public async Task Dates_and_times_follow_the_readers_culture_with_the_zone_while_the_CSV_stays_ISO()
    {
        var spanish = await _app.SignedInAsync("coord@es.test");
        spanish.DefaultRequestHeaders.AcceptLanguage.ParseAdd("es-US");
        var es = await spanish.GetDocumentAsync($"/Students/{_student}");
        var en = await (await _app.SignedInAsync("coord@es.test")).GetDocumentAsync($"/Students/{_student}");
        static string Shown(AngleSharp.Dom.IDocument page, string machine) => page.QuerySelector($"time[datetime='{machine}']")!.TextContent;
        // A flag's first day, and the tier's history entry: 15:00 UTC on 6 November is 10:00 in New York, the zone named.
        Assert.Equal("3 nov 2026", Shown(es, "2026-11-03"));
        Assert.Equal("Nov 3, 2026", Shown(en, "2026-11-03"));
        Assert.Matches(@"^6 nov 2026, 10:00\sa\.\sm\.\sEST$", Shown(es, "2026-11-06T10:00-05:00"));
        Assert.Matches(@"^Nov 6, 2026, 10:00\sAM EST$", Shown(en, "2026-11-06T10:00-05:00"));

        // The access log's CSV for a Spanish reader stays a machine file: ISO instants, no month names.
        var admin = await _app.SignedInAsync("admin@es.test");
        admin.DefaultRequestHeaders.AcceptLanguage.ParseAdd("es-US");
        var csv = await (await admin.GetAsync("/Audit?handler=Export&from=2026-11-20&to=2026-11-20")).Content.ReadAsStringAsync();
        Assert.Contains(",2026-11-20T15:00:00Z,2026-11-20 10:00:00,", csv);
        Assert.DoesNotContain("nov", csv);
    }

    [Fact]
    public async Task The_access_logs_stored_texts_and_the_guardians_report_read_in_Spanish()
    {
        await _app.InTenant(_tenant, async (_, db) =>
        {
            var at = new DateTime(2026, 11, 19, 15, 0, 0, DateTimeKind.Utc);
            db.AccessLog.Add(new SuccessPlans.Features.Audit.AccessLogEntry { At = at, ActorName = "Coordinadora", Role = "Coordinator",
                Action = SuccessPlans.Features.Audit.AccessAction.DigestEmail, StudentId = _student, Path = "nightly digest email" });
            db.AccessLog.Add(new SuccessPlans.Features.Audit.AccessLogEntry { At = at.AddMinutes(1), ActorName = "Coordinadora", Role = "Coordinator",
                Action = SuccessPlans.Features.Audit.AccessAction.DigestEmail, StudentId = _student, Path = "referral updates email" });
            db.AccessLog.Add(new SuccessPlans.Features.Audit.AccessLogEntry { At = at.AddMinutes(2), ActorName = "Coordinadora", Role = "Coordinator",
                Action = SuccessPlans.Features.Audit.AccessAction.ViewStudent, StudentId = _student, Path = $"GET /Students/{_student}" });
            db.Disclosures.Add(new SuccessPlans.Features.Referrals.Disclosure { StudentId = _student, OrganizationId = _organization, FieldsShared = "Child's name, Need",
                OverrideReason = "la familia lo pidió en persona", At = at, ByName = "Admin" });
            await db.SaveChangesAsync();
        });
        var spanish = await _app.SignedInAsync("admin@es.test");
        spanish.DefaultRequestHeaders.AcceptLanguage.ParseAdd("es-US");
        var english = await _app.SignedInAsync("admin@es.test");

        var log = (await spanish.GetDocumentAsync("/Audit")).QuerySelector("main table")!.TextContent;
        Assert.Contains("correo del resumen diario", log);
        Assert.Contains("correo de novedades de remisiones", log);
        Assert.Contains($"GET /Students/{_student}", log); // a page's path is the same in every language
        Assert.DoesNotContain("email", log);
        var englishLog = (await english.GetDocumentAsync("/Audit")).QuerySelector("main table")!.TextContent;
        Assert.Contains("nightly digest email", englishLog);
        Assert.Contains("referral updates email", englishLog);

        var report = (await spanish.GetDocumentAsync($"/Audit/Students/{_student}")).QuerySelector("main")!.TextContent;
        Assert.Contains("sin consentimiento, por este motivo: la familia lo pidió en persona", report);
        Assert.DoesNotContain("without consent", report);
        Assert.Contains("without consent, for this reason: la familia lo pidió en persona", (await english.GetDocumentAsync($"/Audit/Students/{_student}")).QuerySelector("main")!.TextContent);
    }

    [Fact]
    public async Task An_import_report_its_rejected_rows_and_stored_results_read_in_Spanish()
    {
        var (roster, applied, directory) = await _app.InTenant(_tenant, async (_, db) =>
        {
            var files = new Dictionary<string, string>
            {
                ["orgs.csv"] = "sourcedId,status,name,type\r\ns1,active,Escuela Norte,school\r\n",
                ["users.csv"] = "sourcedId,status,role,orgSourcedIds,givenName,familyName\r\nu1,active,student,s1,Ana,Ruiz\r\nu2,active,student,s1,,Vega\r\n",
            };
            var pending = new RosterUpload { UploadedAt = new DateTime(2026, 11, 19, 15, 0, 0, DateTimeKind.Utc), UploadedByName = "Admin", FileNames = "orgs.csv, users.csv", Package = RosterUpload.Pack(files) };
            // Applied before this change: its result was stored in English.
            var done = new RosterUpload { UploadedAt = new DateTime(2026, 11, 18, 15, 0, 0, DateTimeKind.Utc), UploadedByName = "Admin", FileNames = "roster.zip", AppliedAt = new DateTime(2026, 11, 18, 15, 1, 0, DateTimeKind.Utc),
                Result = "Schools: 1 added, 0 updated. Students: 12 added, 0 updated, 0 withdrawn. 1 row(s) rejected." };
            var hsds = new DirectoryUpload { UploadedAt = new DateTime(2026, 11, 19, 15, 0, 0, DateTimeKind.Utc), UploadedByName = "Admin", FileNames = "organizations.csv",
                Package = SuccessPlans.Csv.CsvPackage.Zip(new Dictionary<string, string> { ["organizations.csv"] = "id,name\r\n" }) };
            db.AddRange(pending, done, hsds);
            await db.SaveChangesAsync();
            return (pending.Id, done.Id, hsds.Id);
        });
        var spanish = await _app.SignedInAsync("admin@es.test");
        spanish.DefaultRequestHeaders.AcceptLanguage.ParseAdd("es-US");
        var english = await _app.SignedInAsync("admin@es.test");

        var report = await spanish.GetDocumentAsync($"/Roster/Import/{roster}");
        Assert.Equal(["users.csv", "3", "el campo 'givenName' está vacío"], report.QuerySelectorAll("table.rejected tbody td").Select(td => td.TextContent.Trim()));
        Assert.Contains("Escuelas: 1 agregadas, 0 actualizadas. Estudiantes: 12 agregados", report.Body!.TextContent);
        Assert.DoesNotContain("Students:", report.Body!.TextContent);
        Assert.Contains("Escuelas: 1 agregadas", (await spanish.GetDocumentAsync($"/Roster/Import/{applied}")).QuerySelector("p.notice")!.TextContent);
        var englishReport = await english.GetDocumentAsync($"/Roster/Import/{roster}");
        Assert.Contains("field 'givenName' is empty", englishReport.QuerySelector("table.rejected")!.TextContent);
        Assert.Contains("Schools: 1 added, 0 updated.", englishReport.Body!.TextContent);

        var problems = (await spanish.GetDocumentAsync($"/Directory/Import/{directory}")).QuerySelector("div.errors")!.TextContent;
        Assert.Contains("services.csv: archivo no encontrado", problems);
        Assert.DoesNotContain("file not found", problems);
        Assert.Contains("services.csv: file not found", (await english.GetDocumentAsync($"/Directory/Import/{directory}")).QuerySelector("div.errors")!.TextContent);

        // A job run's stored summary and the job's description on the Jobs page.
        await _app.InTenant(_tenant, async (_, db) =>
        {
            db.JobRuns.Add(new SuccessPlans.Features.Jobs.JobRun { JobName = "nightly-check", StartedAt = new DateTime(2026, 11, 20, 9, 0, 0, DateTimeKind.Utc), FinishedAt = new DateTime(2026, 11, 20, 9, 0, 1, DateTimeKind.Utc),
                Status = SuccessPlans.Features.Jobs.JobRunStatus.Succeeded, Summary = "2 new flag(s), 1 resolved, 5 open; 0 referral(s) expired; 1 digest(s) queued." });
            await db.SaveChangesAsync();
        });
        var jobs = (await spanish.GetDocumentAsync("/Jobs")).QuerySelector("main")!.TextContent;
        Assert.Contains("2 alerta(s) nueva(s), 1 resuelta(s), 5 abierta(s); 0 remisión(es) vencida(s); 1 resumen(es) en cola.", jobs);
        Assert.Contains("Vence las remisiones sin respuesta", jobs);
        Assert.DoesNotContain("new flag(s)", jobs);
        Assert.DoesNotContain("Expires unanswered referrals", jobs);
        Assert.Contains("2 new flag(s), 1 resolved, 5 open", (await english.GetDocumentAsync("/Jobs")).QuerySelector("main")!.TextContent);
    }
}
