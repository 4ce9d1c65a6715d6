using SuccessPlans.Csv;
using SuccessPlans.Features.Directory;

namespace SuccessPlans.Tests.Hsds;

/// <summary>Small HSDS 3.0 packages written as a provider's system would, and the fixtures of the repository.</summary>
public static class HsdsPackages
{
    public static string Fixtures => Path.Combine(Model.ModelTests.RepositoryRoot(), "tests", "SuccessPlans.Tests", "Fixtures");
    public static string DemoHsds => Path.Combine(Model.ModelTests.RepositoryRoot(), "seed-data", "demo", "hsds");

    public static TableSchemaValidator Validator() =>
        TableSchemaValidator.FromDataPackage(Path.Combine(Fixtures, "hsds-3.0-example", "datapackage.json"))
            .WithHsdsSchemas(Path.Combine(Fixtures, "hsds-3.1-capacity", "service_capacity.json"), Path.Combine(Fixtures, "hsds-3.1-capacity", "unit.json"));

    /// <summary>A stable UUID for a test row.</summary>
    public static string Id(string package, string row) => HsdsIds.Derive("test", package, row);

    /// <summary>
    /// One organization with <paramref name="services"/> services, each at the organization's location, in English,
    /// with the domain Health and one term of a vocabulary of the package's own.
    /// </summary>
    public static Dictionary<string, string> Package(string name, int services = 1)
    {
        string Csv(Action<CsvWriter> write) { var w = new StringWriter(); write(new CsvWriter(w)); return w.ToString(); }
        var org = Id(name, "org");
        var location = Id(name, "location");
        var term = Id(name, "term");
        var taxonomy = Id(name, "taxonomy");
        var ids = Enumerable.Range(1, services).Select(i => Id(name, $"service-{i}")).ToList();
        return new Dictionary<string, string>
        {
            ["organizations.csv"] = Csv(w =>
            {
                w.WriteRow("id", "name", "alternate_name", "description", "email", "website", "tax_status", "tax_id", "year_incorporated", "legal_status", "logo", "uri", "parent_organization_id");
                w.WriteRow(org, $"{name} Family Services", "", $"{name} helps families.", $"intake@{name.ToLowerInvariant()}.example.org", $"https://{name.ToLowerInvariant()}.example.org", "", "", "", "", "", "", "");
            }),
            ["services.csv"] = Csv(w =>
            {
                w.WriteRow("id", "organization_id", "program_id", "name", "alternate_name", "description", "url", "email", "status", "interpretation_services",
                    "application_process", "fees_description", "wait_time", "fees", "accreditations", "eligibility_description", "minimum_age", "maximum_age",
                    "assured_date", "assurer_email", "licenses", "alert", "last_modified");
                for (var i = 0; i < ids.Count; i++)
                    w.WriteRow(ids[i], org, "", $"{name} service {i + 1}", "", "Weekly help.", "", "", "active", "", "", "", "", "", "", "Ages 5-14", "5", "14", "", "", "", "", "");
            }),
            ["locations.csv"] = Csv(w =>
            {
                w.WriteRow("id", "location_type", "url", "organization_id", "name", "alternate_name", "description", "transportation", "latitude", "longitude", "external_identifier", "external_identifier_type");
                w.WriteRow(location, "physical", "", org, $"{name} office", "", "", "", "", "", "", "");
            }),
            ["addresses.csv"] = Csv(w =>
            {
                w.WriteRow("id", "location_id", "attention", "address_1", "address_2", "city", "region", "state_province", "postal_code", "country", "address_type");
                w.WriteRow(Id(name, "address"), location, "", "1 Main Street", "", "Demo City", "", "MA", "01001", "US", "physical");
            }),
            ["service_at_location.csv"] = Csv(w =>
            {
                w.WriteRow("id", "service_id", "location_id", "description");
                foreach (var s in ids) w.WriteRow(Id(name, "at-" + s), s, location, "");
            }),
            ["languages.csv"] = Csv(w =>
            {
                w.WriteRow("id", "service_id", "location_id", "phone_id", "name", "code", "note");
                foreach (var s in ids) w.WriteRow(Id(name, "en-" + s), s, "", "", "English", "en", "");
            }),
            ["attributes.csv"] = Csv(w =>
            {
                w.WriteRow("id", "link_id", "taxonomy_term_id", "link_type", "link_entity", "value");
                foreach (var s in ids)
                {
                    w.WriteRow(Id(name, "domain-" + s), s, HsdsVocabulary.Domains.First(d => d.Domain == SuccessPlans.Features.Plans.Domain.Health).Term.Id, "", "service", "");
                    w.WriteRow(Id(name, "term-" + s), s, term, "", "service", "");
                }
            }),
            ["taxonomies.csv"] = Csv(w =>
            {
                w.WriteRow("id", "name", "description", "uri", "version");
                w.WriteRow(taxonomy, $"{name} vocabulary", "Terms of the package.", "", "1");
            }),
            ["taxonomy_terms.csv"] = Csv(w =>
            {
                w.WriteRow("id", "code", "name", "description", "parent_id", "taxonomy", "language", "taxonomy_id", "term_uri");
                w.WriteRow(term, $"{name}-1", $"{name} term", "A term.", "", "", "en", taxonomy, "");
            }),
        };
    }
}
