using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore.Metadata;
using SuccessPlans.Csv;
using SuccessPlans.Features.Plans;

namespace SuccessPlans.Features.Directory;

/// <summary>A problem in a package, by file, line and field; any one of them stops the whole import.</summary>
public sealed record HsdsProblem(string File, int Line, string? Field, CoreMessage Message)
{
    public CoreMessage Reason => Field is null ? Message : $"field '{Field}' {Message}";

    /// <summary>The whole problem ("services.csv line 3: field 'status' …"), to be shown in the reader's language.</summary>
    public CoreMessage Text => ImportFileException.At(File, Line, Reason);

    public override string ToString() => Text.ToString();
}

internal sealed record OrganizationRow(string Id, string Name, string? Description, string? Email, string? Website);
internal sealed record ServiceRow(int Line, string Id, string OrganizationId, string Name, string? Description, string Status, string? EligibilityDescription, int? MinimumAge, int? MaximumAge);
internal sealed record AddressRow(string Address1, string? Address2, string City, string Region, string PostalCode, string Country);
internal sealed record LocationRow(string Id, string? OrganizationId, string Name, AddressRow? Address);
internal sealed record TermRow(string Id, string? Code, string Name, string? Taxonomy);
internal sealed record CapacityRow(int Available, int? Maximum, string? Unit, DateTime? Updated);

/// <summary>Our own fields of a service, from attributes linked to the terms of HsdsVocabulary, and the other terms.</summary>
internal sealed class Classification
{
    public Domain? Domain { get; set; }
    public ServiceTier? Tier { get; set; }
    public int? OpenPlaces { get; set; }
    public Dictionary<string, TermRow> Terms { get; } = new(StringComparer.OrdinalIgnoreCase);
}

/// <summary>
/// What an HSDS package says, read whole and checked, in the shape of HSDS 3 whatever version it came in. A part the
/// package does not have (no languages file, say) is null, and the import leaves that part of its services alone.
/// </summary>
internal sealed class HsdsPackage
{
    public required string Version { get; init; }
    public List<OrganizationRow> Organizations { get; } = [];
    public List<ServiceRow> Services { get; } = [];
    public List<LocationRow>? Locations { get; set; }
    public bool HasAddresses { get; set; }
    public List<(string ServiceId, string LocationId)>? Links { get; set; }
    public Dictionary<string, string?>? Languages { get; set; }
    public Dictionary<string, Classification>? Classifications { get; set; }
    public Dictionary<string, CapacityRow>? Capacities { get; set; }
    public List<string> Unread { get; } = [];
    public List<CoreMessage> NotKept { get; } = [];
    public List<HsdsProblem> Problems { get; } = [];
}

/// <summary>
/// Reads an HSDS 3.0/3.1 package, or a 1.x one (and 2.0, which has the same files), into an <see cref="HsdsPackage"/>.
/// Strict: a duplicated id, a value outside HSDS's list, a field longer than the model stores, a reference to a row
/// that is not in the package, or a package that mixes versions is a problem naming file, line and field.
/// </summary>
internal sealed partial class HsdsPackageReader
{
    /// <summary>Files only HSDS 1.x (and 2.0) has, and files only HSDS 3 has; a package with both is refused.</summary>
    private static readonly string[] OldFiles =
    [
        "physical_addresses.csv", "postal_addresses.csv", "services_at_location.csv", "service_attributes.csv", "other_attributes.csv",
        "services_taxonomy.csv", "taxonomy.csv", "eligibility.csv", "accessibility_for_disabilities.csv", "payments_accepted.csv",
        "regular_schedules.csv", "holiday_schedules.csv",
    ];
    private static readonly string[] NewFiles =
        ["addresses.csv", "attributes.csv", "taxonomies.csv", "accessibility.csv", "cost_options.csv", "organization_identifiers.csv", "service_capacity.csv", "units.csv", "url.csv"];

    private readonly IReadOnlyDictionary<string, string> _files;
    private readonly IModel _model;
    private readonly HashSet<string> _read = new(StringComparer.OrdinalIgnoreCase);
    private HsdsPackage _p = null!;

    private HsdsPackageReader(IReadOnlyDictionary<string, string> files, IModel model)
    {
        _files = new Dictionary<string, string>(files, StringComparer.OrdinalIgnoreCase);
        _model = model;
    }

