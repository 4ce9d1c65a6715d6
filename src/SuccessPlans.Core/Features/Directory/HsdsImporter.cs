using SuccessPlans.Csv;
using SuccessPlans.Data;

namespace SuccessPlans.Features.Directory;

public sealed record DirectoryImportResult(int OrganizationsAdded, int OrganizationsUpdated, int ServicesAdded, int ServicesUpdated);

/// <summary>How many rows of a kind an import adds, changes, finds as they are, and leaves alone (not in the package).</summary>
public sealed record DirectoryChangeCount(int Added, int Changed, int Unchanged, int LeftAlone);

/// <summary>What an import of a package does (or would do), or why it cannot be done.</summary>
public sealed class DirectoryImportPreview
{
    /// <summary>The HSDS version the package was read as: 3.0, 3.1, or 1.x (converted).</summary>
    public required string Version { get; init; }
    public required IReadOnlyList<HsdsProblem> Problems { get; init; }
    public bool CanImport => Problems.Count == 0;
    public DirectoryChangeCount Organizations { get; set; } = new(0, 0, 0, 0);
    public DirectoryChangeCount Services { get; set; } = new(0, 0, 0, 0);
    public DirectoryChangeCount Locations { get; set; } = new(0, 0, 0, 0);
    public int LinksAdded { get; set; }
    public int LinksRemoved { get; set; }
    public int TermsAdded { get; set; }
    public int TermsRemoved { get; set; }
    /// <summary>Files of the package the directory does not keep (phones, schedules...).</summary>
    public IReadOnlyList<string> Unread { get; init; } = [];
    /// <summary>Rows of files it reads that it does not keep (postal addresses...).</summary>
    public IReadOnlyList<CoreMessage> NotKept { get; init; } = [];

    public DirectoryImportResult Result => new(Organizations.Added, Organizations.Changed, Services.Added, Services.Changed);
}

/// <summary>
/// Loads an Open Referral HSDS package (3.0, 3.1, or 1.x converted to 3) into the current tenant's directory. Ids
/// are kept, so a re-import updates instead of duplicating. An import touches only what the package holds: the
/// links, terms, languages, addresses and capacity of its own services and locations; everything else in the tenant
/// is left alone. A package with any problem writes nothing. Capacity comes from HSDS 3.1's service_capacity, or
/// else from our open-places attribute.
/// </summary>
public sealed class HsdsImporter(AppDbContext db, TimeProvider time)
{
    public Task<DirectoryImportResult> ImportDirectoryAsync(string directory, CancellationToken ct = default) =>
        ImportAsync(CsvPackage.ReadDirectory(directory), ct);

    /// <summary>Imports a package given as file name -> CSV text; throws naming the first problem, and then writes nothing.</summary>
    public async Task<DirectoryImportResult> ImportAsync(IReadOnlyDictionary<string, string> files, CancellationToken ct = default)
    {
        var preview = await ApplyAsync(files, ct);
        if (preview.Problems.FirstOrDefault() is { } p)
            throw new ImportFileException(p.File, p.Line, p.Reason);
        return preview.Result;
    }

    /// <summary>What the import would do, against the tenant as it is now; writes nothing.</summary>
    public Task<DirectoryImportPreview> PreviewAsync(IReadOnlyDictionary<string, string> files, CancellationToken ct = default) =>
        StagedAsync(files, save: false, ct);

    /// <summary>Imports the package when it has no problem, in one transaction; returns what it did (or the problems).</summary>
    public Task<DirectoryImportPreview> ApplyAsync(IReadOnlyDictionary<string, string> files, CancellationToken ct = default) =>
        StagedAsync(files, save: true, ct);

    private async Task<DirectoryImportPreview> StagedAsync(IReadOnlyDictionary<string, string> files, bool save, CancellationToken ct)
    {
        var autoDetect = db.ChangeTracker.AutoDetectChangesEnabled;
        try
        {
            var preview = await StageAsync(files, ct);
            if (save && preview.CanImport)
                await db.SaveChangesAsync(ct);
            return preview;
        }
        finally
        {
            // Clearing thousands of rows is slow when each one is looked at for changes first; none are wanted any more.
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            db.ChangeTracker.Clear();
            db.ChangeTracker.AutoDetectChangesEnabled = autoDetect;
        }
    }

