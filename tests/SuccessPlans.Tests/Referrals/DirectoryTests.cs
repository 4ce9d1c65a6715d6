using System.Net;
using Microsoft.EntityFrameworkCore;
using SuccessPlans.Csv;
using SuccessPlans.Features.Directory;
using SuccessPlans.Features.Roster;
using SuccessPlans.Features.Users;
using SuccessPlans.Tests.Infrastructure;

namespace SuccessPlans.Tests.Referrals;

/// <summary>The HSDS 3.0 directory: import, export, round trip, and who may edit what.</summary>
public class DirectoryTests : IAsyncLifetime
{
    private readonly AppFactory _app = new();
    private int _a, _b;
    private static string DemoHsds => Path.Combine(Model.ModelTests.RepositoryRoot(), "seed-data", "demo", "hsds");

    public async Task InitializeAsync()
    {
        _a = (await _app.CreateTenantAsync("dir-a")).Id;
        _b = (await _app.CreateTenantAsync("dir-b")).Id;
        await _app.CreateUserAsync(_a, "admin@dir-a.test", UserRole.Admin);
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private Task<List<string>> DirectoryOf(int tenant) => _app.InTenant(tenant, async (_, db) =>
        (await db.Services.Include(s => s.Organization).Include(s => s.Locations).ThenInclude(l => l.Location).ThenInclude(l => l.Organization).Include(s => s.Terms).ToListAsync())
            .Select(s => string.Join("|", s.Organization.HsdsId, s.Organization.Name, s.Organization.Description, s.Organization.Email, s.Organization.Website,
                s.HsdsId, s.Name, s.Description, s.Status, s.EligibilityDescription, s.MinimumAge, s.MaximumAge, s.Domain, s.Tier, s.Capacity, s.Languages,
                s.CapacityMaximum, s.CapacityUnit, s.CapacityUpdatedAt,
                string.Join(";", s.Locations.Select(l => $"{l.Location.HsdsId}/{l.Location.Name}/{l.Location.Address1}/{l.Location.Address2}/{l.Location.City}/{l.Location.Region}/{l.Location.PostalCode}/{l.Location.Country}/{l.Location.Organization?.HsdsId}").Order()),
                string.Join(";", s.Terms.Select(t => $"{t.TermHsdsId}/{t.Code}/{t.Name}/{t.Taxonomy}").Order())))
            .Order().ToList());

    [Fact]
    public async Task The_hsds_example_package_round_trips_with_its_locations_and_terms()
    {
        var example = SuccessPlans.Csv.CsvPackage.ReadDirectory(Path.Combine(Model.ModelTests.RepositoryRoot(), "tests", "SuccessPlans.Tests", "Fixtures", "hsds-3.0-example"));
        // The example's location names an organization the example does not have; the importer refuses that (Hsds/HsdsImportTests).
        example["locations.csv"] = example["locations.csv"].Replace("985e4a42-bd9f-4edc-911d-0243a4640aca", "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610");
        await _app.InTenant(_a, (sp, _) => sp.GetRequiredService<HsdsImporter>().ImportAsync(example));
        var original = await DirectoryOf(_a);
        Assert.Contains(original, s => s.Contains("MyCity Civic Center"));
        var files = await _app.InTenant(_a, (sp, _) => sp.GetRequiredService<HsdsExporter>().ExportAsync());
        await _app.InTenant(_b, (sp, _) => sp.GetRequiredService<HsdsImporter>().ImportAsync(files));
        Assert.Equal(original, await DirectoryOf(_b));
    }

    [Fact]
    public async Task An_export_imported_into_an_empty_tenant_gives_back_the_same_directory()
    {
        await _app.InTenant(_a, (sp, _) => sp.GetRequiredService<HsdsImporter>().ImportDirectoryAsync(DemoHsds));
        var original = await DirectoryOf(_a);
        Assert.Equal(42, original.Count);
        Assert.Contains(original, s => s.Contains("|Health|") && s.Contains("en") && s.Contains("main office"));

        var admin = await _app.SignedInAsync("admin@dir-a.test");
        var download = await admin.GetAsync("/Directory?handler=Export");
        Assert.Equal("application/zip", download.Content.Headers.ContentType?.MediaType);
        var files = SuccessPlans.Csv.CsvPackage.ReadFiles([("export.zip", await download.Content.ReadAsStreamAsync())]);
        Assert.Contains("attributes.csv", files.Keys);

        await _app.InTenant(_b, (sp, _) => sp.GetRequiredService<HsdsImporter>().ImportAsync(files));
        Assert.Equal(original, await DirectoryOf(_b));

        // Ids are kept: importing again updates nothing and duplicates nothing.
        var again = await _app.InTenant(_b, (sp, _) => sp.GetRequiredService<HsdsImporter>().ImportAsync(files));
        Assert.Equal(new DirectoryImportResult(0, 0, 0, 0), again);
        Assert.Equal(original, await DirectoryOf(_b));
    }

    [Fact]
    public async Task A_broken_file_names_file_line_and_field_and_writes_nothing()
    {
        var files = SuccessPlans.Csv.CsvPackage.ReadDirectory(DemoHsds);
        files["services.csv"] += "bad-service,no-such-org,,Orphan,,,,,active,,,,,,,,,,,,,,\r\n";
        var e = await Assert.ThrowsAsync<ImportFileException>(() => _app.InTenant(_a, (sp, _) => sp.GetRequiredService<HsdsImporter>().ImportAsync(files)));
        Assert.Equal("services.csv line 44: field 'organization_id' names no organization in organizations.csv: 'no-such-org'", e.Message);
        Assert.Equal(0, await _app.InTenant(_a, (_, db) => db.ProviderOrganizations.CountAsync()));

        var admin = await _app.SignedInAsync("admin@dir-a.test");
        var page = await admin.GetDocumentAsync("/Directory");
        var form = new MultipartFormDataContent
        {
            { new StringContent(page.QuerySelector("form[enctype] input[name=__RequestVerificationToken]")!.GetAttribute("value")!), "__RequestVerificationToken" },
            { new StringContent(files["organizations.csv"]), "files", "organizations.csv" },
            { new StringContent(files["services.csv"]), "files", "services.csv" },
        };
        var response = await admin.PostAsync(page.QuerySelector("form[enctype]")!.GetAttribute("action"), form);
        var report = await admin.GetDocumentAsync(response.Location());
        Assert.StartsWith("services.csv line 44: field 'organization_id'", report.QuerySelector("[role=alert] li")!.TextContent);
        Assert.Equal(0, await _app.InTenant(_a, (_, db) => db.ProviderOrganizations.CountAsync()));
    }

    [Fact]
    public async Task A_provider_edits_their_own_services_capacity_and_nothing_else()
    {
        await _app.InTenant(_a, (sp, _) => sp.GetRequiredService<HsdsImporter>().ImportDirectoryAsync(DemoHsds));
        var (mine, theirs, orgId) = await _app.InTenant(_a, async (_, db) =>
        {
            var orgs = await db.ProviderOrganizations.Include(o => o.Services).OrderBy(o => o.Name).Take(2).ToListAsync();
            return (orgs[0].Services[0].Id, orgs[1].Services[0].Id, orgs[0].Id);
        });
        await _app.CreateUserAsync(_a, "p@dir-a.test", UserRole.Provider, organizationId: orgId);
        var p = await _app.SignedInAsync("p@dir-a.test");
        var saved = await p.SubmitFormAsync($"/Directory/Services/Edit/{mine}", new() { ["Input.Capacity"] = "7", ["Input.Languages"] = "es en" });
        Assert.Equal("/Home/Provider", saved.Location());
        var service = await _app.InTenant(_a, (_, db) => db.Services.SingleAsync(s => s.Id == mine));
        Assert.Equal((7, "en es"), (service.Capacity, service.Languages));
        Assert.Equal(HttpStatusCode.NotFound, (await p.GetAsync($"/Directory/Services/Edit/{theirs}")).StatusCode);
        Assert.StartsWith("https://localhost/Account/AccessDenied", (await p.GetAsync("/Directory")).Location());
        var bad = await p.SubmitFormAsync($"/Directory/Services/Edit/{mine}", new() { ["Input.Languages"] = "Spanish!" });
        Assert.Contains("two-letter language codes", await bad.Content.ReadAsStringAsync());
    }
}