    public static HsdsPackage Read(IReadOnlyDictionary<string, string> files, IModel model) => new HsdsPackageReader(files, model).Read();

    private HsdsPackage Read()
    {
        var old = OldFiles.Where(_files.ContainsKey).ToList();
        if (Columns("organizations.csv") is { } orgHeaders && orgHeaders.Contains("url") && !orgHeaders.Contains("website")) old.Add("organizations.csv with 'url'");
        if (Columns("languages.csv") is { } langHeaders && langHeaders.Contains("language") && !langHeaders.Contains("code")) old.Add("languages.csv with 'language'");
        var @new = NewFiles.Where(_files.ContainsKey).ToList();
        _p = new HsdsPackage { Version = old.Count > 0 ? "1.x" : _files.ContainsKey("service_capacity.csv") ? "3.1" : "3.0" };
        if (old.Count > 0 && @new.Count > 0)
        {
            _p.Problems.Add(new("the package", 0, null,
                $"mixes HSDS 1.x files ({string.Join(", ", old)}) with HSDS 3 files ({string.Join(", ", @new)}); nothing can be imported from it. Upload one version at a time."));
            return _p;
        }

        var orgs = ReadOrganizations();
        var services = ReadServices(orgs);
        var locations = ReadLocations(orgs);
        ReadLinks(services, locations);
        ReadLanguages(services);
        ReadClassifications(services);
        ReadCapacities(services);
        _p.Unread.AddRange(_files.Keys.Where(f => !_read.Contains(f) && !f.Contains("(not a zip file)")).Order(StringComparer.OrdinalIgnoreCase));
        foreach (var notZip in _files.Keys.Where(f => f.Contains("(not a zip file)")))
            _p.Problems.Add(new(notZip.Replace(" (not a zip file)", ""), 0, null, "is not a zip file"));
        return _p;
    }

    private HashSet<string>? Columns(string name)
    {
        if (!_files.TryGetValue(name, out var text)) return null;
        try { return CsvFile.Parse(name, text).Headers.Select(h => h.Trim()).ToHashSet(StringComparer.OrdinalIgnoreCase); }
        catch (ImportFileException) { return null; }
    }

    // ---- organizations and services -------------------------------------------------------------------------------

    private Dictionary<string, int> ReadOrganizations()
    {
        var ids = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        foreach (var r in Rows("organizations.csv", required: true, "id", "name"))
        {
            if (Id(r, "id", ids, Max<ProviderOrganization>(nameof(ProviderOrganization.HsdsId))) is not { } id) continue;
            var name = Text(r, "name", Max<ProviderOrganization>(nameof(ProviderOrganization.Name)), required: true);
            var description = Text(r, "description", Max<ProviderOrganization>(nameof(ProviderOrganization.Description)));
            var email = Text(r, "email", Max<ProviderOrganization>(nameof(ProviderOrganization.Email)));
            var website = r.Optional("website") is not null || r.Optional("url") is null
                ? Text(r, "website", Max<ProviderOrganization>(nameof(ProviderOrganization.Website)))
                : Text(r, "url", Max<ProviderOrganization>(nameof(ProviderOrganization.Website)));
            if (name is not null) _p.Organizations.Add(new(id, name, description, email, website));
        }
        return ids;
    }

    private Dictionary<string, int> ReadServices(Dictionary<string, int> orgs)
    {
        var ids = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        foreach (var r in Rows("services.csv", required: true, "id", "organization_id", "name", "status"))
        {
            if (Id(r, "id", ids, Max<Service>(nameof(Service.HsdsId))) is not { } id) continue;
            var org = Reference(r, "organization_id", orgs, "organization", "organizations.csv", required: true);
            var name = Text(r, "name", Max<Service>(nameof(Service.Name)), required: true);
            var status = Text(r, "status", null, required: true);
            var canonical = HsdsVocabulary.ServiceStatuses.FirstOrDefault(s => s.Equals(status, StringComparison.OrdinalIgnoreCase));
            if (status is not null && canonical is null)
                Problem(r, "status", $"is not an HSDS service status ({string.Join(", ", HsdsVocabulary.ServiceStatuses)}): '{status}'");
            var description = Text(r, "description", Max<Service>(nameof(Service.Description)));
            var eligible = Text(r, "eligibility_description", Max<Service>(nameof(Service.EligibilityDescription)));
            var min = Age(r, "minimum_age");
            var max = Age(r, "maximum_age");
            if (min > max) Problem(r, "minimum_age", $"is above the maximum age ({min} > {max})");
            if (org is not null && name is not null && canonical is not null)
                _p.Services.Add(new(r.Line, id, org, name, description, canonical, eligible, min, max));
        }
        ReadEligibility(ids);
        return ids;
    }