    /// <summary>Reads the package and makes its changes in the change tracker, counting them; saves nothing.</summary>
    private async Task<DirectoryImportPreview> StageAsync(IReadOnlyDictionary<string, string> files, CancellationToken ct)
    {
        var package = HsdsPackageReader.Read(files, db.Model);
        var now = time.GetUtcNow().UtcDateTime;
        var preview = new DirectoryImportPreview { Version = package.Version, Problems = package.Problems, Unread = package.Unread, NotKept = package.NotKept };
        if (!preview.CanImport) return preview;

        var (orgsByKey, existingOrgs) = await ExistingAsync(db.ProviderOrganizations, "organization", package.Organizations.Select(o => o.Id), ct);
        var orgs = new Dictionary<string, ProviderOrganization>(StringComparer.OrdinalIgnoreCase);
        var orgsAdded = 0;
        foreach (var row in package.Organizations)
        {
            if (!orgsByKey.TryGetValue(HsdsIds.Of("organization", row.Id), out var org))
            {
                db.ProviderOrganizations.Add(org = new ProviderOrganization { HsdsId = row.Id, Name = row.Name });
                orgsAdded++;
            }
            org.Name = row.Name;
            org.Description = row.Description;
            org.Email = row.Email;
            org.Website = row.Website;
            orgs[row.Id] = org;
        }

        var (servicesByKey, existingServices) = await ExistingAsync(db.Services, "service", package.Services.Select(s => s.Id), ct);
        var services = new Dictionary<string, Service>(StringComparer.OrdinalIgnoreCase);
        var servicesAdded = 0;
        foreach (var row in package.Services)
        {
            if (!servicesByKey.TryGetValue(HsdsIds.Of("service", row.Id), out var service))
            {
                db.Services.Add(service = new Service { HsdsId = row.Id, Name = row.Name });
                servicesAdded++;
            }
            service.Organization = orgs[row.OrganizationId];
            service.Name = row.Name;
            service.Description = row.Description;
            service.Status = row.Status;
            service.EligibilityDescription = row.EligibilityDescription;
            service.MinimumAge = row.MinimumAge;
            service.MaximumAge = row.MaximumAge;
            if (package.Languages is { } languages)
                service.Languages = languages.GetValueOrDefault(row.Id);
            var classification = package.Classifications?.GetValueOrDefault(row.Id);
            if (package.Classifications is not null)
            {
                service.Domain = classification?.Domain;
                service.Tier = classification?.Tier;
            }
            if (package.Capacities?.GetValueOrDefault(row.Id) is { } capacity)
            {
                service.Capacity = capacity.Available;
                service.CapacityMaximum = capacity.Maximum;
                service.CapacityUnit = capacity.Unit;
                service.CapacityUpdatedAt = capacity.Updated;
            }
            else if ((package.Capacities ?? (object?)package.Classifications) is not null && service.Capacity != classification?.OpenPlaces)
            {
                // Open places without a date (an HSDS 3.0 attribute) are as of now, when the directory learns them.
                service.GiveCapacity(classification?.OpenPlaces, now);
            }
            services[row.Id] = service;
        }

        var changedServices = new HashSet<Service>(ReferenceEqualityComparer.Instance);
        var locations = await StageLocationsAsync(package, orgs, preview, ct);
        if (package.Links is { } links)
            await StageLinksAsync(links, services, locations!, changedServices, preview, ct);
        if (package.Classifications is { } classifications)
            await StageTermsAsync(classifications, services, changedServices, preview, ct);

        db.ChangeTracker.DetectChanges();
        var orgsChanged = orgs.Values.Count(o => db.Entry(o).State == EntityState.Modified);
        var servicesChanged = services.Values.Count(s => db.Entry(s).State == EntityState.Modified || (db.Entry(s).State != EntityState.Added && changedServices.Contains(s)));
        preview.Organizations = new(orgsAdded, orgsChanged, orgs.Count - orgsAdded - orgsChanged, existingOrgs - (orgs.Count - orgsAdded));
        preview.Services = new(servicesAdded, servicesChanged, services.Count - servicesAdded - servicesChanged, existingServices - (services.Count - servicesAdded));
        return preview;
    }

    /// <summary>
    /// The tenant's rows that the package names, by the key an HSDS id is matched on (HsdsIds.Of, so a row also comes
    /// back under the id it was exported with), and how many rows the tenant has. Only the named rows are tracked.
    /// </summary>
    private static async Task<(Dictionary<string, T> ByKey, int Total)> ExistingAsync<T>(DbSet<T> rows, string kind, IEnumerable<string> packageIds, CancellationToken ct)
        where T : SuccessPlans.Tenancy.TenantEntity
    {
        var wanted = packageIds.Select(id => HsdsIds.Of(kind, id)).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var all = await rows.Select(r => new { r.Id, HsdsId = EF.Property<string?>(r, "HsdsId") }).ToListAsync(ct);
        var keys = all.Where(r => r.HsdsId is not null).Select(r => (r.Id, Key: HsdsIds.Of(kind, r.HsdsId!))).Where(r => wanted.Contains(r.Key)).ToList();
        var ids = keys.Select(k => k.Id).ToList();
        var byId = await rows.Where(r => ids.Contains(r.Id)).ToDictionaryAsync(r => r.Id, ct);
        var result = new Dictionary<string, T>(StringComparer.OrdinalIgnoreCase);
        foreach (var (id, key) in keys)
            result.TryAdd(key, byId[id]);
        return (result, all.Count);
    }

