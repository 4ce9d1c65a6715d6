using Microsoft.EntityFrameworkCore;
using SuccessPlans.Csv;
using SuccessPlans.Features.Directory;
using SuccessPlans.Features.Plans;
using SuccessPlans.Tests.Infrastructure;
using static SuccessPlans.Tests.Hsds.HsdsPackages;

namespace SuccessPlans.Tests.Hsds;

/// <summary>
/// The export validates against HSDS 3.0's datapackage.json (and 3.1's capacity tables), checked row by row by a
/// JSON Schema validator: UUID ids, required fields, formats, enums, unique and foreign keys.
/// </summary>
public class HsdsExportTests : IAsyncLifetime
{
    private readonly AppFactory _app = new();
    private int _a, _b;

    public async Task InitializeAsync()
    {
        _a = (await _app.CreateTenantAsync("export-a")).Id;
        _b = (await _app.CreateTenantAsync("export-b")).Id;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private Task<Dictionary<string, string>> ExportAsync(int tenant) =>
        _app.InTenant(tenant, (sp, _) => sp.GetRequiredService<HsdsExporter>().ExportAsync());

    [Fact]
    public async Task The_validator_finds_what_the_old_export_got_wrong()
    {
        await _app.InTenant(_a, (sp, _) => sp.GetRequiredService<HsdsImporter>().ImportDirectoryAsync(DemoHsds));
        var files = await ExportAsync(_a);
        var service = CsvFile.Parse("services.csv", files["services.csv"]).Rows.First()["id"];
        var attribute = CsvFile.Parse("attributes.csv", files["attributes.csv"]).Rows.First()["id"];
        // What the export wrote before: ids that are no UUIDs, a version digit of 9 (the demo's ids), an empty required description.
        files["attributes.csv"] = files["attributes.csv"].Replace(attribute, $"{service}-domain");
        files["services.csv"] = files["services.csv"].Replace(service, service[..14] + "9" + service[15..]) + files["services.csv"].Split("\r\n")[2] + "\r\n";
        files["taxonomy_terms.csv"] = files["taxonomy_terms.csv"].Replace(HsdsVocabulary.Domains[0].Term.Description, "");

        var errors = Validator().Validate(files);
        Assert.Contains(errors, e => e.StartsWith("attributes.csv line 2: id: format:") || e.StartsWith("attributes.csv line 2: id: pattern:"));
        Assert.Contains(errors, e => e.StartsWith("services.csv line 2: id: pattern:"));
        Assert.Contains(errors, e => e.StartsWith("services.csv line 44: id: '") && e.Contains("is not unique (line 3"));
        Assert.Contains(errors, e => e.StartsWith("taxonomy_terms.csv line 2: row: required:") && e.Contains("description"));
        Assert.Contains(errors, e => e.StartsWith("service_at_location.csv") && e.Contains("is no id of services.csv"));
    }

    /// <summary>
    /// Open places a provider gives on its home page go out with when they were given (service_capacity.updated): before,
    /// only the service's edit form dated them, and the export left out a count it had no date for.
    /// </summary>
    [Fact]
    public async Task Open_places_given_on_the_providers_home_page_are_exported_with_when_they_were_given()
    {
        var (organization, service) = await _app.InTenant(_a, async (_, db) =>
        {
            var s = new Service { Name = "Night shelter", Status = "active", Organization = new ProviderOrganization { Name = "Harbor House" } };
            db.Services.Add(s);
            await db.SaveChangesAsync();
            return (s.OrganizationId, s.Id);
        });
        await _app.CreateUserAsync(_a, "provider@export-a.test", SuccessPlans.Features.Users.UserRole.Provider, organizationId: organization);
        var provider = await _app.SignedInAsync("provider@export-a.test");
        var given = _app.Time.GetUtcNow().UtcDateTime;
        Assert.Equal(System.Net.HttpStatusCode.Redirect, (await provider.SubmitFormAsync("/Home/Provider", new() { ["openPlaces"] = "3" }, "form.capacity")).StatusCode);

        var files = await ExportAsync(_a);
        var hsdsId = await _app.InTenant(_a, (_, db) => db.Services.Where(s => s.Id == service).Select(s => s.HsdsId).SingleAsync());
        var row = Assert.Single(CsvFile.Parse("service_capacity.csv", files["service_capacity.csv"]).Rows, r => r["service_id"] == hsdsId);
        Assert.Equal(("3", given.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture)), (row["available"], row["updated"]));
        Assert.Empty(Validator().Validate(files));
    }

