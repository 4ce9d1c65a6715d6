using System.Globalization;
using System.IO.Compression;
using System.Net.Mail;
using SuccessPlans.Csv;
using SuccessPlans.Data;

namespace SuccessPlans.Features.Directory;

/// <summary>
/// The tenant's directory as an Open Referral HSDS CSV package (a zip) that validates against HSDS 3.0's
/// datapackage.json: organizations, services, locations with their addresses, languages, taxonomy terms, our domain,
/// tier and open places as taxonomy-term attributes (HsdsVocabulary), and HSDS 3.1's service_capacity with its units.
/// Every id is a UUID (HsdsIds). Importing it into an empty tenant gives back the same directory.
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
        var locations = await db.ServiceLocations.AsNoTracking().Include(l => l.Organization).Where(l => l.HsdsId != null).OrderBy(l => l.Name).ThenBy(l => l.Id).ToListAsync(ct);
        var links = (await db.ServicesAtLocations.AsNoTracking().Where(x => x.Location.HsdsId != null).Select(x => new { Service = x.Service.HsdsId!, Location = x.Location.HsdsId! }).ToListAsync(ct))
            .Select(x => (Service: HsdsIds.Of("service", x.Service), Location: HsdsIds.Of("location", x.Location))).ToList();
        var terms = (await db.ServiceTerms.AsNoTracking().Select(t => new { Service = t.Service.HsdsId!, t.TermHsdsId, t.Code, t.Name, t.Taxonomy }).ToListAsync(ct))
            .Select(t => (Service: HsdsIds.Of("service", t.Service), Id: HsdsIds.Of("taxonomy_term", t.TermHsdsId), t.Code, t.Name, t.Taxonomy)).ToList();
        string Org(ProviderOrganization o) => HsdsIds.Of("organization", o.HsdsId!);
        string Svc(Service s) => HsdsIds.Of("service", s.HsdsId!);
        string Loc(ServiceLocation l) => HsdsIds.Of("location", l.HsdsId!);

        var files = new Dictionary<string, string>();
        files["organizations.csv"] = Write(w =>
        {
            w.WriteRow("id", "name", "alternate_name", "description", "email", "website", "tax_status", "tax_id", "year_incorporated", "legal_status", "logo", "uri", "parent_organization_id");
            foreach (var o in orgs)
                // HSDS requires a description; an organization without one is described by its name.
                w.WriteRow(Org(o), o.Name, "", o.Description ?? o.Name, Email(o.Email), Uri(o.Website), "", "", "", "", "", "", "");
        });
        files["services.csv"] = Write(w =>
        {
            w.WriteRow("id", "organization_id", "program_id", "name", "alternate_name", "description", "url", "email", "status", "interpretation_services",
                "application_process", "fees_description", "wait_time", "fees", "accreditations", "eligibility_description", "minimum_age", "maximum_age",
                "assured_date", "assurer_email", "licenses", "alert", "last_modified");
            foreach (var s in services)
                w.WriteRow(Svc(s), Org(s.Organization), "", s.Name, "", s.Description, "", "", s.Status, "", "", "", "", "", "", s.EligibilityDescription,
                    Number(s.MinimumAge), Number(s.MaximumAge), "", "", "", "", "");
        });
        files["locations.csv"] = Write(w =>
        {
            w.WriteRow("id", "location_type", "url", "organization_id", "name", "alternate_name", "description", "transportation", "latitude", "longitude", "external_identifier", "external_identifier_type");
            foreach (var l in locations)
                w.WriteRow(Loc(l), "physical", "", l.Organization is { } o ? Org(o) : "", l.Name, "", "", "", "", "", "", "");
        });
        files["addresses.csv"] = Write(w =>
        {
            w.WriteRow("id", "location_id", "attention", "address_1", "address_2", "city", "region", "state_province", "postal_code", "country", "address_type");
            // HSDS requires street, city, state and postal code; the importer takes no address without them.
            foreach (var l in locations.Where(l => l.Address1 is not null && l.City is not null && l.Region is not null && l.PostalCode is not null))
                w.WriteRow(HsdsIds.Derive("address", Loc(l)), Loc(l), "", l.Address1, l.Address2, l.City, "", l.Region, l.PostalCode, l.Country ?? "US", "physical");
        });
        files["service_at_location.csv"] = Write(w =>
        {
            w.WriteRow("id", "service_id", "location_id", "description");
            foreach (var (service, location) in links.Order())
                w.WriteRow(HsdsIds.Derive("service_at_location", service, location), service, location, "");
        });
        files["languages.csv"] = Write(w =>
        {
            w.WriteRow("id", "service_id", "location_id", "phone_id", "name", "code", "note");
            foreach (var s in services.Where(s => s.Languages is not null))
                foreach (var code in s.Languages!.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                    w.WriteRow(HsdsIds.Derive("language", Svc(s), code), Svc(s), "", "", LanguageName(code), code, "");
        });
        files["attributes.csv"] = Write(w =>
        {
            w.WriteRow("id", "link_id", "taxonomy_term_id", "link_type", "link_entity", "value");
            void Attribute(string service, string term, string value) => w.WriteRow(HsdsIds.Derive("attribute", service, term), service, term, "", "service", value);
            foreach (var s in services)
            {
                if (s.Domain is { } d) Attribute(Svc(s), HsdsVocabulary.Domains.First(x => x.Domain == d).Term.Id, "");
                if (s.Tier is { } t) Attribute(Svc(s), HsdsVocabulary.Tiers.First(x => x.Tier == t).Term.Id, "");
                if (s.Capacity is { } c) Attribute(Svc(s), HsdsVocabulary.OpenPlaces.Id, Number(c));
            }
            foreach (var t in terms.OrderBy(t => t.Service).ThenBy(t => t.Id))
                Attribute(t.Service, t.Id, "");
        });
        files["taxonomies.csv"] = Write(w =>
        {
            w.WriteRow("id", "name", "description", "uri", "version");
            foreach (var (id, name, description) in HsdsVocabulary.Taxonomies) w.WriteRow(id, name, description, "", "1");
        });
        files["taxonomy_terms.csv"] = Write(w =>
        {
            w.WriteRow("id", "code", "name", "description", "parent_id", "taxonomy", "language", "taxonomy_id", "term_uri");
            // HSDS makes a term's code unique in the file: a code that two vocabularies share is written once, with the first term.
            var codes = new HashSet<string>(StringComparer.Ordinal);
            foreach (var t in HsdsVocabulary.AllTerms)
                w.WriteRow(t.Id, codes.Add(t.Code) ? t.Code : "", t.Name, t.Description, "", HsdsVocabulary.Taxonomies.First(x => x.Id == t.TaxonomyId).Name, "en", t.TaxonomyId, "");
            foreach (var t in terms.DistinctBy(t => t.Id).OrderBy(t => t.Id))
                w.WriteRow(t.Id, t.Code is { } code && codes.Add(code) ? code : "", t.Name, t.Name, "", t.Taxonomy, "", "", "");
        });

        // HSDS 3.1: capacity with its unit and the time it was given (which HSDS requires, so a figure of unknown date stays an attribute only).
        var capacities = services.Where(s => s.Capacity is not null && s.CapacityUpdatedAt is not null).ToList();
        string Unit(Service s) => s.CapacityUnit ?? HsdsVocabulary.DefaultCapacityUnit;
        string UnitId(string unit) => HsdsIds.Derive("unit", unit.ToLowerInvariant());
        files["service_capacity.csv"] = Write(w =>
        {
            w.WriteRow("id", "service_id", "unit_id", "available", "maximum", "description", "updated");
            foreach (var s in capacities)
                w.WriteRow(HsdsIds.Derive("service_capacity", Svc(s)), Svc(s), UnitId(Unit(s)), Number(s.Capacity), Number(s.CapacityMaximum), "",
                    DateTime.SpecifyKind(s.CapacityUpdatedAt!.Value, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        });
        files["units.csv"] = Write(w =>
        {
            w.WriteRow("id", "name", "scheme", "identifier", "uri");
            foreach (var unit in capacities.Select(Unit).DistinctBy(u => u.ToLowerInvariant()).Order(StringComparer.Ordinal))
                w.WriteRow(UnitId(unit), unit, "", "", "");
        });
        return files;
    }

    public async Task<byte[]> ExportZipAsync(CancellationToken ct = default) => CsvPackage.Zip(await ExportAsync(ct), CompressionLevel.Optimal);

    private static string Write(Action<CsvWriter> write)
    {
        var text = new StringWriter(CultureInfo.InvariantCulture);
        write(new CsvWriter(text));
        return text.ToString();
    }

    private static string Number(int? n) => n?.ToString(CultureInfo.InvariantCulture) ?? "";

    /// <summary>An address HSDS's email format takes (a dotted domain), or nothing.</summary>
    private static string? Email(string? email) =>
        email is not null && MailAddress.TryCreate(email, out var address) && address.Address == email && address.Host.Contains('.') ? email : null;

    /// <summary>
    /// A website as an absolute URI, as HSDS's uri format wants: kept as it is when it already is one, given https://
    /// when it is a bare host ("www.example.org"), escaped when it holds spaces; nothing when it is no address at all.
    /// </summary>
    private static string? Uri(string? website)
    {
        if (website is null) return null;
        foreach (var candidate in new[] { website, "https://" + website })
            if (System.Uri.TryCreate(candidate, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.Host.Contains('.'))
                return candidate.All(c => c > ' ' && c < 127 && c is not ('"' or '<' or '>' or '\\' or '^' or '`' or '{' or '|' or '}')) ? candidate : uri.AbsoluteUri;
        return null;
    }

    private static string LanguageName(string code) => code switch
    {
        "en" => "English", "es" => "Spanish", "pt" => "Portuguese", "ht" => "Haitian Creole", "vi" => "Vietnamese", "ar" => "Arabic",
        _ => CultureInfo.GetCultures(CultureTypes.NeutralCultures).FirstOrDefault(c => c.TwoLetterISOLanguageName == code)?.EnglishName ?? code,
    };
}
