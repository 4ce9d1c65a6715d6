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
        ImportAsync(SuccessPlans.Csv.CsvPackage.ReadDirectory(directory), ct);

    /// <summary>Imports a package given as file name -> CSV text (see SuccessPlans.Csv.CsvPackage.ReadFiles for zips).</summary>
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

        await ImportLocationsAsync(files, orgs, services, ct);
        await ImportTermsAsync(files, services, ct);
        await db.SaveChangesAsync(ct);
        return new DirectoryImportResult(orgsAdded, orgsUpdated, servicesAdded, servicesUpdated);
    }

    /// <summary>locations.csv with addresses.csv, and service_at_location.csv: where each service is delivered. Optional.</summary>
    private async Task ImportLocationsAsync(IReadOnlyDictionary<string, string> files, Dictionary<string, ProviderOrganization> orgs, Dictionary<string, Service> services, CancellationToken ct)
    {
        if (!files.TryGetValue("locations.csv", out var locationsText)) return;
        var locations = await db.ServiceLocations.Where(l => l.HsdsId != null).ToDictionaryAsync(l => l.HsdsId!, ct);
        var file = CsvFile.Parse("locations.csv", locationsText);
        file.RequireHeaders("id", "name");
        foreach (var r in file.Rows)
        {
            var id = r.Required("id");
            if (!locations.TryGetValue(id, out var location))
                db.ServiceLocations.Add(locations[id] = location = new ServiceLocation { HsdsId = id, Name = r.Required("name") });
            location.Name = Limit(r.Required("name"), 200)!;
            location.Organization = r.Optional("organization_id") is { } org && orgs.TryGetValue(org, out var o) ? o : null;
            if (location.Organization is null) location.OrganizationId = null;
        }
        if (files.TryGetValue("addresses.csv", out var addressesText))
        {
            var addresses = CsvFile.Parse("addresses.csv", addressesText);
            addresses.RequireHeaders("id", "location_id");
            foreach (var r in addresses.Rows)
            {
                if (!locations.TryGetValue(r["location_id"], out var location))
                    throw r.Error($"field 'location_id' names no location in locations.csv: '{r["location_id"]}'");
                if (r["address_type"] is { Length: > 0 } type && !type.Equals("physical", StringComparison.OrdinalIgnoreCase)) continue;
                location.Address1 = Limit(r.Optional("address_1"), 200);
                location.City = Limit(r.Optional("city"), 100);
                location.Region = Limit(r.Optional("state_province") ?? r.Optional("region"), 100);
                location.PostalCode = Limit(r.Optional("postal_code"), 20);
            }
        }
        if (!files.TryGetValue("service_at_location.csv", out var linksText)) return;
        var links = CsvFile.Parse("service_at_location.csv", linksText);
        links.RequireHeaders("id", "service_id", "location_id");
        var desired = new HashSet<(Service, ServiceLocation)>();
        foreach (var r in links.Rows)
        {
            if (!services.TryGetValue(r["service_id"], out var service))
                throw r.Error($"field 'service_id' names no service in services.csv: '{r["service_id"]}'");
            if (!locations.TryGetValue(r["location_id"], out var location))
                throw r.Error($"field 'location_id' names no location in locations.csv: '{r["location_id"]}'");
            desired.Add((service, location));
        }
        var serviceIds = services.Values.Where(s => s.Id != 0).Select(s => s.Id).ToList();
        var existing = await db.ServicesAtLocations.Include(x => x.Service).Include(x => x.Location).Where(x => serviceIds.Contains(x.ServiceId)).ToListAsync(ct);
        foreach (var link in existing.Where(x => !desired.Contains((x.Service, x.Location))))
            db.ServicesAtLocations.Remove(link);
        foreach (var (service, location) in desired.Where(d => !existing.Any(x => x.Service == d.Item1 && x.Location == d.Item2)))
            db.ServicesAtLocations.Add(new ServiceAtLocation { Service = service, Location = location });
    }

    /// <summary>Taxonomy terms of other vocabularies linked to services by attributes.csv, kept for round trips.</summary>
    private async Task ImportTermsAsync(IReadOnlyDictionary<string, string> files, Dictionary<string, Service> services, CancellationToken ct)
    {
        if (!files.TryGetValue("attributes.csv", out var attributesText) || !files.TryGetValue("taxonomy_terms.csv", out var termsText)) return;
        var ours = HsdsVocabulary.AllTerms.Select(t => t.Id).ToHashSet();
        var taxonomies = files.TryGetValue("taxonomies.csv", out var taxText)
            ? CsvFile.Parse("taxonomies.csv", taxText).Rows.ToDictionary(r => r["id"], r => r.Optional("name"))
            : [];
        var terms = CsvFile.Parse("taxonomy_terms.csv", termsText).Rows.Where(r => !ours.Contains(r["id"]) && r["id"].Length > 0)
            .GroupBy(r => r["id"]).ToDictionary(g => g.Key, g => g.First());
        var desired = new Dictionary<(Service, string), CsvRow>();
        foreach (var r in CsvFile.Parse("attributes.csv", attributesText).Rows)
            if (r["link_entity"].Equals("service", StringComparison.OrdinalIgnoreCase) && terms.TryGetValue(r["taxonomy_term_id"], out var term) && services.TryGetValue(r["link_id"], out var service))
                desired[(service, term["id"])] = term;
        var serviceIds = services.Values.Where(s => s.Id != 0).Select(s => s.Id).ToList();
        var existing = await db.ServiceTerms.Include(t => t.Service).Where(t => serviceIds.Contains(t.ServiceId)).ToListAsync(ct);
        foreach (var t in existing.Where(t => !desired.ContainsKey((t.Service, t.TermHsdsId))))
            db.ServiceTerms.Remove(t);
        foreach (var ((service, termId), row) in desired)
        {
            var taxonomy = row.Optional("taxonomy") ?? (row.Optional("taxonomy_id") is { } tid ? taxonomies.GetValueOrDefault(tid) : null);
            var current = existing.FirstOrDefault(t => t.Service == service && t.TermHsdsId == termId);
            if (current is null)
                db.ServiceTerms.Add(current = new ServiceTerm { Service = service, TermHsdsId = Limit(termId, 128)!, Name = Limit(row.Optional("name") ?? row["code"], 200)! });
            current.Code = Limit(row.Optional("code"), 100);
            current.Name = Limit(row.Optional("name") ?? row["code"], 200)!;
            current.Taxonomy = Limit(taxonomy, 200);
        }
    }

    private static string? Limit(string? s, int max) => s is null ? null : s.Length <= max ? s : s[..max];

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
            else if (int.TryParse(r["value"], System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var places) && places >= 0)
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