    [Fact]
    public async Task The_demo_seed_files_and_the_demo_export_are_valid_hsds()
    {
        Assert.Empty(Validator().Validate(CsvPackage.ReadDirectory(DemoHsds)));
        await _app.InTenant(_a, (sp, _) => sp.GetRequiredService<HsdsImporter>().ImportDirectoryAsync(DemoHsds));
        var files = await ExportAsync(_a);
        Assert.Empty(Validator().Validate(files));
        Assert.Equal(43, files["service_capacity.csv"].Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.All(CsvFile.Parse("services.csv", files["services.csv"]).Rows, r => Assert.True(HsdsIds.IsUuid(r["id"])));
    }

    [Fact]
    public async Task An_export_of_edge_case_data_is_valid_and_imports_back_to_the_same_export()
    {
        await _app.InTenant(_a, async (_, db) =>
        {
            var formula = new ProviderOrganization { Name = "=HYPERLINK(\"http://evil.example\",\"Click\")", Email = "not an email", Website = "www.formula.example.org" };
            var old = new ProviderOrganization { HsdsId = "1", Name = "Smith, \"Jr.\" & Sons\nFamily Services", Description = "Éducation – 教育\r\n- a list item", Email = "ok@example.org", Website = "https://example.org/a b" };
            var dated = new DateTime(2026, 11, 1, 8, 30, 0, DateTimeKind.Utc);
            var full = new Service
            {
                Organization = old, HsdsId = "svc-1", Name = new string('x', 200), Status = "temporarily closed", Description = "-starts with a minus", Languages = "en es",
                Capacity = 0, CapacityMaximum = 10, CapacityUnit = "beds", CapacityUpdatedAt = dated, Domain = Domain.Family, Tier = ServiceTier.IntensiveCrisis,
                MinimumAge = 0, MaximumAge = 129,
            };
            var upper = new Service { Organization = formula, HsdsId = "7EA896D9-8556-4826-AE3B-1BFF4E818566", Name = "@SUM(1+1)", Status = "active", Capacity = 3, CapacityUpdatedAt = dated };
            var bare = new Service { Organization = formula, Name = "+plus", Status = "defunct" };
            var partial = new ServiceLocation { HsdsId = "loc-1", Name = "Partial", City = "Springfield" };
            var toronto = new ServiceLocation { HsdsId = Guid.NewGuid().ToString(), Organization = old, Name = "Toronto office", Address1 = "1 Main", Address2 = "Suite 2", City = "Toronto", Region = "ON", PostalCode = "M5V 2T6", Country = "CA" };
            db.AddRange(formula, old, full, upper, bare, partial, toronto);
            db.AddRange(
                new ServiceAtLocation { Service = full, Location = partial }, new ServiceAtLocation { Service = full, Location = toronto }, new ServiceAtLocation { Service = upper, Location = toronto },
                new ServiceTerm { Service = full, TermHsdsId = "101", Code = "101", Name = "Food", Taxonomy = "211 LA" },
                new ServiceTerm { Service = full, TermHsdsId = "t-2", Code = "101", Name = "Food pantry", Taxonomy = "Open Eligibility" },
                new ServiceTerm { Service = upper, TermHsdsId = "t-3", Name = "=cmd|' /C calc'!A0" },
                new ServiceTerm { Service = upper, TermHsdsId = "t-4", Code = "health", Name = "Health", Taxonomy = "Other" });
            await db.SaveChangesAsync();
        });

        var files = await ExportAsync(_a);
        Assert.Empty(Validator().Validate(files));
        Assert.Contains("\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"Click\"\")\"", files["organizations.csv"]);

        await _app.InTenant(_b, (sp, _) => sp.GetRequiredService<HsdsImporter>().ImportAsync(files));
        var again = await ExportAsync(_b);
        Assert.Empty(Validator().Validate(again));
        Assert.Equal(files.OrderBy(f => f.Key), again.OrderBy(f => f.Key));
        var service = await _app.InTenant(_b, (_, db) => db.Services.SingleAsync(s => s.Name == "@SUM(1+1)"));
        Assert.Equal((3, "7ea896d9-8556-4826-ae3b-1bff4e818566"), (service.Capacity, service.HsdsId));
    }
}