    private async Task<Dictionary<string, ServiceLocation>?> StageLocationsAsync(HsdsPackage package, Dictionary<string, ProviderOrganization> orgs, DirectoryImportPreview preview, CancellationToken ct)
    {
        if (package.Locations is not { } rows) return null;
        var (byKey, existing) = await ExistingAsync(db.ServiceLocations, "location", rows.Select(r => r.Id), ct);
        var locations = new Dictionary<string, ServiceLocation>(StringComparer.OrdinalIgnoreCase);
        var added = 0;
        foreach (var row in rows)
        {
            if (!byKey.TryGetValue(HsdsIds.Of("location", row.Id), out var location))
            {
                db.ServiceLocations.Add(location = new ServiceLocation { HsdsId = row.Id, Name = row.Name });
                added++;
            }
            location.Name = row.Name;
            location.Organization = row.OrganizationId is null ? null : orgs[row.OrganizationId];
            if (location.Organization is null) location.OrganizationId = null;
            if (package.HasAddresses)
            {
                location.Address1 = row.Address?.Address1;
                location.Address2 = row.Address?.Address2;
                location.City = row.Address?.City;
                location.Region = row.Address?.Region;
                location.PostalCode = row.Address?.PostalCode;
                location.Country = row.Address?.Country;
            }
            locations[row.Id] = location;
        }
        db.ChangeTracker.DetectChanges();
        var changed = locations.Values.Count(l => db.Entry(l).State == EntityState.Modified);
        preview.Locations = new(added, changed, locations.Count - added - changed, existing - (locations.Count - added));
        return locations;
    }

    /// <summary>The package's links replace those of its own services; other services keep theirs.</summary>
    private async Task StageLinksAsync(List<(string ServiceId, string LocationId)> links, Dictionary<string, Service> services,
        Dictionary<string, ServiceLocation> locations, HashSet<Service> changed, DirectoryImportPreview preview, CancellationToken ct)
    {
        var desired = links.Select(l => (Service: services[l.ServiceId], Location: locations[l.LocationId])).ToHashSet();
        var desiredOfSaved = desired.Where(d => d.Service.Id != 0 && d.Location.Id != 0).Select(d => (d.Service.Id, d.Location.Id)).ToHashSet();
        var byId = services.Values.Where(s => s.Id != 0).ToDictionary(s => s.Id);
        var ids = byId.Keys.ToList();
        var existing = await db.ServicesAtLocations.Where(x => ids.Contains(x.ServiceId)).ToListAsync(ct);
        var kept = new HashSet<(int, int)>();
        foreach (var link in existing)
        {
            var service = byId[link.ServiceId];
            if (desiredOfSaved.Contains((link.ServiceId, link.LocationId))) { kept.Add((link.ServiceId, link.LocationId)); continue; }
            db.ServicesAtLocations.Remove(link);
            changed.Add(service);
            preview.LinksRemoved++;
        }
        foreach (var (service, location) in desired.Where(d => d.Service.Id == 0 || d.Location.Id == 0 || !kept.Contains((d.Service.Id, d.Location.Id))))
        {
            db.ServicesAtLocations.Add(new ServiceAtLocation { Service = service, Location = location });
            changed.Add(service);
            preview.LinksAdded++;
        }
    }

    /// <summary>The package's taxonomy terms replace those of its own services; other services keep theirs.</summary>
    private async Task StageTermsAsync(Dictionary<string, Classification> classifications, Dictionary<string, Service> services,
        HashSet<Service> changed, DirectoryImportPreview preview, CancellationToken ct)
    {
        var ids = services.Values.Where(s => s.Id != 0).Select(s => s.Id).ToList();
        var existing = (await db.ServiceTerms.Where(t => ids.Contains(t.ServiceId)).ToListAsync(ct)).ToLookup(t => t.ServiceId);
        foreach (var (id, service) in services)
        {
            var desired = (classifications.GetValueOrDefault(id)?.Terms.Values ?? Enumerable.Empty<TermRow>())
                .ToDictionary(t => HsdsIds.Of("taxonomy_term", t.Id), StringComparer.OrdinalIgnoreCase);
            var current = service.Id == 0 ? [] : existing[service.Id].ToList();
            foreach (var term in current)
            {
                if (!desired.Remove(HsdsIds.Of("taxonomy_term", term.TermHsdsId), out var row))
                {
                    db.ServiceTerms.Remove(term);
                    changed.Add(service);
                    preview.TermsRemoved++;
                    continue;
                }
                term.Code = row.Code;
                term.Name = row.Name;
                term.Taxonomy = row.Taxonomy;
                var entry = db.Entry(term);
                entry.DetectChanges();
                if (entry.State == EntityState.Modified) changed.Add(service);
            }
            foreach (var row in desired.Values)
            {
                db.ServiceTerms.Add(new ServiceTerm { Service = service, TermHsdsId = row.Id, Code = row.Code, Name = row.Name, Taxonomy = row.Taxonomy });
                changed.Add(service);
                preview.TermsAdded++;
            }
        }
    }
}