    /// <summary>HSDS 1.x keeps eligibility in its own file, a row per criterion; HSDS 3 has one text per service.</summary>
    private void ReadEligibility(Dictionary<string, int> services)
    {
        var criteria = new Dictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase);
        var ids = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        foreach (var r in Rows("eligibility.csv", required: false, "id", "service_id", "eligibility"))
        {
            Id(r, "id", ids, null);
            if (Reference(r, "service_id", services, "service", "services.csv", required: true) is { } service && r.Optional("eligibility") is { } text)
                (criteria.TryGetValue(service, out var list) ? list : criteria[service] = []).Add(text);
        }
        for (var i = 0; i < _p.Services.Count; i++)
            if (_p.Services[i].EligibilityDescription is null && criteria.TryGetValue(_p.Services[i].Id, out var list))
                _p.Services[i] = _p.Services[i] with { EligibilityDescription = string.Join("; ", list) };
    }

    private int? Age(CsvRow r, string field)
    {
        if (r.Optional(field) is not { } v) return null;
        if (decimal.TryParse(v, NumberStyles.Number, CultureInfo.InvariantCulture, out var d) && d >= 0 && d < 130) return (int)d;
        Problem(r, field, $"is not an age: '{v}'");
        return null;
    }

    // ---- locations, addresses, links --------------------------------------------------------------------------------

    private Dictionary<string, int>? ReadLocations(Dictionary<string, int> orgs)
    {
        if (!_files.ContainsKey("locations.csv")) return null;
        var ids = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var rows = new List<(CsvRow Row, string Id, string? Org, string? Name)>();
        foreach (var r in Rows("locations.csv", required: false, "id"))
        {
            if (Id(r, "id", ids, Max<ServiceLocation>(nameof(ServiceLocation.HsdsId))) is not { } id) continue;
            var org = Reference(r, "organization_id", orgs, "organization", "organizations.csv", required: false);
            rows.Add((r, id, org, Text(r, "name", Max<ServiceLocation>(nameof(ServiceLocation.Name)))));
        }
        var addresses = ReadAddresses(ids);
        _p.Locations = [];
        foreach (var (r, id, org, name) in rows)
        {
            var address = addresses?.GetValueOrDefault(id);
            // HSDS 3 lets a location go without a name; ours are listed by name, so its street stands in.
            var shown = name ?? (address is null ? null : $"{address.Address1}, {address.City}");
            if (shown is null) { Problem(r, "name", "is empty, and the location has no address to go by"); continue; }
            _p.Locations.Add(new(id, org, shown[..Math.Min(shown.Length, Max<ServiceLocation>(nameof(ServiceLocation.Name)) ?? shown.Length)], address));
        }
        return ids;
    }

    /// <summary>
    /// HSDS 3 addresses.csv (address_type physical, postal or virtual), or HSDS 1.x physical_addresses.csv and
    /// postal_addresses.csv. A location keeps one physical address; postal and virtual ones are not kept.
    /// </summary>
    private Dictionary<string, AddressRow>? ReadAddresses(Dictionary<string, int> locations)
    {
        var files = new[] { ("addresses.csv", (string?)null), ("physical_addresses.csv", "physical"), ("postal_addresses.csv", "postal") }
            .Where(f => _files.ContainsKey(f.Item1)).ToList();
        if (files.Count == 0) return null;
        _p.HasAddresses = true;
        var result = new Dictionary<string, (AddressRow Address, string File, int Line)>(StringComparer.OrdinalIgnoreCase);
        var notKept = 0;
        foreach (var (file, fixedType) in files)
        {
            var ids = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
            foreach (var r in Rows(file, required: false, "id", "location_id"))
            {
                Id(r, "id", ids, null);
                var location = Reference(r, "location_id", locations, "location", "locations.csv", required: true);
                var type = fixedType ?? r.Optional("address_type")?.ToLowerInvariant() ?? "physical";
                if (type is not ("physical" or "postal" or "virtual")) { Problem(r, "address_type", $"is not physical, postal or virtual: '{r["address_type"]}'"); continue; }
                if (type != "physical") { notKept++; continue; }
                var address1 = Text(r, "address_1", Max<ServiceLocation>(nameof(ServiceLocation.Address1)), required: true);
                var more = string.Join(", ", new[] { r.Optional("address_2"), r.Optional("address_3"), r.Optional("address_4") }.OfType<string>());
                var address2 = Check(r, "address_2", more.Length == 0 ? null : more, Max<ServiceLocation>(nameof(ServiceLocation.Address2)), required: false);
                var city = Text(r, "city", Max<ServiceLocation>(nameof(ServiceLocation.City)), required: true);
                var region = Check(r, "state_province", r.Optional("state_province") ?? r.Optional("region"), Max<ServiceLocation>(nameof(ServiceLocation.Region)), required: true);
                var postalCode = Text(r, "postal_code", Max<ServiceLocation>(nameof(ServiceLocation.PostalCode)), required: true);
                var country = Text(r, "country", null, required: true);
                if (country is not null && !CountryCode().IsMatch(country)) { Problem(r, "country", $"is not a two-letter ISO 3166 country code: '{country}'"); country = null; }
                if (location is null || address1 is null || city is null || region is null || postalCode is null || country is null) continue;
                if (result.TryGetValue(location, out var first))
                {
                    Problem(r, "location_id", $"gives location '{location}' a second physical address ({first.File} line {first.Line} has the first); a location keeps one");
                    continue;
                }
                result[location] = (new AddressRow(address1, address2, city, region, postalCode, country.ToUpperInvariant()), file, r.Line);
            }
        }
        if (notKept > 0) _p.NotKept.Add($"{notKept} postal or virtual address(es): a location keeps its physical address only");
        return result.ToDictionary(kv => kv.Key, kv => kv.Value.Address, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>service_at_location.csv (HSDS 3), or services_at_location.csv (HSDS 1.x); either name in either version.</summary>
    private void ReadLinks(Dictionary<string, int> services, Dictionary<string, int>? locations)
    {
        var names = new[] { "service_at_location.csv", "services_at_location.csv" }.Where(_files.ContainsKey).ToList();
        if (names.Count == 0) return;
        if (names.Count > 1) { _p.Problems.Add(new(names[1], 0, null, $"repeats {names[0]}: send one of the two")); return; }
        _p.Links = [];
        var ids = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        foreach (var r in Rows(names[0], required: false, "id", "service_id", "location_id"))
        {
            Id(r, "id", ids, null);
            var service = Reference(r, "service_id", services, "service", "services.csv", required: true);
            var location = Reference(r, "location_id", locations ?? [], "location", "locations.csv", required: true);
            if (service is not null && location is not null) _p.Links.Add((service, location));
        }
    }

    // ---- languages ---------------------------------------------------------------------------------------------------

    private static readonly Dictionary<string, string> LanguageNames = CultureInfo.GetCultures(CultureTypes.NeutralCultures)
        .Where(c => c.TwoLetterISOLanguageName.Length == 2 && c.Name.Length == 2)
        .GroupBy(c => c.EnglishName, StringComparer.OrdinalIgnoreCase)
        .ToDictionary(g => g.Key, g => g.First().TwoLetterISOLanguageName, StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// languages.csv: HSDS 3 gives a code (ISO 639) per row; HSDS 1.x a 'language', often an English name ("Spanish"),
    /// sometimes several separated by commas. Names become codes; a name that is no language stops the import.
    /// </summary>
    private void ReadLanguages(Dictionary<string, int> services)
    {
        if (!_files.ContainsKey("languages.csv")) return;
        var byService = new Dictionary<string, SortedSet<string>>(StringComparer.OrdinalIgnoreCase);
        var ids = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var elsewhere = 0;
        foreach (var r in Rows("languages.csv", required: false, "id"))
        {
            Id(r, "id", ids, null);
            if (r.Optional("service_id") is null) { elsewhere++; continue; }
            var service = Reference(r, "service_id", services, "service", "services.csv", required: true);
            var field = r.Optional("code") is not null ? "code" : r.Optional("language") is not null ? "language" : "name";
            if (r.Optional(field) is not { } value) { Problem(r, "code", "is empty"); continue; }
            foreach (var part in value.Split([',', ';'], StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                var code = LanguageCode().IsMatch(part) ? part.ToLowerInvariant() : LanguageNames.GetValueOrDefault(part);
                if (code is null) { Problem(r, field, $"is neither an ISO 639 language code nor the English name of a language: '{part}'"); continue; }
                if (service is not null) (byService.TryGetValue(service, out var set) ? set : byService[service] = new SortedSet<string>(StringComparer.Ordinal)).Add(code);
            }
        }
        if (elsewhere > 0) _p.NotKept.Add($"{elsewhere} language(s) of a location or phone rather than a service");
        var max = Max<Service>(nameof(Service.Languages));
        _p.Languages = new(StringComparer.OrdinalIgnoreCase);
        foreach (var (service, codes) in byService)
        {
            var joined = string.Join(' ', codes);
            if (joined.Length > max)
                _p.Problems.Add(new("languages.csv", 0, null, $"gives service '{service}' more languages than fit ({joined.Length} characters of codes; at most {max})"));
            _p.Languages[service] = joined;
        }
    }

    // ---- taxonomy terms and our own attributes -------------------------------------------------------------------------

    /// <summary>
    /// Which terms each service has. HSDS 3: attributes.csv (link_entity 'service') with taxonomy_terms.csv and
    /// taxonomies.csv. HSDS 1.x: service_attributes.csv with taxonomy_terms.csv ('term'), or services_taxonomy.csv with
    /// taxonomy.csv, or the services' taxonomy_ids. Terms of HsdsVocabulary set our domain, tier and open places.
    /// </summary>
    private void ReadClassifications(Dictionary<string, int> services)
    {
        var links = new List<(CsvRow Row, string Field, string Service, string Term, string? Value)>();
        var linkFiles = new[] { ("attributes.csv", "link_id", "taxonomy_term_id"), ("service_attributes.csv", "service_id", "taxonomy_term_id"), ("services_taxonomy.csv", "service_id", "taxonomy_id") };
        var any = false;
        var otherEntities = 0;
        foreach (var (file, serviceField, termField) in linkFiles.Where(f => _files.ContainsKey(f.Item1)))
        {
            any = true;
            var ids = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
            foreach (var r in Rows(file, required: false, "id", serviceField, termField))
            {
                Id(r, "id", ids, null);
                if (file == "attributes.csv" && !r["link_entity"].Equals("service", StringComparison.OrdinalIgnoreCase)) { otherEntities++; continue; }
                var service = Reference(r, serviceField, services, "service", "services.csv", required: true);
                if (Text(r, termField, null, required: true) is { } term && service is not null)
                    links.Add((r, termField, service, term, r.Optional("value")));
            }
        }
        if (Columns("services.csv")?.Contains("taxonomy_ids") == true)
        {
            any = true;
            foreach (var r in Rows("services.csv", required: false))
                foreach (var term in r["taxonomy_ids"].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                    if (services.ContainsKey(r["id"])) links.Add((r, "taxonomy_ids", r["id"], term, null));
        }
        if (!any) return;
        if (otherEntities > 0) _p.NotKept.Add($"{otherEntities} attribute(s) of organizations, locations or other rows rather than services");

        var terms = ReadTerms();
        var ours = HsdsVocabulary.AllTerms.ToDictionary(t => t.Id, StringComparer.OrdinalIgnoreCase);
        _p.Classifications = new(StringComparer.OrdinalIgnoreCase);
        var firsts = new Dictionary<(string Service, string What), int>();  // service ids lower-cased: ids compare without case
        foreach (var (r, field, service, termId, value) in links)
        {
            var c = _p.Classifications.TryGetValue(service, out var found) ? found : _p.Classifications[service] = new Classification();
            if (ours.TryGetValue(termId, out var our))
            {
                var what = our.TaxonomyId;
                if (firsts.TryGetValue((service.ToLowerInvariant(), what), out var firstLine))
                {
                    var kind = what == HsdsVocabulary.DomainTaxonomyId ? (CoreMessage)"domain" : what == HsdsVocabulary.TierTaxonomyId ? (CoreMessage)"service tier" : (CoreMessage)"number of open places";
                    Problem(r, field, $"gives service '{service}' a second {kind} (line {firstLine} has the first)");
                    continue;
                }
                firsts[(service.ToLowerInvariant(), what)] = r.Line;
                if (what == HsdsVocabulary.DomainTaxonomyId) c.Domain = HsdsVocabulary.Domains.First(d => d.Term.Id == our.Id).Domain;
                else if (what == HsdsVocabulary.TierTaxonomyId) c.Tier = HsdsVocabulary.Tiers.First(t => t.Term.Id == our.Id).Tier;
                else if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var places)) c.OpenPlaces = places;
                else Problem(r, "value", $"of an open-places attribute is not a whole number of places: '{value}'");
            }
            else if (terms.Rows.TryGetValue(termId, out var term))
                c.Terms[termId] = term;
            else
                Problem(r, field, $"names no taxonomy term in {terms.File}: '{termId}'");
        }
    }

    /// <summary>The terms services may point at, from taxonomy_terms.csv (HSDS 3 and 1.1) or taxonomy.csv (HSDS 1.0).</summary>
    private (string File, Dictionary<string, TermRow> Rows) ReadTerms()
    {
        var rows = new Dictionary<string, TermRow>(StringComparer.OrdinalIgnoreCase);
        var file = _files.ContainsKey("taxonomy_terms.csv") || !_files.ContainsKey("taxonomy.csv") ? "taxonomy_terms.csv" : "taxonomy.csv";
        if (!_files.ContainsKey(file)) return (file, rows);
        var taxonomies = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var taxonomyIds = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        foreach (var r in Rows("taxonomies.csv", required: false, "id"))
            if (Id(r, "id", taxonomyIds, null) is { } id) taxonomies[id] = r.Optional("name");
        var ids = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var ours = HsdsVocabulary.AllTerms.Select(t => t.Id).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var r in Rows(file, required: false, "id"))
        {
            if (Id(r, "id", ids, Max<ServiceTerm>(nameof(ServiceTerm.TermHsdsId))) is not { } id || ours.Contains(id)) continue;
            var nameField = r.Optional("name") is not null ? "name" : r.Optional("term") is not null ? "term" : "code";
            var name = Text(r, nameField, Max<ServiceTerm>(nameof(ServiceTerm.Name)));
            var code = Text(r, "code", Max<ServiceTerm>(nameof(ServiceTerm.Code)));
            string? taxonomy;
            if ((r.Optional("taxonomy") ?? r.Optional("vocabulary")) is { } named)
                taxonomy = named;
            else if (r.Optional("taxonomy_id") is { } taxonomyId)
            {
                if (!taxonomies.TryGetValue(taxonomyId, out taxonomy)) { Problem(r, "taxonomy_id", $"names no taxonomy in taxonomies.csv: '{taxonomyId}'"); continue; }
            }
            else taxonomy = null;
            if (taxonomy is { } t && t.Length > Max<ServiceTerm>(nameof(ServiceTerm.Taxonomy))) { Problem(r, "taxonomy", $"is {t.Length} characters long; at most {Max<ServiceTerm>(nameof(ServiceTerm.Taxonomy))} fit"); continue; }
            if (name is null) { Problem(r, "name", "is empty"); continue; }
            rows[id] = new TermRow(id, code, name, taxonomy);
        }
        return (file, rows);
    }

    // ---- capacity (HSDS 3.1) -------------------------------------------------------------------------------------------

    private void ReadCapacities(Dictionary<string, int> services)
    {
        if (!_files.ContainsKey("service_capacity.csv")) return;
        var units = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var unitIds = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        foreach (var r in Rows("units.csv", required: false, "id", "name"))
            if (Id(r, "id", unitIds, null) is { } id && Text(r, "name", Max<Service>(nameof(Service.CapacityUnit)), required: true) is { } name)
                units[id] = name;
        _p.Capacities = new(StringComparer.OrdinalIgnoreCase);
        var ids = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var firsts = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        foreach (var r in Rows("service_capacity.csv", required: false, "id", "service_id", "unit_id", "available"))
        {
            Id(r, "id", ids, null);
            var service = Reference(r, "service_id", services, "service", "services.csv", required: true);
            var unit = Reference(r, "unit_id", unitIds, "unit", "units.csv", required: true);
            var available = Places(r, "available", required: true);
            var maximum = Places(r, "maximum", required: false);
            DateTime? updated = null;
            if (Text(r, "updated", null, required: true) is { } u)
            {
                if (DateTimeOffset.TryParse(u, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)) updated = at.UtcDateTime;
                else Problem(r, "updated", $"is not a date and time: '{u}'");
            }
            if (service is null || unit is null || available is null || updated is null) continue;
            if (firsts.TryGetValue(service, out var firstLine)) { Problem(r, "service_id", $"gives service '{service}' a second capacity (line {firstLine} has the first); a service keeps one"); continue; }
            firsts[service] = r.Line;
            var unitName = units.GetValueOrDefault(unit);
            _p.Capacities[service] = new CapacityRow(available.Value, maximum,
                unitName is null || unitName.Equals(HsdsVocabulary.DefaultCapacityUnit, StringComparison.OrdinalIgnoreCase) ? null : unitName, updated);
        }
    }

    private int? Places(CsvRow r, string field, bool required)
    {
        if (Text(r, field, null, required) is not { } v) return null;
        if (decimal.TryParse(v, NumberStyles.Number, CultureInfo.InvariantCulture, out var d) && d >= 0 && d == decimal.Truncate(d) && d <= int.MaxValue) return (int)d;
        Problem(r, field, $"is not a whole number of places: '{v}'");
        return null;
    }

    // ---- fields --------------------------------------------------------------------------------------------------------

    private List<CsvRow> Rows(string name, bool required, params string[] headers)
    {
        if (!_files.TryGetValue(name, out var text))
        {
            if (required) _p.Problems.Add(new(name, 0, null, "file not found"));
            return [];
        }
        _read.Add(name);
        try
        {
            var file = CsvFile.Parse(name, text);
            file.RequireHeaders(headers);
            return file.Rows.ToList();
        }
        catch (ImportFileException e)
        {
            _p.Problems.Add(new(e.File, e.Line, null, e.Reason));
            return [];
        }
    }

    /// <summary>The row's id: present, not longer than the model stores, and not already used in this file.</summary>
    private string? Id(CsvRow r, string field, Dictionary<string, int> seen, int? max)
    {
        if (Text(r, field, max, required: true) is not { } id) return null;
        if (seen.TryGetValue(id, out var first)) { Problem(r, field, $"repeats id '{id}' of line {first}"); return null; }
        seen[id] = r.Line;
        return id;
    }

    private string? Reference(CsvRow r, string field, Dictionary<string, int> targets, CoreMessage what, string file, bool required)
    {
        if (Text(r, field, null, required) is not { } id) return null;
        if (targets.ContainsKey(id)) return id;
        Problem(r, field, $"names no {what} in {file}: '{id}'");
        return null;
    }

    private string? Text(CsvRow r, string field, int? max, bool required = false) => Check(r, field, r.Optional(field), max, required);

    private string? Check(CsvRow r, string field, string? value, int? max, bool required)
    {
        if (value is null)
        {
            if (required) Problem(r, field, "is empty");
            return null;
        }
        if (value.Length > max)
        {
            Problem(r, field, $"is {value.Length} characters long; at most {max} fit");
            return null;
        }
        return value;
    }

    private void Problem(CsvRow r, string? field, CoreMessage message) => _p.Problems.Add(new(r.FileName, r.Line, field, message));

    /// <summary>The length the model stores (HasMaxLength), so a row SQLite would take is one SQL Server takes too.</summary>
    private int? Max<T>(string property) => _model.FindEntityType(typeof(T))!.FindProperty(property)!.GetMaxLength();

    [GeneratedRegex("^[A-Za-z]{2}$")]
    private static partial Regex CountryCode();

    [GeneratedRegex("^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})?$")]
    private static partial Regex LanguageCode();
}
