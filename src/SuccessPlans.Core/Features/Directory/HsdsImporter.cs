using SuccessPlans.Csv;
using SuccessPlans.Data;

namespace SuccessPlans.Features.Directory;

public sealed record DirectoryImportResult(int OrganizationsAdded, int OrganizationsUpdated, int ServicesAdded, int ServicesUpdated);

/// <summary>
/// Loads an Open Referral HSDS 3.0 CSV package (organizations.csv, services.csv) into the current tenant's
/// directory. Ids are kept, so a re-import updates instead of duplicating; a bad file writes nothing.
/// </summary>
public sealed class HsdsImporter(AppDbContext db)
{
    public Task<DirectoryImportResult> ImportDirectoryAsync(string directory, CancellationToken ct = default) =>
        ImportAsync(Roster.OneRosterImporter.ReadDirectory(directory), ct);

    /// <summary>Imports a package given as file name -> CSV text (see OneRosterImporter.ReadFiles for zips).</summary>
    public async Task<DirectoryImportResult> ImportAsync(IReadOnlyDictionary<string, string> files, CancellationToken ct = default)
    {
        CsvFile Open(string name) => files.TryGetValue(name, out var text) ? CsvFile.Parse(name, text) : throw new ImportFileException(name, 0, "file not found");
        var orgFile = Open("organizations.csv");
        orgFile.RequireHeaders("id", "name");
        var orgRows = orgFile.Rows.ToList();
        var serviceFile = Open("services.csv");
        serviceFile.RequireHeaders("id", "organization_id", "name", "status");
        var serviceRows = serviceFile.Rows.ToList();

        var orgs = await db.ProviderOrganizations.Where(o => o.HsdsId != null).ToDictionaryAsync(o => o.HsdsId!, ct);
        int orgsAdded = 0, orgsUpdated = 0;
        foreach (var r in orgRows)
        {
            var id = r.Required("id");
            var isNew = !orgs.TryGetValue(id, out var org);
            org ??= new ProviderOrganization { HsdsId = id, Name = r.Required("name") };
            org.Name = r.Required("name");
            org.Description = r.Optional("description");
            org.Email = r.Optional("email");
            org.Website = r.Optional("website");
            if (isNew) { db.ProviderOrganizations.Add(org); orgs[id] = org; orgsAdded++; }
            else if (db.Entry(org).State == EntityState.Modified) orgsUpdated++;
        }

        var extras = ReadExtras(files);
        var services = await db.Services.Where(s => s.HsdsId != null).ToDictionaryAsync(s => s.HsdsId!, ct);
        int servicesAdded = 0, servicesUpdated = 0;
        foreach (var r in serviceRows)
        {
            var id = r.Required("id");
            if (!orgs.TryGetValue(r.Required("organization_id"), out var org))
                throw r.Error($"field 'organization_id' names no organization in organizations.csv: '{r["organization_id"]}'");
            var isNew = !services.TryGetValue(id, out var service);
            service ??= new Service { HsdsId = id, Name = r.Required("name") };
            service.Organization = org;
            service.Name = r.Required("name");
            service.Description = r.Optional("description");
            service.Status = r.Required("status");
            service.EligibilityDescription = r.Optional("eligibility_description");
            service.MinimumAge = Age(r, "minimum_age");
            service.MaximumAge = Age(r, "maximum_age");
            var extra = extras.GetValueOrDefault(id);
            service.Domain = extra?.Domain;
            service.Tier = extra?.Tier;
            service.Capacity = extra?.Capacity;
            service.Languages = extra?.Languages is { Count: > 0 } langs ? string.Join(' ', langs.Distinct().Order()) : null;
            if (isNew) { db.Services.Add(service); services[id] = service; servicesAdded++; }
            else if (db.Entry(service).State == EntityState.Modified) servicesUpdated++;
        }

        await db.SaveChangesAsync(ct);
        return new DirectoryImportResult(orgsAdded, orgsUpdated, servicesAdded, servicesUpdated);
    }

    private sealed class ServiceExtras
    {
        public Plans.Domain? Domain { get; set; }
        public ServiceTier? Tier { get; set; }
        public int? Capacity { get; set; }
        public List<string> Languages { get; } = [];
    }

    /// <summary>Domain, tier and open places from attributes.csv (see HsdsVocabulary); languages from languages.csv. All optional.</summary>
    private static Dictionary<string, ServiceExtras> ReadExtras(IReadOnlyDictionary<string, string> files)
    {
        var result = new Dictionary<string, ServiceExtras>(StringComparer.Ordinal);
        ServiceExtras For(string id) => result.TryGetValue(id, out var e) ? e : result[id] = new ServiceExtras();

        if (files.TryGetValue("languages.csv", out var languagesText))
        {
            var file = CsvFile.Parse("languages.csv", languagesText);
            file.RequireHeaders("id", "service_id", "code");
            foreach (var r in file.Rows)
                if (r.Optional("service_id") is { } sid && r.Optional("code") is { } code)
                    For(sid).Languages.Add(code.ToLowerInvariant()[..Math.Min(code.Length, 8)]);
        }

        if (!files.TryGetValue("attributes.csv", out var attributesText))
            return result;
        var terms = HsdsVocabulary.AllTerms.ToDictionary(t => t.Id);
        var attributes = CsvFile.Parse("attributes.csv", attributesText);
        attributes.RequireHeaders("id", "link_id", "taxonomy_term_id", "link_entity");
        foreach (var r in attributes.Rows)
        {
            if (!r["link_entity"].Equals("service", StringComparison.OrdinalIgnoreCase) || !terms.TryGetValue(r["taxonomy_term_id"], out var term))
                continue;
            var extra = For(r["link_id"]);
            if (term.TaxonomyId == HsdsVocabulary.DomainTaxonomyId)
                extra.Domain = HsdsVocabulary.Domains.First(d => d.Term.Id == term.Id).Domain;
            else if (term.TaxonomyId == HsdsVocabulary.TierTaxonomyId)
                extra.Tier = HsdsVocabulary.Tiers.First(t => t.Term.Id == term.Id).Tier;
            else if (int.TryParse(r["value"], out var places) && places >= 0)
                extra.Capacity = places;
            else
                throw r.Error($"field 'value' of an open-places attribute is not a number: '{r["value"]}'");
        }
        return result;
    }

    private static int? Age(CsvRow r, string field) => r.Optional(field) switch
    {
        null => null,
        var v when decimal.TryParse(v, System.Globalization.CultureInfo.InvariantCulture, out var d) && d >= 0 && d < 130 => (int)d,
        var v => throw r.Error($"field '{field}' is not an age: '{v}'"),
    };

}
