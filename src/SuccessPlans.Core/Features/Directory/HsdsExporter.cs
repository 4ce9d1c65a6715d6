using System.Globalization;
using System.IO.Compression;
using System.Text;
using SuccessPlans.Csv;
using SuccessPlans.Data;

namespace SuccessPlans.Features.Directory;

/// <summary>
/// The tenant's directory as an Open Referral HSDS 3.0 CSV package (a zip): organizations, services,
/// languages, and our domain, tier and open places as taxonomy-term attributes (HsdsVocabulary).
/// Importing it into an empty tenant gives back the same directory.
/// </summary>
public sealed class HsdsExporter(AppDbContext db)
{
    public async Task<Dictionary<string, string>> ExportAsync(CancellationToken ct = default)
    {
        // Every row needs an HSDS id for round trips; rows created in the app get one now.
        var missingOrgs = await db.ProviderOrganizations.Where(o => o.HsdsId == null).ToListAsync(ct);
        missingOrgs.ForEach(o => o.HsdsId = Guid.NewGuid().ToString());
        var missingServices = await db.Services.Where(s => s.HsdsId == null).ToListAsync(ct);
        missingServices.ForEach(s => s.HsdsId = Guid.NewGuid().ToString());
        if (missingOrgs.Count + missingServices.Count > 0)
            await db.SaveChangesAsync(ct);

        var orgs = await db.ProviderOrganizations.AsNoTracking().OrderBy(o => o.Name).ThenBy(o => o.Id).ToListAsync(ct);
        var services = await db.Services.AsNoTracking().Include(s => s.Organization).OrderBy(s => s.Organization.Name).ThenBy(s => s.Name).ThenBy(s => s.Id).ToListAsync(ct);
        var locations = await db.ServiceLocations.AsNoTracking().Include(l => l.Organization).OrderBy(l => l.Name).ThenBy(l => l.Id).ToListAsync(ct);
        var links = await db.ServicesAtLocations.AsNoTracking().Select(x => new { Service = x.Service.HsdsId, Location = x.Location.HsdsId }).ToListAsync(ct);
        var terms = await db.ServiceTerms.AsNoTracking().Select(t => new { Service = t.Service.HsdsId, t.TermHsdsId, t.Code, t.Name, t.Taxonomy }).ToListAsync(ct);
        var files = new Dictionary<string, string>();
        files["locations.csv"] = Write(w =>
        {
            w.WriteRow("id", "location_type", "url", "organization_id", "name", "alternate_name", "description", "transportation", "latitude", "longitude", "external_identifier", "external_identifier_type");
            foreach (var l in locations.Where(l => l.HsdsId is not null))
                w.WriteRow(l.HsdsId, "physical", "", l.Organization?.HsdsId, l.Name, "", "", "", "", "", "", "");
        });
        files["addresses.csv"] = Write(w =>
        {
            w.WriteRow("id", "location_id", "attention", "address_1", "address_2", "city", "region", "state_province", "postal_code", "country", "address_type");
            foreach (var l in locations.Where(l => l.HsdsId is not null && (l.Address1 ?? l.City ?? l.Region ?? l.PostalCode) is not null))
                w.WriteRow($"{l.HsdsId}-address", l.HsdsId, "", l.Address1, "", l.City, "", l.Region, l.PostalCode, "US", "physical");
        });
        files["service_at_location.csv"] = Write(w =>
        {
            w.WriteRow("id", "service_id", "location_id", "description");
            foreach (var x in links.OrderBy(x => x.Service).ThenBy(x => x.Location))
                w.WriteRow($"{x.Service}-at-{x.Location}", x.Service, x.Location, "");
        });

        files["organizations.csv"] = Write(w =>
        {
            w.WriteRow("id", "name", "alternate_name", "description", "email", "website", "tax_status", "tax_id", "year_incorporated", "legal_status", "logo", "uri", "parent_organization_id");
            foreach (var o in orgs)
                w.WriteRow(o.HsdsId, o.Name, "", o.Description, o.Email, o.Website, "", "", "", "", "", "", "");
        });
        files["services.csv"] = Write(w =>
        {
            w.WriteRow("id", "organization_id", "program_id", "name", "alternate_name", "description", "url", "email", "status", "interpretation_services",
                "application_process", "fees_description", "wait_time", "fees", "accreditations", "eligibility_description", "minimum_age", "maximum_age",
                "assured_date", "assurer_email", "licenses", "alert", "last_modified");
            foreach (var s in services)
                w.WriteRow(s.HsdsId, s.Organization.HsdsId, "", s.Name, "", s.Description, "", "", s.Status, "", "", "", "", "", "", s.EligibilityDescription,
                    s.MinimumAge?.ToString(CultureInfo.InvariantCulture), s.MaximumAge?.ToString(CultureInfo.InvariantCulture), "", "", "", "", "");
        });
        files["languages.csv"] = Write(w =>
        {
            w.WriteRow("id", "service_id", "location_id", "phone_id", "name", "code", "note");
            foreach (var s in services.Where(s => s.Languages is not null))
                foreach (var code in s.Languages!.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                    w.WriteRow($"{s.HsdsId}-lang-{code}", s.HsdsId, "", "", LanguageName(code), code, "");
        });
        files["attributes.csv"] = Write(w =>
        {
            w.WriteRow("id", "link_id", "taxonomy_term_id", "link_type", "link_entity", "value");
            foreach (var s in services)
            {
                if (s.Domain is { } d) w.WriteRow($"{s.HsdsId}-domain", s.HsdsId, HsdsVocabulary.Domains.First(x => x.Domain == d).Term.Id, "", "service", "");
                if (s.Tier is { } t) w.WriteRow($"{s.HsdsId}-tier", s.HsdsId, HsdsVocabulary.Tiers.First(x => x.Tier == t).Term.Id, "", "service", "");
                if (s.Capacity is { } c) w.WriteRow($"{s.HsdsId}-capacity", s.HsdsId, HsdsVocabulary.OpenPlaces.Id, "", "service", c.ToString(CultureInfo.InvariantCulture));
            }
            foreach (var t in terms.OrderBy(t => t.Service).ThenBy(t => t.TermHsdsId))
                w.WriteRow($"{t.Service}-term-{t.TermHsdsId}", t.Service, t.TermHsdsId, "", "service", "");
        });
        files["taxonomies.csv"] = Write(w =>
        {
            w.WriteRow("id", "name", "description", "uri", "version");
            foreach (var (id, name, description) in HsdsVocabulary.Taxonomies) w.WriteRow(id, name, description, "", "1");
        });
        files["taxonomy_terms.csv"] = Write(w =>
        {
            w.WriteRow("id", "code", "name", "description", "parent_id", "taxonomy", "language", "taxonomy_id", "term_uri");
            foreach (var t in HsdsVocabulary.AllTerms)
                w.WriteRow(t.Id, t.Code, t.Name, "", "", HsdsVocabulary.Taxonomies.First(x => x.Id == t.TaxonomyId).Name, "en", t.TaxonomyId, "");
            foreach (var t in terms.DistinctBy(t => t.TermHsdsId).OrderBy(t => t.TermHsdsId))
                w.WriteRow(t.TermHsdsId, t.Code, t.Name, "", "", t.Taxonomy, "", "", "");
        });
        return files;
    }

    public async Task<byte[]> ExportZipAsync(CancellationToken ct = default)
    {
        var files = await ExportAsync(ct);
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var (name, text) in files)
            {
                await using var stream = zip.CreateEntry(name, CompressionLevel.Optimal).Open();
                var bytes = new UTF8Encoding(false).GetBytes(text);
                await stream.WriteAsync(bytes, ct);
            }
        return buffer.ToArray();
    }

    private static string Write(Action<CsvWriter> write)
    {
        var text = new StringWriter(CultureInfo.InvariantCulture);
        write(new CsvWriter(text));
        return text.ToString();
    }

    private static string LanguageName(string code) => code switch
    {
        "en" => "English", "es" => "Spanish", "pt" => "Portuguese", "ht" => "Haitian Creole", "vi" => "Vietnamese", "ar" => "Arabic",
        _ => CultureInfo.GetCultures(CultureTypes.NeutralCultures).FirstOrDefault(c => c.TwoLetterISOLanguageName == code)?.EnglishName ?? code,
    };
}
